"""The figures against the hand-built month of conftest.june: exact numbers, counted in SQL."""

from __future__ import annotations

import datetime as dt

import pytest

from residents.models import Membership
from summary.periods import Period, month_of
from summary.selectors import CUR, PILOT, PREV, Scope, collect
from tests.summary.conftest import JUNE, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(june):
    return collect(Scope(houses=[june["house"]], period=JUNE, now=NOW))


def value(store, june, metric, window=CUR):
    return store.get(june["house"].pk, metric, window)


def test_living_room_hours_are_clipped_to_the_period(store, june):
    assert value(store, june, "room_booked_hours") == pytest.approx(9)
    assert value(store, june, "room_held_hours") == pytest.approx(4)
    assert value(store, june, "room_no_show_hours") == pytest.approx(3)
    assert value(store, june, "room_bookings") == 4
    assert value(store, june, "room_booked_hours", PREV) == pytest.approx(2)
    assert value(store, june, "room_bookings", PREV) == 1
    assert value(store, june, "room_bookable_hours") == 420
    assert value(store, june, "room_bookable_hours", PREV) == 465
    for category, n in [("birthday", 1), ("meeting", 1), ("club", 1), ("activity", 1), ("other", 0)]:
        assert value(store, june, f"room_bookings_{category}") == n


def test_the_pilot_window_counts_the_whole_pilot_of_the_house(store, june):
    # Everything in May and June is inside the pilot (2025); the July booking's July hour too.
    assert value(store, june, "room_booked_hours", PILOT) == pytest.approx(9 + 1 + 2)
    assert value(store, june, "activities_held", PILOT) == 3


def test_activities_held_and_attendance(store, june):
    assert value(store, june, "activities_held") == 2
    assert value(store, june, "activities_held_coffee") == 1
    assert value(store, june, "activities_held_sport") == 1
    assert value(store, june, "activities_recorded") == 1
    assert value(store, june, "walk_ins") == 6
    assert value(store, june, "signed_up") == 9
    assert value(store, june, "came") == 5
    assert value(store, june, "activities_held", PREV) == 1
    assert value(store, june, "signed_up", PREV) == 4
    assert value(store, june, "walk_ins", PREV) == 3


def test_reach_counts_people_once_without_those_who_run_the_house(store, june):
    assert value(store, june, "reach") == 10
    assert value(store, june, "reach", PREV) == 5
    # The pilot so far: p7's sign-up for the activity of 5 July (after "now") does not count yet.
    assert value(store, june, "reach", PILOT) == 15
    assert store.month("reach", dt.date(2025, 6, 1)) == 10


def test_members_hours_ideas_polls_and_news(store, june):
    assert value(store, june, "new_members") == 2
    assert value(store, june, "members_now") == 6
    assert value(store, june, "student_minutes") == 270
    assert value(store, june, "student_minutes", PREV) == 60
    assert value(store, june, "student_hours_due") == pytest.approx(96 * 30 / 365)
    assert value(store, june, "ideas_proposed") == 2
    assert value(store, june, "ideas_planned") == 1
    assert value(store, june, "ideas_done") == 1
    assert value(store, june, "polls") == 1
    assert value(store, june, "voters") == 3
    assert value(store, june, "poll_seats") == 6
    assert value(store, june, "news_posts") == 2
    assert value(store, june, "koffiekrant_issues") == 2
    assert value(store, june, "households") == 100


def test_months_of_a_longer_period(june):
    period = Period(dt.date(2025, 5, 1), dt.date(2025, 6, 30))
    store = collect(Scope(houses=[june["house"]], period=period, now=NOW))
    assert store.month("activities_held", dt.date(2025, 5, 1)) == 1
    assert store.month("activities_held", dt.date(2025, 6, 1)) == 2
    assert store.month("reach", dt.date(2025, 5, 1)) == 5
    assert store.month("reach", dt.date(2025, 6, 1)) == 10
    assert store.get(june["house"].pk, "reach") == 15
    assert store.month("room_bookable_hours", dt.date(2025, 6, 1)) == 420


def test_the_other_house_is_counted_apart(june, other_house):
    store = collect(Scope(houses=[june["house"], other_house], period=JUNE, now=NOW))
    assert store.get(other_house.pk, "room_booked_hours") == pytest.approx(4)
    assert store.get(other_house.pk, "walk_ins") == 40
    assert store.get(june["house"].pk, "walk_ins") == 6
    assert store.total([june["house"].pk, other_house.pk], "walk_ins") == 46
    # b booked in both houses: reached by each, once over all houses.
    assert store.get(other_house.pk, "reach") == 1
    assert store.total([june["house"].pk, other_house.pk], "reach") == 10


def test_an_empty_month_counts_zero(june):
    store = collect(Scope(houses=[june["house"]], period=month_of(dt.date(2025, 3, 1)), now=NOW))
    assert store.get(june["house"].pk, "activities_held") == 0
    assert store.get(june["house"].pk, "reach") == 0


def test_what_is_still_to_come_does_not_count_yet(june):
    """A period that is not over counts up to now: a booking later this month is not "booked" yet."""
    from tests.activities.factories import at, make_booking

    july = month_of(dt.date(2025, 7, 1))
    later = make_booking(
        june["room"], june["p"][0], at(dt.date(2025, 7, 20), "10:00"), at(dt.date(2025, 7, 20), "12:00")
    )
    store = collect(Scope(houses=[june["house"]], period=july, now=NOW))
    # Only the hour of the night booking of 30 June to 1 July 01:00 has passed.
    assert store.get(june["house"].pk, "room_booked_hours", CUR) == pytest.approx(1)
    # Negative control: seen from after the 20th, the later booking counts.
    after = collect(Scope(houses=[june["house"]], period=july, now=later.period.upper + dt.timedelta(days=1)))
    assert after.get(june["house"].pk, "room_booked_hours", CUR) == pytest.approx(3)


def test_members_now_counts_a_resident_who_is_also_a_student_once(june):
    house = june["house"]
    resident = june["p"][0]
    Membership.objects.create(user=resident, house=house, role="student", status="active")
    student = june["student"]
    Membership.objects.create(user=student, house=house, role="resident", status="ended")
    store = collect(Scope(houses=[house], period=JUNE, now=NOW))
    assert store.get(house.pk, "members_now") == 6  # as before: p1 is counted once, s is still a student
    Membership.objects.filter(user=student, house=house, role="resident").update(status="active")
    store = collect(Scope(houses=[house], period=JUNE, now=NOW))
    assert store.get(house.pk, "members_now") == 6
