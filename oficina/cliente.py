"""Who the client is, behind the reverse proxies that the institution runs in front of gunicorn.

Every proxy appends the address it received the request from to X-Forwarded-For, so with N proxies of ours
the client's address is the Nth from the right; whatever stands further left was written by the client and
can be forged. With no proxy declared (the default) the header is ignored altogether.
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def _direccion(valor: str) -> str | None:
    try:
        return str(ipaddress.ip_address(valor.strip()))
    except ValueError:
        return None


def ip_del_cliente(request) -> str:
    remota = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remota
    cadena = [parte for parte in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if parte.strip()]
    if len(cadena) < proxies:
        # Fewer hops than proxies declared: a request that bypassed them, or a miscounted set-up. The proxy's
        # own address is the safe answer (it shares a bucket; it never lets anyone choose their own).
        if cadena:
            logger.warning("X-Forwarded-For con %s direcciones y %s proxies de confianza", len(cadena), proxies)
        return remota
    return _direccion(cadena[-proxies]) or remota
