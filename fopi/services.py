"""Issuing FOPIs (docs/reglas.md §7) and booking the money received for them (docs/reglas.md §7, §11).

A FOPI's amount, vigencia, single use, sequence per loan, bank reference and CLABE are decided here; so is
whether money received for it (a bank's payments file or a SPEI deposit) is applied at once or waits in
the review queue, and what CAPP staff do with what waits.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from fopi import avisos
from fopi.clabe import NUMERO_MAXIMO, clabe_para
from fopi.models import AccionPago, DevolucionPago, Fopi, PagoBancario
from fopi.referencia import construir_referencia, vigencia_para
from oficina import metricas
from oficina.formatos import formato_fecha, formato_moneda
from prestamos import libro, posiciones
from prestamos.cartera import CERO, Contexto, Posicion
from prestamos.models import Movimiento, Prestamo
from prestamos.services import prestamo_aplicar_pago

log = structlog.get_logger(__name__)

IMPORTE_MINIMO_PARCIAL = Decimal("100.00")
SECUENCIA_MAXIMA = 999
# A CLABE passes to a new FOPI only after the vigencia of the FOPI it was given to is over a year old.
DIAS_PARA_REUSAR_CLABE = 365  # vigencia earlier than this many days ago: more than a year
# Per loan in 24 hours, issued by the borrower (staff issuing on a borrower's behalf are not limited).
FOPIS_POR_DIA = 20


def vigencia_de(posicion: Posicion, hoy: date) -> date:
    """A FOPI's vigencia follows the loan's periods: quincenas, or months for a pensioner (docs/reglas.md §7)."""
    return vigencia_para(hoy, type(posicion.condiciones.primer_periodo))


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
    def moratorios_por_devengar(self) -> Decimal:
        """The moratorios that accrue from today to the vigencia: their own line, so the page's totals add up."""
        return self.moratorios_vigencia - self.moratorios_hoy

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
    vigencia = vigencia_de(posicion, hoy)
    if posicion.liquidado:
        return Regularizacion(vigencia=vigencia, omisiones=())
    omisiones, en_espera = [], []
    gracia = timedelta(days=contexto.parametros.dias_gracia)
    for c in posicion.vencidas_sin_pagar(hoy):
        if posicion.es_omitida(c, hoy, contexto):
            omisiones.append(
                OmisionRegularizable(
                    numero=c.numero,
                    quincena=str(c.periodo),
                    descripcion=c.periodo.descripcion,
                    pendiente=c.pendiente,
                    moratorio_hoy=posicion.moratorio_pendiente(c, hoy, contexto),
                    moratorio_vigencia=posicion.moratorio_pendiente(c, vigencia, contexto),
                )
            )
        else:
            en_espera.append(
                CuotaEnEspera(
                    numero=c.numero,
                    quincena=str(c.periodo),
                    descripcion=c.periodo.descripcion,
                    pendiente=c.pendiente,
                    espera_hasta=c.vencimiento + gracia,
                    moratorio_vigencia=posicion.moratorio_pendiente(c, vigencia, contexto),
                )
            )
    return Regularizacion(vigencia=vigencia, omisiones=tuple(omisiones), en_espera=tuple(en_espera))


@dataclass(frozen=True)
class EfectoParcial:
    """What a partial payment does if paid on `fecha_pago` (the FOPI's vigencia), shown before issuing it: the
    periods left and the payoff date without it and with it, and the interest it saves."""

    fecha_pago: date
    quincenas_antes: int  # periods: months for a pensioner's loan
    quincenas_despues: int
    termino_antes: date | None
    termino_despues: date | None
    interes_ahorrado: Decimal


def _interes_por_vencer(posicion: Posicion, fecha: date) -> Decimal:
    return sum((c.pendiente_interes for c in posicion.cuotas if c.vencimiento > fecha), CERO)


