"""A fixed number of queries for the summary pages, whatever the number of houses and rows."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from activities.models import Activity, Booking, Idea, IdeaSupport, Poll, PollBallot, Signup
from care.models import Buddy, Match, Worry
from duties.models import HourLog, Obligation
from news.models import Issue, Post
from residents.models import Membership, User
from summary.models import Quote, Story, Target, TargetFigure
from tests.activities.factories import at, booking_values, make_room
from tests.factories import make_house
from tests.summary.test_views import url

pytestmark = pytest.mark.django_db

# The budget is the same at both sizes: that is the point. The first page after changes also
# counts what changed again (summary.stored.refresh: one query per kept family and a few more;
# since the kept reach per month, 4 more: switching summary_seen's trigger off and on around
# count_seen, and counting that reach again; since the running totals, 1 more: count_runs).
HOUSE_BUDGET = 28
ALL_BUDGET = 28
REFRESH = 16
START = dt.date(2025, 1, 6)


def fill(house, n: int, rng: random.Random) -> None:
    """About n bookings, n activities with 3n sign-ups, n hour logs and more in one house."""
    house.pilot_start, house.pilot_end, house.households_in_area = START, START + dt.timedelta(days=364), 500
    house.save()
    people = User.objects.bulk_create(
        User(email=f"{house.slug}-{i}@example.nl", name="Bewoner") for i in range(20)
    )
    Membership.objects.bulk_create(
        Membership(user=u, house=house, role="resident", status="active", decided_at=at(START, "10:00"))
        for u in people
    )
    room = make_room(house)
    room.closures.create(first_day=START, last_day=START, reason="Dicht")
    days = [START + dt.timedelta(days=d) for d in range(n)]
    Booking.objects.bulk_create(
        Booking(
            **booking_values(room, rng.choice(people), at(day, "14:00"), at(day, "16:00"), took_place=True)
        )
        for day in days
    )
    activities = Activity.objects.bulk_create(
        Activity(
            house=house,
            title="Koffie",
            category="coffee",
            place="Plein",
            period=DateTimeTZRange(at(day, "10:00"), at(day, "12:00")),
            walk_ins=rng.randint(0, 9),
            attendance_recorded_at=at(day, "13:00"),
        )
        for day in days
    )
    Signup.objects.bulk_create(
        Signup(activity=a, person=p, status="confirmed", attended=rng.random() < 0.8)
        for a in activities
        for p in rng.sample(people, 3)
    )
    student = people[0]
    Obligation.objects.create(
        student=student, house=house, first_day=START, last_day=house.pilot_end, hours_required=96
    )
    HourLog.objects.bulk_create(
        HourLog(
            student=student,
            house=house,
            period=DateTimeTZRange(at(day, "08:00"), at(day, "09:00")),
            minutes=60,
            what="Koffie",
            status="approved",
        )
        for day in days
    )
    ideas = Idea.objects.bulk_create(
        Idea(house=house, proposer=rng.choice(people), title=f"Idee {i}", created_at=at(days[i], "09:00"))
        for i in range(0, n, 5)
    )
    IdeaSupport.objects.bulk_create(IdeaSupport(idea=i, person=people[1]) for i in ideas)
    poll = Poll.objects.create(house=house, question="Welke dag?", closes_at=at(days[-1], "12:00"))
    PollBallot.objects.bulk_create(PollBallot(poll=poll, person=p) for p in people[:10])
    Post.objects.bulk_create(
        Post(house=house, title="Nieuws", status="published", publish_at=at(day, "09:00"))
        for day in days[::7]
    )
    Issue.objects.bulk_create(
        Issue(house=house, week_start=day - dt.timedelta(days=day.weekday()), status="published")
        for day in days[::7]
    )
    Target.objects.bulk_create(Target(house=house, figure=f, value=100) for f in TargetFigure.values)
    Worry.objects.bulk_create(
        Worry(
            house=house,
            channel="website",
            name="Buur",
            phone="0612345678",
            contact_by="phone",
            about="self",
            category="loneliness",
            created_at=at(day, "09:00"),
            first_contact_at=at(day, "15:00") if i % 2 else None,
        )
        for i, day in enumerate(days[::3])
    )
    asks = Buddy.objects.bulk_create(
        Buddy(house=house, person=p, side="ask", kinds=["talk"], languages="nl", available="di", phone="06")
        for p in people[2:8]
    )
    offers = Buddy.objects.bulk_create(
        Buddy(house=house, person=p, side="offer", kinds=["talk"], languages="nl", available="di", phone="06")
        for p in people[8:14]
    )
    Match.objects.bulk_create(
        Match(
            ask=a,
            offer=o,
            ask_answer="yes",
            offer_answer="yes",
            status="active",
            started_at=at(START, "12:00"),
        )
        for a, o in zip(asks, offers, strict=True)
    )
    for q in range(3):
        story = Story.objects.create(
            house=house,
            first_day=START,
            last_day=START + dt.timedelta(days=90),
            title=f"Verhaal {q}",
            text="Tekst",
        )
        Quote.objects.bulk_create(Quote(story=story, text="Mooi", position=i) for i in range(3))


def houses(n: int, rows: int):
    rng = random.Random(n)
    made = [make_house(f"h{i:02d}", f"Huis {i:02d}") for i in range(n)]
    for house in made:
        fill(house, rows, rng)
    return made


@pytest.mark.parametrize(("n", "rows"), [(2, 5), (12, 60)], ids=["small", "large"])
def test_the_summary_of_a_house_has_a_fixed_number_of_queries(
    n, rows, superuser, client_for, mfa_off, django_assert_max_num_queries
):
    made = houses(n, rows)
    client = client_for(superuser)
    with django_assert_max_num_queries(HOUSE_BUDGET + REFRESH):
        response = client.get(url("house", made[0]))
    assert response.status_code == 200
    with django_assert_max_num_queries(HOUSE_BUDGET):
        assert client.get(url("house", made[0], periode="maand", van="2025-02-01")).status_code == 200


@pytest.mark.parametrize(("n", "rows"), [(2, 5), (12, 60)], ids=["small", "large"])
def test_the_summary_of_all_houses_has_a_fixed_number_of_queries(
    n, rows, superuser, client_for, mfa_off, django_assert_max_num_queries
):
    houses(n, rows)
    client = client_for(superuser)
    with django_assert_max_num_queries(ALL_BUDGET + REFRESH):
        response = client.get(url("all"))
    assert response.status_code == 200
    assert f"{n} huizen" in response.content.decode()
    for name in ("all_csv", "all_print"):
        with django_assert_max_num_queries(ALL_BUDGET):
            assert client.get(url(name, sorteer="bereik", richting="af")).status_code == 200
