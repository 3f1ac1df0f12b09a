"""What deleting an account means for a student's hours and duties (residents.leaving).

Hours still waiting for approval (or sent back) are withdrawn: nobody can approve them for someone
who left. Approved hours stay for the figures, without the words of what was done. Duties the
student holds are handed back, so the coordinator sees them open again.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from duties.duties import mark_returned
from duties.models import DutyAssignment, HourLog
from residents.audit import record
from residents.registry import LeaveNote

WAITING = (HourLog.Status.SUBMITTED, HourLog.Status.RETURNED)


def leave_checks(person) -> list[LeaveNote]:
    found = []
    waiting = HourLog.objects.filter(student=person, status__in=WAITING).count()
    if waiting:
        found.append(
            LeaveNote(
                ngettext(
                    "You have hours that are not approved yet (%(count)s entry). They are withdrawn and "
                    "do not count. Want them to count? Ask the coordinator to approve them first.",
                    "You have hours that are not approved yet (%(count)s entries). They are withdrawn and "
                    "do not count. Want them to count? Ask the coordinator to approve them first.",
                    waiting,
                )
                % {"count": waiting}
            )
        )
    duties = DutyAssignment.objects.filter(student=person, status=DutyAssignment.Status.ACTIVE).count()
    if duties:
        found.append(
            LeaveNote(
                ngettext(
                    "Your duty is handed back to the coordinator.",
                    "Your %(count)s duties are handed back to the coordinator.",
                    duties,
                )
                % {"count": duties}
            )
        )
    return found


def erase(person, *, by, now: dt.datetime) -> None:
    """Runs inside residents.leaving.erase's transaction."""
    for log in (
        HourLog.objects.select_for_update().filter(student=person, status__in=WAITING).select_related("house")
    ):
        old = log.status
        log.status = HourLog.Status.WITHDRAWN
        log.save(update_fields=["status", "updated_at"])
        record(
            "hours.withdrawn",
            actor=by,
            target=log,
            house=log.house,
            target_repr=_("hours #%(n)s") % {"n": log.pk},
            changes={"status": [old, log.status], "because": "account deleted"},
        )
    HourLog.objects.filter(student=person).exclude(what="", return_reason="").update(
        what="", return_reason=""
    )
    for assignment in (
        DutyAssignment.objects.select_for_update()
        .filter(student=person, status=DutyAssignment.Status.ACTIVE)
        .select_related("duty__house")
    ):
        mark_returned(
            assignment,
            now=now,
            by=by,
            target=assignment.duty,
            house=assignment.duty.house,
            changes={"status": ["active", "returned"], "because": "account deleted"},
        )
