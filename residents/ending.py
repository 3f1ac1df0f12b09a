"""Ending a house: when its pilot stops, staff end the house and it becomes a read-only archive.

`end_house` does it in one transaction: it locks the house row, sets `ended_at`, lets every app cancel
what was still to come (residents.registry.house_enders, registered in each AppConfig.ready(): coming
bookings, activities and sign-ups, duties) and records it in the audit trail. Once that is committed,
every member, and everyone whose booking or sign-up was cancelled, gets one e-mail in their own
language. From then on `can()` allows only reading (residents.permissions.ARCHIVE_ABILITIES),
`house_view` refuses every change, and the retention periods of the archive run from `ended_at`
(wijkhuis.retention, rule "ended_houses"). Accounts stay: people keep their own data (/mijn/gegevens/).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from residents import registry
from residents.audit import record
from residents.mail import mail_person
from residents.models import AuditEvent, House, Membership, User

# What the enders count, per house and per person (the members' e-mail reads the per-person ones).
BOOKINGS = "bookings"  # coming bookings of the living room (an activity's booking goes with it)
ACTIVITIES = "activities"  # coming planned activities
SIGNUPS = "signups"  # live sign-ups for coming activities
DUTIES = "duties"  # open duties still to come
HELD_DUTIES = "held_duties"  # places on those duties that students held, handed back


class EndingError(Exception):
    """Why a house cannot be ended, in words for staff."""


@dataclass
class Cancelled:
    """What ending a house cancelled (or, in a preview, would cancel): per kind, and per person."""

    totals: Counter = field(default_factory=Counter)
    per_person: dict[int, Counter] = field(default_factory=dict)

    def add(self, kind: str, person_id: int | None = None, n: int = 1) -> None:
        if not n:
            return
        self.totals[kind] += n
        if person_id is not None:
            self.per_person.setdefault(person_id, Counter())[kind] += n

    def merge(self, other: Cancelled | None) -> None:
        if other is None:
            return
        self.totals.update(other.totals)
        for person_id, counts in other.per_person.items():
            self.per_person.setdefault(person_id, Counter()).update(counts)


@dataclass(frozen=True)
class Preview:
    """What ending the house now would do: the counts, and how many people get an e-mail."""

    cancelled: Cancelled
    mailed: int


def _run_enders(house: House, *, by, now: dt.datetime, preview: bool) -> Cancelled:
    cancelled = Cancelled()
    for ender in registry.house_enders:
        cancelled.merge(ender(house, by=by, now=now, preview=preview))
    return cancelled


def _recipients(house: House, person_ids, *, exclude: int | None = None):
    """The house's active members and the people something was cancelled for, who have an e-mail
    address and an account that still exists."""
    people = (
        User.objects.filter(
            Q(memberships__house=house, memberships__status=Membership.Status.ACTIVE) | Q(pk__in=person_ids)
        )
        .filter(is_active=True, erased_at__isnull=True, email__isnull=False)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    if exclude is not None:
        people = people.exclude(pk=exclude)
    return people


def preview(house: House, *, by=None, now: dt.datetime | None = None) -> Preview:
    """Count what ending `house` at `now` would cancel and how many people would get an e-mail."""
    now = now or timezone.now()
    cancelled = _run_enders(house, by=by, now=now, preview=True)
    exclude = by.pk if getattr(by, "pk", None) else None
    mailed = _recipients(house, list(cancelled.per_person), exclude=exclude).count()
    return Preview(cancelled=cancelled, mailed=mailed)


# What a booking, sign-up, activity or duty started in an ended house is told (see hold_open).
HOUSE_STOPPED = gettext_lazy("This house has stopped: nothing new can start here.")


def hold_open(house_id: int) -> bool:
    """Inside a transaction that starts something new in a house (a booking, a sign-up, an activity,
    a duty taken): wait for an ending of the house that is under way, and keep one from starting
    until this transaction ends (a share lock on the house row, which end_house locks for update;
    share locks do not wait for each other). Take it before any other row of the house, as end_house
    does. Returns False when the house has ended: the caller refuses with HOUSE_STOPPED."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ended_at IS NULL FROM {connection.ops.quote_name(House._meta.db_table)} "  # noqa: S608
            "WHERE id = %s FOR SHARE",
            [house_id],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def end_house(house: House, *, by: User, now: dt.datetime | None = None) -> Cancelled:
    """End `house` (see the module docstring); the caller checked that `by` may ("house.end").
    Raises EndingError when it has already ended."""
    now = now or timezone.now()
    with transaction.atomic():
        house = House.objects.select_for_update().select_related("owner").get(pk=house.pk)
        if house.ended_at is not None:
            raise EndingError(
                _("This house already stopped on %(date)s.")
                % {"date": formats.date_format(timezone.localtime(house.ended_at), "j F Y")}
            )
        house.ended_at = now
        house.save(update_fields=["ended_at"])
        cancelled = _run_enders(house, by=by, now=now, preview=False)
        record(
            "house.ended",
            actor=by,
            target=house,
            house=house,
            changes={kind: cancelled.totals.get(kind, 0) for kind in (BOOKINGS, ACTIVITIES, SIGNUPS, DUTIES)},
        )
        per_person = {pk: dict(counts) for pk, counts in cancelled.per_person.items()}
        house_id, by_id = house.pk, by.pk
        transaction.on_commit(lambda: tell_members(house_id, per_person, exclude=by_id))
    return cancelled


def tell_members(house_id: int, per_person: dict[int, dict[str, int]], *, exclude: int | None = None) -> int:
    """One e-mail per member (and per person something was cancelled for), in their language:
    the house stopped, what was cancelled for them, their account stays, where their data is.
    Returns how many were sent."""
    house = House.objects.select_related("owner").get(pk=house_id)
    owner = house.owner
    context = {
        "house": house,
        "ended_at": house.ended_at,
        "contact": owner.privacy_email or owner.email,
        "organisation": owner.name,
        "my_data_url": reverse("my_data"),
        "leave_url": reverse("leave"),
    }
    sent = 0
    for person in _recipients(house, list(per_person), exclude=exclude):
        counts = per_person.get(person.pk, {})
        sent += mail_person(
            person,
            "residents/email/house_ended",
            {
                **context,
                "bookings": counts.get(BOOKINGS, 0),
                "signups": counts.get(SIGNUPS, 0),
                "held_duties": counts.get(HELD_DUTIES, 0),
                "nothing": not any(counts.values()),
            },
        )
    return sent


def ended_event(house: House) -> AuditEvent | None:
    """The audit row of the end: when, and by whom."""
    return AuditEvent.objects.filter(house=house, action="house.ended").select_related("actor").first()
