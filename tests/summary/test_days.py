"""summary.stored's days (DayRun): a window's edges are kept days, and only the part of today before or
after now is read from the rows; every figure stays what counting the rows gives."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from django.db import connection

from activities.models import Activity, Booking
from news.models import Post
from residents.models import User
from summary.models import DayRun, MonthFigure
from summary.periods import CUSTOM, Period, pilot_period, quarter_of
from summary.selectors import CUR, PREV, Scope, Split
from tests.activities.factories import at, booking_values, make_room
from tests.summary import test_stored
from tests.summary.test_stored import assert_same, both, periods

pilot_houses = test_stored.pilot_houses  # the fixture: three houses with a year of rows
NOW = at(dt.date(2025, 5, 20), "12:00")


def assert_days_match_figures() -> None:
    """Every month figure (but the kept reach) is the last running total of its days, and the days
    are kept exactly where the month figures are."""
    figures = {
        (house, metric, month): value
        for house, metric, month, value in MonthFigure.objects.exclude(metric="reach_single").values_list(
            "house", "metric", "month", "value"
        )
    }
    days = {(r.house_id, r.metric, r.month): r.runs for r in DayRun.objects.all()}
    assert set(days) == set(figures)
    for key, runs in days.items():
        assert runs[-1] == pytest.approx(figures[key]), key
        assert all(a <= b + 1e-9 for a, b in itertools.pairwise(runs)), key  # nothing negative


def test_edges_are_kept_days_and_only_the_rest_of_today_is_read():
    split = Split.of(at(dt.date(2025, 1, 9), "00:00"), at(dt.date(2025, 5, 20), "12:00")).by_days()
    # 1-8 January and 21-31 May off the kept months, and the rest of today from the rows.
    assert split.days == ((dt.date(2025, 1, 1), 1, 8, -1), (dt.date(2025, 5, 1), 21, 31, -1))
    assert split.edges[0][0] == split.edges[0][1]  # nothing of January from the rows
    assert split.edges[1] == (at(dt.date(2025, 5, 20), "12:00"), at(dt.date(2025, 5, 21), "00:00"), -1)
    # Early in a month: 1-9 May in days, today up to now from the rows.
    early = Split.of(at(dt.date(2025, 1, 1), "00:00"), at(dt.date(2025, 5, 10), "12:00")).by_days()
    assert early.days[1] == (dt.date(2025, 5, 1), 1, 9, 1)
    assert early.edges[1] == (at(dt.date(2025, 5, 10), "00:00"), at(dt.date(2025, 5, 10), "12:00"), 1)
    # Late in a month: what is left of today and the rest of the month are taken off.
    late = Split.of(at(dt.date(2025, 4, 1), "00:00"), at(dt.date(2025, 5, 25), "15:00")).by_days()
    assert late.days[1] == (dt.date(2025, 5, 1), 26, 31, -1)
    assert late.edges[1] == (at(dt.date(2025, 5, 25), "15:00"), at(dt.date(2025, 5, 26), "00:00"), -1)
    # Inside one day: nothing kept.
    short = Split.of(at(dt.date(2025, 5, 20), "00:00"), at(dt.date(2025, 5, 20), "12:00")).by_days()
    assert short.days == (None, None)


def test_kept_days_give_the_same_summary_as_counting_every_row(pilot_houses):
    for now in (test_stored.NOW, NOW):
        for period in (
            *periods(pilot_houses[0]),
            pilot_period([pilot_houses[0]], now.date()),
            quarter_of(dt.date(2025, 4, 1)),
            Period(dt.date(2025, 1, 9), dt.date(2025, 5, 31), CUSTOM),
            Period(dt.date(2025, 5, 2), dt.date(2025, 5, 30), CUSTOM),
        ):
            kept, counted = both(pilot_houses, period, now=now)
            assert_same(kept, counted)
    scope = Scope(
        houses=pilot_houses, period=Period(dt.date(2025, 1, 9), dt.date(2025, 4, 26), CUSTOM), now=NOW
    )
    assert any(scope.windows(True).splits[CUR].days) and any(scope.windows(True).splits[PREV].days)
    assert_days_match_figures()


def test_kept_days_follow_every_change(pilot_houses):
    house = pilot_houses[0]
    period = Period(dt.date(2025, 1, 9), dt.date(2025, 4, 26), CUSTOM)  # edges on 1-8 Jan and 27-30 Apr
    kept, counted = both(pilot_houses, period, now=NOW)
    assert_same(kept, counted)
    # Right after changes on the days of the edges, and one crossing midnight into an edge day.
    room = make_room(house, name="Keuken")
    person = User.objects.filter(memberships__house=house).first()
    Booking.objects.create(
        **booking_values(room, person, at(dt.date(2025, 1, 8), "22:00"), at(dt.date(2025, 1, 9), "03:00"))
    )
    Booking.objects.create(
        **booking_values(room, person, at(dt.date(2025, 4, 28), "10:00"), at(dt.date(2025, 4, 28), "12:00"))
    )
    Activity.objects.filter(house=house, period__startswith__gte=at(dt.date(2025, 4, 27), "00:00")).update(
        walk_ins=9
    )
    Post.objects.create(
        house=house,
        title="Nieuw",
        body="Tekst",
        status=Post.Status.PUBLISHED,
        publish_at=at(dt.date(2025, 1, 3), "09:00"),
    )
    Booking.objects.create(  # today, after now: taken off the kept May
        **booking_values(room, person, at(NOW.date(), "16:00"), at(NOW.date(), "18:00"))
    )
    for p in (
        period,
        quarter_of(dt.date(2025, 4, 1)),
        Period(dt.date(2025, 5, 2), dt.date(2025, 5, 30), CUSTOM),
    ):
        kept, counted = both(pilot_houses, p, now=NOW)
        assert_same(kept, counted)
    assert_days_match_figures()


def test_a_kept_day_that_is_wrong_shows_negative_control(pilot_houses):
    """The kept days are what the page reads for the edges: one day's figure off (kept and counted
    compared) is seen."""
    period = Period(dt.date(2025, 1, 9), dt.date(2025, 4, 26), CUSTOM)
    kept, counted = both(pilot_houses, period, now=NOW)
    assert_same(kept, counted)
    row = DayRun.objects.filter(month=dt.date(2025, 1, 1), metric="activities_held").first()
    assert row is not None
    with connection.cursor() as cursor:  # from 1 January on, one house counts one activity more
        cursor.execute(
            "UPDATE summary_dayrun SET runs = (SELECT array_agg(x + 1 ORDER BY n) "
            "FROM unnest(runs) WITH ORDINALITY AS u (x, n)) WHERE id = %s",
            [row.pk],
        )
    kept, counted = both(pilot_houses, period, now=NOW)
    wrong = defaultdict(float)
    for window in (CUR, PREV):
        wrong[window] = kept.get(row.house_id, "activities_held", window) - counted.get(
            row.house_id, "activities_held", window
        )
    assert wrong[CUR] == -1  # 1-8 January taken off the kept January: one too many
    assert wrong[PREV] == 1  # the period before ends with 1-8 January
    with pytest.raises(AssertionError):
        assert_same(kept, counted)
