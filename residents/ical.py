"""iCalendar files from FeedEvents (residents.registry): the feeds and e-mail attachments of every app."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

from residents.registry import FeedEvent


def ics_bytes(events: Iterable[FeedEvent], *, name: str, method: str = "PUBLISH") -> bytes:
    """An iCalendar file with the events, their times in Europe/Amsterdam and its VTIMEZONE."""
    cal = Calendar()
    cal.add("prodid", "-//Wijkhuis//wijkhuis//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone.get_default_timezone_name())
    zone = timezone.get_default_timezone()
    stamp = timezone.now()
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        # Local times with a TZID, so calendar apps move them right on the nights the clocks change.
        event.add("dtstart", item.start.astimezone(zone))
        event.add("dtend", item.end.astimezone(zone))
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        event.add("status", item.status)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def ics_response(events: Iterable[FeedEvent], *, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(ics_bytes(events, name=name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
