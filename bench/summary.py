"""Time the aldermen's summary pages at scale 1, 10 and 100; print the ratio of the largest to 1.

    python -m bench.summary                            # scales 1 10 100 (seeds what is missing)
    python -m bench.summary --scales 1 10 --repeat 20
    python -m bench.summary --scales 100 --explain     # EXPLAIN ANALYZE of the slowest queries
    python -m bench.summary --scales 1 100 --rounds 5  # the scales taking turns, five times
    python -m bench.summary --paired 200 --no-seed     # scales 1 and 100 side by side, request by request

Each scale has its own database, so they can be kept side by side: wijkhuis_bench_s1,
wijkhuis_bench_s10, wijkhuis_bench_s100 on the embedded server (or on the server of DATABASE_URL,
with the database name swapped). bench.seed fills a database first; one already seeded with the
same options is left as it is, so only the first run pays for seeding (scale 100: a few minutes).

Per scale and page it prints the median and 90th percentile of the server time in ms (Django's
test Client in-process, after a warm-up), the median time of it spent in SQL, and the number of
SQL queries. The person is bench-viewer@example.nl, with the viewer role in every house. Pages:
`/overzicht/` (summary:all, every house the person may see) and `/bench-0/overzicht/`
(summary:house). For the largest scale it also prints the three slowest queries of one
`/overzicht/` request with their time and SQL, ready for EXPLAIN ANALYZE (--explain runs it).
Timings belong here, never in tests.

With --rounds, every scale is measured that many times, the scales taking turns (1, 100, 1, 100,
...), and each number is the median over the rounds: the machine's speed drifts over minutes, and
one pass per scale can catch scale 1 in a slow moment and scale 100 in a fast one (or the other way
round), which moves their ratio by a third. The rounds' own medians and ratios are printed too.

With --paired N, scales 1 and 100 are measured side by side instead: two children stay up, one per
database, and take turns request by request (N pairs, the order within a pair alternating), so
both see the same moments of the machine. On a shared machine whose speed changes from one second
to the next (a pass per scale then varied by half), this is the comparison to judge the ratio on:
it prints the median of each scale, the ratio of the medians and the median of the pairs' ratios.

Exits with 3 when the summary pages are not there yet (the URL names do not resolve, or 404).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VIEWER = "bench-viewer@example.nl"
PAGES_MISSING = 3
RESULT = "RESULT "


def database_url(name: str) -> str:
    """The URL of database `name` (created if missing): on DATABASE_URL's server, else embedded."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        from wijkhuis import localdb

        return localdb.ensure_running(name)
    import psycopg
    from psycopg import sql

    parts = urlsplit(base)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


# --- the parent: one database per scale -----------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every scale this many times, the scales taking turns; report the medians",
    )
    parser.add_argument(
        "--paired",
        type=int,
        default=0,
        metavar="N",
        help="scales 1 and 100 side by side, taking turns request by request, N pairs",
    )
    parser.add_argument("--warmup", type=int, default=3, help="requests per page before timing")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries")
    parser.add_argument("--no-seed", action="store_true", help="use the databases as they are")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # a --paired child
    parser.add_argument("--slowest", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.measure:
        sys.exit(measure(opts))
    if opts.serve:
        sys.exit(serve(opts))
    if opts.paired:
        sys.exit(paired(opts))

    rounds: dict[int, list[dict]] = {scale: [] for scale in opts.scales}
    for n in range(opts.rounds):
        for scale in opts.scales:
            rounds[scale].append(_measure_scale(opts, scale, first_round=n == 0))
    if opts.rounds > 1:
        _report_rounds(rounds)
    report({scale: _combined(results) for scale, results in rounds.items()})


def _measure_scale(opts, scale: int, *, first_round: bool) -> dict:
    """One child measuring one scale's database (seeded first in the first round, unless --no-seed)."""
    name = f"wijkhuis_bench_s{scale}"
    env = {**os.environ, "DATABASE_URL": database_url(name)}
    print(f"== scale {scale}: database {name}", flush=True)
    if first_round and not opts.no_seed:
        _seed(scale, env)
    child = [
        sys.executable,
        "-m",
        "bench.summary",
        "--measure",
        "--repeat",
        str(opts.repeat),
        "--warmup",
        str(opts.warmup),
    ]
    if first_round and scale == max(opts.scales):
        child.append("--slowest")
    if first_round and opts.explain:
        child.append("--explain")
    run = subprocess.run(child, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    result = None
    for line in run.stdout.splitlines():
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT) :])
        else:
            print("   " + line)
    if run.returncode or result is None:
        sys.stderr.write(run.stderr[-3000:])
        raise SystemExit(run.returncode or 1)
    return result


