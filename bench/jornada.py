"""Server time of each step of the load test's journey, in-process: where bench/carga.py's time goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/jornada.py [--n 200]

Django's test client (no network, no HTTP server), production profile, sessions and cache on the bench's
Redis, as bench/estado_cuenta.py: that Redis is emptied first, then every borrower's session is read once
through cached_db (`comun.calentar_sesiones`), so it is in the cache as a real login leaves it, and no measured
request reads its session from the database. Each of `--n` borrowers with a session from bench/datos.py (round robin)
plays what a wrk connection of bench/carga.py plays: statement page → POST a PARCIAL FOPI of 500.00 → the
FOPI's page → its PDF. Reports median and p95 per step, the median CPU time of this process (Python and the
client; not PostgreSQL's nor Redis's) and the query count of each, against the identified trivial view. FOPIs issued by earlier runs are dated back a day first, as bench/carga.py does.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time

from comun import calentar_sesiones, carga_promedio, django_en_produccion_con_redis, maquina

ESTADO = "/prestaciones/recuperacion-de-credito/estado-de-cuenta/"
NUEVO = "/prestaciones/recuperacion-de-credito/fopi/nuevo/"
TRIVIAL_SESION = "/bench/trivial-con-sesion/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="recorridos a medir (200)")
    parser.add_argument(
        "--perfil", default="", help="cProfile de un paso (p. ej. «página del FOPI»): sus 30 funciones más costosas"
    )
    args = parser.parse_args()
    django_en_produccion_con_redis()
    from carga import reiniciar_limite_de_fopis, usuarios_activos
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    print(maquina())
    usuarios = usuarios_activos()
    reiniciar_limite_de_fopis(usuarios)
    calentar_sesiones([sesion for sesion, _ in usuarios])
    pasos = {
        "estado de cuenta": [],
        "POST FOPI": [],
        "página del FOPI": [],
        "PDF del FOPI": [],
        "trivial con sesión": [],
    }
    consultas = {nombre: 0 for nombre in pasos}
    cpus = {nombre: [] for nombre in pasos}  # this process's CPU only: less moved by a busy machine than the clock
    perfil = cProfile.Profile()
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        cliente = Client(enforce_csrf_checks=False)

        def paso(nombre, metodo, url, datos=None, medir=True):
            with CaptureQueriesContext(connection) as capturadas:
                perfilar = medir and nombre == args.perfil
                if perfilar:
                    perfil.enable()
                inicio, cpu = time.perf_counter(), time.process_time()
                respuesta = metodo(url, datos) if datos else metodo(url)
                if perfilar:
                    perfil.disable()
                duracion = (time.perf_counter() - inicio) * 1000
                cpu = (time.process_time() - cpu) * 1000
            if respuesta.status_code >= 400:
                raise SystemExit(f"{url} respondió {respuesta.status_code}")
            if medir:
                pasos[nombre].append(duracion)
                cpus[nombre].append(cpu)
                consultas[nombre] = max(consultas[nombre], len(capturadas.captured_queries))
            return respuesta

        for k in range(args.n + 20):  # the first 20 warm up
            sesion, folio = usuarios[k % len(usuarios)]
            cliente.cookies["sessionid"] = sesion
            medir = k >= 20
            paso("trivial con sesión", cliente.get, TRIVIAL_SESION, medir=medir)
            paso("estado de cuenta", cliente.get, ESTADO, medir=medir)
            respuesta = paso(
                "POST FOPI",
                cliente.post,
                NUEVO,
                {"prestamo": folio, "tipo": "PARCIAL", "importe": "500.00"},
                medir=medir,
            )
            if respuesta.status_code != 302:
                raise SystemExit(f"POST FOPI respondió {respuesta.status_code} (¿límite diario?)")
            ubicacion = respuesta["Location"]
            paso("página del FOPI", cliente.get, ubicacion, medir=medir)
            paso("PDF del FOPI", cliente.get, ubicacion + "pdf/", medir=medir)
    base = statistics.median(pasos["trivial con sesión"])
    total = 0.0
    for nombre, tiempos in pasos.items():
        mediana, p95 = statistics.median(tiempos), statistics.quantiles(tiempos, n=100)[94]
        if nombre != "trivial con sesión":
            total += statistics.mean(tiempos)
        print(
            f"{nombre:<20} mediana {mediana:6.2f} ms  p95 {p95:6.2f} ms  {mediana / base:4.1f}× la trivial  "
            f"CPU del proceso {statistics.median(cpus[nombre]):5.2f} ms  {consultas[nombre]} consultas"
        )
    print(f"recorrido de 4 pasos: media {total:.2f} ms = {4000 / total:.0f} peticiones/s por proceso, sin HTTP")
    print(f"carga promedio al terminar {carga_promedio()}")
    if args.perfil:
        pstats.Stats(perfil).sort_stats(os.environ.get("BENCH_ORDEN", "tottime")).print_stats(
            int(os.environ.get("BENCH_LINEAS", "30"))
        )


if __name__ == "__main__":
    main()
