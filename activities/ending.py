"""What ending a house means for the living room and the programme (residents.ending).

Everything still to come is cancelled: planned activities that have not started, the live sign-ups
for them, and every live booking of the house's rooms that has not started (an activity's booking
with it). Nobody gets a mail per booking: residents.ending sends each person one mail that says what
was cancelled for them. Nothing that already started or took place changes, so the summary's figures
of the past stay as they are. Waiting lists do not move up: the activities no longer go ahead.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from activities.models import Activity, Booking, Signup
from activities.services import cancel_for_everyone as cancel_booking_for_everyone
from activities.signups import LIVE
from activities.signups import cancel_for_everyone as cancel_signup_for_everyone
from residents.audit import record
from residents.ending import ACTIVITIES, BOOKINGS, SIGNUPS, Cancelled

BECAUSE = "house ended"


def _coming_activities(house, now: dt.datetime):
    return Activity.objects.filter(house=house, status=Activity.Status.PLANNED, period__startswith__gt=now)


def _coming_signups(house, now: dt.datetime):
    return Signup.objects.filter(activity__house=house, status__in=LIVE, activity__period__startswith__gt=now)


def _coming_bookings(house, now: dt.datetime):
    return Booking.objects.live().filter(room__house=house, period__startswith__gt=now)


def reason() -> str:
    """Stored with each cancelled activity and booking, in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("The house has stopped.")


def _count(found: Cancelled, kind: str, per_person) -> None:
    for person_id, n in per_person:
        found.add(kind, person_id, n)


def end_house(house, *, by, now: dt.datetime, preview: bool = False) -> Cancelled:
    """Runs inside residents.ending.end_house's transaction (or only counts, with preview)."""
    found = Cancelled()
    # A booking that holds an activity's room is not the booker's own: it goes with the activity.
    own_bookings = _coming_bookings(house, now).filter(activity__isnull=True)
    if preview:
        found.add(ACTIVITIES, n=_coming_activities(house, now).count())
        _count(found, SIGNUPS, _per_person(_coming_signups(house, now), "person"))
        _count(found, BOOKINGS, _per_person(own_bookings, "booker"))
        return found

    why = reason()
    for activity in _coming_activities(house, now).select_for_update(of=("self",)).order_by("pk"):
        activity.status, activity.cancel_reason = Activity.Status.CANCELLED, why
        activity.save(update_fields=["status", "cancel_reason"])
        record(
            "activity.cancelled",
            actor=by,
            target=activity,
            house=house,
            changes={"status": ["planned", "cancelled"], "because": BECAUSE},
        )
        found.add(ACTIVITIES)

    signups = (
        _coming_signups(house, now)
        .select_for_update(of=("self",))
        .select_related("person", "activity__house")
    )
    for signup in signups.order_by("pk"):
        cancel_signup_for_everyone(signup, by=by, now=now, because=BECAUSE)
        found.add(SIGNUPS, signup.person_id)

    bookings = _coming_bookings(house, now)
    # Their activities were cancelled just above; the link stays.
    of_activities = set(
        Activity.objects.filter(booking__in=bookings.values("pk")).values_list("booking_id", flat=True)
    )
    for booking in (
        bookings.select_for_update(of=("self",)).select_related("booker", "room__house").order_by("pk")
    ):
        held_activity = booking.pk in of_activities
        cancel_booking_for_everyone(
            booking, by=by, now=now, because=BECAUSE, reason=why, activity=held_activity
        )
        if not held_activity:
            found.add(BOOKINGS, booking.booker_id)
    return found


def _per_person(queryset, person_field: str):
    return (
        queryset.order_by()
        .values_list(f"{person_field}_id")
        .annotate(n=Count("pk"))
        .values_list(f"{person_field}_id", "n")
    )
