"""summary.stored: the kept month figures and Seen rows give the same summary as counting every row,
after changes by any path (the ORM, update(), bulk writes, raw SQL), and under concurrent writes."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from activities.models import Activity, Booking, Idea, IdeaSupport, Signup
from residents.models import House, Membership, User
from summary import stored
from summary.models import MonthFigure, Seen, StaleMonth, StalePerson
from summary.periods import CUSTOM, Period, month_of, pilot_period, quarter_of, year_of
from summary.selectors import CUR, PILOT, Scope, Split, Windows, collect
from tests.activities.factories import at, booking_values, make_room
from tests.factories import make_house
from tests.summary.test_queries import START, houses

NOW = at(START + dt.timedelta(days=150), "15:30")
# Hours of a booking that crosses a month's end go to the month it starts in on the chart when
# counted from the rows, and are split at midnight when kept per month; the totals agree.
SPLIT_ON_CHART = {"room_booked_hours", "room_held_hours", "room_no_show_hours"}


def periods(house):
    return [
        pilot_period([house], NOW.date()),
        month_of(dt.date(2025, 2, 1)),
        quarter_of(dt.date(2025, 4, 1)),
        year_of(dt.date(2025, 1, 1)),
        Period(dt.date(2025, 1, 17), dt.date(2025, 4, 9), CUSTOM),
        Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31), CUSTOM),
        # Edges taken off a kept month (see Split): at both ends, inside one month, and up to now.
        Period(dt.date(2025, 1, 9), dt.date(2025, 4, 26), CUSTOM),
        Period(dt.date(2025, 2, 3), dt.date(2025, 2, 25), CUSTOM),
        Period(dt.date(2025, 4, 10), dt.date(2025, 6, 29), CUSTOM),
    ]


def both(houses_, period, now=NOW):
    kept = collect(Scope(houses=houses_, period=period, now=now))
    counted = collect(Scope(houses=houses_, period=period, now=now, stored=False))
    return kept, counted


def people_seen(houses_, start, end) -> set[int]:
    """Reach counted by hand from the ORM, as a reference for the Seen rows: who booked, signed up or
    came, proposed or supported an idea with a moment in [start, end), not running the house."""
    pairs = set()
    for house in houses_:
        pairs |= {
            (house.pk, b.booker_id)
            for b in Booking.objects.filter(room__house=house, status="confirmed", activity__isnull=True)
            if start <= b.period.lower < end
        }
        pairs |= {
            (house.pk, s.person_id)
            for s in Signup.objects.filter(activity__house=house, activity__status="planned").select_related(
                "activity"
            )
            if (s.status == "confirmed" or s.attended) and start <= s.activity.period.lower < end
        }
        pairs |= {
            (house.pk, i.proposer_id) for i in Idea.objects.filter(house=house) if start <= i.created_at < end
        }
        pairs |= {
            (house.pk, s.person_id)
            for s in IdeaSupport.objects.filter(idea__house=house)
            if start <= s.created_at < end
        }
    running = set(
        Membership.objects.filter(status="active", role__in=["coordinator", "staff"]).values_list(
            "house", "user"
        )
    )
    return {person for pair in pairs - running for (_house, person) in [pair]}


def assert_same(kept, counted):
    for key in set(kept.values) | set(counted.values):
        assert kept.get(*key) == pytest.approx(counted.get(*key)), key
    for metric, month in set(kept.months) | set(counted.months):
        if metric not in SPLIT_ON_CHART:
            assert kept.month(metric, month) == pytest.approx(counted.month(metric, month)), (metric, month)


@pytest.fixture
def pilot_houses(db):
    made = houses(3, 140)
    # Pilots that do not start on the first of a month, and one that started earlier.
    made[1].pilot_start = dt.date(2025, 1, 20)
    made[2].pilot_start = dt.date(2024, 12, 15)
    for house in made[1:]:
        house.save()
    room = make_room(made[0], name="Zolder")
    person = User.objects.filter(memberships__house=made[0]).first()
    Booking.objects.create(
        **booking_values(room, person, at(dt.date(2025, 1, 31), "22:00"), at(dt.date(2025, 2, 1), "02:00"))
    )
    return list(House.objects.filter(pk__in=[h.pk for h in made]))


def test_split_cuts_a_window_at_whole_months():
    split = Split.of(at(dt.date(2025, 1, 17), "00:00"), at(dt.date(2025, 4, 9), "00:00"))
    assert split.months == (dt.date(2025, 2, 1), dt.date(2025, 3, 1))
    assert split.edges == (
        (at(dt.date(2025, 1, 17), "00:00"), at(dt.date(2025, 2, 1), "00:00"), 1),
        (at(dt.date(2025, 4, 1), "00:00"), at(dt.date(2025, 4, 9), "00:00"), 1),
    )
    inside = Split.of(at(dt.date(2025, 3, 3), "00:00"), at(dt.date(2025, 3, 12), "12:00"))
    assert inside.months is None
    assert inside.edges[1][0] == inside.edges[1][1]  # the second edge is empty


def test_split_takes_off_what_a_window_lacks_of_a_month_when_that_is_shorter():
    # 5 January - 27 April: all of January and April, without 1-4 January and 27-30 April.
    split = Split.of(at(dt.date(2025, 1, 5), "00:00"), at(dt.date(2025, 4, 27), "00:00"))
    assert split.months == (dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert split.edges == (
        (at(dt.date(2025, 1, 1), "00:00"), at(dt.date(2025, 1, 5), "00:00"), -1),
        (at(dt.date(2025, 4, 27), "00:00"), at(dt.date(2025, 5, 1), "00:00"), -1),
    )
    # Inside one month: March without its first and last two days.
    most = Split.of(at(dt.date(2025, 3, 3), "00:00"), at(dt.date(2025, 3, 30), "00:00"))
    assert most.months == (dt.date(2025, 3, 1), dt.date(2025, 3, 1))
    assert [sign for _start, _end, sign in most.edges] == [-1, -1]
    # Whole months only: no edges.
    whole = Split.of(at(dt.date(2025, 2, 1), "00:00"), at(dt.date(2025, 4, 1), "00:00"))
    assert whole.months == (dt.date(2025, 2, 1), dt.date(2025, 3, 1))
    assert all(start == end for start, end, _sign in whole.edges)


def test_kept_months_give_the_same_summary_as_counting_every_row(pilot_houses):
    for period in periods(pilot_houses[0]):
        kept, counted = both(pilot_houses, period)
        assert kept.get(pilot_houses[0].pk, "activities_held") > 0
        assert_same(kept, counted)
    assert MonthFigure.objects.filter(metric="room_booked_hours").exists()
    assert Seen.objects.exists()
    assert not StaleMonth.objects.exists() and not StalePerson.objects.exists()


def test_edges_taken_off_kept_months_give_the_same_summary(pilot_houses):
    """Now late in a month: the rest of the month (with its planned rows) is taken off the kept month,
    for the pilot, a quarter and periods of one's own, at both ends and inside one month."""
    now = at(dt.date(2025, 5, 20), "12:00")
    pilot = pilot_period([pilot_houses[0]], now.date())
    for period in (
        pilot,
        quarter_of(dt.date(2025, 4, 1)),
        Period(dt.date(2025, 1, 9), dt.date(2025, 5, 31), CUSTOM),
        Period(dt.date(2025, 5, 2), dt.date(2025, 5, 30), CUSTOM),
    ):
        scope = Scope(houses=pilot_houses, period=period, now=now)
        assert -1 in [sign for _start, _end, sign in scope.windows(True).splits[CUR].edges]
        kept, counted = both(pilot_houses, period, now=now)
        assert kept.get(pilot_houses[0].pk, "room_bookings") > 0
        assert_same(kept, counted)


