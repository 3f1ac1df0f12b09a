"""A small, hand-built pilot month for the summary tests: every number in the tests is counted here.

House w4, pilot 1 January to 31 December 2025, 100 households; "now" is 1 July 2025, 12:00; the
period is June 2025 and the one before May 2025. The docstring of each block says what it adds up to.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from activities.models import Activity, Idea, IdeaSupport, Poll, PollBallot, Signup
from duties.models import HourLog, Obligation
from news.models import Issue, Post
from residents.models import Membership
from summary.periods import month_of
from tests.activities.factories import at, make_booking, make_room
from tests.factories import make_user

NOW = at(dt.date(2025, 7, 1), "12:00")
JUNE = month_of(dt.date(2025, 6, 1))
D = dt.date


def activity(house, day, category="coffee", *, status="planned", walk_ins=None, recorded=False, **extra):
    return Activity.objects.create(
        house=house,
        title=f"{category} {day}",
        category=category,
        place="Het plein",
        period=DateTimeTZRange(at(day, "10:00"), at(day, "12:00")),
        status=status,
        walk_ins=walk_ins,
        attendance_recorded_at=NOW if recorded else None,
        **extra,
    )


def people(prefix: str, n: int, house=None, role=None, **membership):
    users = [make_user(f"{prefix}{i}@example.nl", f"{prefix.title()} {i}") for i in range(1, n + 1)]
    if house is not None:
        for user in users:
            Membership.objects.create(user=user, house=house, role=role, status="active", **membership)
    return users


@pytest.fixture
def at_now(monkeypatch):
    """The summary's "now" is 1 July 2025, 12:00 (half a year into the pilot of 2025)."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


def set_pilot(house):
    house.pilot_start, house.pilot_end, house.households_in_area = D(2025, 1, 1), D(2025, 12, 31), 100
    house.save()
    return house


@pytest.fixture
def pilot_house(house):
    return set_pilot(house)


@pytest.fixture
def june(house, other_house):
    return make_june(house, other_house)


