"""What a worker recycled by gunicorn's max_requests costs the requests that wait for it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/reciclaje.py \
        [--peticiones 400] [--cada 50] [--puerto 8097]

Starts gunicorn (the project's gunicorn.conf.py, production profile as bench/carga.py) with ONE sync worker
recycled every `--cada` requests (`--max-requests N --max-requests-jitter 0` on the command line), then asks
for one borrower's statement page `--peticiones` times, one after another. With one worker, the request after
each recycle waits until the new worker can answer: its latency is what a recycle costs a request (the new
worker's start and its first request's warm-up). Reports the median of the others, and each recycle's first
request and the next one. `BENCH_GUNICORN_CONF` names another gunicorn config (e.g. one that execs the project's
and adds hooks printing timestamps, as used to place where a recycle's time went).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

from comun import RAIZ, SALIDA, calentar_sesiones, carga_promedio, django_en_produccion_para_gunicorn, maquina

PUERTO = int(os.environ.get("BENCH_PUERTO", "8097"))
ESTADO = "/prestaciones/recuperacion-de-credito/estado-de-cuenta/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peticiones", type=int, default=400)
    parser.add_argument("--cada", type=int, default=50, help="max_requests del trabajador")
    parser.add_argument("--puerto", type=int, default=PUERTO)
    args = parser.parse_args()
    django_en_produccion_para_gunicorn()
    print(maquina())
    sesion = (SALIDA / "sesiones.txt").read_text().split()[0]
    calentar_sesiones([sesion])
    entorno = dict(
        os.environ,
        GUNICORN_BIND=f"127.0.0.1:{args.puerto}",
        GUNICORN_WORKERS="1",
        PROMETHEUS_MULTIPROC_DIR=os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(SALIDA / "metricas"),
    )
    bin_dir = os.path.dirname(sys.executable)
    registro = (SALIDA / "gunicorn-reciclaje.log").open("w")
    proceso = subprocess.Popen(
        [
            os.path.join(bin_dir, "gunicorn"),
            "-c",
            os.environ.get("BENCH_GUNICORN_CONF", "gunicorn.conf.py"),
            "--max-requests",
            str(args.cada),
            "--max-requests-jitter",
            "0",
        ],
        cwd=RAIZ,
        env=entorno,
        stdout=registro,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{args.puerto}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.25)
        else:
            print("gunicorn no arrancó; ver", SALIDA / "gunicorn-reciclaje.log")
            return 1
        peticion = urllib.request.Request(url + ESTADO, headers={"Cookie": f"sessionid={sesion}"})
        # The probe above was the first worker's first request: count from there.
        tiempos = []
        for _ in range(args.peticiones):
            inicio = time.perf_counter()
            with urllib.request.urlopen(peticion, timeout=30) as respuesta:
                respuesta.read()
                if respuesta.status != 200:
                    print("respuesta", respuesta.status)
                    return 1
            tiempos.append((time.perf_counter() - inicio) * 1000)
        # Request k (0-based, counting the probe as request 0 of the first worker) is the first one of a new
        # worker when k % cada == 0.
        primeras = [i for i in range(len(tiempos)) if (i + 1) % args.cada == 0]
        resto = [t for i, t in enumerate(tiempos) if i not in primeras and i - 1 not in primeras]
        print(f"carga promedio al terminar: {carga_promedio()}")
        print(
            f"{len(tiempos)} peticiones del estado de cuenta, un trabajador reciclado cada {args.cada}: "
            f"mediana de las demás {statistics.median(resto):.1f} ms"
        )
        print(
            "  primera petición tras cada reciclaje (ms): "
            + ", ".join(f"{tiempos[i]:.0f}" for i in primeras)
            + f"; mediana {statistics.median([tiempos[i] for i in primeras]):.1f} ms"
        )
        segundas = [tiempos[i + 1] for i in primeras if i + 1 < len(tiempos)]
        if segundas:
            print("  la siguiente (ms): " + ", ".join(f"{t:.0f}" for t in segundas))
        return 0
    finally:
        os.killpg(proceso.pid, signal.SIGTERM)
        proceso.wait(timeout=60)
        registro.close()


if __name__ == "__main__":
    sys.exit(main())
