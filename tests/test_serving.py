"""Serving in production: media storage by settings, error mail, and bad input (a body over the limit, a
wrong Host header, the database going away, a slow client) under the test client and under gunicorn
started with wijkhuis/gunicorn.conf.py."""

from __future__ import annotations

import fnmatch
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.urls import path, reverse

from news.models import Post
from tests.forms import parse_form
from wijkhuis import media

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "beheer@example.nl"


# --- a URLconf with a view that fails, for the error mail -------------------------------------


def _broken(request):
    raise RuntimeError("Something in the view broke")


urlpatterns = [path("kapot/", _broken)]
handler500 = "wijkhuis.views.error_500"


# --- media storage chosen by settings -----------------------------------------------------------

S3_ENV = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "wijkhuis-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.nl-ams.example.nl",
    "AWS_S3_REGION_NAME": "nl-ams",
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
}


def _clean_env(**env: str) -> dict[str, str]:
    drop = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "DEMO_MODE", "MEDIA_STORAGE", "LOG_FORMAT", "ADMINS"}
    base = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("AWS_")}
    # A database address is enough: importing settings never connects.
    return {**base, "DATABASE_URL": "postgres://u:p@db.example.nl:5432/w", **env}


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


SHOW_SETTINGS = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "wijkhuis.settings"
import django
django.setup()
from django.conf import settings
from django.urls import NoReverseMatch, reverse
try:
    media_route = reverse("media", kwargs={"path": "x.jpg"})
except NoReverseMatch:
    media_route = None
