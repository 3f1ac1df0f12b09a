"""Seeded data generator for benchmarks: one pilot year of realistic data in every app.

    python -m bench.seed                              # scale 1: 2 houses
    python -m bench.seed --scale 10 --seed 1          # 20 houses, ten times the rows
    python -m bench.seed --scale 100                  # 200 houses, a hundred times the rows
    python -m bench.seed --houses 1 --fraction 0.05   # tiny: one house, a few dozen rows per kind
    python -m bench.seed --houses 20 --members 500    # the older options still work

Options:
  --scale N       2*N houses (unless --houses says otherwise). Every house gets the same amount of data,
                  so scale 1 is in total about 800 members, 1,500 bookings, 600 activities, 6,000
                  sign-ups, 3,000 hour logs and 300 news posts, and scale N is N times that.
  --houses H      the number of houses, whatever the scale. Houses are bench-0 ... bench-<H-1>;
                  bench.pages and bench.load_week use bench-0.
  --fraction F    multiplies the rows per house (default 1); 0.05 makes a tiny house for tests.
  --members M     verified members per house (default 400 x F), joining across the year.
  --pending P     membership requests waiting for verification per house (default 30 x F).
  --bookings B    bookings per house, activities' bookings included (default 750 x F); a house
                  gets more rooms when they would not fit in two.
  --seed S        the random seed (default 1). Same seed, same options, same day: same data.
  --today DATE    the day the data is made around (default: today). The pilot runs from 300 days
                  before it for a year: pilot_start = today - 300, pilot_end = pilot_start + 364.

Per house: a living room ("Huiskamer") and a hall that needs approval ("Zaal 1"); bookings on a
per-room grid of four slots a day (09:30, 13:00, 16:00, 19:00), so live bookings never overlap
(the exclusion constraint holds); activities, weekly, fortnightly and one-off, in the rooms (with
their booking) or elsewhere; sign-ups with a waiting list where there is a capacity, and for past
activities the attendance (about 75% of those signed up came, plus walk-ins); two or three
students with an obligation for the pilot, duties and hour logs (mostly approved, never
overlapping per student); ideas with supports, polls with ballots, news posts, koffiekrant issues
(most past weeks published, without PDF), targets for every summary figure, and a story with
quotes per past quarter. Memberships are verified across the year, with more early on.

Idempotent: a house seeded with the same options is left alone, so a second run adds nothing; a
house seeded with other options (or by an older version of this script) is emptied and seeded
again. Each house is seeded in its own transaction. Writes into the database `wijkhuis_bench` of
the embedded server, or DATABASE_URL.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import math
import random
import time
from collections import Counter
from dataclasses import dataclass

VERSION = 3
DEFAULT_SEED = 1

# Rows per house at --fraction 1; scale 1 is two such houses.
PER_HOUSE = {
    "members": 400,
    "pending": 30,
    "bookings": 750,
    "activities": 300,
    "signups": 3000,
    "hour_logs": 1500,
    "posts": 150,
    "ideas": 30,
    "polls": 6,
}
PILOT_DAYS_BEFORE = 300
PILOT_LENGTH = 365
# Start and end of the four slots of a day, in minutes after midnight. Between two slots there is
# more than a room's tidy-up buffer, so bookings in different slots never overlap.
SLOTS = [(9 * 60 + 30, 12 * 60), (13 * 60, 15 * 60 + 30), (16 * 60, 18 * 60 + 30), (19 * 60, 21 * 60 + 30)]
SLOTS_PER_ROOM = PILOT_LENGTH * len(SLOTS)
BATCH = 2000

FIRST = [
    "Anna",
    "Mehmet",
    "Fatima",
    "Jan",
    "Sevda",
    "Rachid",
    "Els",
    "Kees",
    "Nour",
    "Priya",
    "Henk",
    "Yusuf",
]
LAST = ["de Vries", "Yilmaz", "el Amrani", "Jansen", "Bakker", "Haddad", "Visser", "Kaya", "Smit", "Bos"]
BOOKING_TITLES = [
    ("birthday", "Verjaardag"),
    ("birthday", "Feestje"),
    ("meeting", "Bewonerscommissie"),
    ("meeting", "Overleg VvE"),
    ("club", "Huiswerkklas"),
    ("club", "Breiclub"),
    ("activity", "Taalcafé"),
    ("activity", "Samen koken"),
    ("other", "Praatmaatje"),
    ("other", "Rouwbijeenkomst"),
]


@dataclass(frozen=True)
class Kind:
    """A kind of activity on the programme."""

    title: str
    category: str
    room: int | None  # index of the room it books; None: somewhere else (`place`)
    signup: bool
    capacity: int | None
    popularity: float  # relative number of sign-ups
    minutes: int
    walk_ins: tuple[int, int]
    place: str = ""


COFFEE = Kind("Koffieochtend", "coffee", 0, False, None, 0, 120, (8, 22))
LANGUAGE = Kind("Taalcafé", "language", 0, True, 16, 1.2, 90, (0, 4))
SPORT = Kind("Samen bewegen", "sport", None, True, 20, 1.0, 60, (0, 5), "Sportveld achter het huis")
CREATIVE = Kind("Creatief atelier", "creative", 0, True, 10, 1.3, 120, (0, 2))
ADVICE = Kind("Spreekuur geldzaken", "advice", 1, True, 8, 0.5, 90, (0, 3))
# (kind, weekday, slot, every so many weeks)
SERIES = [(COFFEE, 1, 0, 1), (LANGUAGE, 3, 2, 1), (SPORT, 2, 1, 1), (CREATIVE, 0, 3, 2), (ADVICE, 4, 0, 2)]
ONE_OFF = [
    Kind("Bewonersavond", "neighbourhood", 0, True, None, 1.6, 120, (2, 10)),
    Kind("Buurtbarbecue", "other", None, True, 60, 2.5, 150, (5, 25), "Speelveld Wingerd"),
    Kind("Samen koken", "other", 0, True, 12, 1.4, 150, (0, 3)),
    Kind("Informatiemiddag energie", "advice", 1, True, 25, 1.0, 90, (0, 6)),
    Kind("Wandeling door de wijk", "sport", None, True, None, 0.9, 90, (0, 4), "Verzamelen bij de voordeur"),
    Kind("Filmavond", "creative", 0, True, 20, 1.3, 150, (0, 4)),
    Kind("Spelletjesmiddag", "coffee", 0, False, None, 0, 120, (5, 15)),
]
DUTIES = [
    ("Koffieochtend openen en afsluiten", True, 120),
    ("Koffiekrant schrijven en rondbrengen", True, 90),
    ("Huiskamer opruimen", True, 45),
    ("Huisbezoek nieuwe bewoners", False, 60),
    ("Buurtbarbecue voorbereiden", False, 180),
]
LOG_WHAT = [
    "Koffieochtend gedraaid",
    "Koffiekrant geschreven",
    "Koffiekrant rondgebracht",
    "Bij een buurvrouw op bezoek",
    "Huiskamer opgeruimd",
    "Overleg met de coördinator",
    "Taalcafé voorbereid",
    "Flyers verspreid",
]
IDEAS = [
    "Een moestuin achter het huis",
    "Samen naar de markt",
    "Een boekenkast in de huiskamer",
    "Kookles voor mannen",
    "Een buurtfeest in de zomer",
    "Fietsles voor volwassenen",
    "Spelletjesavond voor jongeren",
    "Bankjes bij de speeltuin",
    "Repair café",
    "Een wandelgroep op zondag",
]
POLLS = [
    ("Welke dag wil je de koffieochtend?", ["Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag"]),
    ("Wat koken we in december?", ["Soep", "Stamppot", "Couscous", "Rijsttafel"]),
    ("Waar gaat het buurtuitje heen?", ["Het strand", "De dierentuin", "Een museum"]),
    ("Hoe laat begint het taalcafé?", ["14.00 uur", "16.00 uur", "19.00 uur"]),
]
POST_TITLES = [
    "Nieuw in de huiskamer",
    "Terugblik op de buurtbarbecue",
    "Het programma van deze maand",
    "Hulp gezocht voor de moestuin",
    "Gesloten op Koningsdag",
    "Welkom aan de nieuwe studenten",
    "Tips tegen een hoge energierekening",
    "Zo ging de bewonersavond",
]
POST_BODIES = [
    "We hebben **nieuws**: vanaf nu staat er elke ochtend koffie klaar.\n\nKom gerust binnen.",
    "Het was een mooie middag met veel buren. *Dank je wel* aan iedereen die hielp.\n\n"
    "- soep\n- brood\n- taart",
    "Wil je meedoen? Meld je aan bij de studenten of kom langs tijdens de koffieochtend.",
    "Het huis is die dag dicht. Daarna zijn we er weer zoals altijd.",
]
QUOTES = [
    ("Ik kom hier elke dinsdag, het is mijn uitje van de week.", "bewoonster, 81 jaar"),
    ("Door het taalcafé durf ik nu de huisarts zelf te bellen.", "bewoner, 34 jaar"),
    ("Ik kende mijn buren niet, nu wel.", "bewoonster, 52 jaar"),
    ("Fijn dat de studenten ook eens aanbellen.", "bewoner, 77 jaar"),
]


def quota(name: str, fraction: float) -> int:
    return max(1, round(PER_HOUSE[name] * fraction)) if fraction > 0 else 0


def fingerprint(*, seed: int, fraction: float, members: int, pending: int, bookings: int) -> str:
    """Stored in the house's description: a house with the same fingerprint is already seeded."""
    return (
        f"Benchmarkgegevens (bench.seed v{VERSION}; seed={seed} fraction={fraction:g} "
        f"members={members} pending={pending} bookings={bookings})"
    )


