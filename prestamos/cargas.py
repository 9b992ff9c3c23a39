"""Data files uploaded in the admin run as background jobs, never inside the HTTP request.

With REDIS_URL set they go to an RQ queue on Redis, run by `python manage.py trabajador_cargas` on any
node; without a broker (`make run`) they run in a thread of the web process. Progress lives in the cache,
not in the database: the import holds one transaction until it ends (all or nothing), so rows written
to report progress would stay invisible until then.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos.models import Carga

logger = logging.getLogger(__name__)
COLA = "cargas"
MAX_ERRORES_GUARDADOS = 2000


def _clave(carga_id: int) -> str:
    return f"carga-progreso:{carga_id}"


def progreso(carga_id: int) -> tuple[int, int]:
    return cache.get(_clave(carga_id), (0, 0))


def modo() -> str:
    """"rq" with a Redis broker, "hilo" in development, "sincrono" where tests ask for it."""
    return getattr(settings, "CARGAS_MODO", "") or ("rq" if settings.REDIS_URL else "hilo")


def carga_crear(*, archivo, usuario) -> Carga:
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

        Queue(COLA, connection=Redis.from_url(settings.REDIS_URL)).enqueue(
            "prestamos.cargas.carga_en_trabajador", carga_id, job_timeout=4 * 3600, result_ttl=86400
        )
    elif actual == "hilo":
        threading.Thread(target=carga_en_trabajador, args=(carga_id,), daemon=True, name=f"carga-{carga_id}").start()
    else:
        carga_ejecutar(carga_id)


def carga_en_trabajador(carga_id: int) -> None:
    """Entry point of a job outside a request (RQ worker or thread): its own, fresh DB connection."""
    close_old_connections()
    try:
        carga_ejecutar(carga_id)
    finally:
        connection.close()


def carga_ejecutar(carga_id: int) -> None:
    """Run one upload through the all-or-nothing importer and record the outcome."""
    actualizados = Carga.objects.filter(pk=carga_id, estado=Carga.Estado.EN_COLA).update(
        estado=Carga.Estado.PROCESANDO, iniciada=timezone.now()
    )
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
    Carga.objects.filter(pk=carga_id).update(
        estado=estado, resumen=resumen, errores=errores, terminada=timezone.now()
    )
