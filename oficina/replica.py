"""Which database a read goes to: the borrower's read-only pages to the replica, everything else to the primary.

SPEC §17. The rule is narrow on purpose, so that nothing that decides about money can read a stale row:

- Only a view marked `@lectura_en_replica` (section, statement and its PDF, Mis pagos, FOPIs, documents)
  reads from the replica, and only on GET/HEAD. Login, session and the borrower lookup stay on the primary
  (the mark goes inside `derechohabiente_requerido`).
- Inside a transaction on the primary every read is the primary's: services read and lock what they decide
  about in `transaction.atomic()`, and `en_primaria()` keeps a service's reads there outside one.
- After a write of their own (any POST of a logged-in user: FOPI, refund request, aclaración) a borrower's
  reads stay on the primary for REPLICA_FIJAR_SEGUNDOS (a cookie, so every node knows), so they never
  miss what they just did.
- The replica is read only while it answers and its replay is at most REPLICA_RETRASO_MAXIMO seconds behind,
  asked at most every REPLICA_COMPROBAR_CADA seconds per process; if it fails in the middle of a page, the
  page is read again from the primary (it only reads, so running it twice is harmless).
"""

from __future__ import annotations

import contextvars
import logging
import time
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
COOKIE_PRIMARIA = "ov_primaria"
METODOS_LECTURA = ("GET", "HEAD")

_en_replica = contextvars.ContextVar("lectura_en_replica", default=False)
_usada = contextvars.ContextVar("replica_usada", default=False)

# Seconds behind; 0 when caught up (nothing received is left to replay) or promoted. With no WAL receiver
# the last replay's age is all we know: an idle primary then looks late, which only sends pages to it.
RETRASO_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


class _Salud:
    """This process's last look at the replica: when, and how far behind it was (None: unreachable)."""

    comprobada: float = float("-inf")
    retraso: float | None = None


salud = _Salud()


def configurada() -> bool:
    return REPLICA in settings.DATABASES


def medir_retraso() -> float | None:
    """Ask the replica how far behind it is; None when it does not answer."""
    conexion = connections[REPLICA]
    try:
        with conexion.cursor() as cursor:
            cursor.execute(RETRASO_SQL)
            (segundos,) = cursor.fetchone()
        return float(segundos)
    except DatabaseError as error:
        logger.warning("réplica sin respuesta: %s", error)
        conexion.close()
        return None


def olvidar_salud() -> None:
    """Ask again on the next read (tests, and after a failure in the middle of a page)."""
    salud.comprobada = float("-inf")


def disponible() -> bool:
    ahora = time.monotonic()
    if ahora - salud.comprobada >= settings.REPLICA_COMPROBAR_CADA:
        antes = salud.retraso
        salud.retraso, salud.comprobada = medir_retraso(), ahora
        if (antes is None) != (salud.retraso is None):
            logger.info("réplica %s", "disponible" if salud.retraso is not None else "caída: se lee la primaria")
    return salud.retraso is not None and salud.retraso <= settings.REPLICA_RETRASO_MAXIMO


class EnrutadorReplica:
    """settings.DATABASE_ROUTERS when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        if _en_replica.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block and disponible():
            _usada.set(True)
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica gets the schema by streaming


def lectura_en_replica(vista):
    """Mark a borrower page that only reads (see the module's docstring for when it really reads the replica)."""

    @wraps(vista)
    def envoltura(request, *args, **kwargs):
        if not configurada() or request.method not in METODOS_LECTURA or COOKIE_PRIMARIA in request.COOKIES:
            return vista(request, *args, **kwargs)
        marca, usada = _en_replica.set(True), _usada.set(False)
        try:
            return vista(request, *args, **kwargs)
        except DatabaseError:
            if not _usada.get():
                raise
            logger.warning("la réplica falló a media página; se lee de la primaria", exc_info=True)
            connections[REPLICA].close()
            salud.retraso, salud.comprobada = None, time.monotonic()
        finally:
            _en_replica.reset(marca)
            _usada.reset(usada)
        return vista(request, *args, **kwargs)

    return envoltura


@contextmanager
def en_primaria():
    """Reads in this block go to the primary, even on a page marked `lectura_en_replica` (a service that
    decides what to write from what it reads, outside a transaction)."""
    marca = _en_replica.set(False)
    try:
        yield
    finally:
        _en_replica.reset(marca)


def lee_de_primaria(model) -> bool:
    """Whether a read of `model` here goes to the primary: what may be put in the shared cache (a row read
    from a late replica must not be cached over the primary's)."""
    from django.db import router

    return router.db_for_read(model) == DEFAULT_DB_ALIAS


class FijarPrimariaMiddleware:
    """After a logged-in user's write, their reads stay on the primary for REPLICA_FIJAR_SEGUNDOS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        respuesta = self.get_response(request)
        usuario = getattr(request, "user", None)
        if (
            configurada()
            and request.method not in METODOS_LECTURA
            and respuesta.status_code < 500
            and usuario is not None
            and usuario.is_authenticated
        ):
            respuesta.set_cookie(
                COOKIE_PRIMARIA, "1", max_age=settings.REPLICA_FIJAR_SEGUNDOS, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return respuesta
