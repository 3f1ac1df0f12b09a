"""Load test: the portal under gunicorn on loopback with the data of scale 10, a mix of pages and
booking attempts from many connections at once, for a fixed time; then checks every booking.

    python -m bench.load                                   # 60 s, 32 connections, 2 workers
    python -m bench.load --seconds 20 --connections 16
    python -m bench.load --workers 4                       # try more sync workers
    python -m bench.load --keep                            # keep the run's bookings afterwards
    python -m bench.load --pause-ms 300                    # each connection pauses between actions

What it does:
1. The database wijkhuis_bench_s<scale> (as bench.summary; on DATABASE_URL's server if set):
   migrated and seeded by bench.seed when needed (a second time takes seconds); the bookings
   table vacuumed, so earlier runs' deleted bookings are no dead rows for this run's pages.
2. One person per connection: residents of the first houses (`--booking-houses`, default 4, so
   people of one house book the same living room), given a known password and a verified address.
3. gunicorn with the project's configuration (wijkhuis/gunicorn.conf.py: sync workers, JSON access
   log) and `--workers` (default: the number of cores), with DJANGO_SETTINGS_MODULE
   bench.settings_load: the portal plus the baseline page /bench-baseline/ (bench.baseline).
4. Every person logs in through the login form (CSRF token, cookies, as a browser does).
5. The mix, `--seconds` long, each connection one request after the other without pause (a closed
   loop; --pause-ms makes each connection pause between actions, like a person reading):
   anonymous programme and news pages of random houses, the signed-in calendar and /mijn/, and
   booking attempts: the booking form for a random day (its free times read from the page), a POST
   of the form for one of them, and on success the booking's page the answer leads to. A "taken"
   or another refusal (such as three a week) is a normal answer, not an error.
6. Each page alone, `--page-rounds` times `--page-seconds` taking turns, all connections on that
   page, and the same for the baseline, a bare Django page rendering 50 rows for a signed-in
   person: requests a second, p50 and p99, the mean time in gunicorn per request (from its
   access log) and the CPU time per request of the workers and their database processes (from
   /proc). The ratio to the baseline ("x base") is that of the throughput each page allows: from
   the server time, 1000 / server ms a worker; from the CPU time, cores / CPU ms on a saturated
   machine. The server time includes waiting for a core, so other processes on the machine (the
   load generator too) move it; the CPU time does not, and judges the aim (the server time does
   when the database runs on another machine). The requests a second of a few seconds' turn say
   the same, but jump when a worker is being replaced (max_requests) during that turn.
7. The bookings: every booking the run was told was made (a redirect to its page) is in the
   database exactly once, no booking was made that the run was not told about, and no two live
   bookings of a room overlap anywhere (the exclusion constraint, printed). Then the run's bookings
   are deleted again (unless --keep), so runs can be repeated on the same data.

Errors are any 5xx answer or a connection error (and any other unexpected status, shown apart).
The aim (issue 10): zero errors, zero lost or doubled bookings, p99 under 150 ms at 32
connections, signed-in pages at 0.9 or more of the baseline. The load generator (threads with
http.client) runs on the same machine as gunicorn and PostgreSQL; the output says how much CPU it
used. Exit status 1 when there were errors or a booking was lost or doubled.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import html
import http.client
import json
import math
import os
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-load-wachtwoord-2026"
USER_AGENT = "wijkhuis-bench-load"
BOOKED = re.compile(r"^/(?P<house>[\w-]+)/reserveringen/(?P<pk>\d+)/$")
AIM_P99_MS = 150
AIM_RATIO = 0.9

# Kinds of request. The mix picks an action by weight; a booking attempt is two or three requests.
ANON_PROGRAMME = "programme"
ANON_NEWS = "news"
CALENDAR = "calendar"
MINE = "my page"
BOOK_FORM = "booking form"
BOOK_POST = "booking POST"
BOOKING_PAGE = "booking page"
BASELINE = "baseline"
KINDS = {  # kind: (who, address)
    ANON_PROGRAMME: ("anonymous", "/<house>/activiteiten/"),
    ANON_NEWS: ("anonymous", "/<house>/nieuws/"),
    CALENDAR: ("signed in", "/<house>/agenda/?weergave=week&datum=…"),
    MINE: ("signed in", "/mijn/"),
    BOOK_FORM: ("signed in", "/<house>/reserveren/?ruimte=…&datum=…"),
    BOOK_POST: ("signed in", "POST /<house>/reserveren/"),
    BOOKING_PAGE: ("signed in", "/<house>/reserveringen/<pk>/"),
    BASELINE: ("signed in", "/bench-baseline/ (50 rows, bare)"),
}
MIX = [(ANON_PROGRAMME, 25), (ANON_NEWS, 25), (CALENDAR, 20), (MINE, 15), ("booking attempt", 15)]
ALONE = [BASELINE, ANON_PROGRAMME, ANON_NEWS, CALENDAR, MINE, BOOK_FORM]


# --- one connection ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    status: int
    location: str
    body: bytes
    ms: float


class Connection:
    """One client connection to gunicorn. Sync workers close the connection after each answer;
    http.client then opens a new one for the next request (counted in its time, as for a browser)."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(
        self, method: str, path: str, cookies: dict[str, str] | None, body: dict | None = None
    ) -> Answer:
        headers = {"Accept-Language": "nl", "User-Agent": USER_AGENT}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            raise
        ms = (time.perf_counter() - start) * 1000
        if cookies is not None:
            for raw in response.msg.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        cookies.pop(name, None)
                    else:
                        cookies[name] = morsel.value
        return Answer(response.status, response.getheader("Location", ""), content, ms)

    def close(self) -> None:
        self.conn.close()


