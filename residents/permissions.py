"""One permission mechanism for all apps: roles per house, mapped to named abilities.

Views ask `can(user, "ability", house)`; querysets use `House.objects.where(user, *roles)`.
A new ability is one line here, so who may do what is readable in one place.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from residents.models import Role

R, S, C, ST, V, E = (
    Role.RESIDENT,
    Role.STUDENT,
    Role.COORDINATOR,
    Role.STAFF,
    Role.VIEWER,
    Role.EDITOR,
)

ABILITIES: dict[str, frozenset[str]] = {
    # Members of the house
    "house.use": frozenset({R, S, C, ST, E}),
    "house.book": frozenset({R, S, C, ST}),
    # People's data: seen only by those who handle it
    "members.view": frozenset({C, ST}),
    "members.verify": frozenset({ST}),
    "members.register": frozenset({ST}),
    "members.act_for": frozenset({ST}),
    "audit.view": frozenset({ST}),  # the house's audit trail (logboek): who did what, when
    # Aggregates only, never a person
    "summary.view": frozenset({V, C, ST}),
    "summary.edit": frozenset({ST}),  # targets and the story with quotes
    # The living room
    "bookings.approve": frozenset({C, ST}),
    "bookings.book_for": frozenset({ST}),
    "rooms.manage": frozenset({ST}),
    # The programme, ideas and polls
    "activities.plan": frozenset({S, C, ST}),
    "activities.enter_for": frozenset({C, ST}),  # sign-ups, ideas, votes collected on paper or by phone
    "ideas.manage": frozenset({C, ST}),
    "polls.manage": frozenset({C, ST}),
    # Students' duties and hours
    "hours.log": frozenset({S}),
    "hours.review": frozenset({C, ST}),
    "duties.manage": frozenset({C, ST}),
    # News, the koffiekrant and the screen in the living room
    "news.edit": frozenset({E, ST}),
    "news.moderate": frozenset({C, E, ST}),
    "news.grant_editor": frozenset({ST}),
    "koffiekrant.write": frozenset({S, C, E, ST}),
    "koffiekrant.publish": frozenset({C, ST}),
    "screen.manage": frozenset({C, ST}),
    # Ending the house when its pilot stops, and its final export (residents.ending)
    "house.end": frozenset({ST}),
}

# An ended house is a read-only archive: only these abilities still hold there (for everyone,
# administrators too). Staff still read, write the summary's final story, export the archive and
# export or delete a person's data on their request.
ARCHIVE_ABILITIES = frozenset(
    {"members.view", "audit.view", "summary.view", "summary.edit", "members.act_for", "house.end"}
)

# Roles that see other people's personal data; they must use a second login step.
PERSONAL_DATA_ROLES = frozenset({C, ST})


def can(user, ability: str, house) -> bool:
    if not user.is_authenticated:
        return False
    # `house` may be an id: then there is no ended_at to look at, and the roles decide.
    if getattr(house, "ended_at", None) is not None and ability not in ARCHIVE_ABILITIES:
        return False
    if user.is_superuser:
        return True
    return bool(ABILITIES[ability] & user.roles_in(house))


def require(ability: str):
    """View decorator for views that take a `house` argument (the House, see house_view)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, house, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not can(request.user, ability, house):
                raise PermissionDenied
            return view(request, *args, house=house, **kwargs)

        return wrapped

    return decorator


def handles_personal_data(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_any_role(*PERSONAL_DATA_ROLES))
