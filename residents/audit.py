"""The one audit trail. Every state change that matters calls `record(...)` inside its transaction.

What goes into `changes`: {"field": [old, new]} for each changed field, or {"field": value} for a
value that was set or counted. Free text a resident typed (a message, a note, a reason) never goes
in: write CHANGED instead (see `team_words`). The rows are never changed afterwards: the database
refuses UPDATE and DELETE (migration residents 0005), except cutting a person, house or type loose
(set to NULL, as deleting a user and anonymising a worry do) and code inside `changing_the_trail()`.
How the trail reads on screen (labels, kinds) is in residents/audit_wording.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from residents.models import AuditEvent, Role

# In `changes`, instead of words someone typed: "this text was changed", not what it says.
CHANGED = "changed"

# Those whose own words (the reason of a decision) may stand in the trail: the house's team.
TEAM_ROLES = frozenset({Role.COORDINATOR, Role.STAFF})


def record(
    action: str,
    *,
    actor,
    target: models.Model | None = None,
    house=None,
    on_behalf_of=None,
    changes: dict[str, Any] | None = None,
    target_repr: str | None = None,
) -> AuditEvent:
    """Write one audit row in the caller's transaction; refuses to run outside one.

    `actor` is who did it (None for the system), `on_behalf_of` the person it was done for when
    staff act for a resident, `changes` a small JSON-able dict such as {"status": ["pending", "active"]}.
    `target_repr` replaces str(target) where that would name someone who must not stay named.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record() must run inside the transaction of the change it records")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    if house is None and target is not None:
        house = getattr(target, "house", None)
    if target_repr is None:
        target_repr = str(target) if target is not None else ""
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        house=house,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=target_repr[:200],
        changes=changes or {},
    )


def team_words(text: str, *, by, house) -> str:
    """`text` if the house's team (or a superuser) wrote it, else CHANGED: residents' words stay out.

    `house` None (news for all houses): the team of any house."""
    if not text:
        return text
    if not getattr(by, "is_authenticated", False):
        return CHANGED
    if by.is_superuser:
        return text
    is_team = by.has_any_role(*TEAM_ROLES) if house is None else bool(TEAM_ROLES & by.roles_in(house))
    return text if is_team else CHANGED


@contextmanager
def changing_the_trail() -> Iterator[None]:
    """Let the code inside rewrite or delete audit rows, which the database otherwise refuses.

    Only for what the privacy rules demand (erasing a person's name from old rows) and for the demo's
    backdated history; never for a view. The permission ends with the block (or its transaction).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('wijkhuis.allow_audit_change', 'on', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('wijkhuis.allow_audit_change', 'off', true)")


# --- hooks for the parts of issue 9 that are not built yet ------------------------------------
# The export of a person's data and the deletion of an account (by the person or by staff on their
# request) call these, inside their own transaction, so the trail has them in the same words.


def record_export(*, by, person, house=None) -> AuditEvent:
    """A person's data was exported (by themselves, or by staff for them)."""
    return record(
        "person.exported",
        actor=by,
        on_behalf_of=person if getattr(by, "pk", None) != person.pk else None,
        target=person,
        house=house,
        target_repr=f"#{person.pk}",
    )


def record_erasure(*, by, person, house=None, changes=None) -> AuditEvent:
    """A person's account was deleted. The row names them by number only: their name goes with them
    (when they deleted it themselves, `actor` is the account that is now nameless)."""
    return record(
        "person.erased",
        actor=by,
        on_behalf_of=person if getattr(by, "pk", None) != person.pk else None,
        target=person,
        house=house,
        target_repr=f"#{person.pk}",
        changes=changes,
    )
