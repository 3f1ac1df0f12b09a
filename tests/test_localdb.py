"""The embedded PostgreSQL helper. Servers started here use their own short data folder in /tmp,
never the checkout's; they are stopped and removed in `finally`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from wijkhuis import localdb

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def scratch(monkeypatch):
    """A fresh, short data folder path (not created yet); WIJKHUIS_PGDATA points at it."""
    parent = Path(tempfile.mkdtemp(prefix="wpg", dir="/tmp"))
    parent.chmod(0o755)  # the server runs as its own system user when we are root
    folder = parent / "pg"
    monkeypatch.setenv("WIJKHUIS_PGDATA", str(folder))
    try:
        yield folder
    finally:
        try:
            localdb.stop()
        finally:
            shutil.rmtree(parent, ignore_errors=True)


def _ensure_running_in_subprocess(folder: Path) -> subprocess.Popen:
    env = {**os.environ, "WIJKHUIS_PGDATA": str(folder)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-c", "from wijkhuis import localdb; print(localdb.ensure_running())"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out.strip()


def test_url_is_cheap_and_starts_nothing(monkeypatch, tmp_path):
    folder = tmp_path / "nothing-here"
    monkeypatch.setenv("WIJKHUIS_PGDATA", str(folder))
    url = localdb.url("wijkhuis")
    assert url == f"postgresql://postgres@/wijkhuis?host={folder}"
    assert not folder.exists()
    assert not localdb.is_running()
    assert localdb.status() == f"not created yet; it will be made in {folder}"


def test_status_of_the_running_server(db):
    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        # The run uses that server (CI's PostgreSQL 15): the tests' database is not the embedded one.
        host = connection.settings_dict.get("HOST") or ""
        assert host and str(localdb.data_dir()) not in host, host
        return
    # The test run's own server (started by conftest) is running.
    assert localdb.status().startswith("running (pid ")


def test_too_long_a_path_is_refused_with_advice(monkeypatch):
    monkeypatch.setenv("WIJKHUIS_PGDATA", "/" + "x" * 120)
    with pytest.raises(SystemExit, match="WIJKHUIS_PGDATA"):
        localdb.ensure_running()


def test_two_processes_start_a_fresh_server_at_once_then_stop(scratch):
    first = _ensure_running_in_subprocess(scratch)
    second = _ensure_running_in_subprocess(scratch)
    urls = {_wait(first), _wait(second)}

    assert urls == {localdb.url()}
    assert localdb.is_running()
    assert localdb.status().startswith("running (pid ")

    assert localdb.stop() is True
    assert localdb.status() == f"stopped, data in {scratch}"
    assert localdb.stop() is False  # stopping twice is fine


def test_stale_pidfile_of_a_live_other_process_is_cleared(scratch):
    _wait(_ensure_running_in_subprocess(scratch))
    pidfile = scratch / "postmaster.pid"
    lines = pidfile.read_text().splitlines(keepends=True)
    localdb.stop()
    assert not pidfile.exists()

    # A crash left postmaster.pid behind, and its PID now belongs to a live process that is
    # not PostgreSQL: this test process.
    lines[0] = f"{os.getpid()}\n"
    pidfile.write_text("".join(lines))
    assert "stale postmaster.pid" in localdb.status()

    _wait(_ensure_running_in_subprocess(scratch))
    assert localdb.is_running()
    assert int(pidfile.read_text().splitlines()[0]) != os.getpid()


def _forget_after_the_test(monkeypatch, *names: str) -> None:
    """Unset `names` now and put them back as they were afterwards, also when the code under test
    sets them (reading .env writes os.environ; a bare delenv of an unset name restores nothing,
    and a leaked DATABASE_URL_REQUIRED broke every later test that starts Django in a subprocess)."""
    for name in names:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_a_database_url_only_in_dot_env_starts_nothing_embedded(monkeypatch, tmp_path):
    """The deployment guide keeps the settings in /etc/wijkhuis/env, linked as .env: commands must read
    DATABASE_URL from there before deciding to start the embedded server."""
    (tmp_path / ".env").write_text("DATABASE_URL=postgres://wijkhuis:secret@db.example.nl:5432/wijkhuis\n")
    monkeypatch.setattr(localdb, "BASE_DIR", tmp_path)
    _forget_after_the_test(monkeypatch, "DATABASE_URL", "DATABASE_URL_REQUIRED")
    monkeypatch.setattr(sys, "argv", ["wijkhuis", "migrate"])

    def must_not_start(*args, **kwargs):
        raise AssertionError("the embedded server was started although .env names a server")

    monkeypatch.setattr(localdb, "ensure_running", must_not_start)
    localdb.prepare_environment()
    assert os.environ["DATABASE_URL"] == "postgres://wijkhuis:secret@db.example.nl:5432/wijkhuis"


def test_production_without_a_database_url_starts_nothing_embedded(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL_REQUIRED=true\n")
    monkeypatch.setattr(localdb, "BASE_DIR", tmp_path)
    _forget_after_the_test(monkeypatch, "DATABASE_URL", "DATABASE_URL_REQUIRED")
    monkeypatch.setattr(sys, "argv", ["wijkhuis", "migrate"])
    monkeypatch.setattr(localdb, "ensure_running", lambda *a, **k: pytest.fail("started"))
    localdb.prepare_environment()
    assert "DATABASE_URL" not in os.environ
