"""Retention: how long the portal keeps personal details, and the rules that remove them when due.

Each Rule removes one kind of personal detail once its period (a setting, in days) has passed. The
`apply_retention` command and the daily job run them all. Every rule works in batches of BATCH_SIZE
rows, each batch in its own transaction, and selects only rows that still hold something to remove:
an interrupted run leaves whole batches done, and the next run does the rest without touching them
again (a second run changes nothing). What the summary counts (times, rooms, numbers of people,
statuses, who took part) stays, so its figures do not change.

Apps may add their own rules with `register(Rule(...))` in their AppConfig.ready().
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

logger = logging.getLogger(__name__)

# Rows per transaction: small enough that a batch never holds locks for long.
BATCH_SIZE = 1000


@dataclass(frozen=True)
class Rule:
    """One kind of personal detail, how long it is kept, and how it is removed."""

    name: str
    # What is removed and what stays, in plain language (for people reading the privacy statement).
    description: Any
    # The setting that holds the period in days, and its default; None when the data carries its
    # own end (a session's expiry date).
    setting: str | None
    default: int | None
    # apply(now) removes what is due at `now` and returns how many rows it changed.
    apply: Callable[[dt.datetime], int]
    # count(now): how many rows apply(now) would change (for --dry-run).
    count: Callable[[dt.datetime], int]
    # say(n, days, dry_run): the line the command prints.
    say: Callable[[int, int | None, bool], str]

    @property
    def days(self) -> int | None:
        if self.setting is None:
            return None
        return getattr(settings, self.setting, self.default)


RULES: list[Rule] = []


def register(rule: Rule) -> Rule:
    if any(r.name == rule.name for r in RULES):
        raise ValueError(f"A retention rule named {rule.name!r} is already registered.")
    RULES.append(rule)
    return rule


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    changed: int | None  # None: the rule failed
    error: BaseException | None = None

    def line(self, *, dry_run: bool) -> str:
        if self.error is not None:
            return _("%(rule)s: failed (%(error)s)") % {"rule": self.rule.name, "error": self.error}
        return self.rule.say(self.changed or 0, self.rule.days, dry_run)


def apply_all(now: dt.datetime | None = None, *, dry_run: bool = False) -> list[Outcome]:
    """Run every rule (or only count, with dry_run). A rule that fails does not stop the others."""
    now = now or timezone.now()
    outcomes = []
    for rule in RULES:
        try:
            changed = rule.count(now) if dry_run else rule.apply(now)
        except Exception as error:  # the next rules still run; the caller reports the failure
            logger.exception("Retention rule %s failed", rule.name)
            outcomes.append(Outcome(rule, None, error))
            continue
        outcomes.append(Outcome(rule, changed))
    return outcomes


def cutoff(now: dt.datetime, setting: str) -> dt.datetime:
    return now - dt.timedelta(days=getattr(settings, setting))


def in_batches(due: QuerySet, act: Callable[[list], Any]) -> int:
    """Hand the primary keys of `due` to `act`, BATCH_SIZE at a time, each batch in its own
    transaction with its rows locked (rows someone else is changing are left for the next run).

    `act` must make its rows leave `due`. Keys are taken in order and never twice, so a faulty `act`
    cannot make this loop forever. Returns how many rows were handed over.
    """
    done, last = 0, None
    while True:
        with transaction.atomic():
            batch = due.order_by("pk")
            if last is not None:
                batch = batch.filter(pk__gt=last)
            pks = list(
                batch.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[
                    :BATCH_SIZE
                ]
            )
            if pks:
                act(pks)
        done += len(pks)
        if len(pks) < BATCH_SIZE:
            return done
        last = pks[-1]


# --- bookings of the living room -------------------------------------------------------------


def bookings_due(now: dt.datetime) -> QuerySet:
    """Bookings that ended before the period and still hold a title or a reason.

    A booking for an activity carries the activity's title (the public programme, not a resident's
    purpose): only its reasons go.
    """
    from activities.models import Booking

    return Booking.objects.filter(period__endswith__lt=cutoff(now, "RETENTION_BOOKING_DAYS")).filter(
        (Q(activity__isnull=True) & ~Q(title="")) | ~Q(decision_reason="") | ~Q(cancel_reason="")
    )


def blank_bookings(pks: list) -> None:
    from activities.models import Booking

    Booking.objects.filter(pk__in=pks).update(decision_reason="", cancel_reason="")
    # Without a title the calendar shows others "busy", as for a private booking.
    Booking.objects.filter(pk__in=pks, activity__isnull=True).update(title="", is_public=False)


def sayer(would, did):
    """A rule's line in the report: `would` for a dry run, `did` otherwise; each an
    ngettext_lazy(singular, plural, "count") with %(count)s and maybe %(days)s."""

    def say(n: int, days: int | None, dry_run: bool) -> str:
        return str((would if dry_run else did) % {"days": days, "count": n})

    return say


def apply_bookings(now: dt.datetime) -> int:
    return in_batches(bookings_due(now), blank_bookings)


say_bookings = sayer(
    ngettext_lazy(
        "Bookings older than %(days)s days: %(count)s description would be removed",
        "Bookings older than %(days)s days: %(count)s descriptions would be removed",
        "count",
    ),
    ngettext_lazy(
        "Bookings older than %(days)s days: %(count)s description removed",
        "Bookings older than %(days)s days: %(count)s descriptions removed",
        "count",
    ),
)


register(
    Rule(
        name="bookings",
        description=_(
            "The title of a booking of the living room and the reasons given for approving, declining "
            "or cancelling it, once the booking ended longer ago than this. The time, room, kind, number "
            "of people and status stay, for the figures of the pilot."
        ),
        setting="RETENTION_BOOKING_DAYS",
        default=730,
        apply=apply_bookings,
        count=lambda now: bookings_due(now).count(),
        say=say_bookings,
    )
)


# --- activities ------------------------------------------------------------------------------


def activities_due(now: dt.datetime) -> QuerySet:
    """Activities that ended before the period and still hold the reason they were cancelled.

    Sign-ups hold no free text; who signed up and came stays (see the module docstring)."""
    from activities.models import Activity

    return Activity.objects.filter(
        period__endswith__lt=cutoff(now, "RETENTION_BOOKING_DAYS"),
    ).exclude(cancel_reason="")


def blank_activities(pks: list) -> None:
    from activities.models import Activity

    Activity.objects.filter(pk__in=pks).update(cancel_reason="")


def apply_activities(now: dt.datetime) -> int:
    return in_batches(activities_due(now), blank_activities)


say_activities = sayer(
    ngettext_lazy(
        "Activities older than %(days)s days: %(count)s reason for cancelling would be removed",
        "Activities older than %(days)s days: %(count)s reasons for cancelling would be removed",
        "count",
    ),
    ngettext_lazy(
        "Activities older than %(days)s days: %(count)s reason for cancelling removed",
        "Activities older than %(days)s days: %(count)s reasons for cancelling removed",
        "count",
    ),
)


register(
    Rule(
        name="activities",
        description=_(
            "The reason an activity was cancelled, once the activity ended longer ago than this. The "
            "activity itself, its sign-ups and attendance stay, for the figures of the pilot."
        ),
        setting="RETENTION_BOOKING_DAYS",
        default=730,
        apply=apply_activities,
        count=lambda now: activities_due(now).count(),
        say=say_activities,
    )
)


# --- worries (care.worries.anonymise_closed does the work) ------------------------------------


def _worries_due(now: dt.datetime) -> QuerySet:
    from care.worries import anonymise_due

    return anonymise_due(now)


def apply_worries(now: dt.datetime) -> int:
    from care.worries import anonymise_closed

    return anonymise_closed(now)


say_worries = sayer(
    ngettext_lazy(
        "Worries closed more than %(days)s days ago: %(count)s would be anonymised",
        "Worries closed more than %(days)s days ago: %(count)s would be anonymised",
        "count",
    ),
    ngettext_lazy(
        "Worries closed more than %(days)s days ago: %(count)s anonymised",
        "Worries closed more than %(days)s days ago: %(count)s anonymised",
        "count",
    ),
)


register(
    Rule(
        name="worries",
        description=_(
            "Who raised a worry, how to reach them, their words and the team's notes, once the worry "
            "was closed longer ago than this. The house, kind, dates, status and outcome stay, for the "
            "counts."
        ),
        setting="WORRY_RETENTION_DAYS",
        default=365,
        apply=apply_worries,
        count=lambda now: _worries_due(now).count(),
        say=say_worries,
    )
)


# --- reactions under news: hidden ones, and handled reports ------------------------------------


def hidden_comments_due(now: dt.datetime) -> QuerySet:
    from news.models import Comment

    return Comment.objects.filter(hidden_at__lt=cutoff(now, "RETENTION_HIDDEN_COMMENT_DAYS"))


def delete_comments(pks: list) -> None:
    from news.models import Comment

    Comment.objects.filter(pk__in=pks).delete()  # their reports go with them


def apply_hidden_comments(now: dt.datetime) -> int:
    return in_batches(hidden_comments_due(now), delete_comments)


say_hidden_comments = sayer(
    ngettext_lazy(
        "Reactions hidden more than %(days)s days ago: %(count)s would be deleted",
        "Reactions hidden more than %(days)s days ago: %(count)s would be deleted",
        "count",
    ),
    ngettext_lazy(
        "Reactions hidden more than %(days)s days ago: %(count)s deleted",
        "Reactions hidden more than %(days)s days ago: %(count)s deleted",
        "count",
    ),
)


register(
    Rule(
        name="hidden_comments",
        description=_(
            "A reaction under a news post that a moderator hid, with the reason and its reports, once "
            "it was hidden longer ago than this."
        ),
        setting="RETENTION_HIDDEN_COMMENT_DAYS",
        default=180,
        apply=apply_hidden_comments,
        count=lambda now: hidden_comments_due(now).count(),
        say=say_hidden_comments,
    )
)


def reports_due(now: dt.datetime) -> QuerySet:
    from news.models import CommentReport

    return CommentReport.objects.filter(handled_at__lt=cutoff(now, "RETENTION_REPORT_DAYS"))


def delete_reports(pks: list) -> None:
    from news.models import CommentReport

    CommentReport.objects.filter(pk__in=pks).delete()


def apply_reports(now: dt.datetime) -> int:
    return in_batches(reports_due(now), delete_reports)


say_reports = sayer(
    ngettext_lazy(
        "Reports of reactions handled more than %(days)s days ago: %(count)s would be deleted",
        "Reports of reactions handled more than %(days)s days ago: %(count)s would be deleted",
        "count",
    ),
    ngettext_lazy(
        "Reports of reactions handled more than %(days)s days ago: %(count)s deleted",
        "Reports of reactions handled more than %(days)s days ago: %(count)s deleted",
        "count",
    ),
)


register(
    Rule(
        name="comment_reports",
        description=_(
            "A report about a reaction (who reported it and why), once a moderator handled it longer "
            "ago than this. Open reports stay until they are handled."
        ),
        setting="RETENTION_REPORT_DAYS",
        default=180,
        apply=apply_reports,
        count=lambda now: reports_due(now).count(),
        say=say_reports,
    )
)


# --- the archive of a house that ended (residents.ending) -------------------------------------
# Its retention runs from the end date: once the house ended longer ago than the period, the words
# people wrote go. Who took part, when, and every number the summary counts stay.


def _ended_before(now: dt.datetime) -> Q:
    return Q(ended_at__isnull=False, ended_at__lt=cutoff(now, "RETENTION_ENDED_HOUSE_DAYS"))


def _ended_houses(now: dt.datetime) -> QuerySet:
    from residents.models import House

    return House.objects.filter(_ended_before(now)).values("pk")


def idea_placeholder() -> str:
    """What an idea's title becomes, in the portal's language."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Idea (text removed)")


