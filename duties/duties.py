"""Obligations, duties, taking and handing back, and the reminders the day before.

Every change goes through these functions: lock the duty row, check, write, audit, e-mail. They raise
DutyError with a message for the person; views show it. The duty row lock (select_for_update) makes
takes, assignments and hand-backs of one duty wait for each other, so students_needed is never
exceeded; the partial unique constraint `duty_taken_once` has the last word on a double take.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.timeutil import local_zone, make_local
from duties.models import Duty, DutyAssignment, Obligation
from residents.audit import record
from residents.ending import HOUSE_STOPPED, hold_open
from residents.mail import mail_person
from residents.models import House, Membership, Role, User
from residents.permissions import can

ACTIVE = DutyAssignment.Status.ACTIVE


class DutyError(Exception):
    """A take, assignment or hand-back that cannot be done; the text is for the person."""


# --- who ----------------------------------------------------------------------------------------


def students_of(house: House):
    """People with an active student membership of the house."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__house=house,
            memberships__role=Role.STUDENT,
            memberships__status=Membership.Status.ACTIVE,
        )
        .distinct()
        .order_by("name")
    )


def is_student(user: User, house) -> bool:
    return user.is_authenticated and Role.STUDENT in user.roles_in(house)


def duty_houses(user: User):
    """Houses whose duties the user sees: as a student, or as someone who manages duties."""
    if not user.is_authenticated:
        return House.objects.none()
    if user.is_superuser:
        return House.objects.filter(is_active=True)
    return House.objects.where(user, Role.STUDENT, Role.COORDINATOR, Role.STAFF).filter(is_active=True)


# --- when ---------------------------------------------------------------------------------------


