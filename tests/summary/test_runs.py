"""summary.stored's running totals (MonthRun) and Seen's first and last moment: what the page reads
instead of every month figure and every multirange, always the same as what they stand for."""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict

from django.db import connection

from activities.models import Activity, Booking, Signup
from news.models import Post
from residents.models import User
from summary import stored
from summary.models import MonthFigure, MonthRun, Seen, month_number
from summary.periods import CUSTOM, Period, quarter_of
from summary.selectors import month_of_number
from tests.activities.factories import at
from tests.summary import test_stored
from tests.summary.test_stored import assert_same, both, people_seen, periods

pilot_houses = test_stored.pilot_houses  # the fixture: three houses with a year of rows


def assert_runs_match_figures() -> None:
    """Every MonthRun row is the running total of its MonthFigure rows, month by month."""
    figures: dict[tuple[int, str], dict[int, float]] = defaultdict(dict)
    rows = MonthFigure.objects.values_list("house", "metric", "month", "value")
    for house_id, metric, month, value in rows:
        figures[(house_id, metric)][month_number(month)] = value
    runs = {(r.house_id, r.metric): r for r in MonthRun.objects.all()}
    assert set(figures) <= set(runs)
    for key, run in runs.items():
        months = figures.get(key, {})
        if not months:  # every figure gone: reads as 0
            assert run.runs == [], key
            continue
        assert run.first == min(months), key
        assert len(run.runs) == max(months) - min(months) + 1, key
        total = 0.0
        for n, value in enumerate(run.runs):
            total += months.get(run.first + n, 0.0)
            assert value == total, (key, month_of_number(run.first + n))


def test_month_numbers_count_on_by_one_a_month():
    assert month_number(dt.date(2025, 12, 1)) + 1 == month_number(dt.date(2026, 1, 1))
    for month in (dt.date(2024, 1, 1), dt.date(2025, 12, 1), dt.date(2026, 7, 1)):
        assert month_of_number(month_number(month)) == month


def test_running_totals_follow_every_change(pilot_houses):
    house = pilot_houses[0]
    period = Period(dt.date(2025, 1, 9), dt.date(2025, 4, 26), CUSTOM)  # partial months at both ends
    kept, counted = both(pilot_houses, period)
    assert_same(kept, counted)
    assert MonthRun.objects.filter(house=house, metric="room_booked_hours").exists()
    assert_runs_match_figures()

    # Right after changes: a month's bookings, an activity cancelled, and every news post of a house
    # gone (its metric has no month figures left: its running totals read 0).
    march = (at(dt.date(2025, 3, 1), "00:00"), at(dt.date(2025, 4, 1), "00:00"))
    Booking.objects.filter(room__house=house, period__startswith__gte=march[0]).filter(
        period__startswith__lt=march[1]
    ).update(took_place=False)
    Activity.objects.filter(house=house, period__startswith__gte=march[0]).update(walk_ins=7)
    Post.objects.create(
        house=house, title="Nieuw", body="Tekst", status=Post.Status.PUBLISHED, publish_at=march[0]
    )
    posts_before = kept.get(pilot_houses[1].pk, "news_posts")
    Post.objects.filter(house=pilot_houses[1]).delete()
    for period in (*periods(house), quarter_of(dt.date(2025, 1, 1))):
        kept, counted = both(pilot_houses, period)
        assert_same(kept, counted)
    assert_runs_match_figures()
    assert posts_before and not kept.get(pilot_houses[1].pk, "news_posts")
    assert MonthRun.objects.get(house=pilot_houses[1], metric="news_posts").runs == []


def test_the_migration_fills_the_running_totals_as_refresh_does(pilot_houses):
    migration = importlib.import_module("summary.migrations.0007_month_runs")
    both(pilot_houses, quarter_of(dt.date(2025, 1, 1)))  # refreshed
    kept = {(r.house_id, r.metric): (r.first, r.runs) for r in MonthRun.objects.all()}
    assert kept
    MonthRun.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert {(r.house_id, r.metric): (r.first, r.runs) for r in MonthRun.objects.all()} == kept


def test_seen_keeps_the_first_and_last_moment(pilot_houses):
    both(pilot_houses, quarter_of(dt.date(2025, 1, 1)))
    assert Seen.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM summary_seen "
            "WHERE first_moment <> lower(moments) OR last_moment <> upper(moments)"
        )
        assert cursor.fetchone() == (0,)


def test_someone_seen_before_and_after_a_window_but_not_in_it_is_not_reached(pilot_houses):
    """First and last moment around the window decide nothing: the multirange does."""
    house = pilot_houses[0]
    february = Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28), CUSTOM)
    before, _ = both(pilot_houses, february)
    around = User.objects.create(email="rond@example.nl", name="Rond")
    inside = User.objects.create(email="midden@example.nl", name="Midden")
    for month, people in ((1, [around, inside]), (2, [inside]), (3, [around, inside])):
        activity = Activity.objects.filter(house=house, period__startswith__month=month).first()
        for person in people:
            Signup.objects.create(activity=activity, person=person, status="confirmed")
    for period in (february, Period(dt.date(2025, 1, 20), dt.date(2025, 2, 10), CUSTOM)):
        kept, counted = both(pilot_houses, period)
        assert_same(kept, counted)
        start, end = (at(period.first_day, "00:00"), at(period.last_day + dt.timedelta(days=1), "00:00"))
        assert kept.get(house.pk, "reach") == len(people_seen([house], start, end))
    kept, _ = both(pilot_houses, february)
    assert kept.get(house.pk, "reach") == before.get(house.pk, "reach") + 1  # inside, not around
    seen = Seen.objects.get(person=around, house=house)
    assert seen.first_moment.month == 1 and seen.last_moment.month == 3
    assert stored.refresh() == 0  # nothing left to count
