"""Reads for the living-room calendar: the bookings of a period and the days to show them on.

Everything is in local time (Europe/Amsterdam): a day runs from local midnight to local midnight,
which is 23 or 25 hours on the nights the clocks change. One query for the bookings, whatever
the number of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from activities.models import Booking
from activities.timeutil import local_day_bounds, local_zone, week_start

VIEWS = ("dag", "week", "maand")


@dataclass
class CalendarDay:
    date: dt.date
    bookings: list[Booking] = field(default_factory=list)
    in_month: bool = True  # False for the leading and trailing days of a month grid


def calendar_bookings(house, start: dt.datetime, end: dt.datetime) -> list[Booking]:
    """The live bookings of the house's rooms that overlap [start, end), in one query."""
    return list(
        Booking.objects.live()
        .in_house(house)
        .filter(period__overlap=DateTimeTZRange(start, end))
        .select_related("room")
        # What the calendar shows of a booking (activities.calendar_views._item), and no more.
        .only("title", "category", "period", "status", "is_public", "booker", "created_by", "room__name")
        .order_by("period", "room__name")
    )


def house_feed_bookings(house, start: dt.datetime, end: dt.datetime) -> list[Booking]:
    """The public live bookings of the house that overlap [start, end), for its public feed."""
    return list(
        Booking.objects.live()
        .in_house(house)
        .filter(is_public=True, period__overlap=DateTimeTZRange(start, end))
        .select_related("room")
        .order_by("period")
    )


def days_of(view: str, day: dt.date) -> list[dt.date]:
    """The dates a view shows: one day, a week from Monday, or whole weeks around a month."""
    if view == "dag":
        return [day]
    if view == "week":
        monday = week_start(day)
        return [monday + dt.timedelta(days=i) for i in range(7)]
    first = day.replace(day=1)
    last = _next_month(first) - dt.timedelta(days=1)
    start = week_start(first)
    end = week_start(last) + dt.timedelta(days=6)
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def step(view: str, day: dt.date, direction: int) -> dt.date:
    """The date of the previous (-1) or next (+1) day, week or month."""
    if view == "dag":
        return day + dt.timedelta(days=direction)
    if view == "week":
        return week_start(day) + dt.timedelta(weeks=direction)
    first = day.replace(day=1)
    if direction > 0:
        return _next_month(first)
    return (first - dt.timedelta(days=1)).replace(day=1)


def build_days(view: str, day: dt.date, bookings: list[Booking]) -> list[CalendarDay]:
    """Put each booking on every local day it touches (one that runs past midnight is on both)."""
    dates = days_of(view, day)
    days = [CalendarDay(d, in_month=(view != "maand" or d.month == day.month)) for d in dates]
    by_date = {d.date: d for d in days}
    zone = local_zone()
    for booking in bookings:
        first = booking.start.astimezone(zone).date()
        # The end is exclusive: a booking until 00:00 does not touch the next day.
        last = (booking.end.astimezone(zone) - dt.timedelta(microseconds=1)).date()
        current = max(first, dates[0])
        while current <= min(last, dates[-1]):
            by_date[current].bookings.append(booking)
            current += dt.timedelta(days=1)
    return days


def grid(view: str, day: dt.date, house) -> tuple[list[CalendarDay], int]:
    """The days of a view with their bookings, and how many bookings there are. One query."""
    dates = days_of(view, day)
    start, _end = local_day_bounds(dates[0])
    _start, end = local_day_bounds(dates[-1])
    bookings = calendar_bookings(house, start, end)
    return build_days(view, day, bookings), len(bookings)


def weeks(days: list[CalendarDay]) -> list[list[CalendarDay]]:
    """A month grid's days in rows of seven, Monday first."""
    return [days[i : i + 7] for i in range(0, len(days), 7)]


# --- the programme of activities -------------------------------------------------------------


@dataclass
class ProgrammeDay:
    date: dt.date
    activities: list = field(default_factory=list)


def programme_activities(
    user, house, start: dt.datetime, end: dt.datetime, *, category: str | None = None
) -> list:
    """The planned activities of the house starting in [start, end) that `user` may see,
    with their room, partner and organisers (their names). Two queries, whatever the number of them.
    Each activity gets `house` itself instead of a copy of the house's row (with its long texts)."""
    from django.db.models import Prefetch

    from activities.models import Activity
    from residents.models import User

    activities = (
        Activity.objects.visible_to(user)
        .planned()
        .filter(house=house, period__startswith__gte=start, period__startswith__lt=end)
        .select_related("booking__room", "partner")
        .prefetch_related(Prefetch("organisers", queryset=User.objects.only("name", "email")))
        .order_by("period", "title")
    )
    if category:
        activities = activities.filter(category=category)
    found = list(activities)
    for activity in found:
        activity.house = house
    return found


def public_week_activities(house, start: dt.datetime, end: dt.datetime, *, limit: int | None = 30) -> list:
    """The planned activities for everyone that start in [start, end): the house's home page, the
    koffiekrant, the screen in the living room (limit None: all of them). One query."""
    from activities.models import Activity, Audience

    activities = (
        Activity.objects.planned()
        .filter(
            house=house,
            audience=Audience.EVERYONE,
            period__startswith__gte=start,
            period__startswith__lt=end,
        )
        .select_related("booking__room", "house")
        .order_by("period", "title", "pk")
    )
    return list(activities if limit is None else activities[:limit])


def programme_days(activities: list) -> list[ProgrammeDay]:
    """The activities grouped by their local day, in order; days without activities are left out."""
    zone = local_zone()
    days: list[ProgrammeDay] = []
    for activity in activities:
        date = activity.start.astimezone(zone).date()
        if not days or days[-1].date != date:
            days.append(ProgrammeDay(date))
        days[-1].activities.append(activity)
    return days
