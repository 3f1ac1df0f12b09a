"""The living-room calendar of a house (day, week, month) and its public feed. Open to everyone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from activities import selectors
from activities.feeds import AHEAD, PAST, house_events
from activities.models import Booking
from activities.timeutil import local_zone
from residents.decorators import house_view
from residents.ical import ics_response
from residents.models import House
from residents.permissions import can

# Dates outside these years are a typo or a probe; they get today's calendar.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


@dataclass
class Item:
    """One booking as a person sees it in the calendar."""

    title: str
    room: str
    start: dt.datetime
    end: dt.datetime
    busy: bool  # the title is hidden from this person
    requested: bool
    url: str = ""

    # What the templates show of the times, as the filters date:"c" and time:"H:i" write them (in
    # the current time zone), without a filter call each: a month shows a few hundred.
    @property
    def start_iso(self) -> str:
        return timezone.localtime(self.start).isoformat()

    @property
    def end_iso(self) -> str:
        return timezone.localtime(self.end).isoformat()

    @property
    def start_hm(self) -> str:
        return timezone.localtime(self.start).strftime("%H:%M")

    @property
    def end_hm(self) -> str:
        return timezone.localtime(self.end).strftime("%H:%M")

    @property
    def html(self) -> SafeString:
        """The booking in the week and day lists (_calendar_days.html), written in Python: a busy
        week holds dozens, and through the template engine they took most of the page's time. The
        markup is that of the template partial it was (tests/activities/test_calendar.py compares)."""
        esc = conditional_escape
        classes = (
            "cal-booking" + (" is-requested" if self.requested else "") + (" is-busy" if self.busy else "")
        )
        title = f'<a href="{esc(self.url)}">{esc(self.title)}</a>' if self.url else esc(self.title)
        status = f'<span class="cal-status">{esc(_("waiting for approval"))}</span>' if self.requested else ""
        return mark_safe(  # noqa: S308 - every value in it is escaped
            f'<li class="{classes}">\n'
            f'  <span class="cal-time"><time datetime="{self.start_iso}">{self.start_hm}</time>\u2013'
            f'<time datetime="{self.end_iso}">{self.end_hm}</time></span>\n'
            f'  <span class="cal-title">{title}</span>\n'
            f'  <span class="cal-room">{esc(self.room)}</span>\n'
            f"  {status}\n"
            "</li>"
        )


@dataclass
class Day:
    date: dt.date
    items: list[Item] = field(default_factory=list)
    in_month: bool = True
    is_today: bool = False


def _parse_day(raw: str | None) -> dt.date | None:
    try:
        day = dt.datetime.strptime(raw or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def _may_open(user, house: House):
    """Which bookings a person may open: the rule of Booking.objects.visible_to, without a query each."""
    if not user.is_authenticated:
        return lambda booking: False
    if user.is_superuser or can(user, "bookings.approve", house):
        return lambda booking: True
    return lambda booking: user.pk in (booking.booker_id, booking.created_by_id)


def _item(booking: Booking, user, may_open, booking_url: tuple[str, str]) -> Item:
    zone = local_zone()
    title = booking.title_for(user)
    return Item(
        # An old booking's title is removed after the retention period (wijkhuis/retention.py).
        title=title or booking.get_category_display(),
        room=booking.room.name,
        start=booking.start.astimezone(zone),
        end=booking.end.astimezone(zone),
        busy=title != booking.title,
        requested=booking.status == Booking.Status.REQUESTED,
        url=f"{booking_url[0]}{booking.pk}{booking_url[1]}" if may_open(booking) else "",
    )


PK_MARK = 987654321  # a booking's pk in the address reverse() makes once per page (_item)


@require_GET
@house_view
def calendar(request: HttpRequest, house: House) -> HttpResponse:
    """Bookings of the house's rooms per day: a list people can read in order, also on a phone."""
    today = timezone.localdate()
    view = request.GET.get("weergave") or "week"
    if view not in selectors.VIEWS:
        view = "week"
    day = today
    if request.GET.get("datum"):
        day = _parse_day(request.GET["datum"])
        if day is None:
            day = today
            messages.info(request, _("We could not read that date, so we show today."))

    raw_days, count = selectors.grid(view, day, house)
    user = request.user
    may_open = _may_open(user, house)
    head, _mark, tail = reverse("activities:booking", kwargs={"house": house.slug, "pk": PK_MARK}).rpartition(
        str(PK_MARK)
    )
    booking_url = (head, tail)
    items: dict[int, Item] = {}
    days = []
    for raw in raw_days:
        day_items = []
        for booking in raw.bookings:
            if booking.pk not in items:
                items[booking.pk] = _item(booking, user, may_open, booking_url)
            day_items.append(items[booking.pk])
        days.append(Day(raw.date, day_items, raw.in_month, raw.date == today))

    base = reverse("activities:calendar", kwargs={"house": house.slug})

    def link(to_view: str, to_day: dt.date | None) -> str:
        query = {"weergave": to_view}
        if to_day is not None:
            query["datum"] = to_day.isoformat()
        return f"{base}?{urlencode(query)}"

    labels = {
        "dag": (_("Day"), _("Previous day"), _("Next day")),
        "week": (_("Week"), _("Previous week"), _("Next week")),
        "maand": (_("Month"), _("Previous month"), _("Next month")),
    }
    context = {
        "house": house,
        "view": view,
        "day": day,
        "today": today,
        "days": days,
        "weeks": selectors.weeks(days) if view == "maand" else [],
        "count": count,
        "first": days[0].date,
        "last": days[-1].date,
        "views": [
            {"key": key, "label": labels[key][0], "url": link(key, day), "active": key == view}
            for key in selectors.VIEWS
        ],
        "prev_url": link(view, selectors.step(view, day, -1)),
        "prev_label": labels[view][1],
        "next_url": link(view, selectors.step(view, day, +1)),
        "next_label": labels[view][2],
        "today_url": link(view, None),
        "shows_today": any(d.is_today for d in days),
        "may_book": can(user, "house.book", house),
        "book_url": reverse("activities:book", kwargs={"house": house.slug})
        + "?"
        + urlencode({"datum": max(day, today).isoformat()}),
        "feed_url": request.build_absolute_uri(
            reverse("activities:house_feed", kwargs={"house": house.slug})
        ),
    }
    return render(request, "activities/calendar.html", context)


@require_GET
@house_view
def house_feed(request: HttpRequest, house: House) -> HttpResponse:
    """The house's public bookings as an .ics feed: titles, times and rooms, never who booked."""
    now = timezone.now()
    bookings = selectors.house_feed_bookings(house, now - PAST, now + AHEAD)
    response = ics_response(
        house_events(house, bookings),
        name=_("%(house)s: living room") % {"house": house.name},
        filename=f"{house.slug}-agenda.ics",
    )
    response["Cache-Control"] = "public, max-age=900"
    return response
