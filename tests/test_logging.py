"""Log lines: one JSON object per line in production, readable text in development (wijkhuis/logging.py)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from django.test import RequestFactory

from wijkhuis.logging import ClientMistakeFilter, JSONFormatter, WorthMailing

ROOT = Path(__file__).resolve().parent.parent

LOG_SOMETHING = """
import logging, os
os.environ["DJANGO_SETTINGS_MODULE"] = "wijkhuis.settings"
import django
django.setup()
log = logging.getLogger("wijkhuis.example")
log.info("Hallo %s", "wereld")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("Het ging mis")
"""


def _run(**env: str) -> subprocess.CompletedProcess:
    drop = {"DEBUG", "LOG_FORMAT", "LOG_LEVEL", "ADMINS"}
    base = {k: v for k, v in os.environ.items() if k not in drop}
    # A database address is enough: setting up Django never connects.
    base["DATABASE_URL"] = "postgres://u:p@db.example.nl:5432/w"
    return subprocess.run(
        [sys.executable, "-c", LOG_SOMETHING],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _record(msg: str, *args, level=logging.INFO, name="wijkhuis.example", exc_info=None, **extra):
    record = logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_production_logs_one_json_object_per_line_on_stdout():
    result = _run()
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["level"], e["logger"], e["message"]) for e in lines] == [
        ("INFO", "wijkhuis.example", "Hallo wereld"),
        ("ERROR", "wijkhuis.example", "Het ging mis"),
    ]
    assert "exception" not in lines[0]
    assert lines[1]["exception"].startswith("Traceback") and "ZeroDivisionError" in lines[1]["exception"]
    assert lines[0]["time"].endswith("+00:00")  # ISO 8601, UTC


def test_development_logs_text():
    result = _run(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "INFO wijkhuis.example: Hallo wereld" in result.stdout
    assert not result.stdout.lstrip().startswith("{")
    assert "Traceback" in result.stdout


def test_the_format_can_be_chosen_and_a_wrong_one_is_refused():
    assert _run(DEBUG="true", LOG_FORMAT="json").stdout.startswith("{")
    assert not _run(LOG_FORMAT="text").stdout.startswith("{")
    result = _run(LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr


def test_a_request_record_has_method_path_and_status():
    request = RequestFactory().post("/w4/nieuws/nieuw/")
    line = JSONFormatter().format(
        _record(
            "Bad request: %s", "/w4/nieuws/nieuw/", name="django.request", request=request, status_code=400
        )
    )
    entry = json.loads(line)
    assert entry["method"] == "POST" and entry["path"] == "/w4/nieuws/nieuw/" and entry["status"] == 400
    assert entry["message"] == "Bad request: /w4/nieuws/nieuw/"
    assert "request" not in entry  # the object itself is not dumped


def test_extra_fields_are_kept_and_odd_values_do_not_break_the_line():
    entry = json.loads(JSONFormatter().format(_record("Klaar", house="w4", rows=3, when=object())))
    assert entry["house"] == "w4" and entry["rows"] == 3 and entry["when"].startswith("<object")


def test_a_gunicorn_access_line_becomes_fields():
    atoms = {
        "h": "127.0.0.1",
        "m": "GET",
        "U": "/w4/agenda/",
        "q": "maand",
        "s": "200",
        "B": 5120,
        "D": 12345,
        "a": "Mozilla/5.0",
        "f": "-",
        "{x-forwarded-for}i": "203.0.113.7",
    }
    record = _record('%(h)s "%(r)s" %(s)s', name="gunicorn.access")
    record.args = atoms  # as gunicorn passes them: one mapping
    entry = json.loads(JSONFormatter().format(record))
    assert entry["message"] == "GET /w4/agenda/ 200"
    assert entry["status"] == 200 and entry["duration_ms"] == 12.3 and entry["bytes"] == 5120
    assert entry["query"] == "maand" and entry["forwarded_for"] == "203.0.113.7"
    assert entry["referer"] is None


def test_a_client_mistake_becomes_a_short_warning():
    try:
        raise ValueError("Invalid HTTP_HOST header")
    except ValueError:
        record = _record("Invalid HTTP_HOST header", level=logging.ERROR, exc_info=sys.exc_info())
    assert ClientMistakeFilter().filter(record)
    assert (record.levelno, record.levelname, record.exc_info) == (logging.WARNING, "WARNING", None)


def test_error_mail_leaves_out_failed_mail_delivery_and_an_unreachable_database():
    from django.db import OperationalError

    worth = WorthMailing().filter
    task = "Task id=%s path=%s state=%s"
    assert not worth(
        _record(task, "a1", "wijkhuis.mail.deliver_email", "FAILED", level=40, name="django.tasks")
    )
    assert worth(_record(task, "a2", "care.jobs.remind_worries", "FAILED", level=40, name="django.tasks"))
    assert worth(_record("Kapot", level=40, exc_info=(ValueError, ValueError("x"), None)))

    outcome = {}

    def in_a_thread_without_a_connection():  # as the worker's scheduler after a failed connect
        down = OperationalError("connection refused")
        outcome["mailed"] = worth(
            _record("Could not enqueue", level=40, exc_info=(OperationalError, down, None))
        )

    thread = threading.Thread(target=in_a_thread_without_a_connection)
    thread.start()
    thread.join()
    assert outcome == {"mailed": False}
