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
accesslog = "-"
errorlog = "-"
wsgi_app = "oficina.wsgi:application"
