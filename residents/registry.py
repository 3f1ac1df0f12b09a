"""What each app contributes to pages about one person, without residents importing the apps.

Apps register in their AppConfig.ready():
    registry.feed_sources.append(func)   # func(user) -> list[FeedEvent] for the personal calendar
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    start: dt.datetime
    end: dt.datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # or TENTATIVE, CANCELLED


feed_sources: list[Callable[..., list[FeedEvent]]] = []


def feed_events(user) -> list[FeedEvent]:
    events: list[FeedEvent] = []
    for source in feed_sources:
        events.extend(source(user))
    return sorted(events, key=lambda e: e.start)


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str


# func(request, house) -> list[NavItem]: the house menu entries an app offers this person.
house_nav: list[Callable[..., list[NavItem]]] = []


def house_nav_items(request, house) -> list[NavItem]:
    items: list[NavItem] = []
    for source in house_nav:
        items.extend(source(request, house))
    return items


# func(request) -> list[NavItem]: entries of the main menu that belong to no single house.
site_nav: list[Callable[..., list[NavItem]]] = []


def site_nav_items(request) -> list[NavItem]:
    items: list[NavItem] = []
    for source in site_nav:
        items.extend(source(request))
    return items


# Templates included on /mijn/, in order; each gets the page's context (user, request).
mine_sections: list[str] = []
