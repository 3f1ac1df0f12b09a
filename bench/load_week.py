"""Load the week view under concurrent requests against gunicorn; print requests/s and p50/p99.

    python -m bench.seed --scale 10
    python -m bench.load_week --concurrency 8 --seconds 20          # /bench-0/agenda/
    python -m bench.load_week --path /bench-0/ --workers 4

Starts gunicorn on a free local port against the bench database (DEBUG off, static files from
collectstatic as in production), warms it up, runs C client threads for the given seconds, then
stops gunicorn. Anonymous requests: the public week view is what most people open.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path, headers={"Accept-Language": "nl"})
    response = conn.getresponse()
    response.read()
    return response.status


def wait_until_up(port: int, path: str, proc: subprocess.Popen, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn stopped with code {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status = get(conn, path)
            conn.close()
            return status
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def client(port: int, path: str, stop_at: float, times: list[float], errors: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine: list[float] = []
    bad: list[int] = []
    while time.monotonic() < stop_at:
        start = time.perf_counter()
        try:
            status = get(conn, path)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            bad.append(0)
            continue
        mine.append((time.perf_counter() - start) * 1000)
        if status != 200:
            bad.append(status)
    conn.close()
    times.extend(mine)  # list.extend is atomic under the GIL
    errors.extend(bad)


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--house", default="bench-0")
    parser.add_argument("--path", default=None, help="default: /<house>/agenda/ (the week view)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20, help="requests before measuring")
    opts = parser.parse_args(argv)
    path = opts.path or f"/{opts.house}/agenda/"

    # The bench database's URL and collectstatic, as bench.seed and bench.pages use them.
    from bench import setup_django

    setup_django()
    from django.db import connection

    from activities.models import Booking

    bookings = Booking.objects.filter(room__house__slug=opts.house).count()
    connection.close()

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DEBUG": "false",
        "DEMO_MODE": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [
            gunicorn,
            "wijkhuis.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(opts.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        status = wait_until_up(port, path, proc)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}; is the view there and the bench seeded?")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(opts.warmup):
            get(conn, path)
        conn.close()

        times: list[float] = []
        errors: list[int] = []
        stop_at = time.monotonic() + opts.seconds
        threads = [
            threading.Thread(target=client, args=(port, path, stop_at, times, errors))
            for _ in range(opts.concurrency)
        ]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    times.sort()
    print(
        f"GET {path}  ({bookings} bookings in {opts.house}; gunicorn {opts.workers} workers; "
        f"{opts.concurrency} clients; {elapsed:.1f} s)"
    )
    if not times:
        raise SystemExit("no successful requests")
    print(f"requests      {len(times)}  (errors: {len(errors)})")
    print(f"requests/s    {len(times) / elapsed:.1f}")
    print(f"p50 latency   {statistics.median(times):.1f} ms")
    print(f"p99 latency   {percentile(times, 99):.1f} ms")
    if errors:
        raise SystemExit(f"{len(errors)} requests failed: {sorted(set(errors))}")


if __name__ == "__main__":
    main()
