"""The Content-Security-Policy header (django-csp, settings.CONTENT_SECURITY_POLICY), built once.

django-csp builds the header's text from the settings on every response (≈ 0.07 ms, a fifth of a bare
request: bench/middlewares.py). It only changes with the settings, so it is built once per process and
reused; a response that carries a policy of its own (`@csp_update`, `@csp_replace`, …) or a request that asked
for a nonce goes through django-csp's own code, unchanged.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed

_POLITICAS: dict[bool, str] = {}
# What django-csp's decorators leave on a response: its own policy.
_PROPIAS = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


def politica(solo_reportar: bool = False) -> str:
    if solo_reportar not in _POLITICAS:
        _POLITICAS[solo_reportar] = build_policy(report_only=solo_reportar)
    return _POLITICAS[solo_reportar]


def _olvidar(*, setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _POLITICAS.clear()


setting_changed.connect(_olvidar, dispatch_uid="oficina.politica_contenido")


class PoliticaContenidoMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, a) for a in _PROPIAS):
            return super().process_response(request, response)
        # django-csp's process_response with the policies from above (same conditions, same order).
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        for cabecera, texto, exenta, ajuste in (
            (HEADER, politica(False), "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, politica(True), "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            if not texto or cabecera in response or getattr(response, exenta, False) is not False:
                continue
            prefijos = (getattr(settings, ajuste, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefijos)):
                response[cabecera] = texto
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