print(json.dumps({
    "default": settings.STORAGES["default"],
    "img_src": [str(s) for s in settings.SECURE_CSP["img-src"]],
    "media_route": media_route,
}))
"""


def test_media_on_the_local_disk_by_default():
    result = _python(SHOW_SETTINGS, _clean_env())
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert shown["media_route"] == "/media/x.jpg"
    assert shown["img_src"] == ["'self'", "data:"]


def test_media_on_object_storage_with_private_signed_files():
    result = _python(SHOW_SETTINGS, _clean_env(**S3_ENV))
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = shown["default"]["OPTIONS"]
    assert options["bucket_name"] == "wijkhuis-media"
    assert options["endpoint_url"] == "https://s3.nl-ams.example.nl"
    assert options["region_name"] == "nl-ams"
    assert options["access_key"] == "AKIDEXAMPLE"
    assert options["secret_key"] == "not-a-real-secret"
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["signature_version"] == "s3v4"
    # No /media/ route: the files are at the bucket, which pages may show pictures from.
    assert shown["media_route"] is None
    assert "https://s3.nl-ams.example.nl" in shown["img_src"]


@pytest.mark.parametrize(
    "extra",
    [
        {},  # path style, as the S3 library does for an endpoint of its own
        {"AWS_S3_ADDRESSING_STYLE": "virtual"},
        {"AWS_S3_ENDPOINT_URL": "", "AWS_S3_REGION_NAME": "eu-central-1"},  # Amazon itself
    ],
)
def test_a_media_address_is_signed_and_allowed_by_the_page_policy(extra):
    from storages.backends.s3 import S3Storage

    env = {**S3_ENV, **extra}
    storage = media.default_storage("s3", lambda name: env.get(name) or None)
    address = S3Storage(**storage["OPTIONS"]).url("news/2025/foto-detail.jpg")  # signed here, no network
    assert "X-Amz-Signature=" in address and "X-Amz-Expires=3600" in address
    parts = urlsplit(address)
    origin = f"{parts.scheme}://{parts.netloc}"
    assert any(fnmatch.fnmatch(origin, allowed) for allowed in media.media_origins(storage)), origin


def test_object_storage_needs_a_bucket_and_a_known_kind():
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        media.default_storage("s3", lambda name: None)
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE"):
        media.default_storage("ftp", lambda name: None)
    result = _python(SHOW_SETTINGS, _clean_env(MEDIA_STORAGE="s3"))
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr


# --- behind the reverse proxy ----------------------------------------------------------------------


def test_behind_the_proxy_the_visitors_address_counts_not_the_proxys(settings):
    from allauth.account.adapter import get_adapter
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert get_adapter(request).get_client_ip(request) == "127.0.0.1"
    # What BEHIND_PROXY=true sets: the entry our proxy added, not the one the visitor made up.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert get_adapter(request).get_client_ip(request) == "203.0.113.9"


def test_behind_proxy_setting_trusts_one_proxy():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'wijkhuis.settings'\n"
        "from django.conf import settings\n"
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.SECURE_PROXY_SSL_HEADER)"
    )
    result = _python(code, _clean_env(BEHIND_PROXY="true"))
    assert result.stdout.strip() == "1 ('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr
    result = _python(code.replace(", settings.SECURE_PROXY_SSL_HEADER", ""), _clean_env())
    assert result.stdout.strip() == "0", result.stderr


# --- errors mailed to the admins ----------------------------------------------------------------


@pytest.mark.allow_error_logs
@pytest.mark.urls(__name__)
def test_a_server_error_shows_the_error_page_and_mails_the_admins_once(db, settings):
    settings.ADMINS = [ADMIN]
    response = Client(raise_request_exception=False).get("/kapot/")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADMIN]
    assert message.subject.startswith("[Wijkhuis] ERROR")
    assert "/kapot/" in message.subject
    assert "Something in the view broke" in message.body


@pytest.mark.allow_error_logs
@pytest.mark.urls(__name__)
def test_without_admins_an_error_sends_no_mail(db, settings):
    settings.ADMINS = []
    assert Client(raise_request_exception=False).get("/kapot/").status_code == 500
    assert mail.outbox == []


class BrokenMailServer(BaseEmailBackend):
    """The delivery mailer while the mail server is away."""

    tries = 0

    def send_messages(self, messages):
        BrokenMailServer.tries += 1
        raise ConnectionRefusedError("the mail server is away")


@pytest.mark.allow_error_logs
def test_a_failed_mail_delivery_is_logged_but_not_mailed_about(db, settings, caplog):
    """Else the report would be queued, fail the same way, be reported, and so on without end."""
    settings.ADMINS = [ADMIN]
    settings.MAILERS = {**settings.MAILERS, "delivery": {"BACKEND": f"{__name__}.BrokenMailServer"}}
    BrokenMailServer.tries = 0
    mail.send_mail("Herinnering", "Morgen koffie", None, ["bewoner@example.nl"])
    assert BrokenMailServer.tries == 1  # the message itself, no report about it
    failed = [r for r in caplog.records if r.name == "django.tasks" and r.levelname == "ERROR"]
    assert len(failed) == 1 and "wijkhuis.mail.deliver_email" in failed[0].getMessage()


# --- a wrong Host header -------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "wijkhuis.example.nl:abc", "bad host!", "a" * 300])
def test_a_wrong_host_header_is_400_logged_as_a_warning_without_mail(client, db, settings, caplog, host):
    settings.ADMINS = [ADMIN]
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert records and all(r.levelname == "WARNING" for r in records)
    assert all(r.exc_info is None for r in records)  # one line, not a traceback per scanner request
    assert mail.outbox == []


# --- a request body over the limit ------------------------------------------------------------------


@pytest.fixture
def post_form(client_for, house, staff, mfa_off):
    client = client_for(staff)
    url = reverse("news:post_add", kwargs={"house": house.slug})
    return client, url, parse_form(client.get(url).content, form_id="post-form")


def test_form_fields_over_djangos_limit_are_400_and_save_nothing(post_form, settings, caplog):
    settings.ADMINS = [ADMIN]
    client, url, form = post_form
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(url, form.submit_data(title="Te lang", body=body))
    assert response.status_code == 400
    assert not Post.objects.exists()
    assert [r.levelname for r in caplog.records if r.name == "django.security.RequestDataTooBig"] == [
        "WARNING"
    ]
    assert mail.outbox == []


def test_photos_over_the_request_limit_are_413_with_a_page_and_save_nothing(post_form, settings):
    settings.REQUEST_MAX_MB = 1
    client, url, form = post_form
    photos = {
        f"image_{n}": SimpleUploadedFile(f"foto{n}.jpg", b"\xff" * 400_000, content_type="image/jpeg")
        for n in (1, 2, 3)
    }
    alts = {f"alt_{n}": "Koffie" for n in (1, 2, 3)}
    response = client.post(url, {**form.submit_data(title="Drie foto's"), **photos, **alts})
    assert response.status_code == 413
    text = response.content.decode()
    assert "te groot" in text and "1 MB" in text
    assert not Post.objects.exists()
    # Under the limit the same form goes through.
    response = client.post(url, form.submit_data(title="Zonder foto's", summary="Kort"))
    assert response.status_code == 302
    assert Post.objects.filter(title="Zonder foto's").exists()


# --- the database going away and coming back -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_away_pages_answer_503_and_come_back_after(client, caplog, settings):
    settings.ADMINS = [ADMIN]
    assert client.get("/").status_code == 200
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_free_port())  # nothing listens there: as if it were down
    try:
        response = client.get("/")
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        text = response.content.decode()
        assert "Even niet bereikbaar" in text and "Traceback" not in text
        assert any(r.name == "wijkhuis.serving" and r.levelname == "WARNING" for r in caplog.records)
        # The health endpoint gives its own short answer for the load balancer.
        response = client.get(reverse("health"))
        assert (response.status_code, response.json()) == (503, {"status": "unavailable"})
    finally:
        connection.settings_dict["PORT"] = real_port
    # Back: the next request connects again, without restarting anything.
    assert client.get("/").status_code == 200
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_is_replaced_on_the_next_request(client, house):
    """The server's side of a persistent connection goes (PostgreSQL restarted, a proxy cut it):
    as in the WSGI server, the next request checks the kept connection and makes a new one."""
    from django.db import close_old_connections

    assert client.get(f"/{house.slug}/").status_code == 200
    old_pid = connection.connection.info.backend_pid
    with _second_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    # What the WSGI handler does when a request starts (the test client leaves it out).
    close_old_connections()
    assert client.get(f"/{house.slug}/").status_code == 200
    assert connection.connection.info.backend_pid != old_pid


def _second_connection():
    """A connection to the test database next to Django's."""
    import psycopg

    return psycopg.connect(_database_url(), autocommit=True)