# --- results ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Tally:
    """What one phase measured; each thread fills its own, merged afterwards."""

    times: dict[str, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    errors: Counter = dataclasses.field(default_factory=Counter)  # (kind, status or error name)
    unexpected: Counter = dataclasses.field(default_factory=Counter)  # (kind, status): 4xx etc.
    booked: list[int] = dataclasses.field(default_factory=list)  # pks of the redirects
    outcomes: Counter = dataclasses.field(default_factory=Counter)  # booked / taken / refused
    refusals: Counter = dataclasses.field(default_factory=Counter)  # the message of other refusals

    def merge(self, other: Tally) -> None:
        for kind, values in other.times.items():
            self.times[kind].extend(values)
        self.errors.update(other.errors)
        self.unexpected.update(other.unexpected)
        self.booked.extend(other.booked)
        self.outcomes.update(other.outcomes)
        self.refusals.update(other.refusals)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.times.values()) + sum(self.errors.values())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


# --- a virtual person -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Person:
    email: str
    house: str
    room: int  # the living room's pk
    cookies: dict[str, str] = dataclasses.field(default_factory=dict)
    form: dict | None = None  # the booking form's fields as rendered, read once


class Visitor:
    """What one connection does: requests of a kind, each timed and judged."""

    def __init__(
        self, port: int, person: Person, houses: list[str], taken: tuple[str, ...], rng: random.Random
    ):
        self.conn = Connection(port)
        self.person, self.houses, self.taken, self.rng = person, houses, taken, rng

    def _send(
        self, tally: Tally, kind: str, method: str, path: str, *, signed_in: bool, body=None, ok=(200,)
    ):
        try:
            answer = self.conn.request(method, path, self.person.cookies if signed_in else None, body)
        except (OSError, http.client.HTTPException) as err:
            tally.errors[(kind, type(err).__name__)] += 1
            return None
        if answer.status >= 500:
            tally.errors[(kind, answer.status)] += 1
            return None
        if answer.status not in ok:
            tally.unexpected[(kind, answer.status)] += 1
            return None
        tally.times[kind].append(answer.ms)
        return answer

    def day(self, ahead: range) -> dt.date:
        return dt.date.today() + dt.timedelta(days=self.rng.choice(ahead))

    def page(self, tally: Tally, kind: str) -> None:
        if kind in (ANON_PROGRAMME, ANON_NEWS):
            house = self.rng.choice(self.houses)
            part = "activiteiten" if kind == ANON_PROGRAMME else "nieuws"
            self._send(tally, kind, "GET", f"/{house}/{part}/", signed_in=False)
        elif kind == CALENDAR:
            day = self.day(range(0, 36))
            path = f"/{self.person.house}/agenda/?weergave=week&datum={day.isoformat()}"
            self._send(tally, kind, "GET", path, signed_in=True)
        elif kind == MINE:
            self._send(tally, kind, "GET", "/mijn/", signed_in=True)
        elif kind == BASELINE:
            self._send(tally, kind, "GET", "/bench-baseline/", signed_in=True)
        elif kind == BOOK_FORM:
            self.booking_form(tally, self.day(range(1, 89)))
        else:
            raise ValueError(kind)

    def booking_form(self, tally: Tally, day: dt.date) -> tuple[bytes, str] | None:
        path = f"/{self.person.house}/reserveren/?ruimte={self.person.room}&datum={day.isoformat()}"
        answer = self._send(tally, BOOK_FORM, "GET", path, signed_in=True)
        if answer is None:
            return None
        return answer.body, path

    def book(self, tally: Tally) -> None:
        """Open the form for a day, pick one of its free times, send the form; on success open the
        booking's page, as the browser does after the redirect."""
        day = self.day(range(1, 89))
        got = self.booking_form(tally, day)
        if got is None:
            return
        page, _path = got
        text = page.decode("utf-8", "replace")
        if self.person.form is None:
            from tests.forms import parse_form  # the project's reader of forms as rendered

            self.person.form = parse_form(text, has_field="title").data
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        start, end = self.pick_time(text)
        data = {
            **self.person.form,
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "room": str(self.person.room),
            "date": day.isoformat(),
            "start": start,
            "end": end,
            "title": self.rng.choice(["Verjaardag", "Breiclub", "Overleg", "Samen koken", "Taalcafé"]),
            "attendees": str(self.rng.randint(2, 15)),
            "rules_accepted": "on",
        }
        answer = self._send(
            tally,
            BOOK_POST,
            "POST",
            f"/{self.person.house}/reserveren/",
            signed_in=True,
            body=data,
            ok=(200, 302),
        )
        if answer is None:
            return
        if answer.status == 302:
            match = BOOKED.match(answer.location)
            if not match:
                tally.unexpected[(BOOK_POST, f"302 to {answer.location[:40]}")] += 1
                return
            tally.outcomes["booked"] += 1
            tally.booked.append(int(match["pk"]))
            self._send(tally, BOOKING_PAGE, "GET", answer.location, signed_in=True)
            return
        body = answer.body.decode("utf-8", "replace")
        if any(message in body for message in self.taken):
            tally.outcomes["taken"] += 1
        else:
            tally.outcomes["refused"] += 1
            found = re.search(r'<p id="error_\d+_[^"]*"><strong>(.*?)</strong>', body, re.S) or re.search(
                r"alert-danger[^>]*>\s*(?:<p[^>]*>)?([^<]+)", body
            )
            tally.refusals[html.unescape(found.group(1).strip()) if found else "(no message found)"] += 1

    def pick_time(self, page: str) -> tuple[str, str]:
        """One of the free times listed on the form (whole quarters, 60-120 minutes); with none
        listed, a time anyway (the answer will say it is taken, as for a person who tries)."""
        listed = re.search(r'<ul class="free-times">(.*?)</ul>', page, re.S)
        slots = []
        for first, last in re.findall(r"(\d\d:\d\d)\D+?(\d\d:\d\d)", listed.group(1) if listed else ""):
            a, b = _minutes(first), _minutes(last)
            if b - a >= 60:
                slots.append((a, b))
        if not slots:
            a = self.rng.choice(range(9 * 60, 20 * 60, 15))
            return _hhmm(a), _hhmm(a + 90)
        a, b = self.rng.choice(slots)
        length = self.rng.choice([60, 90, 120])
        length = min(length, b - a)
        start = self.rng.choice(range(a, b - length + 1, 15)) if b - a > length else a
        return _hhmm(start), _hhmm(start + length)

    def mix(self, tally: Tally, pause_ms: float = 0) -> None:
        kinds, weights = zip(*MIX, strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        if kind == "booking attempt":
            self.book(tally)
        else:
            self.page(tally, kind)
        if pause_ms:  # a person reading: pauses of random length, on average pause_ms
            time.sleep(self.rng.expovariate(1000 / pause_ms))

    def log_in(self) -> str | None:
        """The login form as a browser submits it; None when logged in, else what went wrong."""
        try:
            page = self.conn.request("GET", "/accounts/login/", self.person.cookies)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode())
            body = {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "login": self.person.email,
                "password": PASSWORD,
            }
            answer = self.conn.request("POST", "/accounts/login/", self.person.cookies, body)
        except (OSError, http.client.HTTPException) as err:
            return repr(err)
        if answer.status != 302 or "sessionid" not in self.person.cookies:
            return f"HTTP {answer.status}"
        return None

    def log_out(self) -> None:
        page = self.conn.request("GET", "/mijn/", self.person.cookies)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode())
        if token:
            self.conn.request(
                "POST", "/accounts/logout/", self.person.cookies, {"csrfmiddlewaretoken": token.group(1)}
            )


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def run_phase(visitors: list[Visitor], seconds: float, work, *, grace: float = 60) -> tuple[Tally, float]:
    """Every visitor calls work(visitor, tally) until the time is up; bounded: a thread still busy
    `grace` seconds after the end is given up on (the caller stops gunicorn)."""
    stop_at = time.monotonic() + seconds
    tallies = [Tally() for _ in visitors]

    def loop(visitor: Visitor, tally: Tally) -> None:
        while time.monotonic() < stop_at:
            work(visitor, tally)

    threads = [
        threading.Thread(target=loop, args=pair, daemon=True) for pair in zip(visitors, tallies, strict=True)
    ]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, stop_at + grace - time.monotonic()))
    elapsed = time.monotonic() - began
    if any(t.is_alive() for t in threads):
        raise SystemExit(f"requests still running {grace:.0f} s after the end; gunicorn stuck?")
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total, elapsed


