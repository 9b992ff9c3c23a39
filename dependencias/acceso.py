"""A dependencia user reaches only /dependencias/ (docs/reglas.md §16): everything else answers 404, except
signing in and out and the second factor's own steps. The second factor itself is the staff's
(oficina/segundo_factor.py), which this middleware switches on for these users with `request.es_dependencia`.
"""

from django.http import Http404, HttpResponseRedirect

from oficina.segundo_factor import PARA_ACTIVAR, PARA_CONFIRMAR

PERMITIDAS = frozenset({"account_login", "account_logout", "mfa_authenticate"}) | PARA_ACTIVAR | PARA_CONFIRMAR
PREFIJO = "/dependencias/"


def es_dependencia(usuario) -> bool:
    if not getattr(usuario, "is_authenticated", False) or usuario.is_staff:
        return False
    if not hasattr(usuario, "_es_dependencia"):
        from dependencias.models import UsuarioDependencia

        usuario._es_dependencia = UsuarioDependencia.objects.filter(usuario=usuario).exists()
    return usuario._es_dependencia


class SoloPortalDependenciasMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, vista, args, kwargs):
        usuario = getattr(request, "user", None)
        if usuario is None or not es_dependencia(usuario):
            return None
        request.es_dependencia = True
        if request.path.startswith(PREFIJO):
            return None
        nombre = request.resolver_match.view_name if request.resolver_match else ""
        if nombre in PERMITIDAS:
            return None
        if nombre == "inicio":
            return HttpResponseRedirect(PREFIJO)
        raise Http404
