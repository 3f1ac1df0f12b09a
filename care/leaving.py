"""What deleting an account means for worries and buddies (residents.leaving).

Worries the person raised lose everything that points to them: name, contact details, their words
and the team's notes about it, as retention does once a worry has been closed long enough. One that
is still open is closed (outcome "other"): the team can no longer reach the person. What stays is
what the summary counts: house, category, dates, status.

Buddy requests and offers stop (a proposal or match with them ends; the other side hears it, as
when someone stops themselves) and lose their texts; the person's answers to "Hoe gaat het?" go.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from care.buddies import withdraw
from care.models import Buddy, Match, MatchCheckin, Worry, WorryNote
from residents.audit import record
from residents.registry import LeaveNote


def leave_checks(person) -> list[LeaveNote]:
    found = []
    for worry in Worry.objects.filter(raised_by=person).exclude(status=Worry.Status.CLOSED):
        found.append(
            LeaveNote(
                _(
                    "Your report %(reference)s is closed and what you wrote is removed. Do you still "
                    "want help? Then call or visit the house."
                )
                % {"reference": worry.reference}
            )
        )
    if Buddy.objects.filter(person=person).exclude(status=Buddy.Status.CLOSED).exists():
        found.append(
            LeaveNote(
                _("Your buddy request or offer stops. If you have a buddy, they hear that it has stopped.")
            )
        )
    return found


def erase(person, *, by, now: dt.datetime) -> None:
    """Runs inside residents.leaving.erase's transaction."""
    worries = list(Worry.objects.select_for_update().filter(raised_by=person).select_related("house"))
    for worry in worries:
        changes = {"because": "account deleted"}
        if worry.status != Worry.Status.CLOSED:
            changes["status"] = [worry.status, Worry.Status.CLOSED]
            worry.status, worry.closed_at, worry.outcome = Worry.Status.CLOSED, now, Worry.Outcome.OTHER
        worry.name = worry.phone = worry.email = worry.address = worry.contact_when = worry.message = ""
        worry.raised_by, worry.anonymised_at = None, worry.anonymised_at or now
        worry.save()
        record("worry.anonymised", actor=by, target=worry, house=worry.house, changes=changes)
    WorryNote.objects.filter(worry__in=worries).update(text="")

    for buddy in Buddy.objects.filter(person=person).exclude(status=Buddy.Status.CLOSED):
        withdraw(buddy=buddy, by=by)
    buddies = Buddy.objects.filter(person=person)
    buddies.update(
        languages="", available="", about="", phone="", team_note="", contact_by=Buddy.ContactBy.EMAIL
    )
    Match.objects.filter(Q(ask__in=buddies) | Q(offer__in=buddies)).update(note="", end_reason="")
    MatchCheckin.objects.filter(person=person).update(text="")
