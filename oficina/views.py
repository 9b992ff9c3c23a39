from allauth.account import views as allauth_views
from captcha import views as captcha_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_POST

from oficina import limites
from oficina.cliente import ip_del_cliente

CAPTCHA_NUEVOS_POR_MINUTO = 20


def inicio(request):
    return render(request, "portal/inicio.html")


@login_required
def prestaciones(request):
    return render(request, "portal/prestaciones.html")


def demasiadas_peticiones(request, exception=None):
    """429 in Spanish, for allauth's limits (ROOT_URLCONF.handler429) and the portal's own."""
    return render(request, "429.html", status=429)


def csrf_fallido(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def error_servidor(request):
    # No context processors or database: whatever failed must not fail the error page too.
    contexto = {
        "PORTAL_NOMBRE": settings.PORTAL_NOMBRE,
        "CAPP_TELEFONO": settings.CAPP_TELEFONO,
        "CAPP_TELEFONO_MARCAR": settings.CAPP_TELEFONO_MARCAR,
        "CAPP_CORREO": settings.CAPP_CORREO,
    }
    return HttpResponseServerError(loader.get_template("500.html").render(contexto))


def _captcha_permitido(request) -> bool:
    # One budget per client for every new captcha row, whether from the refresh or from showing the signup form.
    return limites.permitir(f"captcha:{ip_del_cliente(request)}", maximo=CAPTCHA_NUEVOS_POR_MINUTO, segundos=60)


def captcha_nuevo(request):
    """django-simple-captcha's refresh writes a row per call: limited per client like a login."""
    if not _captcha_permitido(request):
        return demasiadas_peticiones(request)
    return captcha_views.captcha_refresh(request)


def registro(request, *args, **kwargs):
    """allauth's signup, whose form writes a captcha row each time it is shown: within the client's captcha
    budget (allauth's own "signup" limit counts only the POSTs that submit it)."""
    if not _captcha_permitido(request):
        return demasiadas_peticiones(request)
    return allauth_views.signup(request, *args, **kwargs)


@require_POST
def carga_reintentar(request, pk: int):
    """Admin: run again an upload whose worker died (POST from the upload's page)."""
    from prestamos import cargas

    if not request.user.has_perm("prestamos.add_carga"):
        raise PermissionDenied
    if cargas.carga_reintentar(carga_id=pk):
        messages.success(request, "La carga se volvió a poner en cola.")
    else:
        messages.error(request, "Sólo se puede volver a ejecutar una carga fallida.")
    return redirect("admin_carga", pk=pk)
