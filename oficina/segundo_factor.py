"""The admin requires a second factor (docs/reglas.md §3): every staff account sets up TOTP, and a session enters the
admin only once it authenticated with it.

allauth.mfa asks for the code at login to anyone who has TOTP; this middleware makes it compulsory for staff
and covers the sessions that began before TOTP was set up (they are sent to the second-factor step).
"""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse


def sesion_con_segundo_factor(request) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


class SegundoFactorAdminMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        usuario = getattr(request, "user", None)
        if (
            usuario is not None
            and usuario.is_authenticated
            and usuario.is_staff
            and request.path.startswith(reverse("admin:index"))
            and request.path != reverse("admin:logout")
        ):
            siguiente = urlencode({"next": request.get_full_path()})
            if not Authenticator.objects.filter(user=usuario, type=Authenticator.Type.TOTP).exists():
                messages.info(
                    request,
                    "Para entrar a la administración activa tu segundo factor: escanea el código con tu app de "
                    "autenticación (Google Authenticator, Microsoft Authenticator u otra) y escribe el código que muestre.",
                )
                return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{siguiente}")
            if not sesion_con_segundo_factor(request):
                return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{siguiente}")
        return self.get_response(request)
