"""Request limits per client for public pages that allauth's own limits do not cover (e.g. /verificar/).

A counter per client address and time window in the shared cache (Redis in production, so every node
counts the same client together). The client address is the one allauth's limits use, so both follow the
same proxy settings (`ALLAUTH_TRUSTED_PROXY_COUNT`: which `X-Forwarded-For` entry is the client's).
"""

from __future__ import annotations

import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache


def ip_cliente(request) -> str:
    return get_adapter(request).get_client_ip(request)


def excede_limite(request, *, accion: str, limite: int, segundos: int = 60) -> bool:
    """Count this request; True once the client made more than `limite` in the current window.

    A fixed window: at most twice `limite` across a window boundary, which is enough to make guessing
    100-bit codes hopeless and cheaper than a sliding log.
    """
    ventana = int(time.time() // segundos)
    clave = f"limite:{accion}:{ip_cliente(request)}:{ventana}"
    cache.add(clave, 0, timeout=segundos)
    try:
        cuenta = cache.incr(clave)
    except ValueError:  # expired between add and incr
        cache.set(clave, 1, timeout=segundos)
        cuenta = 1
    return cuenta > limite
