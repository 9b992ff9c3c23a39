"""Load test: logged-in borrowers reading statements and issuing FOPIs, against gunicorn with 2 workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/carga.py \
        [--segundos 30] [--conexiones 8]

Starts gunicorn (the project's gunicorn.conf.py, 2 sync workers) bound to 127.0.0.1 only, with the
production profile (DEBUG off, Redis cache and cached_db sessions on Redis database 15, static files
collected) against the bench database, then runs wrk for a bounded time: each connection is one borrower
(sessions from bench/datos.py, CSRF cookie and token made up per borrower, as Django accepts an unmasked
secret; one wrk thread per connection, so each follows its own sequence) cycling through: statement page → POST a PARCIAL FOPI of 500.00 → the FOPI's page → its PDF.
Reports throughput, latency percentiles and errors (target: zero), then stops gunicorn.
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

from comun import RAIZ, SALIDA, carga_promedio, django_listo, maquina, perfil_produccion, vaciar_cache_bench

PUERTO = 8097


def usuarios_activos() -> list[tuple[str, str]]:
    """(session key, folio of a loan the borrower can pay) for every session the generator created."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    from prestamos.models import Prestamo

    lista = []
    claves = (SALIDA / "sesiones.txt").read_text().split()
    sesiones = {s.session_key: s.get_decoded().get(SESSION_KEY) for s in Session.objects.filter(session_key__in=claves)}
    folios = dict(
        Prestamo.objects.filter(derechohabiente__usuario_id__in=[int(u) for u in sesiones.values() if u],
                                estado=Prestamo.Estado.VIGENTE).values_list("derechohabiente__usuario_id", "folio")
    )
    for clave in claves:
        usuario = sesiones.get(clave)
        if usuario and int(usuario) in folios:
            lista.append((clave, folios[int(usuario)]))
    return lista


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segundos", type=int, default=30)
    parser.add_argument("--conexiones", type=int, default=8)
    args = parser.parse_args()
    perfil_produccion()
    django_listo()
    print(maquina())
    usuarios = usuarios_activos()
    ruta = SALIDA / "usuarios-carga.txt"
    with ruta.open("w") as archivo:
        for sesion, folio in usuarios:
            archivo.write(f"{sesion} {secrets.token_hex(16)} {folio}\n")
    print(f"{len(usuarios)} derechohabientes con sesión y préstamo vigente")

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    vaciar_cache_bench(redis_url)
    entorno = dict(
        os.environ,
        REDIS_URL=redis_url,
        GUNICORN_BIND=f"127.0.0.1:{PUERTO}",
        GUNICORN_WORKERS="2",
    )
    python = sys.executable
    registro = (SALIDA / "gunicorn.log").open("w")
    servidor = subprocess.Popen(
        [os.path.join(os.path.dirname(python), "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"],
        cwd=RAIZ, env=entorno, stdout=registro, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PUERTO}/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            print("gunicorn no arrancó; ver", SALIDA / "gunicorn.log")
            return 1
        comando = ["wrk", f"-t{args.conexiones}", f"-c{args.conexiones}", f"-d{args.segundos}s", "--latency", "--timeout", "10s",
                   "-s", str(RAIZ / "bench" / "carga.lua"), f"http://127.0.0.1:{PUERTO}"]
        print("$", " ".join(comando))
        salida = subprocess.run(comando, env=dict(os.environ, BENCH_USUARIOS=str(ruta)), capture_output=True,
                                text=True, timeout=args.segundos + 60).stdout
        print(salida)
        print(f"carga promedio al terminar: {carga_promedio()}")
        resultado = dict(re.findall(r"(\w+)=([\d.]+)", salida.split("RESULTADO", 1)[1])) if "RESULTADO" in salida else {}
        if not resultado:
            return 1
        print(f"rendimiento {int(resultado['peticiones']) / args.segundos:.1f} peticiones/s, p95 {resultado['p95_ms']} ms, "
              f"errores {int(resultado['errores_http']) + int(resultado['errores_socket'])}")
        from fopi.models import Fopi

        print(f"FOPI emitidos en la base: {Fopi.objects.count():,}")
        return 0 if resultado["errores_http"] == "0" and resultado["errores_socket"] == "0" else 1
    finally:
        os.killpg(servidor.pid, signal.SIGTERM)
        servidor.wait(timeout=30)
        registro.close()


if __name__ == "__main__":
    sys.exit(main())
