"""Someone books the living room, signs up, plans an activity or takes a duty while staff end the
house: it waits for the ending and is then refused, so nothing new outlives the house
(residents.ending.hold_open)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone

from activities import programme, services, signups
from activities.models import Activity, Booking, Signup
from activities.timeutil import make_local
from duties import duties
from duties.models import DutyAssignment
from residents import ending, registry
from residents.models import House, User
from tests.activities.factories import days_ahead, knitting, make_room
from tests.duties.test_duties import make_duty
from tests.threads import run_in_threads, someone_waits_for_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


def _race(monkeypatch, house, staff, start_something):
    """End the house; while its transaction is open (everything coming already cancelled, not yet
    committed), `start_something` runs in another thread. Returns the threads' results."""
    in_ending, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_last_ender(house, *, by, now, preview):
        if not preview:
            in_ending.set()
            assert release.wait(20), "the test never let the ending finish"
        return ending.Cancelled()

    monkeypatch.setattr(registry, "house_enders", [*registry.house_enders, slow_last_ender])

    def end():
        return ending.end_house(House.objects.get(pk=house.pk), by=staff)

    def start():
        assert in_ending.wait(20)
        try:
            return start_something()
        finally:
            done.set()

    def release_when_waiting_or_done():
        assert in_ending.wait(20)
        while not done.is_set() and not someone_waits_for_a_lock():
            threading.Event().wait(0.02)
        release.set()

    return run_in_threads(end, start, release_when_waiting_or_done)


def _booking(house, resident):
    room = make_room(house)
    day = days_ahead(3)

    def book():
        return services.create_booking(
            room=room,
            by=User.objects.get(pk=resident.pk),
            booker=User.objects.get(pk=resident.pk),
            start=make_local(day, dt.time(14)),
            end=make_local(day, dt.time(16)),
            details=services.BookingDetails(category="birthday", title="Koffie", attendees=4),
            rules_accepted=True,
        )

    return room, book


def _sign_up(house, resident):
    activity = knitting(house, timezone.now() + dt.timedelta(days=2))

    def sign_up():
        person = User.objects.get(pk=resident.pk)
        return signups.sign_up(activity=activity, person=person, by=person)

    return activity, sign_up


def test_a_booking_during_the_ending_waits_and_is_refused(monkeypatch, house, resident, staff):
    room, book = _booking(house, resident)
    ended, booked, _ = _race(monkeypatch, house, staff, book)
    assert ended[0] == "ok", ended
    assert booked[0] == "error" and isinstance(booked[1], services.BookingError), booked
    assert str(booked[1]) == "Dit huis is gestopt: hier kan niets nieuws meer beginnen."
    assert not Booking.objects.filter(room=room).exists()


def test_a_sign_up_during_the_ending_waits_and_is_refused(monkeypatch, house, resident, staff):
    activity, sign_up = _sign_up(house, resident)
    ended, signed, _ = _race(monkeypatch, house, staff, sign_up)
    assert ended[0] == "ok", ended
    assert signed[0] == "error" and isinstance(signed[1], signups.SignupError), signed
    assert not Signup.objects.filter(activity=activity, status__in=signups.LIVE).exists()


def test_planning_an_activity_during_the_ending_waits_and_is_refused(monkeypatch, house, staff):
    start = timezone.now() + dt.timedelta(days=5)

    def plan():
        return programme.create_activity(
            house=House.objects.get(pk=house.pk),
            by=User.objects.get(pk=staff.pk),
            title="Soep koken",
            description="",
            category="food",
            audience="everyone",
            capacity=None,
            signup_required=False,
            start=start,
            end=start + dt.timedelta(hours=2),
            place="Keuken",
        )

    ended, planned, _ = _race(monkeypatch, house, staff, plan)
    assert ended[0] == "ok", ended
    assert planned[0] == "error" and isinstance(planned[1], programme.ProgrammeError), planned
    assert str(planned[1]) == "Dit huis is gestopt: hier kan niets nieuws meer beginnen."
    assert not Activity.objects.filter(house=house, title="Soep koken").exists()


def test_taking_a_duty_during_the_ending_waits_and_is_refused(monkeypatch, house, student, staff):
    duty = make_duty(house)

    def take():
        return duties.take_duty(duty_id=duty.pk, student=User.objects.get(pk=student.pk))

    ended, taken, _ = _race(monkeypatch, house, staff, take)
    assert ended[0] == "ok", ended
    assert taken[0] == "error" and isinstance(taken[1], duties.DutyError), taken
    assert str(taken[1]) == "Dit huis is gestopt: hier kan niets nieuws meer beginnen."
    assert not DutyAssignment.objects.filter(duty=duty, status=DutyAssignment.Status.ACTIVE).exists()


def test_negative_control_without_the_lock_a_booking_outlives_the_house(monkeypatch, house, resident, staff):
    monkeypatch.setattr(services, "hold_open", lambda house_id: True)
    room, book = _booking(house, resident)
    ended, booked, _ = _race(monkeypatch, house, staff, book)
    assert ended[0] == "ok" and booked[0] == "ok", (ended, booked)
    assert House.objects.get(pk=house.pk).ended_at is not None
    assert Booking.objects.get(room=room).status == Booking.Status.CONFIRMED  # live in an ended house


def test_bookings_do_not_wait_for_each_other(house, resident, student):
    """The house lock is shared: two bookings in one house at once do not queue on it."""
    from django.db import connections, transaction

    first_has_it, second_done = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            assert ending.hold_open(house.pk)
            first_has_it.set()
            return second_done.wait(10)  # still holding the lock while the second takes it

    def second():
        assert first_has_it.wait(10)
        with transaction.atomic():
            held = ending.hold_open(house.pk)
        second_done.set()
        return held

    (a, b) = run_in_threads(first, second)
    assert a == ("ok", True) and b == ("ok", True), (a, b)
    connections.close_all()