def make_june(house, other_house) -> dict:
    """The data of June 2025 (and a bit of May) in w4, and noise in the other house.

    Living room (open 8-23 every day; closed 10-11 June): June 420 bookable hours, May 465.
      June: booked 9 h (2 + 3 no-show + 2 of a booking into July + 2 of an activity), took place 4 h,
      no-show 3 h, 4 bookings (birthday, meeting, club, activity). May: 2 h booked and held, 1 booking.
    Activities: June 2 held (coffee with 6 walk-ins and attendance recorded, sport), one cancelled,
      one in July. Sign-ups June: 7 confirmed (one a coordinator's), 5 came; May: 1 held, 4 signed up
      and came, 3 walk-ins.
    Reach June: p1-p6 (signed up), b (booked), p8, p9 (sport), p10 (ideas) = 10; May: c + q1-q4 = 5.
    New members June: 2. Members now (residents and students): p1-p3, n1, n2 and the student s = 6.
    Student hours June: 4.5 h approved; obligation 96 h over 2025.
    Ideas June: 2 (one planned, one done). Polls: one closed on 20 June with 3 votes.
    News June: 2 posts; koffiekrant: 2 published weeks.
    """
    set_pilot(house)
    room = make_room(house)
    room.closures.create(first_day=D(2025, 6, 10), last_day=D(2025, 6, 11), reason="Schilderen")
    p = people("p", 10)
    for user in p[:3]:
        Membership.objects.create(user=user, house=house, role="resident", status="active")
    (b,) = people("b", 1)
    (c,) = people("c", 1)
    q = people("q", 4)
    (student,) = people("s", 1, house, "student")
    (coordinator,) = people("k", 1, house, "coordinator")
    people("n", 2, house, "resident", decided_at=at(D(2025, 6, 3), "09:00"))

    make_booking(room, p[0], at(D(2025, 6, 3), "14:00"), at(D(2025, 6, 3), "16:00"), took_place=True)
    make_booking(
        room, b, at(D(2025, 6, 5), "10:00"), at(D(2025, 6, 5), "13:00"), took_place=False, category="meeting"
    )
    make_booking(room, p[0], at(D(2025, 6, 30), "22:00"), at(D(2025, 7, 1), "01:00"), category="club")
    make_booking(room, c, at(D(2025, 5, 20), "10:00"), at(D(2025, 5, 20), "12:00"), took_place=True)
    make_booking(room, p[1], at(D(2025, 6, 12), "10:00"), at(D(2025, 6, 12), "12:00"), status="requested")
    make_booking(room, p[2], at(D(2025, 6, 15), "10:00"), at(D(2025, 6, 15), "12:00"), status="cancelled")

    coffee = activity(house, D(2025, 6, 10), walk_ins=6, recorded=True)
    coffee.booking = make_booking(
        room,
        student,
        at(D(2025, 6, 10), "10:00"),
        at(D(2025, 6, 10), "12:00"),
        took_place=True,
        category="activity",
    )
    coffee.save()
    for person in [*p[:6], coordinator]:
        Signup.objects.create(activity=coffee, person=person, status="confirmed", attended=person in p[:5])
    Signup.objects.create(activity=coffee, person=p[6], status="waiting")
    Signup.objects.create(activity=coffee, person=q[0], status="cancelled")
    sport = activity(house, D(2025, 6, 20), "sport")
    for person in p[7:9]:
        Signup.objects.create(activity=sport, person=person, status="confirmed")
    cancelled = activity(house, D(2025, 6, 25), status="cancelled")
    Signup.objects.create(activity=cancelled, person=p[6], status="confirmed")
    later = activity(house, D(2025, 7, 5))
    Signup.objects.create(activity=later, person=p[6], status="confirmed")
    may = activity(house, D(2025, 5, 15), walk_ins=3, recorded=True)
    for person in q:
        Signup.objects.create(activity=may, person=person, status="confirmed", attended=True)

    HourLog.objects.bulk_create(
        [
            HourLog(
                student=student,
                house=house,
                period=DateTimeTZRange(at(day, start), at(day, end)),
                minutes=minutes,
                what="Koffieochtend",
                status=status,
            )
            for day, start, end, minutes, status in [
                (D(2025, 6, 2), "09:00", "12:00", 180, "approved"),
                (D(2025, 6, 9), "09:00", "10:30", 90, "approved"),
                (D(2025, 6, 16), "09:00", "10:00", 60, "submitted"),
                (D(2025, 5, 5), "09:00", "10:00", 60, "approved"),
            ]
        ]
    )
    Obligation.objects.create(
        student=student, house=house, first_day=D(2025, 1, 1), last_day=D(2025, 12, 31), hours_required=96
    )

    planned = Idea.objects.create(
        house=house, proposer=p[9], title="Moestuin", status="planned", created_at=at(D(2025, 6, 4), "10:00")
    )
    Idea.objects.create(
        house=house, proposer=p[9], title="Boekenkast", status="done", created_at=at(D(2025, 6, 6), "10:00")
    )
    IdeaSupport.objects.create(idea=planned, person=p[0], created_at=at(D(2025, 6, 7), "10:00"))
    poll = Poll.objects.create(house=house, question="Welke dag?", closes_at=at(D(2025, 6, 20), "12:00"))
    for person in p[:3]:
        PollBallot.objects.create(poll=poll, person=person, created_at=at(D(2025, 6, 18), "12:00"))

    for title, status, when, target in [
        ("Nieuwe stoelen", "published", at(D(2025, 6, 2), "09:00"), house),
        ("Zomerfeest", "published", at(D(2025, 6, 20), "09:00"), house),
        ("Nog niet af", "draft", at(D(2025, 6, 21), "09:00"), house),
        ("Voor alle huizen", "published", at(D(2025, 6, 22), "09:00"), None),
        ("Later", "published", at(D(2025, 7, 10), "09:00"), house),
    ]:
        Post.objects.create(house=target, title=title, status=status, publish_at=when)
    for week, status in [
        (D(2025, 6, 2), "published"),
        (D(2025, 6, 9), "draft"),
        (D(2025, 6, 30), "published"),
    ]:
        Issue.objects.create(house=house, week_start=week, status=status)

    # Noise in the other house: never counted for w4.
    other_room = make_room(other_house)
    make_booking(other_room, b, at(D(2025, 6, 3), "14:00"), at(D(2025, 6, 3), "18:00"), took_place=True)
    activity(other_house, D(2025, 6, 10), walk_ins=40, recorded=True)
    return {"house": house, "room": room, "p": p, "student": student, "coordinator": coordinator}
