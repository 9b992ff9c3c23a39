"""Writes on loans: every peso received goes through `prestamo_aplicar_pago`."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from prestamos import selectors
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
    posicion = selectors.posicion(prestamo)
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
    prestamo_actualizar_estado(prestamo=prestamo, posicion=posicion, hoy=hoy or date.today())
    return movimiento


def prestamo_actualizar_estado(*, prestamo: Prestamo, posicion, hoy: date) -> None:
    """Keep the stored estado (for lists and filters) in step with the position derived from the ledger."""
    estado = posicion.estado(hoy)
    fecha_liquidacion = posicion.fecha_liquidacion
    if (prestamo.estado, prestamo.fecha_liquidacion) != (estado, fecha_liquidacion):
        prestamo.estado, prestamo.fecha_liquidacion = estado, fecha_liquidacion
        prestamo.save(update_fields=["estado", "fecha_liquidacion"])
