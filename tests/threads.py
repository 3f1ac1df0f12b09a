"""Run functions in real threads, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection, connections


def run_in_threads(*funcs: Callable[[], object], timeout: float = 120) -> list[tuple[str, object]]:
    """Start one thread per function; return ("ok", result) or ("error", exception) per function."""
    results: list[tuple[str, object] | None] = [None] * len(funcs)

    def runner(i, func):
        try:
            results[i] = ("ok", func())
        except BaseException as err:
            results[i] = ("error", err)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(funcs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a thread hung (deadlock?)"
    return results  # type: ignore[return-value]


def someone_waits_for_a_lock() -> bool:
    """Whether a connection to the test database is waiting for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
