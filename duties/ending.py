"""What ending a house means for the students' duties (residents.ending).

Duties still to come (a one-off duty from today on, a weekly one whose last day has not passed) are
cancelled, and the places students held on them are handed back. Hours already logged stay as they
are: what was done, was done.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from duties.duties import mark_returned
from duties.models import Duty, DutyAssignment
from residents.audit import record
from residents.ending import DUTIES, HELD_DUTIES, Cancelled

BECAUSE = "house ended"


def _coming_duties(house, now: dt.datetime):
    today = timezone.localdate(now)
    return Duty.objects.filter(house=house, status=Duty.Status.OPEN).filter(
        Q(weekly=False, first_day__gte=today)
        | Q(weekly=True) & (Q(last_day__isnull=True) | Q(last_day__gte=today))
    )


def _held(duties):
    return DutyAssignment.objects.filter(duty__in=duties.values("pk"), status=DutyAssignment.Status.ACTIVE)


def end_house(house, *, by, now: dt.datetime, preview: bool = False) -> Cancelled:
    """Runs inside residents.ending.end_house's transaction (or only counts, with preview)."""
    found = Cancelled()
    duties = _coming_duties(house, now)
    if preview:
        found.add(DUTIES, n=duties.count())
        for student_id, n in (
            _held(duties)
            .order_by()
            .values_list("student_id")
            .annotate(n=Count("pk"))
            .values_list("student_id", "n")
        ):
            found.add(HELD_DUTIES, student_id, n)
        return found

    for assignment in (
        _held(duties).select_for_update(of=("self",)).select_related("duty", "student").order_by("pk")
    ):
        mark_returned(
            assignment,
            now=now,
            by=by,
            target=assignment.duty,
            house=house,
            on_behalf_of=assignment.student,
            changes={"status": ["active", "returned"], "because": BECAUSE},
        )
        found.add(HELD_DUTIES, assignment.student_id)
    for duty in duties.select_for_update().order_by("pk"):
        duty.status = Duty.Status.CANCELLED
        duty.save(update_fields=["status"])
        record(
            "duty.changed",
            actor=by,
            target=duty,
            house=house,
            changes={"status": ["open", "cancelled"], "because": BECAUSE},
        )
        found.add(DUTIES)
    return found