def _seed(scale: int, env: dict) -> None:
    began = time.perf_counter()
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.seed", "--scale", str(scale), "--quiet"], cwd=ROOT, env=env, check=False
    )
    if seeded.returncode:
        raise SystemExit(f"bench.seed failed for scale {scale} (exit {seeded.returncode})")
    print(f"   seed step: {time.perf_counter() - began:.1f} s", flush=True)


def _combined(results: list[dict]) -> dict:
    """One scale's rounds as one result: per page the median of each number over the rounds (the
    queries: the most); the first round's count of marks."""
    combined = dict(results[0])
    combined["pages"] = {
        page: {
            key: (max if key == "queries" else statistics.median)(r["pages"][page][key] for r in results)
            for key in first
        }
        for page, first in results[0]["pages"].items()
    }
    return combined


def _report_rounds(rounds: dict[int, list[dict]]) -> None:
    """Per round, /overzicht/'s median at each scale and the ratio of the largest to the smallest:
    the scales took turns, so a slower or faster moment of the machine shows as a round apart."""
    low, high = min(rounds), max(rounds)
    print()
    print(
        "per round, /overzicht/ median ms: "
        + ", ".join(f"scale {s}" for s in rounds)
        + f", ratio {high}/{low}"
    )
    for n in range(len(rounds[low])):
        medians = [rounds[s][n]["pages"]["/overzicht/"]["median"] for s in rounds]
        ratio = (
            rounds[high][n]["pages"]["/overzicht/"]["median"]
            / rounds[low][n]["pages"]["/overzicht/"]["median"]
        )
        print(f"  round {n + 1}: " + ", ".join(f"{m:.1f}" for m in medians) + f", {ratio:.2f}")


def report(results: dict[int, dict]) -> None:
    print()
    print(
        f"{'scale':>5} {'houses':>6}  {'page':<28} {'median ms':>9} {'p90 ms':>8} {'of it SQL':>9} "
        f"{'queries':>7}"
    )
    for scale, result in results.items():
        for page, r in result["pages"].items():
            print(
                f"{scale:>5} {result['houses']:>6}  {page:<28} {r['median']:>9.1f} {r['p90']:>8.1f} "
                f"{r['sql']:>9.1f} {r['queries']:>7}"
            )
    for scale, result in results.items():
        if "first" in result:
            first, marks = result["first"], result["marks"]
            print(f"scale {scale}: first /overzicht/, counting {marks} marks first: {first:.0f} ms")
    if len(results) > 1:
        low, high = min(results), max(results)
        for page in results[low]["pages"]:
            ratio = results[high]["pages"][page]["median"] / results[low]["pages"][page]["median"]
            print(f"ratio {high}/{low} of the median, {page}: {ratio:.2f}")
    # The aim compares scale 100 with scale 1; without both in the run it is not judged.
    if 1 in results and 100 in results:
        top = results[100]["pages"]["/overzicht/"]["median"]
        ratio = top / results[1]["pages"]["/overzicht/"]["median"]
        ok = top < 300 and ratio <= 3
        print(
            f"aim: /overzicht/ under 300 ms at scale 100 and at most 3 x scale 1: "
            f"{top:.0f} ms, {ratio:.1f} x -> {'met' if ok else 'NOT met'}"
        )
    else:
        print("aim: not judged (it needs scales 1 and 100 in the same run)")


