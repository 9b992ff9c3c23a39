"""A reversal inside PostgreSQL: the ordinary case undone by a few set-based statements (docs/reglas.md §9,
"Reversión: el caso ordinario"; docs/performance.md, "Reversal of a remesa").

Nearly every movement a remesa's reversal names is an ordinary payment that is still its loan's last: it
paid one installment as scheduled (its interés and capital, no moratorio, nothing to capital or refund, the
loan not settled), nothing was booked after it, and the snapshot was taken right after it. Reversing it
needs no replay of the ledger: the replay without it is that snapshot with the installment untouched again,
capital pagado less its capital, and the last value date of the movements before it. `clasificar` finds those
movements on the locked loans; `libro.revertir_ordinarias` writes their REVERSION rows and snapshots. Every
other movement — something booked after it, two of one loan, an allocation of another shape, a loan with a
reversal or a moratorio devuelto in its history, a settled loan, a stale or old snapshot, an estado a replay
would have to decide — goes through the engine (prestamos/correcciones.py), row by row, as before.
tests/prestamos/test_reversion_en_bloque.py reverses the same remesas both ways and compares everything.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from oficina.cronometro import Cronometro
from prestamos import instantanea, libro
from prestamos.models import Movimiento, Prestamo

OBJETIVO = "reversion_objetivo"
LLANAS = "reversion_llanas"
# The allocation of an ordinary payment has these keys and no other (`Aplicacion.a_json` writes the rest
# only when they are not zero: saldo a favor returned, a pago en exceso, saldo applied, moratorios returned).
CLAVES_ORDINARIAS = ("cuotas", "abono_capital", "interes_devengado", "excedente", "liquida", "periodo")
# Installments that may fall due unpaid after the reversal with the loan still VIGENTE (it needs 4,
# cartera.CUOTAS_PARA_COBRANZA): the reversed one and at most two after it.
POSTERIORES_VENCIDAS = 2


def disponible() -> bool:
    return connection.vendor == "postgresql"


def preparar(cursor, por_prestamo: dict[int, set[int]]) -> None:
    """Stage the movements to reverse, with their loans, in a scratch table for this transaction."""
    cursor.execute(f"DROP TABLE IF EXISTS {OBJETIVO}")  # a second reversal in the same transaction
    cursor.execute(f"CREATE TEMP TABLE {OBJETIVO} (movimiento_id bigint PRIMARY KEY, prestamo_id bigint NOT NULL) "
                   "ON COMMIT DROP")
    with cursor.copy(f"COPY {OBJETIVO} (movimiento_id, prestamo_id) FROM STDIN") as copia:
        for prestamo_id, movimientos in por_prestamo.items():
            for movimiento_id in movimientos:
                copia.write_row((movimiento_id, prestamo_id))
    cursor.execute(f"ANALYZE {OBJETIVO}")


def clasificar(cursor, *, hoy: date) -> int:
    """Put into `reversion_llanas` the staged movements the set-based path reverses, each with the id its
    REVERSION row will have and the snapshot's values before it; how many. The loans are locked already.

    Ordinary, checked on the ledger row and the snapshot: the loan has only this movement to reverse and
    nothing after it, its snapshot is current, of this version and taken right after it, the loan is not
    settled (nor loaded settled); the allocation is one installment paid in full (its interés and capital,
    no moratorio charged or paid) and nothing else, and the snapshot holds that installment "paid as
    scheduled" with the allocation's date — in its JSON, or as the last of its count (instantanea.plegar:
    untouched in the JSON, the count starting right after the JSON's paid installments, on the installment's
    due date, no value date after it); every installment before it is paid in full and at most two after
    it are due today (so the replay's estado is VIGENTE); the loan's history has no reversal nor moratorio
    devuelto (so the replay books every earlier movement and the last value date before this one is their
    latest, money sent back out aside).
    """
    cursor.execute(f"DROP TABLE IF EXISTS {LLANAS}")
    cursor.execute(f"CREATE TEMP TABLE {LLANAS} (prestamo_id bigint, movimiento_id bigint, reversion_id bigint, "
                   "k integer, interes jsonb, capital jsonb, capital_pagado text, ultima text, n integer) "
                   "ON COMMIT DROP")
    tabla_m, tabla_p = Movimiento._meta.db_table, Prestamo._meta.db_table
    forma = {"pos": "s.pos", "k": "s.k"}
    cursor.execute(
        f"""
        INSERT INTO {LLANAS}
        SELECT prestamo_id, movimiento_id, nextval(pg_get_serial_sequence('{tabla_m}', 'id')), k,
               cuota->0, cuota->1, ((pos->>'capital_pagado')::numeric - (cuota->>1)::numeric)::text,
               to_char(ultima, 'YYYY-MM-DD'), n
        FROM (
            SELECT par.prestamo_id, par.movimiento_id, s.k, s.cuota, s.pos, h.ultima, par.n
            FROM (
                SELECT o.prestamo_id, o.movimiento_id, m.fecha_valor, m.aplicacion, p.posicion,
                       p.posicion_al_corriente AS n, {instantanea.sql_indice_vencida(hoy)} AS vencida
                FROM {OBJETIVO} o
                JOIN {tabla_m} m ON m.id = o.movimiento_id
                JOIN {tabla_p} p ON p.id = o.prestamo_id
                WHERE o.movimiento_id = p.posicion_hasta AND p.posicion IS NOT NULL
                  AND p.estado_inicial <> %(liquidado)s
                  AND m.moratorios = 0 AND m.excedente = 0 AND m.importe = m.interes + m.capital
                  AND NOT EXISTS (SELECT 1 FROM {OBJETIVO} otro
                                  WHERE otro.prestamo_id = o.prestamo_id AND otro.movimiento_id <> o.movimiento_id)
                  AND NOT EXISTS (SELECT 1 FROM {tabla_m} d WHERE d.prestamo_id = o.prestamo_id AND d.id > o.movimiento_id)
                OFFSET 0
            ) AS par
            CROSS JOIN LATERAL (
                SELECT pos, parte, k, pos->'cuotas'->k AS cuota
                FROM (SELECT par.posicion || '{{}}'::jsonb AS pos, par.aplicacion->'cuotas'->0 AS parte,
                             (par.aplicacion->'cuotas'->0->>0)::int - 1 AS k OFFSET 0) AS leida
            ) AS s
            CROSS JOIN LATERAL (
                SELECT max(a.fecha_valor) FILTER (WHERE a.tipo <> %(devolucion)s) AS ultima,
                       coalesce(bool_or(a.tipo IN (%(reversion)s, %(devuelta)s)), false) AS corregido
                FROM {tabla_m} a WHERE a.prestamo_id = par.prestamo_id AND a.id < par.movimiento_id
            ) AS h
            WHERE {instantanea.SQL_VIGENTE.format(**forma)}
              AND s.pos->>'liquidacion' IS NULL
              AND jsonb_array_length(par.aplicacion->'cuotas') = 1
              AND par.aplicacion - %(claves)s::text[] = '{{}}'::jsonb
              AND par.aplicacion->>'abono_capital' = '0.00' AND par.aplicacion->>'interes_devengado' = '0.00'
              AND par.aplicacion->>'excedente' = '0.00' AND par.aplicacion->'liquida' = 'false'::jsonb
              AND s.parte->>1 = '0.00' AND s.parte->>2 = '0.00'
              AND s.k >= 0 AND s.k < jsonb_array_length(s.pos->'cuotas')
              AND s.cuota->0 = s.parte->3 AND s.cuota->1 = s.parte->4
              AND NOT h.corregido
              AND CASE WHEN par.n = 0 THEN
                    -- The installment paid as scheduled in the JSON, with the movement's date.
                    jsonb_array_length(s.cuota) = 3 AND s.cuota->2 = s.parte->5
                    AND coalesce(s.pos->>'ultima_fecha_valor', '') = to_char(greatest(h.ultima, par.fecha_valor), 'YYYY-MM-DD')
                    AND {instantanea.sql_pagadas_hasta("s.pos", "s.k - 1", "0")}
                  ELSE
                    -- The last of the count (instantanea.plegar): untouched in the JSON, every installment up to
                    -- k - n paid there, so the count runs k - n + 1 … k; on its due date, no later value date.
                    jsonb_array_length(s.cuota) = 2 AND s.parte->>5 = to_char(par.fecha_valor, 'YYYY-MM-DD')
                    AND (h.ultima IS NULL OR h.ultima <= par.fecha_valor)
                    AND s.k - par.n >= -1 AND jsonb_array_length(s.pos->'cuotas'->(s.k - par.n + 1)) = 2
                    AND {instantanea.sql_pagadas_hasta("s.pos", "s.k", "par.n")}
                  END
              AND par.vencida - s.k <= %(posteriores)s
            ORDER BY par.prestamo_id
        ) AS llanas
        """,
        {
            "liquidado": Prestamo.Estado.LIQUIDADO.value,
            "devolucion": Movimiento.Tipo.DEVOLUCION.value,
            "reversion": Movimiento.Tipo.REVERSION.value,
            "devuelta": Movimiento.Tipo.MORATORIO_DEVUELTO.value,
            "claves": list(CLAVES_ORDINARIAS),
            "posteriores": POSTERIORES_VENCIDAS,
        },
    )
    return cursor.rowcount


def revertir(por_prestamo: dict[int, set[int]], *, motivo: str, usuario_id: int | None, creado: datetime,
             hoy: date, tiempos: Cronometro) -> tuple[set[int], Decimal]:
    """Lock every loan of the reversal (in id order), reverse the ordinary movements among them set-based;
    the loans done and the money reversed. The caller reverses the rest through the engine."""
    with connection.cursor() as cursor:
        with tiempos("bloqueo"):
            preparar(cursor, por_prestamo)
            # Every loan of the reversal, at once and in id order: a payment arriving meanwhile waits, and the
            # snapshots classified next cannot change before they are written.
            libro.bloquear_en_tabla(cursor, OBJETIVO)
        with tiempos("clasificación"):
            if not clasificar(cursor, hoy=hoy):
                return set(), Decimal("0.00")
        with tiempos("vía rápida"):
            libro.revertir_ordinarias(cursor, LLANAS, motivo=motivo, usuario_id=usuario_id, creado=creado)
        cursor.execute(f"SELECT l.prestamo_id, m.importe FROM {LLANAS} l "
                       f"JOIN {Movimiento._meta.db_table} m ON m.id = l.movimiento_id")
        filas = cursor.fetchall()
    return {pk for pk, _ in filas}, sum((importe for _, importe in filas), Decimal("0.00"))
