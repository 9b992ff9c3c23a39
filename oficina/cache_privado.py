"""Pages of a logged-in person and every PDF carry `Cache-Control: private, no-store` (docs/reglas.md §3).

A statement, a FOPI or a loan's figures must not stay in a shared proxy's cache nor in the browser of a
shared computer after logging out. One middleware, so no borrower view has to remember it.

Decided without loading the session or the user: every request that sends a session cookie is private
(stricter than "logged in": a stale cookie too), and so is one that logs someone in (no cookie yet, the user
set by the login itself; without a cookie, asking costs nothing).
"""

from django.conf import settings

PRIVADO = "private, no-store"


def con_sesion(request) -> bool:
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    usuario = getattr(request, "user", None)  # without a session cookie, an empty session: no I/O
    return usuario is not None and usuario.is_authenticated


class CachePrivadoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        respuesta = self.get_response(request)
        if respuesta.get("Content-Type", "").startswith("application/pdf") or con_sesion(request):
            respuesta["Cache-Control"] = PRIVADO
        return respuesta
