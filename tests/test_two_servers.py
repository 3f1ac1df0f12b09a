"""More than one machine: two gunicorn servers (wijkhuis/gunicorn.conf.py, two sync workers each) on
different ports against one database and one media folder, as behind a load balancer.

Shown with real HTTP, as a browser does it (forms as rendered, CSRF token, cookies):
- a session made by logging in on server A works on server B, and logging out on B ends it on A;
- the same room and time booked at the same moment through A and through B: exactly one booking,
  the other person gets the friendly "taken" message (never a 500), several rounds;
- a news picture uploaded through A is served by B, byte for byte;
- and, in-process, what that race can run into: PostgreSQL stopping one of two overlapping inserts
  as a deadlock in the exclusion constraint's check, made to happen every time.

The app keeps nothing in a process: sessions, the cache (rate limits) and jobs are in PostgreSQL,
uploads in the shared media storage (here a folder both servers use, as a network disk or object
storage would be). Both servers need the same SECRET_KEY.
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import io
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from PIL import Image

from activities import services
from activities.models import Booking
from news.models import PostImage
from residents.models import User
from tests.activities.factories import days_ahead, make_room
from tests.factories import make_house, make_user
from tests.forms import parse_form
from tests.test_serving import _clean_env, _collect_static, _database_url, _free_port

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "twee-servers-wachtwoord-42"
SECRET_KEY = "two-servers-shared-secret-" + "x" * 40
ROUNDS = 4
TIMEOUT = 60  # seconds for any one HTTP request; the machine may be busy


# --- a small browser: cookies, forms, no redirects followed -----------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """One person's browser: one cookie jar, sent to whichever server it asks (as behind a load
    balancer: the cookie belongs to the site's name, not to one machine)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, port: int, method: str, path: str, body: bytes | None = None, content_type=None
    ) -> Answer:
        headers = {"Accept-Language": "nl", "User-Agent": "two-servers-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = content_type
            headers["Origin"] = f"http://127.0.0.1:{port}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for raw in response.msg.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            conn.close()

    def get(self, port: int, path: str) -> Answer:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, data: dict, files: dict | None = None) -> Answer:
        if files:
            body, content_type = _multipart(data, files)
        else:
            body, content_type = urlencode(data, doseq=True).encode(), "application/x-www-form-urlencoded"
        return self.request(port, "POST", path, body, content_type)


