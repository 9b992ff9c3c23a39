"""Data files uploaded in the admin run as background jobs, never inside the HTTP request.

With REDIS_URL set they go to an RQ queue on Redis, run by `python manage.py trabajador_cargas` on any
node; without a broker (`make run`) they run in a thread of the web process. Progress lives in the cache,
not in the database: the import holds one transaction until it ends (all or nothing), so rows written
to report progress would stay invisible until then.

A job also writes a heartbeat (`Carga.latido`) from a thread with its own connection. A worker that dies
(killed, out of memory, machine restarted) leaves its job "Procesando" and its transaction rolled back:
nothing of the file is loaded. Once the heartbeat is older than CARGAS_SIN_LATIDO_SEGUNDOS the job is
marked FALLIDA with a message saying so, and `carga_reintentar` runs it again from the same file.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, OperationalError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from oficina import registro
from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos.models import Carga

logger = logging.getLogger(__name__)
COLA = "cargas"
MAX_ERRORES_GUARDADOS = 2000
MENSAJE_SIN_LATIDO = (
    "El proceso que cargaba este archivo dejó de responder (sin señal desde las {hora}); se detuvo o se "
    "reinició. No se cargó nada del archivo: vuelve a ejecutar la carga."
)


def _clave(carga_id: int) -> str:
    return f"carga-progreso:{carga_id}"


def progreso(carga_id: int) -> tuple[int, int]:
    # The progress page refreshes itself while the job runs: it is also where a dead job is noticed.
    cargas_sin_latido_marcar()
    return cache.get(_clave(carga_id), (0, 0))


def cargas_sin_latido_marcar(*, ahora=None) -> int:
    """Mark FALLIDA every job whose worker stopped sending its heartbeat. Returns how many."""
    ahora = ahora or timezone.now()
    limite = ahora - timedelta(seconds=settings.CARGAS_SIN_LATIDO_SEGUNDOS)
    marcadas = 0
    for carga in Carga.objects.filter(estado=Carga.Estado.PROCESANDO, latido__lt=limite).only("pk", "latido"):
        hora = timezone.localtime(carga.latido).strftime("%H:%M del %d/%m/%Y")
        # Conditional: a job that sent its heartbeat meanwhile is alive after all.
        marcadas += Carga.objects.filter(pk=carga.pk, estado=Carga.Estado.PROCESANDO, latido__lt=limite).update(
            estado=Carga.Estado.FALLIDA, errores=MENSAJE_SIN_LATIDO.format(hora=hora), terminada=ahora
        )
    return marcadas


def carga_reintentar(*, carga_id: int) -> bool:
    """Run a FALLIDA job again from its stored file (loading a file twice is harmless). False if not FALLIDA."""
    en_cola = Carga.objects.filter(pk=carga_id, estado=Carga.Estado.FALLIDA).update(
        estado=Carga.Estado.EN_COLA, errores="", resumen="", iniciada=None, terminada=None, latido=None
    )
    if not en_cola:
        return False
    cache.delete(_clave(carga_id))
    if modo() == "sincrono":
        carga_ejecutar(carga_id)
    else:
        transaction.on_commit(lambda: despachar(carga_id))
    return True


class _Latido(threading.Thread):
    """Writes the job's heartbeat from its own connection (the import's transaction would hide it)."""

    def __init__(self, carga_id: int):
        super().__init__(daemon=True, name=f"latido-carga-{carga_id}")
        self.carga_id = carga_id
        self.alto = threading.Event()

    def run(self) -> None:
        try:
            while not self.alto.wait(settings.CARGAS_LATIDO_SEGUNDOS):
                try:
                    Carga.objects.filter(pk=self.carga_id, estado=Carga.Estado.PROCESANDO).update(
                        latido=timezone.now()
                    )
                except DatabaseError:
                    # SQLite (development) locks the file while the import writes: skip this beat.
                    logger.warning("Sin latido para la carga %s", self.carga_id, exc_info=True)
        finally:
            connection.close()


def modo() -> str:
    """"rq" with a Redis broker, "hilo" in development, "sincrono" where tests ask for it."""
    return getattr(settings, "CARGAS_MODO", "") or ("rq" if settings.REDIS_URL else "hilo")


def carga_crear(*, archivo, usuario) -> Carga:
    cargas_sin_latido_marcar()
    carga = Carga.objects.create(archivo=archivo, nombre=archivo.name[:255], creada_por=usuario)
    if modo() == "sincrono":
        carga_ejecutar(carga.pk)
    else:
        # The job must find the Carga row: hand it over once it is committed.
        transaction.on_commit(lambda: despachar(carga.pk))
    return carga


def despachar(carga_id: int) -> None:
    actual = modo()
    if actual == "rq":
        from redis import Redis
        from rq import Queue

        # The request's id travels with the job: the worker logs under it (oficina.registro).
        Queue(COLA, connection=Redis.from_url(settings.REDIS_URL)).enqueue(
            "prestamos.cargas.carga_en_trabajador", carga_id, contexto=registro.contexto_para_trabajo(),
            job_timeout=4 * 3600, result_ttl=86400,
        )
    elif actual == "hilo":
        threading.Thread(target=carga_en_trabajador, args=(carga_id,), kwargs={"contexto": registro.contexto_para_trabajo()},
                         daemon=True, name=f"carga-{carga_id}").start()
    else:
        carga_ejecutar(carga_id)


def carga_en_trabajador(carga_id: int, contexto: dict | None = None) -> None:
    """Entry point of a job outside a request (RQ worker or thread): its own, fresh DB connection, and the
    log context (request id, user id) of the request that queued it."""
    close_old_connections()
    try:
        with registro.en_contexto(contexto):
            logger.info("carga_iniciada", extra={"carga_id": carga_id})
            carga_ejecutar(carga_id)
            logger.info("carga_terminada", extra={"carga_id": carga_id})
    finally:
        connection.close()


def carga_ejecutar(carga_id: int) -> None:
    """Run one upload through the all-or-nothing importer and record the outcome."""
    ahora = timezone.now()
    actualizados = _con_reintentos(lambda: Carga.objects.filter(pk=carga_id, estado=Carga.Estado.EN_COLA).update(
        estado=Carga.Estado.PROCESANDO, iniciada=ahora, latido=ahora, intentos=F("intentos") + 1
    ))
    if not actualizados:
        return  # already taken by another worker
    carga = Carga.objects.select_related("creada_por").get(pk=carga_id)
    ultimo = [0.0]

    def avance(hechas: int, total: int) -> None:
        ahora = time.monotonic()
        if hechas >= total or ahora - ultimo[0] > 0.5:
            ultimo[0] = ahora
            cache.set(_clave(carga_id), (hechas, total), 86400)

    estado, resumen, errores = Carga.Estado.TERMINADA, "", ""
    latido = _Latido(carga_id)
    latido.start()
    try:
        with carga.archivo.open("rb") as contenido:
            resumen = importar_archivo(
                contenido, usuario=carga.creada_por, nombre_archivo=carga.nombre, progreso=avance
            ).texto()
    except ArchivoRechazado as rechazo:
        estado, errores = Carga.Estado.RECHAZADA, "\n".join(rechazo.mensaje().splitlines()[:MAX_ERRORES_GUARDADOS])
    except Exception:  # the job must end with a state staff can see, whatever happened
        logger.exception("La carga %s falló", carga_id)
        estado, errores = Carga.Estado.FALLIDA, "Error interno al procesar el archivo; no se cargó nada."
    finally:
        latido.alto.set()
        latido.join(timeout=5)
    # Unconditional: a job wrongly taken for dead (its heartbeat blocked) still reports how it really ended.
    _con_reintentos(lambda: Carga.objects.filter(pk=carga_id).update(
        estado=estado, resumen=resumen, errores=errores, terminada=timezone.now()
    ))


def _con_reintentos(escribir, intentos: int = 40):
    """SQLite (development, tests) answers "table is locked" at once, without waiting, when another thread
    reads the same table: a job's own state writes try again for a couple of seconds."""
    for intento in range(intentos):
        try:
            return escribir()
        except OperationalError:
            if connection.vendor != "sqlite" or intento == intentos - 1:
                raise
            time.sleep(0.05)
