"""The demo's pilot year (wijkhuis.demo_history): W4 is active in every month of its pilot and grows,
attendance is recorded, enough residents take part, the summary has targets and stories, nothing is
double-booked, and seeding again adds nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from activities.models import Activity, Booking, Idea, IdeaSupport, Poll, Signup
from activities.timeutil import week_start
from duties.models import HourLog
from news.models import Issue, Post
from residents.models import House, Membership, Role, User
from summary.models import Quote, Story, Target, TargetFigure
from tests.test_demo_rooms import live_overlaps
from wijkhuis.demo import seed
from wijkhuis.demo_history import W4_NEIGHBOURS, WINGERD_NEIGHBOURS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed()
    return House.objects.get(slug="w4")


def held(house: House):
    """Activities that took place: planned (not cancelled) and over."""
    return Activity.objects.filter(
        house=house, status=Activity.Status.PLANNED, period__endswith__lte=timezone.now()
    )


def between(queryset, first: dt.date, last: dt.date):
    """Rows of an activity or booking queryset that start on a day in [first, last)."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last, dt.time(), tzinfo=zone)
    return queryset.filter(period__startswith__gte=start, period__startswith__lt=end)


def visits(activities) -> int:
    came = Signup.objects.filter(activity__in=activities, attended=True).count()
    return came + (activities.aggregate(n=Sum("walk_ins"))["n"] or 0)


def test_the_pilots_began_months_ago_with_the_households_of_their_area(demo):
    today = timezone.localdate()
    wingerd = House.objects.get(slug="buurtthuis")
    assert 325 <= (today - demo.pilot_start).days <= 345  # about eleven months
    assert 170 <= (today - wingerd.pilot_start).days <= 195  # about six months
    assert (demo.households_in_area, wingerd.households_in_area) == (420, 180)


def test_w4_is_active_every_month_of_its_pilot_and_grows(demo):
    today = timezone.localdate()
    start = demo.pilot_start
    # Every 30 days of the pilot so far (the Christmas closure included) something took place.
    month = 0
    while start + dt.timedelta(days=30 * (month + 1)) <= today:
        first = start + dt.timedelta(days=30 * month)
        assert between(held(demo), first, first + dt.timedelta(days=30)).count() >= 3, first
        month += 1
    assert month >= 10

    # The last full quarter before this week against the first quarter of the pilot.
    quarter = dt.timedelta(weeks=13)
    late_end = week_start(today)
    early = between(held(demo), start, start + quarter)
    late = between(held(demo), late_end - quarter, late_end)
    assert late.count() > 1.5 * early.count() > 0
    assert visits(late) > 2 * visits(early)
    bookings = Booking.objects.filter(room__house=demo, status=Booking.Status.CONFIRMED, took_place=True)
    assert between(bookings, late_end - quarter, late_end).count() > 1.5 * (
        between(bookings, start, start + quarter).count()
    )
    # Several kinds of activity, each month more than coffee alone.
    assert held(demo).values("category").distinct().count() >= 6

    # BuurtThuis Wingerd has a lighter history of its own.
    wingerd = House.objects.get(slug="buurtthuis")
    assert 20 <= held(wingerd).count() < held(demo).count() / 2


def test_past_activities_have_their_attendance_recorded(demo):
    for house in House.objects.filter(slug__in=["w4", "buurtthuis"]):
        activities = held(house)
        assert not activities.filter(Q(walk_ins=None) | Q(attendance_recorded_at=None)).exists()
        signups = Signup.objects.filter(activity__in=activities, status=Signup.Status.CONFIRMED)
        assert not signups.filter(attended=None).exists()
        came, stayed_away = signups.filter(attended=True).count(), signups.filter(attended=False).count()
        assert 0.75 < came / (came + stayed_away) < 0.97  # most came, a few did not
        assert activities.aggregate(n=Sum("walk_ins"))["n"] > 50  # and some came without signing up
    # Activities in the room hold its time with a booking; those elsewhere have a place.
    assert not held(demo).filter(booking=None, place="").exists()
    assert held(demo).filter(booking=None).exclude(place="").exists()
    # Sport in the park was called off now and then, with the reason and without attendance.
    rained_off = Activity.objects.filter(house=demo, status=Activity.Status.CANCELLED)
    assert rained_off.exists() and not rained_off.filter(cancel_reason="").exists()
    assert not rained_off.exclude(walk_ins=None).exists()
    # Residents' own bookings of the past: most took place, a few were no-shows.
    past = Booking.objects.filter(
        room__house=demo, status=Booking.Status.CONFIRMED, period__endswith__lt=timezone.now()
    )
    assert not past.filter(took_place=None).exists()
    assert 3 <= past.filter(took_place=False).count() < past.count() / 10


