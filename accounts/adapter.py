from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class OficinaAccountAdapter(DefaultAccountAdapter):
    """E-mails name the portal ("Oficina Virtual"), never the host that served the request."""

    def format_email_subject(self, subject: str) -> str:
        return f"{settings.PORTAL_NOMBRE} — {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {**context, "portal_nombre": settings.PORTAL_NOMBRE, "portal_url": settings.PORTAL_URL}
        super().send_mail(template_prefix, email, context)