def efecto_parcial(
    *, posicion: Posicion, contexto: Contexto, importe: Decimal, hoy: date, fecha_pago: date
) -> EfectoParcial:
    """The loan on `fecha_pago` with and without `importe` paid that day.

    Both assume the payroll deductions due from today to then arrive on their due dates, as they do: leaving the
    current period's deduction out made the payment look one period shorter than it turned out (issue 15). Paid
    earlier than `fecha_pago`, the result is the same or slightly better (more of it reaches capital sooner).
    """
    sin_pago = copy.deepcopy(posicion)
    for cuota in [c for c in sin_pago.cuotas if hoy < c.vencimiento <= fecha_pago and c.pendiente > 0]:
        sin_pago.aplicar(fecha_valor=cuota.vencimiento, importe=cuota.pendiente, contexto=contexto)
    con_pago = copy.deepcopy(sin_pago)
    con_pago.aplicar(fecha_valor=fecha_pago, importe=importe, contexto=contexto)
    return EfectoParcial(
        fecha_pago=fecha_pago,
        quincenas_antes=sin_pago.cuotas_por_pagar(),
        quincenas_despues=con_pago.cuotas_por_pagar(),
        termino_antes=sin_pago.fecha_termino(),
        termino_despues=None if con_pago.liquidado else con_pago.fecha_termino(),
        interes_ahorrado=_interes_por_vencer(sin_pago, fecha_pago) - _interes_por_vencer(con_pago, fecha_pago),
    )


def importe_para(
    *,
    tipo: str,
    posicion: Posicion,
    contexto: Contexto,
    hoy: date,
    importe: Decimal | None,
    incluir_pendientes: bool = False,
) -> tuple[Decimal, dict]:
    """The FOPI amount for `tipo`, or ValidationError saying in Spanish why it cannot be issued.

    `incluir_pendientes` (REGULARIZACION only): cover also the installments awaiting their remesa.
    """
    vigencia = vigencia_de(posicion, hoy)
    if posicion.liquidado:
        raise ValidationError("Este préstamo ya está liquidado; no necesita formato de pago.")
    liquidacion = posicion.liquidacion(vigencia, contexto)
    if liquidacion <= 0:
        # Settled by the ledger but not yet marked so (a loan booked before exact payoffs settled): nothing to pay.
        raise ValidationError("Este préstamo no tiene saldo por pagar; no necesita formato de pago.")
    en_cobranza = posicion.estado(hoy) == Prestamo.Estado.EN_COBRANZA
    if tipo == Fopi.Tipo.LIQUIDACION:
        return liquidacion, {"liquidacion": str(liquidacion)}
    if tipo == Fopi.Tipo.REGULARIZACION:
        reg = regularizacion(posicion=posicion, contexto=contexto, hoy=hoy)
        return _importe_regularizacion(reg, incluir_pendientes)
    if tipo != Fopi.Tipo.PARCIAL:
        raise ValidationError("Elige un tipo de pago válido.")
    if en_cobranza:
        raise ValidationError("Tu préstamo está en cobranza: sólo puedes regularizarlo completo o liquidarlo.")
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
    *,
    prestamo: Prestamo,
    tipo: str,
    importe: Decimal | None = None,
    usuario=None,
    hoy: date,
    incluir_pendientes: bool = False,
) -> Fopi:
    """Issue a FOPI for `prestamo`, cancelling its earlier pending ones. `usuario`: who issued it (the
    borrower, or a CAPP officer on their behalf).

    The loan row is locked so two clicks cannot take the same sequence number or both survive as pending.
    """
    (prestamo,) = libro.bloquear([prestamo.pk])
    posicion = posiciones.posicion(prestamo)
    contexto = posiciones.contexto(prestamo, hoy)
    monto, detalle = importe_para(
        tipo=tipo,
        posicion=posicion,
        contexto=contexto,
        hoy=hoy,
        importe=importe,
        incluir_pendientes=incluir_pendientes,
    )
    vigencia = vigencia_de(posicion, hoy)
    # What the daily limit, the cancelling and the free number and reference need, in one read under the loan's
    # lock (nobody else issues a FOPI for it, nor pays one, meanwhile; the daily job only expires pending ones).
    fopis = _fopis_para_emitir(prestamo)
    propios = [f for f in fopis if f.prestamo_id == prestamo.pk]
    if not (usuario is not None and usuario.is_staff):
        desde = timezone.now() - timedelta(days=1)
        recientes = sum(1 for f in propios if f.emitido >= desde)
        if recientes >= FOPIS_POR_DIA:
            raise ValidationError(
                f"Ya generaste {recientes} formatos de pago en las últimas 24 horas para este préstamo. Usa el más "
                "reciente (sigue vigente) o vuelve mañana; si necesitas otro hoy, comunícate al CAPP."
            )
    # Those already past their vigencia expired on their own (the daily job may not have marked them yet): they stay
    # "Vencido", with any late payment, rather than look replaced (docs/reglas.md §13). Each UPDATE runs only when
    # the read found a row for it (both filter on PENDIENTE, so one the daily job expired meanwhile is left alone).
    pendientes = [f for f in propios if f.estado == Fopi.Estado.PENDIENTE]
    if any(f.vigencia < hoy for f in pendientes):
        prestamo.fopis.filter(estado=Fopi.Estado.PENDIENTE, vigencia__lt=hoy).update(estado=Fopi.Estado.VENCIDO)
    if any(f.vigencia >= hoy for f in pendientes):
        prestamo.fopis.filter(estado=Fopi.Estado.PENDIENTE).update(estado=Fopi.Estado.CANCELADO)
    secuencia, referencia = _secuencia_libre(prestamo, vigencia=vigencia, importe=monto, fopis=fopis)
    # The CLABE comes from the FOPI's id. On PostgreSQL the id is taken from its sequence first, so the row is
    # written once, CLABE included; elsewhere (SQLite, development) the INSERT gives the id and an UPDATE the CLABE.
    reservado = _id_reservado()
    fopi = Fopi(
        pk=reservado,
        prestamo=prestamo,
        secuencia=secuencia,
        tipo=tipo,
        importe=monto,
        vigencia=vigencia,
        referencia=referencia,
        clabe=_clabe_libre(reservado, hoy=hoy) if reservado is not None else None,
        detalle=detalle,
        emitido_por=usuario,
    )
    fopi.save(force_insert=True)
    if reservado is None:
        fopi.clabe = _clabe_libre(fopi.pk, hoy=hoy)
        fopi.save(update_fields=["clabe"])
    transaction.on_commit(lambda: metricas.FOPIS.labels(tipo).inc())
    return fopi


