"""Saldo a favor paid back (docs/reglas.md §9): the borrower's request, its cancellation and Operación's payment.

The CLABE sends the borrower's money somewhere, so the request asks for the password again (the view) and every
request or cancellation is told to the account's e-mail: a stolen session cannot redirect a refund unnoticed
(docs/reglas.md §3, rev. 3).
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from fopi import buzon
from fopi.clabe import es_clabe_valida
from fopi.models import AvisoCorreo
from oficina.formatos import formato_moneda
from prestamos import libro, posiciones
from prestamos.correcciones import devolver_saldo_a_favor
from prestamos.models import Movimiento, Prestamo
from recuperacion.models import SolicitudDevolucion

logger = logging.getLogger(__name__)


@transaction.atomic
def devolucion_solicitar(*, prestamo: Prestamo, clabe: str, titular: str) -> SolicitudDevolucion:
    """Ask for the loan's whole saldo a favor to be paid into `clabe`. The loan row is locked so two
    clicks make one request (the partial unique constraint is the backstop)."""
    clabe, titular = clabe.strip().replace(" ", ""), " ".join(titular.split())
    if not es_clabe_valida(clabe):
        raise ValidationError("La CLABE debe tener 18 dígitos y su dígito verificador debe ser correcto; revísala en tu estado de cuenta bancario.")
    if not 3 <= len(titular) <= 120:
        raise ValidationError("Escribe el nombre del titular de la cuenta, como aparece en tu banco.")
    (prestamo,) = libro.bloquear([prestamo.pk])
    saldo = posiciones.posicion(prestamo).excedentes
    if saldo <= 0:
        raise ValidationError(f"El préstamo {prestamo.folio} no tiene saldo a favor.")
    if prestamo.devoluciones.filter(estado=SolicitudDevolucion.Estado.PENDIENTE).exists():
        raise ValidationError("Ya solicitaste la devolución de este saldo a favor; el CAPP la está procesando.")
    try:
        with transaction.atomic():
            solicitud = SolicitudDevolucion.objects.create(prestamo=prestamo, importe=saldo, clabe=clabe, titular=titular)
    except IntegrityError:
        raise ValidationError("Ya solicitaste la devolución de este saldo a favor; el CAPP la está procesando.")
    transaction.on_commit(lambda: _avisar(solicitud, _texto_solicitud(solicitud), objeto=True))
    logger.info("devolucion_solicitada", extra={"solicitud_id": solicitud.pk, "prestamo_id": prestamo.pk})
    return solicitud


@transaction.atomic
def devolucion_cancelar(*, solicitud: SolicitudDevolucion, usuario) -> SolicitudDevolucion:
    """The owner withdraws a request still in process (a wrong CLABE, or one they did not make); the saldo a
    favor stays theirs and can be requested again. A paid request cannot be undone here."""
    # Locked: Operación recording the payment at the same moment waits, then finds it cancelled (or the
    # owner finds it paid).
    solicitud = SolicitudDevolucion.objects.select_for_update(of=("self",)).select_related(
        "prestamo__derechohabiente__usuario"
    ).get(pk=solicitud.pk)
    if solicitud.estado != SolicitudDevolucion.Estado.PENDIENTE:
        raise ValidationError(f"Esta solicitud ya no está en trámite: {solicitud.get_estado_display().lower()}.")
    if solicitud.prestamo.derechohabiente.usuario_id != usuario.pk:
        raise ValidationError("Sólo quien es titular del préstamo puede cancelar su solicitud.")
    solicitud.estado, solicitud.cancelada = SolicitudDevolucion.Estado.CANCELADA, timezone.now()
    solicitud.save(update_fields=["estado", "cancelada"])
    transaction.on_commit(lambda: _avisar(solicitud, _texto_cancelacion(solicitud)))
    return solicitud


def devolucion_revisar(*, solicitud: SolicitudDevolucion, clave_rastreo: str) -> str:
    """What recording a refund's payment requires, checked before anything is saved (the admin's form shows
    the reason at its field): a tracking key, a request still in process, and the saldo a favor it pays. The
    clean key; ValidationError in Spanish otherwise. `devolucion_pagar` checks again under the locks."""
    clave_rastreo = clave_rastreo.strip()
    if not clave_rastreo or len(clave_rastreo) > 30 or not clave_rastreo.isascii():
        raise ValidationError("Escribe la clave de rastreo SPEI de la transferencia (hasta 30 caracteres).")
    if solicitud.estado == SolicitudDevolucion.Estado.CANCELADA:
        if solicitud.nota:  # the system cancelled it: a reversal took its money
            raise ValidationError(f"Esta solicitud está cancelada; no se registra ningún pago. {solicitud.nota}")
        raise ValidationError("El derechohabiente canceló esta solicitud; no se registra ningún pago.")
    if solicitud.estado != SolicitudDevolucion.Estado.PENDIENTE:
        raise ValidationError("Esta devolución ya se registró como pagada.")
    saldo = posiciones.posicion(solicitud.prestamo).excedentes
    if saldo < solicitud.importe:
        raise ValidationError(
            f"El saldo a favor del préstamo {solicitud.prestamo.folio} es {formato_moneda(saldo)}, menos que los "
            f"{formato_moneda(solicitud.importe)} de esta solicitud; no la pagues y revísala con Supervisión."
        )
    return clave_rastreo


@transaction.atomic
def devolucion_pagar(*, solicitud: SolicitudDevolucion, clave_rastreo: str, usuario, hoy: date | None = None) -> SolicitudDevolucion:
    """Operación paid the refund by SPEI: the ledger records it and the saldo a favor drops to zero."""
    clave_rastreo = clave_rastreo.strip()
    if not clave_rastreo or len(clave_rastreo) > 30 or not clave_rastreo.isascii():
        raise ValidationError("Escribe la clave de rastreo SPEI de la transferencia (hasta 30 caracteres).")
    solicitud = SolicitudDevolucion.objects.select_for_update(of=("self",)).select_related(
        "prestamo__derechohabiente__usuario"
    ).get(pk=solicitud.pk)
    clave_rastreo = devolucion_revisar(solicitud=solicitud, clave_rastreo=clave_rastreo)
    solicitud.movimiento = devolver_saldo_a_favor(
        prestamo=solicitud.prestamo, importe=solicitud.importe, clave_rastreo=clave_rastreo, usuario=usuario, hoy=hoy
    )
    solicitud.estado, solicitud.clave_rastreo = SolicitudDevolucion.Estado.PAGADA, clave_rastreo
    solicitud.pagada, solicitud.pagada_por = timezone.now(), usuario
    solicitud.save(update_fields=["estado", "clave_rastreo", "pagada", "pagada_por", "movimiento"])
    transaction.on_commit(lambda: _avisar_pago(solicitud))
    logger.info("devolucion_pagada", extra={"solicitud_id": solicitud.pk, "movimiento_id": solicitud.movimiento.pk})
    return solicitud


def devoluciones_ajustar(*, prestamo_ids: list[int], motivo: str) -> list[SolicitudDevolucion]:
    """After a reversal: a pending refund can pay only the saldo a favor that still exists. Cancelled when none
    is left, reduced when less is; in the reversal's transaction, so the bank's CSV never lists money that is
    gone, and the borrower is told why (docs/reglas.md §9). The loans are already locked by the reversal."""
    cambiadas = []
    pendientes = SolicitudDevolucion.objects.select_for_update(of=("self",)).select_related(
        "prestamo__derechohabiente__usuario"
    ).filter(prestamo_id__in=prestamo_ids, estado=SolicitudDevolucion.Estado.PENDIENTE)
    for solicitud in pendientes:
        saldo = posiciones.posicion(solicitud.prestamo).excedentes
        if saldo >= solicitud.importe:
            continue
        antes = solicitud.importe
        if saldo <= 0:
            solicitud.estado, solicitud.cancelada = SolicitudDevolucion.Estado.CANCELADA, timezone.now()
            solicitud.nota = (f"Cancelada: se revirtió el dinero que formaba tu saldo a favor de {formato_moneda(antes)} "
                              f"({motivo}).")
        else:
            solicitud.importe = saldo
            solicitud.nota = (f"Reducida de {formato_moneda(antes)} a {formato_moneda(saldo)}: se revirtió parte del "
                              f"dinero que formaba tu saldo a favor ({motivo}).")
        solicitud.save(update_fields=["estado", "cancelada", "importe", "nota"])
        transaction.on_commit(lambda s=solicitud: _avisar(s, _texto_ajuste(s)))
        cambiadas.append(solicitud)
    return cambiadas


def devoluciones_seguir(*, prestamo_ids: list[int]) -> list[SolicitudDevolucion]:
    """After a reversal: a paid refund whose DEVOLUCION was reversed was booked again (`reaplica`; a refund
    already sent is never un-sent, docs/reglas.md §9), so its request names the row in force, in the reversal's
    transaction: the admin's link and the audit show the refund that counts. Follows the whole chain, so a
    request left on an older row (before this existed) catches up too."""
    seguidas = []
    # No lock: a paid request changes nowhere else, and its loan is locked by the reversal. One row per request
    # (a movement is reversed at most once: movimiento_revierte_una_vez).
    pagadas = SolicitudDevolucion.objects.filter(
        prestamo_id__in=prestamo_ids, estado=SolicitudDevolucion.Estado.PAGADA, movimiento__reversion__isnull=False
    )
    for solicitud in pagadas:
        antes = movimiento_id = solicitud.movimiento_id
        while Movimiento.objects.filter(revierte_id=movimiento_id).exists():
            movimiento_id = Movimiento.objects.values_list("pk", flat=True).get(reaplica_id=movimiento_id)
        solicitud.movimiento_id = movimiento_id
        solicitud.save(update_fields=["movimiento"])
        # Logged on commit: a reversal's preview (prestamos/vista_previa.py) runs this and rolls it back.
        datos = {"solicitud_id": solicitud.pk, "antes": antes, "movimiento_id": movimiento_id}
        transaction.on_commit(lambda datos=datos: logger.info("devolucion_reasentada", extra=datos))
        seguidas.append(solicitud)
    return seguidas


def _al_revertir(sender, *, prestamo_ids, motivo, **kwargs) -> None:
    devoluciones_seguir(prestamo_ids=prestamo_ids)
    devoluciones_ajustar(prestamo_ids=prestamo_ids, motivo=motivo)


def _texto_ajuste(solicitud: SolicitudDevolucion) -> tuple[str, str]:
    cancelada = solicitud.estado == SolicitudDevolucion.Estado.CANCELADA
    siguiente = (
        "Ya no hay saldo a favor que devolver en tu préstamo" if cancelada
        else "Te transferiremos el nuevo importe a la misma CLABE; préstamo"
    )
    return (
        "se canceló tu solicitud de devolución" if cancelada else "cambió tu solicitud de devolución",
        (
            f"{solicitud.nota}\n{siguiente} {solicitud.prestamo.folio}.\n\n"
            f"Si tienes dudas, llama al CAPP: {settings.CAPP_TELEFONO}, o escribe a {settings.CAPP_CORREO}.\n"
        ),
    )


def _texto_solicitud(solicitud: SolicitudDevolucion) -> tuple[str, str]:
    return (
        "solicitaste la devolución de tu saldo a favor",
        (
            f"Recibimos una solicitud para transferir {formato_moneda(solicitud.importe)} de saldo a favor de tu préstamo "
            f"{solicitud.prestamo.folio} a la CLABE terminada en {solicitud.clabe[-4:]}, a nombre de {solicitud.titular}.\n"
            "Si la CLABE no es correcta, cancela la solicitud en la página Saldo a favor del portal y vuelve a "
            "solicitarla.\n\n"
            f"Si no fuiste tú, llama al CAPP de inmediato: {settings.CAPP_TELEFONO}, o escribe a {settings.CAPP_CORREO}. "
            "Cambia también tu contraseña.\n"
        ),
    )


def _texto_cancelacion(solicitud: SolicitudDevolucion) -> tuple[str, str]:
    return (
        "cancelaste tu solicitud de devolución",
        (
            f"Se canceló la solicitud de devolución de {formato_moneda(solicitud.importe)} de tu préstamo "
            f"{solicitud.prestamo.folio} a la CLABE terminada en {solicitud.clabe[-4:]}. Tu saldo a favor sigue siendo "
            "tuyo: puedes solicitarlo de nuevo cuando quieras.\n\n"
            f"Si no fuiste tú, llama al CAPP de inmediato: {settings.CAPP_TELEFONO}, o escribe a {settings.CAPP_CORREO}.\n"
        ),
    )


def _avisar(solicitud: SolicitudDevolucion, texto: tuple[str, str], *, objeto: bool = False) -> None:
    """E-mail the account's address (never the CLABE in full: an e-mail is not a safe place for it)."""
    usuario = solicitud.prestamo.derechohabiente.usuario
    if usuario is None or not usuario.email:
        return
    asunto, cuerpo = texto
    mensaje = EmailMessage(
        f"{settings.PORTAL_NOMBRE}: {asunto}",
        f"Hola, {solicitud.prestamo.derechohabiente.nombre}:\n\n{cuerpo}",
        to=[usuario.email],
    )
    try:
        mensaje.send()
    except Exception:
        logger.exception("No se pudo avisar la solicitud de devolución %s", solicitud.pk)
        return
    # Kept on the Avisos page (docs/reglas.md §13): the request once per solicitud, later changes each time.
    buzon.registrar_correo(
        derechohabiente=solicitud.prestamo.derechohabiente, prestamo=solicitud.prestamo,
        tipo=AvisoCorreo.Tipo.DEVOLUCION, objeto=solicitud.pk if objeto else None,
        asunto=mensaje.subject, cuerpo=mensaje.body,
    )


