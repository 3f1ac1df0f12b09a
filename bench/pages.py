"""Time the foundation's pages at the data size in the database (run bench.seed first).

    python -m bench.pages --repeat 50

Prints the median and 95th percentile per page, and the number of queries. Timings belong here,
never in tests; tests assert query counts.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--house", default="bench-0")
    opts = parser.parse_args(argv)

    from bench import setup_django

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from residents.models import House, Membership, Role, User

    settings.ALLOWED_HOSTS = ["*"]
    house = House.objects.get(slug=opts.house)
    staff, _ = User.objects.get_or_create(email="bench-staff@example.invalid", defaults={"name": "B"})
    Membership.objects.get_or_create(
        user=staff, house=house, role=Role.STAFF, defaults={"status": Membership.Status.ACTIVE}
    )
    anon, client = Client(), Client()
    client.force_login(staff)
    pages = [
        ("home /", anon, "/"),
        ("house", anon, house.get_absolute_url()),
        ("members (staff)", client, f"/{house.slug}/leden/"),
        ("my page (staff)", client, "/mijn/"),
    ]
    members = Membership.objects.filter(house=house).count()
    print(f"house {house.slug}: {members} memberships; {opts.repeat} requests per page")
    print(f"{'page':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, c, url in pages:
        times = []
        for _ in range(opts.repeat):
            start = time.perf_counter()
            response = c.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code in (200, 302), (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            c.get(url)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{label:<20} {statistics.median(times):>10.1f} {p95:>8.1f} {len(ctx):>8}")


if __name__ == "__main__":
    main()
