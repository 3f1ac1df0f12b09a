"""What the living room adds to calendar feeds: a person's own bookings, the house's public ones."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Booking, Signup
from residents.registry import FeedEvent

PAST = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=180)


def _event(booking: Booking, *, summary: str, url: str, description: str = "") -> FeedEvent:
    requested = booking.status == Booking.Status.REQUESTED
    if requested:
        waiting = _("Waiting for approval.")
        description = f"{waiting} {description}".strip()
    return FeedEvent(
        uid=f"booking-{booking.pk}@wijkhuis",
        start=booking.start,
        end=booking.end,
        summary=summary,
        location=f"{booking.room.name}, {booking.room.house.address}",
        description=description,
        url=url,
        status="TENTATIVE" if requested else "CONFIRMED",
    )


def booking_event(booking: Booking) -> FeedEvent:
    """One's own booking as an event (full title), for the personal feed and e-mail attachments."""
    return _event(
        booking,
        summary=f"{booking.title} ({booking.room.name})",
        url=settings.SITE_URL + booking.get_absolute_url(),
    )


def personal_events(user) -> list[FeedEvent]:
    """The person's own live bookings and the planned activities they have a place for (confirmed
    sign-ups), from 30 days ago on; private titles included (they are theirs)."""
    since = timezone.now() - PAST
    bookings = (
        Booking.objects.live()
        .filter(booker=user, period__endswith__gte=since)
        .select_related("room__house")
        .order_by("period")
    )
    signups = (
        Signup.objects.filter(
            person=user,
            status=Signup.Status.CONFIRMED,
            activity__status=Activity.Status.PLANNED,
            activity__period__endswith__gte=since,
        )
        .select_related("activity__house", "activity__booking__room")
        .order_by("activity__period")
    )
    return [booking_event(b) for b in bookings] + [activity_event(s.activity) for s in signups]


def activity_event(activity: Activity) -> FeedEvent:
    """An activity one signed up for, as an event in one's personal calendar."""
    return FeedEvent(
        uid=f"activity-{activity.pk}@wijkhuis",
        start=activity.start,
        end=activity.end,
        summary=activity.title,
        location=f"{activity.where}, {activity.house.address}",
        description=activity.description,
        url=settings.SITE_URL + activity.get_absolute_url(),
    )


def house_events(house, bookings: list[Booking]) -> list[FeedEvent]:
    """The house's public bookings as feed events: title, time and room, never who booked."""
    page = settings.SITE_URL + reverse("activities:calendar", kwargs={"house": house.slug})
    events = []
    for b in bookings:
        b.room.house = house  # already known: no query per booking for the location
        day = timezone.localtime(b.start).date().isoformat()
        events.append(_event(b, summary=f"{b.title} ({b.room.name})", url=f"{page}?weergave=dag&datum={day}"))
    return events
