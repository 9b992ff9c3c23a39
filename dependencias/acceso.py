"""A dependencia user reaches only /dependencias/ (docs/reglas.md §16): everything else answers 404, except
signing in and out and the second factor's own steps. The second factor itself is the staff's
(oficina/segundo_factor.py), which this middleware switches on for these users with `request.es_dependencia`.

Who is a payroll user is asked of the database once, at login, and kept in the session (`MARCA_SESION`), so a
borrower's page does not pay a query for it on every request; a session from before the mark asks once and
keeps the answer. The portal itself (/dependencias/) always asks the database: a user made a payroll officer
in the middle of a session gets the second factor there, and one removed gets nothing. Outside the portal the
mark decides: a payroll user stays confined until logging out even if removed meanwhile (stricter), and one
added mid-session reaches outside the portal only the borrower pages of their own account, as before.
"""

from django.http import Http404, HttpResponseRedirect

from oficina.segundo_factor import PARA_ACTIVAR, PARA_CONFIRMAR

PERMITIDAS = frozenset({"account_login", "account_logout", "mfa_authenticate"}) | PARA_ACTIVAR | PARA_CONFIRMAR
PREFIJO = "/dependencias/"
MARCA_SESION = "ov_dependencia"


def es_dependencia(usuario) -> bool:
    """Asked of the database (once per user object)."""
    if not getattr(usuario, "is_authenticated", False) or usuario.is_staff:
        return False
    if not hasattr(usuario, "_es_dependencia"):
        from dependencias.models import UsuarioDependencia

        usuario._es_dependencia = UsuarioDependencia.objects.filter(usuario=usuario).exists()
    return usuario._es_dependencia


def marcar_al_entrar(sender, request, user, **kwargs) -> None:
    """`user_logged_in`: login writes the session anyway; the mark goes with it."""
    if request is not None and hasattr(request, "session"):
        request.session[MARCA_SESION] = es_dependencia(user)


def es_dependencia_segun_sesion(request, usuario) -> bool:
    """The session's mark; a session without one (from before it existed) asks the database once and keeps it."""
    if usuario.is_staff:
        return False
    marca = request.session.get(MARCA_SESION)
    if marca is None:
        marca = request.session[MARCA_SESION] = es_dependencia(usuario)
    return marca


class SoloPortalDependenciasMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, vista, args, kwargs):
        if getattr(vista, "sin_datos", False):
            return None  # the benchmark's bare view: shows nothing, reads no session
        usuario = getattr(request, "user", None)
        if usuario is None or not usuario.is_authenticated or usuario.is_staff:
            return None
        en_portal = request.path.startswith(PREFIJO)
        if not (es_dependencia(usuario) if en_portal else es_dependencia_segun_sesion(request, usuario)):
            return None
        request.es_dependencia = True
        if en_portal:
            return None
        nombre = request.resolver_match.view_name if request.resolver_match else ""
        if nombre in PERMITIDAS:
            return None
        if nombre == "inicio":
            return HttpResponseRedirect(PREFIJO)
        raise Http404
