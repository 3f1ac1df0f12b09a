"""Seeded data generator for benchmarks: many houses, members, pending requests, rooms and bookings.

    python -m bench.seed --scale 10 --seed 1          # 10 houses, 2,000 bookings each
    python -m bench.seed --houses 20 --members 500    # as before; --scale defaults to 1

--scale N makes N houses (unless --houses says otherwise), each with 200*N bookings of its living
room(s) spread over the 60 days before and after today (one room per 600 bookings, so a room never
holds more than it can). Later issues extend this. Deterministic for a given --seed; a second run
fills up what is missing and adds nothing else. Writes into the database `wijkhuis_bench` of the
embedded server (or DATABASE_URL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random

DAYS_AROUND = 60  # bookings from 60 days ago to 60 days ahead
PER_ROOM = 600  # bookings per room at most (about 5 a day)
TITLES = [
    ("birthday", "Verjaardag"),
    ("meeting", "Bewonerscommissie"),
    ("club", "Huiswerkklas"),
    ("activity", "Taalcafé"),
    ("other", "Praatmaatje"),
    ("club", "Breiclub"),
    ("activity", "Samen koken"),
]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1, help="N houses with 200*N bookings each")
    parser.add_argument("--houses", type=int, default=None, help="number of houses (default: the scale)")
    parser.add_argument("--members", type=int, default=300, help="members per house")
    parser.add_argument("--pending", type=int, default=30, help="pending requests per house")
    parser.add_argument("--seed", type=int, default=1)
    opts = parser.parse_args(argv)

    from bench import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from residents.models import House, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    houses = opts.houses if opts.houses is not None else opts.scale
    rng = random.Random(opts.seed)
    first = ["Anna", "Mehmet", "Fatima", "Jan", "Sevda", "Rachid", "Els", "Kees", "Nour", "Priya"]
    last = ["de Vries", "Yilmaz", "el Amrani", "Jansen", "Bakker", "Haddad", "Visser", "Kaya"]
    total_bookings = 0
    with transaction.atomic():
        owner, _ = Organisation.objects.get_or_create(
            name="Bench Wonen", defaults={"kind": Organisation.Kind.CORPORATION}
        )
        for h in range(houses):
            house, _ = House.objects.get_or_create(
                slug=f"bench-{h}",
                defaults={
                    "name": f"Bench huis {h}",
                    "street": f"Benchstraat {h}",
                    "postcode": "1234 AB",
                    "city": "Benchdorp",
                    "owner": owner,
                },
            )
            users = [
                User(
                    email=f"bench-{h}-{i}@example.invalid",
                    name=f"{rng.choice(first)} {rng.choice(last)}",
                    password="!",
                )
                for i in range(opts.members + opts.pending)
            ]
            users = User.objects.bulk_create(users, ignore_conflicts=True)
            users = list(User.objects.filter(email__startswith=f"bench-{h}-"))
            Membership.objects.bulk_create(
                [
                    Membership(
                        user=u,
                        house=house,
                        role=Role.RESIDENT,
                        status=(Membership.Status.PENDING if i < opts.pending else Membership.Status.ACTIVE),
                    )
                    for i, u in enumerate(users)
                ],
                ignore_conflicts=True,
            )
            members = users[opts.pending :] or users
            made = _bookings(house, members, 200 * opts.scale, random.Random(f"{opts.seed}-{h}"))
            total_bookings += made
    print(
        f"{houses} houses with {opts.members} members, {opts.pending} pending and "
        f"{200 * opts.scale} bookings each ({total_bookings} bookings new)."
    )


def _bookings(house, members, count: int, rng: random.Random) -> int:
    """`count` bookings of the house's rooms over today +-60 days; none overlap (buffer included)."""
    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
    from django.utils import timezone

    from activities.models import Booking, Room, RoomHours
    from activities.timeutil import make_local

    rooms = []
    for r in range(max(1, math.ceil(count / PER_ROOM))):
        room, created = Room.objects.get_or_create(
            house=house,
            name="Huiskamer" if r == 0 else f"Zaal {r}",
            defaults={"capacity": 20, "buffer_minutes": 15, "needs_approval": r % 2 == 1},
        )
        if created:
            RoomHours.objects.bulk_create(
                RoomHours(room=room, weekday=d, opens=dt.time(9), closes=dt.time(22)) for d in range(7)
            )
        rooms.append(room)
    if Booking.objects.filter(room__in=rooms).count() >= count:
        return 0
    Booking.objects.filter(room__in=rooms).delete()  # an earlier, smaller run: make it again

    today = timezone.localdate()
    now = timezone.now()
    days = [today + dt.timedelta(days=d) for d in range(-DAYS_AROUND, DAYS_AROUND + 1)]
    # Spread the bookings over (room, day) pairs; each pair splits 09:00-22:00 into equal parts
    # and puts one booking in each part, so they cannot overlap.
    per_pair: dict[tuple[int, int], int] = {}
    pairs = [(r, d) for r in range(len(rooms)) for d in range(len(days))]
    for i in range(count):
        pair = pairs[i % len(pairs)]
        per_pair[pair] = per_pair.get(pair, 0) + 1
    rows = []
    for (r, d), n in per_pair.items():
        room, day = rooms[r], days[d]
        part = 13 * 60 // n  # minutes
        for k in range(n):
            length = rng.choice([30, 45, 60, 90, 120, 180])
            length = min(length, part - room.buffer_minutes)
            length -= length % 15
            slack = part - length - room.buffer_minutes
            offset = 9 * 60 + k * part + rng.randrange(0, slack // 15 + 1) * 15
            start = make_local(day, dt.time(offset // 60, offset % 60))
            end = start + dt.timedelta(minutes=length)
            category, title = rng.choice(TITLES)
            roll = rng.random()
            if roll < 0.08:
                status = "cancelled"
            elif roll < 0.14 and start > now:
                status = "requested"
            else:
                status = "confirmed"
            booker = rng.choice(members)
            rows.append(
                Booking(
                    room=room,
                    booker=booker,
                    created_by=booker,
                    period=DateTimeTZRange(start, end),
                    blocked=DateTimeTZRange(start, end + room.buffer),
                    category=category,
                    title=title,
                    attendees=rng.randint(2, room.capacity),
                    is_public=rng.random() < 0.5,
                    status=status,
                    rules_version=room.rules_version,
                    took_place=(rng.random() > 0.1) if status == "confirmed" and end < now else None,
                    created_at=min(now, start - dt.timedelta(days=rng.randint(1, 30))),
                )
            )
    Booking.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


if __name__ == "__main__":
    main()
