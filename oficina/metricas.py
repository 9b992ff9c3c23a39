"""Prometheus metrics (README, "Operación"), with prometheus-client.

Every metric the portal exports is declared here, so the operator reads one file: the web's (latency and
queries by view), the database's, and the business ones the apps move (remesas, SPEI notices, FOPIs, logins…).
The gauges of what waits for someone (payments in review, refunds, aclaraciones) are not kept in a process:
they are counted at scrape time by the functions the apps register with `al_leer`, so they are right
whichever process answers the scrape.

Several processes on a node add up through prometheus-client's multiprocess mode: with
PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it; the RQ worker must get the same directory) every
process writes its counters and histograms to files there and the scrape sums them.

The path `/metricas/` answers only a bearer token (METRICAS_TOKEN) or a client in METRICAS_REDES; anyone else
gets a 404, as if there were nothing there. `MetricasMiddleware` answers it before the HTTPS redirect and
ALLOWED_HOSTS, so Prometheus can scrape a node by its address.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import threading
import time
from collections.abc import Callable, Iterable

import structlog
from django.conf import settings
from django.db.backends.signals import connection_created
from django.http import Http404, HttpResponse
from django.utils.crypto import constant_time_compare
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from oficina.cliente import ip_del_cliente

log = structlog.get_logger(__name__)

RUTA = "/metricas/"

# --- the web and the database ---------------------------------------------------------------------------

PETICION_SEGUNDOS = Histogram(
    "oficina_http_peticion_segundos", "Tiempo de respuesta de cada petición, por vista.", ["vista"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESPUESTAS = Counter("oficina_http_respuestas", "Respuestas por vista y clase de código (2xx, 3xx, 4xx, 5xx).",
                     ["vista", "codigo"])
CONSULTAS_POR_PETICION = Histogram(
    "oficina_http_consultas_por_peticion", "Consultas a la base de datos de cada petición, por vista.", ["vista"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 250),
)
DB_CONSULTAS = Counter("oficina_db_consultas", "Consultas a la base de datos, por conexión (default, replica).",
                       ["alias"])

# --- business ----------------------------------------------------------------------------------------------

REMESAS = Counter("oficina_remesas_aplicadas", "Remesas aplicadas (con al menos un descuento nuevo).")
REMESA_FILAS = Counter("oficina_remesa_filas_aplicadas", "Descuentos aplicados por las remesas, por vía "
                       "(rapida: en bloque en PostgreSQL; motor: uno por uno).", ["via"])
REMESA_ETAPA_SEGUNDOS = Histogram(
    "oficina_remesa_etapa_segundos", "Segundos de cada etapa de una remesa (oficina.cronometro).", ["etapa"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200),
)
OMISIONES = Counter("oficina_omisiones_detectadas", "Descuentos omitidos detectados (préstamo y quincena).")
SPEI_AVISOS = Counter("oficina_spei_avisos", "Notificaciones SPEI por resultado (confirmar, devolver, revision, "
                      "repetido, rechazado).", ["resultado"])
SPEI_SEGUNDOS = Histogram(
    "oficina_spei_aviso_segundos", "Tiempo en contestar una notificación SPEI, por resultado.", ["resultado"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PAGOS_RESUELTOS = Counter("oficina_pagos_revision_resueltos", "Pagos en revisión resueltos por el CAPP, por acción "
                          "(aplicar, devolver).", ["accion"])
FOPIS = Counter("oficina_fopis_emitidos", "FOPI emitidos, por tipo.", ["tipo"])
ENTRADAS_FALLIDAS = Counter("oficina_entradas_fallidas", "Inicios de sesión con contraseña equivocada.")
REGISTROS_CERRADOS = Counter("oficina_registros_cerrados_por_curp", "Registros cerrados al llegar una CURP a su "
                             "límite de RFC equivocados.")


def remesa_medir(*, rapidas: int, motor: int, etapas: dict[str, float]) -> None:
    REMESAS.inc()
    REMESA_FILAS.labels("rapida").inc(rapidas)
    REMESA_FILAS.labels("motor").inc(motor)
    for etapa, segundos in etapas.items():
        REMESA_ETAPA_SEGUNDOS.labels(etapa).observe(segundos)


# --- gauges counted at scrape time -----------------------------------------------------------------------

_AL_LEER: list[Callable[[], Iterable[Metric]]] = []


def al_leer(funcion: Callable[[], Iterable[Metric]]) -> Callable[[], Iterable[Metric]]:
    """Register a function that yields gauges (a few queries) each time the metrics are read."""
    if funcion not in _AL_LEER:
        _AL_LEER.append(funcion)
    return funcion


def medida(nombre: str, ayuda: str, valor: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(nombre, ayuda, value=valor)


def segundos_desde(momento) -> float:
    """Age in seconds of the oldest item (a datetime, or None when nothing waits: 0)."""
    if momento is None:
        return 0.0
    from django.utils import timezone

    return max(0.0, (timezone.now() - momento).total_seconds())


class _AlLeer(Collector):
    def collect(self):
        for funcion in _AL_LEER:
            try:
                yield from funcion()
            except Exception:  # one source down must not cost the operator every other metric
                log.exception("metricas_fuente_fallida", fuente=funcion.__qualname__)

    def describe(self):
        return []  # nothing is queried when the collector is registered


_NEGOCIO = CollectorRegistry(auto_describe=False)
_NEGOCIO.register(_AlLeer())


def exponer() -> bytes:
    """The exposition text: this process's metrics, or every process's in multiprocess mode, plus the gauges."""
    directorio = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directorio:
        registro = CollectorRegistry()
        multiprocess.MultiProcessCollector(registro, path=directorio)
    else:
        registro = REGISTRY
    return generate_latest(registro) + generate_latest(_NEGOCIO)


# --- who may read them -------------------------------------------------------------------------------------


@functools.cache
def _redes(texto: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(red, strict=False) for red in texto)


def permitido(request) -> bool:
    token = getattr(settings, "METRICAS_TOKEN", "")
    enviado = request.headers.get("Authorization", "")
    if token and enviado.startswith("Bearer ") and constant_time_compare(enviado[len("Bearer "):], token):
        return True
    redes = _redes(tuple(getattr(settings, "METRICAS_REDES", ())))
    if not redes:
        return False
    try:
        ip = ipaddress.ip_address(ip_del_cliente(request))
    except ValueError:
        return False
    return any(ip in red for red in redes)


def metricas(request):
    if not permitido(request):
        raise Http404
    return HttpResponse(exponer(), content_type=CONTENT_TYPE_LATEST)


# --- per request -------------------------------------------------------------------------------------------

_peticion = threading.local()
_por_alias: dict[str, object] = {}


def _contar_consulta(execute, sql, params, many, context):
    alias = context["connection"].alias
    contador = _por_alias.get(alias)
    if contador is None:
        contador = _por_alias[alias] = DB_CONSULTAS.labels(alias)
    contador.inc()
    _peticion.consultas = getattr(_peticion, "consultas", 0) + 1
    return execute(sql, params, many, context)


def _al_conectar(sender, connection, **kwargs) -> None:
    if _contar_consulta not in connection.execute_wrappers:
        connection.execute_wrappers.append(_contar_consulta)


def instalar() -> None:
    """Count every query of every connection this process opens (web, commands, the RQ worker)."""
    connection_created.connect(_al_conectar, dispatch_uid="oficina.metricas.consultas")


def _vista(request) -> str:
    # Only resolved view names: a label per arbitrary URL would grow without bound.
    coincidencia = getattr(request, "resolver_match", None)
    return coincidencia.view_name if coincidencia is not None else "sin_ruta"


class MetricasMiddleware:
    """Times every request by view and counts its queries; answers the metrics path itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == RUTA:
            try:
                return metricas(request)
            except Http404:
                return HttpResponse("No encontrado.", status=404, content_type="text/plain; charset=utf-8")
        inicio = time.perf_counter()
        _peticion.consultas = 0
        respuesta = self.get_response(request)
        vista = _vista(request)
        PETICION_SEGUNDOS.labels(vista).observe(time.perf_counter() - inicio)
        RESPUESTAS.labels(vista, f"{respuesta.status_code // 100}xx").inc()
        CONSULTAS_POR_PETICION.labels(vista).observe(_peticion.consultas)
        return respuesta
