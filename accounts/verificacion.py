"""The e-mail verification code stays good in any session until it expires (docs/reglas.md §3: log in at once).

allauth keeps the code in the session that asked for it, so logging in from another tab or after "Cancelar"
started a new code and mailed it, and the per-address limit on those mails answered 429 within minutes of
registering. Here the code mailed last for an account and address is kept in the shared cache for its
lifetime: a login meanwhile resumes it (same code, same expiry) instead of mailing another.
"""

import hashlib

from allauth.account import app_settings
from allauth.account.internal.flows.email_verification_by_code import EmailVerificationProcess
from django.core.cache import cache


def _clave(usuario_id, email: str) -> str:
    return f"verificacion-correo:{usuario_id}:{hashlib.sha256(email.lower().encode()).hexdigest()}"


def codigo_recordar(proceso: EmailVerificationProcess) -> None:
    """After a code is mailed: remember it for logins in other sessions."""
    if proceso.user is None or proceso.state.get("account_already_exists"):
        return
    cache.set(
        _clave(proceso.user.pk, proceso.email),
        {"code": proceso.code, "at": proceso.state["at"]},
        app_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT,
    )


def codigo_reanudar(request, email_address) -> bool:
    """At login of an unverified account: put the code still in force into this session, if there is one."""
    guardado = cache.get(_clave(email_address.user_id, email_address.email))
    if not guardado:
        return False
    estado = EmailVerificationProcess.initial_state(email_address.user, email_address.email)
    estado.update(code=guardado["code"], at=guardado["at"])
    proceso = EmailVerificationProcess(request=request, user=email_address.user, state=estado)
    if not proceso.is_valid():
        return False
    proceso.persist()
    return True