def in_threads(visitors: list[Visitor], func) -> list:
    results: list = [None] * len(visitors)

    def run(i: int, visitor: Visitor) -> None:
        results[i] = func(visitor)

    threads = [threading.Thread(target=run, args=(i, v), daemon=True) for i, v in enumerate(visitors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return results


# --- the machine ---------------------------------------------------------------------------------------


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the process name: [state, ppid, ..., utime (11), stime (12), ...]."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def workers_of(master: int) -> list[int]:
    """The processes gunicorn's master started: its workers."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) and int(fields[1]) == master:
            found.append(int(entry))
    return found


def database_pids() -> list[int]:
    """The server processes of the other connections to the bench database: the workers'
    (persistent connections). Empty when the server runs on another machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        pids = [pid for (pid,) in cursor.fetchall()]
    connection.close()
    return [pid for pid in pids if _stat(pid) is not None]


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time (user and system) these processes used so far; one that ended counts 0."""
    ticks = 0
    for pid in pids:
        if fields := _stat(pid):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# --- setup ------------------------------------------------------------------------------------------


def prepare(opts) -> tuple[str, dict]:
    """The database at the scale: migrated and seeded; returns its URL and facts about it."""
    from bench.summary import database_url

    url = database_url(f"wijkhuis_bench_s{opts.scale}")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "wijkhuis.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    if not opts.no_seed:
        subprocess.run(
            [sys.executable, "-m", "bench.seed", "--scale", str(opts.scale), "--quiet"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    return url, env


def people(opts) -> tuple[list[Person], list[str], dict]:
    """One resident per connection from the first houses, with a known password and a verified
    e-mail address (the bench database only)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from activities.models import Booking, Room
    from residents.models import House, Membership, Role, User

    houses = list(
        House.objects.filter(slug__startswith="bench-").order_by("pk").values_list("slug", flat=True)
    )
    if not houses:
        raise SystemExit("no bench houses: run python -m bench.seed first")
    booking_houses = houses[: opts.booking_houses]
    rooms = dict(
        Room.objects.filter(house__slug__in=booking_houses, name="Huiskamer").values_list("house__slug", "pk")
    )
    chosen: list[Person] = []
    per_house = math.ceil(opts.connections / len(booking_houses))
    for slug in booking_houses:
        emails = list(
            Membership.objects.filter(house__slug=slug, role=Role.RESIDENT, status=Membership.Status.ACTIVE)
            .order_by("user_id")
            .values_list("user__email", flat=True)[:per_house]
        )
        chosen += [Person(email, slug, rooms[slug]) for email in emails]
    # Round robin over the houses, so fewer connections still spread over them.
    chosen.sort(key=lambda p: (int(p.email.split("-")[-1].split("@")[0]), p.house))
    chosen = chosen[: opts.connections]
    users = User.objects.filter(email__in=[p.email for p in chosen])
    users.update(password=make_password(PASSWORD))
    have = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users if u.pk not in have
    )
    EmailAddress.objects.filter(user__in=users).update(verified=True)
    facts = {
        "houses": len(houses),
        "bookings": Booking.objects.count(),
        "max_booking": Booking.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    }
    return chosen, houses, facts


def taken_messages() -> tuple[str, ...]:
    from django.utils import translation

    from activities import services

    found = set()
    for language in ("nl", "en"):
        with translation.override(language):
            for message in (services.ALREADY_TAKEN, services.TAKEN_MESSAGE):
                found.add(html.escape(str(message)))
    return tuple(found)


def start_gunicorn(opts, url: str, log: Path) -> tuple[subprocess.Popen, int]:
    from bench.load_week import free_port

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings_load",
        "DEBUG": "false",
        "DEMO_MODE": "false",
        "HTTPS": "false",
        "SECRET_KEY": "bench-load-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(opts.workers),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",  # gunicorn's "Booting worker" lines: how often a worker was replaced
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                opts.config,
                "--workers",
                str(opts.workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("gunicorn did not answer within 90 s:\n" + log.read_text()[-3000:])
        time.sleep(0.2)


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_side(log: Path, since: float, until: float) -> tuple[dict[str, list[float]], Counter, int]:
    """From gunicorn's JSON log, between two moments: server time per kind, 5xx answers, and how
    many workers were started (the configuration replaces a worker after about 1000 requests)."""
    per_kind: dict[str, list[float]] = defaultdict(list)
    server_errors: Counter = Counter()
    booted = 0
    for line in log.read_text().splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        moment = dt.datetime.fromisoformat(entry["time"]).timestamp()
        if not since <= moment <= until:
            continue
        if entry.get("logger") == "gunicorn.error" and "Booting worker" in entry.get("message", ""):
            booted += 1
        if entry.get("logger") != "gunicorn.access":
            continue
        kind = kind_of(entry.get("method"), entry.get("path") or "")
        if isinstance(entry.get("status"), int) and entry["status"] >= 500:
            server_errors[(kind, entry["status"])] += 1
        if entry.get("duration_ms") is not None:
            per_kind[kind].append(entry["duration_ms"])
    return per_kind, server_errors, booted


def kind_of(method: str, path: str) -> str:
    if path == "/bench-baseline/":
        return BASELINE
    if path == "/mijn/":
        return MINE
    if path.endswith("/activiteiten/"):
        return ANON_PROGRAMME
    if path.endswith("/nieuws/"):
        return ANON_NEWS
    if path.endswith("/agenda/"):
        return CALENDAR
    if path.endswith("/reserveren/"):
        return BOOK_POST if method == "POST" else BOOK_FORM
    if BOOKED.match(path):
        return BOOKING_PAGE
    return "other"


# --- checking the bookings ------------------------------------------------------------------------------


def check_bookings(max_before: int, told: list[int]) -> dict:
    from django.db import connection

    from activities.models import Booking

    made = list(Booking.objects.filter(pk__gt=max_before).values_list("pk", flat=True))
    told_counts = Counter(told)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'booking_no_overlap'"
        )
        row = cursor.fetchone()
        cursor.execute(
            f"""SELECT count(*) FROM {Booking._meta.db_table} a JOIN {Booking._meta.db_table} b
                ON a.room_id = b.room_id AND a.id < b.id AND a.blocked && b.blocked
                WHERE a.status IN ('requested', 'confirmed') AND b.status IN ('requested', 'confirmed')"""
        )
        overlapping = cursor.fetchone()[0]
    return {
        "told": len(told),
        "rows": len(made),
        "lost": sorted(set(told) - set(made)),  # told "booked", not in the database
        "unannounced": sorted(set(made) - set(told)),  # in the database, the run was not told
        "doubled": sorted(pk for pk, n in told_counts.items() if n > 1),
        "overlapping": overlapping,
        "constraint": row[0] if row else None,
        "live_total": Booking.objects.live().count(),
    }


def vacuum() -> None:
    """VACUUM (ANALYZE) the tables a run writes to and deletes from again, before it starts: else
    each run leaves its deleted bookings as dead rows, which the next run's calendar and booking form
    read past, so repeated runs would not measure the same thing."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from activities.models import Booking

    with connection.cursor() as cursor:
        for model in (Booking, DBTaskResult):
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')


def clean_up(max_before: int, since: dt.datetime) -> int:
    """Delete the run's bookings and the confirmation mails they queued (never sent: no worker
    runs on the bench database). Their audit rows stay: the audit trail is append-only."""
    from django.tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from activities.models import Booking

    deleted, _ = Booking.objects.filter(pk__gt=max_before).delete()
    DBTaskResult.objects.filter(enqueued_at__gte=since, status=TaskResultStatus.READY).delete()
    return deleted


# --- the report ---------------------------------------------------------------------------------------


def ratio_of(base: dict | None, row: dict, measure: str) -> float:
    """The baseline's cost per request over the page's: its throughput as a share of the baseline's."""
    return base[measure] / row[measure] if base and row[measure] else float("nan")


