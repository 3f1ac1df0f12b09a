"""The booking form reads a room's day (closed, hours, bookings) with the rooms: the same free times
as free_slots asking the database itself, for every kind of day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities import services
from activities.models import Booking, RoomClosure, RoomHours
from tests.activities.factories import at, make_booking, make_room


def _slots(slots) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(s.start, s.latest_end) for s in slots]


@pytest.fixture
def rooms(house, resident, student, day):
    """Three rooms of one house, unlike on purpose around `day`."""
    # Two blocks on `day`'s weekday only, a tidy-up time of 30 minutes, bookings of every status,
    # one the evening before whose tidy-up time reaches into the day, one the next morning.
    split = make_room(house, "Atelier", hours=(), buffer_minutes=30)
    RoomHours.objects.create(room=split, weekday=day.weekday(), opens=dt.time(13), closes=dt.time(17))
    RoomHours.objects.create(room=split, weekday=day.weekday(), opens=dt.time(9), closes=dt.time(12))
    RoomHours.objects.create(room=split, weekday=(day.weekday() + 1) % 7, opens=dt.time(8), closes=dt.time(9))
    make_booking(split, resident, at(day, "10:00"), at(day, "11:00"))
    make_booking(split, student, at(day, "14:00"), at(day, "15:00"), status=Booking.Status.REQUESTED)
    make_booking(split, student, at(day, "15:30"), at(day, "16:00"), status=Booking.Status.CANCELLED)
    before = day - dt.timedelta(days=1)
    make_booking(split, resident, at(before, "23:00"), at(day, "00:00"))
    make_booking(
        split, resident, at(day + dt.timedelta(days=1), "08:00"), at(day + dt.timedelta(days=1), "08:30")
    )
    # The usual room (8-23 every day) with a booking, closed the day after `day`.
    usual = make_room(house, "Huiskamer")
    make_booking(usual, resident, at(day, "19:00"), at(day, "21:00"))
    RoomClosure.objects.create(
        room=usual, first_day=day + dt.timedelta(days=1), last_day=day + dt.timedelta(days=1)
    )
    # No set hours at all: any time of day.
    anytime = make_room(house, "Tuin", hours=())
    make_booking(anytime, student, at(day, "12:00"), at(day, "13:00"))
    return split, usual, anytime


@pytest.mark.parametrize("offset", [-1, 0, 1, 2])
def test_the_facts_read_with_the_rooms_give_the_same_free_times(rooms, house, day, offset):
    asked = day + dt.timedelta(days=offset)
    now = at(day - dt.timedelta(days=2), "12:00")
    with_day = {room.pk: room for room in services.rooms_with_day(house, asked)}
    assert set(with_day) == {room.pk for room in rooms}
    for room in rooms:
        asked_itself = services.free_slots(room, asked, now=now)
        read_with_rooms = services.free_slots(
            with_day[room.pk], asked, now=now, facts=services.day_facts(with_day[room.pk])
        )
        assert _slots(read_with_rooms) == _slots(asked_itself), (room.name, offset)


def test_the_rooms_day_is_what_it_should_be(rooms, house, day):
    split, usual, anytime = rooms
    with_day = {room.pk: room for room in services.rooms_with_day(house, day)}
    facts = services.day_facts(with_day[split.pk])
    assert facts.hours == [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(17))]  # in the order of the day
    assert not facts.closed
    # Confirmed and requested bookings of the day and the evening before (its tidy-up time reaches
    # into the day); not the cancelled one, and not the next morning's (beyond 30 minutes).
    assert sorted(r.lower for r in facts.taken) == [
        at(day - dt.timedelta(days=1), "23:00"),
        at(day, "10:00"),
        at(day, "14:00"),
    ]
    assert services.day_facts(with_day[anytime.pk]).hours is None
    closed_day = {room.pk: room for room in services.rooms_with_day(house, day + dt.timedelta(days=1))}
    assert services.day_facts(closed_day[usual.pk]).closed
    assert (
        services.free_slots(usual, day + dt.timedelta(days=1), facts=services.day_facts(closed_day[usual.pk]))
        == []
    )


def test_facts_of_another_day_would_give_other_free_times(rooms, house, day):
    """Negative control: the comparison above can fail."""
    split = rooms[0]
    now = at(day - dt.timedelta(days=2), "12:00")
    other = {room.pk: room for room in services.rooms_with_day(house, day + dt.timedelta(days=1))}[split.pk]
    assert _slots(services.free_slots(split, day, now=now, facts=services.day_facts(other))) != _slots(
        services.free_slots(split, day, now=now)
    )


def test_the_rooms_and_their_day_are_one_query(rooms, house, day):
    with CaptureQueriesContext(connection) as queries:
        with_day = services.rooms_with_day(house, day)
        for room in with_day:
            services.free_slots(room, day, facts=services.day_facts(room))
    assert len(queries) == 1
    assert [room.name for room in with_day] == ["Atelier", "Huiskamer", "Tuin"]  # as Room's ordering