# --- under gunicorn with the deployment's configuration ----------------------------------------------

GUNICORN_TIMEOUT = 6


def _database_url() -> str:
    s = connection.settings_dict
    host = s["HOST"] or s["OPTIONS"].get("host", "")
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    if host.startswith("/"):
        port = f"&port={s['PORT']}" if s["PORT"] else ""
        return f"postgresql://{auth}@/{s['NAME']}?host={quote(host, safe='/')}{port}"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{s['NAME']}"


def _get(port: int, path: str = "/", timeout: float = 20) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _collect_static(env: dict[str, str], *, timeout: float) -> None:
    """collectstatic into the env's STATIC_ROOT, as a deployment does before starting gunicorn."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def gunicorn(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn -c wijkhuis/gunicorn.conf.py on a free port, two sync workers, against the test
    database, with static files collected as in production."""
    with django_db_blocker.unblock():
        database_url = _database_url()
    static_root = tmp_path_factory.mktemp("static")
    env = _clean_env(
        DATABASE_URL=database_url,
        SECRET_KEY="serving-test-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
    )
    _collect_static(env, timeout=120)
    port = _free_port()
    env |= {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_TIMEOUT": str(GUNICORN_TIMEOUT),
    }
    log = tmp_path_factory.mktemp("gunicorn") / "out.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "wijkhuis/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if _get(port) == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer:\n" + log.read_text()
            time.sleep(0.2)
        for _ in range(4):  # both workers have loaded their pages
            assert _get(port) == 200
        yield port, proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _log_lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_gunicorn_logs_each_request_as_one_json_line(gunicorn):
    port, _proc, log = gunicorn
    assert _get(port, "/niet-er/?x=1") == 404
    deadline = time.monotonic() + 10
    while not any(e.get("path") == "/niet-er/" and e["logger"] == "gunicorn.access" for e in _log_lines(log)):
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    entry = next(e for e in _log_lines(log) if e["logger"] == "gunicorn.access" and e["path"] == "/niet-er/")
    assert entry["method"] == "GET" and entry["status"] == 404 and entry["query"] == "x=1"
    assert entry["time"].endswith("+00:00") and isinstance(entry["duration_ms"], float)
    assert any(e["logger"] == "gunicorn.error" and "sync" in e["message"] for e in _log_lines(log))


def test_static_files_have_hashed_names_and_are_cached_long(gunicorn):
    import http.client
    import re

    port, _proc, _log = gunicorn
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/")
    page = conn.getresponse().read().decode()
    stylesheet = re.search(r'href="(/static/css/wijkhuis\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "no hashed stylesheet in the page"
    conn.request("GET", stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    assert "immutable" in response.getheader("Cache-Control", "")
    assert response.getheader("Content-Encoding") == "gzip"


def test_a_wrong_host_under_gunicorn_is_400(gunicorn):
    port, _proc, _log = gunicorn
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/", headers={"Host": "evil.example"})
    assert conn.getresponse().status == 400
    conn.close()


def test_a_slow_client_is_dropped_and_others_are_served_meanwhile(gunicorn):
    """Without a buffering proxy a sync worker waits for a client that sends half a request; the
    other worker serves everyone else, and after `timeout` the stuck worker is replaced."""
    port, _proc, log = gunicorn
    slow = socket.create_connection(("127.0.0.1", port))
    try:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # ... and never the blank line
        started = time.monotonic()
        # Meanwhile the other worker answers.
        for _ in range(3):
            assert _get(port) == 200
        slow.settimeout(GUNICORN_TIMEOUT * 6)
        answer = b""
        try:
            while chunk := slow.recv(4096):  # until the server closes the connection
                answer += chunk
        except ConnectionResetError:
            pass
        waited = time.monotonic() - started
    finally:
        slow.close()
    # Dropped: closed, or closed after gunicorn's own short 500 from the worker it stopped.
    assert answer == b"" or (answer.startswith(b"HTTP/1.1 500") and b"Connection: close" in answer), answer
    assert waited >= GUNICORN_TIMEOUT - 1
    assert "WORKER TIMEOUT" in log.read_text()
    # A new worker took its place: both serve again.
    for _ in range(4):
        assert _get(port) == 200


def test_gunicorn_workers_reconnect_after_their_connections_are_dropped(gunicorn, db):
    port, _proc, _log = gunicorn
    with _second_connection() as other:
        killed = other.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND pid <> %s",
            [connection.connection.info.backend_pid],
        ).fetchall()
        assert killed, "the workers keep their connections (CONN_MAX_AGE)"
        for _ in range(6):
            assert _get(port) == 200
        pids = {
            row[0]
            for row in other.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            ).fetchall()
        }
    assert not pids & {pid for pid, _ in killed}