def occurrences(duty: Duty, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days of the duty between first and last (both included)."""
    if not duty.weekly:
        return [duty.first_day] if first <= duty.first_day <= last else []
    end = min(last, duty.last_day) if duty.last_day else last
    day = duty.first_day
    if day < first:
        day += dt.timedelta(weeks=-(-(first - day).days // 7))
    days = []
    while day <= end:
        days.append(day)
        day += dt.timedelta(weeks=1)
    return days


def occurs_on(duty: Duty, day: dt.date) -> bool:
    return bool(occurrences(duty, day, day))


def start_of(duty: Duty, day: dt.date) -> dt.datetime:
    """The moment an occurrence starts (the start of the day without a time)."""
    time = duty.start_time or dt.time(0, 0)
    try:
        return make_local(day, time)
    except ValidationError:  # a time the clocks skip or repeat: the first such moment will do
        return dt.datetime.combine(day, time).replace(tzinfo=local_zone())


def next_start(duty: Duty, now: dt.datetime | None = None) -> dt.datetime | None:
    """The start of the next occurrence that has not started yet (None: the duty is over)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = duty.last_day if duty.weekly and duty.last_day else today + dt.timedelta(days=800)
    for day in occurrences(duty, today, max(last, today)):
        start = start_of(duty, day)
        if start > now:
            return start
    return None


def is_over(duty: Duty, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    last = duty.last_day if duty.weekly else duty.first_day
    return last is not None and last < today


def describe_when(duty: Duty) -> str:
    """When the duty happens, in words: "every Tuesday, 10:00 to 11:30, 07-01-2025 to 30-06-2025"."""
    times = ""
    if duty.start_time and duty.end_time:
        times = f", {duty.start_time:%H:%M}–{duty.end_time:%H:%M}"
    elif duty.start_time:
        times = ", " + _("from %(time)s") % {"time": f"{duty.start_time:%H:%M}"}
    weekday = date_format(duty.first_day, "l")
    if not duty.weekly:
        return f"{weekday} {duty.first_day:%d-%m-%Y}{times}"
    if duty.last_day:
        return _("every %(weekday)s%(times)s, %(first)s to %(last)s") % {
            "weekday": weekday,
            "times": times,
            "first": f"{duty.first_day:%d-%m-%Y}",
            "last": f"{duty.last_day:%d-%m-%Y}",
        }
    return _("every %(weekday)s%(times)s, from %(first)s") % {
        "weekday": weekday,
        "times": times,
        "first": f"{duty.first_day:%d-%m-%Y}",
    }


def handback_deadline(duty: Duty, now: dt.datetime | None = None) -> dt.datetime | None:
    start = next_start(duty, now)
    return None if start is None else start - dt.timedelta(hours=duty.handback_hours)


# --- obligations --------------------------------------------------------------------------------


def add_obligation(*, house: House, student: User, first_day, last_day, hours_required: int, by: User):
    with transaction.atomic():
        if not can(by, "duties.manage", house):
            raise DutyError(_("Only coordinators and staff of the house can set obligations."))
        if not students_of(house).filter(pk=student.pk).exists():
            raise DutyError(_("Choose a student of this house."))
        obligation = Obligation.objects.create(
            student=student,
            house=house,
            first_day=first_day,
            last_day=last_day,
            hours_required=hours_required,
            set_by=by,
        )
        record(
            "obligation.created",
            actor=by,
            target=obligation,
            house=house,
            on_behalf_of=student,
            changes={
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
                "hours_required": hours_required,
            },
        )
    return obligation


def delete_obligation(*, house: House, obligation_id: int, by: User) -> None:
    with transaction.atomic():
        if not can(by, "duties.manage", house):
            raise DutyError(_("Only coordinators and staff of the house can set obligations."))
        obligation = (
            Obligation.objects.select_for_update()
            .select_related("student")
            .filter(pk=obligation_id, house=house)
            .first()
        )
        if obligation is None:
            raise DutyError(_("This obligation does not exist (any more)."))
        record(
            "obligation.deleted",
            actor=by,
            target=obligation,
            house=house,
            on_behalf_of=obligation.student,
            changes={
                "first_day": obligation.first_day.isoformat(),
                "last_day": obligation.last_day.isoformat(),
                "hours_required": obligation.hours_required,
            },
        )
        obligation.delete()


# --- duties -------------------------------------------------------------------------------------


def save_duty(*, duty: Duty, by: User, changed: list[str] | None = None) -> Duty:
    """Create or change a duty (the form has validated it). Never fewer places than are taken."""
    with transaction.atomic():
        if not can(by, "duties.manage", duty.house):
            raise DutyError(_("Only coordinators and staff of the house can plan duties."))
        new = duty.pk is None
        if not new:
            Duty.objects.select_for_update().filter(pk=duty.pk).first()
            held = duty.assignments.filter(status=ACTIVE).count()
            if duty.students_needed < held:
                raise DutyError(
                    _("%(n)s students already hold this duty. Hand places back first.") % {"n": held}
                )
        if new:
            duty.created_by = by
        duty.save()
        record(
            "duty.created" if new else "duty.changed",
            actor=by,
            target=duty,
            house=duty.house,
            changes={"fields": sorted(changed or [])} if not new else {"title": duty.title},
        )
    return duty


def _lock_duty(duty_id: int) -> Duty:
    duty = Duty.objects.select_for_update(of=("self",)).select_related("house").filter(pk=duty_id).first()
    if duty is None:
        raise DutyError(_("This duty does not exist (any more)."))
    return duty


def places_taken(duty: Duty) -> int:
    """Active holders; call with the duty row locked, so the number cannot change meanwhile."""
    return duty.assignments.filter(status=ACTIVE).count()


def _hold(*, duty_id: int, student: User, by: User) -> DutyAssignment:
    yourself = student.pk == by.pk
    with transaction.atomic():
        house_id = Duty.objects.filter(pk=duty_id).values_list("house_id", flat=True).first()
        # The house first (the order end_house takes its locks): a duty taken while the house is
        # being ended waits for that, and is then refused.
        if house_id is not None and not hold_open(house_id):
            raise DutyError(HOUSE_STOPPED)
        duty = _lock_duty(duty_id)
        if not yourself and not can(by, "duties.manage", duty.house):
            raise DutyError(_("Only coordinators and staff of the house can assign a duty."))
        if not is_student(student, duty.house):
            if yourself:
                raise DutyError(
                    _("Only the students of %(house)s can take this duty.") % {"house": duty.house}
                )
            raise DutyError(_("%(name)s is not a student of this house.") % {"name": student.name})
        if duty.status != Duty.Status.OPEN:
            raise DutyError(_("This duty is cancelled."))
        if is_over(duty):
            raise DutyError(_("This duty is over."))
        if duty.assignments.filter(status=ACTIVE, student=student).exists():
            raise DutyError(_already(student, by))
        if places_taken(duty) >= duty.students_needed:
            raise DutyError(_("Enough students have taken this duty already."))
        assignment = DutyAssignment(duty=duty, student=student, assigned_by=None if yourself else by)
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError as err:  # only a double take can get here: the duty row is locked
            raise DutyError(_already(student, by)) from err
        record(
            "duty.taken" if yourself else "duty.assigned",
            actor=by,
            target=assignment,
            house=duty.house,
            on_behalf_of=None if yourself else student,
            changes={"duty": duty.pk, "status": ACTIVE},
        )
        assignment.duty = duty
    return assignment


def _already(student: User, by: User) -> str:
    if student.pk == by.pk:
        return _("You already have this duty.")
    return _("%(name)s already has this duty.") % {"name": student.name}


def take_duty(*, duty_id: int, student: User) -> DutyAssignment:
    """A student takes a place on a duty of their own house."""
    return _hold(duty_id=duty_id, student=student, by=student)


def assign_duty(*, duty_id: int, student: User, by: User) -> DutyAssignment:
    """A coordinator or staff member gives a place to a student of the house."""
    return _hold(duty_id=duty_id, student=student, by=by)


def mark_returned(
    assignment: DutyAssignment, *, now: dt.datetime, by: User, target, house, changes, on_behalf_of=None
):
    """The assignment handed back at `now`, and the audit row "duty.returned" (by the student, by a
    coordinator for them, or because their account was deleted or the house ended)."""
    assignment.status, assignment.returned_at = DutyAssignment.Status.RETURNED, now
    assignment.save(update_fields=["status", "returned_at"])
    record("duty.returned", actor=by, target=target, house=house, on_behalf_of=on_behalf_of, changes=changes)


def return_duty(*, duty_id: int, student: User, by: User, now: dt.datetime | None = None) -> DutyAssignment:
    """Hand a duty back, until handback_hours before its next occurrence. The place reopens and the
    coordinators of the house get an e-mail."""
    now = now or timezone.now()
    with transaction.atomic():
        duty = _lock_duty(duty_id)
        if student.pk != by.pk and not can(by, "duties.manage", duty.house):
            raise DutyError(_("You can only hand back your own duties."))
        assignment = (
            duty.assignments.select_for_update()
            .filter(status=ACTIVE, student=student)
            .select_related("student")
        ).first()
        if assignment is None:
            raise DutyError(_("You do not have this duty (any more)."))
        deadline = handback_deadline(duty, now)
        if deadline is None:
            raise DutyError(_("This duty is over; it can no longer be handed back."))
        if now > deadline and student.pk == by.pk:
            raise DutyError(
                _(
                    "It is too late to hand this duty back: that was possible until %(deadline)s. "
                    "Ask a coordinator to find someone else."
                )
                % {"deadline": timezone.localtime(deadline).strftime("%d-%m-%Y %H:%M")}
            )
        mark_returned(
            assignment,
            now=now,
            by=by,
            target=assignment,
            house=duty.house,
            on_behalf_of=student if student.pk != by.pk else None,
            changes={"status": [ACTIVE, "returned"], "duty": duty.pk},
        )
        assignment.duty = duty
        for person in _coordinators(duty.house):
            _send(person, "duty_returned", {"duty": duty, "assignment": assignment, "student": student})
    return assignment


def _coordinators(house: House) -> list[User]:
    """Who hears about a hand-back: the coordinators of the house, or its staff when it has none."""
    for role in (Role.COORDINATOR, Role.STAFF):
        people = list(
            User.objects.filter(
                is_active=True,
                memberships__house=house,
                memberships__role=role,
                memberships__status=Membership.Status.ACTIVE,
            ).distinct()
        )
        if people:
            return people
    return []


# --- what the duty page shows -------------------------------------------------------------------


def with_places(duties):
    return duties.annotate(taken=Count("assignments", filter=Q(assignments__status=ACTIVE)))


def open_duties(user: User, houses, today: dt.date | None = None) -> list[Duty]:
    """Duties of the houses, not over, not cancelled, with a free place, that the user does not hold."""
    today = today or timezone.localdate()
    duties = (
        with_places(Duty.objects.filter(house__in=houses, status=Duty.Status.OPEN))
        .filter(
            Q(weekly=False, first_day__gte=today)
            | Q(weekly=True) & (Q(last_day__isnull=True) | Q(last_day__gte=today))
        )
        .exclude(assignments__student=user, assignments__status=ACTIVE)
        .select_related("house", "activity")
        .order_by("first_day", "start_time", "pk")
    )
    result = []
    for duty in duties:
        if duty.taken < duty.students_needed:
            duty.free = duty.students_needed - duty.taken
            duty.when = describe_when(duty)
            result.append(duty)
    return result


def held_duties(user: User, today: dt.date | None = None) -> list[DutyAssignment]:
    today = today or timezone.localdate()
    held = list(
        DutyAssignment.objects.filter(student=user, status=ACTIVE, duty__status=Duty.Status.OPEN)
        .filter(
            Q(duty__weekly=False, duty__first_day__gte=today)
            | Q(duty__weekly=True) & (Q(duty__last_day__isnull=True) | Q(duty__last_day__gte=today))
        )
        .select_related("duty__house", "duty__activity")
        .order_by("duty__first_day", "duty__start_time")
    )
    for assignment in held:
        assignment.duty.when = describe_when(assignment.duty)
    return held


# --- reminders ----------------------------------------------------------------------------------


def send_duty_reminders(now: dt.datetime | None = None) -> int:
    """E-mail the students holding a duty that happens tomorrow (local date), once per occurrence.

    reminded_for is set in the transaction that sends (the mail job is written in it too), and rows
    another run is handling are skipped, so running twice, or on two workers at once, sends once."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    on_tomorrow = Q(duty__weekly=False, duty__first_day=tomorrow) | Q(
        Q(duty__last_day__isnull=True) | Q(duty__last_day__gte=tomorrow),
        duty__weekly=True,
        duty__first_day__lte=tomorrow,
        duty__first_day__iso_week_day=tomorrow.isoweekday(),
    )
    sent = 0
    with transaction.atomic():
        due = (
            DutyAssignment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(on_tomorrow, status=ACTIVE, duty__status=Duty.Status.OPEN)
            .filter(Q(reminded_for__isnull=True) | Q(reminded_for__lt=tomorrow))
            .filter(student__is_active=True, student__email__isnull=False)
            .exclude(student__email="")
            .select_related("student", "duty__house", "duty__activity")
            .order_by("pk")
        )
        for assignment in due:
            assignment.reminded_for = tomorrow
            assignment.save(update_fields=["reminded_for"])
            _send(
                assignment.student,
                "duty_reminder",
                {"duty": assignment.duty, "assignment": assignment, "day": tomorrow},
            )
            sent += 1
    return sent


# --- e-mail -------------------------------------------------------------------------------------


def _send(person: User, template: str, context: dict) -> None:
    """One e-mail to the person, in their language; nothing for people without an address."""
    mail_person(person, f"duties/email/{template}", context)
