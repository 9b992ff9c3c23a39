"""Saldo a favor paid back (docs/reglas.md §9): the borrower's request and Operación's payment."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from fopi.clabe import es_clabe_valida
from prestamos import posiciones
from prestamos.calculo import formato_moneda
from prestamos.correcciones import devolver_saldo_a_favor
from prestamos.models import Prestamo
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
    prestamo = Prestamo.objects.select_for_update().get(pk=prestamo.pk)
    saldo = posiciones.posicion(prestamo).excedentes
    if saldo <= 0:
        raise ValidationError(f"El préstamo {prestamo.folio} no tiene saldo a favor.")
    if prestamo.devoluciones.filter(estado=SolicitudDevolucion.Estado.PENDIENTE).exists():
        raise ValidationError("Ya solicitaste la devolución de este saldo a favor; el CAPP la está procesando.")
    try:
        with transaction.atomic():
            return SolicitudDevolucion.objects.create(prestamo=prestamo, importe=saldo, clabe=clabe, titular=titular)
    except IntegrityError:
        raise ValidationError("Ya solicitaste la devolución de este saldo a favor; el CAPP la está procesando.")


@transaction.atomic
def devolucion_pagar(*, solicitud: SolicitudDevolucion, clave_rastreo: str, usuario, hoy: date | None = None) -> SolicitudDevolucion:
    """Operación paid the refund by SPEI: the ledger records it and the saldo a favor drops to zero."""
    clave_rastreo = clave_rastreo.strip()
    if not clave_rastreo or len(clave_rastreo) > 30 or not clave_rastreo.isascii():
        raise ValidationError("Escribe la clave de rastreo SPEI de la transferencia (hasta 30 caracteres).")
    solicitud = SolicitudDevolucion.objects.select_for_update(of=("self",)).select_related(
        "prestamo__derechohabiente__usuario"
    ).get(pk=solicitud.pk)
    if solicitud.estado != SolicitudDevolucion.Estado.PENDIENTE:
        raise ValidationError("Esta devolución ya se registró como pagada.")
    solicitud.movimiento = devolver_saldo_a_favor(
        prestamo=solicitud.prestamo, importe=solicitud.importe, clave_rastreo=clave_rastreo, usuario=usuario, hoy=hoy
    )
    solicitud.estado, solicitud.clave_rastreo = SolicitudDevolucion.Estado.PAGADA, clave_rastreo
    solicitud.pagada, solicitud.pagada_por = timezone.now(), usuario
    solicitud.save(update_fields=["estado", "clave_rastreo", "pagada", "pagada_por", "movimiento"])
    transaction.on_commit(lambda: _avisar_pago(solicitud))
    return solicitud


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
