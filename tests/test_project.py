"""The project as a new user and an operator meet it: settings from the environment, the demo, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from residents.models import AuditEvent, House, Membership, OpeningHours, Organisation, User
from wijkhuis import cli

ROOT = Path(__file__).resolve().parent.parent


def _settings_in_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG")}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wijkhuis.settings'; "
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['NAME'], d.get('HOST') or d.get('OPTIONS', {}).get('host'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_database_url():
    result = _settings_in_subprocess({"DATABASE_URL_REQUIRED": "true", "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "DATABASE_URL_REQUIRED is on, but DATABASE_URL is not set" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_in_subprocess(
        {"DATABASE_URL_REQUIRED": "true", "DATABASE_URL": "postgres://u:p@db.example.nl/w"}
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_with_database_url_that_server_is_used():
    result = _settings_in_subprocess({"DATABASE_URL": "postgres://u:p@db.example.nl:5432/wijk"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wijk", "db.example.nl"]


def test_without_database_url_the_embedded_server_is_used():
    result = _settings_in_subprocess({})
    assert result.returncode == 0, result.stderr
    name, host = result.stdout.split()
    assert name == "wijkhuis"
    assert host.endswith(".pgdata") or "WIJKHUIS_PGDATA" in os.environ


def test_sqlite_is_refused():
    result = _settings_in_subprocess({"DATABASE_URL": "sqlite:///tmp/x.db"})
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


@pytest.mark.django_db
def test_seed_demo_makes_the_demo_and_is_idempotent(client):
    call_command("seed_demo", verbosity=0)
    models = [User, House, Membership, Organisation, OpeningHours, EmailAddress, AuditEvent]
    counts = {m.__name__: m.objects.count() for m in models}
    call_command("seed_demo", verbosity=0)
    assert {m.__name__: m.objects.count() for m in models} == counts

    assert set(House.objects.values_list("slug", flat=True)) >= {"w4", "buurtthuis"}
    for email, _ in cli.DEMO_ACCOUNTS:
        assert client.login(email=email, password=cli.DEMO_PASSWORD), email
        assert EmailAddress.objects.get(email=email).verified
        client.logout()
    roles = {
        (m.user.email, m.house.slug): m.role
        for m in Membership.objects.active().select_related("user", "house")
        if m.user.email and m.user.email in dict(cli.DEMO_ACCOUNTS)
    }
    assert roles[("bewoner@example.nl", "w4")] == "resident"
    assert roles[("student@example.nl", "w4")] == "student"
    assert roles[("coordinator@example.nl", "w4")] == "coordinator"
    assert roles[("medewerker@example.nl", "w4")] == "staff"
    assert roles[("medewerker@example.nl", "buurtthuis")] == "staff"
    assert roles[("wethouder@example.nl", "w4")] == "viewer"
    assert roles[("buiten@example.nl", "buurtthuis")] == "resident"
    assert ("buiten@example.nl", "w4") not in roles
    assert Membership.objects.pending().exists(), "staff see a queue of requests in the demo"


def test_cli_db_status_says_where_the_data_is(capsys):
    assert cli.main(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert "running" in out


def test_cli_help(capsys):
    assert cli.main(["help"]) == 0
    assert "wijkhuis up" in capsys.readouterr().out


def test_every_app_of_ours_is_installed_by_pip():
    """A fresh `pip install -e .` finds only the packages pyproject.toml names; a new app must be there."""
    import fnmatch
    import tomllib
    from pathlib import Path

    from django.conf import settings as django_settings

    root = Path(__file__).resolve().parent.parent
    include = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"][
        "include"
    ]
    ours = [app for app in django_settings.INSTALLED_APPS if (root / app.split(".")[0]).is_dir()]
    assert "summary" in ours and "news" in ours
    missing = [app for app in ours if not any(fnmatch.fnmatch(app, pattern) for pattern in include)]
    assert not missing, f"add to [tool.setuptools.packages.find] include: {missing}"


def test_up_says_when_its_port_is_taken_and_starts_nothing(capsys, monkeypatch):
    import socket

    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not cli._port_free("127.0.0.1", port)
        assert cli.main(["up", "--no-demo", "--port", str(port)]) == 1
    assert f"Port {port} is in use" in capsys.readouterr().out
    assert started == []  # no worker left behind
    assert cli._port_free("127.0.0.1", port)  # negative control: free again once released
