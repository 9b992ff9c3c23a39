"""Request limits for what allauth's own limits do not cover (captcha refresh, /verificar/): a fixed-window
counter per key in the shared cache (Redis in production, so every node counts the same client together).

The client address is the one allauth's limits use (`oficina/cliente.py` through the adapter), so all limits
follow the same proxy setting (`DJANGO_TRUSTED_PROXY_COUNT`).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core.cache import cache


def permitir(clave: str, *, maximo: int, segundos: int) -> bool:
    """True while `clave` has been used fewer than `maximo` times in the current window of `segundos`."""
    clave = f"limite:{clave}"
    # add() creates the window only if absent; incr() is atomic in Redis and in local memory.
    cache.add(clave, 0, segundos)
    try:
        return cache.incr(clave) <= maximo
    except ValueError:  # the window expired between add() and incr()
        cache.add(clave, 1, segundos)
        return True


def ip_cliente(request) -> str:
    return get_adapter(request).get_client_ip(request)


def excede_limite(request, *, accion: str, limite: int, segundos: int = 60) -> bool:
    """Count this request of the client; True once it made more than `limite` in the window. At most twice
    `limite` across a window boundary: enough to make guessing 100-bit codes hopeless."""
    return not permitir(f"{accion}:{ip_cliente(request)}", maximo=limite, segundos=segundos)
