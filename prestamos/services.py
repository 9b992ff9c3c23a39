"""Writes on loans. A single payment is booked by `prestamo_aplicar_pago`; bulk paths (remesas, opening
entries, reversals) book through `prestamos/libro.py` too, the one place that persists ledger rows.
Reads go through `prestamos/posiciones.py`."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from prestamos import libro, posiciones
from prestamos.models import Movimiento, Prestamo

# Money the dependencia withheld from the payslip: a last one short by a centavo is written off (§5).
DEDUCCIONES = (Movimiento.Tipo.DESCUENTO, Movimiento.Tipo.ACLARACION)


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
    (prestamo,) = libro.bloquear([prestamo.pk])
    posicion = posiciones.posicion(prestamo)
    contexto = posiciones.contexto(prestamo, fecha_valor)
    aplicacion = posicion.aplicar(fecha_valor=fecha_valor, importe=importe, contexto=contexto)
    ahora = timezone.now()
    asientos = [
        libro.asiento(
            prestamo_id=prestamo.pk,
            tipo=tipo,
            aplicacion=aplicacion,
            origen=origen,
            motivo=motivo,
            usuario_id=usuario.pk if usuario is not None else None,
            creado=ahora,
        )
    ]
    if tipo in DEDUCCIONES:
        ajuste = libro.ajuste_por_redondeo(
            prestamo_id=prestamo.pk, posicion=posicion, fecha=fecha_valor, contexto=contexto, creado=ahora
        )
        if ajuste is not None:
            asientos.append(ajuste)
    return libro.asentar(prestamo, posicion, asientos, hoy=hoy or timezone.localdate())[0]
