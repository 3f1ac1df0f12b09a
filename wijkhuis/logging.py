"""Log records as one JSON object per line (production), and filters that keep client mistakes and
database outages out of the error mail.

Used by settings.LOGGING (the portal and the worker) and by wijkhuis/gunicorn.conf.py (gunicorn's
own and access log). Everything here must import without Django set up: gunicorn's master loads it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

# Attributes every LogRecord has; anything else was passed with `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Django adds these with extra=; they are objects, turned into fields below.
_SKIP_EXTRA = {"request", "server_time", "status_code"}


class JSONFormatter(logging.Formatter):
    """time (ISO 8601, UTC), level, logger, message; exception text when there is one; method, path
    and status of the request for Django's request records; gunicorn's access line as fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(_access_fields(record.args))
            entry["message"] = f"{entry.get('method')} {entry.get('path')} {entry.get('status')}"
        else:
            entry["message"] = record.getMessage()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = getattr(request, "method", None)
            entry["path"] = request.path
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _SKIP_EXTRA and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool | None) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _access_fields(atoms: dict) -> dict[str, object]:
    """gunicorn's access atoms (gunicorn.glogging.Logger.atoms) as named fields."""

    def get(key: str):
        value = atoms.get(key)
        return None if value in (None, "-") else value

    status = get("s")
    return {
        "method": get("m"),
        "path": get("U"),
        "query": get("q") or None,
        "status": int(status) if str(status).isdigit() else status,
        "duration_ms": round(atoms["D"] / 1000, 1) if isinstance(atoms.get("D"), int) else None,
        "bytes": get("B"),
        "remote_addr": get("h"),
        "forwarded_for": get("{x-forwarded-for}i"),
        "user_agent": get("a"),
        "referer": get("f"),
    }


class ClientMistakeFilter(logging.Filter):
    """Django logs a wrong Host header or a too-large request at ERROR on django.security.*; they are
    the client's mistake (or a scanner's), not ours. Logged at WARNING without the traceback: no
    error mail, no flood, one short line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = record.exc_text = None
        return True


class DatabaseOutageFilter(logging.Filter):
    """A request that failed because the database could not be reached is logged at WARNING: during
    a restart of PostgreSQL every request would otherwise mail the admins (and that mail is queued in
    the very database that is away). The health endpoint and its monitor report the outage."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        # The 503 of wijkhuis.middleware.DatabaseUnavailableMiddleware, or a request whose connection
        # was lost while it ran.
        answered_503 = getattr(getattr(record, "request", None), "database_unavailable", False)
        if answered_503 or (record.exc_info and database_unreachable(record.exc_info[1])):
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True


class WorthMailing(logging.Filter):
    """For the error-mail handler, two errors are not mailed about:
    - a failed delivery of a queued e-mail: the report would be queued and fail the same way (the
      mail server is away), and so on without end;
    - the database being unreachable (the worker's scheduler, a job): the report would be queued in
      that database. The log has them; the health endpoint's monitor reports the outage."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.tasks" and DELIVERY_TASK in (record.args or ()):
            return False
        return not (record.exc_info and database_unreachable(record.exc_info[1]))


DELIVERY_TASK = "wijkhuis.mail.deliver_email"


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether `exc` is a database error because the server cannot be reached (connection refused or
    dropped), rather than an error in a query such as a deadlock, which stays an error."""
    from django.db import InterfaceError, OperationalError, connection

    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    if connection.connection is None:
        return True  # connecting failed
    try:
        return bool(connection.connection.closed) or connection.connection.broken
    except AttributeError:  # another driver: ask the server
        return not connection.is_usable()
