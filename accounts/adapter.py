from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from django.conf import settings

from accounts import verificacion
from oficina.cliente import ip_del_cliente


class OficinaAccountAdapter(DefaultAccountAdapter):
    """E-mails name the portal ("Oficina Virtual"), never the host that served the request; rate limits count
    per client behind our proxies and per account; allauth's messages speak "tú" like the rest of the portal."""

    # allauth's Spanish catalogue says "usted" ("La dirección … que ha indicado no son correctas"); the keys
    # the borrower can meet, in our words. User name and e-mail get the same message: a login form must not
    # tell which one named an account.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "Tu cuenta está desactivada. Si no sabes por qué, comunícate al CAPP.",
        "cannot_remove_primary_email": "No puedes quitar tu correo principal.",
        "duplicate_email": "Ese correo ya está en tu cuenta.",
        "email_password_mismatch": "El usuario o correo, o la contraseña, no son correctos. Revísalos e inténtalo de nuevo.",
        "username_password_mismatch": "El usuario o correo, o la contraseña, no son correctos. Revísalos e inténtalo de nuevo.",
        "email_taken": "Ya hay una cuenta con ese correo electrónico.",
        "enter_current_password": "Escribe tu contraseña actual.",
        "incorrect_code": "El código no es correcto. Revisa el último correo que te enviamos.",
        "incorrect_password": "La contraseña no es correcta.",
        "invalid_or_expired_key": "El enlace ya no es válido o venció. Pide uno nuevo.",
        "invalid_login": "No pudimos iniciar tu sesión. Inténtalo de nuevo.",
        "invalid_password_reset": "El enlace para cambiar tu contraseña ya no es válido o ya se usó. Pide uno nuevo.",
        "max_email_addresses": "No puedes agregar más de %d correos.",
        "too_many_login_attempts": "Demasiados intentos fallidos con esta cuenta. Espera unos minutos, o entra ya con un "
        "código que te enviamos a tu correo («Entrar con un código», abajo).",
        "unknown_email": "Ese correo no corresponde a ninguna cuenta.",
        "unverified_primary_email": "Primero verifica tu correo principal.",
        "username_blacklisted": "No se puede usar ese nombre de usuario; elige otro.",
        "username_taken": "Ya existe una cuenta con ese nombre de usuario; elige otro.",
        "rate_limited": "Recibimos demasiadas solicitudes en poco tiempo. Espera unos minutos e inténtalo de nuevo.",
    }

    def format_email_subject(self, subject: str) -> str:
        return f"{settings.PORTAL_NOMBRE} — {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {
            **context,
            "portal_nombre": settings.PORTAL_NOMBRE,
            "portal_url": settings.PORTAL_URL,
            "capp_telefono": settings.CAPP_TELEFONO,
            "capp_correo": settings.CAPP_CORREO,
        }
        super().send_mail(template_prefix, email, context)

    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:
        super().send_confirmation_mail(request, emailconfirmation, signup)
        if isinstance(emailconfirmation, verificacion.EmailVerificationProcess):
            verificacion.codigo_recordar(emailconfirmation)

    def should_send_confirmation_mail(self, request, email_address, signup: bool) -> bool:
        # At login: the code mailed moments ago still works, so it is resumed instead of mailing another
        # (which the per-address limit would refuse with a 429).
        if not signup and verificacion.codigo_reanudar(request, email_address):
            return False
        return super().should_send_confirmation_mail(request, email_address, signup)

    def get_client_ip(self, request) -> str:
        return ip_del_cliente(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys the failed-login limit on the text typed, so user name and e-mail would get 5 tries
        # each: key it on the account they resolve to (the typed text only when it names no account).
        if credentials.get("email"):
            usuarios = filter_users_by_email(credentials["email"], prefer_verified=True)
        elif credentials.get("username"):
            usuarios = list(filter_users_by_username(credentials["username"]))
        else:
            usuarios = []
        if len(usuarios) == 1:
            return f"cuenta:{usuarios[0].pk}"
        return super()._get_login_attempts_cache_key(request, **credentials)

