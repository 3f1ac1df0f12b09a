"""Rooms and bookings for tests (shared by tests/activities and the permission matrix)."""

from __future__ import annotations

import datetime as dt

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from activities.models import Activity, Audience, Booking, Room, RoomHours, Signup
from activities.timeutil import make_local

RULES = "Laat de ruimte schoon achter. Geen alcohol. Om 23:00 is iedereen weg."


def at(day: dt.date, hhmm: str) -> dt.datetime:
    """The aware moment of a wall-clock time on `day` in Europe/Amsterdam."""
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return make_local(day, dt.time(hours, minutes))


def days_ahead(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def make_room(house, name: str = "Huiskamer", *, hours=((dt.time(8), dt.time(23)),), **rules) -> Room:
    """A room with the rules of the module docstring (override any with keywords)."""
    values = {
        "capacity": 20,
        "buffer_minutes": 15,
        "min_minutes": 30,
        "max_minutes": 240,
        "min_notice_hours": 2,
        "max_days_ahead": 90,
        "max_per_week": 3,
        "cancel_hours": 24,
        "rules": RULES,
    }
    values.update(rules)
    room = Room.objects.create(house=house, name=name, **values)
    RoomHours.objects.bulk_create(
        RoomHours(room=room, weekday=weekday, opens=opens, closes=closes)
        for weekday in range(7)
        for opens, closes in hours
    )
    return room


def make_booking(
    room: Room,
    booker,
    start: dt.datetime,
    end: dt.datetime,
    *,
    status: str = Booking.Status.CONFIRMED,
    title: str = "Verjaardagskoffie",
    **extra,
) -> Booking:
    """A booking written straight to the database (no rules checked; the constraints still hold)."""
    return Booking.objects.create(
        **booking_values(room, booker, start, end, status=status, title=title, **extra)
    )


def booking_values(
    room, booker, start, end, *, status=Booking.Status.CONFIRMED, title="Verjaardagskoffie", **extra
):
    """The fields of a booking, blocked range included (for Booking(...) and bulk_create)."""
    return {
        "room": room,
        "booker": booker,
        "created_by": booker,
        "period": DateTimeTZRange(start, end),
        "blocked": DateTimeTZRange(start, end + room.buffer),
        "category": Booking.Category.BIRTHDAY,
        "title": title,
        "attendees": 8,
        "status": status,
        "rules_version": room.rules_version,
        **extra,
    }


def make_activity(house, *, start=None, hours=2, capacity=5, **extra) -> Activity:
    """An activity in the park (books nothing), three days ahead, sign-up needed, 5 places."""
    start = start or timezone.now() + dt.timedelta(days=3)
    values = {
        "place": "Park",
        "title": "Wandelen in het park",
        "category": "sport",
        "audience": Audience.EVERYONE,
        "signup_required": True,
        "capacity": capacity,
    }
    values.update(extra)
    return Activity.objects.create(
        house=house, period=DateTimeTZRange(start, start + dt.timedelta(hours=hours)), **values
    )


def knitting(house, start: dt.datetime) -> Activity:
    """Knitting on the square at `start`: two hours, sign-up needed, no limit (leaving, ending)."""
    return make_activity(house, start=start, capacity=None, title="Breien", category="crafts", place="Plein")


def coming_booking_and_sign_up(house, person) -> tuple[Booking, Activity]:
    """A booking of the living room in four days and a sign-up for an activity in two, for `person`
    (what leaving and ending a house cancel)."""
    now = timezone.now()
    booking = make_booking(
        make_room(house), person, now + dt.timedelta(days=4), now + dt.timedelta(days=4, hours=2)
    )
    activity = knitting(house, now + dt.timedelta(days=2))
    Signup.objects.create(activity=activity, person=person, status="confirmed")
    return booking, activity
