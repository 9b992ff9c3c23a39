import zlib

from django.db import connection


def bloqueo_transaccional(nombre: str) -> None:
    """Serialize a critical section across processes until the current transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite already serializes writing transactions.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(nombre.encode())])
