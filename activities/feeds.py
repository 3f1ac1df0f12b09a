"""What the living room adds to calendar feeds: a person's own bookings, the house's public ones."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Booking
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
    """The person's own live bookings from 30 days ago on, private titles included (they are theirs)."""
    bookings = (
        Booking.objects.live()
        .filter(booker=user, period__endswith__gte=timezone.now() - PAST)
        .select_related("room__house")
        .order_by("period")
    )
    return [booking_event(b) for b in bookings]


def house_events(house, bookings: list[Booking]) -> list[FeedEvent]:
    """The house's public bookings as feed events: title, time and room, never who booked."""
    page = settings.SITE_URL + reverse("activities:calendar", kwargs={"house": house.slug})
    events = []
    for b in bookings:
        b.room.house = house  # already known: no query per booking for the location
        day = timezone.localtime(b.start).date().isoformat()
        events.append(_event(b, summary=f"{b.title} ({b.room.name})", url=f"{page}?weergave=dag&datum={day}"))
    return events