def ended_house_parts(now: dt.datetime) -> list[tuple[QuerySet, Callable[[list], Any]]]:
    """(rows still holding words, what removes them) for each kind of record of the ended houses."""
    from activities.models import Booking, Idea
    from duties.models import HourLog
    from news.models import Comment
    from residents.models import Membership

    houses = _ended_houses(now)
    placeholder = idea_placeholder()

    def blank_memberships(pks: list) -> None:
        Membership.objects.filter(pk__in=pks).update(motivation="", decision_note="")

    def blank_ideas(pks: list) -> None:
        Idea.objects.filter(pk__in=pks).update(
            title=placeholder, description="", helpers="", status_reason=""
        )

    def blank_hours(pks: list) -> None:
        HourLog.objects.filter(pk__in=pks).update(what="", return_reason="")

    return [
        (
            Membership.objects.filter(house__in=houses).filter(~Q(motivation="") | ~Q(decision_note="")),
            blank_memberships,
        ),
        (
            Booking.objects.filter(room__house__in=houses).filter(
                (Q(activity__isnull=True) & ~Q(title="")) | ~Q(decision_reason="") | ~Q(cancel_reason="")
            ),
            blank_bookings,
        ),
        (
            Idea.objects.filter(house__in=houses).filter(
                ~Q(title=placeholder) | ~Q(description="") | ~Q(helpers="") | ~Q(status_reason="")
            ),
            blank_ideas,
        ),
        (Comment.objects.filter(post__house__in=houses), delete_comments),
        (HourLog.objects.filter(house__in=houses).filter(~Q(what="") | ~Q(return_reason="")), blank_hours),
    ]


