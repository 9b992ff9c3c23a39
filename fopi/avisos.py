"""E-mails to the borrower about their payments (docs/reglas.md §11): a payment applied, a FOPI about to expire
unpaid, a loan paid off.

Each event is recorded (`AvisoCorreo`, unique per event) in the transaction that caused it, and its
e-mail goes out only after that transaction commits: a rolled-back payment tells nobody, and a second
run, a retried request or a concurrent one finds the event already recorded and sends nothing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from fopi import documentos
from fopi.models import AvisoCorreo, Fopi, PagoBancario
from oficina.formatos import formato_fecha, formato_moneda
from prestamos.models import Prestamo

logger = logging.getLogger(__name__)

DIAS_ANTES_DE_VENCER = 2
# E-mails go out in the request that applied the payment (a bank's notification among them): an SMTP
# server that does not answer must not hold that request for long. Unsent ones stay recorded.
SEGUNDOS_SMTP = 10
# A payoff is told by the payment that caused it; the daily run catches the rest (a last payroll
# deduction, a file loaded late) if it happened within these days, and never tells a loan that was
# loaded already paid off.
DIAS_LIQUIDACION_RECIENTE = 31


def pago_aplicado(pago: PagoBancario, *, liquidado_antes: bool) -> None:
    """Called by the service that applied `pago`, inside its transaction."""
    prestamo = Prestamo.objects.select_related("derechohabiente__usuario").defer("posicion").get(pk=pago.prestamo_id)
    nuevos = [_registrar(AvisoCorreo.Tipo.PAGO_APLICADO, pago.pk, prestamo)]
    if prestamo.estado == Prestamo.Estado.LIQUIDADO and not liquidado_antes:
        nuevos.append(_registrar(AvisoCorreo.Tipo.PRESTAMO_LIQUIDADO, prestamo.pk, prestamo))
    _enviar_al_confirmar(nuevos)


@transaction.atomic
def fopis_por_vencer_avisar(*, hoy: date) -> int:
    """Daily: pending FOPIs whose vigencia is within 2 days. Returns how many were newly recorded."""
    fopis = (
        Fopi.objects.filter(
            estado=Fopi.Estado.PENDIENTE,
            vigencia__gte=hoy,
            vigencia__lte=hoy + timedelta(days=DIAS_ANTES_DE_VENCER),
        )
        .exclude(prestamo__estado=Prestamo.Estado.LIQUIDADO)
        .exclude(pk__in=AvisoCorreo.objects.filter(tipo=AvisoCorreo.Tipo.FOPI_POR_VENCER).values("objeto"))
        .select_related("prestamo__derechohabiente__usuario")
    )
    nuevos = [_registrar(AvisoCorreo.Tipo.FOPI_POR_VENCER, f.pk, f.prestamo) for f in fopis]
    _enviar_al_confirmar(nuevos)
    return sum(1 for a in nuevos if a is not None)


@transaction.atomic
def liquidaciones_avisar(*, hoy: date) -> int:
    """Daily: loans paid off recently that no payment of ours told (e.g. by their last deduction)."""
    prestamos = (
        Prestamo.objects.filter(
            estado=Prestamo.Estado.LIQUIDADO,
            fecha_liquidacion__gte=hoy - timedelta(days=DIAS_LIQUIDACION_RECIENTE),
        )
        .exclude(estado_inicial=Prestamo.Estado.LIQUIDADO)
        .exclude(pk__in=AvisoCorreo.objects.filter(tipo=AvisoCorreo.Tipo.PRESTAMO_LIQUIDADO).values("objeto"))
        .select_related("derechohabiente__usuario")
    )
    nuevos = [_registrar(AvisoCorreo.Tipo.PRESTAMO_LIQUIDADO, p.pk, p) for p in prestamos]
    _enviar_al_confirmar(nuevos)
    return sum(1 for a in nuevos if a is not None)


def _registrar(tipo: str, objeto: int, prestamo: Prestamo) -> AvisoCorreo | None:
    """The event's record, or None when it was recorded already (by another run or request)."""
    usuario = prestamo.derechohabiente.usuario
    correo = usuario.email if usuario is not None and usuario.is_active else ""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a duplicate
            return AvisoCorreo.objects.create(tipo=tipo, objeto=objeto, prestamo=prestamo, correo=correo)
    except IntegrityError:
        return None


