"""The demo's living rooms and bookings: realistic, idempotent, and never double-booked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from activities.models import Booking, BookingSeries, Room, RoomClosure, RoomHours
from residents.models import AuditEvent
from wijkhuis.demo import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed()


def counts() -> dict[str, int]:
    models = [Room, RoomHours, RoomClosure, Booking, BookingSeries, AuditEvent]
    return {m.__name__: m.objects.count() for m in models}


def test_each_house_has_a_living_room_with_rules_hours_and_christmas(demo):
    w4 = Room.objects.get(house__slug="w4", name="Huiskamer")
    wingerd = Room.objects.get(house__slug="buurtthuis", name="Huiskamer")
    assert (w4.capacity, w4.buffer_minutes, w4.min_minutes, w4.max_minutes) == (20, 15, 30, 240)
    assert (w4.min_notice_hours, w4.max_days_ahead, w4.max_per_week, w4.cancel_hours) == (2, 90, 3, 24)
    assert not w4.needs_approval and wingerd.needs_approval
    assert w4.rules and wingerd.rules
    for room in (w4, wingerd):
        hours = {(h.weekday, h.opens, h.closes) for h in room.hours.all()}
        assert (0, dt.time(9), dt.time(22)) in hours and (6, dt.time(12), dt.time(18)) in hours
        christmas = room.closures.get()
        assert christmas.first_day == dt.date(timezone.localdate().year, 12, 24)
        assert christmas.last_day == dt.date(timezone.localdate().year, 12, 26)


def test_bookings_cover_the_past_three_months_and_the_coming_weeks(demo):
    now = timezone.now()
    bookings = Booking.objects.select_related("room", "booker")
    # The weekly series of the last three months; the pilot's history (demo_history) goes further back.
    first = bookings.filter(series__isnull=False).order_by("period").first().period.lower
    last = bookings.order_by("-period").first().period.lower
    assert now - dt.timedelta(days=100) <= first <= now - dt.timedelta(days=75)
    assert now + dt.timedelta(days=20) <= last <= now + dt.timedelta(days=35)

    w4 = bookings.filter(room__house__slug="w4")
    past_w4 = w4.filter(status="confirmed", period__endswith__lt=now)
    assert past_w4.filter(took_place=True).count() > 10
    assert past_w4.filter(took_place=False).exists()  # no-shows
    assert not w4.filter(period__startswith__gt=now).exclude(took_place=None).exists()
    assert w4.filter(status="cancelled").exclude(cancel_reason="").exists()
    assert w4.filter(is_public=True).exists() and w4.filter(is_public=False).exists()
    assert w4.filter(series__isnull=False, title="Huiswerkklas").count() > 10
    for title in ("Bewonerscommissie", "Huiswerkklas", "Taalcafé", "Praatmaatje", "Verjaardag"):
        assert bookings.filter(title__contains=title).exists(), title

    # BuurtThuis needs approval: a queue waits for staff, the rest was decided by them.
    wingerd = bookings.filter(room__house__slug="buurtthuis")
    waiting = wingerd.filter(status="requested")
    assert waiting.exists() and all(b.period.lower > now for b in waiting)
    assert not wingerd.filter(status="confirmed", decided_by=None).exists()
    assert wingerd.filter(status="declined").exclude(decision_reason="").exists()

    # The demo logins have something to look at.
    assert (
        Booking.objects.live()
        .filter(booker__email="bewoner@example.nl", room__house__slug="w4", period__startswith__gt=now)
        .exists()
    )
    assert Booking.objects.filter(booker__email="buiten@example.nl", room__house__slug="buurtthuis").exists()
    # Someone without e-mail, booked for by staff.
    assert (
        bookings.filter(booker__email=None).exclude(created_by=None).exclude(created_by__email=None).exists()
    )


def test_bookings_are_consistent_with_their_room(demo):
    for b in Booking.objects.select_related("room").prefetch_related("room__hours", "room__closures"):
        assert b.blocked.lower == b.period.lower and b.blocked.upper == b.period.upper + b.room.buffer
        assert b.rules_version == b.room.rules_version
        assert b.attendees <= b.room.capacity
        start, end = timezone.localtime(b.period.lower), timezone.localtime(b.period.upper)
        minutes = (end - start) / dt.timedelta(minutes=1)
        assert b.room.min_minutes <= minutes <= b.room.max_minutes, b
        assert any(
            h.weekday == start.weekday() and h.opens <= start.time() and end.time() <= h.closes
            for h in b.room.hours.all()
        ), b
        assert not any(c.first_day <= start.date() <= c.last_day for c in b.room.closures.all()), b


def live_overlaps() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM activities_booking a JOIN activities_booking b
              ON a.room_id = b.room_id AND a.id < b.id AND a.blocked && b.blocked
            WHERE a.status IN ('requested', 'confirmed') AND b.status IN ('requested', 'confirmed')
            """
        )
        return cursor.fetchone()[0]


def test_no_two_live_bookings_of_a_room_overlap(demo):
    assert Booking.objects.live().count() > 50
    assert live_overlaps() == 0


def test_negative_control_the_overlap_check_sees_a_double_booking(demo):
    # A cancelled booking may share its time; turning it live (bypassing the database's own
    # constraint by dropping it in this test transaction) must show up in the check.
    cancelled = Booking.objects.get(status="cancelled")
    twin = Booking.objects.live().filter(room=cancelled.room).first()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run pending FK checks, so ALTER may go
        cursor.execute("ALTER TABLE activities_booking DROP CONSTRAINT booking_no_overlap")
    Booking.objects.filter(pk=cancelled.pk).update(
        period=twin.period, blocked=twin.blocked, status="confirmed"
    )
    assert live_overlaps() == 1


def test_seeding_again_adds_nothing(demo):
    before = counts()
    assert seed() == {}
    assert counts() == before


def test_seeding_again_a_week_later_does_not_move_or_add_bookings(demo, monkeypatch):
    before = {k: v for k, v in counts().items() if k in ("Booking", "BookingSeries", "Room", "RoomHours")}
    later = timezone.now() + dt.timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: later)
    created = seed()
    assert created["bookings"] == 0
    after = {k: v for k, v in counts().items() if k in before}
    assert after == before
