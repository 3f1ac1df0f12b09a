"""The final export of an ended house for the housing corporation: a ZIP with one CSV per kind of
record of the house and a README.txt that explains each file (in the portal's language, Dutch).

Made on request, at once, by staff on the house's archive page (residents.ending_views). It lives in
the project package because it reads every app; residents imports none of them. Worries appear as
counts per kind and status only, never their words or who raised them. A fixed number of queries,
whatever the size of the house.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from activities.models import Activity, Booking, Idea, PollOption, Signup
from care.models import Worry
from duties.models import Duty, DutyAssignment, HourLog
from news.models import Issue, Post
from residents.audit import record
from residents.audit_wording import describe
from residents.export import csv_value
from residents.models import AuditEvent, House, Membership, User
from residents.spreadsheet import safe_cell


@dataclass(frozen=True)
class Table:
    """One CSV file of the export."""

    name: str  # file name without .csv
    title: str
    about: str
    columns: tuple[str, ...]
    rows: list[list[Any]]


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.name or f"#{user.pk}"


# --- the tables, one per kind of record --------------------------------------------------------


def members(house: House) -> Table:
    rows = [
        [
            _name(m.user),
            m.user.email or "",
            m.get_role_display(),
            m.get_status_display(),
            m.organisation.name if m.organisation else "",
            m.requested_at,
            m.decided_at,
            _name(m.decided_by),
        ]
        for m in Membership.objects.filter(house=house)
        .select_related("user", "organisation", "decided_by")
        .order_by("user__name", "user_id", "role")
    ]
    return Table(
        "leden",
        _("Members"),
        _("Everyone who was or asked to be a member of the house, one row per role."),
        (
            _("Name"),
            _("E-mail address"),
            _("Role"),
            _("Status"),
            _("Organisation"),
            _("Asked on"),
            _("Decided on"),
            _("Decided by"),
        ),
        rows,
    )


def bookings(house: House) -> Table:
    rows = [
        [
            b.pk,
            b.room.name,
            b.start,
            b.end,
            b.get_category_display(),
            b.title,
            b.attendees,
            b.get_status_display(),
            _name(b.booker),
            b.took_place,
            b.created_at,
            b.cancelled_at,
        ]
        for b in Booking.objects.filter(room__house=house).select_related("room", "booker").order_by("period")
    ]
    return Table(
        "reserveringen",
        _("Bookings"),
        _("Every booking of the house's rooms, also those that were declined or cancelled."),
        (
            _("Reference number"),
            _("Room"),
            _("Start"),
            _("End"),
            _("What for"),
            _("Title"),
            _("Expected people"),
            _("Status"),
            _("Booked for"),
            _("Took place"),
            _("Made on"),
            _("Cancelled on"),
        ),
        rows,
    )


def activities(house: House) -> Table:
    confirmed = Q(signups__status=Signup.Status.CONFIRMED)
    found = (
        Activity.objects.filter(house=house)
        .select_related("booking__room", "partner")
        .prefetch_related(Prefetch("organisers", queryset=User.objects.order_by("name")))
        .annotate(
            signed_up=Count("signups", filter=confirmed),
            waiting=Count("signups", filter=Q(signups__status=Signup.Status.WAITING)),
            came=Count("signups", filter=Q(signups__attended=True)),
        )
        .order_by("period")
    )
    rows = [
        [
            a.pk,
            a.title,
            a.get_category_display(),
            a.start,
            a.end,
            a.where,
            a.get_audience_display(),
            a.capacity,
            a.get_status_display(),
            ", ".join(_name(o) for o in a.organisers.all()),
            a.partner.name if a.partner else "",
            a.signed_up,
            a.waiting,
            a.came,
            a.walk_ins,
        ]
        for a in found
    ]
    return Table(
        "activiteiten",
        _("Activities"),
        _(
            "Every activity on the programme, with how many people signed up, waited, came after "
            "signing up, and came without signing up (walk-ins)."
        ),
        (
            _("Reference number"),
            _("Title"),
            _("Kind"),
            _("Start"),
            _("End"),
            _("Where"),
            _("For whom"),
            _("Places"),
            _("Status"),
            _("Organisers"),
            _("Partner organisation"),
            _("Signed up"),
            _("On the waiting list"),
            _("Came"),
            _("Walk-ins"),
        ),
        rows,
    )


def signups(house: House) -> Table:
    rows = [
        [
            s.activity_id,
            s.activity.title,
            s.activity.start,
            _name(s.person),
            s.get_status_display(),
            s.attended,
            s.created_at,
            s.entered_by_id is not None,
            s.cancelled_at,
        ]
        for s in Signup.objects.filter(activity__house=house)
        .select_related("activity", "person")
        .order_by("activity__period", "activity_id", "created_at", "pk")
    ]
    return Table(
        "aanmeldingen",
        _("Sign-ups"),
        _("Who signed up for which activity, and whether they came."),
        (
            _("Activity number"),
            _("Activity"),
            _("Start"),
            _("Person"),
            _("Status"),
            _("Came"),
            _("Signed up on"),
            _("Entered by staff"),
            _("Cancelled on"),
        ),
        rows,
    )


def ideas(house: House) -> Table:
    rows = [
        [
            i.pk,
            i.created_at,
            i.title,
            i.description,
            _name(i.proposer),
            i.get_status_display(),
            i.supporters,
            i.activity_id,
        ]
        for i in Idea.objects.filter(house=house)
        .select_related("proposer")
        .annotate(supporters=Count("supports"))
        .order_by("created_at", "pk")
    ]
    return Table(
        "ideeen",
        _("Ideas"),
        _("Residents' ideas, how many people supported them, and the activity that came of them."),
        (
            _("Reference number"),
            _("Proposed on"),
            _("Idea"),
            _("Description"),
            _("Proposed by"),
            _("Status"),
            _("Supporters"),
            _("Activity number"),
        ),
        rows,
    )


def polls(house: House) -> Table:
    options = (
        PollOption.objects.filter(poll__house=house)
        .select_related("poll")
        .annotate(votes=Count("ballots", distinct=True), voters=Count("poll__ballots", distinct=True))
        .order_by("poll__closes_at", "poll_id", "position", "pk")
    )
    rows = [[o.poll_id, o.poll.question, o.poll.closes_at, o.voters, o.text, o.votes] for o in options]
    return Table(
        "peilingen",
        _("Polls"),
        _("Every poll with its results: one row per answer, with how many people chose it."),
        (
            _("Poll number"),
            _("Question"),
            _("Open until"),
            _("People who answered"),
            _("Answer"),
            _("Chosen by"),
        ),
        rows,
    )


def hours(house: House) -> Table:
    rows = [
        [
            _name(log.student),
            log.start,
            log.end,
            log.minutes,
            log.what,
            log.get_status_display(),
            log.duty.title if log.duty else "",
            log.activity_id,
            _name(log.reviewer),
            log.reviewed_at,
        ]
        for log in HourLog.objects.filter(house=house)
        .select_related("student", "duty", "reviewer")
        .order_by("period", "pk")
    ]
    return Table(
        "uren",
        _("Hours of the students"),
        _("The hours students logged for the neighbourhood, and whether they were approved."),
        (
            _("Student"),
            _("Start"),
            _("End"),
            _("Minutes"),
            _("What was done"),
            _("Status"),
            _("Duty"),
            _("Activity number"),
            _("Reviewed by"),
            _("Reviewed on"),
        ),
        rows,
    )


def duties(house: House) -> Table:
    active = DutyAssignment.Status.ACTIVE
    found = (
        Duty.objects.filter(house=house)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=DutyAssignment.objects.filter(status=active).select_related("student"),
                to_attr="held",
            )
        )
        .order_by("first_day", "start_time", "pk")
    )
    rows = [
        [
            d.pk,
            d.title,
            d.first_day,
            d.weekly,
            d.last_day,
            d.start_time,
            d.end_time,
            d.students_needed,
            d.expected_minutes,
            d.get_status_display(),
            ", ".join(_name(a.student) for a in d.held),
        ]
        for d in found
    ]
    return Table(
        "taken",
        _("Duties"),
        _("The students' duties and who held them at the end."),
        (
            _("Reference number"),
            _("Title"),
            _("Day (or first day)"),
            _("Every week"),
            _("Last day"),
            _("From"),
            _("Until"),
            _("Students needed"),
            _("Expected minutes"),
            _("Status"),
            _("Held by"),
        ),
        rows,
    )


def news(house: House) -> Table:
    rows = [
        [
            p.pk,
            p.title,
            p.summary,
            p.body,
            p.get_status_display(),
            p.publish_at,
            p.get_audience_display(),
            _name(p.author),
            p.reactions,
        ]
        for p in Post.objects.filter(house=house)
        .select_related("author")
        .annotate(reactions=Count("comments"))
        .order_by("publish_at", "pk")
    ]
    return Table(
        "nieuws",
        _("News posts"),
        _("The news of the house (not the news for all houses), with how many reactions each had."),
        (
            _("Reference number"),
            _("Title"),
            _("Short summary"),
            _("Text"),
            _("Status"),
            _("Visible from"),
            _("Who may read it"),
            _("Written by"),
            _("Reactions"),
        ),
        rows,
    )


def koffiekrant(house: House) -> Table:
    rows = [
        [i.week_start, i.get_status_display(), i.published_at, _name(i.published_by), i.students_word]
        for i in Issue.objects.filter(house=house).select_related("published_by").order_by("week_start")
    ]
    return Table(
        "koffiekrant",
        _("Koffiekrant"),
        _("Every week's koffiekrant of the house, and the students' word in it."),
        (_("Week"), _("Status"), _("Published on"), _("Published by"), _("A word from the students")),
        rows,
    )


def worries(house: House) -> Table:
    categories = dict(Worry.Category.choices)
    statuses = dict(Worry.Status.choices)
    rows = [
        [categories.get(category, category), statuses.get(status, status), n]
        for category, status, n in Worry.objects.filter(house=house)
        .order_by()
        .values_list("category", "status")
        .annotate(n=Count("pk"))
        .order_by("category", "status")
    ]
    return Table(
        "meldingen",
        _("Worries (counts only)"),
        _(
            "How many worries were raised, per kind and status. Never what they said or who raised "
            "them: that stays with the team that handled them and is removed after the retention period."
        ),
        (_("Kind"), _("Status"), _("Number")),
        rows,
    )


def audit_trail(house: House) -> Table:
    rows = []
    for event in (
        AuditEvent.objects.filter(house=house)
        .select_related("actor", "on_behalf_of")
        .order_by("created_at", "pk")
        .iterator(chunk_size=2000)
    ):
        row = describe(event)
        changes = "; ".join(
            f"{c.field}: {c.old} → {c.new}" if c.is_pair else f"{c.field}: {c.value}" for c in row.changes
        )
        rows.append(
            [
                event.created_at,
                _name(event.actor) if event.actor_id else _("the system"),
                _name(event.on_behalf_of),
                row.label,
                event.target_repr,
                changes,
            ]
        )
    return Table(
        "logboek",
        _("Audit trail"),
        _("Who did what and when in the house. For worries only that something happened, never what."),
        (_("When"), _("Done by"), _("On behalf of"), _("What"), _("Object"), _("Changes")),
        rows,
    )


TABLES: tuple[Callable[[House], Table], ...] = (
    members,
    bookings,
    activities,
    signups,
    ideas,
    polls,
    hours,
    duties,
    news,
    koffiekrant,
    worries,
    audit_trail,
)


# --- the ZIP -----------------------------------------------------------------------------------


def _csv(table: Table) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the accents right
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(str(column)) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_value(value) for value in row])
    return out.getvalue().encode("utf-8")


def _readme(house: House, tables: Iterable[Table], now: dt.datetime) -> bytes:
    ended = house.ended_at
    days = settings.RETENTION_ENDED_HOUSE_DAYS
    ended_by = AuditEvent.objects.filter(house=house, action="house.ended").select_related("actor").first()
    text = render_to_string(
        "residents/house_export_readme.txt",
        {
            "house": house,
            "made": formats.date_format(timezone.localtime(now), "j F Y, H:i"),
            "ended": formats.date_format(timezone.localtime(ended), "j F Y") if ended else "",
            "ended_by": _name(ended_by.actor) if ended_by and ended_by.actor_id else "",
            "days": days,
            "removed_on": (
                formats.date_format(timezone.localtime(ended) + dt.timedelta(days=days), "j F Y")
                if ended
                else ""
            ),
            "files": [
                {"name": f"{t.name}.csv", "title": t.title, "about": t.about, "count": len(t.rows)}
                for t in tables
            ],
            "privacy_url": settings.SITE_URL + reverse("privacy_house", kwargs={"house": house.slug}),
        },
    )
    return text.replace("\n", "\r\n").encode("utf-8")


def filename(house: House, now: dt.datetime | None = None) -> str:
    day = timezone.localdate(now or timezone.now())
    return f"wijkhuis-{house.slug}-archief-{day:%Y-%m-%d}.zip"


def build_zip(house: House, *, now: dt.datetime | None = None) -> bytes:
    """The ZIP of everything the house holds, in the portal's language."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        tables = [make(house) for make in TABLES]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", _readme(house, tables, now))
            for table in tables:
                archive.writestr(f"{table.name}.csv", _csv(table))
    return buffer.getvalue()


def export_house(*, house: House, by: User) -> tuple[str, bytes]:
    """Make the final export of `house` for `by` (staff; the caller checked "house.end") and record
    it in the audit trail, in one transaction: no download without its audit row."""
    now = timezone.now()
    with transaction.atomic():
        # Recorded first, so the export's own audit trail lists it; if the ZIP fails, the row goes too.
        record("house.exported", actor=by, target=house, house=house)
        data = build_zip(house, now=now)
    return filename(house, now), data
