"""A remesa inside PostgreSQL: the ordinary deductions applied by a few set-based statements
(docs/reglas.md, "Remesas: la deducción ordinaria").

Nearly every row of a remesa is an *ordinary deduction*: the loan is up to date and the amount is exactly
the cuota of the installment of the remesa's period, which becomes paid as scheduled. Its allocation
needs no engine: interest and capital are the installment's own, no moratorio accrues (it is paid on its
due date), nothing goes to capital or refund. `clasificar` finds those rows with one join against the
loans' position snapshots; `aplicar` writes their ledger rows, deductions and snapshot updates in three
statements. Every other row (partial or excess amounts, arrears, settled loans, a snapshot behind the
ledger, a late remesa) goes through the payment engine as before (recuperacion/remesas.py). Both write
the same rows: tests/recuperacion/test_remesa_en_bloque.py loads random remesas both ways and compares
every ledger row, snapshot, estado and missing-deduction notice.

The rows to apply are staged in the temporary table `remesa_filas` (loan id, importe, whether already
loaded): by the descuentos importer's COPY of the file (recuperacion/importacion.py), or by
`preparar` from a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from prestamos import instantanea, libro
from prestamos.calculo import Periodo
from prestamos.models import Movimiento, Prestamo, Remesa
from recuperacion.models import Descuento

FILAS = "remesa_filas"
LLANAS = "remesa_llanas"
RECIENTES = "remesa_recientes"
# Memory for the sorts and hashes of the set-based statements (a remesa's rows with their snapshots): with
# PostgreSQL's default 4 MB they spill to temporary files. Only for those statements, not the transaction.
MEMORIA = "256MB"


def disponible() -> bool:
    return connection.vendor == "postgresql"


def crear_tabla(cursor) -> None:
    """The scratch table of the rows to apply, dropped at the end of the transaction."""
    cursor.execute(f"DROP TABLE IF EXISTS {FILAS}")  # a second remesa in the same transaction (tests)
    cursor.execute(
        f"CREATE TEMP TABLE {FILAS} (prestamo_id bigint PRIMARY KEY, importe numeric(12, 2) NOT NULL, "
        "cargado boolean NOT NULL DEFAULT false) ON COMMIT DROP"
    )


@contextmanager
def memoria(cursor) -> Iterator[None]:
    """`work_mem` raised to MEMORIA for the statements inside, then back to what it was. (On an error the
    transaction, or the savepoint, is rolled back, and the local setting with it.)"""
    cursor.execute("SELECT current_setting('work_mem')")
    (antes,) = cursor.fetchone()
    cursor.execute("SELECT set_config('work_mem', %s, true)", [MEMORIA])
    yield
    cursor.execute("SELECT set_config('work_mem', %s, true)", [antes])


def preparar(descuentos: list[tuple[int, Decimal]]) -> None:
    """Stage `(prestamo_id, importe)` rows given as a list (callers other than the importer)."""
    with connection.cursor() as cursor:
        crear_tabla(cursor)
        with cursor.copy(f"COPY {FILAS} (prestamo_id, importe) FROM STDIN") as copia:
            for fila in descuentos:
                copia.write_row(fila)


def marcar_cargados(cursor, *, dependencia_id: int, quincena: Periodo) -> int:
    """Mark the staged rows whose deduction this dependencia's remesas already loaded; how many."""
    cursor.execute(f"ANALYZE {FILAS}")
    cursor.execute(
        f"""
        UPDATE {FILAS} f SET cargado = true
        FROM {Descuento._meta.db_table} d
        WHERE d.prestamo_id = f.prestamo_id AND d.quincena = %(quincena)s AND NOT d.revertido
          AND d.remesa_id IN (SELECT id FROM {Remesa._meta.db_table}
                              WHERE dependencia_id = %(dependencia)s AND quincena = %(quincena)s)
        """,
        {"quincena": str(quincena), "dependencia": dependencia_id},
    )
    return cursor.rowcount


def totales(cursor) -> tuple[int, Decimal]:
    cursor.execute(f"SELECT count(*), coalesce(sum(importe), 0) FROM {FILAS} WHERE NOT cargado")
    filas, total = cursor.fetchone()
    return filas, Decimal(total).quantize(Decimal("0.01"))


def bloquear(cursor) -> None:
    """Lock the loans of the rows to apply, in id order, as the engine's lotes do (a bank payment on one
    of them waits): the snapshots classified next cannot change before they are written."""
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {Prestamo._meta.db_table} WHERE id IN "
        f"(SELECT prestamo_id FROM {FILAS} WHERE NOT cargado) ORDER BY id FOR UPDATE) AS bloqueados"
    )


