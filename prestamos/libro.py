"""The ledger's one writer: how an allocation decided by the engine becomes a `Movimiento` row, and how
the loan row (stored estado, position snapshot) follows it (docs/reglas.md, "El libro").

Every path that books money builds its rows here: `services.prestamo_aplicar_pago` (one payment, row
locked), the remesa lotes (recuperacion/remesas.py, thousands at a time by COPY), the opening entries of
loaded loans (prestamos/importacion/prestamos.py) and the benchmark generator (bench/datos.py). The one
exception to "rows built in Python" is `asentar_ordinarias`, a remesa's ordinary deductions written by
SQL inside the database: the same rows, proved equal by tests/recuperacion/test_remesa_en_bloque.py.
"""

from __future__ import annotations

from datetime import date, datetime

from prestamos import instantanea
from prestamos.cartera import Aplicacion, Posicion
from prestamos.models import Movimiento, Prestamo

ORIGEN_MAXIMO = 200  # Movimiento.origen's max_length


def asiento(
    *,
    prestamo_id: int,
    tipo: str,
    aplicacion: Aplicacion,
    origen: str,
    creado: datetime,
    motivo: str = "",
    usuario_id: int | None = None,
    revierte_id: int | None = None,
    reaplica_id: int | None = None,
) -> dict:
    """The ledger row of `aplicacion`, keyed by Movimiento's attribute names.

    A REVERSION carries the allocation of the movement it cancels (`revierte_id`); a movement booked
    again after a reversal names the one it replaces (`reaplica_id`).
    """
    return {
        "prestamo_id": prestamo_id,
        "tipo": tipo,
        "fecha_valor": aplicacion.fecha_valor,
        "importe": aplicacion.importe,
        "moratorios": aplicacion.moratorios,
        "interes": aplicacion.interes,
        "capital": aplicacion.capital,
        "excedente": aplicacion.excedente,
        "aplicacion": aplicacion.a_json(),
        "origen": origen[:ORIGEN_MAXIMO],
        "motivo": motivo,
        "registrado_por_id": usuario_id,
        "creado": creado,
        "revierte_id": revierte_id,
        "reaplica_id": reaplica_id,
    }


def estado_derivado(posicion: Posicion, hoy: date) -> tuple[str, date | None]:
    """The (estado, fecha_liquidacion) a loan row stores for lists and filters: the position's, today."""
    return posicion.estado(hoy), posicion.fecha_liquidacion


def poner_estado(prestamo, posicion: Posicion, hoy: date) -> bool:
    """Set the loan's stored estado and payoff date from its position; True when they changed."""
    nuevo = estado_derivado(posicion, hoy)
    if (prestamo.estado, prestamo.fecha_liquidacion) == nuevo:
        return False
    prestamo.estado, prestamo.fecha_liquidacion = nuevo
    return True


def anotar_posicion(prestamo, posicion: Posicion, movimiento_id: int) -> None:
    """Set the snapshot fields after booking `movimiento_id` (the caller saves, alone or in bulk)."""
    prestamo.posicion = instantanea.guardar(posicion)
    prestamo.posicion_hasta = movimiento_id


def asentar_ordinarias(cursor, tabla: str, *, fecha_valor: date, origen: str, usuario_id: int | None,
                       creado: datetime) -> None:
    """Book, set-based, the ordinary deductions listed in the scratch table `tabla` (docs/reglas.md,
    "Remesas: la deducción ordinaria"): each a loan up to date paying exactly installment k + 1.

    `tabla` has (prestamo_id, importe, movimiento_id, k, interes, capital, capital_pagado, excedentes):
    interés and capital as the snapshot's strings, capital pagado and saldo a favor as they will read
    after the payment. Writes what `asiento`, `anotar_posicion` and `poner_estado` write for such a
    payment: the ledger row with its allocation (`Aplicacion.a_json`: that installment paid in full on its
    due date, no moratorio charged, nothing to capital or refund), the installment in the snapshot's
    "paid as scheduled" form (`instantanea.guardar`), capital pagado and the last value date moved on,
    estado VIGENTE.
    """
    valores = {"fecha_valor": fecha_valor, "fecha_iso": fecha_valor.isoformat(), "origen": origen[:ORIGEN_MAXIMO],
               "usuario": usuario_id, "creado": creado, "tipo": Movimiento.Tipo.DESCUENTO.value,
               "vigente": Prestamo.Estado.VIGENTE.value}
    cursor.execute(
        f"""
        INSERT INTO {Movimiento._meta.db_table} (id, prestamo_id, tipo, fecha_valor, importe, moratorios, interes,
            capital, excedente, aplicacion, origen, motivo, registrado_por_id, creado, revierte_id, reaplica_id)
        SELECT movimiento_id, prestamo_id, %(tipo)s, %(fecha_valor)s, importe, 0, interes::numeric, capital::numeric, 0,
            jsonb_build_object(
                'cuotas', jsonb_build_array(jsonb_build_array(k + 1, '0.00', '0.00', interes, capital, %(fecha_iso)s)),
                'abono_capital', '0.00', 'interes_devengado', '0.00', 'excedente', '0.00', 'liquida', false),
            %(origen)s, '', %(usuario)s, %(creado)s, NULL, NULL
        FROM {tabla} ORDER BY movimiento_id
        """,
        valores,
    )
    cursor.execute(
        f"""
        UPDATE {Prestamo._meta.db_table} p SET
            posicion = jsonb_set(p.posicion, ARRAY['cuotas', l.k::text],
                                 jsonb_build_array(l.interes, l.capital, %(fecha_iso)s::text))
                       || jsonb_build_object('capital_pagado', l.capital_pagado, 'excedentes', l.excedentes,
                                             'ultima_fecha_valor', %(fecha_iso)s::text),
            posicion_hasta = l.movimiento_id,
            estado = %(vigente)s,
            fecha_liquidacion = NULL
        FROM {tabla} l
        WHERE p.id = l.prestamo_id
        """,
        valores,
    )
