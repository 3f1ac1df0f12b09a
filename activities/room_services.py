"""Staff set up rooms: their rules, bookable hours and closed periods. Each change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from activities.models import Booking, Room, RoomClosure, RoomHours
from activities.timeutil import local_day_bounds
from residents.audit import record
from residents.models import House, User

HoursBlock = tuple[int, dt.time, dt.time]  # (weekday, opens, closes), 0 = Monday

# What update_room may change; house and rules_version are not typed in.
EDITABLE = (
    "name",
    "description",
    "capacity",
    "is_bookable",
    "needs_approval",
    "min_minutes",
    "max_minutes",
    "buffer_minutes",
    "min_notice_hours",
    "max_days_ahead",
    "max_per_week",
    "cancel_hours",
    "rules",
)


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def _hours_of(room: Room) -> list[HoursBlock]:
    return sorted((h.weekday, h.opens, h.closes) for h in room.hours.all())


def _hours_text(blocks: list[HoursBlock]) -> list[str]:
    return [f"{d} {o:%H:%M}-{c:%H:%M}" for d, o, c in blocks]


def _replace_hours(room: Room, blocks: list[HoursBlock]) -> None:
    room.hours.all().delete()
    RoomHours.objects.bulk_create(RoomHours(room=room, weekday=d, opens=o, closes=c) for d, o, c in blocks)


def create_room(*, house: House, by: User, values: dict[str, Any], hours: list[HoursBlock]) -> Room:
    """A new room of `house` with its rules and bookable hours."""
    with transaction.atomic():
        room = Room(house=house, **{k: v for k, v in values.items() if k in EDITABLE})
        room.full_clean()
        room.save()
        _replace_hours(room, sorted(hours))
        record(
            "room.created",
            actor=by,
            target=room,
            house=house,
            changes={**{k: _json(getattr(room, k)) for k in EDITABLE}, "hours": _hours_text(sorted(hours))},
        )
    return room


def update_room(
    *, room: Room, by: User, values: dict[str, Any], hours: list[HoursBlock] | None = None
) -> list[str]:
    """Change a room's rules (and hours); new rules text raises rules_version so bookers accept it again.

    Returns the names of the fields that changed (empty: nothing to save, nothing recorded).
    """
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        changes: dict[str, list[Any]] = {}
        for name in EDITABLE:
            if name in values and values[name] != getattr(locked, name):
                changes[name] = [_json(getattr(locked, name)), _json(values[name])]
                setattr(locked, name, values[name])
        if "rules" in changes:
            changes["rules_version"] = [locked.rules_version, locked.rules_version + 1]
            locked.rules_version += 1
        if hours is not None:
            old, new = _hours_of(locked), sorted(hours)
            if old != new:
                _replace_hours(locked, new)
                changes["hours"] = [_hours_text(old), _hours_text(new)]
        if not changes:
            return []
        fields = [n for n in changes if n != "hours"]
        if fields:
            locked.full_clean()
            locked.save(update_fields=fields)
        record("room.updated", actor=by, target=locked, house=locked.house, changes=changes)
    # The caller's object shows what was saved.
    for name in [*EDITABLE, "rules_version"]:
        setattr(room, name, getattr(locked, name))
    return list(changes)


def add_closure(
    *, room: Room, by: User, first_day: dt.date, last_day: dt.date, reason: str
) -> tuple[RoomClosure, int]:
    """Close the room for some days. Returns the closure and how many live bookings fall in it
    (they stay: staff decide whom to call; cancelling is one click per booking)."""
    with transaction.atomic():
        closure = RoomClosure(room=room, first_day=first_day, last_day=last_day, reason=reason)
        closure.full_clean()
        closure.save()
        start, _ = local_day_bounds(first_day)
        _, end = local_day_bounds(last_day)
        affected = (
            Booking.objects.live().filter(room=room, period__overlap=DateTimeTZRange(start, end)).count()
        )
        record(
            "room.closure_added",
            actor=by,
            target=room,
            house=room.house,
            changes={"first_day": str(first_day), "last_day": str(last_day), "reason": reason},
        )
    return closure, affected


def delete_closure(*, closure: RoomClosure, by: User) -> None:
    """Open the room again on the days of a closed period."""
    with transaction.atomic():
        room = closure.room
        closure.delete()
        record(
            "room.closure_deleted",
            actor=by,
            target=room,
            house=room.house,
            changes={
                "first_day": str(closure.first_day),
                "last_day": str(closure.last_day),
                "reason": closure.reason,
            },
        )
