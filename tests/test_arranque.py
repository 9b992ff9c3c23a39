"""gunicorn's workers are forked from a master that loaded and warmed the application (issue 29: a worker
recycled by max_requests used to import Django while requests waited ~3 s for it). What that relies on:
gunicorn.conf.py's settings, a warm-up that opens no database or cache connection (one made in the master would
be shared by every worker), and a worker exit that skips Python's slow teardown but not the exit handlers."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]


def configuracion(tmp_path, monkeypatch) -> dict:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metricas"))
    return runpy.run_path(str(RAIZ / "gunicorn.conf.py"))


def test_workers_are_forked_from_a_preloaded_master_and_still_recycled(tmp_path, monkeypatch):
    conf = configuracion(tmp_path, monkeypatch)
    assert conf["preload_app"] is True
    assert conf["max_requests"] == 2000 and conf["max_requests_jitter"] == 200  # the memory-leak guard stays
    for gancho in ("on_starting", "post_fork", "worker_exit", "child_exit"):
        assert callable(conf[gancho])
    # The master imports prometheus_client's metrics before on_starting: their directory exists by then.
    assert (tmp_path / "metricas").is_dir()


def _en_proceso_nuevo(codigo: str, **entorno) -> subprocess.CompletedProcess:
    # A database of its own (a test's PostgreSQL DATABASE_URL names one that need not exist outside the test run).
    base = f"sqlite:///{entorno.pop('base')}"
    return subprocess.run(
        [sys.executable, "-c", codigo],
        cwd=RAIZ,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "oficina.settings", "DATABASE_URL": base, **entorno},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_loading_and_warming_the_app_opens_no_database_or_cache_connection(tmp_path):
    codigo = """
import oficina.wsgi
from django.core.cache import caches
from django.db import connections
from django.template import engines
from oficina import arranque

compiladas = arranque.calentar()
assert compiladas > 100, compiladas
assert all(c.connection is None for c in connections.all(initialized_only=True))
assert getattr(caches._connections, "default", None) is None, "el calentamiento abrió la caché"
# What it warmed is kept: the cached loader has the FOPI page compiled.
cargador = engines["django"].engine.template_loaders[0]
assert "fopi/detalle.html" in {clave.split("-")[0] for clave in cargador.get_template_cache}, cargador
print("ok", compiladas)
"""
    resultado = _en_proceso_nuevo(
        codigo,
        base=tmp_path / "base.sqlite3",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="s" * 60,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    assert resultado.returncode == 0, resultado.stderr
    assert resultado.stdout.startswith("ok")


def test_a_warm_up_that_opened_a_connection_stops_the_master(tmp_path):
    codigo = """
import oficina.wsgi
from django.db import connection
from oficina import arranque

connection.ensure_connection()
try:
    arranque.calentar()
except RuntimeError as error:
    print(error)
"""
    resultado = _en_proceso_nuevo(codigo, base=tmp_path / "base.sqlite3", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="s" * 60)
    assert "abrió conexiones a la base de datos (default)" in resultado.stdout, resultado.stderr


def test_a_worker_exits_at_once_but_runs_the_exit_handlers(tmp_path):
    """worker_exit ends the process itself: the atexit handlers (logging's flush among them) still run."""
    marca = tmp_path / "atexit"
    codigo = f"""
import atexit, runpy, sys
conf = runpy.run_path("gunicorn.conf.py")  # first, as gunicorn does: it makes the metrics' directory
import django
django.setup()
atexit.register(lambda: open({str(marca)!r}, "w").write("corrió"))
print("antes", flush=True)
conf["worker_exit"](None, None)
print("no debió llegar aquí")
"""
    resultado = _en_proceso_nuevo(
        codigo, base=tmp_path / "base.sqlite3", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metricas")
    )
    assert resultado.returncode == 0, resultado.stderr
    assert resultado.stdout == "antes\n"
    assert marca.read_text() == "corrió"


class _Trabajador:
    def __init__(self, pid: int) -> None:
        self.pid = pid


def test_worker_exit_in_the_master_leaves_it_running(tmp_path, monkeypatch):
    """gunicorn calls worker_exit in the master too (kill_worker, for a worker already gone): it must not end it."""
    conf = configuracion(tmp_path, monkeypatch)
    assert conf["worker_exit"](None, _Trabajador(os.getpid() + 1)) is None  # still here


def test_a_worker_that_could_not_boot_keeps_its_exit_status(tmp_path):
    """The status gunicorn's master reads (3: a worker that cannot boot halts the master) survives worker_exit."""
    codigo = """
import runpy, sys
conf = runpy.run_path("gunicorn.conf.py")
import django
django.setup()

class Trabajador:
    pid = __import__("os").getpid()

try:
    sys.exit(3)
finally:
    conf["worker_exit"](None, Trabajador())
"""
    resultado = _en_proceso_nuevo(
        codigo, base=tmp_path / "base.sqlite3", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metricas")
    )
    assert resultado.returncode == 3, resultado.stderr
