"""Server time of the statement page with the full data set, against a trivial view. Target ≤ 2.5×.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/estado_cuenta.py [--n 400]

In-process (Django's test client, no network, no HTTP server): GET /prestaciones/recuperacion-de-credito/
estado-de-cuenta/ as the borrowers whose sessions bench/datos.py created (round robin, so every request
is a different borrower and loan), and the same number of GETs of a trivial view (bench/urls.py) through
the same middleware, and of one that also loads the borrower's session and padrón entry as every
borrower page does (`derechohabiente_requerido`). Production profile: DEBUG off, sessions in the Redis
cache in front of the database (`REDIS_URL`, default `BENCH_REDIS_URL` or redis://127.0.0.1:6379/15), every
session read once before measuring, as on a busy payday. Reports median and p95 of each, their ratios and
the page's query count. Run it after bench/remesa.py, so every loan has 24 quincenas of deductions.

Each loan's statement parts are kept in the cache (recuperacion/partes.py): every borrower's page is asked
for once before measuring, as after a first visit of the day, and the page is also measured as that first
visit ("sin caché": no entry found, the parts drawn and stored). `--perfil` then prints the page's time per
block (bench/perfil.py) both ways, over `--n` more requests each.

The target (at most 2.5×, issue 29) is taken against the trivial view that identifies its borrower: a page that must
show one person's data cannot skip the session, the user and the padrón entry, and the bare view's
figure (no database at all) is reported beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

from comun import SALIDA, carga_promedio, django_en_produccion_con_redis, maquina

PAGINA = "/prestaciones/recuperacion-de-credito/estado-de-cuenta/"
TRIVIAL = "/bench/trivial/"
TRIVIAL_SESION = "/bench/trivial-con-sesion/"


def medir(cliente, url: str, sesiones: list[str], n: int) -> list[float]:
    tiempos = []
    for k in range(n):
        cliente.cookies["sessionid"] = sesiones[k % len(sesiones)]
        inicio = time.perf_counter()
        respuesta = cliente.get(url)
        tiempos.append((time.perf_counter() - inicio) * 1000)
        if respuesta.status_code != 200:
            raise SystemExit(f"{url} respondió {respuesta.status_code}")
    return tiempos


def resumen(nombre: str, tiempos: list[float]) -> tuple[float, float]:
    mediana, p95 = statistics.median(tiempos), statistics.quantiles(tiempos, n=100)[94]
    print(f"{nombre:<22} mediana {mediana:7.2f} ms   p95 {p95:7.2f} ms   ({len(tiempos)} peticiones)")
    return mediana, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="peticiones por medición (400)")
    parser.add_argument("--perfil", action="store_true",
                        help="además, el tiempo de la página por bloque (bench/perfil.py), en --n peticiones más")
    args = parser.parse_args()
    django_en_produccion_con_redis()
    from perfil import Cronometro, instrumentar

    cronometro = Cronometro()
    if args.perfil:
        instrumentar(cronometro)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    sesiones = (SALIDA / "sesiones.txt").read_text().split()
    print(maquina())
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        cliente = Client()
        # Warm-up: imports, template loading, connections, the first query plans, and every session
        # into the cache (cached_db reads the database once per session, then Redis).
        medir(cliente, TRIVIAL_SESION, sesiones, len(sesiones))
        medir(cliente, PAGINA, sesiones[:1], 1)  # fills the cache of remesas and moratorio parameters
        with CaptureQueriesContext(connection) as consultas:
            medir(cliente, PAGINA, sesiones[1:2], 1)
        consultas = list(consultas.captured_queries)  # now: the next request clears the log
        # Every borrower's statement once: each loan's parts enter the cache (recuperacion/partes.py), as
        # after a borrower's first visit of the day. The "sin caché" figure is that first visit.
        medir(cliente, PAGINA, sesiones, len(sesiones))
        medir(cliente, TRIVIAL, sesiones[-20:], 20)
        medir(cliente, TRIVIAL_SESION, sesiones[-20:], 20)
        # Interleaved in blocks of 20, so a change in the machine's load (it is shared) weighs on the page
        # and on its floors alike instead of on whichever ran during it.
        pagina, fria, trivial, trivial_sesion = [], [], [], []
        for inicio in range(0, args.n, 20):
            bloque = sesiones[inicio % len(sesiones) :][:20]
            pagina += medir(cliente, PAGINA, bloque, len(bloque))
            with sin_entradas():
                fria += medir(cliente, PAGINA, bloque, len(bloque))
            trivial += medir(cliente, TRIVIAL, bloque, len(bloque))
            trivial_sesion += medir(cliente, TRIVIAL_SESION, bloque, len(bloque))
        perfiles = []
        if args.perfil:
            pedir = cronometro.medir("petición: middleware y resto", cliente.get)
            for titulo, contexto in (("con las partes en caché", contextlib.nullcontext), ("sin caché", sin_entradas)):
                cronometro.reiniciar()
                cronometro.activo = True
                with contexto():
                    for k in range(args.n):
                        cliente.cookies["sessionid"] = sesiones[k % len(sesiones)]
                        pedir(PAGINA)
                cronometro.activo = False
                perfiles.append((titulo, cronometro.informe(args.n)))
    print(f"DEBUG={settings.DEBUG}; sesiones en {settings.SESSION_ENGINE}")
    mediana, p95 = resumen("estado de cuenta", pagina)
    mediana_f, p95_f = resumen("  sin caché (1ª vista)", fria)
    mediana_t, p95_t = resumen("vista trivial", trivial)
    mediana_s, p95_s = resumen("trivial con sesión", trivial_sesion)
    print(f"consultas por página: {len(consultas)}")
    for consulta in consultas:
        print(f"  {consulta['time']:>6} s  {consulta['sql'][:150]}")
    print(f"razón contra la trivial con sesión: mediana {mediana / mediana_s:.1f}×, p95 {p95 / p95_s:.1f}× (objetivo ≤ 2.5×); "
          f"sin caché {mediana_f / mediana_s:.1f}×, p95 {p95_f / p95_s:.1f}×")
    print(f"razón contra la vista trivial sin base de datos: mediana {mediana / mediana_t:.1f}×, p95 {p95 / p95_t:.1f}×; "
          f"sin caché {mediana_f / mediana_t:.1f}×, p95 {p95_f / p95_t:.1f}×")
    print(f"carga promedio al terminar {carga_promedio()}")
    for titulo, informe in perfiles:
        print(f"\nperfil de la página {titulo}, media de {args.n} peticiones (los bloques suman la petición entera):")
        print(informe)


@contextlib.contextmanager
def sin_entradas():
    """Requests as a borrower's first visit of the day: no loan's parts found in the cache (they are drawn
    and stored, as then). The page asks for its entry in the round trip that reads the remesas
    (`posiciones.contextos_y_entradas`): that read still goes to Redis, under a key nobody stored."""
    from prestamos import posiciones
    from recuperacion import partes

    original, original_posiciones = partes.cache, posiciones.cache_compartida
    prefijo = partes.clave(0)[:-1]

    class SinEntradas:
        def __init__(self, cache):
            self._cache = cache

        def __getattr__(self, nombre):
            return getattr(self._cache, nombre)

        def get(self, clave, default=None):
            return default if clave.startswith(prefijo) else self._cache.get(clave, default)

        def get_many(self, claves):
            ausente = {(c + ":ausente" if c.startswith(prefijo) else c): c for c in claves}
            return {ausente[c]: v for c, v in self._cache.get_many(list(ausente)).items()}

    partes.cache, posiciones.cache_compartida = SinEntradas(original), SinEntradas(original_posiciones)
    try:
        yield
    finally:
        partes.cache, posiciones.cache_compartida = original, original_posiciones


if __name__ == "__main__":
    main()
