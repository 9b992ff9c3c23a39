"""Load test: logged-in borrowers reading statements and issuing FOPIs, against gunicorn with 2 workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/carga.py \
        [--segundos 30] [--conexiones 8] [--puerto 8097]

Starts gunicorn (the project's gunicorn.conf.py, 2 sync workers) bound to 127.0.0.1 only, with the
production profile (DEBUG off, Redis cache and cached_db sessions on the bench's Redis, `BENCH_REDIS_URL` or
database 15, static files collected) against the bench database, then runs wrk for a bounded time: each connection is one borrower
(sessions from bench/datos.py, CSRF cookie and token made up per borrower, as Django accepts an unmasked
secret; one wrk thread per connection, so each follows its own sequence) cycling through: statement page → POST a PARCIAL FOPI of 500.00 → the FOPI's page → its PDF.
Reports throughput, latency percentiles, errors (target: zero) and the gunicorn workers' CPU per request (what a
busy shared machine moves least), then stops gunicorn.

Sessions as after a real login: the bench's Redis is emptied before the run (bench/datos.py writes by COPY,
without the signals that clear what the pages keep), then every borrower's session is read once through
cached_db from this process — Django set up with the same REDIS_URL (`BENCH_REDIS_URL`, default db 15) and
cache key prefix as the gunicorn it starts — so it is in the cache gunicorn reads, as a login leaves it
(login saves through cached_db, which writes the cache). Without that, each borrower's first request of the
run would read its session from the database, which no real borrower's request does.

Rerunnable: each run issues hundreds of FOPIs, and a loan issues at most FOPIS_POR_DIA in 24 hours. Before
the run, the FOPIs earlier runs issued for the bench's borrowers are dated back a day (in the bench database
only), so every run plays the same journey. A loan that still meets its limit answers the form again (200, no
new FOPI): counted apart as `limite_fopi`, and that cycle reads the statement instead. Real errors — answers of
400 or more, answers the journey did not expect, socket errors and timeouts — are reported separately, and any
of them makes the script exit 1 (bench/carga.lua says how each answer is classified).

Several nodes (SPEC §17): `--nodos 2` starts that many gunicorn nodes on consecutive ports, sharing Redis and
the database, and splits the connections between them as a balancer would (one wrk per node; the total is
the sum, the p95 the worst node's). `--remesa descuentos.csv` meanwhile has an RQ worker
(`manage.py trabajador_cargas`) load that file through the admin's upload job, and reports how it ended.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request

from comun import (
    RAIZ,
    SALIDA,
    calentar_sesiones,
    carga_promedio,
    django_en_produccion_para_gunicorn,
    maquina,
    vaciar_cache_bench,
)

PUERTO = int(os.environ.get("BENCH_PUERTO", "8097"))


def usuarios_activos() -> list[tuple[str, str]]:
    """(session key, folio of a loan the borrower can pay) for every session the generator created."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    from prestamos.models import Prestamo

    lista = []
    claves = (SALIDA / "sesiones.txt").read_text().split()
    sesiones = {s.session_key: s.get_decoded().get(SESSION_KEY) for s in Session.objects.filter(session_key__in=claves)}
    folios = dict(
        Prestamo.objects.filter(
            derechohabiente__usuario_id__in=[int(u) for u in sesiones.values() if u], estado=Prestamo.Estado.VIGENTE
        ).values_list("derechohabiente__usuario_id", "folio")
    )
    for clave in claves:
        usuario = sesiones.get(clave)
        if usuario and int(usuario) in folios:
            lista.append((clave, folios[int(usuario)]))
    return lista


