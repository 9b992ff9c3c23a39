"""Issuing FOPIs (docs/reglas.md §7): amounts, vigencia, single use, the sequence per loan, the bank reference."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from fopi.models import AccionPago, Fopi, PagoBancario
from fopi.referencia import construir_referencia, vigencia_para
from prestamos import posiciones
from prestamos.calculo import formato_fecha, formato_moneda
from prestamos.cartera import CERO, Contexto, Posicion
from prestamos.models import Movimiento, Prestamo
from prestamos.services import prestamo_aplicar_pago

IMPORTE_MINIMO_PARCIAL = Decimal("100.00")
SECUENCIA_MAXIMA = 999


@dataclass(frozen=True)
class OmisionRegularizable:
    numero: int
    quincena: str
    descripcion: str
    pendiente: Decimal
    moratorio_hoy: Decimal
    moratorio_vigencia: Decimal

    @property
    def total_hoy(self) -> Decimal:
        return self.pendiente + self.moratorio_hoy


@dataclass(frozen=True)
class CuotaEnEspera:
    """An installment due and unpaid whose remesa may still arrive (docs/reglas.md §10): not a missing
    deduction yet, so no moratorios today. If its remesa has not come by the FOPI's vigencia and the grace
    period is over by then, moratorios will have accrued from its due date: `moratorio_vigencia`."""

    numero: int
    quincena: str
    descripcion: str
    pendiente: Decimal
    espera_hasta: date  # last day of the grace period for its remesa
    moratorio_vigencia: Decimal


@dataclass(frozen=True)
class Regularizacion:
    """What the borrower owes for missing deductions: per quincena, today and at the FOPI's vigencia; and,
    apart, the installments due and unpaid still awaiting their remesa, which the FOPI may include."""

    vigencia: date
    omisiones: tuple[OmisionRegularizable, ...]
    en_espera: tuple[CuotaEnEspera, ...] = ()

    @property
    def pendiente(self) -> Decimal:
        return sum((o.pendiente for o in self.omisiones), CERO)

    @property
    def moratorios_hoy(self) -> Decimal:
        return sum((o.moratorio_hoy for o in self.omisiones), CERO)

    @property
    def total_hoy(self) -> Decimal:
        return self.pendiente + self.moratorios_hoy

    @property
    def moratorios_vigencia(self) -> Decimal:
        return sum((o.moratorio_vigencia for o in self.omisiones), CERO)

    @property
    def total_vigencia(self) -> Decimal:
        """The REGULARIZACION FOPI's amount: the missing quincenas only."""
        return self.pendiente + self.moratorios_vigencia

    @property
    def pendiente_en_espera(self) -> Decimal:
        return sum((c.pendiente for c in self.en_espera), CERO)

    @property
    def total_en_espera_vigencia(self) -> Decimal:
        return self.pendiente_en_espera + sum((c.moratorio_vigencia for c in self.en_espera), CERO)

    @property
    def total_completo_vigencia(self) -> Decimal:
        """The amount with `incluir_pendientes`: every installment due and unpaid, so the loan is up to date."""
        return self.total_vigencia + self.total_en_espera_vigencia

    @property
    def hay_algo(self) -> bool:
        return bool(self.omisiones or self.en_espera)


def regularizacion(*, posicion: Posicion, contexto: Contexto, hoy: date) -> Regularizacion:
    """Every installment due and unpaid at `hoy`, split by the one rule of missing deductions
    (`Posicion.es_omitida`): missing (with moratorios), or still awaiting its remesa."""
    vigencia = vigencia_para(hoy)
    if posicion.liquidado:
        return Regularizacion(vigencia=vigencia, omisiones=())
    omisiones, en_espera = [], []
    gracia = timedelta(days=contexto.parametros.dias_gracia)
    for c in posicion.vencidas_sin_pagar(hoy):
        if posicion.es_omitida(c, hoy, contexto):
            omisiones.append(OmisionRegularizable(
                numero=c.numero,
                quincena=str(c.quincena),
                descripcion=c.quincena.descripcion,
                pendiente=c.pendiente,
                moratorio_hoy=posicion.moratorio_pendiente(c, hoy, contexto),
                moratorio_vigencia=posicion.moratorio_pendiente(c, vigencia, contexto),
            ))
        else:
            en_espera.append(CuotaEnEspera(
                numero=c.numero,
                quincena=str(c.quincena),
                descripcion=c.quincena.descripcion,
                pendiente=c.pendiente,
                espera_hasta=c.vencimiento + gracia,
                moratorio_vigencia=posicion.moratorio_pendiente(c, vigencia, contexto),
            ))
    return Regularizacion(vigencia=vigencia, omisiones=tuple(omisiones), en_espera=tuple(en_espera))