def test_a_shared_pilot_as_the_period_counts_the_same_without_its_own_window(db, monkeypatch):
    """Houses that share a pilot, on the page's default period (that pilot, so far): the queries
    count no separate pilot window but copy the period's values; every figure, month and pilot value
    is the same as with the pilot window counted (kept and counted from the rows)."""
    shared = houses(3, 140)
    period = pilot_period(shared, NOW.date())
    shortcut = {}
    for stored_ in (True, False):
        scope = Scope(houses=shared, period=period, now=NOW, stored=stored_)
        assert scope.windows(stored_).pilot_is_cur  # the shortcut is taken
        shortcut[stored_] = collect(scope)
    assert shortcut[True].get(shared[0].pk, "activities_held", PILOT) > 0
    assert_same(shortcut[True], shortcut[False])
    monkeypatch.setattr(Windows, "pilot_is_cur", property(lambda self: False))
    for stored_ in (True, False):
        full = collect(Scope(houses=shared, period=period, now=NOW, stored=stored_))
        assert full.values == shortcut[stored_].values
        assert full.months == shortcut[stored_].months


def test_an_activity_that_ends_at_midnight_counts_for_the_day_it_ends(pilot_houses):
    """Activities count by their end: one from 22:00 on 28 February until midnight belongs to March,
    kept or counted, also when that midnight is where a window (or an edge) starts."""
    house = pilot_houses[0]
    march = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31), CUSTOM)
    before, _ = both(pilot_houses, march)
    Activity.objects.create(
        house=house,
        title="Nachtwandeling",
        category="coffee",
        place="Plein",
        period=DateTimeTZRange(at(dt.date(2025, 2, 28), "22:00"), at(dt.date(2025, 3, 1), "00:00")),
    )
    for period in (march, Period(dt.date(2025, 3, 1), dt.date(2025, 3, 29), CUSTOM)):
        kept, counted = both(pilot_houses, period)
        assert_same(kept, counted)
    kept, _ = both(pilot_houses, march)
    assert kept.get(house.pk, "activities_held") == before.get(house.pk, "activities_held") + 1
    february, _ = both(pilot_houses, month_of(dt.date(2025, 2, 1)))
    assert (
        february.get(house.pk, "activities_held")
        == Activity.objects.filter(
            house=house,
            status="planned",
            period__endswith__gte=at(dt.date(2025, 2, 1), "00:00"),
            period__endswith__lt=at(dt.date(2025, 3, 1), "00:00"),
        ).count()
    )


