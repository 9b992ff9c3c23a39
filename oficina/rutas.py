"""`reverse()` remembered per process, for the links every page draws (the menu, the footer, the statement's).

Django's `{% url %}` costs ≈ 40 µs a link (the resolver's reverse dictionary, the script prefix, the quoting):
the statement page drew ten, ≈ 0.4 ms of a page that the cache brings to a few milliseconds. A URL depends on
the name, its arguments, the URLconf in force and the script prefix, and on nothing else (no i18n_patterns
here), so each is worked out once per (URLconf, prefix, name, arguments). Changing ROOT_URLCONF (tests'
`override_settings`) forgets them all, as Django forgets its resolvers; the memory is bounded (`MAXIMO`
entries, then started over: links with a loan's folio are one per loan).
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

MAXIMO = 4096
_RUTAS: dict[tuple, str] = {}


def ruta(nombre: str, *args) -> str:
    """`reverse(nombre, args=args)`, once per URLconf, script prefix, name and arguments."""
    clave = (get_urlconf(), get_script_prefix(), nombre, args)
    try:
        return _RUTAS[clave]
    except KeyError:
        pass
    url = reverse(nombre, args=args)
    if len(_RUTAS) >= MAXIMO:
        _RUTAS.clear()
    _RUTAS[clave] = url
    return url


@receiver(setting_changed)
def _olvidar(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _RUTAS.clear()
