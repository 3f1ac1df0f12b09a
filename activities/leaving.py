"""What deleting an account means for the living room, the programme and ideas (residents.leaving).

Coming bookings and sign-ups are cancelled (the time is free at once; a place goes to the first on
the waiting list), the person's own words go (booking titles, ideas), and they stop being an
organiser. What took place stays for the figures: a past booking (without its title), a sign-up
and whether they came, their support for an idea and their vote (without a name: the account is
nameless by then). The only organiser of a coming activity must first hand it over or cancel it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import Activity, Booking, Idea, Signup
from activities.services import cancel_for_everyone as cancel_booking_for_everyone
from activities.signups import LIVE, fill_places
from activities.signups import cancel_for_everyone as cancel_signup_for_everyone
from residents.registry import LeaveNote

BECAUSE = "account deleted"


def _coming_activities_led_alone(person, now: dt.datetime):
    return (
        Activity.objects.filter(organisers=person, status=Activity.Status.PLANNED, period__startswith__gt=now)
        .select_related("house")
        .prefetch_related("organisers")
        .order_by("period")
    )


def _coming_bookings(person, now: dt.datetime):
    """The person's own coming bookings; a booking that holds an activity's room goes with the
    activity, not with its booker."""
    return Booking.objects.live().filter(booker=person, period__startswith__gt=now, activity__isnull=True)


def _coming_signups(person, now: dt.datetime):
    return Signup.objects.filter(person=person, status__in=LIVE, activity__period__startswith__gt=now)


def _day(activity: Activity) -> str:
    return formats.date_format(timezone.localtime(activity.start), "j F Y")


def leave_checks(person) -> list[LeaveNote]:
    now = timezone.now()
    found = []
    for activity in _coming_activities_led_alone(person, now):
        if any(organiser.pk != person.pk for organiser in activity.organisers.all()):
            continue
        found.append(
            LeaveNote(
                _(
                    "You are the only organiser of “%(title)s” on %(date)s. Ask the coordinator to "
                    "take it over, or cancel it first."
                )
                % {
                    "title": activity.title,
                    "date": formats.date_format(timezone.localtime(activity.start), "j F Y"),
                },
                blocking=True,
                url=activity.get_absolute_url(),
            )
        )
    bookings = _coming_bookings(person, now).count()
    if bookings:
        found.append(
            LeaveNote(
                ngettext(
                    "Your coming booking of the living room is cancelled.",
                    "Your %(count)s coming bookings of the living room are cancelled.",
                    bookings,
                )
                % {"count": bookings}
            )
        )
    signups = _coming_signups(person, now).count()
    if signups:
        found.append(
            LeaveNote(
                ngettext(
                    "Your sign-up for a coming activity is cancelled. "
                    "Your place goes to someone on the waiting list.",
                    "Your %(count)s sign-ups for coming activities are cancelled. "
                    "Your places go to people on the waiting list.",
                    signups,
                )
                % {"count": signups}
            )
        )
    ideas = Idea.objects.filter(proposer=person).count()
    if ideas:
        found.append(
            LeaveNote(
                ngettext(
                    "The text of your idea is removed.",
                    "The texts of your %(count)s ideas are removed.",
                    ideas,
                )
                % {"count": ideas}
            )
        )
    return found


def erase(person, *, by, now: dt.datetime) -> None:
    """Runs inside residents.leaving.erase's transaction."""
    # Their words first, so the audit rows of the cancellations below do not copy a title.
    Booking.objects.filter(booker=person).exclude(title="", decision_reason="", cancel_reason="").update(
        title="", decision_reason="", cancel_reason=""
    )
    for booking in (
        _coming_bookings(person, now).select_for_update(of=("self",)).select_related("room__house")
    ):
        cancel_booking_for_everyone(booking, by=by, now=now, because=BECAUSE)
    # An activity's coming booking stays with the activity; another organiser becomes its booker.
    for activity in (
        Activity.objects.filter(booking__booker=person, period__startswith__gt=now)
        .select_related("booking")
        .prefetch_related("organisers")
    ):
        others = [o for o in activity.organisers.all() if o.pk != person.pk]
        if others:
            Booking.objects.filter(pk=activity.booking_id).update(booker=others[0])

    for signup in _coming_signups(person, now).select_related("activity__house").order_by("pk"):
        activity = (
            Activity.objects.select_for_update(of=("self",))
            .select_related("house")
            .get(pk=signup.activity_id)
        )
        signup.activity = activity
        old = cancel_signup_for_everyone(signup, by=by, now=now, because=BECAUSE)
        if old == Signup.Status.CONFIRMED:
            fill_places(activity)

    Activity.organisers.through.objects.filter(user=person).delete()
    with translation.override(settings.LANGUAGE_CODE):  # stored: in the portal's language
        title = _("Idea of someone who left")
    Idea.objects.filter(proposer=person).update(title=title, description="", helpers="", status_reason="")
