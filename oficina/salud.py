"""The load balancer's probes (README, "Operación").

- `/salud/` (liveness): the process answers. No I/O at all, so a slow database never gets a node restarted.
- `/salud/lista/` (readiness): the node can serve — the primary database answers, the replica (when there is
  one) lags less than REPLICA_RETRASO_MAXIMO seconds, Redis answers (when REDIS_URL is set), the oldest job
  waiting in the uploads queue waited less than CARGAS_COLA_ESPERA_MAXIMA seconds, and media storage takes a
  file. 503 otherwise, naming the checks that failed.

The checks are django-health-check's (`health_check.checks`, `health_check.contrib.redis`) and two of our own
on its `HealthCheck` base. Their answers name checks only: an error's text can hold a host or a version, so it
goes to the log, never to the anonymous caller.

`SaludMiddleware`, first in MIDDLEWARE, answers both paths before anything else runs: a load balancer probes a
node by its address over plain HTTP (no HTTPS redirect, no ALLOWED_HOSTS for its Host header), with no
session, rate limit, second-factor gate or request log — the probes stay cheap and say only about the node.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime

import structlog
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connections
from django.http import HttpResponse, JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.exceptions import ServiceUnavailable

log = structlog.get_logger(__name__)

RUTA_VIVO = "/salud/"
RUTA_LISTA = "/salud/lista/"
# prestamos.cargas.COLA (this layer cannot import it; tests/test_salud.py checks they are the same name).
COLA_CARGAS = "cargas"
SEGUNDOS_ESPERA_CONEXION = 2


@dataclasses.dataclass
class RetrasoReplica(HealthCheck):
    """The replica replays the primary's changes less than `maximo` seconds behind.

    Lag is the time since the last replayed transaction, but only while WAL received is still unreplayed: an
    idle primary sends nothing, and a replica that has replayed everything is not behind however long ago
    that was."""

    alias: str = "replica"
    maximo: float = 30.0
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=5), repr=False)

    def run(self) -> None:
        with connections[self.alias].temporary_connection() as cursor:
            cursor.execute(
                "SELECT CASE WHEN NOT pg_is_in_recovery() "
                "OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
            )
            (retraso,) = cursor.fetchone()
        if float(retraso) > self.maximo:
            raise ServiceUnavailable(f"La réplica va {float(retraso):.0f} s atrás (máximo {self.maximo:.0f} s).")


def _redis():
    from redis import Redis

    return Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=SEGUNDOS_ESPERA_CONEXION, socket_timeout=SEGUNDOS_ESPERA_CONEXION
    )


def _redis_async():
    from redis.asyncio import Redis

    return Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=SEGUNDOS_ESPERA_CONEXION, socket_timeout=SEGUNDOS_ESPERA_CONEXION
    )


def espera_cola(cola: str = COLA_CARGAS) -> float:
    """Seconds the oldest job still waiting in the RQ queue has waited (0 with none). Also a metric."""
    from rq import Queue

    rq_cola = Queue(cola, connection=_redis())
    for job in rq_cola.get_jobs(0, 1):  # FIFO: the head of the queue is the oldest waiting
        if job.enqueued_at is not None:
            return max(0.0, (datetime.datetime.now(datetime.UTC) - job.enqueued_at.replace(tzinfo=datetime.UTC))
                       .total_seconds())
    return 0.0


@dataclasses.dataclass
class EsperaColaCargas(HealthCheck):
    """No upload waits in the queue longer than `maximo` seconds: a worker is up and keeping pace."""

    cola: str = COLA_CARGAS
    maximo: float = 600.0
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=5), repr=False)

    def run(self) -> None:
        espera = espera_cola(self.cola)
        if espera > self.maximo:
            raise ServiceUnavailable(f"Una carga espera en la cola desde hace {espera:.0f} s.")


def comprobaciones() -> dict[str, HealthCheck]:
    """The readiness checks by the name the probe answers with; each optional one only where it is set up."""
    checks: dict[str, HealthCheck] = {"base de datos": Database(alias="default")}
    # The replica is optional (DATABASE_REPLICA_URL adds it to DATABASES): read from the connections' settings,
    # which are settings.DATABASES as Django completed them.
    if "replica" in connections.settings:
        checks["réplica"] = RetrasoReplica(maximo=float(getattr(settings, "REPLICA_RETRASO_MAXIMO", 30)))
    if settings.REDIS_URL:
        from health_check.contrib.redis import Redis

        checks["redis"] = Redis(client_factory=_redis_async)
        checks["cola de cargas"] = EsperaColaCargas(maximo=float(getattr(settings, "CARGAS_COLA_ESPERA_MAXIMA", 600)))
    checks["archivos"] = Storage(alias="default")
    return checks


async def _resultados(checks: dict[str, HealthCheck]) -> dict[str, object]:
    resultados = await asyncio.gather(*(check.get_result() for check in checks.values()))
    return dict(zip(checks, resultados))


def vivo(request):
    respuesta = HttpResponse("ok", content_type="text/plain; charset=utf-8")
    respuesta["Cache-Control"] = "no-store"
    return respuesta


def lista(request):
    resultados = async_to_sync(_resultados)(comprobaciones())
    fallas = [nombre for nombre, resultado in resultados.items() if resultado.error is not None]
    for nombre in fallas:
        # The detail for the operator, in the log only (it may hold a host or a version).
        log.warning("salud_comprobacion_fallida", comprobacion=nombre, detalle=str(resultados[nombre].error))
    respuesta = JsonResponse(
        {"estado": "no lista" if fallas else "lista", "fallas": fallas}, status=503 if fallas else 200,
        json_dumps_params={"ensure_ascii": False},
    )
    respuesta["Cache-Control"] = "no-store"
    return respuesta


class SaludMiddleware:
    """First in MIDDLEWARE: answers the probes before the rest of the stack runs (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == RUTA_VIVO:
            return vivo(request)
        if request.path_info == RUTA_LISTA:
            return lista(request)
        return self.get_response(request)