def report(
    opts,
    facts,
    mix: Tally,
    mix_seconds: float,
    alone: dict[str, dict],
    server_ms: dict[str, list[float]],
    server_errors: Counter,
    booted: int,
    checked: dict,
    generator_cpu: float,
    machine_busy: float,
) -> bool:
    cores = os.cpu_count() or 1
    total = mix.count
    all_times = [t for values in mix.times.values() for t in values]
    errors = sum(mix.errors.values())
    print()
    print(
        f"== Load test: {dt.datetime.now():%Y-%m-%d %H:%M}, scale {opts.scale} ({facts['houses']} houses, "
        f"{facts['bookings']} bookings before the run)"
    )
    print(
        f"gunicorn -c {opts.config} --workers {opts.workers} (sync), "
        f"{opts.connections} connections, "
        + (f"pausing {opts.pause_ms:.0f} ms on average" if opts.pause_ms else "closed loop without pauses")
    )
    print(
        f"machine: {cores} cores shared by the load generator, gunicorn and PostgreSQL; "
        f"load average before the run {facts['load_before']:.2f}"
    )
    print(
        f"the generator used {generator_cpu / mix_seconds * 100:.0f}% of one core during the mix; "
        f"the whole machine was {machine_busy * 100:.0f}% busy"
    )
    print(f"workers replaced during the mix (max_requests): {booted}")
    print()
    print(
        f"The mix: {mix_seconds:.1f} s, {total} requests, {total / mix_seconds:.1f} requests/s, "
        f"p50 {percentile(all_times, 50):.0f} ms, p99 {percentile(all_times, 99):.0f} ms, errors {errors}"
    )
    header = (
        f"{'page':<14} {'who':<10} {'share':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'server ms':>9}"
    )
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        values = mix.times.get(kind, [])
        if not values:
            continue
        served = server_ms.get(kind)
        share, rate = len(values) / len(all_times) * 100, len(values) / mix_seconds
        p50, p99 = percentile(values, 50), percentile(values, 99)
        mean = statistics.fmean(served) if served else float("nan")
        who = KINDS[kind][0]
        print(f"{kind:<14} {who:<10} {share:>5.0f}% {rate:>7.1f} {p50:>7.0f} {p99:>7.0f} {mean:>9.1f}")
    print("server ms: the mean time in gunicorn per request (its access log). Pages:")
    for kind, (_who, address) in KINDS.items():
        print(f"  {kind:<14} {address}")
    print()
    base = alone.get(BASELINE)
    print(
        f"Each page alone ({opts.page_rounds} x {opts.page_seconds:.0f} s each, taking turns, "
        f"all {opts.connections} connections):"
    )
    header = (
        f"{'page':<14} {'who':<10} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'server ms':>9} "
        f"{'x base':>7} {'CPU ms':>7} {'x base':>7}"
    )
    print(header)
    print("-" * len(header))
    for kind in ALONE:
        row = alone.get(kind)
        if not row:
            continue
        by_time, by_cpu = ratio_of(base, row, "server_ms"), ratio_of(base, row, "cpu_ms")
        print(
            f"{kind:<14} {KINDS[kind][0]:<10} {row['rps']:>7.1f} {row['p50']:>7.0f} {row['p99']:>7.0f} "
            f"{row['server_ms']:>9.1f} {by_time:>7.2f} {row['cpu_ms']:>7.1f} {by_cpu:>7.2f}"
        )
    workers, db_processes = facts["alone_watched"]
    print(
        "x base: the page's throughput as a ratio of the baseline's. Server ms: the mean time in\n"
        "  gunicorn per request (a worker serves 1000 / server ms requests a second); it includes\n"
        "  waiting for a core, so anything else running on the machine moves it. CPU ms: the CPU\n"
        f"  time of the {workers} workers and their {db_processes} database processes per request,\n"
        "  what a saturated machine runs out of (throughput = cores / CPU ms); other processes do\n"
        "  not move it. The aim is judged on CPU ms (on server ms when the database runs elsewhere).\n"
        "  req/s alone says the same, but a worker being replaced during a turn moves it much more"
    )
    if facts["alone_booted"]:
        print(f"  a worker was replaced during these turns ({facts['alone_booted']}): CPU ms is too low")
    if mix.errors:
        print("errors:", ", ".join(f"{k} {s}: {n}" for (k, s), n in mix.errors.most_common()))
    if server_errors:
        print(
            "5xx in gunicorn's log:", ", ".join(f"{k} {s}: {n}" for (k, s), n in server_errors.most_common())
        )
    if mix.unexpected:
        print(
            "other unexpected answers:",
            ", ".join(f"{k} {s}: {n}" for (k, s), n in mix.unexpected.most_common()),
        )

    attempts = sum(mix.outcomes.values())
    print()
    print(
        f"Booking attempts: {attempts}: booked {mix.outcomes['booked']}, taken {mix.outcomes['taken']}, "
        f"refused for another rule {mix.outcomes['refused']}"
    )
    for message, n in mix.refusals.most_common(3):
        print(f"  {n} x {message}")
    print(
        f"In the database: {checked['rows']} new bookings; told booked {checked['told']}; "
        f"lost {len(checked['lost'])}, not announced {len(checked['unannounced'])}, "
        f"doubled {len(checked['doubled'])}; overlapping live bookings (all rooms, "
        f"{checked['live_total']} live) {checked['overlapping']}"
    )
    print(f"  held by: CONSTRAINT booking_no_overlap {checked['constraint']}")

    measure = "cpu_ms" if facts["alone_watched"][1] else "server_ms"
    signed_in = (CALENDAR, MINE, BOOK_FORM)
    signed_in_ratios = {k: ratio_of(base, alone[k], measure) for k in signed_in if k in alone}
    worst_p99 = max(((percentile(v, 99), k) for k, v in mix.times.items() if v), default=(0.0, "-"))
    bookings_ok = not (
        checked["lost"] or checked["unannounced"] or checked["doubled"] or checked["overlapping"]
    )
    print()
    print("Aim:")
    print(f"  zero errors: {'met' if errors == 0 and not server_errors else 'MISSED'} ({errors})")
    print(f"  zero lost or doubled bookings: {'met' if bookings_ok else 'MISSED'}")
    print(
        f"  p99 under {AIM_P99_MS} ms at {opts.connections} connections: "
        f"{'met' if worst_p99[0] < AIM_P99_MS else 'MISSED'} (all {percentile(all_times, 99):.0f} ms, "
        f"worst {worst_p99[1]} {worst_p99[0]:.0f} ms; "
        f"the bare baseline alone: {base['p99'] if base else 0:.0f} ms)"
    )
    low = {k: r for k, r in signed_in_ratios.items() if r < AIM_RATIO}
    print(
        f"  signed-in pages at {AIM_RATIO} of the baseline or more ({measure.replace('_', ' ')}): "
        f"{'met' if not low else 'MISSED'} ("
        + ", ".join(f"{k} {r:.2f}" for k, r in signed_in_ratios.items())
        + ")"
    )
    return errors == 0 and not server_errors and bookings_ok