def _avisar_pago(solicitud: SolicitudDevolucion) -> None:
    usuario = solicitud.prestamo.derechohabiente.usuario
    if usuario is None or not usuario.email:
        return
    mensaje = EmailMessage(
        f"{settings.PORTAL_NOMBRE}: te devolvimos tu saldo a favor",
        (
            f"Hola, {solicitud.prestamo.derechohabiente.nombre}:\n\n"
            f"Transferimos {formato_moneda(solicitud.importe)} de saldo a favor de tu préstamo {solicitud.prestamo.folio} "
            f"a la CLABE terminada en {solicitud.clabe[-4:]}. Clave de rastreo SPEI: {solicitud.clave_rastreo}.\n"
            "Puedes consultar la transferencia en el portal de Banxico (CEP) con esa clave.\n\n"
            f"¿Dudas? Llama a ISSSTETEL {settings.CAPP_TELEFONO} o escribe a {settings.CAPP_CORREO}.\n"
        ),
        to=[usuario.email],
    )
    try:
        mensaje.send()
    except Exception:
        logger.exception("No se pudo avisar la devolución %s", solicitud.pk)
        return
    buzon.registrar_correo(
        derechohabiente=solicitud.prestamo.derechohabiente, prestamo=solicitud.prestamo,
        tipo=AvisoCorreo.Tipo.DEVOLUCION_PAGADA, objeto=solicitud.pk, asunto=mensaje.subject, cuerpo=mensaje.body,
    )
