"""Duty services: obligations, taking, assigning, handing back, reminders, and the capacity race."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import QuerySet
from django.utils import timezone, translation

from activities.timeutil import make_local
from duties import duties as services
from duties.duties import DutyError
from duties.models import Duty, DutyAssignment, Obligation
from residents.models import AuditEvent
from tests.threads import run_in_threads
from wijkhuis import jobs

pytestmark = pytest.mark.django_db


def make_duty(
    house, *, days: int = 7, weekly: bool = False, weeks: int = 4, needed: int = 1, **extra
) -> Duty:
    first = timezone.localdate() + dt.timedelta(days=days)
    extra.setdefault("start_time", dt.time(10, 0))
    extra.setdefault("end_time", dt.time(12, 0))
    return Duty.objects.create(
        house=house,
        title=extra.pop("title", "Koffieochtend hosten"),
        first_day=first,
        weekly=weekly,
        last_day=first + dt.timedelta(weeks=weeks) if weekly else None,
        students_needed=needed,
        **extra,
    )


@pytest.fixture
def nl():
    with translation.override("nl"):
        yield


# --- occurrences --------------------------------------------------------------------------------


def test_weekly_occurrences_and_next_start(house):
    duty = make_duty(house, days=-14, weekly=True, weeks=4)
    today = timezone.localdate()
    days = services.occurrences(duty, today, today + dt.timedelta(days=30))
    assert days == [duty.first_day + dt.timedelta(weeks=w) for w in (2, 3, 4)]
    starts = [make_local(d, dt.time(10)) for d in days]
    assert services.next_start(duty) == next(s for s in starts if s > timezone.now())


def test_one_off_over_has_no_next_start(house):
    duty = make_duty(house, days=-1)
    assert services.next_start(duty) is None
    assert services.is_over(duty)


# --- obligations --------------------------------------------------------------------------------


def test_obligations_several_periods_audited(house, student, coordinator):
    today = timezone.localdate()
    for start in (today, today + dt.timedelta(days=365)):
        services.add_obligation(
            house=house,
            student=student,
            first_day=start,
            last_day=start + dt.timedelta(days=364),
            hours_required=96,
            by=coordinator,
        )
    assert Obligation.objects.filter(student=student, house=house).count() == 2
    assert AuditEvent.objects.filter(action="obligation.created").count() == 2
    ob = Obligation.objects.first()
    services.delete_obligation(house=house, obligation_id=ob.pk, by=coordinator)
    assert Obligation.objects.count() == 1
    assert AuditEvent.objects.filter(action="obligation.deleted").count() == 1


def test_obligation_only_for_students_and_by_managers(house, student, resident, coordinator, nl):
    today = timezone.localdate()
    with pytest.raises(DutyError, match=r"student van dit huis|student of this house"):
        services.add_obligation(
            house=house, student=resident, first_day=today, last_day=today, hours_required=5, by=coordinator
        )
    with pytest.raises(DutyError):
        services.add_obligation(
            house=house, student=student, first_day=today, last_day=today, hours_required=5, by=student
        )
    assert not Obligation.objects.exists()


def test_delete_obligation_of_another_house_is_refused(house, other_house, student, coordinator, make_user):
    other_student = make_user("ander@example.nl", "Ander", other_house, "student")
    today = timezone.localdate()
    ob = Obligation.objects.create(
        student=other_student, house=other_house, first_day=today, last_day=today, hours_required=3
    )
    with pytest.raises(DutyError):
        services.delete_obligation(house=house, obligation_id=ob.pk, by=coordinator)
    assert Obligation.objects.filter(pk=ob.pk).exists()


# --- taking, assigning, handing back ------------------------------------------------------------


def test_take_and_audit(house, student):
    duty = make_duty(house)
    assignment = services.take_duty(duty_id=duty.pk, student=student)
    assert assignment.status == DutyAssignment.Status.ACTIVE
    assert assignment.assigned_by is None
    assert AuditEvent.objects.filter(action="duty.taken", actor=student).count() == 1


def test_taking_twice_is_refused(house, student):
    duty = make_duty(house, needed=3)
    services.take_duty(duty_id=duty.pk, student=student)
    with pytest.raises(DutyError, match=r"already|al"):
        services.take_duty(duty_id=duty.pk, student=student)
    assert DutyAssignment.objects.filter(duty=duty).count() == 1


def test_more_students_than_needed_is_refused(house, student, coordinator, make_user):
    duty = make_duty(house, needed=1)
    second = make_user("student2@example.nl", "Tweede", house, "student")
    services.take_duty(duty_id=duty.pk, student=student)
    with pytest.raises(DutyError):
        services.take_duty(duty_id=duty.pk, student=second)
    with pytest.raises(DutyError):
        services.assign_duty(duty_id=duty.pk, student=second, by=coordinator)
    assert DutyAssignment.objects.filter(duty=duty, status="active").count() == 1


def test_non_student_and_other_house_cannot_take(house, other_house, resident, coordinator, make_user):
    duty = make_duty(house)
    for person in (resident, coordinator, make_user("elders@example.nl", "Elders", other_house, "student")):
        with pytest.raises(DutyError):
            services.take_duty(duty_id=duty.pk, student=person)
    assert not DutyAssignment.objects.exists()


def test_cancelled_or_past_duty_cannot_be_taken(house, student):
    cancelled = make_duty(house, status=Duty.Status.CANCELLED)
    past = make_duty(house, days=-2)
    for duty in (cancelled, past):
        with pytest.raises(DutyError):
            services.take_duty(duty_id=duty.pk, student=student)


def test_assign_by_coordinator_audited_and_only_managers(house, student, coordinator, resident):
    duty = make_duty(house)
    with pytest.raises(DutyError):
        services.assign_duty(duty_id=duty.pk, student=student, by=resident)
    assignment = services.assign_duty(duty_id=duty.pk, student=student, by=coordinator)
    assert assignment.assigned_by == coordinator
    event = AuditEvent.objects.get(action="duty.assigned")
    assert event.actor == coordinator and event.on_behalf_of == student


def test_assign_non_student_refused(house, resident, coordinator):
    duty = make_duty(house)
    with pytest.raises(DutyError):
        services.assign_duty(duty_id=duty.pk, student=resident, by=coordinator)


def test_hand_back_reopens_and_tells_coordinator(house, student, coordinator):
    coordinator.language = "en"
    coordinator.save()
    duty = make_duty(house, days=7)
    services.take_duty(duty_id=duty.pk, student=student)
    mail.outbox.clear()
    services.return_duty(duty_id=duty.pk, student=student, by=student)
    assert not DutyAssignment.objects.filter(duty=duty, status="active").exists()
    assert AuditEvent.objects.filter(action="duty.returned").count() == 1
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "handed back" in mail.outbox[0].subject
    # the place is open again: another take works
    services.take_duty(duty_id=duty.pk, student=student)


def test_hand_back_after_the_deadline_is_refused(house, student):
    duty = make_duty(house, days=1, handback_hours=48)
    services.take_duty(duty_id=duty.pk, student=student)
    with pytest.raises(DutyError, match=r"late|laat"):
        services.return_duty(duty_id=duty.pk, student=student, by=student)
    assert DutyAssignment.objects.filter(duty=duty, status="active").count() == 1
    # just before the deadline it is still allowed
    start = services.next_start(duty)
    services.return_duty(
        duty_id=duty.pk, student=student, by=student, now=start - dt.timedelta(hours=48, minutes=1)
    )


def test_hand_back_someone_elses_duty_is_refused(house, student, make_user):
    duty = make_duty(house, needed=2)
    other = make_user("student2@example.nl", "Tweede", house, "student")
    services.take_duty(duty_id=duty.pk, student=student)
    with pytest.raises(DutyError):
        services.return_duty(duty_id=duty.pk, student=student, by=other)
    with pytest.raises(DutyError):
        services.return_duty(duty_id=duty.pk, student=other, by=other)


def test_fewer_places_than_taken_is_refused(house, student, coordinator, make_user):
    duty = make_duty(house, needed=2)
    services.take_duty(duty_id=duty.pk, student=student)
    services.take_duty(duty_id=duty.pk, student=make_user("s2@example.nl", "S2", house, "student"))
    duty.students_needed = 1
    with pytest.raises(DutyError):
        services.save_duty(duty=duty, by=coordinator, changed=["students_needed"])
    duty.refresh_from_db()
    assert duty.students_needed == 2


# --- what students see --------------------------------------------------------------------------


def test_open_duties_shows_free_places_only(house, other_house, student, make_user):
    full = make_duty(house, title="Vol")
    services.take_duty(duty_id=full.pk, student=make_user("s2@example.nl", "S2", house, "student"))
    free = make_duty(house, title="Vrij", needed=2)
    make_duty(other_house, title="Elders")
    listed = services.open_duties(student, services.duty_houses(student))
    assert [d.title for d in listed] == ["Vrij"]
    assert listed[0].free == 2
    services.take_duty(duty_id=free.pk, student=student)
    assert services.open_duties(student, services.duty_houses(student)) == []
    assert [a.duty.title for a in services.held_duties(student)] == ["Vrij"]


# --- reminders ----------------------------------------------------------------------------------


def test_reminder_day_before_once(house, student, make_user):
    nomail = make_user(None, "Zonder mail", house, "student")
    duty = make_duty(house, days=1, needed=2)
    services.take_duty(duty_id=duty.pk, student=student)
    services.take_duty(duty_id=duty.pk, student=nomail)
    make_duty(house, days=2, title="Overmorgen")
    mail.outbox.clear()
    assert services.send_duty_reminders() == 1
    assert services.send_duty_reminders() == 0
    assert [m.to for m in mail.outbox] == [[student.email]]
    assert DutyAssignment.objects.get(student=student).reminded_for == duty.first_day


def test_weekly_duty_reminds_each_week(house, student):
    duty = make_duty(house, days=1, weekly=True, weeks=3)
    services.take_duty(duty_id=duty.pk, student=student)
    mail.outbox.clear()
    now = timezone.now()
    assert services.send_duty_reminders(now) == 1
    assert services.send_duty_reminders(now) == 0
    assert services.send_duty_reminders(now + dt.timedelta(days=3)) == 0  # not the day before
    assert services.send_duty_reminders(now + dt.timedelta(days=7)) == 1
    assert services.send_duty_reminders(now + dt.timedelta(days=7)) == 0
    assert len(mail.outbox) == 2


def test_reminder_in_the_students_language(house, student):
    student.language = "en"
    student.save()
    duty = make_duty(house, days=1)
    services.take_duty(duty_id=duty.pk, student=student)
    mail.outbox.clear()
    services.send_duty_reminders()
    assert mail.outbox[0].subject.startswith("Tomorrow:")


def test_returned_or_cancelled_duty_gets_no_reminder(house, student, make_user):
    returned = make_duty(house, days=1, title="Terug", handback_hours=0)
    services.take_duty(duty_id=returned.pk, student=student)
    services.return_duty(duty_id=returned.pk, student=student, by=student)
    cancelled = make_duty(house, days=1, title="Afgelast")
    services.take_duty(duty_id=cancelled.pk, student=student)
    Duty.objects.filter(pk=cancelled.pk).update(status=Duty.Status.CANCELLED)
    assert services.send_duty_reminders() == 0


def test_job_and_command_send_duty_reminders(house, student, capsys):
    assert jobs.PERIODIC_JOBS["send_duty_reminders"] == (
        "wijkhuis.jobs.send_duty_reminders",
        dt.timedelta(hours=1),
    )
    duty = make_duty(house, days=1)
    services.take_duty(duty_id=duty.pk, student=student)
    call_command("send_reminders")
    assert "1 duty reminder(s) sent." in capsys.readouterr().out
    call_command("send_reminders")
    assert "0 duty reminder(s) sent." in capsys.readouterr().out
    assert jobs.send_duty_reminders.call() == 0


# --- capacity under concurrent takes --------------------------------------------------------------

STUDENTS = 8
PLACES = 3


@pytest.fixture
def many_students(house, make_user):
    return [make_user(f"st{i}@example.nl", f"Student {i}", house, "student") for i in range(STUDENTS)]


def _taker(barrier, duty, person):
    def go():
        barrier.wait(60)
        with translation.override("nl"):
            return services.take_duty(duty_id=duty.pk, student=person)

    return go


def _race(duty, people):
    barrier = threading.Barrier(len(people))
    return run_in_threads(*(_taker(barrier, duty, p) for p in people), timeout=120)


@pytest.mark.django_db(transaction=True)
def test_concurrent_takes_never_exceed_places(house, many_students):
    duty = make_duty(house, needed=PLACES)
    results = _race(duty, many_students)
    ok = [v for kind, v in results if kind == "ok"]
    errors = [v for kind, v in results if kind == "error"]
    assert len(ok) == PLACES
    assert all(isinstance(e, DutyError) for e in errors)
    assert DutyAssignment.objects.filter(duty=duty, status="active").count() == PLACES


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_places_are_exceeded(house, many_students, monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    original = services.places_taken
    counted = threading.Barrier(STUDENTS)

    def places_taken(duty):
        taken = original(duty)
        counted.wait(60)  # every thread has counted before any writes
        return taken

    monkeypatch.setattr(services, "places_taken", places_taken)
    duty = make_duty(house, needed=PLACES)
    _race(duty, many_students)
    assert DutyAssignment.objects.filter(duty=duty, status="active").count() > PLACES
