"""Writes on loans. A single payment is booked by `prestamo_aplicar_pago`; bulk paths (remesas, opening
entries, reversals) book through `prestamos/libro.py` too, the one place that persists ledger rows.
Reads go through `prestamos/posiciones.py`."""

from datetime import date
from decimal import Decimal

import structlog
from django.db import transaction
from django.utils import timezone

from prestamos import libro, posiciones
from prestamos.models import Movimiento, Prestamo

log = structlog.get_logger(__name__)
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
    periodo=None,
) -> Movimiento:
    """Apply money received to a loan (docs/reglas.md, "Aplicación de pagos") and book it in the ledger.

    `periodo`: the payroll period of a deduction (an aclaración): what it brings for an installment already
    paid is a pago en exceso, saldo a favor (docs/reglas.md §6).

    The loan row is locked first: two requests applying money to the same loan would otherwise both
    allocate against the same position and pay the same installment twice.
    """
    (prestamo,) = libro.bloquear([prestamo.pk])
    posicion = posiciones.posicion(prestamo)
    contexto = posiciones.contexto(prestamo, fecha_valor)
    aplicacion = posicion.aplicar(fecha_valor=fecha_valor, importe=importe, contexto=contexto, periodo=periodo)
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
    movimiento = libro.asentar(prestamo, posicion, asientos, hoy=hoy or timezone.localdate())[0]
    # Money by ledger id (never the amount): the payment's own line names this movimiento_id too.
    log.info("movimiento_asentado", movimiento_id=movimiento.pk, prestamo_id=prestamo.pk, tipo=tipo)
    return movimiento


@transaction.atomic
def prestamo_devolver_moratorios(*, prestamo: Prestamo, periodo, fecha: date, origen: str, usuario=None,
                                 motivo: str = "", hoy: date | None = None) -> Movimiento | None:
    """An aclaración proved the deduction of `periodo` was taken on time: the moratorios the borrower paid on
    its installment (regularizing it) go back to saldo a favor (docs/reglas.md §10). None when none were paid."""
    (prestamo,) = libro.bloquear([prestamo.pk])
    posicion = posiciones.posicion(prestamo)
    aplicacion = posicion.devolver_moratorios(fecha=fecha, periodo=periodo)
    if aplicacion is None:
        return None
    asiento = libro.asiento(
        prestamo_id=prestamo.pk, tipo=Movimiento.Tipo.MORATORIO_DEVUELTO, aplicacion=aplicacion, origen=origen,
        motivo=motivo, usuario_id=usuario.pk if usuario is not None else None, creado=timezone.now(),
    )
    return libro.asentar(prestamo, posicion, [asiento], hoy=hoy or timezone.localdate())[0]


@transaction.atomic
def prestamo_abonar_saldo(*, prestamo: Prestamo, usuario=None, hoy: date | None = None) -> Movimiento:
    """The borrower chose "Abonar a capital": their whole saldo a favor is applied to the loan as of today, in
    the order of every payment (what is due first, then capital: the cuota stays, the term shortens); a
    payoff leaves the rest as saldo a favor (docs/reglas.md §6). Refused while a refund of it is pending."""
    from django.core.exceptions import ValidationError

    hoy = hoy or timezone.localdate()
    (prestamo,) = libro.bloquear([prestamo.pk])
    posicion = posiciones.posicion(prestamo)
    if posicion.liquidado:
        raise ValidationError("Tu préstamo ya está liquidado: el saldo a favor sólo puede devolverse a tu cuenta.")
    saldo = posicion.excedentes
    if saldo <= 0:
        raise ValidationError(f"El préstamo {prestamo.folio} no tiene saldo a favor.")
    aplicacion = posicion.aplicar(fecha_valor=hoy, importe=saldo, contexto=posiciones.contexto(prestamo, hoy),
                                  de_saldo=True)
    asiento = libro.asiento(
        prestamo_id=prestamo.pk, tipo=Movimiento.Tipo.ABONO_SALDO, aplicacion=aplicacion,
        origen="Saldo a favor abonado al préstamo, a petición del derechohabiente",
        usuario_id=usuario.pk if usuario is not None else None, creado=timezone.now(),
    )
    return libro.asentar(prestamo, posicion, [asiento], hoy=hoy)[0]
