from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from django.conf import settings

from accounts import verificacion
from oficina.cliente import ip_del_cliente


class OficinaAccountAdapter(DefaultAccountAdapter):
    """E-mails name the portal ("Oficina Virtual"), never the host that served the request; rate limits count
    per client behind our proxies and per account."""

    def format_email_subject(self, subject: str) -> str:
        return f"{settings.PORTAL_NOMBRE} — {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {**context, "portal_nombre": settings.PORTAL_NOMBRE, "portal_url": settings.PORTAL_URL}
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

