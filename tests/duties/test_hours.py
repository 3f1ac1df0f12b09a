"""Hour-log services and progress: every bad input refused with a message, nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from activities.timeutil import make_local
from duties import hours, selectors
from duties.models import Duty, HourLog, Obligation
from residents.models import AuditEvent

T = dt.time
TEN, NOON = T(10, 0), T(12, 0)


@pytest.fixture(autouse=True)
def _english():
    # Messages compared with their English msgids here; the views' tests read the Dutch.
    with translation.override("en"):
        yield


@pytest.fixture
def now():
    return make_local(dt.date(2026, 11, 30), T(12, 0))


def log(student, house, now, day=dt.date(2026, 11, 2), start=TEN, end=NOON, **extra):
    return hours.log_hours(
        student=student,
        house=house,
        day=day,
        start_time=start,
        end_time=end,
        what="Koffieochtend",
        now=now,
        **extra,
    )


def refused(fn, **kwargs) -> str:
    before = HourLog.objects.count(), AuditEvent.objects.count()
    with pytest.raises(hours.HoursError) as err:
        fn(**kwargs)
    assert (HourLog.objects.count(), AuditEvent.objects.count()) == before
    return err.value.message


def test_log_is_saved_and_audited(house, student, now):
    entry = log(student, house, now)
    assert entry.minutes == 120
    assert entry.status == HourLog.Status.SUBMITTED
    assert AuditEvent.objects.filter(action="hours.logged", target_id=str(entry.pk)).exists()


@pytest.mark.parametrize(
    ("start", "end", "day", "text"),
    [
        (T(12, 0), T(10, 0), dt.date(2026, 11, 2), "after the start"),
        (T(10, 0), T(10, 0), dt.date(2026, 11, 2), "after the start"),
        (T(6, 0), T(18, 30), dt.date(2026, 11, 2), "12 hours"),
        (T(10, 0), T(11, 0), dt.date(2026, 12, 1), "future"),
        (T(11, 0), T(13, 0), dt.date(2026, 11, 30), "future"),
        (T(2, 30), T(4, 0), dt.date(2026, 3, 29), "does not exist"),
        (T(2, 30), T(4, 0), dt.date(2026, 10, 25), "happens twice"),
    ],
)
def test_bad_times(house, student, now, start, end, day, text):
    message = refused(
        hours.log_hours,
        student=student,
        house=house,
        day=day,
        start_time=start,
        end_time=end,
        what="x",
        now=now,
    )
    assert text in message


def test_exactly_twelve_hours_is_fine(house, student, now):
    assert log(student, house, now, start=T(6, 0), end=T(18, 0)).minutes == 720


def test_overlap_refused(house, student, now):
    log(student, house, now)
    message = refused(
        hours.log_hours,
        student=student,
        house=house,
        day=dt.date(2026, 11, 2),
        start_time=T(11, 0),
        end_time=T(13, 0),
        what="x",
        now=now,
    )
    assert "already logged" in message
    # Back to back is fine; so is the same time after withdrawing.
    log(student, house, now, start=T(12, 0), end=T(13, 0))


def test_overlap_with_withdrawn_log_is_fine(house, student, now):
    first = log(student, house, now)
    hours.withdraw_log(log_id=first.pk, student=student)
    log(student, house, now)


@pytest.mark.parametrize(
    ("day", "minutes"),
    [(dt.date(2026, 3, 29), 120), (dt.date(2026, 10, 25), 240), (dt.date(2026, 10, 26), 180)],
)
def test_dst_nights_count_real_time(house, student, now, day, minutes):
    assert log(student, house, now, day=day, start=T(1, 0), end=T(4, 0)).minutes == minutes


def test_only_students_log(house, resident, coordinator, now):
    for person in (resident, coordinator):
        message = refused(
            hours.log_hours,
            student=person,
            house=house,
            day=dt.date(2026, 11, 2),
            start_time=T(10, 0),
            end_time=T(11, 0),
            what="x",
            now=now,
        )
        assert "Only students" in message


def test_student_of_another_house_cannot_log_here(house, other_house, make_user, now):
    elsewhere = make_user("s2@example.nl", "Sara Elders", other_house, "student")
    assert "Only students" in refused(
        hours.log_hours,
        student=elsewhere,
        house=house,
        day=dt.date(2026, 11, 2),
        start_time=T(10, 0),
        end_time=T(11, 0),
        what="x",
        now=now,
    )


def test_duty_and_activity_of_another_house_refused(house, other_house, student, now):
    duty = Duty.objects.create(house=other_house, title="Koffiekrant", first_day=dt.date(2026, 11, 1))
    assert "another house" in refused(
        hours.log_hours,
        student=student,
        house=house,
        day=dt.date(2026, 11, 2),
        start_time=T(10, 0),
        end_time=T(11, 0),
        what="x",
        duty=duty,
        now=now,
    )


def test_update_and_withdraw_only_own(house, student, make_user, now):
    entry = log(student, house, now)
    other = make_user("s3@example.nl", "Ayşe Yılmaz", house, "student")
    assert "own hours" in refused(
        hours.update_log,
        log_id=entry.pk,
        student=other,
        day=dt.date(2026, 11, 2),
        start_time=T(9, 0),
        end_time=T(10, 0),
        what="x",
        now=now,
    )
    assert "own hours" in refused(hours.withdraw_log, log_id=entry.pk, student=other)


def test_update_returned_log_resubmits(house, student, coordinator, now):
    entry = log(student, house, now)
    hours.return_log(log_id=entry.pk, by=coordinator, reason="Welke dag precies?")
    updated = hours.update_log(
        log_id=entry.pk,
        student=student,
        day=dt.date(2026, 11, 3),
        start_time=T(10, 0),
        end_time=T(11, 30),
        what="Koffieochtend dinsdag",
        now=now,
    )
    assert updated.status == HourLog.Status.SUBMITTED
    assert updated.minutes == 90
    event = AuditEvent.objects.get(action="hours.updated")
    assert event.changes["status"] == ["returned", "submitted"]


def test_approved_log_cannot_change(house, student, coordinator, now):
    entry = log(student, house, now)
    hours.approve_logs(log_ids=[entry.pk], by=coordinator)
    assert "cannot be changed" in refused(hours.withdraw_log, log_id=entry.pk, student=student)


def test_approve_several_at_once_audited(house, student, coordinator, now):
    a = log(student, house, now)
    b = log(student, house, now, start=T(14, 0), end=T(15, 0))
    done = hours.approve_logs(log_ids=[a.pk, b.pk], by=coordinator)
    assert {x.status for x in done} == {HourLog.Status.APPROVED}
    events = AuditEvent.objects.filter(action="hours.approved")
    assert events.count() == 2
    assert all(e.actor == coordinator and e.changes["status"] == ["submitted", "approved"] for e in events)


def test_approving_as_student_or_own_or_other_house_refused(house, other_house, student, make_user, now):
    entry = log(student, house, now)
    other_student = make_user("s4@example.nl", "Ties Tweede", house, "student")
    assert "Only a coordinator" in refused(hours.approve_logs, log_ids=[entry.pk], by=other_student)
    assert "own hours" in refused(hours.approve_logs, log_ids=[entry.pk], by=student)
    stranger = make_user("c2@example.nl", "Cas Elders", other_house, "coordinator")
    assert "Only a coordinator" in refused(hours.approve_logs, log_ids=[entry.pk], by=stranger)
    assert HourLog.objects.get(pk=entry.pk).status == HourLog.Status.SUBMITTED


def test_coordinator_who_is_also_student_cannot_approve_own(house, make_user, now):
    both = make_user("beide@example.nl", "Bo Beide", house, "student")
    from residents.models import Membership

    Membership.objects.create(user=both, house=house, role="coordinator", status="active")
    both.forget_roles()
    entry = log(both, house, now)
    assert "own hours" in refused(hours.approve_logs, log_ids=[entry.pk], by=both)


def test_only_submitted_are_approved_all_or_none(house, student, coordinator, now):
    a = log(student, house, now)
    b = log(student, house, now, start=T(14, 0), end=T(15, 0))
    hours.withdraw_log(log_id=b.pk, student=student)
    assert "not waiting" in refused(hours.approve_logs, log_ids=[a.pk, b.pk], by=coordinator)
    assert HourLog.objects.get(pk=a.pk).status == HourLog.Status.SUBMITTED


def test_return_needs_reason(house, student, coordinator, now):
    entry = log(student, house, now)
    assert "reason" in refused(hours.return_log, log_id=entry.pk, by=coordinator, reason="  ")
    hours.return_log(log_id=entry.pk, by=coordinator, reason="Te lang")
    entry.refresh_from_db()
    assert (entry.status, entry.return_reason, entry.reviewer) == ("returned", "Te lang", coordinator)
    event = AuditEvent.objects.get(action="hours.returned")
    assert event.changes == {"status": ["submitted", "returned"], "reason": "Te lang"}


def test_progress_numbers(house, student, coordinator, now):
    obligation = Obligation.objects.create(
        student=student,
        house=house,
        first_day=dt.date(2026, 11, 1),
        last_day=dt.date(2026, 11, 30),
        hours_required=30,
    )
    a = log(student, house, now, start=TEN, end=NOON)
    log(student, house, now, start=T(13, 0), end=T(13, 30))
    gone = log(student, house, now, start=T(14, 0), end=T(15, 0))
    hours.withdraw_log(log_id=gone.pk, student=student)
    log(student, house, now, day=dt.date(2026, 10, 31))  # before the period
    hours.approve_logs(log_ids=[a.pk], by=coordinator)
    p = selectors.progress(student, obligation, today=dt.date(2026, 11, 10))
    assert (p.approved_minutes, p.pending_minutes, p.required_minutes) == (120, 30, 1800)
    assert p.expected_minutes == 600  # 10 of 30 days
    assert p.on_track is False
    early = selectors.progress(student, obligation, today=dt.date(2026, 11, 1))
    assert early.expected_minutes == 60 and early.on_track is True
    [row] = selectors.review_totals(coordinator, today=dt.date(2026, 11, 10))
    assert (row.approved_minutes, row.pending_minutes) == (120, 30)


def test_make_local_times_stay_local():
    assert timezone.localtime(make_local(dt.date(2026, 10, 25), T(4, 0))).hour == 4
