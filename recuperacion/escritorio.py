"""The CAPP desk (docs/reglas.md §15): the admin's first page. What waits for the officer — counters, each a link
to its filtered queue, shown only to the roles that can act on it — and one search box that takes whatever a
caller has at hand and lists the matches, each with "Abrir consola".

Mounted as the admin site's index in oficina/urls.py. Reads only; a fixed number of queries whatever the
numbers (one count per counter the role sees, one to four lookups per search).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.models import IntentosRegistro
from fopi.models import AlertaSpei, Fopi, PagoBancario
from oficina.admin_base import url_consola
from oficina.formatos import formato_fecha, formato_moneda
from prestamos.models import Carga, Derechohabiente, Prestamo
from recuperacion.models import Aclaracion, SolicitudDevolucion

DIAS_RECIENTES = 7  # "Cargas con error" and "Alertas SPEI": what happened this last week
RESULTADOS_MAXIMOS = 20
PERMISO_BUSCAR = "recuperacion.view_consola"


# --- counters ----------------------------------------------------------------------------------------------


def _hace_una_semana():
    return timezone.now() - timedelta(days=DIAS_RECIENTES)


@dataclass(frozen=True)
class Cola:
    """A queue of work: who acts on it, what it counts, and the admin list filtered to exactly those rows."""

    clave: str
    titulo: str
    ayuda: str
    permiso: str
    filas: Callable[[], QuerySet]
    lista: str  # admin URL name of the changelist
    filtro: str  # its query string

    @property
    def url(self) -> str:
        return f"{reverse(self.lista)}?{self.filtro}"


COLAS = (
    Cola(
        "pagos", "Pagos en revisión", "Depósitos y pagos que no se aplicaron solos: aplícalos o márcalos para devolución.",
        "fopi.change_pagobancario", lambda: PagoBancario.objects.filter(estado=PagoBancario.Estado.EN_REVISION),
        "admin:fopi_pagobancario_changelist", "estado__exact=EN_REVISION",
    ),
    Cola(
        "aclaraciones", "Aclaraciones por resolver", "Recibidas y en revisión, la más antigua primero.",
        "recuperacion.resolver_aclaracion", lambda: Aclaracion.objects.filter(estado__in=Aclaracion.ABIERTAS),
        "admin:recuperacion_aclaracion_changelist", "estado=abiertas",
    ),
    Cola(
        "devoluciones", "Devoluciones por pagar", "Saldo a favor que el derechohabiente pidió: exporta y registra la "
        "clave de rastreo.",
        "recuperacion.change_solicituddevolucion",
        lambda: SolicitudDevolucion.objects.filter(estado=SolicitudDevolucion.Estado.PENDIENTE),
        "admin:recuperacion_solicituddevolucion_changelist", "estado__exact=PENDIENTE",
    ),
    Cola(
        "cargas", "Cargas con error", f"Archivos rechazados o que fallaron en los últimos {DIAS_RECIENTES} días: no se "
        "cargó nada de ellos.",
        "prestamos.add_carga",
        lambda: Carga.objects.filter(
            estado__in=(Carga.Estado.RECHAZADA, Carga.Estado.FALLIDA), creada__gte=_hace_una_semana()
        ),
        "admin:prestamos_carga_changelist", f"error=si&recientes={DIAS_RECIENTES}",
    ),
    Cola(
        "alertas", "Alertas SPEI", f"Transferencias devueltas a su banco en los últimos {DIAS_RECIENTES} días: "
        "dales seguimiento con el banco.",
        "fopi.change_pagobancario", lambda: AlertaSpei.objects.filter(recibida__gte=_hace_una_semana()),
        "admin:fopi_alertaspei_changelist", f"recientes={DIAS_RECIENTES}",
    ),
    Cola(
        "registros", "Registros cerrados", "CURP cuyo registro se cerró por intentos fallidos de RFC: reábrelo cuando "
        "la persona acredite su identidad.",
        "accounts.add_reaperturaregistro",
        lambda: IntentosRegistro.objects.filter(cerrado_desde__isnull=False),
        "admin:accounts_intentosregistro_changelist", "cerrado_desde=si",
    ),
)


@dataclass(frozen=True)
class Contador:
    cola: Cola
    cantidad: int


def contadores(usuario) -> list[Contador]:
    """The counters this officer can act on, one COUNT each."""
    return [Contador(cola, cola.filas().count()) for cola in COLAS if usuario.has_perm(cola.permiso)]


# --- search ------------------------------------------------------------------------------------------------

_CURP = re.compile(r"[A-Z][AEIOUX][A-Z]{2}[0-9]{6}[HM][A-Z]{5}[0-9A-Z][0-9]")
_FOLIO = re.compile(r"[0-9]{11}")
_CLABE = re.compile(r"[0-9]{18}")
_REFERENCIA = re.compile(r"[0-9]{22}")
_ACLARACION = re.compile(r"ACL-[0-9]{10,12}")
_RASTREO = re.compile(r"[A-Z0-9]{6,30}")


@dataclass(frozen=True)
class Coincidencia:
    """One match: what it is, who it belongs to (None: a payment nobody's yet) and where to go from it."""

    que: str  # "Derechohabiente", "Préstamo", "Pago SPEI"…
    descripcion: str
    derechohabiente: Derechohabiente | None
    enlace: str = ""  # the record's own page (e.g. "Resolver" for a payment in review)
    enlace_texto: str = ""

    @property
    def url_consola(self) -> str:
        return url_consola(self.derechohabiente.pk if self.derechohabiente else None)


def _personas() -> QuerySet:
    return Derechohabiente.objects.select_related("dependencia")


def _de_prestamo(prestamo: Prestamo) -> Coincidencia:
    return Coincidencia(
        "Préstamo", f"Folio {prestamo.folio} · {prestamo.get_tipo_display()} · {formato_moneda(prestamo.importe)} · "
        f"{prestamo.get_estado_display()}", prestamo.derechohabiente,
    )


def _de_pago(pago: PagoBancario) -> Coincidencia:
    prestamo = pago.prestamo or (pago.fopi.prestamo if pago.fopi else None)
    if pago.canal == PagoBancario.Canal.SPEI:
        que = "Pago SPEI"
        descripcion = f"De {pago.nombre_ordenante or 'ordenante sin nombre'} ({pago.banco}), clave de rastreo {pago.clave_rastreo}"
    else:
        que = "Pago en banco"
        descripcion = f"{pago.banco}, autorización {pago.autorizacion}"
    descripcion += f" · {formato_moneda(pago.importe)} el {formato_fecha(pago.fecha_pago)} · {pago.get_estado_display()}"
    if pago.estado == PagoBancario.Estado.EN_REVISION:
        return Coincidencia(
            que, f"{descripcion}: {pago.motivo}", prestamo.derechohabiente if prestamo else None,
            reverse("admin:fopi_pagobancario_resolver", args=[pago.pk]), "Resolver",
        )
    return Coincidencia(que, descripcion, prestamo.derechohabiente if prestamo else None,
                        reverse("admin:fopi_pagobancario_change", args=[pago.pk]), "Ver pago")


def _pagos() -> QuerySet:
    return PagoBancario.objects.select_related(
        "prestamo__derechohabiente__dependencia", "fopi__prestamo__derechohabiente__dependencia"
    ).order_by("-fecha_pago", "-id")


def buscar(texto: str) -> list[Coincidencia]:
    """Whatever a caller has at hand: a CURP, a loan folio, a FOPI reference or CLABE, an aclaración folio, a
    clave de rastreo, the borrower's name or the name on a transfer. Keys are matched exactly (their indexes);
    a name by every word it has, in the padrón and among the payers."""
    texto = " ".join(texto.split())[:100]
    clave = texto.upper().replace(" ", "")
    if _CURP.fullmatch(clave):
        return [Coincidencia("Derechohabiente", _ficha(d), d) for d in _personas().filter(curp=clave)]
    if _FOLIO.fullmatch(clave):
        return [_de_prestamo(p) for p in Prestamo.objects.filter(folio=clave).select_related("derechohabiente__dependencia")]
    if _REFERENCIA.fullmatch(clave):
        return [_de_fopi(f) for f in Fopi.objects.filter(referencia=clave).select_related("prestamo__derechohabiente__dependencia")]
    if _CLABE.fullmatch(clave):
        fopis = [_de_fopi(f) for f in Fopi.objects.filter(clabe=clave).select_related("prestamo__derechohabiente__dependencia")]
        return fopis + [_de_pago(p) for p in _pagos().filter(cuenta_beneficiario=clave)[:RESULTADOS_MAXIMOS]]
    if _ACLARACION.fullmatch(clave):
        return [
            Coincidencia("Aclaración", f"{a.folio} · {a.get_estado_display()} · préstamo {a.prestamo.folio}",
                         a.prestamo.derechohabiente, reverse("admin:recuperacion_aclaracion_change", args=[a.pk]),
                         "Ver aclaración")
            for a in Aclaracion.objects.filter(folio=clave).select_related("prestamo__derechohabiente__dependencia")
        ]
    resultados = []
    if _RASTREO.fullmatch(clave):
        resultados += [_de_pago(p) for p in _pagos().filter(clave_rastreo__in={texto, clave})[:RESULTADOS_MAXIMOS]]
    palabras = [p for p in texto.split() if len(p) >= 2]
    if palabras and len(texto) >= 3:
        nombre, ordenante = Q(), Q()
        for palabra in palabras:
            nombre &= (
                Q(nombre__icontains=palabra) | Q(primer_apellido__icontains=palabra)
                | Q(segundo_apellido__icontains=palabra)
            )
            ordenante &= Q(nombre_ordenante__icontains=palabra)
        personas = _personas().filter(nombre).order_by("primer_apellido", "segundo_apellido", "nombre")
        resultados += [Coincidencia("Derechohabiente", _ficha(d), d) for d in personas[:RESULTADOS_MAXIMOS]]
        resultados += [_de_pago(p) for p in _pagos().filter(ordenante)[:RESULTADOS_MAXIMOS]]
    return resultados


def _ficha(d: Derechohabiente) -> str:
    return f"{d.nombre_completo} · CURP {d.curp} · {d.dependencia.clave}"


def _de_fopi(fopi: Fopi) -> Coincidencia:
    return Coincidencia(
        "FOPI", f"{fopi.get_tipo_display()} {fopi.referencia} · {formato_moneda(fopi.importe)} · vigente hasta el "
        f"{formato_fecha(fopi.vigencia)} · préstamo {fopi.prestamo.folio}", fopi.prestamo.derechohabiente,
    )


# --- the page ----------------------------------------------------------------------------------------------


def vista(admin_site):
    """The admin site's index: the desk."""

    def escritorio(request, extra_context=None):
        usuario = request.user
        puede_buscar = usuario.has_perm(PERMISO_BUSCAR)
        texto = request.GET.get("q", "").strip()[:100] if puede_buscar else ""
        base = admin_site.each_context(request)
        contexto = {
            **base,
            "title": "Escritorio del CAPP",
            "contadores": contadores(usuario),
            "puede_buscar": puede_buscar,
            "puede_cargar": usuario.has_perm("prestamos.add_carga"),
            "texto": texto,
            "resultados": buscar(texto) if texto else [],
            "app_list": base["available_apps"],
            **(extra_context or {}),
        }
        request.current_app = admin_site.name
        return TemplateResponse(request, "admin/escritorio.html", contexto)

    return escritorio