def clasificar(cursor, *, dependencia_id: int, quincena: Periodo, hoy: date, rapida: bool = True) -> int:
    """Put the ordinary deductions among the staged rows into `remesa_llanas`, each with the id its
    ledger row will have; how many there are.

    An ordinary deduction (docs/reglas.md, "Remesas: la deducción ordinaria"), checked on the snapshot:
    the snapshot is current (no movement after it; when the dependencia has a remesa of the previous
    period, a snapshot older than that remesa is not even looked at), the loan is not settled, no payment was valued after
    this period's due date, the installment of this period is untouched and not the last one, every
    installment before it is paid in full, and the importe is that installment's interés + capital.
    Only when the next period is not yet due: after that the deduction also decides an estado and missing
    deductions of later periods, which is the engine's work. `rapida=False` classifies none (every row
    to the engine: what the equivalence test compares with).
    """
    cursor.execute(f"DROP TABLE IF EXISTS {LLANAS}")
    cursor.execute(f"CREATE TEMP TABLE {LLANAS} (prestamo_id bigint, importe numeric(12, 2), movimiento_id bigint, "
                   "k integer, interes text, capital text) ON COMMIT DROP")
    if not rapida or hoy >= (quincena + 1).vencimiento:
        return 0
    # The installment of `quincena` is number k + 1 of a schedule that starts at the loan's first period.
    k = (
        f"(({quincena.anio} - substr(p.primera_quincena, 1, 4)::int) * {quincena.POR_ANIO} "
        f"+ {quincena.numero} - substr(p.primera_quincena, 7, 2)::int)"
    )
    # "The snapshot is current": no movement after `posicion_hasta`. Asked of the recent movements only,
    # in one range scan: those after the first movement of the dependencia's previous remesa. A loan up to
    # date was paid by that remesa or later, so a snapshot older than that goes to the engine anyway.
    # (Whatever the range, a loan is classified only when its last movement is its snapshot's: a snapshot
    # behind the ledger either has a later movement in the range or no row there.)
    cursor.execute(
        f"""
        SELECT min(d.movimiento_id) FROM {Descuento._meta.db_table} d
        WHERE NOT d.revertido AND d.remesa_id IN (
            SELECT id FROM {Remesa._meta.db_table} WHERE dependencia_id = %s AND quincena = %s AND NOT revertida)
        """,
        [dependencia_id, str(quincena - 1)],
    )
    (desde,) = cursor.fetchone()
    cursor.execute(f"DROP TABLE IF EXISTS {RECIENTES}")
    if desde is None:
        # No remesa of the previous period (the dependencia's first after its loans were loaded): each staged
        # loan's last movement, 0 for none, probed in the ledger's (prestamo_id, id) index. prestamos.csv
        # wrote each loan's opening snapshot pointing at its opening entry, or at 0 when nothing was paid.
        cursor.execute(
            f"CREATE TEMP TABLE {RECIENTES} ON COMMIT DROP AS SELECT f.prestamo_id, "
            f"coalesce((SELECT max(m.id) FROM {Movimiento._meta.db_table} m WHERE m.prestamo_id = f.prestamo_id), 0) "
            f"AS ultimo FROM {FILAS} f WHERE NOT f.cargado"
        )
    else:
        # Of the staged loans only: a small file (a complementary remesa) does not read the whole range.
        cursor.execute(
            f"CREATE TEMP TABLE {RECIENTES} ON COMMIT DROP AS SELECT prestamo_id, max(id) AS ultimo "
            f"FROM {Movimiento._meta.db_table} WHERE id >= %s "
            f"AND prestamo_id IN (SELECT prestamo_id FROM {FILAS} WHERE NOT cargado) GROUP BY prestamo_id",
            [desde],
        )
    cursor.execute(f"ANALYZE {RECIENTES}")
    with memoria(cursor):
        return _clasificar(cursor, k=k, dependencia_id=dependencia_id, quincena=quincena)


