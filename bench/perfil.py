"""Time per block of a page's requests, for `bench/estado_cuenta.py --perfil`.

Each block is a function wrapped with a timer that knows its caller: a block's time excludes the blocks
called inside it, so the blocks add up to the request's whole time ("petición: middleware y resto" is
what no wrapped function took: the middleware, the test client, Django's handler). The wrappers cost a
microsecond or two per call; the blocks are called a few times per request.
"""

from __future__ import annotations

import functools
import sys
import time
from collections import defaultdict


class Cronometro:
    def __init__(self) -> None:
        self.propio: dict[str, float] = defaultdict(float)  # seconds, excluding the blocks inside
        self.llamadas: dict[str, int] = defaultdict(int)
        self._pila: list[list[float]] = []  # per open block: [time of the blocks inside]
        self.activo = False

    def reiniciar(self) -> None:
        self.propio.clear()
        self.llamadas.clear()

    def medir(self, nombre: str, funcion):
        cronometro = self

        @functools.wraps(funcion)
        def envoltura(*args, **kwargs):
            if not cronometro.activo:
                return funcion(*args, **kwargs)
            cronometro._pila.append([0.0])
            inicio = time.perf_counter()
            try:
                return funcion(*args, **kwargs)
            finally:
                total = time.perf_counter() - inicio
                [dentro] = cronometro._pila.pop()
                cronometro.propio[nombre] += total - dentro
                cronometro.llamadas[nombre] += 1
                if cronometro._pila:
                    cronometro._pila[-1][0] += total
        return envoltura

    def envolver(self, objeto, atributo: str, nombre: str) -> None:
        setattr(objeto, atributo, self.medir(nombre, getattr(objeto, atributo)))

    def informe(self, peticiones: int) -> str:
        total = sum(self.propio.values())
        lineas = [f"{'bloque':<44} {'ms/petición':>11} {'%':>6} {'llamadas':>9}"]
        for nombre, segundos in sorted(self.propio.items(), key=lambda e: -e[1]):
            lineas.append(f"{nombre:<44} {segundos * 1000 / peticiones:>11.3f} {100 * segundos / total:>5.1f}% "
                          f"{self.llamadas[nombre] / peticiones:>9.1f}")
        lineas.append(f"{'total':<44} {total * 1000 / peticiones:>11.3f}")
        return "\n".join(lineas)


def instrumentar(cronometro: Cronometro, extra=()) -> None:
    """Wrap the statement page's blocks. Must run before the URLconf imports the views (the access decorator
    is applied when recuperacion/views.py is imported). `extra`: more (object, attribute, name) to wrap."""
    if "recuperacion.views" in sys.modules:
        raise RuntimeError("recuperacion.views ya se importó: el perfil no podría medir el acceso")
    import django.shortcuts
    from django.contrib import auth
    from django.contrib.sessions.backends import cached_db
    from django.template import library, loader_tags
    from django.template.response import SimpleTemplateResponse  # noqa: F401 — imported for its side effects

    from fopi import selectors as fopi_selectors
    from prestamos import acceso, posiciones
    from prestamos import selectors as prestamos_selectors
    from recuperacion import grafica
    from recuperacion import selectors as recuperacion_selectors

    c = cronometro
    c.envolver(cached_db.SessionStore, "load", "sesión (Redis / base)")
    c.envolver(auth, "get_user", "usuario")
    original = acceso.derechohabiente_requerido
    acceso.derechohabiente_requerido = lambda vista: c.medir("acceso: login + padrón", original(c.medir("vista (resto)", vista)))
    c.envolver(recuperacion_selectors, "estado_de_cuenta", "selector: resto")
    c.envolver(recuperacion_selectors, "prestamos_y_movimientos", "selector: préstamos y movimientos (1 consulta)")
    c.envolver(recuperacion_selectors, "vistas_prestamos", "selector: vistas")
    c.envolver(prestamos_selectors.posiciones, "posiciones", "selector: posiciones (instantánea)")
    c.envolver(posiciones, "contextos", "selector: contextos (remesas, parámetros)")
    c.envolver(posiciones, "contextos_y_entradas", "selector: remesas, parámetros y partes (Redis)")
    c.envolver(prestamos_selectors, "_vista", "selector: vista (estado, saldo, omisiones)")
    c.envolver(prestamos_selectors.VistaPrestamo, "serie_saldo", "gráfica: serie")
    c.envolver(grafica, "grafica_saldo", "gráfica: geometría")
    c.envolver(fopi_selectors, "comprobantes", "comprobantes")
    c.envolver(django.shortcuts, "render", "plantilla: resto")
    from recuperacion.selectors import EstadoCuenta

    propiedad = EstadoCuenta.__dict__["regularizaciones"]
    propiedad.func = c.medir("avisos: regularizaciones", propiedad.func)

    incluidas = {
        "recuperacion/_avisos.html": "plantilla: avisos",
        "recuperacion/_condiciones.html": "plantilla: condiciones",
        "recuperacion/_grafica.html": "plantilla: gráfica",
        "recuperacion/_movimientos.html": "plantilla: movimientos",
        "recuperacion/_tabla.html": "plantilla: tabla de amortización",
    }
    render_include = loader_tags.IncludeNode.render
    medidas = {nombre: c.medir(nombre, render_include) for nombre in incluidas.values()}

    def render_incluida(self, context):
        nombre = incluidas.get(getattr(self.template, "var", None))
        return (medidas[nombre] if nombre else render_include)(self, context)

    loader_tags.IncludeNode.render = render_incluida
    render_simple = library.SimpleNode.render
    etiquetas = {
        "filas_movimientos": c.medir("filas de movimientos", render_simple),
        "filas_amortizacion": c.medir("filas de amortización", render_simple),
    }

    def render_etiqueta(self, context):
        return etiquetas.get(self.func.__name__, render_simple)(self, context)

    library.SimpleNode.render = render_etiqueta
    from recuperacion import partes

    c.envolver(partes, "grafica_saldo", "gráfica: geometría")
    c.envolver(partes, "firma", "partes: firma")
    c.envolver(partes, "detalle", "partes: caché (get / set)")
    c.envolver(partes, "dibujar", "partes: dibujo (sin caché)")
    for objeto, atributo, nombre in extra:
        c.envolver(objeto, atributo, nombre)
