"""What a web process does once, before its first request: gunicorn's master calls `calentar` after loading the
application (gunicorn.conf.py, preload_app), so every worker it forks — the first ones and each one that
replaces a worker recycled by max_requests — starts with the URLconf, the templates, the translations and the
static files' manifest already in memory, instead of spending its first requests on them.

Nothing here opens a database or Redis connection: a connection made in the master would be shared, socket and
all, by every worker forked from it. `calentar` checks that none is open when it ends.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.db import connections


def calentar() -> int:
    """Load what the first request of a process would; returns how many templates were compiled."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import translation

    # The URLconf: every view module imported, the reverse table built (`{% url %}` in every page).
    get_resolver().reverse_dict  # noqa: B018 — populates the resolver
    # The catalogs of the portal's language, merged once per process.
    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("Inicio")
    # The manifest of hashed static file names (`{% static %}`), read once per process with DEBUG off.
    staticfiles_storage.base_url  # noqa: B018 — sets up the storage, which reads the manifest
    compiladas = 0
    for motor in engines.all():
        for directorio in getattr(motor, "engine", None) and motor.engine.dirs or ():
            for raiz, _, archivos in os.walk(directorio):
                for archivo in archivos:
                    if archivo.endswith((".html", ".txt", ".xml")):
                        nombre = os.path.relpath(os.path.join(raiz, archivo), directorio)
                        # With DEBUG off the cached loader keeps what it compiles for the life of the process.
                        motor.get_template(nombre)
                        compiladas += 1
    abiertas = [alias for alias in connections if connections[alias].connection is not None]
    if abiertas:
        raise RuntimeError(f"El calentamiento abrió conexiones a la base de datos ({', '.join(abiertas)}).")
    return compiladas
