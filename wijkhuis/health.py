"""GET /health/: can this app server serve? For a load balancer or a monitor.

It checks the two things the portal keeps its state in:
- the database: one trivial query, with a statement timeout of two seconds;
- the media storage (local folder or object storage): write a tiny file with a random name under
  health/, read it back and delete it. Three requests on object storage; it never lists the bucket.

The answer is 200 {"status": "ok"} or 503 {"status": "unavailable"}, nothing more: what went wrong
(error text, host names, versions) goes to the log at WARNING, never into the response. The view
uses no session, no login and no CSRF token, and its answer is never cached. ALLOWED_HOSTS still
applies: the load balancer must send one of the portal's host names in its Host header.
"""

from __future__ import annotations

import logging
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

# Where the storage probe writes; backups leave this folder out (wijkhuis/backup.py).
PROBE_DIR = "health"
PROBE_CONTENT = b"wijkhuis health probe\n"
# The database must answer the query within this (PostgreSQL's statement_timeout) ...
DATABASE_TIMEOUT = "2s"
# ... and the storage its three requests within this many seconds.
STORAGE_TIMEOUT = 3.0

# The storage check runs in this one thread, so a hanging storage cannot hold the request longer
# than STORAGE_TIMEOUT. While a check still hangs, the next one answers "unavailable" at once
# instead of queueing behind it.
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-storage")
_lock = threading.Lock()
_running: Future | None = None


def check_database() -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = '{DATABASE_TIMEOUT}'")
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    except Exception as exc:  # a health check answers; it never raises
        log.warning("Health check: the database did not answer: %s: %s", type(exc).__name__, exc)
        return False
    if row != (1,):
        log.warning("Health check: the database answered %r to SELECT 1", row)
        return False
    return True


def _probe_storage() -> None:
    """Write, read back and delete a tiny file; raises when any step fails."""
    name = f"{PROBE_DIR}/probe-{secrets.token_hex(8)}"
    saved = default_storage.save(name, ContentFile(PROBE_CONTENT))
    try:
        with default_storage.open(saved, "rb") as fh:
            content = fh.read()
        if content != PROBE_CONTENT:
            raise OSError(f"read back {len(content)} bytes that differ from the {len(PROBE_CONTENT)} written")
    finally:
        default_storage.delete(saved)


def check_storage() -> bool:
    global _running
    with _lock:
        if _running is not None and not _running.done():
            log.warning("Health check: the previous storage check has not finished yet")
            return False
        future = _running = _pool.submit(_probe_storage)
    try:
        future.result(timeout=STORAGE_TIMEOUT)
    except FutureTimeout:
        log.warning("Health check: the media storage did not answer within %s seconds", STORAGE_TIMEOUT)
        return False
    except Exception as exc:  # a health check answers; it never raises
        log.warning("Health check: the media storage failed: %s: %s", type(exc).__name__, exc)
        return False
    return True


@csrf_exempt
@never_cache
@require_safe
def health(request):
    # Both checks run, so the log tells about each.
    database_ok = check_database()
    storage_ok = check_storage()
    if database_ok and storage_ok:
        return JsonResponse({"status": "ok"})
    response = JsonResponse({"status": "unavailable"}, status=503)
    # Logged above at WARNING. Django would log every 503 again at ERROR, which mails the admins:
    # a monitor probing every few seconds during an outage would fill their inbox.
    response._has_been_logged = True
    return response