def _id_reservado() -> int | None:
    """On PostgreSQL, the next FOPI id, taken from the table's sequence (as the INSERT would take it; a rolled
    back issue leaves a gap, as a rolled back INSERT does). None on other databases."""
    conexion = connections[router.db_for_write(Fopi)]
    if conexion.vendor != "postgresql":
        return None
    with conexion.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [Fopi._meta.db_table, Fopi._meta.pk.column])
        return cursor.fetchone()[0]


def _clabe_libre(numero: int, *, hoy: date) -> str:
    """The CLABE of the new FOPI of id `numero`: its 7-digit number is the FOPI's id, unique without a counter row every issue
    would lock. Past 9,999,999 FOPIs, the CLABE of a FOPI that expired or was cancelled unpaid more than a
    year ago passes to it, the lowest first, as the 3-digit FOPI numbers are used again (`_secuencia_libre`).

    A year: a transfer to an old FOPI's CLABE after its vigencia goes to review anyway, and after a year
    nobody pays a slip that old; if someone does, the deposit reaches the new FOPI, whose exact amount it
    will not have, and waits for review.
    """
    if numero <= NUMERO_MAXIMO:
        return clabe_para(numero, prefijo=settings.SPEI_PREFIJO)
    # skip_locked: another issue taking the same old CLABE now moves on to the next instead of waiting (and
    # never waits on a FOPI row its own loan's issue holds).
    libre = (
        Fopi.objects.select_for_update(skip_locked=True)
        .filter(
            clabe__startswith=clabe_para(1, prefijo=settings.SPEI_PREFIJO)[:10],
            clabe_reasignada=False,
            estado__in=[Fopi.Estado.CANCELADO, Fopi.Estado.VENCIDO, Fopi.Estado.PENDIENTE],
            vigencia__lt=hoy - timedelta(days=DIAS_PARA_REUSAR_CLABE),
        )
        .order_by("clabe")
        .first()
    )
    if libre is None:
        raise ValidationError("No quedan cuentas CLABE para formatos de pago; comunícate al CAPP.")
    libre.clabe_reasignada = True
    libre.save(update_fields=["clabe_reasignada"])
    return libre.clabe


