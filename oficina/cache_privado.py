"""Pages of a logged-in person and every PDF carry `Cache-Control: private, no-store` (docs/reglas.md §3).

A statement, a FOPI or a loan's figures must not stay in a shared proxy's cache nor in the browser of a
shared computer after logging out. One middleware, so no borrower view has to remember it.
"""

PRIVADO = "private, no-store"


class CachePrivadoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        respuesta = self.get_response(request)
        usuario = getattr(request, "user", None)
        es_pdf = respuesta.get("Content-Type", "").startswith("application/pdf")
        if es_pdf or (usuario is not None and usuario.is_authenticated):
            respuesta["Cache-Control"] = PRIVADO
        return respuesta
