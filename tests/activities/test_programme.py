"""The programme's services: activities hold their room time like bookings; series with exceptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities import programme
from activities.models import (
    Activity,
    ActivitySeries,
    Audience,
    Booking,
    BookingSeries,
    Category,
    Idea,
    Signup,
)
from activities.services import ALREADY_TAKEN, BookingError
from residents.models import AuditEvent
from tests.activities.factories import at, days_ahead, make_booking

WEEKLY = BookingSeries.Frequency.WEEKLY


def values(**extra):
    base = {
        "title": "Koffieochtend",
        "description": "Koffie, thee en een praatje.",
        "category": Category.COFFEE,
        "audience": Audience.EVERYONE,
        "capacity": 12,
        "signup_required": True,
    }
    return base | extra


def plan(house, by, day, start="10:00", end="12:00", **extra):
    return programme.create_activity(
        house=house, by=by, start=at(day, start), end=at(day, end), **values(**extra)
    )


def messages_of(err: BookingError) -> list[str]:
    return [str(m) for _f, m in err.problems]


# --- one activity ------------------------------------------------------------------------------


def test_activity_in_a_room_holds_its_time_with_a_booking(house, room, student, day):
    activity = plan(house, student, day, room=room, organisers=[student])

    booking = activity.booking
    assert booking.room == room and booking.status == Booking.Status.CONFIRMED
    assert booking.category == Booking.Category.ACTIVITY and booking.is_public
    assert booking.attendees == 12 and booking.period == activity.period
    assert list(activity.organisers.all()) == [student]
    assert AuditEvent.objects.filter(action="activity.created", target_id=str(activity.pk)).exists()


def test_attendees_of_the_booking_are_capped_at_the_room(house, room, student, day):
    activity = plan(house, student, day, room=room, capacity=None, audience=Audience.MEMBERS)
    assert activity.booking.attendees == room.capacity
    assert not activity.booking.is_public
    activity = plan(house, student, day, "14:00", "15:00", room=room, capacity=200)
    assert activity.booking.attendees == room.capacity


def test_a_slot_taken_by_a_booking_is_refused(house, room, student, resident, day):
    make_booking(room, resident, at(day, "10:30"), at(day, "11:30"))
    with pytest.raises(BookingError) as err:
        plan(house, student, day, room=room)
    assert str(ALREADY_TAKEN) in messages_of(err.value)
    assert not Activity.objects.exists()


def test_planners_are_not_held_to_the_residents_limits(house, room, student, resident):
    far = days_ahead(room.max_days_ahead + 30)
    assert plan(house, student, far, room=room).booking.start == at(far, "10:00")
    # More than max_per_week (3) in one week.
    monday = far - dt.timedelta(days=far.weekday()) + dt.timedelta(weeks=1)
    for i in range(room.max_per_week + 2):
        plan(house, student, monday + dt.timedelta(days=i), room=room)
    assert Activity.objects.count() == room.max_per_week + 3


def test_without_a_room_a_place_is_needed_and_nothing_is_booked(house, student, day):
    with pytest.raises(BookingError) as err:
        plan(house, student, day, place="  ")
    with translation.override("nl"):
        assert gettext("Choose a room, or say where it is.") in messages_of(err.value)
    activity = plan(house, student, day, place="Het park achter W4")
    assert activity.booking is None and activity.where == "Het park achter W4"
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": "09:00"}, "end"),
        ({"capacity": 0}, "capacity"),
        ({"title": " "}, "title"),
    ],
)
def test_bad_values_are_refused(house, room, student, day, change, field):
    end = change.pop("end", "12:00")
    with pytest.raises(BookingError) as err:
        plan(house, student, day, end=end, room=room, **change)
    assert field in [f for f, _m in err.value.problems]
    assert not Activity.objects.exists() and not Booking.objects.exists()


def test_a_past_date_is_refused(house, student):
    with pytest.raises(BookingError) as err:
        plan(house, student, days_ahead(-1), place="Park")
    assert "date" in [f for f, _m in err.value.problems]
    assert not Activity.objects.exists()


def test_a_room_of_another_house_is_refused(house, other_room, student, day):
    with pytest.raises(BookingError) as err:
        plan(house, student, day, room=other_room)
    assert "room" in [f for f, _m in err.value.problems]
    assert not Activity.objects.exists() and not Booking.objects.exists()


@pytest.mark.parametrize("persona", ["resident", "viewer", "outsider"])
def test_only_planners_plan(request, house, room, day, persona):
    person = request.getfixturevalue(persona)
    with pytest.raises(BookingError) as err:
        plan(house, person, day, room=room)
    with translation.override("nl"):
        assert messages_of(err.value) == [gettext("You cannot plan activities in this house.")]
    assert not Activity.objects.exists()


@pytest.mark.parametrize("persona", ["student", "coordinator", "staff", "superuser"])
def test_planners_plan(request, house, room, day, persona):
    person = request.getfixturevalue(persona)
    assert plan(house, person, day, room=room).pk


def test_from_an_idea_links_it(house, student, resident, day):
    idea = Idea.objects.create(house=house, proposer=resident, title="Samen sporten")
    activity = plan(house, student, day, place="Park", idea=idea)
    idea.refresh_from_db()
    assert idea.activity == activity and idea.status == Idea.Status.PLANNED


# --- changing and cancelling one date ----------------------------------------------------------


def update(activity, by, day, start="10:00", end="12:00", **extra):
    room = extra.pop("room", activity.booking.room if activity.booking_id else None)
    return programme.update_activity(
        activity=activity,
        by=by,
        start=at(day, start),
        end=at(day, end),
        room=room,
        place=extra.pop("place", activity.place),
        **values(**extra),
    )


def test_moving_a_date_moves_its_booking(house, room, student, day):
    activity = plan(house, student, day, room=room)
    update(activity, student, day, "14:00", "16:00", title="Koffiemiddag")
    booking = Booking.objects.get()
    assert booking.start == at(day, "14:00") and booking.title == "Koffiemiddag"
    assert booking.status == Booking.Status.CONFIRMED
    # The old time is free: a resident can book it.
    make_booking(room, student, at(day, "10:00"), at(day, "12:00"))


def test_moving_onto_a_taken_time_is_refused(house, room, student, resident, day):
    activity = plan(house, student, day, room=room)
    make_booking(room, resident, at(day, "14:00"), at(day, "15:00"))
    with pytest.raises(BookingError) as err:
        update(activity, student, day, "14:30", "16:00")
    assert str(ALREADY_TAKEN) in messages_of(err.value)
    activity.refresh_from_db()
    assert activity.start == at(day, "10:00")


def test_moving_to_a_place_frees_the_room(house, room, student, day):
    activity = plan(house, student, day, room=room)
    activity = update(activity, student, day, room=None, place="Het park")
    assert activity.booking is None and activity.place == "Het park"
    assert Booking.objects.get().status == Booking.Status.CANCELLED


def test_cancelling_frees_the_slot_and_tells_who_signed_up(house, room, student, resident, day, make_user):
    activity = plan(house, student, day, room=room)
    waiting = make_user("wacht@example.nl", "Wim Wacht", house, "resident")
    gone = make_user("weg@example.nl", "Wendy Weg", house, "resident")
    Signup.objects.create(activity=activity, person=resident, status=Signup.Status.CONFIRMED)
    Signup.objects.create(activity=activity, person=waiting, status=Signup.Status.WAITING)
    Signup.objects.create(activity=activity, person=gone, status=Signup.Status.CANCELLED)
    mail.outbox.clear()

    programme.cancel_activity(activity=activity, by=student, reason="De student is ziek.")

    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert activity.booking.status == Booking.Status.CANCELLED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, waiting.email])
    assert "De student is ziek." in mail.outbox[0].body
    make_booking(room, resident, at(day, "10:00"), at(day, "12:00"))  # the slot is free
    assert AuditEvent.objects.filter(action="activity.cancelled").count() == 1


def test_cancelling_needs_a_reason_and_a_planner(house, room, student, resident, day):
    activity = plan(house, student, day, room=room)
    with pytest.raises(BookingError):
        programme.cancel_activity(activity=activity, by=student, reason=" ")
    with pytest.raises(BookingError):
        programme.cancel_activity(activity=activity, by=resident, reason="Weg")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED and activity.booking.is_live


def test_past_activities_cannot_be_changed_or_cancelled(house, student, day):
    activity = plan(house, student, day, place="Park")
    Activity.objects.filter(pk=activity.pk).update(
        period=(at(days_ahead(-2), "10:00"), at(days_ahead(-2), "12:00"))
    )
    activity.refresh_from_db()
    with pytest.raises(BookingError):
        programme.cancel_activity(activity=activity, by=student, reason="Te laat")
    with pytest.raises(BookingError):
        update(activity, student, day)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED and activity.title == "Koffieochtend"


# --- series ------------------------------------------------------------------------------------


def make_series(house, by, first, weeks=4, **extra):
    return programme.create_series(
        house=house,
        by=by,
        frequency=WEEKLY,
        first_day=first,
        last_day=first + dt.timedelta(weeks=weeks - 1),
        start_time=dt.time(10),
        end_time=dt.time(12),
        **values(**extra),
    )


def test_a_series_skips_taken_dates(house, room, student, resident, day):
    make_booking(
        room, resident, at(day + dt.timedelta(weeks=1), "11:00"), at(day + dt.timedelta(weeks=1), "12:00")
    )
    series, made, skipped = make_series(house, student, day, room=room, organisers=[student])

    assert [s.day for s in skipped] == [day + dt.timedelta(weeks=1)]
    assert [timezone.localdate(a.start) for a in made] == [day + dt.timedelta(weeks=w) for w in (0, 2, 3)]
    assert all(a.series == series and a.booking.is_live for a in made)
    assert Booking.objects.filter(category=Booking.Category.ACTIVITY).count() == 3
    assert AuditEvent.objects.filter(action="activity_series.created").count() == 1


def test_a_series_with_no_free_date_plans_nothing(house, room, student, resident, day):
    for w in range(2):
        d = day + dt.timedelta(weeks=w)
        make_booking(room, resident, at(d, "09:00"), at(d, "13:00"))
    with pytest.raises(BookingError):
        make_series(house, student, day, weeks=2, room=room)
    assert not ActivitySeries.objects.exists() and not Activity.objects.exists()


def test_a_series_has_at_most_52_dates(house, student, day):
    _series, made, _skipped = make_series(house, student, day, weeks=80, place="Park")
    assert len(made) == 52


def test_series_edits_skip_a_moved_date(house, room, student, day):
    series, made, _ = make_series(house, student, day, room=room)
    moved = made[1]
    update(moved, student, timezone.localdate(moved.start), "15:00", "16:00", title="Extra lang")
    moved.refresh_from_db()
    assert moved.moved

    changed = programme.update_series(
        series=series,
        by=student,
        start_time=dt.time(9, 30),
        end_time=dt.time(11),
        room=room,
        **values(title="Koffie en krant"),
    )

    assert len(changed) == 3
    for activity in Activity.objects.filter(series=series).exclude(pk=moved.pk).select_related("booking"):
        local = timezone.localtime(activity.start)
        assert (local.time(), activity.title) == (dt.time(9, 30), "Koffie en krant")
        assert activity.booking.period == activity.period
    moved.refresh_from_db()
    assert moved.title == "Extra lang" and timezone.localtime(moved.start).time() == dt.time(15)
    series.refresh_from_db()
    assert series.title == "Koffie en krant" and series.start_time == dt.time(9, 30)


def test_a_series_edit_onto_a_taken_time_changes_nothing(house, room, student, resident, day):
    series, _made, _ = make_series(house, student, day, room=room)
    d = day + dt.timedelta(weeks=2)
    make_booking(room, resident, at(d, "13:00"), at(d, "14:00"))
    with pytest.raises(BookingError) as err:
        programme.update_series(
            series=series, by=student, start_time=dt.time(13), end_time=dt.time(15), room=room, **values()
        )
    assert f"{d:%d-%m-%Y}" in str(err.value)
    assert all(timezone.localtime(a.start).time() == dt.time(10) for a in Activity.objects.all())


def test_stopping_a_series_cancels_the_coming_dates(house, room, student, resident, day):
    series, made, _ = make_series(house, student, day, room=room)
    Signup.objects.create(activity=made[2], person=resident, status=Signup.Status.CONFIRMED)
    Signup.objects.create(activity=made[3], person=resident, status=Signup.Status.CONFIRMED)
    mail.outbox.clear()

    stopped = programme.stop_series(
        series=series,
        by=student,
        reason="De koffiemachine is stuk.",
        from_day=timezone.localdate(made[1].start),
    )

    assert [a.pk for a in stopped] == [a.pk for a in made[1:]]
    statuses = dict(Activity.objects.values_list("pk", "status"))
    assert statuses[made[0].pk] == Activity.Status.PLANNED
    assert {statuses[a.pk] for a in made[1:]} == {Activity.Status.CANCELLED}
    assert Booking.objects.live().count() == 1
    assert [m.to for m in mail.outbox] == [[resident.email]]  # one e-mail for both dates
    series.refresh_from_db()
    assert series.last_day == timezone.localdate(made[1].start) - dt.timedelta(days=1)


def test_residents_cannot_stop_or_edit_a_series(house, student, resident, day):
    series, _made, _ = make_series(house, student, day, place="Park")
    with pytest.raises(BookingError):
        programme.stop_series(series=series, by=resident, reason="Nee")
    with pytest.raises(BookingError):
        programme.update_series(
            series=series, by=resident, start_time=dt.time(9), end_time=dt.time(10), place="Park", **values()
        )
    assert Activity.objects.planned().count() == 4
