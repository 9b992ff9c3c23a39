"""What the benchmarks share: the bench database (refusing any other), Django set up, the machine's figures."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oficina.settings")
# One secret for every bench script: the sessions bench/datos.py signs must open in gunicorn too.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-no-secreta-" + "0123456789" * 5)
# Missing-deduction e-mails are built and "sent" to memory: the console backend would print thousands.
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

# Files the generator leaves for the other scripts (the remesa to load, the borrowers' sessions).
SALIDA = Path(os.environ.get("BENCH_SALIDA", "/tmp/oficina-bench"))


def configuracion_bench() -> dict:
    """The DATABASE_URL's settings, refusing SQLite and any database whose name lacks "bench"."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url) if url else {"ENGINE": "sqlite", "NAME": ""}
    if "postgresql" not in config["ENGINE"]:
        sys.exit("Los benchmarks sólo corren en PostgreSQL (DATABASE_URL=postgres://…/oficina_bench).")
    if "bench" not in config["NAME"]:
        sys.exit(
            f"La base «{config['NAME']}» no contiene «bench» en su nombre: el benchmark la borraría o "
            "escribiría en ella. Usa p. ej. oficina_bench."
        )
    return config


def conectar_servidor(config: dict):
    import psycopg

    servidor = dict(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    return psycopg.connect(**{k: v for k, v in servidor.items() if v is not None})


def recrear_base() -> None:
    config = configuracion_bench()
    nombre = config["NAME"]
    with conectar_servidor(config) as conexion:
        conexion.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
        conexion.execute(f'CREATE DATABASE "{nombre}"')


def perfil_produccion() -> dict:
    """The production profile's environment (DEBUG off, static files from the manifest), over plain HTTP."""
    os.environ.update(
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_LOG_LEVEL="WARNING",
    )
    import subprocess

    # DEBUG off serves static files through whitenoise's manifest, which collectstatic writes.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=RAIZ, check=True)
    return dict(os.environ)


def django_listo() -> None:
    configuracion_bench()
    import django

    django.setup()


def maquina() -> str:
    """Cores, memory, PostgreSQL version and load average, printed with every figure."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    memoria = next(
        (int(linea.split()[1]) // 1024 for linea in open("/proc/meminfo") if linea.startswith("MemTotal")), 0
    )
    carga = " ".join(open("/proc/loadavg").read().split()[:3])
    return (
        f"{os.cpu_count()} núcleos, {memoria / 1024:.1f} GiB, PostgreSQL {version}, Python "
        f"{platform.python_version()}, carga promedio {carga}"
    )


def carga_promedio() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def vaciar_cache_bench(url: str) -> None:
    """Empty the bench's Redis database: bench/datos.py writes remesas by COPY, without the signals that
    clear the pages' cached remesas, so entries from an earlier data set must not survive into a run."""
    import redis

    redis.Redis.from_url(url).flushdb()


def django_en_produccion_para_gunicorn() -> str:
    """The start of the benchmarks that run gunicorn: the production profile, then Django on the bench's Redis
    (`BENCH_REDIS_URL`, default db 15) as `REDIS_URL`, the one the gunicorn they start is given, so this process
    and its workers share one cache (same URL and key prefix). Returns that URL."""
    perfil_produccion()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ["REDIS_URL"] = redis_url
    django_listo()
    return redis_url


def calentar_sesiones(claves) -> int:
    """Read every session once through the configured engine (cached_db on the bench's Redis), so each enters
    the cache a server reading the same REDIS_URL and key prefix uses: as after a real login, which saves
    through cached_db and so writes the cache. bench/datos.py writes sessions by COPY and the bench's Redis
    is emptied before a run: without this, each borrower's first request would read the database instead.
    Returns how many sessions were found (an expired or unknown key loads empty and is not cached)."""
    from importlib import import_module

    from django.conf import settings

    motor = import_module(settings.SESSION_ENGINE)
    encontradas = 0
    for clave in claves:
        sesion = motor.SessionStore(session_key=clave)
        if sesion.load():
            encontradas += 1
    return encontradas


def django_en_produccion_con_redis() -> None:
    """The in-process benchmarks' start: the production profile, the cache and sessions on the bench's Redis
    database (`REDIS_URL`, default `BENCH_REDIS_URL` or db 15) emptied first, then Django."""
    perfil_produccion()
    os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    vaciar_cache_bench(os.environ["REDIS_URL"])
    django_listo()
