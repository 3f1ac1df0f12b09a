"""Hour logs: a student logs, edits or withdraws; a coordinator approves or sends back.

Every function is keyword-only, runs in one transaction, writes the audit trail, and raises
HoursError with a message a person can read; nothing is saved then.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.timeutil import make_local, real_length
from duties.models import MAX_LOG_MINUTES, Duty, HourLog
from residents.audit import CHANGED, record
from residents.permissions import can

EDITABLE = (HourLog.Status.SUBMITTED, HourLog.Status.RETURNED)


class HoursError(Exception):
    """A refusal with a message for the person (and, where it belongs, the form field)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _period(day: dt.date, start_time: dt.time, end_time: dt.time, now: dt.datetime):
    try:
        start = make_local(day, start_time)
    except ValidationError as err:
        raise HoursError(err.messages[0], "start_time") from err
    try:
        end = make_local(day, end_time)
    except ValidationError as err:
        raise HoursError(err.messages[0], "end_time") from err
    if end <= start:
        raise HoursError(_("The end time must be after the start time."), "end_time")
    minutes = int(real_length(start, end).total_seconds() // 60)
    if minutes < 1:
        raise HoursError(_("The time must be at least one minute."), "end_time")
    if minutes > MAX_LOG_MINUTES:
        raise HoursError(_("A log is at most 12 hours. Log a longer day as two parts."), "end_time")
    if end > now:
        raise HoursError(_("You can only log hours that are over. This time is in the future."), "day")
    return start, end, minutes


def _check_links(house, duty: Duty | None, activity: Activity | None) -> None:
    if duty is not None and duty.house_id != house.pk:
        raise HoursError(_("This duty belongs to another house."), "duty")
    if activity is not None and activity.house_id != house.pk:
        raise HoursError(_("This activity belongs to another house."), "activity")


def _save(log: HourLog) -> None:
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError as err:
        if "hourlog_no_overlap" in str(err):
            raise HoursError(
                _("You already logged hours at this time. Choose another time or change that log."),
                "start_time",
            ) from err
        raise


def log_hours(
    *, student, house, day, start_time, end_time, what, duty=None, activity=None, now=None
) -> HourLog:
    now = now or timezone.now()
    if not can(student, "hours.log", house):
        raise HoursError(_("Only students of this house can log hours here."))
    what = (what or "").strip()
    if not what:
        raise HoursError(_("Say what you did."), "what")
    start, end, minutes = _period(day, start_time, end_time, now)
    _check_links(house, duty, activity)
    with transaction.atomic():
        log = HourLog(
            student=student,
            house=house,
            period=DateTimeTZRange(start, end, "[)"),
            minutes=minutes,
            what=what,
            duty=duty,
            activity=activity,
        )
        _save(log)
        record(
            "hours.logged",
            actor=student,
            target=log,
            house=house,
            changes={"minutes": minutes, "status": HourLog.Status.SUBMITTED},
        )
    return log


def _own_editable(log_id: int, student) -> HourLog:
    log = HourLog.objects.select_for_update().select_related("house").filter(pk=log_id).first()
    if log is None or log.student_id != student.pk:
        raise HoursError(_("You can only change your own hours."))
    if log.status not in EDITABLE:
        raise HoursError(_("This log is already approved or withdrawn; it cannot be changed."))
    return log


def update_log(
    *, log_id, student, day, start_time, end_time, what, duty=None, activity=None, now=None
) -> HourLog:
    now = now or timezone.now()
    what = (what or "").strip()
    if not what:
        raise HoursError(_("Say what you did."), "what")
    with transaction.atomic():
        log = _own_editable(log_id, student)
        if not can(student, "hours.log", log.house):
            raise HoursError(_("Only students of this house can log hours here."))
        start, end, minutes = _period(day, start_time, end_time, now)
        _check_links(log.house, duty, activity)
        before = {"status": log.status, "minutes": log.minutes, "what": log.what}
        log.period = DateTimeTZRange(start, end, "[)")
        log.minutes = minutes
        log.what = what
        log.duty = duty
        log.activity = activity
        log.status = HourLog.Status.SUBMITTED
        _save(log)
        after = {"status": log.status, "minutes": log.minutes, "what": log.what}
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if "what" in changes:  # the student's own words: only that they changed
            changes["what"] = CHANGED
        record("hours.updated", actor=student, target=log, house=log.house, changes=changes)
    return log


def withdraw_log(*, log_id, student) -> HourLog:
    with transaction.atomic():
        log = _own_editable(log_id, student)
        before = log.status
        log.status = HourLog.Status.WITHDRAWN
        log.save(update_fields=["status", "updated_at"])
        record(
            "hours.withdrawn",
            actor=student,
            target=log,
            house=log.house,
            changes={"status": [before, log.status]},
        )
    return log


def _reviewable(log: HourLog, by) -> None:
    if log.student_id == by.pk:
        raise HoursError(_("You cannot approve or send back your own hours."))
    if not can(by, "hours.review", log.house):
        raise HoursError(_("Only a coordinator or staff of the house can review these hours."))
    if log.status != HourLog.Status.SUBMITTED:
        raise HoursError(_("This log is not waiting for review (any more)."))


def approve_logs(*, log_ids, by, now=None) -> list[HourLog]:
    """Approve several logs at once: all or none."""
    now = now or timezone.now()
    ids = sorted({int(i) for i in log_ids})
    if not ids:
        raise HoursError(_("Choose at least one log to approve."))
    with transaction.atomic():
        logs = list(
            HourLog.objects.select_for_update(of=("self",))
            .select_related("house", "student")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(logs) != len(ids):
            raise HoursError(_("One of the chosen logs does not exist (any more)."))
        for log in logs:
            _reviewable(log, by)
        for log in logs:
            log.status = HourLog.Status.APPROVED
            log.reviewer = by
            log.reviewed_at = now
            log.return_reason = ""
            log.save(update_fields=["status", "reviewer", "reviewed_at", "return_reason", "updated_at"])
            record(
                "hours.approved",
                actor=by,
                target=log,
                house=log.house,
                changes={
                    "status": [HourLog.Status.SUBMITTED, HourLog.Status.APPROVED],
                    "minutes": log.minutes,
                },
            )
    return logs


def return_log(*, log_id, by, reason, now=None) -> HourLog:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise HoursError(_("Give a reason, so the student knows what to change."), "reason")
    with transaction.atomic():
        log = (
            HourLog.objects.select_for_update(of=("self",)).select_related("house").filter(pk=log_id).first()
        )
        if log is None:
            raise HoursError(_("This log does not exist (any more)."))
        _reviewable(log, by)
        log.status = HourLog.Status.RETURNED
        log.reviewer = by
        log.reviewed_at = now
        log.return_reason = reason[:300]
        log.save(update_fields=["status", "reviewer", "reviewed_at", "return_reason", "updated_at"])
        record(
            "hours.returned",
            actor=by,
            target=log,
            house=log.house,
            changes={
                "status": [HourLog.Status.SUBMITTED, HourLog.Status.RETURNED],
                "reason": log.return_reason,
            },
        )
    return log