def test_at_least_fifty_residents_of_w4_took_part(demo):
    residents = Membership.objects.filter(house=demo, role=Role.RESIDENT).values("user")
    took_part = (
        set(Signup.objects.filter(activity__house=demo, status="confirmed").values_list("person", flat=True))
        | set(Booking.objects.filter(room__house=demo, status="confirmed").values_list("booker", flat=True))
        | set(Idea.objects.filter(house=demo).values_list("proposer", flat=True))
        | set(IdeaSupport.objects.filter(idea__house=demo).values_list("person", flat=True))
    )
    assert len(took_part & set(residents.values_list("user", flat=True))) >= 50

    # The neighbours joined over the year, verified by staff; some were registered at the desk.
    joined = Membership.objects.filter(
        house=demo,
        role=Role.RESIDENT,
        status=Membership.Status.ACTIVE,
        user__name__in=[n.name for n in W4_NEIGHBOURS],
    )
    assert 60 <= joined.count() <= 80
    months = {timezone.localtime(m.decided_at).strftime("%Y-%m") for m in joined}
    assert len(months) >= 10
    assert not joined.filter(decided_by=None).exists()
    on_paper = User.objects.filter(name__in=[n.name for n in W4_NEIGHBOURS], email=None)
    assert on_paper.count() >= 5 and not on_paper.filter(registered_by=None).exists()
    for email in (
        User.objects.filter(name__in=[n.name for n in W4_NEIGHBOURS + WINGERD_NEIGHBOURS])
        .exclude(email=None)
        .values_list("email", flat=True)
    ):
        assert re.fullmatch(r"[a-z]+\.[a-z]+@example\.nl", email), email


def test_nothing_is_double_booked_or_logged_twice(demo):
    assert live_overlaps() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM duties_hourlog a JOIN duties_hourlog b
              ON a.student_id = b.student_id AND a.id < b.id AND a.period && b.period
            WHERE a.status <> 'withdrawn' AND b.status <> 'withdrawn'
            """
        )
        assert cursor.fetchone()[0] == 0
    # The students logged hours every month of the pilot, approved, against their obligation.
    logs = HourLog.objects.filter(house=demo, status=HourLog.Status.APPROVED)
    months = {
        timezone.localtime(lower).strftime("%Y-%m")
        for lower in logs.values_list("period__startswith", flat=True)
    }
    assert len(months) >= 11
    hours = logs.aggregate(m=Sum("minutes"))["m"] / 60
    assert 120 < hours < 192  # two students, 96 hours each over the year: about on track


def test_the_summary_has_targets_stories_ideas_polls_and_news(demo):
    targets = dict(Target.objects.filter(house=demo).values_list("figure", "value"))
    assert set(targets) == set(TargetFigure.values)
    stories = list(Story.objects.filter(house=demo).annotate(n=Count("quotes")).order_by("first_day"))
    assert len(stories) == 2 and stories[0].title == "De eerste maanden"
    for story in stories:
        assert 2 <= story.n <= 3
        assert demo.pilot_start <= story.first_day <= story.last_day <= timezone.localdate()
    names = {part for n in W4_NEIGHBOURS for part in n.name.split() if part[0].isupper()}
    for said_by in Quote.objects.filter(story__house=demo).values_list("said_by", flat=True):
        assert said_by and not names & set(said_by.replace(",", " ").split()), said_by

    ideas = Idea.objects.filter(house=demo)
    assert ideas.filter(status=Idea.Status.DONE).count() >= 3
    assert ideas.filter(status=Idea.Status.DONE).exclude(activity=None).exists()
    closed = Poll.objects.filter(house=demo, closes_at__lt=timezone.now()).annotate(n=Count("ballots"))
    assert len([p for p in closed if p.n >= 8]) >= 2

    published = Issue.objects.filter(house=demo, status=Issue.Status.PUBLISHED)
    assert published.count() >= 30
    assert not published.filter(published_at=None).exists()
    assert published.order_by("-week_start").first().pdf  # the latest ones through the service
    older = Post.objects.published().filter(house=demo, publish_at__lt=timezone.now() - dt.timedelta(days=60))
    assert older.count() >= 10 and not older.filter(images__isnull=False).exists()


HISTORY = [User, Membership, Activity, Booking, Signup, Idea, IdeaSupport, Poll, Post, Target, Story, Quote]


def counts() -> dict[str, int]:
    rows = {m.__name__: m.objects.count() for m in HISTORY}
    rows["published issues"] = Issue.objects.filter(status=Issue.Status.PUBLISHED).count()
    return rows


def test_seeding_again_adds_nothing_now_or_a_week_later(demo, monkeypatch):
    before = counts()
    assert seed() == {}
    assert counts() == before

    # A week later the demo's own steps add a little (the duties' fortnightly hours, this week's
    # koffiekrant draft); the history plans from the same days, so it adds nothing.
    later = timezone.now() + dt.timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: later)
    created = seed()
    assert set(created) <= {"hour logs", "koffiekrant issues"}
    assert counts() == before
