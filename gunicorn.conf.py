"""gunicorn settings for a production node (behind a proxy that terminates HTTPS)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
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
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/run/oficina-metricas" if os.access("/run", os.W_OK) else
                      os.path.join(os.environ.get("TMPDIR", "/tmp"), "oficina-metricas"))


def on_starting(server):
    # A new master starts from zero: files left by the workers of a previous run would be added in again.
    directorio = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directorio, exist_ok=True)
    for nombre in os.listdir(directorio):
        if nombre.endswith(".db"):
            os.remove(os.path.join(directorio, nombre))


def child_exit(server, worker):
    # A worker that ended (max_requests, a crash): its live gauges stop counting; its counters stay summed.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