def _fopis_para_emitir(prestamo: Prestamo) -> list:
    """The loan's FOPIs, and every FOPI whose reference starts with the loan's folio (every reference the loan
    can take does, fopi/referencia.py): what `fopi_emitir` checks, in one query instead of four."""
    return list(
        Fopi.objects.filter(Q(prestamo=prestamo) | Q(referencia__startswith=prestamo.folio))
        .order_by()
        .values_list("prestamo_id", "secuencia", "estado", "emitido", "vigencia", "referencia", named=True)
    )


def _secuencia_libre(prestamo: Prestamo, *, vigencia: date, importe: Decimal, fopis: list) -> tuple[int, str]:
    """The loan's next 3-digit FOPI number not held by a pending or paid FOPI, whose reference no FOPI has.

    Numbers follow each other (after the highest issued); the reference holds only 3 digits for them, so
    once 999 is reached the numbers of FOPIs that expired or were cancelled unpaid are used again, from the
    lowest: a loan is never locked out of paying. Money is matched by the whole reference,
    which also carries the vigencia and the amount's digit, so a payment made with an old FOPI's reference
    still finds that old (cancelled) FOPI and goes to review, never to the new one (docs/reglas.md §7).

    `fopis`: `_fopis_para_emitir`'s rows, read after nothing else could change them; the pending ones among them
    have just been expired or cancelled (`fopi_emitir`), so only the paid ones hold their number.
    """
    propios = [f for f in fopis if f.prestamo_id == prestamo.pk]
    ocupados = {f.secuencia for f in propios if f.estado == Fopi.Estado.PAGADO}
    ultimo = max((f.secuencia for f in propios), default=0)
    tomadas = {f.referencia for f in fopis}
    for numero in (*range(ultimo + 1, SECUENCIA_MAXIMA + 1), *range(1, ultimo + 1)):
        if numero in ocupados:
            continue
        referencia = construir_referencia(folio=prestamo.folio, secuencia=numero, vigencia=vigencia, importe=importe)
        if referencia not in tomadas:
            return numero, referencia
    raise ValidationError("Este préstamo tiene 999 formatos de pago pagados o pendientes; comunícate al CAPP.")


# --- Money received for a FOPI (bank file or SPEI) ----------------------------------------------------


def motivo_de_revision(fopi: Fopi, *, fecha: date, importe: Decimal) -> str:
    """Why money received for `fopi` cannot be applied automatically ('' when it pays it exactly, in time).

    The same rule for both channels (docs/reglas.md §7, §11): a FOPI is single use, for its exact amount, by its
    vigencia. A FOPI past its vigencia but paid on or before it (a bank file arrives days later) still
    matches.
    """
    if fopi.estado == Fopi.Estado.CANCELADO:
        return "FOPI cancelado (se emitió uno más reciente)"
    if fopi.estado == Fopi.Estado.PAGADO:
        return "Segundo pago del mismo FOPI"
    if importe != fopi.importe:
        return f"Importe distinto al del FOPI ({formato_moneda(fopi.importe)})"
    if fecha > fopi.vigencia:
        return f"Pagado después de la vigencia ({formato_fecha(fopi.vigencia)})"
    return ""


def _origen(pago: PagoBancario, fopi: Fopi) -> str:
    """The ledger's origen: what the statement shows next to the payment."""
    if pago.canal == PagoBancario.Canal.SPEI:
        return f"SPEI {pago.clave_rastreo} · FOPI {fopi.get_tipo_display()} {fopi.referencia}"
    return f"FOPI {fopi.get_tipo_display()} {fopi.referencia} · {pago.banco} autorización {pago.autorizacion}"


