"""GET /health/ for load balancers: 200 or 503, quick, no details, no session, no cookies."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connections
from django.urls import reverse

from wijkhuis import health

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "db-primary.internal.example (10.1.2.3) PostgreSQL 15.18"


class BrokenStorage(FileSystemStorage):
    def _save(self, name, content):
        raise PermissionError(f"Access denied to bucket wijkhuis-private for {SECRET_DETAIL}")


class ForgetfulStorage(FileSystemStorage):
    """Saves, but reads back something else (a full disk, a misconfigured proxy ...)."""

    def _open(self, name, mode="rb"):
        from django.core.files.base import ContentFile

        return ContentFile(b"something else")


class SlowStorage(FileSystemStorage):
    def _save(self, name, content):
        time.sleep(1.5)
        return super()._save(name, content)


def use_storage(settings, backend):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.{backend.__name__}"}}


@pytest.fixture
def url():
    return reverse("health")


def test_the_address_is_short(url):
    assert url == "/health/"


def test_ok_when_database_and_storage_answer(client, url, settings):
    response = client.get(url)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    # The probe cleaned up after itself.
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_no_cookie_no_session_and_a_fixed_number_of_queries(client, url, django_assert_max_num_queries):
    # In a test the check's transaction is a savepoint: SAVEPOINT, SET LOCAL, SELECT 1, RELEASE.
    with django_assert_max_num_queries(4) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    sql = " ".join(q["sql"] for q in captured.captured_queries).lower()
    assert "django_session" not in sql
    assert "insert" not in sql and "update" not in sql and "delete" not in sql


def test_head_works(client, url):
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""
    assert not response.cookies


def test_post_is_not_allowed_and_needs_no_csrf_token(url):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(url)
    assert response.status_code == 405


def test_database_failure_gives_503_without_details(client, url, monkeypatch, caplog):
    def broken_cursor(*args, **kwargs):
        raise OperationalError(f"could not connect to server: {SECRET_DETAIL}")

    monkeypatch.setattr(connections["default"], "cursor", broken_cursor)
    with caplog.at_level(logging.WARNING, logger="wijkhuis.health"):
        response = client.get(url)
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"internal" not in response.content and b"15.18" not in response.content
    assert "no-store" in response["Cache-Control"]
    # The details are in the log, for the people who run the portal.
    assert any("database" in r.getMessage() and SECRET_DETAIL in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "wijkhuis.health")


def test_storage_failure_gives_503_without_details(client, url, settings, caplog):
    use_storage(settings, BrokenStorage)
    with caplog.at_level(logging.WARNING, logger="wijkhuis.health"):
        response = client.get(url)
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable"}
    assert b"bucket" not in response.content and b"Access" not in response.content
    assert any("storage" in r.getMessage() and "wijkhuis-private" in r.getMessage() for r in caplog.records)


def test_storage_that_reads_back_other_bytes_gives_503(client, url, settings):
    use_storage(settings, ForgetfulStorage)
    assert client.get(url).status_code == 503


def test_hanging_storage_answers_quickly(client, url, settings, monkeypatch):
    use_storage(settings, SlowStorage)
    monkeypatch.setattr(health, "STORAGE_TIMEOUT", 0.2)
    submitted = []
    submit = health._pool.submit
    monkeypatch.setattr(health._pool, "submit", lambda fn: submitted.append(fn) or submit(fn))
    try:
        started = time.monotonic()
        assert client.get(url).status_code == 503
        # The first check still hangs: the next one does not queue another behind it.
        assert client.get(url).status_code == 503
        assert time.monotonic() - started < 1.2  # did not wait for the storage's 1.5 seconds
        assert len(submitted) == 1
    finally:
        health._running.result(timeout=5)  # let the slow probe finish (and delete its file)


def test_staff_without_two_step_login_is_not_redirected(client_for, staff, url, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    assert client_for(staff).get(reverse("home")).status_code == 302  # the MFA middleware is on
    response = client_for(staff).get(url)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_demo_mode_changes_nothing(client, url, settings):
    settings.DEMO_MODE = True
    response = client.get(url)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_https_redirect_does_not_apply(url, settings):
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get(reverse("accessibility")).status_code == 301
    assert client.get(url).status_code == 200


@pytest.mark.allow_error_logs  # Django logs a disallowed Host at ERROR (django.security)
def test_allowed_hosts_still_applies(client, url):
    assert client.get(url, HTTP_HOST="evil.example").status_code == 400
