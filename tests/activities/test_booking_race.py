"""Thirty residents book the same slot at the same moment: exactly one gets it, the rest a clear message.

Real threads, real transactions. The negative control drops the exclusion constraint and shows the
same test then finds a double booking, so the test can fail; the constraint is put back exactly.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation

from activities import services
from activities.models import Booking
from activities.services import BookingDetails, BookingError
from tests.activities.factories import at, days_ahead, make_room
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 30
CONSTRAINT = "booking_no_overlap"


@pytest.fixture
def people(house, make_user):
    return [make_user(f"bewoner{i}@example.nl", f"Bewoner {i}", house, "resident") for i in range(THREADS)]


@pytest.fixture
def race_room(house):
    return make_room(house, "Huiskamer")


def _messages() -> set[str]:
    with translation.override("nl"):
        return {str(services.ALREADY_TAKEN), str(services.TAKEN_MESSAGE)}


def _booker(barrier: threading.Barrier, room, person, day):
    def go():
        barrier.wait(60)  # generous: 30 threads open connections on a loaded 2-core machine
        with translation.override("nl"):
            return services.create_booking(
                room=room,
                by=person,
                booker=person,
                start=at(day, "14:00"),
                end=at(day, "16:00"),
                details=BookingDetails(category="birthday", title=f"Feest {person.name}", attendees=10),
                rules_accepted=True,
            )

    return go


def _race(room, people, day):
    barrier = threading.Barrier(len(people))
    return run_in_threads(*(_booker(barrier, room, p, day) for p in people), timeout=120)


def _constraint_sql() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = %s AND conrelid = %s::regclass",
            [CONSTRAINT, Booking._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _all_pass_the_pre_check_first(monkeypatch, n: int) -> None:
    """Every thread finishes the rule check before any writes: the worst interleaving, every time."""
    original = services.rule_problems
    checked = threading.Barrier(n)

    def rule_problems(**kwargs):
        problems = original(**kwargs)
        checked.wait(60)
        return problems

    monkeypatch.setattr(services, "rule_problems", rule_problems)


def assert_exactly_one_winner(results, room) -> None:
    wins = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1, f"{len(wins)} bookings were made"
    unexpected = [e for e in errors if not isinstance(e, BookingError)]
    assert not unexpected, unexpected
    allowed = _messages()
    assert {str(e) for e in errors} <= allowed
    assert all(e.problems[0][0] == "start" for e in errors)
    assert Booking.objects.live().filter(room=room).count() == 1
    assert Booking.objects.get(room=room).pk == wins[0].pk


def test_thirty_at_once_leave_exactly_one_booking(race_room, people):
    results = _race(race_room, people, days_ahead(3))
    assert_exactly_one_winner(results, race_room)


def test_when_all_pass_the_pre_check_the_constraint_still_leaves_one(race_room, people, monkeypatch):
    _all_pass_the_pre_check_first(monkeypatch, len(people))

    results = _race(race_room, people, days_ahead(3))

    assert_exactly_one_winner(results, race_room)
    # Here it was the database that said no, every time.
    with translation.override("nl"):
        taken = str(services.TAKEN_MESSAGE)
    assert [str(v) for k, v in results if k == "error"] == [taken] * (len(people) - 1)


def test_negative_control_without_the_constraint_the_race_double_books(race_room, people, monkeypatch):
    """Proves the tests above can fail: with only the pre-check, everyone who checked at once gets in."""
    before = _constraint_sql()
    assert before is not None, "the exclusion constraint is missing before the test"
    constraint = next(c for c in Booking._meta.constraints if c.name == CONSTRAINT)
    _all_pass_the_pre_check_first(monkeypatch, len(people))
    try:
        with connection.schema_editor() as editor:
            editor.remove_constraint(Booking, constraint)
        assert _constraint_sql() is None

        results = _race(race_room, people, days_ahead(3))

        made = Booking.objects.live().filter(room=race_room).count()
        assert made > 1, "without the constraint the test should have found a double booking"
        assert made == len([k for k, _v in results if k == "ok"])
        with pytest.raises(AssertionError, match="bookings were made"):
            assert_exactly_one_winner(results, race_room)
    finally:
        # The overlapping rows would stop the constraint from coming back; schema changes are not
        # rolled back or flushed, so put it back exactly as the migration made it.
        Booking.objects.filter(room=race_room).delete()
        if _constraint_sql() is None:
            with connection.schema_editor() as editor:
                editor.add_constraint(Booking, constraint)
    assert _constraint_sql() == before
