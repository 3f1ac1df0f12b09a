"""What each app contributes to pages about one person, without residents importing the apps.

Apps register in their AppConfig.ready():
    registry.feed_sources.append(func)   # func(user) -> list[FeedEvent] for the personal calendar
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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


# --- a person's data: shown, exported, explained and erased from one list ---------------------
# Apps register in their AppConfig.ready() (see each app's personal.py and leaving.py).

# Legal grounds (AVG art. 6) a kind of data may rest on; the privacy statement explains each.
BASES = ("contract", "consent", "legitimate_interest", "legal_obligation", "vital_interest")


@dataclass(frozen=True)
class PersonalData:
    """One kind of record the portal holds about a person. The same entry makes a section of
    /mijn/gegevens/, a file in the export and a line of the privacy statement, so they cannot differ."""

    key: str  # file name in the export and anchor on the page: "bookings"
    title: Any  # lazy: "Your bookings of the living room"
    about: Any  # lazy, one line: what it is
    columns: tuple[tuple[str, Any], ...]  # (key in a row, lazy label), in the order shown
    rows: Callable[[Any], list[dict]]  # rows(user) -> the person's records, oldest first
    purpose: Any  # lazy: why the portal keeps it (privacy statement)
    basis: str  # one of BASES
    # How long: names of wijkhuis.retention rules that remove it, and/or words for what has no rule
    # ("until you delete your account").
    retention: tuple[str, ...] = ()
    kept: Any = None
    who_sees: Any = None  # lazy: who besides the person can see it
    order: int = 100


personal_data: list[PersonalData] = []


def register_personal_data(*items: PersonalData) -> None:
    for item in items:
        if item.basis not in BASES:
            raise ValueError(f"{item.key}: unknown legal basis {item.basis!r}")
        if any(existing.key == item.key for existing in personal_data):
            raise ValueError(f"Personal data {item.key!r} is already registered.")
        personal_data.append(item)
    personal_data.sort(key=lambda entry: (entry.order, entry.key))


@dataclass(frozen=True)
class LeaveNote:
    """What leaving means for one thing the person has (a booking to be cancelled), or what must be
    handled before the account can go (`blocking`: the only organiser of a coming activity)."""

    text: Any
    blocking: bool = False
    url: str = ""


# func(user) -> list[LeaveNote]: shown before someone deletes an account.
leave_checks: list[Callable[..., list[LeaveNote]]] = []

# func(user, *, by, now) -> None: removes or replaces what the app holds about `user`, in the caller's
# transaction (residents.leaving.erase runs them, then removes the account's own details).
erasers: list[Callable[..., None]] = []

# func(house, *, by, now, preview=False) -> residents.ending.Cancelled: cancels what was still to come
# in an ending house, in the caller's transaction (previewing: only counts it); see residents.ending.
house_enders: list[Callable[..., Any]] = []