@transaction.atomic
def pago_registrar(*, pago: PagoBancario, fecha_valor: date | None = None, usuario=None) -> PagoBancario:
    """Record money received (an unsaved PagoBancario) and apply it to its FOPI's loan when it matches.

    `pago.fopi` is the FOPI it names, or None; a `pago.motivo` already set (bad reference, unknown CLABE)
    sends it to review as is. The loan row is locked before the FOPI is read, as `fopi_emitir` does: a
    bank file and a SPEI deposit paying the same FOPI at once would otherwise both find it pending.
    The payment row is inserted before any money moves, so its unique key (bank + authorization, or the
    clave de rastreo) is claimed first and a concurrent duplicate fails without touching the ledger.
    """
    fopi = pago.fopi
    if fopi is not None and not pago.motivo:
        (prestamo,) = libro.bloquear([fopi.prestamo_id], consulta=Prestamo.objects.only("pk", "estado"))
        fopi = Fopi.objects.get(pk=fopi.pk)  # its estado as of now, under the loan's lock
        fopi.prestamo = prestamo
        pago.fopi = fopi
        pago.motivo = motivo_de_revision(fopi, fecha=pago.fecha_pago, importe=pago.importe)
    elif fopi is None and not pago.motivo:
        raise ValueError("Un pago sin FOPI necesita el motivo por el que queda en revisión.")
    if pago.motivo:
        pago.estado = PagoBancario.Estado.EN_REVISION
        pago.save()
        log.info("pago_en_revision", pago_id=pago.pk, canal=pago.canal, fopi_id=pago.fopi_id)
        avisos.pago_en_revision(pago)  # received the moment it arrives, applied or not (docs/reglas.md §13)
        return pago
    liquidado_antes = fopi.prestamo.estado == Prestamo.Estado.LIQUIDADO
    pago.estado, pago.prestamo = PagoBancario.Estado.APLICADO, fopi.prestamo
    pago.save()
    pago.movimiento = prestamo_aplicar_pago(
        prestamo=fopi.prestamo,
        importe=pago.importe,
        fecha_valor=fecha_valor or pago.fecha_pago,
        tipo=Movimiento.Tipo.PAGO_SPEI if pago.canal == PagoBancario.Canal.SPEI else Movimiento.Tipo.PAGO,
        origen=_origen(pago, fopi),
        usuario=usuario,
    )
    pago.save(update_fields=["movimiento"])
    log.info(
        "pago_aplicado",
        pago_id=pago.pk,
        canal=pago.canal,
        fopi_id=fopi.pk,
        prestamo_id=fopi.prestamo_id,
        movimiento_id=pago.movimiento_id,
    )
    fopi.estado, fopi.pagado_el = Fopi.Estado.PAGADO, pago.fecha_pago
    fopi.save(update_fields=["estado", "pagado_el"])
    avisos.pago_aplicado(pago, liquidado_antes=liquidado_antes)
    return pago


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
    # Locked here already (prestamo_aplicar_pago locks it again) to read whether this payment settles it.
    (bloqueado,) = libro.bloquear([prestamo.pk], consulta=Prestamo.objects.only("pk", "estado"))
    liquidado_antes = bloqueado.estado == Prestamo.Estado.LIQUIDADO
    if pago.canal == PagoBancario.Canal.SPEI:
        origen = f"SPEI {pago.clave_rastreo} aplicado por el CAPP"
    else:
        origen = f"Pago {pago.banco} autorización {pago.autorizacion} aplicado por el CAPP"
    pago.movimiento = prestamo_aplicar_pago(
        prestamo=prestamo,
        importe=pago.importe,
        fecha_valor=min(pago.fecha_pago, timezone.localdate()),
        tipo=Movimiento.Tipo.PAGO_CAPP,
        origen=origen,
        usuario=usuario,
        motivo=motivo,
    )
    pago.estado, pago.prestamo = PagoBancario.Estado.APLICADO_CAPP, prestamo
    pago.save(update_fields=["estado", "prestamo", "movimiento"])
    AccionPago.objects.create(
        pago=pago, accion=AccionPago.Accion.APLICAR, prestamo=prestamo, motivo=motivo, usuario=usuario
    )
    transaction.on_commit(lambda: metricas.PAGOS_RESUELTOS.labels("aplicar").inc())
    log.info("pago_revision_aplicado", pago_id=pago.pk, prestamo_id=prestamo.pk, movimiento_id=pago.movimiento_id)
    _cerrar_fopi(pago, prestamo)
    avisos.pago_aplicado(pago, liquidado_antes=liquidado_antes)
    return pago