def apply_ended_houses(now: dt.datetime) -> int:
    return sum(in_batches(due, act) for due, act in ended_house_parts(now))


def count_ended_houses(now: dt.datetime) -> int:
    return sum(due.count() for due, _act in ended_house_parts(now))


say_ended_houses = sayer(
    ngettext_lazy(
        "Houses that ended more than %(days)s days ago: %(count)s text would be removed",
        "Houses that ended more than %(days)s days ago: %(count)s texts would be removed",
        "count",
    ),
    ngettext_lazy(
        "Houses that ended more than %(days)s days ago: %(count)s text removed",
        "Houses that ended more than %(days)s days ago: %(count)s texts removed",
        "count",
    ),
)


register(
    Rule(
        name="ended_houses",
        description=_(
            "When a house has stopped, the personal details in its archive, once it ended longer ago "
            "than this: the messages with requests to join and the notes with decisions, the titles of "
            "bookings and the reasons given, the texts of ideas, the reactions under news and what "
            "students wrote about their hours. Who took part, when, and the numbers stay, for the "
            "figures of the pilot."
        ),
        setting="RETENTION_ENDED_HOUSE_DAYS",
        default=365,
        apply=apply_ended_houses,
        count=count_ended_houses,
        say=say_ended_houses,
    )
)


