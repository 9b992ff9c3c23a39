import os
import subprocess
import sys
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent


def test_it_passes_check_deploy_with_the_production_variables():
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for live_server: not part of production.
    entorno = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    entorno = {
        **entorno,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "produccion-clave-larga-y-aleatoria-1234567890",
        "DJANGO_ALLOWED_HOSTS": "oficinavirtual.issste.gob.mx",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
    }
    resultado = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=RAIZ, env=entorno, capture_output=True, text=True, timeout=120,
    )
    assert resultado.returncode == 0, resultado.stdout + resultado.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key():
    entorno = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}
    resultado = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=RAIZ, env=entorno, capture_output=True, text=True, timeout=120
    )
    assert resultado.returncode != 0 and "DJANGO_SECRET_KEY" in resultado.stderr


@pytest.mark.django_db
def test_it_sends_a_content_security_policy(client):
    politica = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in politica and "frame-ancestors 'none'" in politica
