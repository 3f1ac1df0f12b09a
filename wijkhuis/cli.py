"""The `wijkhuis` command.

wijkhuis up           database, migrations, demo data (when empty), job worker and web server
wijkhuis db status    is the embedded database running, and where is it
wijkhuis db stop      stop the embedded database
wijkhuis <command>    any manage.py command, e.g. `wijkhuis createsuperuser`
"""

from __future__ import annotations

import os
import subprocess
import sys

DEMO_ACCOUNTS = [
    ("bewoner@example.nl", "bewoner (resident) of W4"),
    ("student@example.nl", "bewoner-student of W4"),
    ("coordinator@example.nl", "coordinator of W4"),
    ("medewerker@example.nl", "staff (medewerker) of both houses"),
    ("wethouder@example.nl", "viewer (wethouder)"),
    ("buiten@example.nl", "resident of BuurtThuis Wingerd only"),
]
DEMO_PASSWORD = "wijkhuis-demo"  # noqa: S105 - the published demo password


def _db(args: list[str]) -> int:
    from wijkhuis import localdb

    action = args[0] if args else "status"
    if action == "status":
        if os.environ.get("DATABASE_URL"):
            print("DATABASE_URL is set: the portal uses that server; nothing embedded runs.")
        print(f"Embedded database: {localdb.status()}")
        return 0
    if action == "stop":
        print("Stopped." if localdb.stop() else "It was not running.")
        return 0
    if action == "start":
        localdb.ensure_running()
        print(f"Embedded database: {localdb.status()}")
        return 0
    print("Use: wijkhuis db status | start | stop", file=sys.stderr)
    return 2


def _up(args: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="wijkhuis up")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-demo", action="store_true", help="do not add demo data")
    opts = parser.parse_args(args)

    if not _port_free(opts.host, opts.port):
        # runserver would stop the whole process on this, leaving the worker behind;
        # say it before anything starts.
        print(f"Port {opts.port} is in use. Stop what runs there, or start with --port <another number>.")
        return 1
    # A local demo: debug pages, mail printed here, no forced two-step login.
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DEMO_MODE", "false" if opts.no_demo else "true")
    os.environ.setdefault("MFA_REQUIRED_FOR_STAFF", "false" if not opts.no_demo else "true")

    from wijkhuis import localdb

    localdb.prepare_environment()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from residents.models import House

    if not opts.no_demo and not House.objects.exists():
        print("Adding demo data ...")
        call_command("seed_demo")

    manage = [sys.executable, "-m", "wijkhuis.cli"]
    worker = subprocess.Popen([*manage, "worker", "--no-reload", "--no-startup-delay"])  # noqa: S603
    address = f"http://{opts.host}:{opts.port}/"
    print()
    print(f"  Wijkhuis runs at {address}")
    if not opts.no_demo:
        print(f"  Demo accounts (password: {DEMO_PASSWORD}); or log in with a code from the mail below:")
        for email, what in DEMO_ACCOUNTS:
            print(f"    {email:<26} {what}")
    print("  E-mail is printed here. Stop with Ctrl+C; `wijkhuis db stop` stops the database.")
    print()
    try:
        call_command("runserver", f"{opts.host}:{opts.port}", use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
    return 0


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkhuis.settings")
    command = argv[0] if argv else "help"
    if command in ("db", "localdb"):
        return _db(argv[1:])
    if command == "up":
        return _up(argv[1:])
    if command in ("help", "-h", "--help") and len(argv) <= 1:
        print(__doc__)
        return 0
    from wijkhuis import localdb

    sys.argv = ["wijkhuis", *argv]
    localdb.prepare_environment()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wijkhuis", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