def _clasificar(cursor, *, k: str, dependencia_id: int, quincena: Periodo) -> int:
    # Three levels, each kept apart by OFFSET 0 (never flattened): the joins first, so the planner sizes
    # them by the rows and not by guesses about JSON predicates (the kind of period is checked with the
    # values read, not in the join: as a join filter on a function it made the planner expect a few hundred
    # loans and hash the whole dependencia's rows, snapshots included); then each snapshot is decompressed
    # once (the LATERAL: a compressed or out-of-line value is otherwise decompressed at every reference)
    # and the installment of this period read from it; then the conditions on those values.
    # The snapshot's count `n` (instantanea.plegar) holds installments k - n … k - 1 paid as scheduled, when every
    # installment before k - n is paid in the JSON and k - n is untouched there (so the count starts there); k
    # itself untouched in the JSON. Its last value date is then k - 1's due date, before this one.
    forma = {"pos": "s.pos", "k": "par.k"}
    vigente, intacta, monto = (
        instantanea.SQL_VIGENTE.format(**forma), instantanea.SQL_CUOTA_INTACTA.format(**forma),
        instantanea.SQL_CUOTA_MONTO.format(**forma),
    )
    intacta_inicio = instantanea.SQL_CUOTA_INTACTA.format(pos="s.pos", k="(par.k - par.n)")
    cursor.execute(
        f"""
        INSERT INTO {LLANAS}
        SELECT prestamo_id, importe, nextval(pg_get_serial_sequence('{Movimiento._meta.db_table}', 'id')),
               k, cuota->>0, cuota->>1
        FROM (
            SELECT prestamo_id, importe, k, cuota
            FROM (
                SELECT par.prestamo_id, par.importe, par.k, {instantanea.SQL_CUOTA.format(**forma)} AS cuota,
                       substr(par.primera_quincena, 6, 1) = %(letra)s
                       AND {vigente}
                       AND s.pos->>'liquidacion' IS NULL
                       AND (par.n > 0 OR coalesce(s.pos->>'ultima_fecha_valor', '') <= %(fecha_valor)s)
                       AND par.k - par.n >= 0 AND par.k < jsonb_array_length(s.pos->'cuotas') - 1
                       AND {intacta}
                       AND par.importe = {monto}
                       AND (par.n = 0 OR {intacta_inicio})
                       AND {instantanea.sql_pagadas_hasta("s.pos", "par.k - 1", "par.n")}
                       AS ordinaria
                FROM (
                    SELECT f.prestamo_id, f.importe, {k} AS k, p.posicion_al_corriente AS n, p.posicion,
                           p.primera_quincena
                    FROM {FILAS} f
                    JOIN {Prestamo._meta.db_table} p ON p.id = f.prestamo_id
                    JOIN {RECIENTES} r ON r.prestamo_id = f.prestamo_id AND r.ultimo = p.posicion_hasta
                    WHERE NOT f.cargado AND p.dependencia_id = %(dependencia)s
                    OFFSET 0
                ) AS par
                CROSS JOIN LATERAL (SELECT par.posicion || '{{}}'::jsonb AS pos OFFSET 0) AS s
                OFFSET 0
            ) AS leidas
            WHERE ordinaria
            ORDER BY prestamo_id
        ) AS llanas
        """,
        {
            "dependencia": dependencia_id,
            "letra": quincena.LETRA,
            "fecha_valor": quincena.vencimiento.isoformat(),
        },
    )
    llanas = cursor.rowcount
    cursor.execute(f"ANALYZE {LLANAS}")
    return llanas


def aplicar(cursor, *, remesa_id: int, quincena: Periodo, origen: str, usuario_id: int | None, creado: datetime) -> None:
    """Book the ordinary deductions classified: ledger rows, snapshots and estados by the ledger's writer
    (`libro.asentar_ordinarias`), then the deductions that link each to its row."""
    with memoria(cursor):
        libro.asentar_ordinarias(cursor, LLANAS, periodo=quincena, origen=origen, usuario_id=usuario_id,
                                 creado=creado)
        cursor.execute(
            f"""
            INSERT INTO {Descuento._meta.db_table} (remesa_id, prestamo_id, quincena, importe, movimiento_id,
                revertido)
            SELECT %s, prestamo_id, %s, importe, movimiento_id, false FROM {LLANAS} ORDER BY prestamo_id
            """,
            [remesa_id, str(quincena)],
        )


def por_el_motor(cursor) -> list[tuple[int, Decimal]]:
    """The staged rows that are not ordinary deductions, in loan id order: the engine applies them."""
    cursor.execute(
        f"SELECT f.prestamo_id, f.importe FROM {FILAS} f WHERE NOT f.cargado "
        f"AND NOT EXISTS (SELECT 1 FROM {LLANAS} l WHERE l.prestamo_id = f.prestamo_id) ORDER BY f.prestamo_id"
    )
    return cursor.fetchall()


def sin_descuento(cursor, *, dependencia_id: int, quincena: Periodo, remesa_id: int, estados) -> list[int]:
    """The dependencia's active loans with no deduction of this period: in neither this file nor another
    remesa of the dependencia for it. Anti-joins against the staged rows and the other remesas' rows
    (PostgreSQL's statistics have not yet seen this period: as a NOT EXISTS on all deductions it walked
    the whole deductions index)."""
    cursor.execute(
        f"""
        WITH otras AS MATERIALIZED (
            SELECT d.prestamo_id FROM {Descuento._meta.db_table} d
            WHERE NOT d.revertido AND d.quincena = %(quincena)s AND d.remesa_id IN (
                SELECT id FROM {Remesa._meta.db_table} WHERE dependencia_id = %(dependencia)s AND quincena = %(quincena)s
                AND id <> %(remesa)s)
        )
        SELECT p.id FROM {Prestamo._meta.db_table} p
        WHERE p.dependencia_id = %(dependencia)s AND p.estado = ANY(%(estados)s)
          AND NOT EXISTS (SELECT 1 FROM {FILAS} f WHERE f.prestamo_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM otras o WHERE o.prestamo_id = p.id)
        ORDER BY p.id
        """,
        {"quincena": str(quincena), "dependencia": dependencia_id, "remesa": remesa_id, "estados": list(estados)},
    )
    return [pk for (pk,) in cursor.fetchall()]