def test_a_change_by_any_path_is_counted_again(pilot_houses):
    house = pilot_houses[0]
    period = Period(dt.date(2025, 1, 6), dt.date(2025, 5, 20), CUSTOM)
    before, _ = both(pilot_houses, period)
    february = DateTimeTZRange(at(dt.date(2025, 2, 1), "00:00"), at(dt.date(2025, 3, 1), "00:00"))

    # update() and raw SQL pass no Django signal; the triggers still see them.
    Booking.objects.filter(room__house=house, period__overlap=february).update(took_place=False)
    Activity.objects.filter(house=house, period__overlap=february).update(walk_ins=50)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM activities_signup WHERE activity_id IN "
            "(SELECT id FROM activities_activity WHERE house_id = %s AND period && %s)",
            [pilot_houses[1].pk, february],
        )
    newcomer = User.objects.create(email="nieuw@example.nl", name="Nieuw")
    Membership.objects.create(user=newcomer, house=house, role="resident", status="active")
    activity = Activity.objects.filter(house=house, period__overlap=february).first()
    Signup.objects.create(activity=activity, person=newcomer, status="confirmed")

    after, counted = both(pilot_houses, period)
    assert_same(after, counted)
    assert after.get(house.pk, "walk_ins") > before.get(house.pk, "walk_ins")
    assert after.get(house.pk, "room_no_show_hours") > before.get(house.pk, "room_no_show_hours")
    assert after.get(pilot_houses[1].pk, "signed_up") < before.get(pilot_houses[1].pk, "signed_up")
    assert after.get(house.pk, "reach") == before.get(house.pk, "reach") + 1
    start, end = february.lower, february.upper
    assert after.month("reach", dt.date(2025, 2, 1)) == len(people_seen(pilot_houses, start, end))
    assert after.get(house.pk, "reach") == len(
        people_seen([house], at(dt.date(2025, 1, 6), "00:00"), at(dt.date(2025, 5, 21), "00:00"))
    )

    activity.status = Activity.Status.CANCELLED
    activity.save()
    cancelled, counted = both(pilot_houses, period)
    assert_same(cancelled, counted)
    assert cancelled.get(house.pk, "reach") == before.get(house.pk, "reach")
    assert cancelled.get(house.pk, "activities_held") == before.get(house.pk, "activities_held") - 1


def test_someone_in_two_houses_counts_once_in_the_total(pilot_houses):
    first, second = pilot_houses[:2]
    period = Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28), CUSTOM)
    before, _ = both(pilot_houses, period)
    traveller = User.objects.create(email="beide@example.nl", name="Beide")
    for house in (first, second):
        activity = Activity.objects.filter(house=house, period__startswith__month=2).first()
        Signup.objects.create(activity=activity, person=traveller, status="confirmed")
    after, _ = both(pilot_houses, period)
    assert after.get(first.pk, "reach") == before.get(first.pk, "reach") + 1
    assert after.get(second.pk, "reach") == before.get(second.pk, "reach") + 1
    ids = [h.pk for h in pilot_houses]
    assert after.total(ids, "reach") == before.total(ids, "reach") + 1
    assert Seen.objects.filter(person=traveller, multi=True).count() == 2


