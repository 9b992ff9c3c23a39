"""A fixed-window counter in the shared cache, for endpoints outside allauth's own rate limits."""

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
