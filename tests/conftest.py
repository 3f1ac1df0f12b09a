"""Shared fixtures: the embedded database, one test database per run, personas, guards.

Personas (STYLE.md): `anonymous`, `resident`, `student`, `coordinator`, `staff`, `viewer` of the
house `house` (w4), `outsider` (a resident of `other_house` only) and `superuser`. Each has a
verified e-mail address. `client_for(persona)` gives a test client logged in as that persona.
"""

from __future__ import annotations

import logging
import os

import pytest

from tests import factories
from tests.factories import make_house

PERSONAS = [
    "anonymous",
    "resident",
    "student",
    "coordinator",
    "staff",
    "viewer",
    "outsider",
    "superuser",
]


def pytest_configure(config):
    # The embedded server must run before pytest-django creates the test database. Settings only
    # read its address (cheap); starting it is our job here, as manage.py does for the portal.
    if not os.environ.get("DATABASE_URL"):
        from wijkhuis import localdb

        localdb.ensure_running()
        # Test databases of runs that crashed or were killed; those of live runs are kept.
        localdb.drop_stale_test_databases("test_wijkhuis_")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request):
    """One test database per process, so two runs at once never drop each other's database.

    Named test_wijkhuis_<pid>[_<xdist worker>]; drop_stale_test_databases() knows the scheme.
    """
    from django.conf import settings

    name = f"test_wijkhuis_{os.getpid()}"
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker:
        name += f"_{worker}"
    for db in settings.DATABASES.values():
        db.setdefault("TEST", {})["NAME"] = name


# --- guards ----------------------------------------------------------------------------------

_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may be skipped: a skipped browser test there is a missing check, not a pass."""
    if _in_ci() and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _in_ci() and _skipped:
        terminalreporter.write_line(
            f"CI: {len(_skipped)} test(s) skipped, which CI does not allow; the run fails:",
            red=True,
        )
        for nodeid in _skipped[:20]:
            terminalreporter.write_line(f"  {nodeid}", red=True)


@pytest.fixture(autouse=True)
def _fail_on_error_logs(request, caplog):
    """A test fails when anything logs at ERROR, unless marked @pytest.mark.allow_error_logs."""
    yield
    if request.node.get_closest_marker("allow_error_logs"):
        return
    errors = [r for when in ("setup", "call") for r in caplog.get_records(when) if r.levelno >= logging.ERROR]
    if errors:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in errors)
        pytest.fail(f"Logged at ERROR during the test:\n{lines}", pytrace=False)


@pytest.fixture(autouse=True)
def _mail_through_the_queue(settings):
    """Django's test setup swaps every mailer for locmem; put our queue back in front of it.

    Mail then takes the real path: QueuedEmailBackend -> deliver_email task (ImmediateBackend in
    tests) -> the "delivery" mailer (locmem) -> django.core.mail.outbox.
    """
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {"BACKEND": "wijkhuis.mail.QueuedEmailBackend"},
    }


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploads made by a test (news pictures, koffiekrant PDFs) never land in the project's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


# --- houses and personas ---------------------------------------------------------------------


@pytest.fixture
def house(db):
    return make_house("w4", "W4, Witmondplein 4", district="Patrimonium")


@pytest.fixture
def other_house(db):
    return make_house("buurtthuis", "BuurtThuis Wingerd", street="Wingerd 12", postcode="9741 CD")


@pytest.fixture
def make_user(db):
    """make_user(email, name, house=None, role=None, status="active") -> User."""
    return factories.make_user


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def resident(house):
    return factories.make_user("bewoner@example.nl", "Bea Bewoner", house, "resident")


@pytest.fixture
def student(house):
    return factories.make_user("student@example.nl", "Sam Student", house, "student")


@pytest.fixture
def coordinator(house):
    return factories.make_user("coordinator@example.nl", "Cor Coördinator", house, "coordinator")


@pytest.fixture
def staff(house):
    return factories.make_user("medewerker@example.nl", "Mila Medewerker", house, "staff")


@pytest.fixture
def viewer(house):
    return factories.make_user("wethouder@example.nl", "Wim Wethouder", house, "viewer")


@pytest.fixture
def outsider(other_house):
    return factories.make_user("buiten@example.nl", "Bo Buiten", other_house, "resident")


@pytest.fixture
def superuser(db):
    return factories.make_user("beheer@example.nl", "Bert Beheer", superuser=True)


@pytest.fixture
def all_personas(request):
    """Every persona by name (so the other house and every role exist at once)."""
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def client_for(db):
    """client_for(persona) -> a Client logged in as that persona (None: not logged in)."""
    from django.test import Client

    def make(persona, **defaults):
        client = Client(**defaults)
        if persona is not None:
            client.force_login(persona)
        return client

    return make


@pytest.fixture
def mfa_off(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