@dataclass(frozen=True)
class EfectoParcial:
    """What a partial payment does if paid on its vigencia (shown before confirming)."""

    quincenas_antes: int
    quincenas_despues: int
    termino_antes: date | None
    termino_despues: date | None
    interes_ahorrado: Decimal


def _interes_por_vencer(posicion: Posicion, fecha: date) -> Decimal:
    return sum((c.pendiente_interes for c in posicion.cuotas if c.vencimiento > fecha), CERO)


def efecto_parcial(*, posicion: Posicion, contexto: Contexto, importe: Decimal, vigencia: date) -> EfectoParcial:
    despues = copy.deepcopy(posicion)
    despues.aplicar(fecha_valor=vigencia, importe=importe, contexto=contexto)
    return EfectoParcial(
        quincenas_antes=posicion.cuotas_por_pagar(),
        quincenas_despues=despues.cuotas_por_pagar(),
        termino_antes=posicion.fecha_termino(),
        termino_despues=None if despues.liquidado else despues.fecha_termino(),
        interes_ahorrado=_interes_por_vencer(posicion, vigencia) - _interes_por_vencer(despues, vigencia),
    )


def importe_para(
    *, tipo: str, posicion: Posicion, contexto: Contexto, hoy: date, importe: Decimal | None,
    incluir_pendientes: bool = False,
) -> tuple[Decimal, dict]:
    """The FOPI amount for `tipo`, or ValidationError saying in Spanish why it cannot be issued.

    `incluir_pendientes` (REGULARIZACION only): cover also the installments awaiting their remesa.
    """
    vigencia = vigencia_para(hoy)
    if posicion.liquidado:
        raise ValidationError("Este préstamo ya está liquidado; no necesita formato de pago.")
    liquidacion = posicion.liquidacion(vigencia, contexto)
    en_cobranza = posicion.estado(hoy) == Prestamo.Estado.EN_COBRANZA
    if tipo == Fopi.Tipo.LIQUIDACION:
        return liquidacion, {"liquidacion": str(liquidacion)}
    if tipo == Fopi.Tipo.REGULARIZACION:
        reg = regularizacion(posicion=posicion, contexto=contexto, hoy=hoy)
        return _importe_regularizacion(reg, incluir_pendientes)
    if tipo != Fopi.Tipo.PARCIAL:
        raise ValidationError("Elige un tipo de pago válido.")
    if en_cobranza:
        raise ValidationError(
            "Tu préstamo está en cobranza: sólo puedes regularizarlo completo o liquidarlo."
        )
    if importe is None:
        raise ValidationError("Escribe el importe del pago parcial.")
    if importe < IMPORTE_MINIMO_PARCIAL:
        raise ValidationError(f"El pago parcial mínimo es de {formato_moneda(IMPORTE_MINIMO_PARCIAL)}.")
    if importe > liquidacion:
        raise ValidationError(
            f"El importe excede lo necesario para liquidar tu préstamo al {formato_fecha(vigencia)} "
            f"({formato_moneda(liquidacion)}); elige Liquidación."
        )
    return importe, {}


def _importe_regularizacion(reg: Regularizacion, incluir_pendientes: bool) -> tuple[Decimal, dict]:
    if incluir_pendientes and reg.en_espera:
        return reg.total_completo_vigencia, {
            "quincenas": [o.quincena for o in reg.omisiones] + [c.quincena for c in reg.en_espera],
            "en_espera": [c.quincena for c in reg.en_espera],
        }
    if not reg.omisiones:
        if reg.en_espera:
            raise ValidationError(
                "No hay descuentos omitidos que regularizar: tus quincenas vencidas aún esperan la remesa de tu "
                "dependencia. Si quieres pagarlas ya, incluye las quincenas en espera de remesa."
            )
        raise ValidationError("Tu crédito está al corriente: no hay descuentos omitidos que regularizar.")
    return reg.total_vigencia, {"quincenas": [o.quincena for o in reg.omisiones]}


