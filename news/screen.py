"""The information screen on the TV in the living room: what it shows, and its secret address.

The screen is read without logging in, so it only ever shows what anyone may see: public activities
and news, and of a private booking no more than that the room is taken. Never a resident's name.
Everything is in local time (Europe/Amsterdam).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Audience, Booking, Room
from activities.selectors import public_week_activities
from activities.timeutil import local_day_bounds, local_zone
from news.models import Post, PostImage, Screen, new_screen_token
from residents.audit import record
from residents.models import House, OpeningHours, User
from residents.permissions import can

# What fits on a 16:9 screen without scrolling, from across the room.
MAX_ROOMS = 3
MAX_TODAY = 4
MAX_TOMORROW = 3
MAX_NEWS = 3


@dataclass(frozen=True)
class Slot:
    """A booking of a room as the screen shows it: the title only when it is public."""

    title: str
    start: dt.datetime
    end: dt.datetime
    private: bool


@dataclass(frozen=True)
class RoomNow:
    name: str
    now: Slot | None
    next: Slot | None


@dataclass(frozen=True)
class ScreenActivity:
    title: str
    start: dt.datetime
    end: dt.datetime
    place: str
    running: bool = False


@dataclass
class ScreenContent:
    now: dt.datetime  # local time
    today: dt.date
    tomorrow: dt.date
    rooms: list[RoomNow] = field(default_factory=list)
    today_activities: list[ScreenActivity] = field(default_factory=list)
    today_total: int = 0  # today's activities, including those that are over
    today_more: int = 0  # coming today, but not shown for lack of room
    tomorrow_activities: list[ScreenActivity] = field(default_factory=list)
    tomorrow_more: int = 0
    news: list[Post] = field(default_factory=list)
    opening_hours: list[OpeningHours] = field(default_factory=list)


def _title_is_public(booking: Booking) -> bool:
    """A title goes on the screen when it is public and confirmed (a request is not yet approved)."""
    if not booking.is_public or booking.status != Booking.Status.CONFIRMED:
        return False
    activity = getattr(booking, "activity", None)  # select_related: None without a query
    return activity is None or activity.audience == Audience.EVERYONE


def _slot(booking: Booking, zone, *, is_now: bool) -> Slot:
    if _title_is_public(booking):
        activity = getattr(booking, "activity", None)
        title = activity.title if activity is not None else booking.title
        private = False
    else:
        # Never the title or the booker: only that the room is taken.
        title = _("Busy") if is_now else _("Reserved")
        private = True
    return Slot(title, booking.start.astimezone(zone), booking.end.astimezone(zone), private)


def _rooms(house: House, now: dt.datetime, day_end: dt.datetime, zone) -> list[RoomNow]:
    """Per bookable room: the live booking going on now and the next one today. Two queries."""
    rooms = list(
        Room.objects.filter(house=house, is_bookable=True).prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.live()
                .filter(period__overlap=DateTimeTZRange(now, day_end))
                .select_related("activity")
                .order_by("period"),
                to_attr="coming_today",
            )
        )[:MAX_ROOMS]
    )
    result = []
    for room in rooms:
        current = next((b for b in room.coming_today if b.start <= now), None)
        after = next((b for b in room.coming_today if b.start > now), None)
        result.append(
            RoomNow(
                room.name,
                _slot(current, zone, is_now=True) if current else None,
                _slot(after, zone, is_now=False) if after else None,
            )
        )
    return result


def _activity(activity: Activity, now: dt.datetime, zone) -> ScreenActivity:
    return ScreenActivity(
        title=activity.title,
        start=activity.start.astimezone(zone),
        end=activity.end.astimezone(zone),
        place=activity.where,
        running=activity.start <= now < activity.end,
    )


def screen_content(house: House, now: dt.datetime | None = None) -> ScreenContent:
    """Everything the screen shows at `now`, for anyone to see. Six queries, whatever the data."""
    now = now or timezone.now()
    zone = local_zone()
    local_now = now.astimezone(zone)
    today = local_now.date()
    tomorrow = today + dt.timedelta(days=1)
    today_start, today_end = local_day_bounds(today)
    _tomorrow_start, tomorrow_end = local_day_bounds(tomorrow)
    content = ScreenContent(now=local_now, today=today, tomorrow=tomorrow)

    content.rooms = _rooms(house, now, today_end, zone)

    activities = public_week_activities(house, today_start, tomorrow_end, limit=None)
    todays = [a for a in activities if a.start < today_end]
    coming = [a for a in todays if a.end > now]  # what is over is of no use on the screen
    tomorrows = [a for a in activities if a.start >= today_end]
    content.today_total = len(todays)
    content.today_activities = [_activity(a, now, zone) for a in coming[:MAX_TODAY]]
    content.today_more = max(0, len(coming) - MAX_TODAY)
    content.tomorrow_activities = [_activity(a, now, zone) for a in tomorrows[:MAX_TOMORROW]]
    content.tomorrow_more = max(0, len(tomorrows) - MAX_TOMORROW)

    content.news = list(
        Post.objects.published(now)
        .for_house(house)
        .filter(audience=Post.Audience.PUBLIC)
        .prefetch_related(Prefetch("images", queryset=PostImage.objects.order_by("position", "pk")))
        .order_by("-pinned", "-publish_at", "-pk")[:MAX_NEWS]
    )
    for post in content.news:
        images = list(post.images.all())
        post.screen_image = images[0] if images else None

    content.opening_hours = list(
        OpeningHours.objects.filter(house=house, weekday=today.weekday()).order_by("opens")
    )
    return content


# --- the secret address -----------------------------------------------------------------------


def screen_for(house: House) -> Screen:
    """The house's screen, made with a secret address the first time it is asked for."""
    screen, _created = Screen.objects.get_or_create(house=house)
    return screen


def renew_screen(house: House, by: User) -> Screen:
    """Give the screen a new secret address; the old one stops working at once. Audited."""
    if not can(by, "screen.manage", house):
        raise PermissionDenied
    with transaction.atomic():
        screen = Screen.objects.select_for_update().filter(house=house).first()
        if screen is None:
            screen = Screen.objects.create(house=house)
        else:
            screen.token = new_screen_token()
            screen.renewed_at = timezone.now()
            screen.save(update_fields=["token", "renewed_at"])
        # The token itself is a secret: it does not go into the audit trail.
        record("screen.renewed", actor=by, target=screen, house=house)
    return screen
