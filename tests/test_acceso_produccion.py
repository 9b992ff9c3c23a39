"""Issue 12, finding 12: a node started without configuration is not a development server."""

import os
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent


def correr(*argumentos: str, **variables: str) -> subprocess.CompletedProcess:
    # PYTEST_VERSION (set by pytest) would make the settings take the tests' defaults: a real node lacks it.
    entorno = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DJANGO_DEBUG", "DJANGO_SECRET_KEY")}
    entorno.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *argumentos],
        cwd=RAIZ, env={**entorno, **variables}, capture_output=True, text=True, timeout=120,
    )


def test_it_defaults_to_debug_off_and_so_refuses_to_start_without_a_secret_key():
    resultado = correr("check")
    assert resultado.returncode != 0 and "DJANGO_SECRET_KEY" in resultado.stderr


def test_it_refuses_the_published_development_key_in_production():
    from django.conf import settings

    for clave in (settings.CLAVE_DESARROLLO, settings.CLAVE_PRUEBAS):
        resultado = correr("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=clave)
        assert resultado.returncode != 0 and "DJANGO_SECRET_KEY" in resultado.stderr


def test_it_runs_with_the_development_key_only_when_debug_is_on():
    assert correr("check", DJANGO_DEBUG="1").returncode == 0
