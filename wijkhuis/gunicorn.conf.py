"""gunicorn settings for Wijkhuis:  gunicorn -c wijkhuis/gunicorn.conf.py  (from the checkout).

Sync workers, one per core: on two cores they served database pages about twice as fast as
threads or per-request connections (each worker keeps its database connection, CONN_MAX_AGE).
A sync worker is busy for the whole of a request, so a slow client would hold it: run gunicorn
behind a buffering reverse proxy (deploy/nginx.conf) that reads the whole request first and takes
the response at once; `timeout` stops a worker stuck longer than that anyway.

Environment: WEB_CONCURRENCY (workers), GUNICORN_BIND, GUNICORN_TIMEOUT, FORWARDED_ALLOW_IPS,
LOG_FORMAT and LOG_LEVEL (as the portal's). Anything else can still be given on the command line.
"""

import os

wsgi_app = "wijkhuis.wsgi:application"

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)

# A request that takes longer than this is stopped (the worker is replaced); the proxy's read
# timeout is a little longer, so people see the proxy's error page rather than a cut connection.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # on restart, running requests get this long to finish
keepalive = 5  # only used behind a proxy that keeps connections open; sync workers close anyway

# Replace each worker after ten to fifteen thousand requests, so any slow leak stays small. Not
# more often, and spread widely: a new worker needs about a second before it serves, and with
# 1000 + 0..100 both workers were replaced within a second of each other every 25 s under load,
# which took p99 from about 140 to 700-900 ms (bench/load.py, 32 connections at ~70% load).
max_requests = 10000
max_requests_jitter = 5000


def post_worker_init(worker):
    """Import the URLconf, and with it every view module, before the worker takes its first
    request: else that request waits for it (0.5-1 s on a busy machine)."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.ROOT_URLCONF)


# Refuse absurd request lines and headers before Django sees them (gunicorn answers 400).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# The proxy on this machine sets X-Forwarded-For/-Proto; trust them from there only. A proxy on
# another machine: FORWARDED_ALLOW_IPS=its address (and BEHIND_PROXY=true for the portal).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file of each worker in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # noqa: S108

# gunicornc's control socket would need a writable home folder; systemd manages the service instead.
control_socket_disable = True

# Logs: gunicorn's own and the access log to stdout, one JSON object a line (or text in
# development), like the portal's own log lines (settings.LOGGING).
_format = os.environ.get("LOG_FORMAT", "text" if os.environ.get("DEBUG", "").lower() == "true" else "json")
accesslog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "wijkhuis.logging.JSONFormatter"},
        "text": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": _format},
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