# --- logging in: sessions, allauth's leftovers, the cache ------------------------------------


def apply_sessions(now: dt.datetime) -> int:
    from wijkhuis.jobs import delete_expired_sessions

    return delete_expired_sessions(now)


def count_sessions(now: dt.datetime) -> int:
    from wijkhuis.jobs import expired_sessions

    return expired_sessions(now).count()


say_sessions = sayer(
    ngettext_lazy(
        "Expired sessions: %(count)s would be deleted",
        "Expired sessions: %(count)s would be deleted",
        "count",
    ),
    ngettext_lazy(
        "Expired sessions: %(count)s deleted",
        "Expired sessions: %(count)s deleted",
        "count",
    ),
)


register(
    Rule(
        name="sessions",
        description=_(
            "A session (staying logged in, and a login code while it is waiting), once it has expired."
        ),
        setting=None,
        default=None,
        apply=apply_sessions,
        count=count_sessions,
        say=say_sessions,
    )
)

SESSIONS_IN_DATABASE = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def user_sessions_due(now: dt.datetime) -> QuerySet:
    """allauth's list of a person's sessions (address, browser) whose session has ended."""
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    live = Session.objects.filter(expire_date__gte=now).values("session_key")
    return UserSession.objects.exclude(session_key__in=live)


def _user_sessions_elsewhere() -> list:
    """Sessions kept outside the database: ask the session store about each (slow, but correct)."""
    from allauth.usersessions.models import UserSession

    return [s.pk for s in UserSession.objects.order_by("pk") if not s.exists()]


def delete_user_sessions(pks: list) -> None:
    from allauth.usersessions.models import UserSession

    UserSession.objects.filter(pk__in=pks).delete()


def apply_user_sessions(now: dt.datetime) -> int:
    if settings.SESSION_ENGINE in SESSIONS_IN_DATABASE:
        return in_batches(user_sessions_due(now), delete_user_sessions)
    from allauth.usersessions.models import UserSession

    return in_batches(UserSession.objects.filter(pk__in=_user_sessions_elsewhere()), delete_user_sessions)


def count_user_sessions(now: dt.datetime) -> int:
    if settings.SESSION_ENGINE in SESSIONS_IN_DATABASE:
        return user_sessions_due(now).count()
    return len(_user_sessions_elsewhere())


say_user_sessions = sayer(
    ngettext_lazy(
        "Sessions that ended (internet address and browser): %(count)s would be deleted",
        "Sessions that ended (internet address and browser): %(count)s would be deleted",
        "count",
    ),
    ngettext_lazy(
        "Sessions that ended (internet address and browser): %(count)s deleted",
        "Sessions that ended (internet address and browser): %(count)s deleted",
        "count",
    ),
)


register(
    Rule(
        name="user_sessions",
        description=_(
            "The internet address and browser of a login, shown in the list of your sessions, once "
            "that session has ended or expired."
        ),
        setting=None,
        default=None,
        apply=apply_user_sessions,
        count=count_user_sessions,
        say=say_user_sessions,
    )
)


