"""The booking services: every rule of the room, approval, cancelling, series, audit and e-mail.

Messages are checked word for word in English (the msgids): `_english` switches the language, so
these tests do not depend on the state of the Dutch translation. The views' tests check Dutch.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone, translation
from icalendar import Calendar

from activities import services
from activities.models import Booking, BookingSeries, RoomClosure
from activities.services import BookingDetails, BookingError
from activities.timeutil import week_start
from residents.models import AuditEvent
from tests.activities.factories import at, days_ahead, make_booking

TAKEN = "This time is already booked (or too close to another booking). Choose one of the free times."
JUST_TAKEN = "This time was just booked by someone else. Choose another time."
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def details(**changes) -> BookingDetails:
    values = {"category": "birthday", "title": "Verjaardagskoffie", "attendees": 8, "is_public": False}
    values.update(changes)
    return BookingDetails(**values)


def book(room, person, start, end, *, by=None, now=None, rules_accepted=True, **detail_changes) -> Booking:
    return services.create_booking(
        room=room,
        by=by or person,
        booker=person,
        start=start,
        end=end,
        details=details(**detail_changes),
        rules_accepted=rules_accepted,
        now=now,
    )


def ics_events(message):
    """The VEVENTs of the .ics attached to a sent message."""
    files = [a for a in message.attachments if a.mimetype.startswith("text/calendar")]
    assert len(files) == 1, message.attachments
    assert files[0].filename.endswith(".ics")
    cal = Calendar.from_ical(files[0].content)
    return list(cal.walk("VEVENT"))


def assert_local_ics(message, booking):
    (event,) = ics_events(message)
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Amsterdam"
    assert start.dt == booking.start
    assert start.dt.tzinfo.key == "Europe/Amsterdam"
    assert event["DTEND"].dt == booking.end
    return event


# --- booking --------------------------------------------------------------------------------------


def test_a_resident_books_a_free_time(room, resident, day):
    booking = book(room, resident, at(day, "14:00"), at(day, "16:00"))

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert (booking.booker, booking.created_by) == (resident, resident)
    assert booking.period == DateTimeTZRange(at(day, "14:00"), at(day, "16:00"))
    assert booking.blocked == DateTimeTZRange(at(day, "14:00"), at(day, "16:15"))
    assert booking.rules_version == room.rules_version
    event = AuditEvent.objects.get(action="booking.confirmed")
    assert (event.actor, event.on_behalf_of, event.target_id) == (resident, None, str(booking.pk))
    assert event.house == room.house


def test_the_confirmation_mail_carries_an_ics_in_amsterdam_time(room, resident, day):
    booking = book(room, resident, at(day, "14:00"), at(day, "16:00"))

    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert "Verjaardagskoffie" in message.subject
    event = assert_local_ics(message, booking)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "14:00" in message.body


def test_staff_book_for_a_resident_and_the_audit_says_so(room, resident, staff, day):
    booking = book(room, resident, at(day, "14:00"), at(day, "16:00"), by=staff)

    assert (booking.booker, booking.created_by) == (resident, staff)
    event = AuditEvent.objects.get(action="booking.confirmed")
    assert (event.actor, event.on_behalf_of) == (staff, resident)
    assert [m.to for m in mail.outbox] == [[resident.email]]  # the resident hears of it


def test_a_student_and_a_coordinator_may_book_too(room, student, coordinator, day):
    book(room, student, at(day, "10:00"), at(day, "11:00"))
    book(room, coordinator, at(day, "14:00"), at(day, "15:00"))
    assert Booking.objects.live().count() == 2


# --- bad input: a clear message and nothing saved --------------------------------------------------


@pytest.fixture
def nothing_saved():
    """Asserts after the test that no booking, audit row or mail was added."""
    bookings, events = Booking.objects.count(), AuditEvent.objects.count()
    yield
    assert Booking.objects.count() == bookings
    assert AuditEvent.objects.count() == events
    assert mail.outbox == []


def refused(**kwargs) -> list[tuple[str | None, str]]:
    with pytest.raises(BookingError) as err:
        book(**kwargs)
    return err.value.problems


def test_end_before_start(room, resident, day, nothing_saved):
    problems = refused(room=room, person=resident, start=at(day, "16:00"), end=at(day, "14:00"))
    assert problems == [("end", "The end time must be after the start time.")]


def test_zero_length(room, resident, day, nothing_saved):
    problems = refused(room=room, person=resident, start=at(day, "16:00"), end=at(day, "16:00"))
    assert problems == [("end", "The end time must be after the start time.")]


def test_too_long(room, resident, day, nothing_saved):
    problems = refused(room=room, person=resident, start=at(day, "10:00"), end=at(day, "14:15"))
    assert problems == [("end", "A booking lasts at most 240 minutes.")]


def test_too_short(room, resident, day, nothing_saved):
    problems = refused(room=room, person=resident, start=at(day, "10:00"), end=at(day, "10:20"))
    assert problems == [("end", "A booking lasts at least 30 minutes.")]


@pytest.mark.parametrize(("start", "end"), [("06:00", "08:30"), ("22:00", "23:30"), ("07:45", "09:00")])
def test_outside_the_bookable_hours(start, end, room, resident, day, nothing_saved):
    problems = refused(room=room, person=resident, start=at(day, start), end=at(day, end))
    assert problems == [("start", "The room cannot be booked at this time. See the times below.")]


def test_the_edges_of_the_bookable_hours_are_allowed(room, resident, day):
    book(room, resident, at(day, "08:00"), at(day, "09:00"))
    book(room, resident, at(day, "22:00"), at(day, "23:00"))
    assert Booking.objects.count() == 2


def test_on_a_closed_day(room, resident, day, nothing_saved):
    RoomClosure.objects.create(
        room=room, first_day=day, last_day=day + dt.timedelta(days=2), reason="Schilderwerk"
    )
    problems = refused(room=room, person=resident, start=at(day, "14:00"), end=at(day, "16:00"))
    assert problems == [("date", "The room is closed that day: Schilderwerk.")]


def test_in_the_past(room, resident, nothing_saved):
    yesterday = days_ahead(-1)
    problems = refused(room=room, person=resident, start=at(yesterday, "14:00"), end=at(yesterday, "16:00"))
    assert problems == [("start", "This time has already passed.")]


def test_within_the_notice_time(room, resident, day, nothing_saved):
    problems = refused(
        room=room, person=resident, start=at(day, "13:00"), end=at(day, "14:00"), now=at(day, "11:30")
    )
    assert problems == [("start", "Book at least 2 hours ahead.")]


def test_just_outside_the_notice_time_is_fine(room, resident, day):
    book(room, resident, at(day, "13:30"), at(day, "14:00"), now=at(day, "11:30"))
    assert Booking.objects.count() == 1


def test_too_far_ahead(room, resident, nothing_saved):
    today = days_ahead(1)
    far = today + dt.timedelta(days=91)
    problems = refused(
        room=room, person=resident, start=at(far, "14:00"), end=at(far, "16:00"), now=at(today, "12:00")
    )
    assert problems == [("date", "You can book at most 90 days ahead.")]


def test_the_last_day_of_the_window_is_fine(room, resident):
    today = days_ahead(1)
    last = today + dt.timedelta(days=90)
    book(room, resident, at(last, "14:00"), at(last, "16:00"), now=at(today, "12:00"))
    assert Booking.objects.count() == 1


def test_too_many_attendees(room, resident, day, nothing_saved):
    problems = refused(room=room, person=resident, start=at(day, "14:00"), end=at(day, "16:00"), attendees=21)
    assert problems == [("attendees", "The room fits at most 20 people.")]


def test_over_the_weekly_limit(room, resident, day):
    for start, end in [("08:00", "09:00"), ("10:00", "11:00"), ("12:00", "13:00")]:
        make_booking(room, resident, at(day, start), at(day, end))
    count, events = Booking.objects.count(), AuditEvent.objects.count()

    problems = refused(room=room, person=resident, start=at(day, "18:00"), end=at(day, "19:00"))

    assert problems == [("date", "You can have 3 bookings of this room per week.")]
    assert (Booking.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_the_weekly_limit_counts_only_live_bookings_of_that_week(room, resident, day):
    monday = week_start(day)
    for hour in (8, 10):
        make_booking(room, resident, at(day, f"{hour:02}:00"), at(day, f"{hour:02}:30"))
    make_booking(room, resident, at(day, "12:00"), at(day, "12:30"), status=Booking.Status.CANCELLED)
    last_week = monday - dt.timedelta(days=3)
    make_booking(room, resident, at(last_week, "12:00"), at(last_week, "12:30"))

    book(room, resident, at(day, "18:00"), at(day, "19:00"))  # the third of this week

    assert Booking.objects.live().filter(booker=resident).count() == 4


def test_several_problems_are_named_at_once(room, resident, day, nothing_saved):
    problems = refused(room=room, person=resident, start=at(day, "10:00"), end=at(day, "10:10"), attendees=50)
    assert problems == [
        ("end", "A booking lasts at least 30 minutes."),
        ("attendees", "The room fits at most 20 people."),
    ]


def test_a_room_of_another_house(other_room, resident, day, nothing_saved):
    problems = refused(room=other_room, person=resident, start=at(day, "14:00"), end=at(day, "16:00"))
    assert problems == [(None, "Only members of BuurtThuis Wingerd can book this room.")]


def test_an_outsider(room, outsider, day, nothing_saved):
    problems = refused(room=room, person=outsider, start=at(day, "14:00"), end=at(day, "16:00"))
    assert problems == [(None, "Only members of W4, Witmondplein 4 can book this room.")]


def test_a_viewer_cannot_book(room, viewer, day, nothing_saved):
    problems = refused(room=room, person=viewer, start=at(day, "14:00"), end=at(day, "16:00"))
    assert problems == [(None, "Only members of W4, Witmondplein 4 can book this room.")]


def test_an_unverified_member(room, house, make_user, day, nothing_saved):
    pending = make_user("nieuw@example.nl", "Nina Nieuw", house, status="pending")
    problems = refused(room=room, person=pending, start=at(day, "14:00"), end=at(day, "16:00"))
    assert problems == [(None, "Your membership is not verified yet. Staff of the house will do that soon.")]


def test_a_resident_cannot_book_for_someone_else(room, resident, student, day, nothing_saved):
    problems = refused(room=room, person=student, by=resident, start=at(day, "14:00"), end=at(day, "16:00"))
    assert problems == [(None, "You can only book for yourself.")]


def test_the_rules_must_be_accepted(room, resident, day, nothing_saved):
    problems = refused(
        room=room, person=resident, start=at(day, "14:00"), end=at(day, "16:00"), rules_accepted=False
    )
    assert problems == [("rules_accepted", "Please read and accept the rules of the room.")]


def test_a_room_without_rules_needs_no_acceptance(room, resident, day):
    room.rules = ""
    room.save()
    book(room, resident, at(day, "14:00"), at(day, "16:00"), rules_accepted=False)
    assert Booking.objects.count() == 1


def test_a_room_that_is_not_bookable(room, resident, day, nothing_saved):
    room.is_bookable = False
    room.save()
    problems = refused(room=room, person=resident, start=at(day, "14:00"), end=at(day, "16:00"))
    assert problems == [(None, "This room cannot be booked.")]


# --- overlap and buffer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "free"),
    [
        ("16:00", "17:00", False),
        ("16:14", "17:00", False),
        ("16:15", "17:00", True),
        ("15:00", "17:00", False),
        ("12:00", "13:46", False),  # 13:46 + 15 minutes runs into 14:00
        ("12:00", "13:45", True),
    ],
)
def test_the_buffer_keeps_15_minutes_free_around_a_booking(start, end, free, room, resident, student, day):
    make_booking(room, resident, at(day, "14:00"), at(day, "16:00"))
    if free:
        book(room, student, at(day, start), at(day, end))
        assert Booking.objects.live().count() == 2
    else:
        assert refused(room=room, person=student, start=at(day, start), end=at(day, end)) == [
            ("start", TAKEN)
        ]
        assert Booking.objects.live().count() == 1


def test_another_room_is_not_blocked(room, approval_room, resident, student, day):
    make_booking(room, resident, at(day, "14:00"), at(day, "16:00"))
    approval_room.needs_approval = False
    approval_room.save()
    book(approval_room, student, at(day, "14:00"), at(day, "16:00"))
    assert Booking.objects.live().count() == 2


def test_declined_and_cancelled_bookings_do_not_block(room, resident, student, day):
    make_booking(room, resident, at(day, "14:00"), at(day, "16:00"), status=Booking.Status.CANCELLED)
    make_booking(room, resident, at(day, "14:00"), at(day, "16:00"), status=Booking.Status.DECLINED)
    book(room, student, at(day, "14:00"), at(day, "16:00"))
    assert Booking.objects.live().count() == 1


def test_the_database_has_the_last_word_when_the_pre_check_misses(room, resident, student, day, monkeypatch):
    """As when two requests pass the pre-check at once: the constraint refuses, with a clear message."""
    make_booking(room, resident, at(day, "14:00"), at(day, "16:00"))
    monkeypatch.setattr(services, "rule_problems", lambda **kwargs: [])

    assert refused(room=room, person=student, start=at(day, "15:00"), end=at(day, "17:00")) == [
        ("start", JUST_TAKEN)
    ]
    assert Booking.objects.count() == 1
    assert not AuditEvent.objects.exists()


# --- free times ------------------------------------------------------------------------------------


def spans(slots) -> list[tuple[str, str]]:
    return [
        (f"{timezone.localtime(s.start):%H:%M}", f"{timezone.localtime(s.latest_end):%H:%M}") for s in slots
    ]


def test_free_slots_are_the_gaps_minus_the_buffers(room, resident, student, day):
    make_booking(room, resident, at(day, "10:00"), at(day, "12:00"))
    make_booking(room, student, at(day, "14:00"), at(day, "16:00"))
    make_booking(room, student, at(day, "18:00"), at(day, "20:00"), status=Booking.Status.CANCELLED)

    slots = services.free_slots(room, day, now=at(day - dt.timedelta(days=1), "12:00"))

    assert spans(slots) == [("08:00", "09:45"), ("12:15", "13:45"), ("16:15", "23:00")]


def test_every_free_slot_can_be_booked_and_nothing_just_outside_it(room, resident, student, day):
    make_booking(room, resident, at(day, "10:00"), at(day, "12:00"))
    now = at(day - dt.timedelta(days=1), "12:00")
    before, after = services.free_slots(room, day, now=now)
    assert spans([before, after]) == [("08:00", "09:45"), ("12:15", "23:00")]
    one_minute = dt.timedelta(minutes=1)
    with pytest.raises(BookingError):
        book(room, student, after.start - one_minute, after.start + dt.timedelta(hours=1), now=now)
    with pytest.raises(BookingError):
        book(
            room, student, before.latest_end - dt.timedelta(hours=1), before.latest_end + one_minute, now=now
        )
    book(room, student, after.start, after.start + dt.timedelta(hours=1), now=now)
    book(room, student, before.latest_end - dt.timedelta(hours=1), before.latest_end, now=now)
    assert Booking.objects.live().count() == 3


def test_free_slots_leave_out_the_notice_time(room, day):
    assert spans(services.free_slots(room, day, now=at(day, "07:00"))) == [("09:00", "23:00")]
    # Now plus notice is 15:10; free times start at the next quarter, as people read times.
    assert spans(services.free_slots(room, day, now=at(day, "13:10"))) == [("15:15", "23:00")]
    assert spans(services.free_slots(room, day, now=at(day, "13:15"))) == [("15:15", "23:00")]
    assert services.free_slots(room, day, now=at(day, "21:00")) == []  # 23:00 is the end


def test_free_slots_drop_gaps_shorter_than_the_shortest_booking(room, resident, day):
    make_booking(room, resident, at(day, "09:30"), at(day, "12:00"))
    # 08:00 up to 09:15 is long enough; from 07:30 plus 2 hours notice nothing is left before it.
    assert spans(services.free_slots(room, day, now=at(day, "06:00")))[0] == ("08:00", "09:15")
    assert spans(services.free_slots(room, day, now=at(day, "07:30")))[0] == ("12:15", "23:00")


def test_no_free_slots_on_a_closed_day(room, day):
    RoomClosure.objects.create(room=room, first_day=day, last_day=day, reason="Koningsdag")
    assert services.free_slots(room, day, now=at(day - dt.timedelta(days=1), "12:00")) == []
    assert services.free_slots(room, day + dt.timedelta(days=1), now=at(day - dt.timedelta(days=1), "12:00"))


def test_no_free_slots_on_a_day_without_hours(room, day):
    room.hours.filter(weekday=day.weekday()).delete()
    assert services.free_slots(room, day, now=at(day - dt.timedelta(days=1), "12:00")) == []


def test_free_slots_follow_several_blocks_of_hours(room, day):
    room.hours.filter(weekday=day.weekday()).delete()
    room.hours.create(weekday=day.weekday(), opens=dt.time(9), closes=dt.time(12))
    room.hours.create(weekday=day.weekday(), opens=dt.time(19), closes=dt.time(22))
    now = at(day - dt.timedelta(days=1), "12:00")
    assert spans(services.free_slots(room, day, now=now)) == [("09:00", "12:00"), ("19:00", "22:00")]


# --- approval --------------------------------------------------------------------------------------


def test_a_booking_that_needs_approval_is_requested_and_the_approvers_are_told(
    approval_room, resident, coordinator, staff, viewer, student, day
):
    booking = book(approval_room, resident, at(day, "14:00"), at(day, "16:00"))

    assert booking.status == Booking.Status.REQUESTED
    assert AuditEvent.objects.get().action == "booking.requested"
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([resident.email, coordinator.email, staff.email])
    to_booker = next(m for m in mail.outbox if m.to == [resident.email])
    assert str(assert_local_ics(to_booker, booking)["STATUS"]) == "TENTATIVE"
    to_coordinator = next(m for m in mail.outbox if m.to == [coordinator.email])
    assert "/w4/aanvragen/" in to_coordinator.body
    assert "Bea Bewoner" in to_coordinator.body


def test_a_request_holds_its_time(approval_room, resident, student, day):
    book(approval_room, resident, at(day, "14:00"), at(day, "16:00"))
    assert refused(room=approval_room, person=student, start=at(day, "15:00"), end=at(day, "16:00")) == [
        ("start", TAKEN)
    ]


def test_those_who_approve_book_without_approval(approval_room, coordinator, day):
    assert (
        book(approval_room, coordinator, at(day, "14:00"), at(day, "16:00")).status
        == Booking.Status.CONFIRMED
    )


def test_approving_confirms_and_mails_the_booker(approval_room, resident, coordinator, day):
    booking = book(approval_room, resident, at(day, "14:00"), at(day, "16:00"))
    mail.outbox.clear()

    services.decide_booking(booking_id=booking.pk, house=approval_room.house, by=coordinator, approve=True)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert (booking.decided_by, booking.decision_reason) == (coordinator, "")
    assert booking.decided_at is not None
    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert str(assert_local_ics(message, booking)["STATUS"]) == "CONFIRMED"
    event = AuditEvent.objects.get(action="booking.approved")
    assert event.actor == coordinator
    assert event.changes["status"] == ["requested", "confirmed"]


def test_declining_needs_a_reason(approval_room, resident, staff, day):
    booking = book(approval_room, resident, at(day, "14:00"), at(day, "16:00"))
    mail.outbox.clear()

    with pytest.raises(BookingError) as err:
        services.decide_booking(
            booking_id=booking.pk, house=approval_room.house, by=staff, approve=False, reason=" "
        )

    assert err.value.problems == [("reason", "Give a reason, so the person knows why.")]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    assert mail.outbox == []


def test_declining_frees_the_time_and_mails_the_reason(approval_room, resident, student, staff, day):
    booking = book(approval_room, resident, at(day, "14:00"), at(day, "16:00"))
    mail.outbox.clear()

    services.decide_booking(
        booking_id=booking.pk,
        house=approval_room.house,
        by=staff,
        approve=False,
        reason="Dan is er een bewonersavond.",
    )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    assert booking.decision_reason == "Dan is er een bewonersavond."
    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert "Dan is er een bewonersavond." in message.body
    (event,) = ics_events(message)
    assert str(event["STATUS"]) == "CANCELLED"
    assert book(approval_room, student, at(day, "14:00"), at(day, "16:00")).status == Booking.Status.REQUESTED


def test_a_request_is_decided_only_once(approval_room, resident, coordinator, staff, day):
    booking = book(approval_room, resident, at(day, "14:00"), at(day, "16:00"))
    services.decide_booking(booking_id=booking.pk, house=approval_room.house, by=coordinator, approve=True)
    with pytest.raises(BookingError) as err:
        services.decide_booking(
            booking_id=booking.pk, house=approval_room.house, by=staff, approve=False, reason="x"
        )
    assert str(err.value) == "This booking was already handled: confirmed."


@pytest.mark.parametrize("persona", ["resident", "student", "viewer", "outsider"])
def test_only_coordinators_and_staff_decide(persona, request, approval_room, resident, day):
    booking = book(approval_room, resident, at(day, "14:00"), at(day, "16:00"))
    person = request.getfixturevalue(persona)
    with pytest.raises(BookingError) as err:
        services.decide_booking(booking_id=booking.pk, house=approval_room.house, by=person, approve=True)
    assert str(err.value) == "You cannot approve bookings in this house."
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_a_booking_of_another_house_cannot_be_decided_through_this_one(
    approval_room, other_house, resident, superuser, day
):
    booking = book(approval_room, resident, at(day, "14:00"), at(day, "16:00"))
    with pytest.raises(BookingError) as err:
        services.decide_booking(booking_id=booking.pk, house=other_house, by=superuser, approve=True)
    assert str(err.value) == "This booking does not exist (any more)."


# --- cancelling ------------------------------------------------------------------------------------


def test_the_booker_cancels_before_the_deadline_and_the_time_is_free_at_once(room, resident, student, day):
    booking = book(room, resident, at(day, "14:00"), at(day, "16:00"))
    mail.outbox.clear()

    done = services.cancel_booking(booking_id=booking.pk, house=room.house, by=resident, reason="Ziek")

    assert [b.pk for b in done] == [booking.pk]
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == ("cancelled", resident, "Ziek")
    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert str(ics_events(message)[0]["STATUS"]) == "CANCELLED"
    event = AuditEvent.objects.get(action="booking.cancelled")
    assert (event.actor, event.on_behalf_of) == (resident, None)
    assert book(room, student, at(day, "14:00"), at(day, "16:00")).status == Booking.Status.CONFIRMED


def test_the_booker_cannot_cancel_after_the_deadline(room, resident):
    start = timezone.now() + dt.timedelta(hours=10)
    booking = make_booking(room, resident, start, start + dt.timedelta(hours=1))

    with pytest.raises(BookingError) as err:
        services.cancel_booking(booking_id=booking.pk, house=room.house, by=resident, reason="Ziek")

    assert str(err.value) == "You can cancel until 24 hours before the start. Please ask the staff."
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert not AuditEvent.objects.exists()


def test_staff_can_always_cancel_and_the_audit_names_the_booker(room, resident, staff):
    start = timezone.now() + dt.timedelta(hours=1)
    booking = make_booking(room, resident, start, start + dt.timedelta(hours=1))

    services.cancel_booking(booking_id=booking.pk, house=room.house, by=staff, reason="Lekkage")

    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (Booking.Status.CANCELLED, staff)
    event = AuditEvent.objects.get(action="booking.cancelled")
    assert (event.actor, event.on_behalf_of) == (staff, resident)
    assert event.changes == {"status": ["confirmed", "cancelled"], "reason": "Lekkage"}


@pytest.mark.parametrize("persona", ["student", "coordinator", "viewer", "outsider"])
def test_others_cannot_cancel(persona, request, room, resident, day):
    booking = book(room, resident, at(day, "14:00"), at(day, "16:00"))
    with pytest.raises(BookingError) as err:
        services.cancel_booking(
            booking_id=booking.pk, house=room.house, by=request.getfixturevalue(persona), reason="Weg"
        )
    assert str(err.value) == "You cannot cancel this booking."
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_cancelling_needs_a_reason(room, resident, day):
    booking = book(room, resident, at(day, "14:00"), at(day, "16:00"))
    with pytest.raises(BookingError) as err:
        services.cancel_booking(booking_id=booking.pk, house=room.house, by=resident, reason="  ")
    assert err.value.problems == [("reason", "Give a reason for cancelling.")]


def test_a_past_booking_cannot_be_cancelled(room, resident, staff):
    start = timezone.now() - dt.timedelta(hours=3)
    booking = make_booking(room, resident, start, start + dt.timedelta(hours=1))
    with pytest.raises(BookingError) as err:
        services.cancel_booking(booking_id=booking.pk, house=room.house, by=staff, reason="Te laat")
    assert str(err.value) == "You cannot cancel this booking."


# --- attendance ------------------------------------------------------------------------------------


def test_attendance_is_marked_only_once_it_has_started(room, resident, coordinator, day):
    future = book(room, resident, at(day, "14:00"), at(day, "16:00"))
    with pytest.raises(BookingError) as err:
        services.mark_attendance(booking_id=future.pk, house=room.house, by=resident, took_place=True)
    assert str(err.value) == "You can say whether it took place once it has started."

    start = timezone.now() - dt.timedelta(hours=3)
    past = make_booking(room, resident, start, start + dt.timedelta(hours=2))
    services.mark_attendance(booking_id=past.pk, house=room.house, by=coordinator, took_place=False)

    past.refresh_from_db()
    future.refresh_from_db()
    assert (past.took_place, future.took_place) == (False, None)
    event = AuditEvent.objects.get(action="booking.attendance")
    assert (event.actor, event.changes) == (coordinator, {"took_place": [None, False]})


def test_only_the_booker_or_an_approver_marks_attendance(room, resident, student):
    start = timezone.now() - dt.timedelta(hours=3)
    past = make_booking(room, resident, start, start + dt.timedelta(hours=2))
    with pytest.raises(BookingError) as err:
        services.mark_attendance(booking_id=past.pk, house=room.house, by=student, took_place=True)
    assert str(err.value) == "You cannot change this booking."
    services.mark_attendance(booking_id=past.pk, house=room.house, by=resident, took_place=True)
    past.refresh_from_db()
    assert past.took_place is True


# --- series ----------------------------------------------------------------------------------------


def test_series_dates_weekly_with_a_count():
    assert services.series_dates(dt.date(2027, 1, 4), "weekly", count=4) == [
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 11),
        dt.date(2027, 1, 18),
        dt.date(2027, 1, 25),
    ]


def test_series_dates_every_two_weeks_until_a_date_included():
    assert services.series_dates(dt.date(2027, 1, 4), "biweekly", until=dt.date(2027, 2, 15)) == [
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 18),
        dt.date(2027, 2, 1),
        dt.date(2027, 2, 15),
    ]


def test_series_dates_monthly_skip_months_without_that_day():
    assert services.series_dates(dt.date(2027, 1, 31), "monthly", count=4) == [
        dt.date(2027, 1, 31),
        dt.date(2027, 3, 31),
        dt.date(2027, 5, 31),
        dt.date(2027, 7, 31),
    ]
    assert services.series_dates(dt.date(2027, 11, 15), "monthly", until=dt.date(2028, 2, 15)) == [
        dt.date(2027, 11, 15),
        dt.date(2027, 12, 15),
        dt.date(2028, 1, 15),
        dt.date(2028, 2, 15),
    ]


@pytest.mark.parametrize("kwargs", [{}, {"count": 100}, {"until": dt.date(2030, 1, 1)}])
def test_series_dates_stop_at_52(kwargs):
    dates = services.series_dates(dt.date(2027, 1, 4), "weekly", **kwargs)
    assert len(dates) == 52
    assert dates[-1] == dt.date(2027, 1, 4) + dt.timedelta(weeks=51)


@pytest.fixture
def weekly(day):
    """Four dates a week apart, the first a week after `day`."""
    first = day + dt.timedelta(days=7)
    return services.series_dates(first, "weekly", count=4)


def test_plan_series_marks_the_taken_date_and_changes_nothing(room, resident, student, weekly):
    make_booking(room, student, at(weekly[1], "19:00"), at(weekly[1], "21:00"))
    count = Booking.objects.count()

    plan = services.plan_series(
        room=room, booker=resident, dates=weekly, start_time=dt.time(20), end_time=dt.time(22), attendees=8
    )

    assert [p.free for p in plan] == [True, False, True, True]
    assert plan[1].problems == [TAKEN]
    assert [timezone.localtime(p.start).date() for p in plan] == weekly
    assert Booking.objects.count() == count


def test_create_series_books_the_free_dates_and_lists_the_skipped_one(room, resident, student, weekly):
    make_booking(room, student, at(weekly[1], "19:00"), at(weekly[1], "21:00"))

    booked, skipped = services.create_series(
        room=room,
        by=resident,
        booker=resident,
        frequency="weekly",
        dates=weekly,
        start_time=dt.time(20),
        end_time=dt.time(22),
        details=details(category="club", title="Huiswerkklas"),
        rules_accepted=True,
    )

    assert [timezone.localtime(b.start).date() for b in booked] == [weekly[0], weekly[2], weekly[3]]
    assert [timezone.localtime(p.start).date() for p in skipped] == [weekly[1]]
    assert skipped[0].problems == [TAKEN]
    series = BookingSeries.objects.get()
    assert series.frequency == "weekly"
    assert set(Booking.objects.filter(series=series).values_list("title", flat=True)) == {"Huiswerkklas"}
    assert Booking.objects.filter(series=series).count() == 3
    assert AuditEvent.objects.get(action="series.created").changes == {"booked": 3, "skipped": 1}
    assert AuditEvent.objects.filter(action="booking.confirmed").count() == 3


def test_a_series_counts_towards_the_weekly_limit(room, resident, weekly):
    room.max_per_week = 1
    room.save()
    make_booking(room, resident, at(weekly[2], "08:00"), at(weekly[2], "09:00"))
    plan = services.plan_series(
        room=room, booker=resident, dates=weekly, start_time=dt.time(20), end_time=dt.time(22), attendees=8
    )
    assert [p.free for p in plan] == [True, True, False, True]
    assert plan[2].problems == ["You can have 1 booking of this room per week."]


def test_a_series_with_no_free_date_books_nothing(room, resident, student, weekly):
    for day in weekly:
        make_booking(room, student, at(day, "19:00"), at(day, "21:00"))
    count = Booking.objects.count()
    with pytest.raises(BookingError) as err:
        services.create_series(
            room=room,
            by=resident,
            booker=resident,
            frequency="weekly",
            dates=weekly,
            start_time=dt.time(20),
            end_time=dt.time(22),
            details=details(),
            rules_accepted=True,
        )
    assert str(err.value) == "None of these dates is free. Nothing was booked."
    assert Booking.objects.count() == count
    assert not BookingSeries.objects.exists()


def test_cancel_the_rest_of_a_series(room, resident, weekly):
    booked, _skipped = services.create_series(
        room=room,
        by=resident,
        booker=resident,
        frequency="weekly",
        dates=weekly,
        start_time=dt.time(20),
        end_time=dt.time(22),
        details=details(),
        rules_accepted=True,
    )

    done = services.cancel_booking(
        booking_id=booked[1].pk, house=room.house, by=resident, reason="Club stopt", rest_of_series=True
    )

    assert sorted(b.pk for b in done) == sorted(b.pk for b in booked[1:])
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert [statuses[b.pk] for b in booked] == ["confirmed", "cancelled", "cancelled", "cancelled"]
    assert AuditEvent.objects.filter(action="booking.cancelled").count() == 3


def test_cancel_one_date_of_a_series(room, resident, weekly):
    booked, _skipped = services.create_series(
        room=room,
        by=resident,
        booker=resident,
        frequency="weekly",
        dates=weekly,
        start_time=dt.time(20),
        end_time=dt.time(22),
        details=details(),
        rules_accepted=True,
    )
    services.cancel_booking(booking_id=booked[1].pk, house=room.house, by=resident, reason="Vakantie")
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert [statuses[b.pk] for b in booked] == ["confirmed", "cancelled", "confirmed", "confirmed"]


# --- the database holds the invariant on its own ----------------------------------------------------


def raw(room, person, start, end, **extra) -> Booking:
    """Straight to the database, past every rule of the services."""
    return make_booking(room, person, start, end, **extra)


def test_the_database_refuses_two_overlapping_live_bookings(room, resident, student, day):
    from django.db import IntegrityError, transaction

    raw(room, resident, at(day, "14:00"), at(day, "16:00"))
    for status in (Booking.Status.CONFIRMED, Booking.Status.REQUESTED):
        with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
            raw(room, student, at(day, "15:00"), at(day, "17:00"), status=status)
    # The buffer is part of what is blocked: 16:10 is within 15 minutes of the end.
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        raw(room, student, at(day, "16:10"), at(day, "17:00"))
    assert Booking.objects.count() == 1


def test_the_database_lets_dead_bookings_and_other_rooms_overlap(room, approval_room, resident, student, day):
    raw(room, resident, at(day, "14:00"), at(day, "16:00"))
    raw(room, student, at(day, "14:00"), at(day, "16:00"), status=Booking.Status.CANCELLED)
    raw(room, student, at(day, "15:00"), at(day, "16:00"), status=Booking.Status.DECLINED)
    raw(approval_room, student, at(day, "14:00"), at(day, "16:00"))
    raw(room, student, at(day, "16:15"), at(day, "17:00"))  # right after the buffer
    assert Booking.objects.count() == 5


@pytest.mark.parametrize(
    ("period", "blocked"),
    [
        ("empty", "empty"),
        ("no end", "no end"),
        ("no start", "no start"),
    ],
)
def test_the_database_refuses_empty_and_unbounded_periods(period, blocked, room, resident, day):
    from django.db import IntegrityError, transaction

    start, end = at(day, "14:00"), at(day, "16:00")
    ranges = {
        "empty": DateTimeTZRange(start, start),
        "no end": DateTimeTZRange(start, None),
        "no start": DateTimeTZRange(None, end),
    }
    values = {
        "room": room,
        "booker": resident,
        "period": ranges[period],
        "blocked": ranges[blocked],
        "category": "other",
        "title": "Kapot",
        "attendees": 1,
        "status": Booking.Status.CONFIRMED,
        "rules_version": 1,
    }
    with pytest.raises(IntegrityError, match="booking_period_bounded"), transaction.atomic():
        Booking.objects.create(**values)
    assert not Booking.objects.exists()


def test_the_database_refuses_a_blocked_range_shorter_than_the_period(room, resident, day):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="booking_blocked_covers_period"), transaction.atomic():
        raw(
            room,
            resident,
            at(day, "14:00"),
            at(day, "16:00"),
            blocked=DateTimeTZRange(at(day, "14:00"), at(day, "15:00")),
        )


def test_a_booking_just_after_a_block_of_hours_shortens_the_free_time_before_it(room, resident, student, day):
    """Hours 09-12 and 12:10-16: a booking at 12:10 needs 15 minutes of tidying up before it."""
    room.hours.filter(weekday=day.weekday()).delete()
    room.hours.create(weekday=day.weekday(), opens=dt.time(9), closes=dt.time(12))
    room.hours.create(weekday=day.weekday(), opens=dt.time(12, 10), closes=dt.time(16))
    make_booking(room, resident, at(day, "12:10"), at(day, "13:00"))
    now = at(day - dt.timedelta(days=1), "12:00")

    slots = services.free_slots(room, day, now=now)

    assert spans(slots) == [("09:00", "11:55"), ("13:15", "16:00")]
    book(room, student, at(day, "11:00"), slots[0].latest_end, now=now)  # the offer can be booked


class _Rollback(Exception):
    pass


def test_booking_mail_leaves_only_after_the_transaction_commits(room, resident, day, settings):
    """With the database queue the mail job is a row of the same transaction: a rolled-back
    booking leaves no job; a committed one leaves one for the worker."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    details = services.BookingDetails(category="birthday", title="Koffie", attendees=4)
    with pytest.raises(_Rollback), transaction.atomic():
        services.create_booking(
            room=room,
            by=resident,
            booker=resident,
            start=at(day, "14:00"),
            end=at(day, "15:00"),
            details=details,
            rules_accepted=True,
        )
        assert DBTaskResult.objects.count() == 1  # queued, but invisible to the worker until commit
        raise _Rollback
    assert DBTaskResult.objects.count() == 0
    assert Booking.objects.count() == 0

    services.create_booking(
        room=room,
        by=resident,
        booker=resident,
        start=at(day, "14:00"),
        end=at(day, "15:00"),
        details=details,
        rules_accepted=True,
    )
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["args"][0]["to"] == [resident.email]
    assert mail.outbox == []  # the worker sends it, not the page