# --- side by side: two children taking turns request by request ------------------------------


def paired(opts) -> int:
    """Scales 1 and 100 measured side by side (see the module's docstring); judges the aim on it."""
    low, high = 1, 100
    children: dict[int, subprocess.Popen] = {}
    try:
        # One after the other: each collects the static files first (into the same folder).
        for scale in (low, high):
            name = f"wijkhuis_bench_s{scale}"
            env = {**os.environ, "DATABASE_URL": database_url(name)}
            if not opts.no_seed:
                _seed(scale, env)
            child = children[scale] = subprocess.Popen(
                [sys.executable, "-m", "bench.summary", "--serve", "--warmup", str(opts.warmup)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            line = child.stdout.readline().strip()
            if line != "ready":
                raise SystemExit(f"scale {scale}: the child did not start ({line!r})")
        times: dict[int, list[float]] = {low: [], high: []}
        for n in range(opts.paired):
            for scale in (low, high) if n % 2 == 0 else (high, low):
                child = children[scale]
                child.stdin.write("go\n")
                child.stdin.flush()
                times[scale].append(float(child.stdout.readline()))
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait()
    result = paired_result(times[low], times[high])
    print(
        f"side by side, {opts.paired} pairs of /overzicht/ requests (scale {low}, scale {high} taking turns):"
    )
    print(f"  median ms: scale {low} {result['low']:.1f}, scale {high} {result['high']:.1f}")
    print(
        f"  ratio of the medians {result['ratio']:.2f}; "
        f"median of the pairs' ratios {result['pair_ratio']:.2f}"
    )
    print(f"  pairs' ratios, 10th to 90th percentile: {result['p10']:.2f} to {result['p90']:.2f}")
    ok = result["high"] < 300 and result["ratio"] <= 3
    print(
        f"aim: /overzicht/ under 300 ms at scale {high} and at most 3 x scale {low}: "
        f"{result['high']:.0f} ms, {result['ratio']:.1f} x -> {'met' if ok else 'NOT met'}"
    )
    return 0


def paired_result(low: list[float], high: list[float]) -> dict:
    """The medians of two scales' times taken in pairs, the ratio of the medians, and the pairs'
    own ratios (median, 10th and 90th percentile)."""
    ratios = sorted(h / lo for lo, h in zip(low, high, strict=True))
    return {
        "low": statistics.median(low),
        "high": statistics.median(high),
        "ratio": statistics.median(high) / statistics.median(low),
        "pair_ratio": statistics.median(ratios),
        "p10": percentile(ratios, 10),
        "p90": percentile(ratios, 90),
    }


def serve(opts) -> int:
    """A --paired child: warm up, say "ready", then time one /overzicht/ request per line "go"."""
    from bench import setup_django

    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(ensure_viewer())
    url = reverse("summary:all")
    for _ in range(max(1, opts.warmup)):
        if client.get(url).status_code != 200:
            print("not ready: the summary answered otherwise than 200", flush=True)
            return 1
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        began = time.perf_counter()
        client.get(url)
        print(f"{(time.perf_counter() - began) * 1000:.3f}", flush=True)
    return 0


# --- the child: measure in one database -----------------------------------------------------


def ensure_viewer():
    """bench-viewer@example.nl with the viewer role in every house."""
    from residents.models import House, Membership, Role, User

    viewer, _ = User.objects.get_or_create(email=VIEWER, defaults={"name": "Bench Wethouder"})
    Membership.objects.bulk_create(
        [
            Membership(user=viewer, house=house, role=Role.VIEWER, status=Membership.Status.ACTIVE)
            for house in House.objects.all()
        ],
        ignore_conflicts=True,
    )
    return viewer


def measure(opts) -> int:
    from bench import setup_django

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from residents.models import House

    settings.ALLOWED_HOSTS = ["*"]
    house = House.objects.filter(slug="bench-0").first()
    if house is None:
        print("No house bench-0 in this database: run bench.seed first.")
        return 1
    try:
        pages = {
            "/overzicht/": reverse("summary:all"),
            f"/{house.slug}/overzicht/": reverse("summary:house", kwargs={"house": house.slug}),
        }
    except NoReverseMatch as err:
        print(f"The summary pages are not there yet: {err}.")
        print("bench.summary needs the URL names summary:all and summary:house (issue 7).")
        return PAGES_MISSING
    viewer = ensure_viewer()
    client = Client()
    client.force_login(viewer)
    houses = House.objects.count()
    result = {"houses": houses, "pages": {}}
    print(f"{houses} houses; {opts.warmup} warm-up and {opts.repeat} timed requests per page")
    from summary.models import StaleMonth, StalePerson

    marks = StaleMonth.objects.count() + StalePerson.objects.count()
    for label, url in pages.items():
        began = time.perf_counter()
        response = client.get(url)
        if label == "/overzicht/" and marks:
            # After seeding or migrating, summary.stored counts everything once.
            result["first"] = (time.perf_counter() - began) * 1000
            result["marks"] = marks
        for _ in range(max(0, opts.warmup - 1)):
            response = client.get(url)
        if response.status_code == 404:
            print(f"GET {url} answered 404: the summary pages are not there yet.")
            return PAGES_MISSING
        if response.status_code != 200:
            print(f"GET {url} answered {response.status_code} for a viewer of every house.")
            return 1
        times, sql_times = [], []
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            for _ in range(opts.repeat):
                timer.total = 0.0
                began = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - began) * 1000)
                sql_times.append(timer.total * 1000)
        times.sort()
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        result["pages"][label] = {
            "median": statistics.median(times),
            "p90": percentile(times, 90),
            "sql": statistics.median(sql_times),
            "queries": len(ctx),
        }
        if opts.slowest and label == "/overzicht/":
            slowest(ctx.captured_queries, explain=opts.explain)
    result["pages"]["/overzicht/ after a change"] = after_a_change(client, pages["/overzicht/"], opts.repeat)
    print(RESULT + json.dumps(result))
    return 0