def _multipart(data: dict, files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in data.items():
        for v in value if isinstance(value, list) else [value]:
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.write(str(v).encode() + b"\r\n")
    for name, (filename, content, mime) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {mime}\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# --- two servers ------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    def output(self) -> str:
        return f"--- server {self.name} (port {self.port}) output ---\n" + self.log.read_text()[-6000:]


@dataclass
class Servers:
    a: Server
    b: Server
    media: Path

    def logs(self) -> str:
        return self.a.output() + "\n" + self.b.output()

    def check(self, answer: Answer, expected: int | tuple[int, ...], what: str) -> Answer:
        """Fail with the servers' output when the status is not the expected one."""
        expected = (expected,) if isinstance(expected, int) else expected
        if answer.status not in expected:
            pytest.fail(
                f"{what}: HTTP {answer.status} (expected {expected})\n{answer.text[:2000]}\n{self.logs()}",
                pytrace=False,
            )
        return answer


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/health/")
        status = conn.getresponse().status
        conn.close()
        return status == 200
    except OSError:
        return False


def _start(name: str, env: dict[str, str], log: Path) -> Server:
    port = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "wijkhuis/gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(name, port, proc, log)


def _stop(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(30)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(10)


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Servers A and B: the same database (the test database), SECRET_KEY and media folder."""
    with django_db_blocker.unblock():
        database_url = _database_url()
    media = tmp_path_factory.mktemp("shared-media")
    env = _clean_env(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        MEDIA_ROOT=str(media),
        MFA_REQUIRED_FOR_STAFF="false",
        WEB_CONCURRENCY="2",
        GUNICORN_TIMEOUT="60",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
    )
    _collect_static(env, timeout=180)
    logs = tmp_path_factory.mktemp("gunicorn")
    started: list[Server] = []
    try:
        for name in ("A", "B"):
            started.append(_start(name, env, logs / f"{name}.log"))
        deadline = time.monotonic() + 90
        for server in started:
            while not _answers(server.port):
                if server.proc.poll() is not None:
                    pytest.fail(f"server {server.name} stopped\n{server.output()}", pytrace=False)
                if time.monotonic() > deadline:
                    pytest.fail(f"server {server.name} did not answer\n{server.output()}", pytrace=False)
                time.sleep(0.2)
        yield Servers(started[0], started[1], media)
    finally:
        for server in started:
            _stop(server)


# --- people and places --------------------------------------------------------------------------------


def _person(email: str, name: str, house, role: str) -> User:
    """A verified member whose password the servers can check (they hash as in production; this
    test process hashes with MD5 for speed, which the servers do not accept)."""
    user = make_user(email, name, house, role, password=None)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def w4(transactional_db):
    return make_house("w4", "W4, Witmondplein 4", district="Patrimonium")


def _log_in(servers: Servers, browser: Browser, port: int, email: str) -> None:
    """Open the login page and submit its form with the e-mail address and password."""
    page = servers.check(browser.get(port, "/accounts/login/"), 200, "the login page")
    form = parse_form(page.body, has_field="password")
    answer = browser.post(
        port, form.action or "/accounts/login/", form.submit_data(login=email, password=PASSWORD)
    )
    servers.check(answer, 302, f"logging in as {email}")
    assert "sessionid" in browser.cookies, answer.headers


# --- (a) a session made on A works on B -------------------------------------------------------------


def test_a_session_made_on_one_server_works_on_the_other(servers, w4):
    _person("fatima@example.nl", "Fatima el Amrani", w4, "resident")
    browser = Browser()
    servers.check(browser.get(servers.b.port, "/mijn/"), 302, "my page before logging in")

    _log_in(servers, browser, servers.a.port, "fatima@example.nl")

    for server in (servers.b, servers.a, servers.b):
        page = servers.check(browser.get(server.port, "/mijn/"), 200, f"my page on server {server.name}")
        assert "Fatima el Amrani" in html.unescape(page.text), f"server {server.name} does not know her"

    # Logging out on B (the button in the navigation of B's page) ends the session on A too.
    page = servers.check(browser.get(servers.b.port, "/mijn/"), 200, "my page on B")
    form = parse_form(page.body, action="/accounts/logout/")
    servers.check(browser.post(servers.b.port, "/accounts/logout/", form.data), 302, "logging out on B")
    answer = browser.get(servers.a.port, "/mijn/")
    assert answer.status == 302 and "/accounts/login/" in answer.location, answer.status


# --- (b) the same slot booked through A and through B at the same moment -----------------------------


def _booking_form(servers: Servers, browser: Browser, port: int, house, room, day: dt.date):
    page = browser.get(port, f"/{house.slug}/reserveren/?ruimte={room.pk}&datum={day.isoformat()}")
    servers.check(page, 200, "the booking form")
    return parse_form(page.body, has_field="title")


def _taken_messages() -> set[str]:
    with translation.override("nl"):
        return {html.escape(str(services.ALREADY_TAKEN)), html.escape(str(services.TAKEN_MESSAGE))}


def _post_at_once(posts: list[tuple[Server, Browser, str, dict]]) -> list[Answer | BaseException | None]:
    """Send each (server, browser, path, data) POST from its own thread, released together."""
    barrier = threading.Barrier(len(posts))
    answers: list[Answer | BaseException | None] = [None] * len(posts)

    def send(i: int, server: Server, browser: Browser, path: str, data: dict) -> None:
        try:
            barrier.wait(TIMEOUT)
            answers[i] = browser.post(server.port, path, data)
        except BaseException as err:  # reported by the caller, with the servers' output
            answers[i] = err

    threads = [threading.Thread(target=send, args=(i, *p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    return answers


def test_the_same_slot_booked_through_both_servers_at_once_gives_one_booking(servers, w4):
    room = make_room(w4, "Huiskamer", max_per_week=None)
    people = [
        _person("bea@example.nl", "Bea Bewoner", w4, "resident"),
        _person("kees@example.nl", "Kees Jansen", w4, "resident"),
    ]
    browsers = [Browser(), Browser()]
    _log_in(servers, browsers[0], servers.a.port, people[0].email)
    _log_in(servers, browsers[1], servers.b.port, people[1].email)
    taken = _taken_messages()
    book_path = f"/{w4.slug}/reserveren/"

    for n in range(ROUNDS):
        day = days_ahead(3 + n)
        hour = 14 + n % 4
        # Bea through A and Kees through B, the other way round in the next round.
        via = (servers.a, servers.b) if n % 2 == 0 else (servers.b, servers.a)
        posts = []
        for person, browser, server in zip(people, browsers, via, strict=True):
            form = _booking_form(servers, browser, server.port, w4, room, day)
            data = form.submit_data(
                start=f"{hour}:00",
                end=f"{hour + 1}:30",
                title=f"Feest van {person.name}",
                attendees="8",
                rules_accepted="on",
            )
            posts.append((server, browser, book_path, data))

        answers = _post_at_once(posts)

        if not all(isinstance(a, Answer) for a in answers):
            pytest.fail(f"round {n}: a request did not complete: {answers}\n{servers.logs()}", pytrace=False)
        statuses = sorted(a.status for a in answers)
        if statuses != [200, 302]:
            pytest.fail(f"round {n}: answers {statuses}, expected one 302 and one 200\n{servers.logs()}")
        won = next(a for a in answers if a.status == 302)
        lost = next(a for a in answers if a.status == 200)
        assert any(message in lost.text for message in taken), f"round {n}: no 'taken' message\n{lost.text}"
        live = Booking.objects.live().filter(room=room, period__startswith__date=day)
        assert live.count() == 1, f"round {n}: {live.count()} bookings"
        booking = live.get()
        assert won.location == booking.get_absolute_url()
        assert timezone.localtime(booking.start).strftime("%H:%M") == f"{hour}:00"
    assert Booking.objects.count() == ROUNDS


# --- (c) a picture uploaded through A is served by B ---------------------------------------------------


def _photo() -> bytes:
    image = Image.new("RGB", (1200, 800), (200, 120, 40))
    for x in range(0, 1200, 40):
        image.paste((30, 90, 160), (x, 0, x + 20, 800))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_picture_uploaded_through_one_server_is_served_by_the_other(servers, w4):
    _person("mila@example.nl", "Mila Medewerker", w4, "staff")
    editor = Browser()
    _log_in(servers, editor, servers.a.port, "mila@example.nl")
    page = servers.check(editor.get(servers.a.port, f"/{w4.slug}/nieuws/nieuw/"), 200, "the news form on A")
    form = parse_form(page.body, form_id="post-form")
    data = form.submit_data(
        title="Nieuwe bankjes in de tuin",
        summary="Kom ze uitproberen.",
        body="Sinds vandaag staan er twee bankjes in de tuin.",
        status="published",
        audience="public",
        photo_consent="on",
        alt_1="Twee houten bankjes in de tuin",
    )
    answer = editor.post(
        servers.a.port,
        f"/{w4.slug}/nieuws/nieuw/",
        data,
        {"image_1": ("bankjes.jpg", _photo(), "image/jpeg")},
    )
    servers.check(answer, 302, "posting news with a picture on A")
    image = PostImage.objects.get()

    # Anyone, through B: the post shows the picture, and B serves its file.
    visitor = Browser()
    post_page = servers.check(visitor.get(servers.b.port, answer.location), 200, "the post on B")
    src = re.search(r'<img[^>]+src="(/media/[^"]+)"', post_page.text)
    assert src, "no picture on the post's page on B"
    assert src.group(1) == image.detail.url
    from_b = servers.check(visitor.get(servers.b.port, src.group(1)), 200, "the picture from B")
    from_a = servers.check(visitor.get(servers.a.port, src.group(1)), 200, "the picture from A")
    stored = (servers.media / image.detail.name).read_bytes()
    assert from_b.body == from_a.body == stored
    assert from_b.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(from_b.body)).size == (image.width, image.height)


# --- what the race across servers ran into: a deadlock in the overlap check ------------------------


def _waits_for_a_lock(pid: int) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


class _RolledBack(Exception):
    pass


@pytest.mark.parametrize("other_ends", ["commit", "rollback"])
def test_a_deadlock_in_the_overlap_check_gives_the_databases_answer(w4, other_ends):
    """Two servers inserting overlapping bookings at the same moment can each wait for the other in
    the exclusion constraint's check; PostgreSQL then stops one of them as a deadlock, not as an
    overlap (the race across servers above ran into it: a 500). Made to happen every time here:
    another transaction holds booking X (14:00-15:00, not committed); this booking Y (14:30-16:30)
    waits for it; then that transaction adds Z (16:00-17:00), which overlaps only Y and waits for
    it. Y is stopped as the deadlock, tries once more and waits for X: when that transaction
    commits, the person who booked Y gets the "taken" answer; when it rolls back, Y is booked."""
    from django.db import connections

    from tests.activities.factories import at, make_booking

    room = make_room(w4, "Huiskamer", max_per_week=None)
    other = make_user("ander@example.nl", "Anna Ander", w4, "resident")
    person = make_user("bea@example.nl", "Bea Bewoner", w4, "resident")
    day = days_ahead(3)
    x_held, add_z, z_added, commit = (threading.Event() for _ in range(4))
    pid: list[int] = []
    outcome: dict[str, object] = {}

    def other_server():
        try:
            with transaction.atomic():
                make_booking(room, other, at(day, "14:00"), at(day, "15:00"), title="X")
                x_held.set()
                assert add_z.wait(TIMEOUT)
                make_booking(room, other, at(day, "16:00"), at(day, "17:00"), title="Z")
                z_added.set()
                assert commit.wait(TIMEOUT)
                if other_ends == "rollback":
                    raise _RolledBack
            outcome["other"] = "committed"
        except _RolledBack:
            outcome["other"] = "rolled back"
        except BaseException as err:
            outcome["other"] = err
        finally:
            connections.close_all()

    def this_server():
        try:
            from django.db import connection

            connection.ensure_connection()
            pid.append(connection.connection.info.backend_pid)
            with translation.override("nl"):
                outcome["this"] = services.create_booking(
                    room=room,
                    by=person,
                    booker=person,
                    start=at(day, "14:30"),
                    end=at(day, "16:30"),
                    details=services.BookingDetails(category="birthday", title="Y", attendees=8),
                    rules_accepted=True,
                )
        except BaseException as err:
            outcome["this"] = err
        finally:
            connections.close_all()

    threads = [threading.Thread(target=other_server), threading.Thread(target=this_server)]
    try:
        threads[0].start()
        assert x_held.wait(TIMEOUT), outcome
        threads[1].start()
        deadline = time.monotonic() + TIMEOUT
        while not (pid and _waits_for_a_lock(pid[0])):  # Y waits for X
            assert time.monotonic() < deadline and threads[1].is_alive(), outcome
            time.sleep(0.02)
        add_z.set()  # Z waits for Y: a deadlock, found after deadlock_timeout (1 s)
        # Usually Y is the one stopped (it has waited longest, so its check runs first); on a very
        # busy machine Z's check can come first, and then the other transaction is stopped.
        deadline = time.monotonic() + TIMEOUT
        while not z_added.is_set() and "other" not in outcome:
            assert time.monotonic() < deadline, f"Z was never added: {outcome}"
            time.sleep(0.02)
        # Y was given up (the deadlock) and tried again: now it waits for X to commit.
        while z_added.is_set() and not _waits_for_a_lock(pid[0]) and "this" not in outcome:
            assert time.monotonic() < deadline, outcome
            time.sleep(0.02)
    finally:
        for event in (x_held, add_z, commit):
            event.set()
        for t in threads:
            t.join(TIMEOUT)
    answer = outcome["this"]
    if isinstance(outcome.get("other"), OperationalError):  # the other side was the one stopped
        assert getattr(outcome["other"].__cause__, "sqlstate", None) == "40P01", outcome
        assert isinstance(answer, Booking), repr(answer)
        assert list(Booking.objects.values_list("title", flat=True)) == ["Y"]
        return
    if other_ends == "commit":
        assert outcome["other"] == "committed", outcome
        assert isinstance(answer, services.BookingError), repr(answer)
        with translation.override("nl"):
            assert str(answer) == str(services.TAKEN_MESSAGE)
        assert sorted(Booking.objects.values_list("title", flat=True)) == ["X", "Z"]
    else:
        assert outcome["other"] == "rolled back", outcome
        assert isinstance(answer, Booking), repr(answer)
        assert list(Booking.objects.values_list("title", flat=True)) == ["Y"]
