"""The period a summary covers: the pilot by default, a month, quarter or year, or any range.

Read from the address (`?periode=pilot|maand|kwartaal|jaar|anders&van=YYYY-MM-DD&tot=YYYY-MM-DD`), so a
summary can be bookmarked and printed. Input that makes no sense shows the pilot with a message, never
an error page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.timeutil import local_day_bounds

PILOT, MONTH, QUARTER, YEAR, CUSTOM = "pilot", "maand", "kwartaal", "jaar", "anders"
KINDS = (PILOT, MONTH, QUARTER, YEAR, CUSTOM)
KIND_LABELS = {
    PILOT: gettext_lazy("the whole pilot"),
    MONTH: gettext_lazy("a month"),
    QUARTER: gettext_lazy("a quarter"),
    YEAR: gettext_lazy("a year"),
    CUSTOM: gettext_lazy("from and until dates of your own"),
}
# A pilot without dates, and the fallback of each missing end: a year (365 days).
PILOT_DAYS = 365
MAX_DAYS = 5 * 366  # longer ranges are refused: the charts and comparisons stop making sense
FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass(frozen=True)
class Period:
    """Whole days, both included."""

    first_day: dt.date
    last_day: dt.date
    kind: str = CUSTOM

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> Period:
        """The period right before: the previous month, quarter or year, else as many days."""
        if self.kind == MONTH:
            return month_of(self.first_day - dt.timedelta(days=1))
        if self.kind == QUARTER:
            return quarter_of(self.first_day - dt.timedelta(days=1))
        if self.kind == YEAR:
            return year_of(self.first_day - dt.timedelta(days=1))
        last = self.first_day - dt.timedelta(days=1)
        return Period(last - dt.timedelta(days=self.days - 1), last, CUSTOM)

    def next(self) -> Period:
        """The period right after (only used to step through months, quarters and years)."""
        day = self.last_day + dt.timedelta(days=1)
        return {MONTH: month_of, QUARTER: quarter_of, YEAR: year_of}.get(self.kind, month_of)(day)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The first moment of the first day and the first moment after the last day (local time)."""
        return local_day_bounds(self.first_day)[0], local_day_bounds(self.last_day)[1]

    def months(self) -> list[dt.date]:
        """The first day of every month the period touches."""
        months = []
        month = self.first_day.replace(day=1)
        while month <= self.last_day:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months

    def overlap_days(self, first: dt.date, last: dt.date) -> int:
        start, end = max(first, self.first_day), min(last, self.last_day)
        return max(0, (end - start).days + 1)

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return date_format(self.first_day, "F Y")
        if self.kind == QUARTER:
            return _("quarter %(n)s of %(year)s") % {
                "n": (self.first_day.month - 1) // 3 + 1,
                "year": self.first_day.year,
            }
        if self.kind == YEAR:
            return str(self.first_day.year)
        return span(self.first_day, self.last_day)

    def params(self) -> dict[str, str]:
        """The query parameters that choose this period again."""
        if self.kind == PILOT:
            return {"periode": PILOT}
        if self.kind in (MONTH, QUARTER, YEAR):
            return {"periode": self.kind, "van": self.first_day.isoformat()}
        return {"periode": CUSTOM, "van": self.first_day.isoformat(), "tot": self.last_day.isoformat()}


def span(first: dt.date, last: dt.date) -> str:
    return _("%(first)s up to and including %(last)s") % {
        "first": date_format(first, "j F Y"),
        "last": date_format(last, "j F Y"),
    }


def month_of(day: dt.date) -> Period:
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period(first, last, MONTH)


def quarter_of(day: dt.date) -> Period:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last = (first + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    return Period(first, last, QUARTER)


def year_of(day: dt.date) -> Period:
    return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), YEAR)


def house_pilot(house, today: dt.date) -> tuple[dt.date, dt.date]:
    """A house's pilot; a missing end counts as a year from the other, none as the last 12 months."""
    start, end = house.pilot_start, house.pilot_end
    year = dt.timedelta(days=PILOT_DAYS - 1)
    if start is None and end is None:
        return today - year, today
    if start is None:
        return end - year, end
    if end is None:
        return start, start + year
    return start, end


def pilot_period(houses: Iterable, today: dt.date) -> Period:
    """One house's pilot; for several, from the earliest start to the latest end of those with dates."""
    houses = list(houses)
    dated = [h for h in houses if h.pilot_start or h.pilot_end]
    if not dated:
        first, last = house_pilot(houses[0] if houses else None, today) if houses else (None, None)
        if first is None:
            year = dt.timedelta(days=PILOT_DAYS - 1)
            first, last = today - year, today
        return Period(first, last, PILOT)
    edges = [house_pilot(h, today) for h in dated]
    return Period(min(e[0] for e in edges), max(e[1] for e in edges), PILOT)


def _date(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
        return day
    return None


class _Refused(Exception):
    pass


def _day(params: Mapping[str, str], name: str, *, required: bool) -> dt.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        if required:
            raise _Refused(_("Choose a start date and an end date for a period of your own."))
        return None
    day = _date(raw[:40])
    if day is None:
        raise _Refused(
            _("“%(value)s” is not a date we understand. Use a date like 31-12-2025.") % {"value": raw[:40]}
        )
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _Refused(
            _("Choose dates between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return day


def parse_period(params: Mapping[str, str], *, pilot: Period, today: dt.date) -> tuple[Period, str]:
    """The period the address asks for, and a message ("" if all is well); bad input: the pilot."""
    kind = (params.get("periode") or "").strip().lower()
    if not kind:
        # Dates without a kind, as a form without the choice sends them: a period of one's own.
        kind = CUSTOM if params.get("van") or params.get("tot") else PILOT
    try:
        if kind == PILOT:
            return pilot, ""
        if kind in (MONTH, QUARTER, YEAR):
            day = _day(params, "van", required=False) or today
            return {MONTH: month_of, QUARTER: quarter_of, YEAR: year_of}[kind](day), ""
        if kind == CUSTOM:
            first = _day(params, "van", required=True)
            last = _day(params, "tot", required=True)
            if last < first:
                raise _Refused(_("The end date is before the start date."))
            period = Period(first, last, CUSTOM)
            if period.days > MAX_DAYS:
                raise _Refused(_("Choose a period of at most 5 years."))
            return period, ""
        raise _Refused(_("We do not know this kind of period."))
    except _Refused as refused:
        return pilot, _("%(problem)s We show the whole pilot instead.") % {"problem": refused.args[0]}
