"""Months are counted only for the figures drawn per month (selectors.CHARTED): the page, the print
view and the PDF read no month of any other kept figure, and read every one of CHARTED."""

from __future__ import annotations

import datetime as dt

import pytest

from summary import report as reports
from summary.pdf import render_pdf
from summary.periods import Period
from summary.selectors import CHARTED, Store, stored_families
from tests.summary.conftest import NOW

pytestmark = pytest.mark.django_db

SPRING = Period(dt.date(2025, 4, 1), dt.date(2025, 6, 30))  # three months: the charts are drawn


def _months_read(monkeypatch, houses) -> tuple[set[str], reports.Report]:
    read: set[str] = set()
    month = Store.month

    def recording(self, metric, when):
        read.add(metric)
        return month(self, metric, when)

    monkeypatch.setattr(Store, "month", recording)
    report = reports.build(houses=houses, period=SPRING, now=NOW)
    render_pdf(report)
    return read, report


def _kept_metrics() -> set[str]:
    return {name for family in stored_families() if family.monthly for name in family.metrics}


@pytest.mark.parametrize("several", [False, True], ids=["one house", "two houses"])
def test_the_charts_read_the_months_of_charted_figures_only(monkeypatch, june, other_house, several):
    houses = [june["house"], other_house] if several else [june["house"]]
    read, _report = _months_read(monkeypatch, houses)
    kept_read = read & _kept_metrics()
    assert kept_read == CHARTED  # none of the others, and every one of them


def test_a_kept_figure_outside_the_charts_has_no_months(june):
    """Negative control: the restriction is real. room_bookings has values in June but no months;
    room_booked_hours (charted) has both."""
    report = reports.build(houses=[june["house"]], period=SPRING, now=NOW)
    store = report.store
    june_month = dt.date(2025, 6, 1)
    assert store.get(june["house"].pk, "room_bookings") > 0
    assert store.month("room_bookings", june_month) == 0
    assert store.month("room_booked_hours", june_month) == pytest.approx(9)
    assert "room_bookings" in _kept_metrics() - CHARTED
