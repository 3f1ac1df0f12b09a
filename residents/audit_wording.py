"""How the audit trail reads: a label per action, the kinds staff filter by, field names in words.

One place for every app's action codes (plain strings, so residents still imports no app). An
action without a label shows its code; an action whose prefix has no kind shows under "everyone".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from residents.audit import CHANGED
from residents.models import AuditEvent


@dataclass(frozen=True)
class Kind:
    key: str  # in the address: ?soort=boekingen
    label: Any
    prefixes: tuple[str, ...]  # action codes starting with these ("booking.")


KINDS: tuple[Kind, ...] = (
    Kind("lidmaatschappen", gettext_lazy("Memberships and roles"), ("membership.",)),
    Kind("boekingen", gettext_lazy("Bookings and rooms"), ("booking.", "series.", "room.")),
    Kind(
        "activiteiten",
        gettext_lazy("Activities, sign-ups and ideas"),
        ("activity.", "activity_series.", "signup.", "idea.", "poll."),
    ),
    Kind("uren", gettext_lazy("Hours and duties"), ("hours.", "duty.", "obligation.")),
    Kind("nieuws", gettext_lazy("News and koffiekrant"), ("news.", "koffiekrant.", "screen.")),
    Kind("zorgen", gettext_lazy("Worries"), ("worry.",)),
    Kind("maatjes", gettext_lazy("Buddies"), ("buddy.",)),
    Kind("overzicht", gettext_lazy("Summary"), ("summary.",)),
    Kind("accounts", gettext_lazy("Accounts and personal data"), ("person.", "user.", "calendar_feed.")),
    Kind("huis", gettext_lazy("The house: its end and final export"), ("house.",)),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}

# Rows of these kinds show who, when, what and the reference, never what changed.
PRIVATE_PREFIXES = ("worry.",)

ACTION_LABELS: dict[str, Any] = {
    # memberships and roles
    "membership.requested": gettext_lazy("Asked to join the house"),
    "membership.verified": gettext_lazy("Membership verified"),
    "membership.declined": gettext_lazy("Request to join declined"),
    "membership.granted": gettext_lazy("Role given"),
    "membership.role_granted": gettext_lazy("May write news now (editor role)"),
    "membership.role_revoked": gettext_lazy("No longer writes news (editor role)"),
    "membership.admin_added": gettext_lazy("Membership added in the admin"),
    "membership.admin_changed": gettext_lazy("Membership changed in the admin"),
    "membership.admin_removed": gettext_lazy("Membership removed in the admin"),
    # accounts and personal data
    "person.registered": gettext_lazy("Resident registered without e-mail"),
    "person.updated": gettext_lazy("Details changed on their behalf"),
    "person.exported": gettext_lazy("Personal data exported"),
    "person.erased": gettext_lazy("Account deleted"),
    "user.reminders": gettext_lazy("Reminder setting changed"),
    "calendar_feed.created": gettext_lazy("Calendar link made"),
    "calendar_feed.renewed": gettext_lazy("Calendar link renewed"),
    # the house itself
    "house.ended": gettext_lazy("House ended: now an archive"),
    "house.exported": gettext_lazy("Final export of the house made"),
    # bookings and rooms
    "booking.requested": gettext_lazy("Booking asked for"),
    "booking.confirmed": gettext_lazy("Room booked"),
    "booking.approved": gettext_lazy("Booking approved"),
    "booking.declined": gettext_lazy("Booking declined"),
    "booking.cancelled": gettext_lazy("Booking cancelled"),
    "booking.attendance": gettext_lazy("Said whether a booking took place"),
    "series.created": gettext_lazy("Series of bookings made"),
    "room.created": gettext_lazy("Room added"),
    "room.updated": gettext_lazy("Room changed"),
    "room.closure_added": gettext_lazy("Room closed for some days"),
    "room.closure_deleted": gettext_lazy("Closed days of a room removed"),
    # activities, sign-ups and ideas
    "activity.created": gettext_lazy("Activity planned"),
    "activity.changed": gettext_lazy("Activity changed"),
    "activity.cancelled": gettext_lazy("Activity cancelled"),
    "activity.attendance": gettext_lazy("Noted who came to an activity"),
    "activity_series.created": gettext_lazy("Series of activities planned"),
    "activity_series.changed": gettext_lazy("Series of activities changed"),
    "activity_series.stopped": gettext_lazy("Series of activities stopped"),
    "signup.created": gettext_lazy("Signed up for an activity"),
    "signup.cancelled": gettext_lazy("Sign-up cancelled"),
    "signup.moved_up": gettext_lazy("Moved up from the waiting list"),
    "idea.proposed": gettext_lazy("Idea proposed"),
    "idea.supported": gettext_lazy("Idea supported"),
    "idea.support_withdrawn": gettext_lazy("Support for an idea taken back"),
    "idea.status": gettext_lazy("Status of an idea changed"),
    "idea.planned": gettext_lazy("Idea turned into an activity"),
    "poll.opened": gettext_lazy("Poll opened"),
    "poll.voted": gettext_lazy("Poll answered"),
    # hours and duties
    "hours.logged": gettext_lazy("Hours logged"),
    "hours.updated": gettext_lazy("Logged hours changed"),
    "hours.withdrawn": gettext_lazy("Logged hours withdrawn"),
    "hours.approved": gettext_lazy("Hours approved"),
    "hours.returned": gettext_lazy("Hours returned"),
    "duty.created": gettext_lazy("Duty made"),
    "duty.changed": gettext_lazy("Duty changed"),
    "duty.taken": gettext_lazy("Duty taken"),
    "duty.assigned": gettext_lazy("Duty given to a student"),
    "duty.returned": gettext_lazy("Duty handed back"),
    "obligation.created": gettext_lazy("Hours a student owes set"),
    "obligation.deleted": gettext_lazy("Hours a student owes removed"),
    # news and koffiekrant
    "news.created": gettext_lazy("Post written"),
    "news.updated": gettext_lazy("Post changed"),
    "news.deleted": gettext_lazy("Post deleted"),
    "news.comment_hidden": gettext_lazy("Reaction hidden"),
    "news.comment_shown": gettext_lazy("Reaction shown again"),
    "news.comment_reports_dismissed": gettext_lazy("Reported reaction kept"),
    "news.comment_deleted": gettext_lazy("Own reaction deleted"),
    "koffiekrant.word_saved": gettext_lazy("Students' word in the koffiekrant saved"),
    "koffiekrant.published": gettext_lazy("Koffiekrant published"),
    "koffiekrant.republished": gettext_lazy("Koffiekrant published again"),
    "koffiekrant.unpublished": gettext_lazy("Koffiekrant set back to draft"),
    "screen.renewed": gettext_lazy("Screen given a new address"),
    # worries
    "worry.raised": gettext_lazy("Worry raised"),
    "worry.viewed": gettext_lazy("Worry opened"),
    "worry.taken": gettext_lazy("Worry taken on"),
    "worry.contact": gettext_lazy("Contact about a worry noted"),
    "worry.referred": gettext_lazy("Worry referred"),
    "worry.closed": gettext_lazy("Worry closed"),
    "worry.reopened": gettext_lazy("Worry opened again"),
    "worry.note_added": gettext_lazy("Note added to a worry"),
    "worry.reminded": gettext_lazy("Team reminded of a worry"),
    "worry.anonymised": gettext_lazy("Worry anonymised"),
    # buddies
    "buddy.added": gettext_lazy("Asked for or offered a buddy"),
    "buddy.withdrawn": gettext_lazy("Buddy request or offer withdrawn"),
    "buddy.intake_recorded": gettext_lazy("Buddy intake noted"),
    "buddy.match_proposed": gettext_lazy("Buddy match proposed"),
    "buddy.match_answered": gettext_lazy("Buddy match answered"),
    "buddy.match_declined": gettext_lazy("Buddy match did not go ahead"),
    "buddy.match_ended": gettext_lazy("Buddy match ended"),
    "buddy.match_checkin": gettext_lazy("Buddy match checked in"),
    "buddy.match_followed_up": gettext_lazy("Buddy match followed up"),
    # summary
    "summary.targets": gettext_lazy("Pilot targets changed"),
    "summary.story_add": gettext_lazy("Story for the summary written"),
    "summary.story_change": gettext_lazy("Story of the summary changed"),
    "summary.story_delete": gettext_lazy("Story of the summary deleted"),
}

FIELD_LABELS: dict[str, Any] = {
    "activities": gettext_lazy("activities"),
    "activities_held": gettext_lazy("activities held"),
    "activity": gettext_lazy("activity"),
    "audience": gettext_lazy("who may see it"),
    "body": gettext_lazy("text"),
    "because": gettext_lazy("because"),
    "asked": gettext_lazy("how the person asked"),
    "booked": gettext_lazy("booked"),
    "booking": gettext_lazy("booking"),
    "bookings": gettext_lazy("bookings"),
    "came": gettext_lazy("came"),
    "cancelled": gettext_lazy("cancelled"),
    "capacity": gettext_lazy("places"),
    "channel": gettext_lazy("how it came in"),
    "comment": gettext_lazy("reaction"),
    "comments_enabled": gettext_lazy("reactions allowed"),
    "consent": gettext_lazy("agreed"),
    "first_day": gettext_lazy("first day"),
    "frequency": gettext_lazy("how often"),
    "from": gettext_lazy("from"),
    "duties": gettext_lazy("duties"),
    "handler": gettext_lazy("handled by"),
    "hours": gettext_lazy("bookable hours"),
    "hours_required": gettext_lazy("hours required"),
    "house": gettext_lazy("house"),
    "images": gettext_lazy("photos"),
    "images_added": gettext_lazy("photos added"),
    "images_removed": gettext_lazy("photos removed"),
    "last_day": gettext_lazy("last day"),
    "minutes": gettext_lazy("minutes"),
    "name": gettext_lazy("name"),
    "news": gettext_lazy("news"),
    "note": gettext_lazy("note"),
    "outcome": gettext_lazy("outcome"),
    "phone": gettext_lazy("phone"),
    "pinned": gettext_lazy("pinned"),
    "planned": gettext_lazy("planned"),
    "post": gettext_lazy("post"),
    "publish_at": gettext_lazy("visible from"),
    "quotes": gettext_lazy("quotes"),
    "reason": gettext_lazy("reason"),
    "reminders": gettext_lazy("reminders"),
    "reports": gettext_lazy("reports"),
    "reports_handled": gettext_lazy("reports handled"),
    "role": gettext_lazy("role"),
    "rules": gettext_lazy("rules"),
    "signed_up": gettext_lazy("signed up"),
    "signups": gettext_lazy("sign-ups"),
    "skipped": gettext_lazy("skipped"),
    "start": gettext_lazy("start"),
    "status": gettext_lazy("status"),
    "summary": gettext_lazy("short summary"),
    "text": gettext_lazy("text"),
    "title": gettext_lazy("title"),
    "took_place": gettext_lazy("took place"),
    "walk_ins": gettext_lazy("walk-ins"),
    "week": gettext_lazy("week"),
    "what": gettext_lazy("what was done"),
    "where": gettext_lazy("where"),
}

# Stored reasons (codes) the system gives for a change, in words.
REASON_VALUES: dict[str, Any] = {
    "account deleted": gettext_lazy("the account was deleted"),
    "house ended": gettext_lazy("the house ended"),
    # how someone asked staff to delete their account (residents.forms.EraseOnRequestForm)
    "in_person": gettext_lazy("in person, at the house"),
    "phone": gettext_lazy("by phone"),
    "writing": gettext_lazy("by letter or e-mail"),
}

# Values that are a list of things, not [old, new].
LIST_VALUES = {("room.created", "hours"), ("buddy.added", "kinds"), ("duty.changed", "fields")}


def kind_filter(key: str) -> Q:
    """The rows of one kind, as a filter on AuditEvent."""
    q = Q()
    for prefix in KINDS_BY_KEY[key].prefixes:
        q |= Q(action__startswith=prefix)
    return q


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


def value_text(value: Any) -> str:
    """A stored value in words: as stored, except yes/no, nothing, and 'changed' for hidden text."""
    if value is None or value == "":
        return "–"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value == CHANGED:
        return _("changed")
    if isinstance(value, str) and value in REASON_VALUES:
        return str(REASON_VALUES[value])
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{field_label(str(k))}: {value_text(v)}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    value: str = ""  # a value that was set or counted
    old: str = ""
    new: str = ""
    is_pair: bool = False


@dataclass
class Row:
    event: AuditEvent
    label: str
    changes: list[Change] = field(default_factory=list)


def describe(event: AuditEvent) -> Row:
    """One row of the trail in words. Worries: the action and reference only, never what changed."""
    row = Row(event=event, label=action_label(event.action))
    if event.action.startswith(PRIVATE_PREFIXES) or not isinstance(event.changes, dict):
        return row
    for name, value in event.changes.items():
        label = field_label(name)
        if isinstance(value, list) and len(value) == 2 and (event.action, name) not in LIST_VALUES:
            row.changes.append(
                Change(field=label, old=value_text(value[0]), new=value_text(value[1]), is_pair=True)
            )
        else:
            row.changes.append(Change(field=label, value=value_text(value)))
    return row
