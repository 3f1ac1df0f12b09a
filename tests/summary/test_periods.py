"""Choosing the period of a summary: from the address, with bad input shown as a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from summary.periods import Period, house_pilot, month_of, parse_period, pilot_period, quarter_of, year_of
from tests.factories import make_house

D = dt.date
TODAY = D(2025, 7, 15)
PILOT = Period(D(2025, 1, 1), D(2025, 12, 31), "pilot")


def parse(**params):
    with translation.override("nl"):
        return parse_period(params, pilot=PILOT, today=TODAY)


def test_without_a_choice_the_pilot():
    assert parse() == (PILOT, "")
    assert parse(periode="pilot") == (PILOT, "")


@pytest.mark.parametrize(
    ("params", "first", "last"),
    [
        ({"periode": "maand"}, D(2025, 7, 1), D(2025, 7, 31)),
        ({"periode": "maand", "van": "2024-02-10"}, D(2024, 2, 1), D(2024, 2, 29)),
        ({"periode": "kwartaal", "van": "2025-05-31"}, D(2025, 4, 1), D(2025, 6, 30)),
        ({"periode": "kwartaal"}, D(2025, 7, 1), D(2025, 9, 30)),
        ({"periode": "jaar", "van": "2024-03-03"}, D(2024, 1, 1), D(2024, 12, 31)),
        ({"periode": "anders", "van": "2025-03-10", "tot": "2025-03-16"}, D(2025, 3, 10), D(2025, 3, 16)),
        ({"van": "10-03-2025", "tot": "16-03-2025"}, D(2025, 3, 10), D(2025, 3, 16)),  # Dutch dates too
    ],
)
def test_months_quarters_years_and_dates_of_your_own(params, first, last):
    period, problem = parse(**params)
    assert (period.first_day, period.last_day, problem) == (first, last, "")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"periode": "anders", "van": "2025-06-30", "tot": "2025-06-01"},
            "De einddatum ligt voor de begindatum. We laten daarom de hele pilot zien.",
        ),
        (
            {"periode": "anders", "van": "2025-02-31", "tot": "2025-03-01"},
            "“2025-02-31” is geen datum die we begrijpen. Schrijf een datum zoals 31-12-2025.",
        ),
        (
            {"periode": "maand", "van": "gisteren"},
            "“gisteren” is geen datum die we begrijpen. Schrijf een datum zoals 31-12-2025.",
        ),
        (
            {"periode": "anders", "van": "2005-01-01", "tot": "2024-12-31"},
            "Kies een periode van hoogstens 5 jaar. We laten daarom de hele pilot zien.",
        ),
        ({"periode": "anders", "van": "0001-01-01", "tot": "2025-01-01"}, "Kies data tussen 2000 en 2099."),
        (
            {"periode": "anders", "van": "2025-01-01"},
            "Kies een begindatum en een einddatum voor je eigen periode.",
        ),
        ({"periode": "week"}, "Deze soort periode kennen we niet. We laten daarom de hele pilot zien."),
    ],
)
def test_bad_input_gives_the_pilot_and_says_why(params, message):
    period, problem = parse(**params)
    assert period == PILOT
    assert message in problem


def test_the_period_before_has_the_same_length():
    assert month_of(D(2025, 3, 5)).previous() == month_of(D(2025, 2, 1))
    assert quarter_of(D(2025, 1, 5)).previous() == quarter_of(D(2024, 12, 1))
    assert year_of(D(2025, 1, 5)).previous() == year_of(D(2024, 1, 1))
    week = Period(D(2025, 3, 10), D(2025, 3, 16))
    assert week.previous() == Period(D(2025, 3, 3), D(2025, 3, 9))
    # 365 days right before: 2024 is a leap year, so from 2 January.
    assert PILOT.previous() == Period(D(2024, 1, 2), D(2024, 12, 31))
    assert PILOT.previous().days == PILOT.days


def test_labels_are_dutch():
    with translation.override("nl"):
        assert month_of(D(2025, 3, 5)).label == "maart 2025"
        assert quarter_of(D(2025, 5, 5)).label == "kwartaal 2 van 2025"
        assert Period(D(2025, 3, 10), D(2025, 3, 16)).label == "10 maart 2025 t/m 16 maart 2025"


@pytest.mark.django_db
def test_the_pilot_of_one_house_and_of_several():
    with_dates = make_house("a", "A", pilot_start=D(2025, 2, 1), pilot_end=D(2026, 1, 31))
    later = make_house("b", "B", pilot_start=D(2025, 6, 1), pilot_end=D(2026, 5, 31))
    start_only = make_house("c", "C", pilot_start=D(2025, 3, 1))
    without = make_house("d", "D")
    assert pilot_period([with_dates], TODAY) == Period(D(2025, 2, 1), D(2026, 1, 31), "pilot")
    assert pilot_period([with_dates, later, without], TODAY) == Period(D(2025, 2, 1), D(2026, 5, 31), "pilot")
    assert house_pilot(start_only, TODAY) == (D(2025, 3, 1), D(2026, 2, 28))
    # No dates at all: the last 12 months.
    assert pilot_period([without], TODAY) == Period(D(2024, 7, 16), TODAY, "pilot")
