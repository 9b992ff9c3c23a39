"""The DATABASES entries built from URLs, for a direct connection or through PgBouncer (SPEC §17).

PgBouncer in transaction pooling hands each transaction (each statement, in autocommit) whichever server
connection is free, so nothing may outlive a transaction on the server:

- psycopg 3 prepares a statement on the server after it ran a few times (`prepare_threshold`): the next
  transaction may land on a connection that never saw it ("prepared statement … does not exist"). Off:
  PgBouncer 1.18 (Debian 12) cannot track them; from 1.21 `max_prepared_statements` could.
- Django's `.iterator()` opens a server-side cursor, declared WITH HOLD outside a transaction: it would
  stay on one server connection while the next fetch goes to another. Off: the rows come in one result.
- Session state (`SET`, session advisory locks, temporary tables that outlive a transaction, LISTEN)
  would leak to other clients: the code uses `pg_advisory_xact_lock` and `ON COMMIT DROP` tables inside
  `transaction.atomic`. Django's own `SET TIME ZONE` at connect is a parameter PgBouncer tracks per client.
"""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

POOLERS = ("", "pgbouncer")


def base_de_datos(url: str, *, pooler: str = "", conn_max_age: int = 60) -> dict:
    """The settings of one database alias from its URL; `pooler="pgbouncer"` when the URL is PgBouncer's."""
    if pooler not in POOLERS:
        raise ImproperlyConfigured(f"DATABASE_POOLER debe ser vacío o «pgbouncer», no «{pooler}».")
    ajustes = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if pooler == "pgbouncer" and "postgresql" in ajustes["ENGINE"]:
        ajustes["DISABLE_SERVER_SIDE_CURSORS"] = True
        ajustes.setdefault("OPTIONS", {})["prepare_threshold"] = None
    return ajustes


def replica_de(url: str, *, pooler: str = "", conn_max_age: int = 60) -> dict:
    """The replica alias: a short connect timeout (a replica that is down costs a page 2 s once, then the
    health check in oficina/replica.py keeps pages off it), and in tests the primary's test database,
    which reaches the replica by streaming like everything else."""
    ajustes = base_de_datos(url, pooler=pooler, conn_max_age=conn_max_age)
    ajustes.setdefault("OPTIONS", {})["connect_timeout"] = 2
    ajustes["TEST"] = {"MIRROR": "default"}
    return ajustes
