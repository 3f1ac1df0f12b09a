"""Local time in Europe/Amsterdam, including the two nights a year the clocks change."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def make_local(day: dt.date, time: dt.time) -> dt.datetime:
    """The aware moment for a wall-clock time; refuses times that do not exist or exist twice."""
    zone = local_zone()
    naive = dt.datetime.combine(day, time)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    # A time in the spring gap converts to another wall-clock time and back.
    roundtrip = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if roundtrip != naive:
        raise ValidationError(
            _(
                "%(time)s does not exist on %(day)s: the clocks go forward that night. "
                "Choose a time after 03:00."
            )
            % {"time": time.strftime("%H:%M"), "day": day.strftime("%d-%m-%Y")},
            code="nonexistent",
        )
    if first.utcoffset() != second.utcoffset():
        raise ValidationError(
            _("%(time)s happens twice on %(day)s: the clocks go back that night. Choose a time after 03:00.")
            % {"time": time.strftime("%H:%M"), "day": day.strftime("%d-%m-%Y")},
            code="ambiguous",
        )
    return first


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start of this day and of the next, in local time (a day can be 23 or 25 hours long)."""
    zone = local_zone()
    start = dt.datetime.combine(day, dt.time.min).replace(tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min).replace(tzinfo=zone)
    return start, end


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def real_length(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The time that really passes. Python subtracts two datetimes of one zone by the wall clock,
    which is an hour off on the nights the clocks change; in UTC it is right."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)
