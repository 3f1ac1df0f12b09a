"""The one audit trail. Every state change that matters calls `record(...)` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from residents.models import AuditEvent


def record(
    action: str,
    *,
    actor,
    target: models.Model | None = None,
    house=None,
    on_behalf_of=None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row in the caller's transaction; refuses to run outside one.

    `actor` is who did it (None for the system), `on_behalf_of` the person it was done for when
    staff act for a resident, `changes` a small JSON-able dict such as {"status": ["pending", "active"]}.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record() must run inside the transaction of the change it records")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    if house is None and target is not None:
        house = getattr(target, "house", None)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        house=house,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        changes=changes or {},
    )
