"""E-mails to the borrower about their payments (docs/reglas.md §11, §13): a payment applied, in review, to be
refunded and refunded; a FOPI about to expire unpaid; a loan paid off.

Each event is recorded in `fopi.buzon` (`AvisoCorreo`, unique per event) in the transaction that caused it, and its
e-mail goes out only after that transaction commits: a rolled-back payment tells nobody, and a second run, a
retried request or a concurrent one finds the event already recorded and sends nothing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from fopi import buzon, documentos, selectors
from fopi.models import AvisoCorreo, DevolucionPago, Fopi, PagoBancario
from oficina.formatos import formato_fecha, formato_moneda
from prestamos.models import Prestamo

logger = logging.getLogger(__name__)

DIAS_ANTES_DE_VENCER = 2
# A payoff is told by the payment that caused it; the daily run catches the rest (a last payroll
# deduction, a file loaded late) if it happened within these days, and never tells a loan that was
# loaded already paid off.
DIAS_LIQUIDACION_RECIENTE = 31
enviar = buzon.enviar  # the management commands and tests send what is recorded through here


def pago_aplicado(pago: PagoBancario, *, liquidado_antes: bool) -> None:
    """Called by the service that applied `pago`, inside its transaction."""
    prestamo = Prestamo.objects.select_related("derechohabiente__usuario").defer("posicion").get(pk=pago.prestamo_id)
    nuevos = [_registrar(AvisoCorreo.Tipo.PAGO_APLICADO, pago.pk, prestamo)]
    if prestamo.estado == Prestamo.Estado.LIQUIDADO and not liquidado_antes:
        nuevos.append(_registrar(AvisoCorreo.Tipo.PRESTAMO_LIQUIDADO, prestamo.pk, prestamo))
    buzon.enviar_al_confirmar(nuevos)


def pago_en_revision(pago: PagoBancario) -> None:
    """Money received that was not applied at once: its owner hears it arrived, and why it waits."""
    titular = selectors.titular_de(pago)
    if titular is None:
        return  # nobody it can be told to: CAPP finds the owner
    buzon.avisar(
        derechohabiente=titular, prestamo=pago.fopi.prestamo if pago.fopi_id else None, tipo=AvisoCorreo.Tipo.PAGO_EN_REVISION,
        objeto=pago.pk,
        asunto=buzon.asunto_de(f"Recibimos tu pago de {formato_moneda(pago.importe)}: está en revisión"),
        cuerpo=buzon.texto_de(
            titular,
            f"Recibimos tu pago de {formato_moneda(pago.importe)} {_por(pago)}, con fecha {formato_fecha(pago.fecha_pago)}. "
            f"No lo aplicamos en automático: {selectors.motivo_para_el_acreditado(pago)}.",
            "No vuelvas a pagar por lo mismo. Puedes ver el estado de tu pago en Mis pagos:\n" + _enlace("pago_lista"),
        ),
    )


def pago_por_devolver(devolucion: DevolucionPago) -> None:
    pago = devolucion.pago
    titular = selectors.titular_de(pago)
    if titular is None:
        return
    destino = (
        f"a la cuenta de la que salió (terminada en {pago.cuenta_ordenante[-4:]})" if devolucion.cuenta
        else "a una cuenta a tu nombre: el CAPP se comunicará contigo para pedirte la CLABE"
    )
    buzon.avisar(
        derechohabiente=titular, prestamo=pago.fopi.prestamo if pago.fopi_id else None,
        tipo=AvisoCorreo.Tipo.PAGO_POR_DEVOLVER, objeto=pago.pk,
        asunto=buzon.asunto_de(f"Te devolveremos tu pago de {formato_moneda(pago.importe)}"),
        cuerpo=buzon.texto_de(
            titular,
            f"El CAPP revisó tu pago de {formato_moneda(pago.importe)} {_por(pago)}, con fecha "
            f"{formato_fecha(pago.fecha_pago)}, y no se aplicará a tu préstamo: te lo devolveremos {destino}.",
            "Te avisaremos cuando hagamos la transferencia, con su clave de rastreo. Sigue el estado en Mis pagos:\n"
            + _enlace("pago_lista"),
        ),
    )


def pago_devuelto(devolucion: DevolucionPago) -> None:
    pago = devolucion.pago
    titular = selectors.titular_de(pago)
    if titular is None:
        return
    buzon.avisar(
        derechohabiente=titular, prestamo=pago.fopi.prestamo if pago.fopi_id else None,
        tipo=AvisoCorreo.Tipo.PAGO_DEVUELTO, objeto=devolucion.pk,
        asunto=buzon.asunto_de(f"Te devolvimos tu pago de {formato_moneda(devolucion.importe)}"),
        cuerpo=buzon.texto_de(
            titular,
            f"Te transferimos {formato_moneda(devolucion.importe)}: la devolución de tu pago del "
            f"{formato_fecha(pago.fecha_pago)}. Clave de rastreo SPEI: {devolucion.clave_rastreo}.",
            "Puedes consultar la transferencia en el portal de Banxico (CEP) con esa clave.",
        ),
    )


def _por(pago: PagoBancario) -> str:
    return "por transferencia SPEI" if pago.canal == PagoBancario.Canal.SPEI else "en el banco"


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
    buzon.enviar_al_confirmar(nuevos)
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
    buzon.enviar_al_confirmar(nuevos)
    return sum(1 for a in nuevos if a is not None)


def _registrar(tipo: str, objeto: int, prestamo: Prestamo) -> AvisoCorreo | None:
    """The event's record with its e-mail rendered, or None when it was recorded already."""
    if AvisoCorreo.objects.filter(tipo=tipo, objeto=objeto).exists():
        return None  # (the unique key is the backstop for two at once)
    asunto, cuerpo = _mensaje(tipo, objeto, prestamo)
    return buzon.registrar(
        derechohabiente=prestamo.derechohabiente, prestamo=prestamo, tipo=tipo, objeto=objeto, asunto=asunto,
        cuerpo=cuerpo,
    )


def _enlace(nombre: str, *args) -> str:
    return settings.PORTAL_URL.rstrip("/") + reverse(nombre, args=args)


def _comprobante(aviso: AvisoCorreo) -> list[tuple[str, bytes, str]]:
    pago = PagoBancario.objects.select_related("fopi", "movimiento", "prestamo__derechohabiente").get(pk=aviso.objeto)
    return [(f"comprobante-{documentos.folio_comprobante(pago)}.pdf", documentos.comprobante_pdf(pago), "application/pdf")]


buzon.ADJUNTOS[AvisoCorreo.Tipo.PAGO_APLICADO] = _comprobante


def _mensaje(tipo: str, objeto: int, prestamo: Prestamo) -> tuple[str, str]:
    contexto = {
        "portal": settings.PORTAL_NOMBRE,
        "nombre": prestamo.derechohabiente.nombre,
        "folio": prestamo.folio,
        "telefono": settings.CAPP_TELEFONO,
        "correo_capp": settings.CAPP_CORREO,
        "palabras": prestamo.derechohabiente.palabras,  # a pensioner's e-mail speaks of her pension (§14)
    }
    if tipo == AvisoCorreo.Tipo.PAGO_APLICADO:
        pago = PagoBancario.objects.select_related("movimiento").get(pk=objeto)
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
        plantilla = "pago_aplicado"
    elif tipo == AvisoCorreo.Tipo.FOPI_POR_VENCER:
        fopi = Fopi.objects.get(pk=objeto)
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
    return asunto, render_to_string(f"fopi/email/{plantilla}_mensaje.txt", contexto)
