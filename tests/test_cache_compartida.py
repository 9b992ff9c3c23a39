"""Without Redis the cache is still shared by every process: a remesa reversed by `manage.py importar
--revertir` clears the pages' cached remesas of the running server too (docs/reglas.md §9)."""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache


def test_a_key_written_by_another_process_is_read_here():
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL: Redis is shared by every process by construction")
    clave = f"prueba-{uuid.uuid4().hex}"
    programa = (
        "import django; django.setup(); from django.core.cache import cache; "
        f"cache.set({clave!r}, 'de otro proceso', 60)"
    )
    entorno = {**os.environ, "DJANGO_SETTINGS_MODULE": "oficina.settings"}
    subprocess.run([sys.executable, "-c", programa], check=True, env=entorno, cwd=settings.BASE_DIR)
    try:
        assert cache.get(clave) == "de otro proceso"
    finally:
        cache.delete(clave)


def test_another_process_clears_what_this_one_cached():
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL: Redis is shared by every process by construction")
    clave = f"prueba-{uuid.uuid4().hex}"
    cache.set(clave, "en caché", 60)
    programa = f"import django; django.setup(); from django.core.cache import cache; cache.delete({clave!r})"
    entorno = {**os.environ, "DJANGO_SETTINGS_MODULE": "oficina.settings"}
    subprocess.run([sys.executable, "-c", programa], check=True, env=entorno, cwd=settings.BASE_DIR)
    assert cache.get(clave) is None
