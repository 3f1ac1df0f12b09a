"""Reach from summary.stored's running totals of the days people were first and last seen (and first
seen in a month), and the members a house has now kept per house: always what counting the rows
gives, for every kind of period, right after changes; and a wrong kept figure or a lost mark shows."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from activities.models import Activity, Booking, Signup
from residents.models import House, Membership, User
from summary import stored
from summary.models import DayRun, MembersNow, MonthFigure, MonthRun, StaleHouse
from summary.periods import CUSTOM, Period, month_of, pilot_period, quarter_of, year_of
from summary.selectors import (
    PILOT,
    PREV,
    REACH_DAYS,
    REACH_FIRST,
    Scope,
    _ReachQuery,
    collect,
    members,
    members_now,
    seen_hours,
)
from tests.activities.factories import at, booking_values
from tests.summary import test_stored
from tests.summary.test_stored import assert_same, both, people_seen

pilot_houses = test_stored.pilot_houses  # the fixture: three houses with a year of rows, own pilots
NOW = test_stored.NOW  # 5 June 2025, 15:30: today's activity (10:00) and booking (14:00) are before it
TODAY = NOW.date()


def reach_periods(house) -> list[Period]:
    return [
        pilot_period([house], TODAY),  # the default: the pilot so far
        month_of(dt.date(2025, 2, 1)),  # a whole month that has passed
        month_of(TODAY.replace(day=1)),  # this month, up to now
        quarter_of(dt.date(2025, 4, 1)),  # a quarter up to now, one that started after the first visits
        quarter_of(dt.date(2025, 1, 1)),
        year_of(dt.date(2025, 1, 1)),
        Period(dt.date(2025, 1, 17), dt.date(2025, 4, 9), CUSTOM),  # partial months at both ends
        Period(dt.date(2025, 3, 5), dt.date(2025, 3, 20), CUSTOM),  # inside one month
        Period(dt.date(2025, 3, 1), dt.date(2025, 3, 20), CUSTOM),  # from a month's start
        Period(dt.date(2025, 3, 12), dt.date(2025, 3, 31), CUSTOM),  # up to a month's end
        Period(dt.date(2025, 5, 20), dt.date(2025, 6, 20), CUSTOM),  # over now
        Period(TODAY, TODAY, CUSTOM),  # today, up to now
    ]


def assert_reach_same(kept, counted) -> None:
    """Reach per house and window, over the houses, and per month: exactly the same."""
    keys = {key for key in (*kept.values, *counted.values) if key[1] == "reach"}
    for key in keys:
        assert kept.get(*key) == counted.get(*key), key
    for key in {key for key in (*kept.months, *counted.months) if key[0] == "reach"}:
        assert kept.month(*key) == counted.month(*key), key


def new_person(email: str) -> User:
    return User.objects.create(email=email, name="Nieuw")


def seen_today(house) -> User:
    """This morning's activity (before now) with a newcomer, first seen today, and a regular, seen
    before; and a booking tonight (after now) by another newcomer."""
    activity = Activity.objects.create(
        house=house,
        title="Ochtendkoffie",
        category="coffee",
        place="Plein",
        period=DateTimeTZRange(at(TODAY, "10:00"), at(TODAY, "12:00")),
    )
    newcomer = new_person(f"vandaag-{house.pk}@example.nl")
    regular = Signup.objects.filter(activity__house=house, activity__period__startswith__month=5)[0].person
    for person in (newcomer, regular):
        Signup.objects.create(activity=activity, person=person, status="confirmed")
    Booking.objects.create(
        **booking_values(
            house.rooms.first(),
            new_person(f"avond-{house.pk}@example.nl"),
            at(TODAY, "19:00"),
            at(TODAY, "21:00"),
        )
    )
    return newcomer


def test_the_hours_sql_and_python_agree(pilot_houses):
    """The index on summary_seen_hours(moments) finds a row by the hours seen_hours gives (its moment's
    hour, also across midnight and a change of the clocks)."""
    both(pilot_houses, month_of(dt.date(2025, 2, 1)))
    moments = [
        at(TODAY, "10:00"),
        at(dt.date(2025, 3, 30), "03:30"),  # the night the clocks go forward
        at(dt.date(2025, 1, 31), "23:59"),
    ]
    with connection.cursor() as cursor:
        for moment in moments:
            hour = moment.astimezone(dt.UTC).replace(minute=0)  # (in UTC: the hour before is an hour)
            cursor.execute(
                "SELECT summary_seen_hours(tstzmultirange(tstzrange(%s, %s, '[]'))) && %s::int[]",
                [moment, moment, seen_hours(moment, moment + dt.timedelta(microseconds=1))],
            )
            assert cursor.fetchone() == (True,)
            cursor.execute(  # the hour before does not hold it
                "SELECT summary_seen_hours(tstzmultirange(tstzrange(%s, %s, '[]'))) && %s::int[]",
                [moment, moment, seen_hours(hour - dt.timedelta(hours=1), hour)],
            )
            assert cursor.fetchone() == (False,)


def test_every_way_a_window_is_counted_is_taken(pilot_houses):
    """The periods below take each way of _ReachQuery.window (a kept month, from a month's start, a
    span), with and without a part of today, and pilots of their own."""
    kinds = set()
    for period in reach_periods(pilot_houses[0]):
        scope = Scope(houses=pilot_houses, period=period, now=NOW)
        q = _ReachQuery(scope.house_ids)
        for bounds in (scope.clip(period.bounds()), scope.clip(scope.previous.bounds())):
            kinds.add(q.window(*bounds, None)[0])
        if q.rows:
            kinds.add("rows of today")
        if q.todays:
            kinds.add("today in a month")
    assert kinds >= {"kept", "month", "span", "rows of today", "today in a month"}


@pytest.mark.parametrize("now", [NOW, at(TODAY, "00:00")], ids=["afternoon", "midnight"])
def test_kept_reach_is_counted_reach_for_every_period(pilot_houses, now):
    seen_today(pilot_houses[0])
    for period in reach_periods(pilot_houses[0]):
        kept, counted = both(pilot_houses, period, now=now)
        assert_reach_same(kept, counted)
        assert_same(kept, counted)
        start, end = Scope(houses=pilot_houses, period=period, now=now).clip(period.bounds())
        for house in pilot_houses:
            assert kept.get(house.pk, "reach") == len(people_seen([house], start, end)), (period, house)
    assert kept.get(pilot_houses[0].pk, "reach", PILOT) > 0


def test_kept_reach_follows_every_change(pilot_houses):
    house, second = pilot_houses[:2]
    before, _ = both(pilot_houses, month_of(TODAY.replace(day=1)))
    # Someone first seen today before now, someone who books for after now (not reached yet), and
    # a regular who starts running the house (no longer reached there).
    early = seen_today(house)
    regular = Signup.objects.filter(activity__house=house, activity__period__startswith__month=4)[0].person
    Membership.objects.filter(user=regular, house=house).update(role="coordinator")
    # A sign-up cancelled, a person deleted, and someone seen in a second house.
    Signup.objects.filter(activity__house=second, activity__period__startswith__month=3)[:1].get().delete()
    Signup.objects.filter(activity__house=second).exclude(person=regular).first().person.delete()
    Signup.objects.create(
        activity=Activity.objects.filter(house=second, period__startswith__month=4).first(),
        person=early,
        status="confirmed",
    )
    for period in reach_periods(house):
        kept, counted = both(pilot_houses, period)
        assert_reach_same(kept, counted)
    after, _ = both(pilot_houses, month_of(TODAY.replace(day=1)))
    assert after.get(house.pk, "reach") == before.get(house.pk, "reach") + 2  # the newcomer and the regular
    assert Membership.objects.get(user=regular, house=house).role == "coordinator"
    start, end = Scope(houses=pilot_houses, period=month_of(TODAY), now=NOW).clip(month_of(TODAY).bounds())
    assert after.get(house.pk, "reach") == len(people_seen([house], start, end))
    ids = tuple(h.pk for h in pilot_houses)
    assert after.total(ids, "reach") == len(people_seen(pilot_houses, start, end))


def test_a_wrong_kept_day_of_the_first_visits_shows_negative_control(pilot_houses):
    """The kept days are what reach reads: one house's first visits one too many from 10 January on."""
    period = Period(dt.date(2025, 1, 9), dt.date(2025, 1, 20), CUSTOM)
    kept, counted = both(pilot_houses, period)
    assert_reach_same(kept, counted)
    house = pilot_houses[0]
    row = DayRun.objects.get(house=house, metric=REACH_FIRST, month=dt.date(2025, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE summary_dayrun SET runs = (SELECT array_agg(CASE WHEN n >= 10 THEN x + 1 ELSE x END "
            "ORDER BY n) FROM unnest(runs) WITH ORDINALITY AS u (x, n)) WHERE id = %s",
            [row.pk],
        )
    kept, counted = both(pilot_houses, period)
    assert kept.get(house.pk, "reach") == counted.get(house.pk, "reach") + 1  # first seen before its end
    assert kept.get(house.pk, "reach", PREV) == counted.get(house.pk, "reach", PREV)  # it ends on 8 January
    with pytest.raises(AssertionError):
        assert_reach_same(kept, counted)


def test_without_the_marks_a_deleted_person_stays_in_the_kept_first_visits(pilot_houses):
    """Negative control: the trigger's marks of a deleted person's Seen rows are what has their first
    and last visits counted again."""
    period = Period(dt.date(2025, 1, 9), dt.date(2025, 5, 20), CUSTOM)
    supporter = test_stored._supporter_of_a_february_idea(pilot_houses[0])
    kept, counted = both(pilot_houses, period)
    assert_reach_same(kept, counted)
    supporter.delete()
    from summary.models import StaleMonth

    StaleMonth.objects.all().delete()
    kept, counted = both(pilot_houses, period)
    assert kept.get(pilot_houses[0].pk, "reach") == counted.get(pilot_houses[0].pk, "reach") + 1


def test_the_migration_fills_the_kept_first_and_last_visits_as_refresh_does(pilot_houses):
    both(pilot_houses, quarter_of(dt.date(2025, 1, 1)))  # refreshed

    def kept():
        return (
            set(
                MonthFigure.objects.filter(metric__in=REACH_DAYS).values_list(
                    "house", "metric", "month", "value"
                )
            ),
            {(r.house_id, r.metric, r.month): r.runs for r in DayRun.objects.filter(metric__in=REACH_DAYS)},
            {
                (r.house_id, r.metric): (r.first, r.runs)
                for r in MonthRun.objects.filter(metric__in=REACH_DAYS)
            },
        )

    refreshed = kept()
    assert all(refreshed)
    migration = importlib.import_module("summary.migrations.0009_reach_days")
    editor = SimpleNamespace(connection=connection)
    migration.unfill(None, editor)
    assert not any(kept())
    migration.fill(None, editor)
    assert kept() == refreshed


# --- the members a house has now -----------------------------------------------------------------


def members_of(houses, stored_: bool) -> dict[int, float]:
    store = collect(Scope(houses=houses, period=month_of(TODAY), now=NOW, stored=stored_), [members])
    return {house.pk: store.get(house.pk, "members_now") for house in houses}


def assert_members_kept(houses) -> dict[int, float]:
    kept, counted = members_of(houses, True), members_of(houses, False)
    assert kept == counted
    rows = dict(members_now([h.pk for h in houses]))
    assert counted == {h.pk: float(rows.get(h.pk, 0)) for h in houses}
    return kept


def test_kept_members_follow_every_change(pilot_houses):
    house, second, third = pilot_houses
    before = assert_members_kept(pilot_houses)
    assert before[house.pk] == 20
    newcomer = new_person("nieuwkomer@example.nl")
    Membership.objects.create(user=newcomer, house=house, role="resident", status="active")
    # A resident who is also a student there counts once; a student elsewhere counts there.
    resident = Membership.objects.filter(house=second, role="resident").first().user
    Membership.objects.create(user=resident, house=second, role="student", status="active")
    Membership.objects.create(user=resident, house=third, role="student", status="active")
    after = assert_members_kept(pilot_houses)
    assert after[house.pk] == before[house.pk] + 1
    assert after[second.pk] == before[second.pk]
    assert after[third.pk] == before[third.pk] + 1
    # A membership that ends (update() passes no signal), one whose role changes, a person deleted.
    Membership.objects.filter(user=newcomer, house=house).update(status="ended")
    runner = Membership.objects.filter(house=third, role="resident").exclude(user=resident).first()
    Membership.objects.filter(pk=runner.pk).update(role="coordinator")
    Membership.objects.filter(house=second, role="resident").exclude(user=resident).first().user.delete()
    after = assert_members_kept(pilot_houses)
    assert after[house.pk] == before[house.pk]
    assert after[third.pk] == before[third.pk]
    assert after[second.pk] == before[second.pk] - 1
    # Every member gone: the house has none (its kept row says 0).
    Membership.objects.filter(house=house).delete()
    assert assert_members_kept(pilot_houses)[house.pk] == 0
    assert MembersNow.objects.get(house=house).members == 0
    assert stored.refresh() == 0  # nothing left to count


def test_without_the_marks_the_kept_members_stay_behind_negative_control(pilot_houses):
    house = pilot_houses[0]
    before = assert_members_kept(pilot_houses)
    with connection.cursor() as cursor:  # raw SQL: the triggers mark it all the same
        cursor.execute(
            "UPDATE residents_membership SET status = 'ended' WHERE id IN "
            "(SELECT id FROM residents_membership WHERE house_id = %s AND role = 'resident' LIMIT 3)",
            [house.pk],
        )
    assert StaleHouse.objects.filter(house_id=house.pk).exists()
    StaleHouse.objects.all().delete()  # what the kept figure would be without the marks
    kept, counted = members_of(pilot_houses, True), members_of(pilot_houses, False)
    assert counted[house.pk] == before[house.pk] - 3
    assert kept[house.pk] == before[house.pk]


def test_a_house_added_later_has_its_members_counted(db):
    first = test_stored.houses(1, 10)[0]
    stored.refresh()
    later = House.objects.create(
        slug="later", name="Later", owner=first.owner, street="Straat 1", postcode="9712 AB", city="Groningen"
    )
    assert (
        members_of([first, later], True) == members_of([first, later], False) == {first.pk: 20, later.pk: 0}
    )
    person = new_person("later@example.nl")
    Membership.objects.create(user=person, house=later, role="resident", status="active")
    assert members_of([first, later], True) == {first.pk: 20, later.pk: 1}
    # Kept and counted for a period of its own too (no reach rows yet: none).
    kept, counted = both([first, later], month_of(dt.date(2025, 2, 1)))
    assert kept.get(later.pk, "reach") == counted.get(later.pk, "reach") == 0
    assert_reach_same(kept, counted)