def _cerrar_fopi(pago: PagoBancario, prestamo: Prestamo) -> None:
    """Money applied to its own FOPI's loan paid that FOPI (docs/reglas.md §13): still shown pending it would invite
    a second payment. Paid with another amount, its page says "Pagado con diferencia" (fopi.selectors). A FOPI
    cancelled or already paid stays as it is (the loan's lock is held: nobody issues or pays one meanwhile)."""
    if pago.fopi_id is None or pago.fopi.prestamo_id != prestamo.pk:
        return
    Fopi.objects.filter(pk=pago.fopi_id, estado__in=[Fopi.Estado.PENDIENTE, Fopi.Estado.VENCIDO]).update(
        estado=Fopi.Estado.PAGADO, pagado_el=pago.fecha_pago
    )


@transaction.atomic
def pago_marcar_devolucion(*, pago: PagoBancario, usuario, motivo: str) -> PagoBancario:
    """CAPP decides money under review goes back: the refund enters Operación's queue in the same transaction, so
    received = applied + in review + marked for refund, and each one marked has its refund (docs/reglas.md §13)."""
    if not motivo.strip():
        raise ValidationError("Escribe el motivo de la devolución.")
    pago = _pago_en_revision(pago)
    pago.estado = PagoBancario.Estado.DEVOLUCION
    pago.save(update_fields=["estado"])
    AccionPago.objects.create(pago=pago, accion=AccionPago.Accion.DEVOLVER, motivo=motivo, usuario=usuario)
    transaction.on_commit(lambda: metricas.PAGOS_RESUELTOS.labels("devolver").inc())
    log.info("pago_revision_por_devolver", pago_id=pago.pk)
    devolucion = DevolucionPago.objects.create(
        pago=pago, importe=pago.importe, cuenta=pago.cuenta_ordenante if pago.canal == PagoBancario.Canal.SPEI else ""
    )
    avisos.pago_por_devolver(devolucion)
    return pago


@transaction.atomic
def devolucion_pago_pagar(
    *, devolucion: DevolucionPago, clave_rastreo: str, usuario, cuenta: str = ""
) -> DevolucionPago:
    """Operación paid back money that never reached a loan: recorded with its SPEI tracking key, and told. No
    ledger entry: that money was never in the ledger (a saldo a favor's refund is recuperacion.devoluciones)."""
    clave_rastreo = clave_rastreo.strip()
    if not clave_rastreo or len(clave_rastreo) > 30 or not clave_rastreo.isascii():
        raise ValidationError("Escribe la clave de rastreo SPEI de la transferencia (hasta 30 caracteres).")
    # Locked: two officers recording the same transfer would tell the borrower twice.
    devolucion = (
        DevolucionPago.objects.select_for_update(of=("self",)).select_related("pago__fopi").get(pk=devolucion.pk)
    )
    if devolucion.estado != DevolucionPago.Estado.PENDIENTE:
        raise ValidationError("Esta devolución ya se registró como pagada.")
    cuenta = cuenta.strip().replace(" ", "") or devolucion.cuenta
    if not cuenta:
        raise ValidationError("Escribe la CLABE a la que se transfirió (la que dio el derechohabiente).")
    devolucion.estado, devolucion.clave_rastreo, devolucion.cuenta = DevolucionPago.Estado.PAGADA, clave_rastreo, cuenta
    devolucion.pagada, devolucion.pagada_por = timezone.now(), usuario
    devolucion.save(update_fields=["estado", "clave_rastreo", "cuenta", "pagada", "pagada_por"])
    avisos.pago_devuelto(devolucion)
    return devolucion


def fopis_vencer(*, hoy: date) -> int:
    """Daily: pending FOPIs past their vigencia become VENCIDO (pages already show them so)."""
    return Fopi.objects.filter(estado=Fopi.Estado.PENDIENTE, vigencia__lt=hoy).update(estado=Fopi.Estado.VENCIDO)
