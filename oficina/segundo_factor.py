"""Staff work only after their second factor (docs/reglas.md §3): every staff account sets up TOTP, and a
staff session reaches nothing a borrower's data lives behind — admin, console, payslips, documents, exports,
whatever the URL — until it authenticated with it.

allauth.mfa asks for the code at login to anyone who has TOTP; this middleware makes it compulsory for staff
and covers the sessions that began before TOTP was set up (they are sent to the second-factor step).

It decides by the URL's name and is closed by default: a staff session without the second factor gets only
the pages named below, which hold no one's data. A new page is covered the day it is added, wherever it
lives (tests/test_segundo_factor_staff.py walks every URL pattern).

It decides before the view runs (`process_view`), and about the pages named in SIN_DATOS (or a view marked
`@sin_datos`: the benchmark's bare view, no page of the product) before reading the session or the user —
those pages are open to everyone, so there is nothing to ask them. Every other page pays for the session
and the user here, which it needs anyway.
"""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

# Public pages and signing in and out.
SIN_DATOS = frozenset({
    "inicio", "verificar_inicio", "verificar",  # anyone holding a document checks its code
    "spei_abonos",  # the bank's signed notifications, not a session's
    "salud", "salud_lista",  # the load balancer's probes: no one's data, no session (oficina.salud)
    "captcha-image", "captcha-image-2x", "captcha-audio", "captcha-refresh",
    "account_login", "account_logout", "admin:logout", "mfa_authenticate",
})
# A staff account without TOTP sets it up; allauth asks for the password (or an e-mailed code) first.
PARA_ACTIVAR = frozenset({
    "mfa_activate_totp", "account_reauthenticate", "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
})
# One with TOTP types its code. Not even its recovery codes before that: a session that began before TOTP was
# set up could otherwise mint new ones and complete the second factor with them.
PARA_CONFIRMAR = frozenset({"mfa_reauthenticate"})


def sin_datos(vista):
    """Mark a view that shows no one's data and reads no session (the benchmark's bare view, bench/urls.py):
    the gate, the payroll users' confinement and the request log decide about it without loading either.
    The product's pages are named in SIN_DATOS instead (tests/test_segundo_factor_staff.py: none carries it)."""
    vista.sin_datos = True
    return vista


def sesion_con_segundo_factor(request) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


class SegundoFactorPersonalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, vista, args, kwargs):
        nombre = request.resolver_match.view_name
        if nombre in SIN_DATOS or getattr(vista, "sin_datos", False):
            return None  # open to anyone: no session or user to load
        usuario = getattr(request, "user", None)
        if usuario is None or not usuario.is_authenticated:
            return None
        # Staff, and the dependencias' payroll users (marked by dependencias/acceso.py, docs/reglas.md §16).
        if not (usuario.is_staff or getattr(request, "es_dependencia", False)):
            return None
        if sesion_con_segundo_factor(request):
            return None
        siguiente = urlencode({"next": request.get_full_path()})
        if not Authenticator.objects.filter(user=usuario, type=Authenticator.Type.TOTP).exists():
            if nombre in PARA_ACTIVAR:
                return None
            if request.method == "GET":
                messages.info(
                    request,
                    "Tu cuenta es del personal del CAPP: antes de continuar activa tu segundo factor. Escanea el "
                    "código con tu app de autenticación (Google Authenticator, Microsoft Authenticator u otra) y "
                    "escribe el código que muestre.",
                )
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{siguiente}")
        if nombre in PARA_CONFIRMAR:
            return None
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{siguiente}")