# --- the command -----------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Seed one pilot year of benchmark data.")
    parser.add_argument("--scale", type=int, default=1, help="2*N houses with a pilot year each")
    parser.add_argument("--houses", type=int, default=None, help="number of houses (default: 2 x scale)")
    parser.add_argument("--fraction", type=float, default=1.0, help="multiplies the rows per house")
    parser.add_argument("--members", type=int, default=None, help="members per house (default 400 x F)")
    parser.add_argument("--pending", type=int, default=None, help="pending requests per house (30 x F)")
    parser.add_argument("--bookings", type=int, default=None, help="bookings per house (750 x F)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    opts = parser.parse_args(argv)
    if opts.fraction <= 0:
        parser.error("--fraction must be above 0")

    from bench import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    houses = opts.houses if opts.houses is not None else 2 * opts.scale
    created = seed(
        houses=houses,
        fraction=opts.fraction,
        members=opts.members,
        pending=opts.pending,
        bookings=opts.bookings,
        seed=opts.seed,
        today=opts.today,
        progress=None if opts.quiet else print,
    )
    if created:
        with connection.cursor() as cursor:
            # Fresh statistics, or the planner guesses; and the visibility map autovacuum would set
            # later (index-only scans), so timings right after seeding are those of a settled database.
            cursor.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - began
    if created:
        rows = ", ".join(f"{n} {what}" for what, n in sorted(created.items()))
        print(f"{houses} houses; new rows: {rows}")
        print(f"seeded in {elapsed:.1f} s")
    else:
        print(f"{houses} houses already seeded with these options; nothing added ({elapsed:.1f} s).")


def seed(
    *,
    houses: int,
    fraction: float = 1.0,
    members: int | None = None,
    pending: int | None = None,
    bookings: int | None = None,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress=None,
) -> Counter[str]:
    """Seed houses bench-0 ... bench-<houses-1>; returns the rows made per kind (empty: all there)."""
    from django.db import transaction
    from django.utils import timezone

    from residents.models import House, Organisation

    members = quota("members", fraction) if members is None else members
    pending = round(PER_HOUSE["pending"] * fraction) if pending is None else pending
    bookings = quota("bookings", fraction) if bookings is None else bookings
    mark = fingerprint(seed=seed, fraction=fraction, members=members, pending=pending, bookings=bookings)
    today = today or timezone.localdate()
    done = dict(
        House.objects.filter(slug__in=[f"bench-{h}" for h in range(houses)]).values_list(
            "slug", "description"
        )
    )
    todo = [h for h in range(houses) if done.get(f"bench-{h}") != mark]
    created: Counter[str] = Counter()
    if not todo:
        return created
    owner, _ = Organisation.objects.get_or_create(
        name="Bench Wonen", defaults={"kind": Organisation.Kind.CORPORATION}
    )
    partner, _ = Organisation.objects.get_or_create(
        name="Bench Welzijn", defaults={"kind": Organisation.Kind.WELFARE}
    )
    began = time.perf_counter()
    for n, h in enumerate(todo, 1):
        with transaction.atomic():
            HouseSeeder(
                h,
                seed=seed,
                fraction=fraction,
                members=members,
                pending=pending,
                bookings=bookings,
                today=today,
                owner=owner,
                partner=partner,
                mark=mark,
                created=created,
            ).run()
        if progress and (n == len(todo) or n % 10 == 0):
            progress(f"  {n}/{len(todo)} houses seeded ({time.perf_counter() - began:.0f} s)")
    return created


def wipe_house(house) -> None:
    """Remove a bench house and everything in it (its people stay, and are used again)."""
    from activities.models import Activity, ActivitySeries, Booking

    # Activities and series hold their bookings and rooms (PROTECT): they go first.
    Activity.objects.filter(house=house).delete()
    ActivitySeries.objects.filter(house=house).delete()
    Booking.objects.filter(room__house=house).delete()
    house.delete()


# --- one house -------------------------------------------------------------------------------


class HouseSeeder:
    """Makes one house's pilot year. All randomness comes from one generator per house."""

    def __init__(
        self,
        h: int,
        *,
        seed: int,
        fraction: float,
        members: int,
        pending: int,
        bookings: int,
        today: dt.date,
        owner,
        partner,
        mark: str,
        created: Counter[str],
    ) -> None:
        from activities.timeutil import local_zone

        self.h = h
        self.rng = random.Random(f"{seed}-{h}")
        self.fraction = fraction
        self.n_members = members
        self.n_pending = pending
        self.n_bookings = bookings
        self.owner, self.partner, self.mark, self.created = owner, partner, mark, created
        self.zone = local_zone()
        self.today = today
        self.pilot_start = today - dt.timedelta(days=PILOT_DAYS_BEFORE)
        self.pilot_end = self.pilot_start + dt.timedelta(days=PILOT_LENGTH - 1)
        # "Now" is the start of today: deterministic for the day, and everything before is past.
        self.now = self.at(PILOT_DAYS_BEFORE, 0)
        self.days_past = PILOT_DAYS_BEFORE

    # helpers
    def at(self, day: int, minute: int) -> dt.datetime:
        """Local time `minute` minutes after midnight on pilot day `day` (0 = pilot_start)."""
        date = self.pilot_start + dt.timedelta(days=day)
        return dt.datetime.combine(date, dt.time(), tzinfo=self.zone) + dt.timedelta(minutes=minute)

    def bulk(self, model, rows: list, label: str) -> list:
        made = model.objects.bulk_create(rows, batch_size=BATCH)
        self.created[label] += len(rows)
        return made

    def pick(self, pool: list[int], joined: list[dt.datetime], before: dt.datetime, k: int) -> list[int]:
        """k distinct people of `pool` (sorted by joining) who had joined before `before`."""
        n = bisect.bisect_left(joined, before)
        return [pool[i] for i in self.rng.sample(range(n), min(k, n))]

    def run(self) -> None:
        from residents.models import House

        old = House.objects.filter(slug=f"bench-{self.h}").first()
        if old is not None:
            wipe_house(old)
        self.house()
        self.people()
        self.rooms()
        self.activities()
        self.bookings()
        self.signups()
        self.duties_and_hours()
        self.ideas()
        self.polls()
        self.posts()
        self.koffiekrant()
        self.targets_and_stories()
        # Last: only a completely seeded house carries the mark.
        House.objects.filter(pk=self.house_obj.pk).update(description=self.mark)

    # --- the house and its people ------------------------------------------------------------
    def house(self) -> None:
        from residents.models import House, OpeningHours

        rng = self.rng
        self.house_obj = House.objects.create(
            slug=f"bench-{self.h}",
            name=f"Bench huis {self.h}",
            street=f"Benchstraat {self.h}",
            postcode="1234 AB",
            city="Benchdorp",
            district=rng.choice(["Noord", "Oost", "Zuid", "West"]),
            owner=self.owner,
            pilot_start=self.pilot_start,
            pilot_end=self.pilot_end,
            households_in_area=rng.randrange(800, 3000, 10),
        )
        self.house_obj.partners.add(self.partner)
        self.created["houses"] += 1
        self.bulk(
            OpeningHours,
            [
                OpeningHours(house=self.house_obj, weekday=d, opens=dt.time(9, 30), closes=dt.time(12))
                for d in range(5)
            ]
            + [OpeningHours(house=self.house_obj, weekday=3, opens=dt.time(16), closes=dt.time(18, 30))],
            "opening hours",
        )

    def people(self) -> None:
        from residents.models import Membership, Role, User

        rng, h = self.rng, self.h
        n_declined = round(self.n_members * 0.02)
        n_users = self.n_pending + n_declined + self.n_members
        emails = [f"bench-{h}-{i}@example.invalid" for i in range(n_users)]
        emails += [f"bench-{h}-staff@example.invalid", f"bench-{h}-coordinator@example.invalid"]
        # Who joined when: a tenth before the pilot, the rest during it, more in the first months.
        joins: list[dt.datetime] = []
        for i in range(n_users):
            if i < self.n_pending:
                day = self.days_past - rng.randint(1, 21)
            elif rng.random() < 0.1 or i < self.n_pending + n_declined + 10:
                day = -rng.randint(1, 120)
            else:
                day = int(self.days_past * rng.random() ** 1.6)
            joins.append(self.at(day, rng.randint(8 * 60, 21 * 60)))
        founders = self.at(-150, 10 * 60)
        users = [
            User(
                email=email,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                password="!",
                language="en" if rng.random() < 0.1 else "nl",
                date_joined=joins[i] if i < n_users else founders,
            )
            for i, email in enumerate(emails)
        ]
        # People of a house seeded before (with other options) are used again.
        ids = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
        new = [u for u in users if u.email not in ids]
        User.objects.bulk_create(new, batch_size=BATCH)
        ids.update((u.email, u.pk) for u in new)
        self.created["users"] += len(new)
        self.staff = ids[emails[-2]]
        self.coordinator = ids[emails[-1]]
        user_ids = [ids[e] for e in emails[:n_users]]

        n_students = rng.choice([2, 3])
        rows = [
            Membership(
                user_id=self.staff,
                house=self.house_obj,
                role=Role.STAFF,
                status=Membership.Status.ACTIVE,
                requested_at=founders,
                decided_at=founders,
            ),
            Membership(
                user_id=self.coordinator,
                house=self.house_obj,
                role=Role.COORDINATOR,
                status=Membership.Status.ACTIVE,
                organisation=self.partner,
                requested_at=founders,
                decided_at=founders,
                decided_by_id=self.staff,
            ),
        ]
        members: list[tuple[dt.datetime, int]] = []
        self.students: list[int] = []
        for i, uid in enumerate(user_ids):
            joined = joins[i]
            requested = joined - dt.timedelta(hours=rng.randint(1, 96))
            if i < self.n_pending:
                status, decided = Membership.Status.PENDING, None
                requested = joined
            elif i < self.n_pending + n_declined:
                status, decided = Membership.Status.DECLINED, joined
            elif i >= n_users - n_students:
                status, decided = Membership.Status.ACTIVE, joined
                self.students.append(uid)
            else:
                status, decided = Membership.Status.ACTIVE, joined
                if rng.random() < 0.04:
                    status = Membership.Status.ENDED  # moved away
                else:
                    members.append((joined, uid))
            rows.append(
                Membership(
                    user_id=uid,
                    house=self.house_obj,
                    role=Role.STUDENT if uid in self.students else Role.RESIDENT,
                    status=status,
                    requested_at=requested,
                    decided_at=decided,
                    decided_by_id=self.staff if decided else None,
                    motivation="Ik woon om de hoek." if rng.random() < 0.3 else "",
                )
            )
        self.bulk(Membership, rows, "memberships")
        # Not every member takes part: pools of the ones who sign up, and who book, by joining time.
        members.sort()
        self.members = [uid for _, uid in members]
        self.joined = [j for j, _ in members]
        part = [(j, u) for j, u in members if rng.random() < 0.6] or members
        self.participants, self.participants_joined = [u for _, u in part], [j for j, _ in part]
        book = [(j, u) for j, u in members if rng.random() < 0.3] or members
        self.bookers, self.bookers_joined = [u for _, u in book], [j for j, _ in book]
        self.planners = [*self.students, self.coordinator]

    # --- rooms and the programme ---------------------------------------------------------------
    def rooms(self) -> None:
        from activities.models import Room, RoomHours

        extra = max(0, math.ceil((self.n_bookings - 1000) / (SLOTS_PER_ROOM * 0.6)))
        rooms = [
            Room(house=self.house_obj, name="Huiskamer", capacity=20, buffer_minutes=15),
            *(
                Room(
                    house=self.house_obj,
                    name=f"Zaal {r}",
                    capacity=30,
                    buffer_minutes=15,
                    needs_approval=True,
                )
                for r in range(1, 2 + extra)
            ),
        ]
        self.room_objs = self.bulk(Room, rooms, "rooms")
        self.bulk(
            RoomHours,
            [
                RoomHours(room=room, weekday=d, opens=dt.time(9), closes=dt.time(22))
                for room in self.room_objs
                for d in range(7)
            ],
            "room hours",
        )
        # (room index, day, slot) taken by a live booking
        self.taken: set[tuple[int, int, int]] = set()
        self.booking_rows: list = []

    def booking(self, room_i: int, day: int, slot: int, start_min: int, minutes: int, **fields):
        from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

        from activities.models import Booking

        room = self.room_objs[room_i]
        start = self.at(day, start_min)
        end = start + dt.timedelta(minutes=minutes)
        self.taken.add((room_i, day, slot))
        row = Booking(
            room=room,
            period=DateTimeTZRange(start, end),
            blocked=DateTimeTZRange(start, end + room.buffer),
            rules_version=room.rules_version,
            **fields,
        )
        self.booking_rows.append(row)
        return row

    def activities(self) -> None:
        from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

        from activities.models import Activity, ActivitySeries, Booking

        rng = self.rng
        # Every date the full programme would have, then a sample of the wanted size.
        dates: list[tuple[int, int, Kind, int | None]] = []  # (day, slot, kind, series index)
        first_weekday = self.pilot_start.weekday()
        for s, (kind, weekday, slot, every) in enumerate(SERIES):
            first = (weekday - first_weekday) % 7
            dates += [(d, slot, kind, s) for d in range(first, PILOT_LENGTH, 7 * every)]
        wanted = quota("activities", self.fraction)
        used = {(kind.room, d, slot) for d, slot, kind, _ in dates if kind.room is not None}
        placed = {(d, slot) for d, slot, _, _ in dates}
        while len(dates) < max(PER_HOUSE["activities"], wanted):
            kind = rng.choice(ONE_OFF)
            d, slot = rng.randrange(PILOT_LENGTH), rng.randrange(len(SLOTS))
            if (d, slot) in placed or (kind.room, d, slot) in used:
                continue
            placed.add((d, slot))
            if kind.room is not None:
                used.add((kind.room, d, slot))
            dates.append((d, slot, kind, None))
        dates = sorted(rng.sample(dates, min(wanted, len(dates))), key=lambda x: (x[0], x[1]))

        series_rows = []
        for kind, weekday, slot, every in SERIES:
            series_rows.append(
                ActivitySeries(
                    house=self.house_obj,
                    frequency="weekly" if every == 1 else "biweekly",
                    first_day=self.pilot_start + dt.timedelta(days=(weekday - first_weekday) % 7),
                    last_day=self.pilot_end,
                    start_time=dt.time(SLOTS[slot][0] // 60, SLOTS[slot][0] % 60),
                    end_time=(
                        dt.datetime.combine(self.pilot_start, dt.time())
                        + dt.timedelta(minutes=SLOTS[slot][0] + kind.minutes)
                    ).time(),
                    room=self.room_objs[kind.room] if kind.room is not None else None,
                    place=kind.place,
                    title=kind.title,
                    category=kind.category,
                    capacity=kind.capacity,
                    signup_required=kind.signup,
                    created_by_id=self.coordinator,
                    created_at=self.at(-rng.randint(7, 30), 10 * 60),
                )
            )
        series = self.bulk(ActivitySeries, series_rows, "activity series")

        self.activity_info: list[tuple] = []  # (activity, kind, day, slot, organiser)
        acts, bookings = [], []
        for d, slot, kind, s in dates:
            start_min = SLOTS[slot][0]
            start = self.at(d, start_min)
            end = start + dt.timedelta(minutes=kind.minutes)
            cancelled = rng.random() < 0.04
            past = end <= self.now
            organiser = rng.choice(self.planners)
            created_at = min(self.now, start - dt.timedelta(days=rng.randint(7, 40)))
            booking = None
            if kind.room is not None:
                booking = self.booking(
                    kind.room,
                    d,
                    slot,
                    start_min,
                    kind.minutes,
                    booker_id=organiser,
                    created_by_id=organiser,
                    category=Booking.Category.ACTIVITY,
                    title=kind.title,
                    attendees=min(kind.capacity or 20, self.room_objs[kind.room].capacity),
                    is_public=True,
                    status=Booking.Status.CANCELLED if cancelled else Booking.Status.CONFIRMED,
                    cancelled_at=start - dt.timedelta(days=2) if cancelled else None,
                    cancelled_by_id=organiser if cancelled else None,
                    took_place=True if past and not cancelled else None,
                    created_at=created_at,
                )
                bookings.append(booking)
            recorded = past and not cancelled and rng.random() < 0.92
            acts.append(
                Activity(
                    house=self.house_obj,
                    series=series[s] if s is not None else None,
                    place=kind.place,
                    period=DateTimeTZRange(start, end),
                    title=kind.title,
                    description=f"{kind.title} in {self.house_obj.name}. Iedereen is welkom.",
                    category=kind.category,
                    capacity=kind.capacity,
                    signup_required=kind.signup,
                    partner=self.partner if kind.category == "advice" else None,
                    status=Activity.Status.CANCELLED if cancelled else Activity.Status.PLANNED,
                    cancel_reason="Te weinig begeleiding" if cancelled else "",
                    walk_ins=rng.randint(*kind.walk_ins) if recorded else None,
                    attendance_recorded_at=end + dt.timedelta(hours=rng.randint(1, 48)) if recorded else None,
                    attendance_recorded_by_id=organiser if recorded else None,
                    created_by_id=organiser,
                    created_at=created_at,
                )
            )
            self.activity_info.append((kind, d, slot, organiser, booking, recorded))
        self.bulk(Booking, bookings, "bookings")
        for act, (_, _, _, _, booking, _) in zip(acts, self.activity_info, strict=True):
            act.booking = booking
        self.activity_objs = self.bulk(Activity, acts, "activities")
        through = Activity.organisers.through
        self.bulk(
            through,
            [
                through(activity_id=a.pk, user_id=info[3])
                for a, info in zip(self.activity_objs, self.activity_info, strict=True)
            ],
            "organisers",
        )

    def bookings(self) -> None:
        """Residents' own bookings in the free slots of the rooms, most in the living room."""
        from activities.models import Booking

        rng = self.rng
        wanted = max(0, self.n_bookings - len(self.booking_rows))
        free = [
            (r, d, s)
            for r in range(len(self.room_objs))
            for d in range(PILOT_LENGTH)
            for s in range(len(SLOTS))
            if (r, d, s) not in self.taken
        ]
        # The living room is the popular one: weight its slots twice.
        weighted = [x for x in free if x[0] == 0]
        chosen: set[tuple[int, int, int]] = set()
        sample_from = weighted * 2 + [x for x in free if x[0] != 0]
        while len(chosen) < min(wanted, len(free)):
            chosen.add(rng.choice(sample_from))
        rows = []
        for r, d, s in sorted(chosen):
            room = self.room_objs[r]
            minutes = rng.choice([60, 90, 90, 120, 120, 150])
            start_min = SLOTS[s][0] + rng.randrange(0, SLOTS[s][1] - SLOTS[s][0] - minutes + 1, 15)
            start = self.at(d, start_min)
            end = start + dt.timedelta(minutes=minutes)
            past = end <= self.now
            created_at = min(self.now - dt.timedelta(hours=1), start - dt.timedelta(days=rng.randint(1, 45)))
            booker = self.pick(self.bookers, self.bookers_joined, created_at, 1)
            booker = booker[0] if booker else self.coordinator
            roll = rng.random()
            status = Booking.Status.CONFIRMED
            if roll < 0.07:
                status = Booking.Status.CANCELLED
            elif room.needs_approval and roll < 0.11:
                status = Booking.Status.DECLINED
            elif room.needs_approval and not past and roll < 0.4:
                status = Booking.Status.REQUESTED
            decided = room.needs_approval and status in (Booking.Status.CONFIRMED, Booking.Status.DECLINED)
            took_place = None
            if past and status == Booking.Status.CONFIRMED:
                took_place = rng.choices([True, False, None], [88, 7, 5])[0]
            category, title = rng.choice(BOOKING_TITLES)
            rows.append(
                self.booking(
                    r,
                    d,
                    s,
                    start_min,
                    minutes,
                    booker_id=booker,
                    created_by_id=booker if rng.random() < 0.9 else self.coordinator,
                    category=category,
                    title=title,
                    attendees=rng.randint(2, room.capacity),
                    is_public=rng.random() < 0.5,
                    status=status,
                    decided_by_id=self.coordinator if decided else None,
                    decided_at=created_at + dt.timedelta(hours=rng.randint(2, 48)) if decided else None,
                    decision_reason="De zaal is die dag nodig voor onderhoud."
                    if status == Booking.Status.DECLINED
                    else "",
                    cancelled_by_id=booker if status == Booking.Status.CANCELLED else None,
                    cancelled_at=min(start, self.now) - dt.timedelta(days=1)
                    if status == Booking.Status.CANCELLED
                    else None,
                    cancel_reason="Gaat niet door." if status == Booking.Status.CANCELLED else "",
                    took_place=took_place,
                    created_at=created_at,
                )
            )
        self.bulk(Booking, rows, "bookings")

    def signups(self) -> None:
        """Sign-ups for the activities that need them: a waiting list beyond the capacity,
        and attendance for past activities where the organiser recorded it."""
        from activities.models import Signup

        rng = self.rng
        wanted = quota("signups", self.fraction)
        weights = [
            (kind.popularity * rng.uniform(0.6, 1.4) if kind.signup else 0.0)
            for kind, *_ in self.activity_info
        ]
        total = sum(weights) or 1.0
        rows = []
        for act, (kind, _, _, _, _, recorded), weight in zip(
            self.activity_objs, self.activity_info, weights, strict=True
        ):
            if not weight:
                continue
            start = act.period.lower
            people = self.pick(
                self.participants, self.participants_joined, start, round(wanted * weight / total)
            )
            # Who asked first stands first: sign-up moments in order.
            moments = sorted(
                start - dt.timedelta(minutes=rng.randint(60, 14 * 24 * 60)) for _ in range(len(people))
            )
            confirmed = 0
            for person, moment in zip(people, moments, strict=True):
                moment = min(moment, self.now - dt.timedelta(minutes=1))
                if rng.random() < 0.07:
                    status = Signup.Status.CANCELLED
                elif kind.capacity is None or confirmed < kind.capacity:
                    status = Signup.Status.CONFIRMED
                    confirmed += 1
                else:
                    status = Signup.Status.WAITING
                attended = None
                if recorded and status == Signup.Status.CONFIRMED:
                    attended = rng.random() < 0.75
                rows.append(
                    Signup(
                        activity=act,
                        person_id=person,
                        status=status,
                        created_at=moment,
                        entered_by_id=self.coordinator if rng.random() < 0.1 else None,
                        cancelled_at=moment + (min(start, self.now) - moment) * rng.random()
                        if status == Signup.Status.CANCELLED
                        else None,
                        attended=attended,
                    )
                )
        self.n_signups = len(rows)
        self.bulk(Signup, rows, "signups")

    # --- students ------------------------------------------------------------------------------
    def duties_and_hours(self) -> None:
        from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

        from duties.models import Duty, DutyAssignment, HourLog, Obligation

        rng = self.rng
        duties = self.bulk(
            Duty,
            [
                Duty(
                    house=self.house_obj,
                    title=title,
                    first_day=self.pilot_start + dt.timedelta(days=rng.randint(0, 30 if weekly else 250)),
                    weekly=weekly,
                    last_day=self.pilot_end if weekly else None,
                    expected_minutes=minutes,
                    created_by_id=self.coordinator,
                    created_at=self.at(0, 9 * 60),
                )
                for title, weekly, minutes in DUTIES
            ],
            "duties",
        )
        self.bulk(
            DutyAssignment,
            [
                DutyAssignment(duty=duty, student_id=self.students[i % len(self.students)])
                for i, duty in enumerate(duties)
            ],
            "duty assignments",
        )
        wanted = quota("hour_logs", self.fraction)
        per_student = [wanted // len(self.students)] * len(self.students)
        per_student[0] += wanted - sum(per_student)
        obligations, logs = [], []
        acts = list(zip(self.activity_objs, self.activity_info, strict=True))
        for student, count in zip(self.students, per_student, strict=True):
            used: set[tuple[int, int]] = set()
            mine = []  # (day, slot, start, end, activity, duty, what)
            # Their own past activities first (the log is the activity's time), at most 40%.
            for act, (kind, d, slot, organiser, _, recorded) in acts:
                if organiser == student and recorded and len(mine) < count * 0.4:
                    used.add((d, slot))
                    mine.append((act.period.lower, act.period.upper, act.pk, None, f"{kind.title} gedraaid"))
            free = [(d, s) for d in range(self.days_past) for s in range(len(SLOTS)) if (d, s) not in used]
            for d, s in rng.sample(free, min(len(free), count - len(mine))):
                minutes = rng.choice([30, 45, 45, 60, 60, 90, 120])
                start = self.at(
                    d, SLOTS[s][0] + rng.randrange(0, SLOTS[s][1] - SLOTS[s][0] - minutes + 1, 15)
                )
                duty = rng.choice(duties) if rng.random() < 0.3 else None
                what = duty.title if duty else rng.choice(LOG_WHAT)
                mine.append((start, start + dt.timedelta(minutes=minutes), None, duty, what))
            total_minutes = 0
            for start, end, activity_id, duty, what in sorted(mine, key=lambda x: x[0]):
                minutes = int((end - start).total_seconds() // 60)
                created_at = min(
                    self.now - dt.timedelta(minutes=5), end + dt.timedelta(hours=rng.randint(0, 72))
                )
                recent = (self.now - end) < dt.timedelta(days=14)
                if recent:
                    status = rng.choices(["submitted", "approved"], [60, 40])[0]
                else:
                    status = rng.choices(["approved", "returned", "withdrawn", "submitted"], [91, 3, 2, 4])[0]
                reviewed = status in ("approved", "returned")
                if status != "withdrawn":
                    total_minutes += minutes
                logs.append(
                    HourLog(
                        student_id=student,
                        house=self.house_obj,
                        period=DateTimeTZRange(start, end),
                        minutes=minutes,
                        what=what,
                        duty=duty,
                        activity_id=activity_id,
                        status=status,
                        reviewer_id=self.coordinator if reviewed else None,
                        reviewed_at=min(self.now, created_at + dt.timedelta(days=rng.randint(1, 6)))
                        if reviewed
                        else None,
                        return_reason="Wat heb je precies gedaan?" if status == "returned" else "",
                        created_at=created_at,
                    )
                )
            # The obligation for the year, set so some students are ahead and some behind.
            expected = total_minutes / 60 * PILOT_LENGTH / self.days_past
            obligations.append(
                Obligation(
                    student_id=student,
                    house=self.house_obj,
                    first_day=self.pilot_start,
                    last_day=self.pilot_end,
                    hours_required=min(2000, max(1, round(expected * rng.uniform(0.85, 1.2)))),
                    set_by_id=self.coordinator,
                    created_at=self.at(-14, 10 * 60),
                )
            )
        self.student_hours = sum(o.hours_required for o in obligations)
        self.bulk(Obligation, obligations, "obligations")
        self.bulk(HourLog, logs, "hour logs")

    # --- ideas and polls -----------------------------------------------------------------------
    def ideas(self) -> None:
        from activities.models import Activity, Idea, IdeaSupport

        rng = self.rng
        wanted = quota("ideas", self.fraction)
        one_offs = [
            (a.period.lower, a.pk)
            for a, (kind, *_) in zip(self.activity_objs, self.activity_info, strict=True)
            if kind in ONE_OFF and a.status == Activity.Status.PLANNED
        ]
        ideas, self.ideas_done = [], 0
        for _ in range(wanted):
            day = rng.randrange(self.days_past)
            created_at = self.at(day, rng.randint(9 * 60, 21 * 60))
            proposer = self.pick(self.participants, self.participants_joined, created_at, 1)
            if not proposer:
                continue
            age = self.days_past - day
            status = rng.choices(
                ["new", "looking", "planned", "done", "not_now"],
                [max(1, 60 - age), 20, 20 if age > 20 else 2, 40 if age > 60 else 1, 15],
            )[0]
            later = [pk for start, pk in one_offs if start > created_at]
            activity = rng.choice(later) if status in ("planned", "done") and later else None
            self.ideas_done += status == "done"
            ideas.append(
                Idea(
                    house=self.house_obj,
                    proposer_id=proposer[0],
                    entered_by_id=self.coordinator if rng.random() < 0.15 else None,
                    title=rng.choice(IDEAS),
                    description="Ik denk dat veel buren dit leuk vinden.",
                    status=status,
                    status_reason="Dit past nu niet in het programma." if status == "not_now" else "",
                    activity_id=activity,
                    created_at=created_at,
                )
            )
        ideas = self.bulk(Idea, ideas, "ideas")
        supports = []
        for idea in ideas:
            until = min(self.now, idea.created_at + dt.timedelta(days=60))
            people = self.pick(self.participants, self.participants_joined, until, rng.randint(2, 16))
            supports += [
                IdeaSupport(
                    idea=idea,
                    person_id=p,
                    created_at=idea.created_at + (until - idea.created_at) * rng.random(),
                )
                for p in people
                if p != idea.proposer_id
            ]
        self.bulk(IdeaSupport, supports, "idea supports")

    def polls(self) -> None:
        from activities.models import Poll, PollBallot, PollOption

        rng = self.rng
        polls, options = [], []
        for i in range(quota("polls", self.fraction)):
            question, answers = POLLS[i % len(POLLS)]
            day = rng.randrange(10, PILOT_DAYS_BEFORE + 20)
            created_at = self.at(day - rng.randint(10, 20), 10 * 60)
            polls.append(
                Poll(
                    house=self.house_obj,
                    question=question,
                    max_choices=rng.choice([1, 1, 1, 2]),
                    closes_at=self.at(day, 22 * 60),
                    created_by_id=self.coordinator,
                    created_at=created_at,
                )
            )
            options.append(answers)
        polls = self.bulk(Poll, polls, "polls")
        option_rows = [
            PollOption(poll=poll, text=text, position=k)
            for poll, answers in zip(polls, options, strict=True)
            for k, text in enumerate(answers)
        ]
        option_rows = self.bulk(PollOption, option_rows, "poll options")
        by_poll: dict[int, list[int]] = {}
        for o in option_rows:
            by_poll.setdefault(o.poll_id, []).append(o.pk)
        ballots = []
        for poll in polls:
            until = min(self.now, poll.closes_at)
            if until <= poll.created_at:
                continue
            people = self.pick(self.members, self.joined, until, rng.randint(15, 70))
            ballots += [
                PollBallot(
                    poll=poll,
                    person_id=p,
                    entered_by_id=self.coordinator if rng.random() < 0.1 else None,
                    created_at=poll.created_at + (until - poll.created_at) * rng.random(),
                )
                for p in people
            ]
        ballots = self.bulk(PollBallot, ballots, "poll ballots")
        through = PollBallot.options.through
        choices = []
        max_choices = {p.pk: p.max_choices for p in polls}
        for ballot in ballots:
            opts = by_poll[ballot.poll_id]
            k = rng.randint(1, min(max_choices[ballot.poll_id], len(opts)))
            # The first answers are the popular ones.
            picked = set()
            while len(picked) < k:
                picked.add(opts[min(len(opts) - 1, int(rng.expovariate(0.8)))])
            choices += [through(pollballot_id=ballot.pk, polloption_id=o) for o in picked]
        self.bulk(through, choices, "poll choices")

    # --- news, the koffiekrant, targets --------------------------------------------------------
    def posts(self) -> None:
        from news.content import render_markdown
        from news.models import Post

        rng = self.rng
        html = [render_markdown(body) for body in POST_BODIES]
        rows = []
        for _ in range(quota("posts", self.fraction)):
            day = rng.randrange(0, PILOT_DAYS_BEFORE + 14)
            publish_at = self.at(day, rng.randint(8 * 60, 20 * 60))
            draft = rng.random() < 0.08
            b = rng.randrange(len(POST_BODIES))
            rows.append(
                Post(
                    house=self.house_obj,
                    author_id=rng.choice([self.staff, self.staff, *self.students]),
                    title=rng.choice(POST_TITLES),
                    summary="Lees hier wat er speelt in en rond het huis.",
                    body=POST_BODIES[b],
                    body_html=html[b],
                    status=Post.Status.DRAFT if draft else Post.Status.PUBLISHED,
                    publish_at=publish_at,
                    pinned=rng.random() < 0.02,
                    audience=Post.Audience.MEMBERS if rng.random() < 0.3 else Post.Audience.PUBLIC,
                    created_at=min(publish_at, self.now) - dt.timedelta(hours=rng.randint(1, 72)),
                )
            )
        self.n_posts = sum(r.status == Post.Status.PUBLISHED for r in rows)
        self.bulk(Post, rows, "posts")

    def koffiekrant(self) -> None:
        from activities.timeutil import week_start
        from news.models import Issue

        rng = self.rng
        first, last = week_start(self.pilot_start), week_start(self.today) + dt.timedelta(days=7)
        weeks = [first + dt.timedelta(days=7 * k) for k in range((last - first).days // 7 + 1)]
        weeks = [w for w in weeks if rng.random() < 0.75]
        weeks = sorted(rng.sample(weeks, min(len(weeks), max(1, round(len(weeks) * min(1, self.fraction))))))
        rows = []
        for week in weeks:
            published = week <= self.today and rng.random() < 0.9
            at = dt.datetime.combine(week - dt.timedelta(days=2), dt.time(11), tzinfo=self.zone)
            rows.append(
                Issue(
                    house=self.house_obj,
                    week_start=week,
                    students_word="Deze week staat de koffie weer klaar. Tot dinsdag!",
                    status=Issue.Status.PUBLISHED if published else Issue.Status.DRAFT,
                    published_at=at if published else None,
                    published_by_id=self.staff if published else None,
                    updated_by_id=rng.choice(self.students),
                )
            )
        self.bulk(Issue, rows, "koffiekrant issues")

    def targets_and_stories(self) -> None:
        from summary.models import Quote, Story, Target, TargetFigure

        rng = self.rng
        held = sum(1 for a in self.activity_objs if a.status == "planned")
        signed = self.n_signups
        walk_ins = sum(k.walk_ins[0] + k.walk_ins[1] for k, *_ in self.activity_info) / 2
        room_hours = sum(
            (b.period.upper - b.period.lower).total_seconds() / 3600
            for b in self.booking_rows
            if b.status == "confirmed"
        )
        expected = {
            TargetFigure.ACTIVITIES_HELD: held,
            TargetFigure.VISITS: 0.75 * signed + walk_ins,
            TargetFigure.REACH: 0.8 * len(self.participants),
            TargetFigure.NEW_MEMBERS: 0.9 * len(self.members) * PILOT_LENGTH / PILOT_DAYS_BEFORE,
            TargetFigure.ROOM_HOURS: room_hours,
            TargetFigure.STUDENT_HOURS: self.student_hours,
            TargetFigure.IDEAS_DONE: self.ideas_done * PILOT_LENGTH / PILOT_DAYS_BEFORE,
            TargetFigure.NEWS_POSTS: self.n_posts,
        }
        self.bulk(
            Target,
            [
                Target(
                    house=self.house_obj,
                    figure=figure,
                    value=max(1, round(expected[figure] * rng.uniform(0.85, 1.2))),
                    updated_by_id=self.staff,
                )
                for figure in TargetFigure.values
            ],
            "targets",
        )
        stories = []
        for q in range(PILOT_DAYS_BEFORE // 91):
            first = self.pilot_start + dt.timedelta(days=91 * q)
            stories.append(
                Story(
                    house=self.house_obj,
                    first_day=first,
                    last_day=first + dt.timedelta(days=90),
                    title=f"Kwartaal {q + 1}: wat we zagen",
                    text="Steeds meer buren weten de huiskamer te vinden. De koffieochtend is vol; "
                    "het taalcafé groeit. We willen meer doen voor ouderen die niet zelf komen.",
                    created_by_id=self.staff,
                    created_at=self.at(91 * (q + 1), 10 * 60),
                )
            )
        stories = self.bulk(Story, stories, "stories")
        self.bulk(
            Quote,
            [
                Quote(story=story, text=text, said_by=who, position=k)
                for story in stories
                for k, (text, who) in enumerate(rng.sample(QUOTES, 2))
            ],
            "quotes",
        )


if __name__ == "__main__":
    main()