@transaction.atomic
def fopi_emitir(
    *, prestamo: Prestamo, tipo: str, importe: Decimal | None = None, usuario=None, hoy: date,
    incluir_pendientes: bool = False,
) -> Fopi:
    """Issue a FOPI for `prestamo`, cancelling its earlier pending ones. `usuario`: who issued it (the
    borrower, or a CAPP officer on their behalf).

    The loan row is locked so two clicks cannot take the same sequence number or both survive as pending.
    """
    prestamo = Prestamo.objects.select_for_update().get(pk=prestamo.pk)
    posicion = posiciones.posicion(prestamo)
    contexto = posiciones.contexto(prestamo, hoy)
    monto, detalle = importe_para(
        tipo=tipo, posicion=posicion, contexto=contexto, hoy=hoy, importe=importe,
        incluir_pendientes=incluir_pendientes,
    )
    vigencia = vigencia_para(hoy)
    secuencia = (prestamo.fopis.aggregate(m=Max("secuencia"))["m"] or 0) + 1
    if secuencia > SECUENCIA_MAXIMA:
        raise ValidationError("Este préstamo alcanzó el máximo de formatos de pago; comunícate al CAPP.")
    prestamo.fopis.filter(estado=Fopi.Estado.PENDIENTE).update(estado=Fopi.Estado.CANCELADO)
    return Fopi.objects.create(
        prestamo=prestamo,
        secuencia=secuencia,
        tipo=tipo,
        importe=monto,
        vigencia=vigencia,
        referencia=construir_referencia(folio=prestamo.folio, secuencia=secuencia, vigencia=vigencia, importe=monto),
        detalle=detalle,
        emitido_por=usuario,
    )


def _pago_en_revision(pago: PagoBancario) -> PagoBancario:
    pago = PagoBancario.objects.select_for_update().get(pk=pago.pk)
    if pago.estado != PagoBancario.Estado.EN_REVISION:
        raise ValidationError("Este pago ya fue resuelto por otra persona; recarga la página.")
    return pago


@transaction.atomic
def pago_aplicar_a_prestamo(*, pago: PagoBancario, prestamo: Prestamo, usuario, motivo: str) -> PagoBancario:
    """CAPP applies a payment from the review queue to a loan it chose; recorded with who, when and why.

    The payment row is locked: two staff members resolving the same payment would apply it twice.
    """
    if not motivo.strip():
        raise ValidationError("Escribe el motivo de la aplicación.")
    pago = _pago_en_revision(pago)
    pago.movimiento = prestamo_aplicar_pago(
        prestamo=prestamo,
        importe=pago.importe,
        fecha_valor=pago.fecha_pago,
        tipo=Movimiento.Tipo.PAGO_CAPP,
        origen=f"Pago {pago.banco} autorización {pago.autorizacion} aplicado por el CAPP",
        usuario=usuario,
        motivo=motivo,
    )
    pago.estado, pago.prestamo = PagoBancario.Estado.APLICADO_CAPP, prestamo
    pago.save(update_fields=["estado", "prestamo", "movimiento"])
    AccionPago.objects.create(pago=pago, accion=AccionPago.Accion.APLICAR, prestamo=prestamo, motivo=motivo, usuario=usuario)
    return pago


@transaction.atomic
def pago_marcar_devolucion(*, pago: PagoBancario, usuario, motivo: str) -> PagoBancario:
    if not motivo.strip():
        raise ValidationError("Escribe el motivo de la devolución.")
    pago = _pago_en_revision(pago)
    pago.estado = PagoBancario.Estado.DEVOLUCION
    pago.save(update_fields=["estado"])
    AccionPago.objects.create(pago=pago, accion=AccionPago.Accion.DEVOLVER, motivo=motivo, usuario=usuario)
    return pago


def fopis_vencer(*, hoy: date) -> int:
    """Daily: pending FOPIs past their vigencia become VENCIDO (pages already show them so)."""
    return Fopi.objects.filter(estado=Fopi.Estado.PENDIENTE, vigencia__lt=hoy).update(estado=Fopi.Estado.VENCIDO)
