"""Ending a house (residents.ending): what is cancelled, what stays, who is told, the archive's
abilities, and the retention of the archive's personal details from the end date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from activities.models import Activity, Booking, Idea, Signup
from duties.models import Duty, DutyAssignment, HourLog
from news.models import Comment, Post
from residents import ending
from residents.models import AuditEvent, House, Membership
from residents.permissions import ABILITIES, ARCHIVE_ABILITIES, can
from summary.selectors import Scope, collect
from tests.activities.factories import make_booking, make_room
from tests.factories import make_user
from tests.summary.conftest import JUNE, make_june
from tests.summary.conftest import NOW as SUMMARY_NOW
from wijkhuis import retention

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def activity(house, start, *, room=None, booker=None, title="Koffieochtend", **extra) -> Activity:
    booking = None
    if room is not None:
        booking = make_booking(room, booker, start, start + 2 * HOUR, title=title, category="activity")
    return Activity.objects.create(
        house=house,
        title=title,
        category="coffee",
        place="" if booking else "Het plein",
        booking=booking,
        period=DateTimeTZRange(start, start + 2 * HOUR),
        **extra,
    )


@pytest.fixture
def w4(house, other_house, resident, student, coordinator, staff, outsider):
    """A house with things past, running and to come, and one coming booking in the other house."""
    now = timezone.now()
    house.owner.privacy_email = "privacy@patrimonium.example"
    house.owner.save()
    room = make_room(house)
    other_room = make_room(other_house)
    english = make_user("english@example.nl", "Emma English", house, "resident")
    english.language = "en"
    english.save()
    make_user(None, "Piet Papier", house, "resident")  # no e-mail: no mail
    make_user("wacht@example.nl", "Wim Wachtend", house, "resident", status="pending")
    data = {
        "now": now,
        "room": room,
        "english": english,
        "coming": make_booking(room, resident, now + 3 * DAY, now + 3 * DAY + 2 * HOUR),
        "requested": make_booking(
            room, english, now + 4 * DAY, now + 4 * DAY + 2 * HOUR, status="requested", title="Vergadering"
        ),
        "past": make_booking(room, resident, now - 3 * DAY, now - 3 * DAY + 2 * HOUR, took_place=True),
        "running": make_booking(room, resident, now - HOUR, now + HOUR),
        "elsewhere": make_booking(other_room, outsider, now + 3 * DAY, now + 3 * DAY + 2 * HOUR),
        "quiz": activity(house, now + 5 * DAY, room=room, booker=student, title="Buurtquiz"),
        "walk": activity(house, now + 6 * DAY, title="Wandeling"),
        "held": activity(house, now - 5 * DAY, title="Soepmiddag", walk_ins=4),
    }
    Signup.objects.create(activity=data["quiz"], person=resident, status="confirmed")
    Signup.objects.create(activity=data["quiz"], person=outsider, status="waiting")
    Signup.objects.create(activity=data["walk"], person=resident, status="confirmed")
    Signup.objects.create(activity=data["held"], person=resident, status="confirmed", attended=True)
    today = timezone.localdate(now)
    data["duty"] = Duty.objects.create(house=house, title="Koffie zetten", first_day=today + 7 * DAY)
    data["old_duty"] = Duty.objects.create(house=house, title="Flyeren", first_day=today - 7 * DAY)
    data["weekly"] = Duty.objects.create(
        house=house, title="Krant rondbrengen", first_day=today - 14 * DAY, weekly=True
    )
    for duty in (data["duty"], data["old_duty"], data["weekly"]):
        DutyAssignment.objects.create(duty=duty, student=student)
    return data


def end(house, staff, **kwargs):
    return ending.end_house(House.objects.get(pk=house.pk), by=staff, **kwargs)


def test_it_cancels_exactly_what_is_still_to_come(w4, house, staff, resident, outsider):
    cancelled = end(house, staff)
    status = {k: Booking.objects.get(pk=w4[k].pk).status for k in ("coming", "requested", "past", "running")}
    assert status == {
        "coming": "cancelled",
        "requested": "cancelled",
        "past": "confirmed",
        "running": "confirmed",
    }
    coming = Booking.objects.get(pk=w4["coming"].pk)
    assert (coming.cancelled_by, coming.cancel_reason) == (staff, "Het huis is gestopt.")
    assert coming.cancelled_at == House.objects.get(pk=house.pk).ended_at
    assert Booking.objects.get(pk=w4["elsewhere"].pk).status == "confirmed"  # another house
    assert Booking.objects.get(pk=w4["quiz"].booking_id).status == "cancelled"  # with its activity

    quiz, walk, held = (Activity.objects.get(pk=w4[k].pk) for k in ("quiz", "walk", "held"))
    assert (quiz.status, walk.status, held.status) == ("cancelled", "cancelled", "planned")
    assert quiz.cancel_reason == "Het huis is gestopt."
    assert set(Signup.objects.filter(activity__in=[quiz, walk]).values_list("status", flat=True)) == {
        "cancelled"
    }
    kept = Signup.objects.get(activity=held)
    assert (kept.status, kept.attended) == ("confirmed", True)

    assert Duty.objects.get(pk=w4["duty"].pk).status == "cancelled"
    assert Duty.objects.get(pk=w4["weekly"].pk).status == "cancelled"  # it still had weeks to come
    assert Duty.objects.get(pk=w4["old_duty"].pk).status == "open"
    held_by = dict(DutyAssignment.objects.values_list("duty_id", "status"))
    assert held_by == {w4["duty"].pk: "returned", w4["weekly"].pk: "returned", w4["old_duty"].pk: "active"}

    assert cancelled.totals == {"bookings": 2, "activities": 2, "signups": 3, "duties": 2, "held_duties": 2}
    assert cancelled.per_person[resident.pk] == {"bookings": 1, "signups": 2}
    assert cancelled.per_person[outsider.pk] == {"signups": 1}


def test_the_preview_counts_what_ending_does(w4, house, staff):
    before = ending.preview(house, by=staff)
    assert Booking.objects.filter(pk=w4["coming"].pk, status="confirmed").exists()  # nothing changed
    # The active members with an address but the one who ends it, and the outsider on a waiting list.
    assert before.mailed == 5
    assert before.cancelled == end(house, staff)


def test_the_trail_records_the_end_and_each_cancellation(w4, house, staff):
    end(house, staff)
    row = AuditEvent.objects.get(action="house.ended")
    assert (row.actor, row.house, row.changes) == (
        staff,
        house,
        {"bookings": 2, "activities": 2, "signups": 3, "duties": 2},
    )
    booking = AuditEvent.objects.get(action="booking.cancelled", target_id=str(w4["coming"].pk))
    assert booking.changes == {"status": ["confirmed", "cancelled"], "because": "house ended"}
    assert AuditEvent.objects.filter(action="activity.cancelled", house=house).count() == 2
    assert AuditEvent.objects.filter(action="signup.cancelled", house=house).count() == 3
    assert AuditEvent.objects.filter(action="duty.returned", house=house).count() == 2


def test_members_are_told_once_it_is_committed(
    w4, house, staff, resident, student, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        end(house, staff)
    assert mail.outbox == []  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == [
        "bewoner@example.nl",
        "buiten@example.nl",  # not a member, but their place on a waiting list was cancelled
        "coordinator@example.nl",
        "english@example.nl",
        "student@example.nl",
    ]
    by_address = {message.to[0]: message for message in mail.outbox}
    bea = by_address["bewoner@example.nl"]
    assert bea.subject == "W4, Witmondplein 4 is gestopt"
    assert "1 komende reservering" not in bea.body  # the singular reads without a number
    assert "je komende reservering van de huiskamer" in bea.body
    assert "je 2 aanmeldingen voor komende activiteiten" in bea.body
    assert "Je account blijft bestaan" in bea.body
    assert "/mijn/gegevens/" in bea.body and "/mijn/gegevens/verwijderen/" in bea.body
    assert "privacy@patrimonium.example" in bea.body
    assert "je 2 komende taken (die zijn teruggegeven)" in by_address["student@example.nl"].body
    assert "niets geannuleerd" in by_address["coordinator@example.nl"].body
    emma = by_address["english@example.nl"]
    assert emma.subject == "W4, Witmondplein 4 has stopped"
    assert "your coming booking of the living room" in emma.body
    assert "medewerker@example.nl" not in to  # who ended it knows


def test_ending_twice_is_refused_and_changes_nothing(w4, house, staff):
    end(house, staff)
    ended_at = House.objects.get(pk=house.pk).ended_at
    rows = AuditEvent.objects.count()
    with pytest.raises(ending.EndingError, match="al gestopt"):
        end(house, staff, now=ended_at + DAY)
    assert House.objects.get(pk=house.pk).ended_at == ended_at
    assert AuditEvent.objects.count() == rows


def test_the_summary_of_a_past_period_counts_the_same(house, other_house):
    make_june(house, other_house)
    staff = make_user("eind@example.nl", "Eva Eind", house, "staff")
    houses = [house, other_house]

    def figures():
        kept = collect(Scope(houses=houses, period=JUNE, now=SUMMARY_NOW))
        counted = collect(Scope(houses=houses, period=JUNE, now=SUMMARY_NOW, stored=False))
        return [(dict(store.values), dict(store.months)) for store in (kept, counted)]

    before = figures()
    cancelled = end(house, staff, now=SUMMARY_NOW)
    assert cancelled.totals["activities"] == 1 and cancelled.totals["signups"] == 1  # the one of July
    assert figures() == before
    assert before[0][0][(house.pk, "reach", "cur")] == 10


# --- the archive's abilities --------------------------------------------------------------------


def test_an_ended_house_allows_only_reading(house, staff, coordinator, resident, superuser):
    house.ended_at = timezone.now()
    house.save()
    assert can(staff, "members.view", house) and can(staff, "house.end", house)
    assert can(staff, "summary.edit", house) and can(staff, "members.act_for", house)
    assert can(coordinator, "members.view", house)
    for ability in set(ABILITIES) - ARCHIVE_ABILITIES:
        for person in (staff, coordinator, resident, superuser):
            assert not can(person, ability, house), (person, ability)
    # Given by its id (no ended_at to see), the roles decide as before.
    assert can(resident, "house.book", house.pk)


def test_house_end_is_for_staff_only(house, staff, coordinator, resident, superuser):
    assert [can(p, "house.end", house) for p in (staff, coordinator, resident, superuser)] == [
        True,
        False,
        False,
        True,
    ]


# --- retention from the end date ------------------------------------------------------------------


@pytest.fixture
def archive(house, other_house, resident, student, staff):
    """Words people wrote in w4 (ended 400 days ago) and in the other house (not ended)."""
    now = timezone.now()
    house.ended_at = now - 400 * DAY
    house.save()
    room = make_room(house)
    other_room = make_room(other_house)
    start = now - 420 * DAY
    booking = make_booking(
        room,
        resident,
        start,
        start + 2 * HOUR,
        title="Verjaardag Truus",
        decision_reason="Prima",
        took_place=True,
    )
    kept = make_booking(other_room, resident, start, start + 2 * HOUR, title="Verjaardag Kees")
    Membership.objects.filter(user=resident, house=house).update(motivation="Ik woon om de hoek")
    idea = Idea.objects.create(house=house, proposer=resident, title="Moestuin", description="Op het plein")
    post = Post.objects.create(house=house, title="Zomerfeest", status="published")
    Comment.objects.create(post=post, author=resident, body="Gezellig!")
    log = HourLog.objects.create(
        student=student,
        house=house,
        period=DateTimeTZRange(start, start + 2 * HOUR),
        minutes=120,
        what="Koffie gezet met mevrouw Jansen",
        status="approved",
    )
    return {"now": now, "booking": booking, "kept": kept, "idea": idea, "log": log}


def rule():
    return next(r for r in retention.RULES if r.name == "ended_houses")


def test_an_archive_loses_its_words_after_the_period_and_keeps_its_numbers(archive, house, resident):
    assert rule().count(archive["now"]) == 5
    assert rule().apply(archive["now"]) == 5
    booking = Booking.objects.get(pk=archive["booking"].pk)
    assert (booking.title, booking.decision_reason, booking.took_place, booking.attendees) == (
        "",
        "",
        True,
        8,
    )
    assert Booking.objects.get(pk=archive["kept"].pk).title == "Verjaardag Kees"  # a house still going
    idea = Idea.objects.get(pk=archive["idea"].pk)
    assert (idea.title, idea.description, idea.proposer_id) == ("Idee (tekst weggehaald)", "", resident.pk)
    assert not Comment.objects.exists()
    assert Post.objects.filter(house=house).count() == 1
    log = HourLog.objects.get(pk=archive["log"].pk)
    assert (log.what, log.minutes, log.status) == ("", 120, "approved")
    membership = Membership.objects.get(user=resident, house=house)
    assert (membership.motivation, membership.status) == ("", "active")
    # Twice is once.
    assert rule().apply(archive["now"]) == 0
    assert rule().count(archive["now"]) == 0


def test_before_the_period_nothing_goes(archive, house, settings):
    settings.RETENTION_ENDED_HOUSE_DAYS = 500
    assert rule().apply(archive["now"]) == 0
    assert Booking.objects.get(pk=archive["booking"].pk).title == "Verjaardag Truus"
    assert Comment.objects.count() == 1


def test_the_rule_says_what_it_did(archive):
    assert (
        rule().say(5, 365, False)
        == "Huizen die meer dan 365 dagen geleden zijn gestopt: 5 teksten weggehaald"
    )
    assert rule().days == 365


def test_the_summary_counts_the_same_after_the_archive_retention(house, other_house):
    make_june(house, other_house)
    Membership.objects.filter(house=house).update(motivation="Ik woon hier", decision_note="Welkom")
    houses = [house, other_house]

    def figures():
        kept = collect(Scope(houses=houses, period=JUNE, now=SUMMARY_NOW))
        counted = collect(Scope(houses=houses, period=JUNE, now=SUMMARY_NOW, stored=False))
        return [(dict(store.values), dict(store.months)) for store in (kept, counted)]

    staff = make_user("eind@example.nl", "Eva Eind", house, "staff")
    end(house, staff, now=SUMMARY_NOW)
    before = figures()
    later = SUMMARY_NOW + 400 * DAY
    outcomes = {o.rule.name: o.changed for o in retention.apply_all(later)}
    assert outcomes["ended_houses"] >= 10  # it did change the counted rows
    assert not Idea.objects.filter(house=house, description__gt="").exists()
    assert figures() == before
    assert before[0][0][(house.pk, "new_members", "cur")] == 2