# --- main ---------------------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the mix (default 60)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (default: cores)"
    )
    parser.add_argument(
        "--pause-ms", type=float, default=0, help="mean pause of a connection between actions in the mix (0)"
    )
    parser.add_argument("--config", default="wijkhuis/gunicorn.conf.py", help="gunicorn's configuration file")
    parser.add_argument("--scale", type=int, default=10, help="the data: database wijkhuis_bench_s<scale>")
    parser.add_argument("--booking-houses", type=int, default=4, help="houses the signed-in people come from")
    parser.add_argument("--page-seconds", type=float, default=3, help="each page alone, per round")
    parser.add_argument("--page-rounds", type=int, default=3, help="rounds of each page alone")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the visitors' choices")
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    parser.add_argument("--keep", action="store_true", help="keep the bookings the run made")
    opts = parser.parse_args(argv)

    url, _env = prepare(opts)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_load"
    from bench import setup_django

    setup_django()  # and collectstatic: hashed static names, as gunicorn serves them
    from django.db import connection

    persons, houses, facts = people(opts)
    taken = taken_messages()
    vacuum()
    connection.close()
    facts["load_before"] = os.getloadavg()[0]
    print(
        f"{len(persons)} people from {opts.booking_houses} houses; anonymous pages of {len(houses)} houses",
        flush=True,
    )

    log = Path(tempfile.mkdtemp(prefix="wijkhuis-load-")) / "gunicorn.log"
    proc, port = start_gunicorn(opts, url, log)
    rng = random.Random(opts.seed)
    visitors = [Visitor(port, p, houses, taken, random.Random(rng.random())) for p in persons]
    run_began = dt.datetime.now(dt.UTC)
    try:
        failed = [
            (v.person.email, e)
            for v, e in zip(visitors, in_threads(visitors, Visitor.log_in), strict=True)
            if e
        ]
        if failed:
            raise SystemExit(
                f"{len(failed)} people could not log in, e.g. {failed[:3]}\n{log.read_text()[-2000:]}"
            )
        print(f"logged in through the form; warming up; gunicorn log: {log}", flush=True)
        in_threads(visitors, lambda v: [v.page(Tally(), kind) for kind in ALONE])
        warm, _seconds = run_phase(visitors, 3, Visitor.mix)

        print(f"the mix: {opts.seconds:.0f} s ...", flush=True)
        cpu_before, busy_before = own_cpu(), cpu_busy()
        since = time.time()
        mix, mix_seconds = run_phase(visitors, opts.seconds, lambda v, t: v.mix(t, opts.pause_ms))
        until = time.time()
        busy_after = cpu_busy()
        generator_cpu = own_cpu() - cpu_before
        machine_busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])

        print(
            f"each page alone: {len(ALONE)} pages x {opts.page_rounds} x {opts.page_seconds:.0f} s ...",
            flush=True,
        )
        alone_times: dict[str, list[float]] = defaultdict(list)
        alone_seconds: Counter = Counter()
        alone_cpu: Counter = Counter()  # CPU seconds of the workers and their database processes
        workers, db_pids = workers_of(proc.pid), database_pids()
        alone_since = time.time()
        for _round in range(opts.page_rounds):
            for kind in ALONE:
                serving = workers + db_pids
                cpu_start = cpu_seconds(serving)
                tally, seconds = run_phase(
                    visitors, opts.page_seconds, lambda v, t, kind=kind: v.page(t, kind)
                )
                alone_cpu[kind] += cpu_seconds(serving) - cpu_start
                alone_times[kind] += tally.times.get(kind, [])
                alone_seconds[kind] += seconds
                if tally.errors:
                    mix.errors.update({(f"{k} (alone)", s): n for (k, s), n in tally.errors.items()})
        alone_until = time.time()
        in_threads(visitors, Visitor.log_out)
    finally:
        stop_gunicorn(proc)
    server_ms, server_errors, booted = server_side(log, since, until)
    alone_server_ms, alone_server_errors, alone_booted = server_side(log, alone_since, alone_until)
    facts["alone_booted"] = alone_booted
    facts["alone_watched"] = (len(workers), len(db_pids))
    server_errors.update(alone_server_errors)
    alone = {
        kind: {
            "rps": len(times) / alone_seconds[kind],
            "p50": percentile(times, 50),
            "p99": percentile(times, 99),
            "server_ms": statistics.fmean(alone_server_ms[kind]) if alone_server_ms.get(kind) else 0.0,
            "cpu_ms": alone_cpu[kind] * 1000 / len(times),
        }
        for kind, times in alone_times.items()
        if times
    }

    checked = check_bookings(facts["max_booking"], warm.booked + mix.booked)
    ok = report(
        opts,
        facts,
        mix,
        mix_seconds,
        alone,
        server_ms,
        server_errors,
        booted,
        checked,
        generator_cpu,
        machine_busy,
    )
    if not opts.keep:
        deleted = clean_up(facts["max_booking"], run_began)
        print(f"\n{deleted} rows of the run's bookings deleted again (--keep keeps them)")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