def email_confirmations_due(now: dt.datetime) -> QuerySet:
    """E-mail confirmation keys past allauth's expiry (only stored if EMAIL_CONFIRMATION_HMAC is off)."""
    from allauth.account import app_settings
    from allauth.account.models import EmailConfirmation

    expired = now - dt.timedelta(days=app_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS)
    return EmailConfirmation.objects.filter(Q(sent__lt=expired) | Q(sent__isnull=True, created__lt=expired))


def delete_email_confirmations(pks: list) -> None:
    from allauth.account.models import EmailConfirmation

    EmailConfirmation.objects.filter(pk__in=pks).delete()


def apply_email_confirmations(now: dt.datetime) -> int:
    return in_batches(email_confirmations_due(now), delete_email_confirmations)


say_email_confirmations = sayer(
    ngettext_lazy(
        "Expired links to confirm an e-mail address: %(count)s would be deleted",
        "Expired links to confirm an e-mail address: %(count)s would be deleted",
        "count",
    ),
    ngettext_lazy(
        "Expired links to confirm an e-mail address: %(count)s deleted",
        "Expired links to confirm an e-mail address: %(count)s deleted",
        "count",
    ),
)


register(
    Rule(
        name="email_confirmations",
        description=_("A link to confirm an e-mail address, once it has expired."),
        setting="ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS",
        default=3,
        apply=apply_email_confirmations,
        count=lambda now: email_confirmations_due(now).count(),
        say=say_email_confirmations,
    )
)


def _cache_table() -> str | None:
    """The table of the database cache, which holds allauth's rate limits (per internet address)."""
    cache = settings.CACHES.get("default", {})
    if cache.get("BACKEND") != "django.core.cache.backends.db.DatabaseCache":
        return None
    return cache["LOCATION"]


def apply_cache(now: dt.datetime) -> int:
    table = _cache_table()
    if table is None:
        return 0
    quoted = connection.ops.quote_name(table)
    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quoted} WHERE cache_key IN ("  # noqa: S608 - the table name is ours
                f"SELECT cache_key FROM {quoted} WHERE expires < %s LIMIT %s FOR UPDATE SKIP LOCKED)",
                [now, BATCH_SIZE],
            )
            deleted = cursor.rowcount
        done += deleted
        if deleted < BATCH_SIZE:
            return done


def count_cache(now: dt.datetime) -> int:
    table = _cache_table()
    if table is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE expires < %s",  # noqa: S608
            [now],
        )
        return cursor.fetchone()[0]


say_cache = sayer(
    ngettext_lazy(
        "Expired temporary records (such as login attempts per internet address): %(count)s would be deleted",
        "Expired temporary records (such as login attempts per internet address): %(count)s would be deleted",
        "count",
    ),
    ngettext_lazy(
        "Expired temporary records (such as login attempts per internet address): %(count)s deleted",
        "Expired temporary records (such as login attempts per internet address): %(count)s deleted",
        "count",
    ),
)


register(
    Rule(
        name="cache",
        description=_(
            "Temporary records, such as how often someone tried to log in from an internet address, "
            "once they have expired."
        ),
        setting=None,
        default=None,
        apply=apply_cache,
        count=count_cache,
        say=say_cache,
    )
)


# --- mail and other finished background jobs ----------------------------------------------------


def finished_jobs_due(now: dt.datetime) -> QuerySet:
    """Finished background jobs; a mail's job holds the whole message (address, name, text)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.finished().filter(finished_at__lt=cutoff(now, "RETENTION_FINISHED_JOB_DAYS"))


def delete_finished_jobs(pks: list) -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk__in=pks).delete()


say_finished_jobs = sayer(
    ngettext_lazy(
        "Sent e-mails and other finished jobs older than %(days)s days: %(count)s would be deleted",
        "Sent e-mails and other finished jobs older than %(days)s days: %(count)s would be deleted",
        "count",
    ),
    ngettext_lazy(
        "Sent e-mails and other finished jobs older than %(days)s days: %(count)s deleted",
        "Sent e-mails and other finished jobs older than %(days)s days: %(count)s deleted",
        "count",
    ),
)


register(
    Rule(
        name="finished_jobs",
        description=_(
            "The e-mails the portal sent (who to, and the text), kept in its queue of background jobs "
            "for checking that they went out, once they were sent longer ago than this."
        ),
        setting="RETENTION_FINISHED_JOB_DAYS",
        default=14,
        apply=lambda now: in_batches(finished_jobs_due(now), delete_finished_jobs),
        count=lambda now: finished_jobs_due(now).count(),
        say=say_finished_jobs,
    )
)
