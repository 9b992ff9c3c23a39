"""Writes on loans. A single payment is booked by `prestamo_aplicar_pago`; bulk paths (remesas, opening
entries) build the same rows through `prestamos/libro.py`, the one place that maps an allocation to a
ledger row. Reads go through `prestamos/posiciones.py`."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from prestamos import libro, posiciones
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
    """Apply money received to a loan (docs/reglas.md, "Aplicación de pagos") and book it in the ledger.

    The loan row is locked first: two requests applying money to the same loan would otherwise both
    allocate against the same position and pay the same installment twice.
    """
    prestamo = Prestamo.objects.select_for_update().get(pk=prestamo.pk)
    posicion = posiciones.posicion(prestamo)
    contexto = posiciones.contexto(prestamo, fecha_valor)
    aplicacion = posicion.aplicar(fecha_valor=fecha_valor, importe=importe, contexto=contexto)
    movimiento = Movimiento.objects.create(
        **libro.asiento(
            prestamo_id=prestamo.pk,
            tipo=tipo,
            aplicacion=aplicacion,
            origen=origen,
            motivo=motivo,
            usuario_id=usuario.pk if usuario is not None else None,
            creado=timezone.now(),
        )
    )
    libro.anotar_posicion(prestamo, posicion, movimiento.pk)
    libro.poner_estado(prestamo, posicion, hoy or timezone.localdate())
    prestamo.save(update_fields=["posicion", "posicion_hasta", "estado", "fecha_liquidacion"])
    return movimiento
