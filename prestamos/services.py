"""Writes on loans: every peso received goes through `prestamo_aplicar_pago`."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

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
    prestamo_actualizar_estado(prestamo=prestamo, posicion=posicion, hoy=hoy or date.today())
    return movimiento


def prestamo_actualizar_estado(*, prestamo: Prestamo, posicion, hoy: date) -> None:
    """Keep the stored estado (for lists and filters) in step with the position derived from the ledger."""
    estado = posicion.estado(hoy)
    fecha_liquidacion = posicion.fecha_liquidacion
    if (prestamo.estado, prestamo.fecha_liquidacion) != (estado, fecha_liquidacion):
        prestamo.estado, prestamo.fecha_liquidacion = estado, fecha_liquidacion
        prestamo.save(update_fields=["estado", "fecha_liquidacion"])


# --- position snapshot (Prestamo.posicion): a cache, the ledger replay stays the truth -------------------


def posiciones_al_dia(prestamos: list[Prestamo]) -> dict[int, Posicion]:
    """Positions of several loans from their snapshots plus the movements booked after them (one query).

    A loan without a snapshot (loaded by prestamos.csv) replays its whole ledger, and a movement written
    by any path that did not refresh the snapshot is still counted, so the result always equals the replay.
    """
    posteriores: dict[int, list[Movimiento]] = {p.pk: [] for p in prestamos}
    nuevos = Movimiento.objects.filter(
        prestamo_id__in=posteriores, id__gt=Coalesce(F("prestamo__posicion_hasta"), Value(0))
    ).order_by("id")
    for movimiento in nuevos:
        posteriores[movimiento.prestamo_id].append(movimiento)
    return {p.pk: _posicion_guardada(p, posteriores[p.pk]) for p in prestamos}


def posicion_de(prestamo: Prestamo, movimientos: list[Movimiento]) -> Posicion:
    """The position from the snapshot and `movimientos`, the loan's whole ledger in id order, already read.

    Equal to replaying `movimientos` (selectors.posicion), without rebuilding the schedule and re-booking
    every movement: only those after the snapshot are booked on top of it.
    """
    if not prestamo.posicion:
        return selectors.posicion(prestamo, movimientos)
    hasta = prestamo.posicion_hasta or 0
    return _posicion_guardada(prestamo, [m for m in movimientos if m.id > hasta])


def _posicion_guardada(prestamo: Prestamo, posteriores: list[Movimiento]) -> Posicion:
    if not prestamo.posicion:
        return selectors.posicion(prestamo, posteriores)
    posicion = Posicion.de_json(prestamo.posicion, selectors.condiciones(prestamo))
    for movimiento in posteriores:
        posicion.registrar(selectors.aplicacion_de(movimiento))
    if prestamo.fecha_liquidacion and not posicion.liquidado:
        posicion.fecha_liquidacion = prestamo.fecha_liquidacion  # settled before it was loaded (history)
    return posicion


def anotar_posicion(prestamo: Prestamo, posicion: Posicion, movimiento_id: int) -> None:
    """Set the snapshot fields (the caller saves, alone or in bulk) after booking `movimiento_id`."""
    prestamo.posicion = posicion.a_json()
    prestamo.posicion_hasta = movimiento_id
