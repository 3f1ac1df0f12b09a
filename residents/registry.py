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