def _supporter_of_a_february_idea(house) -> User:
    """Someone seen in the house only by supporting an idea in February (a support marks no month)."""
    supporter = User.objects.create(email="steun@example.nl", name="Steun")
    idea = Idea.objects.filter(house=house, created_at__month=2).first()
    support = IdeaSupport.objects.create(idea=idea, person=supporter)
    IdeaSupport.objects.filter(pk=support.pk).update(created_at=at(dt.date(2025, 2, 14), "10:00"))
    return supporter


@pytest.mark.parametrize("marks", [True, False], ids=["marked", "without the marks"])
def test_a_person_deleted_is_taken_off_the_kept_reach_per_month(pilot_houses, marks):
    """Deleting a person deletes their Seen rows (Django's cascade): the trigger on summary_seen marks
    those months, so the kept reach per month is counted again. Without those marks it would not be."""
    period = Period(dt.date(2025, 1, 6), dt.date(2025, 5, 20), CUSTOM)
    february = dt.date(2025, 2, 1)
    supporter = _supporter_of_a_february_idea(pilot_houses[0])
    before, counted = both(pilot_houses, period)
    assert_same(before, counted)
    supporter.delete()
    if not marks:  # what the kept figures would be without the trigger's marks
        StaleMonth.objects.all().delete()
    after, counted = both(pilot_houses, period)
    assert counted.month("reach", february) == before.month("reach", february) - 1
    if marks:
        assert_same(after, counted)
    else:
        assert after.month("reach", february) == counted.month("reach", february) + 1


def test_someone_seen_in_a_second_house_moves_out_of_the_kept_reach(pilot_houses):
    """A person seen in one house (kept in REACH_KEPT there) who comes to a second house is counted
    once in each house and once in the total of a whole month, kept or counted."""
    first, second = pilot_houses[:2]
    february = Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28), CUSTOM)
    before, _ = both(pilot_houses, february)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id FROM summary_seen WHERE house_id = %s AND NOT multi AND moments && %s LIMIT 1",
            [first.pk, DateTimeTZRange(at(dt.date(2025, 2, 1), "00:00"), at(dt.date(2025, 3, 1), "00:00"))],
        )
        (regular,) = cursor.fetchone()
    activity = Activity.objects.filter(house=second, period__startswith__month=2).first()
    Signup.objects.create(activity=activity, person_id=regular, status="confirmed")
    after, counted = both(pilot_houses, february)
    assert_same(after, counted)
    assert Seen.objects.filter(person_id=regular, multi=True).count() == 2
    ids = [h.pk for h in pilot_houses]
    assert after.get(first.pk, "reach") == before.get(first.pk, "reach")
    assert after.get(second.pk, "reach") == before.get(second.pk, "reach") + 1
    assert after.total(ids, "reach") == before.total(ids, "reach")  # the same person
    assert after.month("reach", dt.date(2025, 2, 1)) == after.total(ids, "reach")


def test_a_house_without_rows_counts_nothing(db):
    houses(1, 30)  # rows elsewhere
    empty = make_house("leeg", "Leeg")
    kept, counted = both([empty], month_of(dt.date(2025, 2, 1)))
    assert not any(kept.values.values())
    assert_same(kept, counted)


# --- a change committed while a refresh is counting is not lost ----------------------------------


def _seed_committed():
    made = houses(2, 70)
    stored.refresh()
    return made


def _add_february_booking(house, day: int):
    room = house.rooms.first()
    booker = User.objects.filter(memberships__house=house).first()
    Booking.objects.create(
        **booking_values(room, booker, at(dt.date(2025, 2, day), "19:00"), at(dt.date(2025, 2, day), "22:00"))
    )


