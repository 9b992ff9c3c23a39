"""Writes on loans: every peso received goes through `prestamo_aplicar_pago`."""

from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from prestamos import selectors
from prestamos.cartera import Posicion
from prestamos.models import Movimiento, Prestamo


@transaction.atomic
def prestamo_aplicar_pago(
    *,
    prestamo: Prestamo,
    importe: Decimal,
    fecha_valor: date,
    tipo: str,
    origen: str,
    usuario=None,
    motivo: str = "",
    hoy: date | None = None,
) -> Movimiento:
    """Apply money received to a loan (SPEC §5) and book it in the ledger.

    The loan row is locked first: two requests applying money to the same loan would otherwise both
    allocate against the same position and pay the same installment twice.
    """
    prestamo = Prestamo.objects.select_for_update().get(pk=prestamo.pk)
    posicion = posiciones_al_dia([prestamo])[prestamo.pk]
    contexto = selectors.contexto(prestamo, fecha_valor)
    aplicacion = posicion.aplicar(fecha_valor=fecha_valor, importe=importe, contexto=contexto)
    movimiento = Movimiento.objects.create(
        prestamo=prestamo,
        tipo=tipo,
        fecha_valor=fecha_valor,
        importe=importe,
        moratorios=aplicacion.moratorios,
        interes=aplicacion.interes,
        capital=aplicacion.capital,
        excedente=aplicacion.excedente,
        aplicacion=aplicacion.a_json(),
        origen=origen[:200],
        motivo=motivo,
        registrado_por=usuario,
    )
    anotar_posicion(prestamo, posicion, movimiento.pk)
    prestamo.save(update_fields=["posicion", "posicion_hasta"])
    prestamo_actualizar_estado(prestamo=prestamo, posicion=posicion, hoy=hoy or timezone.localdate())
    return movimiento


def prestamo_actualizar_estado(*, prestamo: Prestamo, posicion, hoy: date) -> None:
    """Keep the stored estado (for lists and filters) in step with the position derived from the ledger."""
    estado = posicion.estado(hoy)
    fecha_liquidacion = posicion.fecha_liquidacion
    if (prestamo.estado, prestamo.fecha_liquidacion) != (estado, fecha_liquidacion):
        prestamo.estado, prestamo.fecha_liquidacion = estado, fecha_liquidacion
        prestamo.save(update_fields=["estado", "fecha_liquidacion"])


# --- position snapshot (Prestamo.posicion): a cache, the ledger replay stays the truth -------------------


def posiciones_al_dia(prestamos: list[Prestamo], *, hasta: date | None = None) -> dict[int, Posicion]:
    """Positions of several loans from their snapshots plus the movements booked after them (one query).

    A loan without a snapshot (loaded by prestamos.csv) replays its whole ledger, and a movement written
    by any path that did not refresh the snapshot is still counted, so the result always equals the replay.
    "After" is relative to the `posicion_hasta` read with the snapshot itself, so the pair is consistent.
    With `hasta`, snapshots restore only the installments due by then (`Posicion.de_json`).
    """
    posteriores: dict[int, list[Movimiento]] = {p.pk: [] for p in prestamos}
    desde = {p.pk: p.posicion_hasta or 0 for p in prestamos}
    for movimiento in _movimientos_despues(desde):
        posteriores[movimiento.prestamo_id].append(movimiento)
    return {p.pk: _posicion_guardada(p, posteriores[p.pk], hasta) for p in prestamos}


def _movimientos_despues(desde: dict[int, int]):
    """Movements of each loan with id greater than desde[loan], in id order."""
    if not desde:
        return []
    if connection.vendor == "postgresql":
        # One (loan, id) range per loan on the (prestamo_id, id) index. Joining the loans table instead
        # (as the ORM would for prestamo__posicion_hasta) made PostgreSQL hash-join a sequential scan of
        # a million loans for every lote of a remesa: seconds per lote.
        tabla = Movimiento._meta.db_table
        return Movimiento.objects.raw(
            f"SELECT m.* FROM unnest(%s::bigint[], %s::bigint[]) AS v(prestamo_id, hasta) "
            f"JOIN {tabla} AS m ON m.prestamo_id = v.prestamo_id AND m.id > v.hasta ORDER BY m.id",
            [list(desde), list(desde.values())],
        )
    minimo = min(desde.values())
    return [
        m for m in Movimiento.objects.filter(prestamo_id__in=desde, id__gt=minimo).order_by("id")
        if m.id > desde[m.prestamo_id]
    ]


def posicion_de(prestamo: Prestamo, movimientos: list[Movimiento]) -> Posicion:
    """The position from the snapshot and `movimientos`, the loan's whole ledger in id order, already read.

    Equal to replaying `movimientos` (selectors.posicion), without rebuilding the schedule and re-booking
    every movement: only those after the snapshot are booked on top of it.
    """
    if not prestamo.posicion:
        return selectors.posicion(prestamo, movimientos)
    hasta = prestamo.posicion_hasta or 0
    return _posicion_guardada(prestamo, [m for m in movimientos if m.id > hasta])


def _posicion_guardada(prestamo: Prestamo, posteriores: list[Movimiento], hasta: date | None = None) -> Posicion:
    if not prestamo.posicion:
        return selectors.posicion(prestamo, posteriores)
    posicion = Posicion.de_json(prestamo.posicion, selectors.condiciones(prestamo), hasta=hasta)
    for movimiento in posteriores:
        posicion.registrar(selectors.aplicacion_de(movimiento))
    if prestamo.fecha_liquidacion and not posicion.liquidado:
        posicion.fecha_liquidacion = prestamo.fecha_liquidacion  # settled before it was loaded (history)
    return posicion


def anotar_posicion(prestamo: Prestamo, posicion: Posicion, movimiento_id: int) -> None:
    """Set the snapshot fields (the caller saves, alone or in bulk) after booking `movimiento_id`."""
    prestamo.posicion = posicion.a_json()
    prestamo.posicion_hasta = movimiento_id
