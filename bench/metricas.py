"""What observability costs a request (issue 31, README "Operación"): the metrics middleware per request (goal
under 0.2 ms), in one process and in prometheus-client's multiprocess mode as gunicorn runs it, and the time of
the two probes through the whole WSGI handler.

    python bench/metricas.py                   # SQLite, this process and a multiprocess child
    DATABASE_URL=postgres://… python bench/metricas.py

No database is written: the probes read (SELECT 1) and the storage check writes one small file under MEDIA_ROOT.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oficina.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")  # the request log would print a line per request
VECES = 20_000


def _por_peticion(funcion, veces: int) -> float:
    """Median over 5 rounds of the microseconds one call takes."""
    rondas = []
    for _ in range(5):
        inicio = time.perf_counter()
        for _ in range(veces):
            funcion()
        rondas.append((time.perf_counter() - inicio) / veces * 1e6)
    return statistics.median(rondas)


def middleware() -> None:
    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from oficina.metricas import MetricasMiddleware

    respuesta = HttpResponse("ok")
    peticion = RequestFactory().get("/")

    def vista(request):
        request.resolver_match = coincidencia
        return respuesta

    coincidencia = resolve("/")
    medida = MetricasMiddleware(vista)
    sola = _por_peticion(lambda: vista(peticion), VECES)
    con = _por_peticion(lambda: medida(peticion), VECES)
    modo = "multiproceso" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "un proceso"
    print(f"middleware de métricas ({modo}): {con - sola:.1f} µs por petición ({con:.1f} con él, {sola:.1f} sin él)")


def sondas() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    cliente = Client()
    for ruta, veces in (("/salud/", 2000), ("/salud/lista/", 200)):
        assert cliente.get(ruta).status_code == 200, ruta
        print(f"{ruta} ({connection.vendor}): {_por_peticion(lambda r=ruta: cliente.get(r), veces) / 1000:.2f} ms")


if __name__ == "__main__":
    if sys.argv[1:] == ["--hijo"]:
        middleware()
        sys.exit()
    middleware()
    with tempfile.TemporaryDirectory() as directorio:
        subprocess.run([sys.executable, __file__, "--hijo"], check=True,
                       env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": directorio})
    sondas()
