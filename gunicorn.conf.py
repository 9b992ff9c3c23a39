"""gunicorn settings for a production node (behind a proxy that terminates HTTPS)."""

import atexit
import gc
import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after about this many requests (a guard against slow memory leaks). It is forked from the
# master with the application already loaded and warmed (preload_app, on_starting below): a new worker answers
# at once instead of importing Django while requests wait for it (docs/performance.md, "Workers"). Code changes
# therefore need a restart of the master (or USR2), not a HUP, to reach the workers.
max_requests = 2000
max_requests_jitter = 200
preload_app = True
# Only the local proxy may set X-Forwarded-* headers (Django trusts X-Forwarded-Proto for HTTPS). gunicorn
# leaves REMOTE_ADDR as the proxy's address: the client's, for the rate limits, is read from X-Forwarded-For
# by the portal itself, trusting as many hops as DJANGO_TRUSTED_PROXY_COUNT says (README, "Proxies").
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The access log is the portal's own JSON "request_finished" line, with the request id and without the query
# string (a search may carry a CURP): gunicorn's plain-text one is off unless asked for (README "Operación").
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
wsgi_app = "oficina.wsgi:application"

# Prometheus' multiprocess mode (oficina/metricas.py): every worker writes its metrics to files in this directory
# and a scrape of any worker sums them. Set before a worker imports prometheus_client; the RQ worker of the node
# must be started with the same PROMETHEUS_MULTIPROC_DIR.
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    "/run/oficina-metricas"
    if os.access("/run", os.W_OK)
    else os.path.join(os.environ.get("TMPDIR", "/tmp"), "oficina-metricas"),
)
# preload_app: the master imports prometheus_client's metrics, whose files go here, before on_starting runs.
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def on_starting(server):
    # Runs in the master after preload_app loaded the application, before any worker is forked. Warm what a
    # worker's first requests would otherwise load (URLconf, templates, translations, the static manifest); no
    # database or Redis connection is opened (oficina/arranque.py checks it), so none is shared with a worker.
    from oficina import arranque

    server.log.info("Plantillas compiladas antes de crear trabajadores: %d", arranque.calentar())
    # What the master loaded stays put: the collector of each worker no longer walks it (nor writes to its pages,
    # which the workers share with the master until one writes) — Python's advice for forking servers.
    gc.freeze()
    # A new master starts from zero: files left by the workers of a previous run would be added in again, and
    # so would any the master's own import created (each worker writes files of its own pid once forked).
    directorio = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directorio, exist_ok=True)
    for nombre in os.listdir(directorio):
        if nombre.endswith(".db"):
            os.remove(os.path.join(directorio, nombre))


def post_fork(server, worker):
    # Belt and braces: a connection object inherited from the master (there should be none) is dropped without
    # closing it — closing would end the master's session on the shared socket — so the worker opens its own.
    from django.db import connections

    for alias in connections:
        connections[alias].connection = None


def worker_exit(server, worker):
    # In the worker, once it stopped serving (max_requests reached, or the master told it to stop). Python's own
    # teardown of a process this size (every module and object freed one by one) took ~1 s on the 2-core machine,
    # and gunicorn forks the replacement only after the old worker is gone: with 2 workers, half the capacity for
    # that second. The database connections are closed properly and the exit handlers run (logging's flush,
    # weakref finalizers: what a normal exit runs before the teardown), then the process ends without the teardown.
    if worker is not None and os.getpid() != worker.pid:
        # gunicorn also calls this hook in the master, for a worker it tried to kill and found already gone: the
        # master must go on.
        return
    from django.db import connections

    # The worker leaves through sys.exit: keep its status (3, a worker that could not boot, makes the master halt
    # instead of forking it again and again; -1, a crash, is 255).
    salida = sys.exc_info()[1]
    codigo = salida.code if isinstance(salida, SystemExit) else 0
    codigo = 0 if codigo is None else codigo if isinstance(codigo, int) else 1
    connections.close_all()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(codigo & 0xFF)


def child_exit(server, worker):
    # A worker that ended (max_requests, a crash): its live gauges stop counting; its counters stay summed.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
