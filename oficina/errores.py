"""The portal's own page for the error Django answers with an empty body: 405 (a GET where only a POST is
taken, as with `require_POST` and allauth's views). The 400, 403, 404, 429 and 500 pages are wired in
oficina/urls.py; Django has no handler for 405, so this middleware fills in the body, in Spanish with the
CAPP contact (docs/reglas.md §3), keeping the response's status and headers (Allow, the security policy).

A 405 that already says why (the SPEI endpoint's JSON) is left as it is.
"""

from django.template import loader


class MetodoNoPermitidoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        respuesta = self.get_response(request)
        if respuesta.status_code == 405 and not getattr(respuesta, "streaming", False) and not respuesta.content:
            respuesta.content = loader.render_to_string("405.html", request=request)
            respuesta["Content-Type"] = "text/html; charset=utf-8"
        return respuesta