def after_a_change(client, url: str, repeat: int) -> dict:
    """The page right after one booking of a past month was marked as (not) taken place: what a
    summary costs when summary.stored has a house-month and a person to count again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from activities.models import Booking

    booking = Booking.objects.filter(status="confirmed", took_place__isnull=False).order_by("pk").first()
    times = []
    for n in range(repeat + 1):
        Booking.objects.filter(pk=booking.pk).update(took_place=bool(n % 2))
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            client.get(url)
            elapsed = (time.perf_counter() - began) * 1000
        if n:  # the first is a warm-up
            times.append(elapsed)
    times.sort()
    return {"median": statistics.median(times), "p90": percentile(times, 90), "sql": 0.0, "queries": len(ctx)}


class SqlTimer:
    """Adds up the time spent in the database (execute wrapper: cheap, no debug cursor)."""

    def __init__(self) -> None:
        self.total = 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.total += time.perf_counter() - began


def slowest(queries: list[dict], *, explain: bool, n: int = 3) -> None:
    """The n slowest queries of one request, with their SQL; EXPLAIN ANALYZE them if asked."""
    from django.db import connection

    total = sum(float(q["time"]) for q in queries) * 1000
    print(f"slowest {n} of {len(queries)} queries of one /overzicht/ request ({total:.1f} ms in SQL):")
    for q in sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:n]:
        print(f"--- {float(q['time']) * 1000:.1f} ms")
        print(q["sql"].strip())
        if explain:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                for (line,) in cursor.fetchall():
                    print("    " + line)


if __name__ == "__main__":
    main()