def _enviar_al_confirmar(avisos: list[AvisoCorreo | None]) -> None:
    ids = [a.pk for a in avisos if a is not None and a.correo]
    if ids:
        # robust: a failure to send after the money was booked is logged, never an error for the caller.
        transaction.on_commit(lambda: enviar(ids), robust=True)


def enviar(ids: list[int]) -> int:
    """Send the recorded e-mails not sent yet; a failed send is logged, not retried. Returns how many."""
    avisos = list(
        AvisoCorreo.objects.filter(pk__in=ids, enviado__isnull=True)
        .exclude(correo="")
        .select_related("prestamo__derechohabiente")
    )
    if not avisos:
        return 0
    conexion = get_connection(timeout=SEGUNDOS_SMTP)
    try:
        conexion.open()
    except Exception:
        logger.exception("Sin conexión al servidor de correo: %s avisos quedan sin enviar", len(avisos))
        return 0
    enviados = []
    try:
        for aviso in avisos:
            try:
                mensaje = _mensaje(aviso)
                mensaje.connection = conexion
                mensaje.send()
            except Exception:
                logger.exception("No se pudo enviar el aviso %s %s", aviso.tipo, aviso.objeto)
                continue
            enviados.append(aviso.pk)
    finally:
        conexion.close()
    AvisoCorreo.objects.filter(pk__in=enviados).update(enviado=timezone.now())
    return len(enviados)


def _enlace(nombre: str, *args) -> str:
    return settings.PORTAL_URL.rstrip("/") + reverse(nombre, args=args)


def _mensaje(aviso: AvisoCorreo) -> EmailMessage:
    prestamo = aviso.prestamo
    contexto = {
        "portal": settings.PORTAL_NOMBRE,
        "nombre": prestamo.derechohabiente.nombre,
        "folio": prestamo.folio,
        "telefono": settings.CAPP_TELEFONO,
        "correo_capp": settings.CAPP_CORREO,
    }
    adjuntos = []
    if aviso.tipo == AvisoCorreo.Tipo.PAGO_APLICADO:
        pago = PagoBancario.objects.select_related("fopi", "movimiento", "prestamo__derechohabiente").get(pk=aviso.objeto)
        contexto.update(
            importe=formato_moneda(pago.importe),
            fecha=formato_fecha(pago.fecha_pago),
            spei=pago.canal == PagoBancario.Canal.SPEI,
            moratorios=formato_moneda(pago.movimiento.moratorios),
            interes=formato_moneda(pago.movimiento.interes),
            capital=formato_moneda(pago.movimiento.capital),
            excedente=formato_moneda(pago.movimiento.excedente) if pago.movimiento.excedente else "",
            enlace=_enlace("pago_lista"),
        )
        folio = documentos.folio_comprobante(pago)
        adjuntos.append((f"comprobante-{folio}.pdf", documentos.comprobante_pdf(pago), "application/pdf"))
        plantilla = "pago_aplicado"
    elif aviso.tipo == AvisoCorreo.Tipo.FOPI_POR_VENCER:
        fopi = Fopi.objects.get(pk=aviso.objeto)
        contexto.update(
            tipo=fopi.get_tipo_display(),
            importe=formato_moneda(fopi.importe),
            vigencia=formato_fecha(fopi.vigencia),
            referencia=fopi.referencia,
            clabe=fopi.clabe,
            beneficiario=settings.SPEI_BENEFICIARIO,
            enlace=_enlace("fopi_detalle", fopi.pk),
        )
        plantilla = "fopi_por_vencer"
    else:
        contexto.update(
            fecha=formato_fecha(prestamo.fecha_liquidacion) if prestamo.fecha_liquidacion else "",
            enlace=_enlace("estado_cuenta"),
            carta=_enlace("carta_liquidacion", prestamo.folio),
        )
        plantilla = "prestamo_liquidado"
    asunto = render_to_string(f"fopi/email/{plantilla}_asunto.txt", contexto).strip()
    cuerpo = render_to_string(f"fopi/email/{plantilla}_mensaje.txt", contexto)
    mensaje = EmailMessage(asunto, cuerpo, to=[aviso.correo])
    for adjunto in adjuntos:
        mensaje.attach(*adjunto)
    return mensaje