def _race(remove_marks: bool):
    """A refresh counts and pauses before it commits; meanwhile a booking in a counted month is
    added and committed (it must not wait for the refresh). Then the next summary must have it."""
    made = _seed_committed()
    house = made[0]
    counted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    original = stored.count_seen

    def pausing_count_seen(persons):
        months = original(persons)
        counted.set()
        assert release.wait(20)
        return months

    _add_february_booking(house, 12)  # so the refresh below has work (and reaches count_seen)

    def refresher():
        try:
            stored.count_seen = pausing_count_seen
            stored.refresh()
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)
        finally:
            stored.count_seen = original
            connections.close_all()

    def writer():
        try:
            _add_february_booking(house, 13)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)
        finally:
            connections.close_all()

    r = threading.Thread(target=refresher)
    r.start()
    assert counted.wait(20)
    w = threading.Thread(target=writer)
    w.start()
    w.join(10)
    writer_waited = w.is_alive()
    release.set()
    r.join(20)
    w.join(20)
    assert not errors, errors
    assert not writer_waited, "the booking waited for the summary's refresh"
    if remove_marks:  # what a system without the triggers' marks would have
        StaleMonth.objects.all().delete()
        StalePerson.objects.all().delete()
    period = Period(dt.date(2025, 1, 6), dt.date(2025, 3, 14), CUSTOM)
    return both(list(House.objects.filter(pk__in=[h.pk for h in made])), period), house


@pytest.mark.django_db(transaction=True)
def test_a_booking_committed_during_a_refresh_is_counted_by_the_next():
    (kept, counted), house = _race(remove_marks=False)
    assert_same(kept, counted)
    assert kept.get(house.pk, "room_bookings") == counted.get(house.pk, "room_bookings") > 0


@pytest.mark.django_db(transaction=True)
def test_without_the_marks_the_same_race_loses_the_booking():
    (kept, counted), house = _race(remove_marks=True)
    assert kept.get(house.pk, "room_booked_hours") == pytest.approx(
        counted.get(house.pk, "room_booked_hours") - 3
    )


def test_the_worker_counts_changes_every_quarter_of_an_hour(pilot_houses):
    from wijkhuis import jobs

    assert jobs.PERIODIC_JOBS["summary_count_changes"] == (
        "summary.jobs.count_changes",
        dt.timedelta(minutes=15),
    )
    from summary.jobs import count_changes

    assert count_changes.call() > 0  # the houses made above
    assert count_changes.call() == 0  # nothing changed since
    Activity.objects.filter(house=pilot_houses[0]).update(walk_ins=3)
    assert count_changes.call() > 0
    assert not StaleMonth.objects.exists()


def test_the_migration_counts_the_kept_reach_as_refresh_does(pilot_houses):
    """Migration 0003 fills REACH_KEPT from the Seen rows there are; the same as refresh() counts."""
    import importlib

    from django.conf import settings

    migration = importlib.import_module("summary.migrations.0003_reach_months")
    both(pilot_houses, month_of(dt.date(2025, 2, 1)))  # refreshed
    kept = set(MonthFigure.objects.filter(metric="reach_single").values_list("house", "month", "value"))
    assert kept
    select = migration.FILL.split("INSERT INTO summary_monthfigure (metric, house_id, month, value)")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT house_id, month, value FROM ({select}) AS f (metric, house_id, month, value)",  # noqa: S608
            [settings.TIME_ZONE],
        )
        filled = {(house, month, float(value)) for house, month, value in cursor.fetchall()}
    assert filled == kept


def test_sign_ups_and_who_came_are_what_the_rows_say(pilot_houses):
    """Both counts come from one look-up of an activity's sign-ups (split into two columns): kept
    and counted they are the sign-ups of the activities held, confirmed and came."""
    period = Period(dt.date(2025, 1, 9), dt.date(2025, 6, 29), CUSTOM)  # edges at both ends, up to now
    start, end = Scope(houses=pilot_houses, period=period, now=NOW).clip(period.bounds())
    held = Signup.objects.filter(
        activity__status=Activity.Status.PLANNED,
        activity__period__endswith__gte=start,
        activity__period__endswith__lt=end,
    )
    kept, counted = both(pilot_houses, period)
    differ = False
    for house in pilot_houses:
        signed_up = held.filter(activity__house=house, status=Signup.Status.CONFIRMED).count()
        came = held.filter(activity__house=house, attended=True).count()
        differ |= signed_up != came  # so that the two columns mixed up would be noticed
        for store in (kept, counted):
            assert store.get(house.pk, "signed_up") == signed_up
            assert store.get(house.pk, "came") == came
    assert differ