def reiniciar_limite_de_fopis(usuarios: list[tuple[str, str]]) -> int:
    """Date back a day the FOPIs issued in the last 24 hours for these loans (see the module's docstring)."""
    from datetime import timedelta

    from django.utils import timezone

    from fopi.models import Fopi

    hace_un_dia = timezone.now() - timedelta(days=1)
    recientes = Fopi.objects.filter(prestamo__folio__in=[folio for _, folio in usuarios], emitido__gte=hace_un_dia)
    return recientes.update(emitido=hace_un_dia - timedelta(minutes=1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segundos", type=int, default=30)
    parser.add_argument("--conexiones", type=int, default=8)
    parser.add_argument("--nodos", type=int, default=1, help="nodos gunicorn (2 trabajadores cada uno)")
    parser.add_argument("--remesa", default="", help="una remesa que un trabajador RQ carga durante la prueba")
    parser.add_argument("--puerto", type=int, default=PUERTO, help="el del primer nodo (BENCH_PUERTO, 8097)")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=0,
        help="reciclar cada trabajador tras N peticiones (sin jitter), para ver el reciclaje en 20 s (gunicorn.conf.py)",
    )
    parser.add_argument("--usuarios", type=int, default=0, help="sólo los primeros N derechohabientes (todos)")
    parser.add_argument(
        "--conservar-limite",
        action="store_true",
        help="no fechar atrás los FOPI de corridas anteriores (para ver el límite diario contado aparte)",
    )
    args = parser.parse_args()
    # This process's Django and the gunicorn it starts share one cache: the sessions warmed below must be
    # found by the workers.
    redis_url = django_en_produccion_para_gunicorn()
    print(maquina())
    usuarios = usuarios_activos()[: args.usuarios or None]
    ruta = SALIDA / "usuarios-carga.txt"
    with ruta.open("w") as archivo:
        for sesion, folio in usuarios:
            archivo.write(f"{sesion} {secrets.token_hex(16)} {folio}\n")
    fechados = 0 if args.conservar_limite else reiniciar_limite_de_fopis(usuarios)
    print(
        f"{len(usuarios)} derechohabientes con sesión y préstamo vigente; "
        f"{fechados:,} FOPI de corridas anteriores fechados un día atrás"
    )

    vaciar_cache_bench(redis_url)
    calentadas = calentar_sesiones([sesion for sesion, _ in usuarios])
    print(f"{calentadas} sesiones leídas a la caché de Redis ({redis_url}) antes de medir, como tras un login")
    entorno = dict(
        os.environ,
        REDIS_URL=redis_url,
        GUNICORN_BIND=f"127.0.0.1:{args.puerto}",
        GUNICORN_WORKERS="2",
        # The bench's own metrics files: gunicorn.conf.py empties the directory when it starts.
        PROMETHEUS_MULTIPROC_DIR=os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(SALIDA / "metricas"),
    )
    python = sys.executable
    bin_dir = os.path.dirname(python)
    registro = (SALIDA / "gunicorn.log").open("w")
    procesos = [
        subprocess.Popen(
            [os.path.join(bin_dir, "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"]
            + (["--max-requests", str(args.max_requests), "--max-requests-jitter", "0"] if args.max_requests else []),
            cwd=RAIZ,
            env=dict(entorno, GUNICORN_BIND=f"127.0.0.1:{args.puerto + i}"),
            stdout=registro,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for i in range(args.nodos)
    ]
    carga = None
    try:
        for i in range(args.nodos):
            for _ in range(60):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{args.puerto + i}/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                print("gunicorn no arrancó; ver", SALIDA / "gunicorn.log")
                return 1
        if args.remesa:
            procesos.append(
                subprocess.Popen(
                    [python, "manage.py", "trabajador_cargas"],
                    cwd=RAIZ,
                    env=entorno,
                    stdout=registro,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            carga = encolar_remesa(args.remesa, redis_url)
        por_nodo = max(1, args.conexiones // args.nodos)
        comandos = [
            [
                "wrk",
                f"-t{por_nodo}",
                f"-c{por_nodo}",
                f"-d{args.segundos}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                str(RAIZ / "bench" / "carga.lua"),
                f"http://127.0.0.1:{args.puerto + i}",
            ]
            for i in range(args.nodos)
        ]
        for comando in comandos:
            print("$", " ".join(comando))
        maestros = {p.pid for p in procesos[: args.nodos]}
        cpu_antes = cpu_de_trabajadores(maestros)
        corriendo = [
            subprocess.Popen(c, env=dict(os.environ, BENCH_USUARIOS=str(ruta)), stdout=subprocess.PIPE, text=True)
            for c in comandos
        ]
        salidas = [p.communicate(timeout=args.segundos + 60)[0] for p in corriendo]
        cpu_despues = cpu_de_trabajadores(maestros)
        resultados = []
        for i, salida in enumerate(salidas):
            print(f"--- nodo {i + 1} (127.0.0.1:{args.puerto + i})")
            print(salida)
            if "RESULTADO" not in salida:
                return 1
            resultados.append(dict(re.findall(r"(\w+)=([\d.]+)", salida.split("RESULTADO", 1)[1])))
        print(f"carga promedio al terminar: {carga_promedio()}")

        def total(clave: str) -> int:
            return sum(int(r[clave]) for r in resultados)

        peticiones = total("peticiones")
        reales = {
            clave: total(clave)
            for clave in ("errores_http", "inesperadas", "socket_connect", "socket_read", "socket_write", "timeouts")
        }
        errores = sum(reales.values())
        p95 = max(float(r["p95_ms"]) for r in resultados)
        print(
            f"{args.nodos} nodo(s): rendimiento {peticiones / args.segundos:.1f} peticiones/s, p95 {p95} ms "
            f"(el peor nodo), errores reales {errores}"
        )
        print("  errores reales: " + ", ".join(f"{clave} {valor}" for clave, valor in reales.items()))
        cpu = cpu_despues[0] - cpu_antes[0]
        reemplazados = len(cpu_antes[1] - cpu_despues[1])
        print(
            f"  CPU de los trabajadores gunicorn: {cpu * 1000 / max(peticiones, 1):.2f} ms por petición "
            f"({cpu:.1f} s; {len(cpu_antes[1])} trabajadores al empezar, {reemplazados} reemplazados por "
            f"max_requests durante la prueba, sus sucesores contados; sin PostgreSQL, Redis ni wrk)"
        )
        print(
            f"  esperadas: FOPI nuevos {total('fopis_nuevos'):,}; formulario con el límite diario de FOPI (200, "
            f"sin FOPI nuevo) {total('limite_fopi'):,}"
        )
        from fopi.models import Fopi

        print(f"FOPI emitidos en la base: {Fopi.objects.count():,}")
        if carga is not None:
            print(esperar_remesa(carga))
        return 0 if errores == 0 else 1
    finally:
        for proceso in procesos:
            os.killpg(proceso.pid, signal.SIGTERM)
        for proceso in procesos:
            proceso.wait(timeout=60)
        registro.close()


def cpu_de_trabajadores(maestros: set[int]) -> tuple[float, set[int]]:
    """CPU seconds (user + system) the gunicorn workers of `maestros` have used so far, and the pids of those
    alive. Throughput and latency move with whatever else the shared machine runs; the server's CPU per request
    much less. A worker that ended (recycled by max_requests) is no longer in /proc, but once its master reaped
    it its time is in the master's cutime and cstime (the CPU of its waited-for children): counted from there,
    so the difference of two readings includes every worker that ran in between, replaced ones too."""
    tics = os.sysconf("SC_CLK_TCK")
    cpu = 0.0
    vivos = set()
    for entrada in os.listdir("/proc"):
        if not entrada.isdigit():
            continue
        try:
            with open(f"/proc/{entrada}/stat") as archivo:
                campos = archivo.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: ppid is field 1; utime, stime, cutime, cstime are fields 11-14.
        if int(entrada) in maestros:
            cpu += (int(campos[13]) + int(campos[14])) / tics
        elif int(campos[1]) in maestros:
            cpu += (int(campos[11]) + int(campos[12])) / tics
            vivos.add(int(entrada))
    return cpu, vivos


def encolar_remesa(ruta: str, redis_url: str) -> int:
    """Upload `ruta` as staff would in the admin, for the RQ worker: the Carga's id."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from prestamos import cargas

    settings.REDIS_URL, settings.CARGAS_MODO = redis_url, "rq"
    personal, _ = get_user_model().objects.get_or_create(username="bench-capp", defaults={"is_staff": True})
    with open(ruta, "rb") as archivo:
        carga = cargas.carga_crear(archivo=File(archivo, name=os.path.basename(ruta)), usuario=personal)
    # Outside a transaction, carga_crear's on_commit has already put it in the queue.
    return carga.pk


def esperar_remesa(carga_id: int, segundos: int = 120) -> str:
    from prestamos.models import Carga

    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        carga = Carga.objects.get(pk=carga_id)
        if carga.estado not in (Carga.Estado.EN_COLA, Carga.Estado.PROCESANDO):
            duracion = (carga.terminada - carga.iniciada).total_seconds() if carga.terminada and carga.iniciada else 0
            return f"remesa (carga {carga_id}): {carga.get_estado_display()} en {duracion:.1f} s — {carga.resumen or carga.errores}"
        time.sleep(1)
    return f"remesa (carga {carga_id}): sin terminar tras {segundos} s"


if __name__ == "__main__":
    sys.exit(main())
