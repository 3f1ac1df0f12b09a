"""Leaving: deleting an account, by the person themself or by staff on their request (AVG art. 17).

The account's row stays as a nameless stand-in, so everything the summary counts (bookings that
took place, sign-ups, hours, new members) stays right; what points to the person goes:

1. every app's eraser (residents.registry.erasers, registered in each AppConfig.ready()) cancels
   what is still to come (bookings, sign-ups: places go to the waiting list), removes the person's
   own words (ideas, reactions, booking titles, buddy texts, worries) and their uploads;
2. the account itself: name, e-mail address, phone, password, login methods (allauth e-mail
   addresses, second step), sessions, the calendar link, memberships (ended);
3. a sweep over every text column of the database replaces the person's full name and e-mail
   address wherever others wrote them (a team's note, a mail waiting in the queue, the audit
   trail, the admin's history), so no table keeps them;
4. the audit trail records the deletion, naming the account by number only.

All of it happens in one transaction: it is done completely or not at all. Things the person must
settle first (the only organiser of a coming activity) are `blocking` LeaveNotes; `erase` refuses
while there are any.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from residents import registry
from residents.audit import changing_the_trail, record_erasure
from residents.models import CalendarFeed, Membership, User
from residents.registry import LeaveNote

# What replaces the person's name or e-mail address in texts others wrote.
REPLACEMENT = "[verwijderd]"

# Columns never swept: machine data that cannot hold a name, or rows handled above.
SKIP_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "django_session", "residents_user"}
)


class LeaveError(Exception):
    """Why an account cannot be deleted (yet), in words for the person."""


def notes(person: User) -> list[LeaveNote]:
    """What deleting `person`'s account means, app by app; blocking notes first."""
    found = list(_own_notes(person))
    for check in registry.leave_checks:
        found.extend(check(person))
    return sorted(found, key=lambda note: not note.blocking)


def blockers(person: User) -> list[LeaveNote]:
    return [note for note in notes(person) if note.blocking]


def _own_notes(person: User) -> list[LeaveNote]:
    houses = sorted(
        {
            m.house.name
            for m in Membership.objects.filter(user=person).exclude(status="ended").select_related("house")
        }
    )
    if not houses:
        return []
    return [
        LeaveNote(
            _("Your membership of %(houses)s ends. You can become a member again later with a new account.")
            % {"houses": ", ".join(houses)}
        )
    ]


def erase(person: User, *, by: User, asked: str = "", now: dt.datetime | None = None) -> None:
    """Delete `person`'s account (see the module docstring). `by` is the person or a staff member
    acting on their request (`asked`: how they asked); the caller checked that `by` may.
    Raises LeaveError."""
    now = now or timezone.now()
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        if person.erased_at is not None:
            raise LeaveError(_("This account has already been deleted."))
        if person.is_superuser:
            raise LeaveError(
                _("An administrator's account cannot be deleted here. Ask another administrator.")
            )
        stopping = blockers(person)
        if stopping:
            raise LeaveError(" ".join(str(note.text) for note in stopping))
        name, email = person.name, person.email or ""
        house_ids = sorted(set(Membership.objects.filter(user=person).values_list("house_id", flat=True)))

        for eraser in registry.erasers:
            eraser(person, by=by, now=now)
        _erase_account(person, now=now)
        with changing_the_trail():
            sweep(name=name, email=email)
        actor = by if by.pk != person.pk else person
        for house_id in house_ids or [None]:
            record_erasure(
                by=actor,
                person=person,
                house=house_id and _house(house_id),
                changes={"asked": asked} if asked else None,
            )


def _house(house_id: int):
    from residents.models import House

    return House.objects.get(pk=house_id)


def _erase_account(person: User, *, now: dt.datetime) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    Membership.objects.filter(user=person).update(
        status=Membership.Status.ENDED, motivation="", decision_note=""
    )
    CalendarFeed.objects.filter(user=person).delete()
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    keys = list(UserSession.objects.filter(user=person).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=person).delete()
    _forget_queued_mail(person.email)
    person.groups.clear()
    person.user_permissions.clear()
    person.name, person.email, person.phone = "", None, ""
    person.set_unusable_password()
    person.is_active, person.reminders, person.erased_at = False, False, now
    person.save()
    person.forget_roles()


def _forget_queued_mail(email: str | None) -> None:
    """Mail still waiting for the person goes: the address it would go to is being forgotten."""
    if not email:
        return
    from django.db.models import TextField
    from django.db.models.functions import Cast
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.exclude(pk__in=DBTaskResult.objects.running().values("pk"))
    waiting.annotate(text=Cast("args_kwargs", TextField())).filter(text__icontains=email).delete()


# --- the sweep ---------------------------------------------------------------------------------


def _patterns(name: str, email: str) -> list[str]:
    """Case-insensitive PostgreSQL regular expressions for what must go. A name of one word only
    ("Truus") is not swept from others' texts: it would hit every other Truus."""
    found = []
    if email:
        found.append(re.escape(email))
    name = " ".join(name.split())
    if " " in name and len(name) >= 5:
        words = re.escape(name).replace(r"\ ", r"\s+")
        start = r"\m" if re.match(r"\w", name) else ""
        end = r"\M" if re.search(r"\w$", name) else ""
        found.append(f"{start}{words}{end}")
    return found


def sweep(*, name: str, email: str) -> int:
    """Replace `name` and `email` in every text column of every table; returns the rows changed.

    Rows of the cache table that mention them are deleted instead (a key must stay unique)."""
    patterns = _patterns(name, email)
    if not patterns:
        return 0
    pattern = "|".join(f"(?:{p})" for p in patterns)
    cache_table = settings.CACHES["default"].get("LOCATION") if _database_cache() else None
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'jsonb', 'json')
            ORDER BY c.table_name, c.ordinal_position
            """
        )
        columns = cursor.fetchall()
        for table, column, data_type, max_length in columns:
            if table in SKIP_TABLES:
                continue
            names = {"table": sql.Identifier(table), "column": sql.Identifier(column)}
            if table == cache_table:
                cursor.execute(
                    sql.SQL("DELETE FROM {table} WHERE {column}::text ~* %s").format(**names), [pattern]
                )
                changed += cursor.rowcount
                continue
            replaced = sql.SQL("regexp_replace({column}::text, %s, %s, 'gi')").format(**names)
            if max_length:
                replaced = sql.SQL("left({replaced}, {length})").format(
                    replaced=replaced, length=sql.Literal(int(max_length))
                )
            if data_type in ("jsonb", "json"):
                replaced = sql.SQL("{replaced}::{type}").format(replaced=replaced, type=sql.SQL(data_type))
            cursor.execute(
                _text(
                    sql.SQL("UPDATE {table} SET {column} = {replaced} WHERE {column}::text ~* %s").format(
                        replaced=replaced, **names
                    )
                ),
                [pattern, REPLACEMENT, pattern],
            )
            changed += cursor.rowcount
    return changed


def _text(composed: sql.Composable) -> str:
    return composed.as_string(connection.connection)


def _database_cache() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
