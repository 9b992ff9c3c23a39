"""The ledger's one writer: how an allocation decided by the engine becomes a `Movimiento` row, and how
the loan row (stored estado, position snapshot) follows it (docs/reglas.md, "El libro").

Every path that books money builds its rows here: `services.prestamo_aplicar_pago` (one payment, row
locked), the remesa lotes (recuperacion/remesas.py, thousands at a time by COPY), the opening entries of
loaded loans (prestamos/importacion/prestamos.py) and the benchmark generator (bench/datos.py).
"""

from __future__ import annotations

from datetime import date, datetime

from prestamos import instantanea
from prestamos.cartera import Aplicacion, Posicion

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
