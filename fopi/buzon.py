"""Every notice e-mailed to a borrower, kept in one place (docs/reglas.md §13): what the Avisos page lists.

Two ways in, one record (`AvisoCorreo`):
- `avisar(...)`: record a notice and e-mail it once the caller's transaction commits (a rolled-back payment tells
  nobody). With `objeto`, the event is told once: a second run, a retried request or a concurrent one finds it.
- `registrar_correo(...)`: the hook for a module that sends its own e-mail (allauth's account notices, the refund
  and aclaración e-mails of recuperacion): one call after it sent, and the notice is on the page.

The subject and text are stored as sent: the page shows what the borrower got, not a re-rendering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from fopi.models import AvisoCorreo
from prestamos.models import Derechohabiente, Prestamo

logger = logging.getLogger(__name__)

Tipo = AvisoCorreo.Tipo
# E-mails go out in the request that caused them (a bank's notification among them): an SMTP server that does
# not answer must not hold that request for long. Unsent ones stay recorded.
SEGUNDOS_SMTP = 10
# Attachments by kind, rebuilt when the e-mail is sent (fopi.avisos installs the comprobante's).
ADJUNTOS: dict[str, Callable[[AvisoCorreo], list[tuple[str, bytes, str]]]] = {}


def texto_de(derechohabiente: Derechohabiente, *parrafos: str) -> str:
    """The plain e-mail every notice built here shares: greeting, the paragraphs, how to reach the CAPP."""
    cuerpo = "\n\n".join(p.strip() for p in parrafos if p and p.strip())
    return (
        f"Hola, {derechohabiente.nombre}:\n\n{cuerpo}\n\n"
        f"¿Dudas? Llama a ISSSTETEL {settings.CAPP_TELEFONO} o escribe a {settings.CAPP_CORREO}.\n\n"
        f"{settings.PORTAL_NOMBRE} — ISSSTE\nEste correo se envió de forma automática; no lo respondas.\n"
    )


def asunto_de(texto: str) -> str:
    return f"{settings.PORTAL_NOMBRE} — {texto}"


def registrar(
    *, derechohabiente: Derechohabiente, tipo: str, asunto: str, cuerpo: str, prestamo: Prestamo | None = None,
    objeto: int | None = None, enviado: bool = False,
) -> AvisoCorreo | None:
    """The notice's record, or None when this event (`tipo`, `objeto`) was recorded already."""
    usuario = derechohabiente.usuario
    correo = usuario.email if usuario is not None and usuario.is_active else ""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a duplicate
            return AvisoCorreo.objects.create(
                tipo=tipo, derechohabiente=derechohabiente, prestamo=prestamo, objeto=objeto, asunto=asunto[:200],
                cuerpo=cuerpo, correo=correo, enviado=timezone.now() if enviado else None,
            )
    except IntegrityError:
        return None


def avisar(**datos) -> AvisoCorreo | None:
    """Record a notice (the arguments of `registrar`) and e-mail it after the caller's transaction commits."""
    aviso = registrar(**datos)
    enviar_al_confirmar([aviso])
    return aviso


def registrar_correo(**datos) -> AvisoCorreo | None:
    """For an e-mail another module already sent (the arguments of `registrar`): keep it on the Avisos page."""
    return registrar(**datos, enviado=True)


def enviar_al_confirmar(avisos: list[AvisoCorreo | None]) -> None:
    ids = [a.pk for a in avisos if a is not None and a.correo]
    if ids:
        # robust: a failure to send after the money was booked is logged, never an error for the caller.
        transaction.on_commit(lambda: enviar(ids), robust=True)


def enviar(ids: list[int]) -> int:
    """Send the recorded e-mails not sent yet; a failed send is logged, not retried. Returns how many."""
    avisos = list(AvisoCorreo.objects.filter(pk__in=ids, enviado__isnull=True).exclude(correo=""))
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
                mensaje = EmailMessage(aviso.asunto, aviso.cuerpo, to=[aviso.correo], connection=conexion)
                for adjunto in ADJUNTOS.get(aviso.tipo, lambda a: [])(aviso):
                    mensaje.attach(*adjunto)
                mensaje.send()
            except Exception:
                logger.exception("No se pudo enviar el aviso %s %s", aviso.tipo, aviso.objeto)
                continue
            enviados.append(aviso.pk)
    finally:
        conexion.close()
    AvisoCorreo.objects.filter(pk__in=enviados).update(enviado=timezone.now())
    return len(enviados)


def avisos_de(derechohabiente: Derechohabiente) -> list[AvisoCorreo]:
    """The Avisos page: every notice of the borrower, newest first (one query)."""
    return list(AvisoCorreo.objects.filter(derechohabiente=derechohabiente).select_related("prestamo").order_by("-creado", "-id"))


# --- allauth's account notices (it sends them itself: ACCOUNT_EMAIL_NOTIFICATIONS) -----------------------------


def _derechohabiente_de(usuario) -> Derechohabiente | None:
    return Derechohabiente.objects.select_related("usuario").filter(usuario=usuario).first()


def correo_cambiado(sender, request, user, from_email_address=None, to_email_address=None, **kwargs) -> None:
    """Receiver of allauth's `email_changed` (connected in fopi/apps.py): the account's address changed."""
    derechohabiente = _derechohabiente_de(user)
    if derechohabiente is None:
        return
    anterior = from_email_address.email if from_email_address else "(ninguno)"
    nuevo = to_email_address.email if to_email_address else ""
    registrar_correo(
        derechohabiente=derechohabiente, tipo=Tipo.CORREO, asunto=asunto_de("Cambió el correo de tu cuenta"),
        cuerpo=texto_de(
            derechohabiente,
            f"El correo principal de tu cuenta cambió de {anterior} a {nuevo}. Te avisamos al correo anterior.",
            "Si no fuiste tú, llama al CAPP de inmediato y cambia tu contraseña.",
        ),
    )


def correo_agregado(sender, request, user, email_address=None, **kwargs) -> None:
    """Receiver of allauth's `email_added` (accounts/avisos.py mails the main address about it)."""
    derechohabiente = _derechohabiente_de(user)
    if derechohabiente is None or email_address is None:
        return
    registrar_correo(
        derechohabiente=derechohabiente, tipo=Tipo.CORREO, asunto=asunto_de("Agregaste un correo a tu cuenta"),
        cuerpo=texto_de(
            derechohabiente,
            f"Se agregó el correo {email_address.email} a tu cuenta. Con él también se puede recuperar tu contraseña.",
            "Si no fuiste tú, llama al CAPP de inmediato y cambia tu contraseña.",
        ),
    )
