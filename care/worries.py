"""Worries raised with a house: raising one, the team's handling, reminders, retention, the raiser's view.

Who may do what:
- Anyone raises a worry, with an account or as a visitor (then with a name and a phone number or
  e-mail address). Visitors are limited per internet address, members per account (FLOOD_LIMITS).
- Only the coordinators and staff of the worry's house (care.models.team_houses) read and handle it;
  a superuser without that role does not. Services refuse anyone else (WorryNotAllowed).
- The person who raised it sees its status only (my_worries), never the team's notes.

Content never leaves the portal: mails say "received" or carry a link, audit rows name the worry by its
reference (M-2026-0042), not by its category, and error reports hide what was typed (sensitive_variables).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass

import holidays
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from care.errors import CareError
from care.models import Worry, WorryNote, is_team, team_members
from residents.audit import record
from residents.mail import mail_address, mail_person
from residents.models import AuditEvent, House, Organisation, User
from residents.text import clean_text, is_phone_number

__all__ = [
    "FLOOD_LIMITS",
    "REMIND_AFTER_WORKING_DAYS",
    "MyWorry",
    "WorryNotAllowed",
    "add_note",
    "anonymise_closed",
    "anonymise_due",
    "close",
    "is_team",
    "is_waiting_too_long",
    "is_working_day",
    "log_view",
    "my_worries",
    "raise_worry",
    "record_contact",
    "refer",
    "remind_unattended",
    "reopen",
    "take",
    "team_members",
    "working_days_after",
]

TEXT_MAX_LENGTH = 2000  # the message and a note (the model's max_length)
REMIND_AFTER_WORKING_DAYS = 3
# (at most this many worries, within this time): per internet address for visitors, per account for members
FLOOD_LIMITS = ((3, dt.timedelta(hours=1)), (10, dt.timedelta(days=1)))
FLOOD_KEEP = max(window for _n, window in FLOOD_LIMITS)
ENTERED_CHANNELS = (Worry.Channel.COFFEE_TABLE, Worry.Channel.PHONE, Worry.Channel.OTHER)
FIELD_LENGTHS = {
    "name": 100,
    "phone": 30,
    "email": 254,
    "address": 200,
    "contact_when": 200,
    "message": TEXT_MAX_LENGTH,
}


class WorryNotAllowed(CareError, PermissionDenied):
    """The person may not do this to this worry (a CareError, and a 403 if nobody catches it)."""


# --- who is who --------------------------------------------------------------------------------


def _require_team(by, house) -> None:
    if not is_team(by, house):
        raise WorryNotAllowed(_("Only the coordinators and staff of this house can handle its worries."))


# --- working days --------------------------------------------------------------------------------


@functools.cache
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.NL(years=year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, except Dutch public holidays (Koningsdag, Christmas, ...)."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def working_days_after(moment: dt.datetime, n: int) -> dt.datetime:
    """The same local time of day, `n` working days after `moment` (a Saturday counts from Monday)."""
    local = timezone.localtime(moment)
    day = local.date()
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return dt.datetime.combine(day, local.time(), tzinfo=local.tzinfo)


def is_waiting_too_long(worry: Worry, now: dt.datetime | None = None) -> bool:
    """A new worry without a first contact after REMIND_AFTER_WORKING_DAYS working days."""
    return (
        worry.status == Worry.Status.NEW
        and worry.first_contact_at is None
        and working_days_after(worry.created_at, REMIND_AFTER_WORKING_DAYS) <= (now or timezone.now())
    )


# --- raising a worry -----------------------------------------------------------------------------


def too_long_message(limit: int, length: int) -> str:
    return _("This can have at most %(limit_value)d characters. Now it has %(show_value)d.") % {
        "limit_value": limit,
        "show_value": length,
    }


@sensitive_variables()
def check_reachable(data: dict, *, member: bool, on_behalf: bool = False) -> None:
    """Raise a CareError (with its field) when the team could not reach the person as they asked.

    `data` holds cleaned text: contact_by, phone, email, address. A member is known by their account;
    a visitor gives a phone number or an e-mail address; whoever enters a worry for someone else gives
    at least one way to reach them.
    """
    contact_by = data.get("contact_by")
    phone, email, address = data.get("phone", ""), data.get("email", ""), data.get("address", "")
    if contact_by == Worry.ContactBy.PHONE and not phone:
        if on_behalf:
            raise CareError(_("The person wants to be called. Fill in their phone number."), field="phone")
        raise CareError(_("You chose to be called. Fill in your phone number."), field="phone")
    if contact_by == Worry.ContactBy.EMAIL and not email and not member:
        if on_behalf:
            raise CareError(_("The person wants an e-mail. Fill in their e-mail address."), field="email")
        raise CareError(_("You chose an e-mail. Fill in your e-mail address."), field="email")
    if contact_by == Worry.ContactBy.VISIT and not address:
        if on_behalf:
            raise CareError(_("The person wants a visit. Fill in their address."), field="address")
        raise CareError(_("You chose a visit. Fill in your address."), field="address")
    if member:
        return
    if on_behalf:
        if not (phone or email or address):
            raise CareError(
                _("Fill in at least one way to reach the person: a phone number, e-mail address or address."),
                field="phone",
            )
    elif not (phone or email):
        raise CareError(
            _("Fill in a phone number or an e-mail address, so that we can reach you."), field="phone"
        )


@sensitive_variables()
def _clean_worry_data(data: dict, *, member: bool, on_behalf: bool) -> dict:
    clean = {key: clean_text(data.get(key)) for key in (*FIELD_LENGTHS, "about", "category", "contact_by")}
    checks = (
        ("about", Worry.About, _("Choose who it is about.")),
        ("category", Worry.Category, _("Choose what it is about.")),
        ("contact_by", Worry.ContactBy, _("Choose how we may contact you.")),
    )
    for field, choices, message in checks:
        if clean[field] not in choices.values:
            raise CareError(message, field=field)
    for field, limit in FIELD_LENGTHS.items():
        if len(clean[field]) > limit:
            raise CareError(too_long_message(limit, len(clean[field])), field=field)
    if clean["phone"] and not is_phone_number(clean["phone"]):
        raise CareError(_("Fill in a phone number, for example 06 12345678."), field="phone")
    if clean["email"]:
        try:
            validate_email(clean["email"])
        except ValidationError:
            raise CareError(
                _("Fill in an e-mail address, for example name@example.nl."), field="email"
            ) from None
    if not member and not clean["name"]:
        if on_behalf:
            raise CareError(_("Fill in the name of the person."), field="name")
        raise CareError(_("Fill in your name, so that we know who to ask for."), field="name")
    if clean["contact_by"] != Worry.ContactBy.VISIT and not on_behalf:
        clean["address"] = ""  # asked only for a visit: keep no more than needed
    check_reachable(clean, member=member, on_behalf=on_behalf)
    return clean


def _lock(key: str) -> None:
    """Serialise concurrent raises from one address or account until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _flood_key(ip: str) -> str:
    # The address itself is not stored: a keyed hash is enough to count.
    digest = hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()[:40]
    return f"care:worries-from:{digest}"


def _over_limit(moments: list[dt.datetime], now: dt.datetime) -> bool:
    return any(sum(1 for m in moments if m > now - window) >= limit for limit, window in FLOOD_LIMITS)


def _check_visitor_flood(ip: str, house: House, now: dt.datetime) -> None:
    """At most FLOOD_LIMITS worries per internet address; counted in the (database) cache."""
    key = _flood_key(ip)
    _lock(key)
    moments = [m for m in cache.get(key, []) if m > now - FLOOD_KEEP]
    if _over_limit(moments, now):
        raise CareError(
            _(
                "Many worries were sent from this internet connection in a short time, so we cannot "
                "take another one right now. Please call or drop in at %(house)s, or try again later. "
                "If it cannot wait, call 112 or your GP."
            )
            % {"house": house.name}
        )
    # Written in this transaction (the cache lives in the same database): a refused worry does not count.
    cache.set(key, [*moments, now], timeout=int(FLOOD_KEEP.total_seconds()))


def _check_member_flood(by: User, house: House, now: dt.datetime) -> None:
    _lock(f"care:worries-by:{by.pk}")
    moments = list(
        Worry.objects.filter(
            raised_by=by, channel=Worry.Channel.WEBSITE, created_at__gt=now - FLOOD_KEEP
        ).values_list("created_at", flat=True)
    )
    if _over_limit(moments, now):
        raise CareError(
            _(
                "You have sent many worries in a short time, so we cannot take another one right now. "
                "Please call or drop in at %(house)s, or try again later. If it cannot wait, call 112 "
                "or your GP."
            )
            % {"house": house.name}
        )


def _audit(action: str, *, worry: Worry, by, **changes) -> None:
    """An audit row that names the worry by its reference only (str(worry) is just that)."""
    record(f"worry.{action}", actor=by, target=worry, house=worry.house, changes=changes or None)


def _worry_url(worry: Worry) -> str:
    return reverse("care:worry", kwargs={"house": worry.house.slug, "pk": worry.pk})


def _mail_team(house: House, template: str, context: dict, *, skip=None) -> None:
    for person in team_members(house).exclude(email__isnull=True).exclude(email=""):
        if skip is not None and person.pk == skip.pk:
            continue
        mail_person(person, template, {**context, "house": house})


def _send_new_worry_mails(worry: Worry, language: str) -> None:
    # The person: that it was received, nothing more. The team: a link, no content (e-mail is not safe).
    context = {"house": worry.house, "name": worry.name}
    if worry.raised_by is not None and worry.raised_by.email:
        mail_person(worry.raised_by, "care/mail/worry_received", context)
    elif worry.email:
        mail_address(worry.email, language, "care/mail/worry_received", context)
    _mail_team(worry.house, "care/mail/worry_new", {"worry_url": _worry_url(worry)}, skip=worry.entered_by)


@sensitive_variables()
def raise_worry(
    *,
    house: House,
    data: dict,
    channel: str,
    by: User | None = None,
    entered_by: User | None = None,
    language: str = "nl",
    ip: str | None = None,
) -> Worry:
    """Save a worry and tell the person and the house's team by mail (after commit).

    `by` is the member who raises it on the website (None for a visitor); `entered_by` the team member
    who enters a worry heard at the coffee table or by phone (channel coffee_table, phone or other).
    `ip` is the visitor's internet address, for the flood limit.
    """
    if by is not None and not by.is_authenticated:
        by = None
    if channel == Worry.Channel.WEBSITE:
        if entered_by is not None:
            raise CareError(
                _("A worry entered by the team comes in at the coffee table, by phone or another way.")
            )
    elif channel in ENTERED_CHANNELS:
        if entered_by is None:
            raise CareError(_("Only the team enters a worry for someone else."))
        _require_team(entered_by, house)
    else:
        raise CareError(_("Choose how the worry came in."), field="channel")
    member = by is not None
    clean = _clean_worry_data(data, member=member, on_behalf=entered_by is not None)
    if member:
        # Known from the account; kept with the worry, so the team can reach them as asked.
        clean["name"] = (by.name or "")[:100]
        clean["email"] = by.email or ""
    now = timezone.now()
    with transaction.atomic():
        if channel == Worry.Channel.WEBSITE:
            if member:
                _check_member_flood(by, house, now)
            elif ip:
                _check_visitor_flood(ip, house, now)
        worry = Worry.objects.create(
            house=house,
            raised_by=by,
            entered_by=entered_by,
            channel=channel,
            created_at=now,
            **clean,
        )
        _audit("raised", worry=worry, by=entered_by or by, channel=channel)
        transaction.on_commit(lambda: _send_new_worry_mails(worry, language))
    return worry


# --- handling ----------------------------------------------------------------------------------


def _locked(worry: Worry, by) -> Worry:
    """The worry's row, locked for this transaction, after checking that `by` may handle it."""
    _require_team(by, worry.house)
    locked = Worry.objects.select_for_update(of=("self",)).select_related("house").get(pk=worry.pk)
    if locked.anonymised_at is not None:
        raise CareError(_("This worry has been anonymised. It cannot be changed any more."))
    return locked


def _require_open(worry: Worry) -> None:
    if worry.status == Worry.Status.CLOSED:
        raise CareError(_("This worry is closed. Open it again first."))


def _clean_note(text, *, required: bool, message: str, field: str = "text") -> str:
    text = clean_text(text)
    if required and not text:
        raise CareError(message, field=field)
    if len(text) > TEXT_MAX_LENGTH:
        raise CareError(too_long_message(TEXT_MAX_LENGTH, len(text)), field=field)
    return text


def _refresh(worry: Worry, locked: Worry) -> Worry:
    """Copy the saved state onto the caller's object, so a view shows what is stored."""
    for field in Worry._meta.concrete_fields:
        setattr(worry, field.attname, getattr(locked, field.attname))
    return worry


def _note(worry: Worry, by, kind: str, text: str = "") -> WorryNote:
    return WorryNote.objects.create(worry=worry, kind=kind, text=text, author=by)


def take(*, worry: Worry, by: User, handler: User | None = None) -> Worry:
    """`by` takes the worry on, or gives it to `handler`, a coordinator or staff member of the house."""
    handler = handler or by
    with transaction.atomic():
        locked = _locked(worry, by)
        _require_open(locked)
        if not is_team(handler, locked.house) or not handler.is_active:
            raise CareError(_("Choose someone of the team of this house."), field="handler")
        if locked.handler_id == handler.pk:
            raise CareError(
                _("%(name)s already handles this worry.") % {"name": handler.name}, field="handler"
            )
        before = (locked.status, locked.handler_id)
        locked.handler = handler
        if locked.status == Worry.Status.NEW:
            locked.status = Worry.Status.TAKEN
        locked.save(update_fields=["handler", "status"])
        _note(locked, by, WorryNote.Kind.TAKEN, "" if handler.pk == by.pk else handler.name)
        _audit(
            "taken",
            worry=locked,
            by=by,
            status=[before[0], locked.status],
            handler=[before[1], handler.pk],
        )
    return _refresh(worry, locked)


@sensitive_variables()
def record_contact(*, worry: Worry, by: User, text: str) -> Worry:
    """The team spoke with the person: note what about. The first contact also takes the worry on."""
    text = _clean_note(text, required=True, message=_("Write in a few words what you talked about."))
    with transaction.atomic():
        locked = _locked(worry, by)
        _require_open(locked)
        changes = {}
        if locked.first_contact_at is None:
            locked.first_contact_at = timezone.now()
            changes["first_contact"] = True
        if locked.handler_id is None:
            locked.handler = by
            changes["handler"] = [None, by.pk]
        if locked.status == Worry.Status.NEW:
            locked.status = Worry.Status.TAKEN
            changes["status"] = [Worry.Status.NEW, Worry.Status.TAKEN]
        locked.save(update_fields=["first_contact_at", "handler", "status"])
        _note(locked, by, WorryNote.Kind.CONTACT, text)
        _audit("contact", worry=locked, by=by, **changes)
    return _refresh(worry, locked)


@sensitive_variables()
def refer(*, worry: Worry, by: User, partner: Organisation | None, consent: bool, text: str) -> Worry:
    """Pass the worry on to a partner organisation of the house, once the person has agreed."""
    text = _clean_note(text, required=False, message="")
    with transaction.atomic():
        locked = _locked(worry, by)
        _require_open(locked)
        if partner is None or not locked.house.partners.filter(pk=partner.pk).exists():
            raise CareError(_("Choose one of the partner organisations of this house."), field="partner")
        if consent is not True:
            raise CareError(
                _("Ask the person first whether they agree, and tick the box when they do."), field="consent"
            )
        now = timezone.now()
        before = locked.status
        locked.referred_to = partner
        locked.consent_at = now
        locked.status = Worry.Status.REFERRED
        locked.first_contact_at = locked.first_contact_at or now  # asking for consent is a contact
        locked.handler = locked.handler or by
        locked.save(update_fields=["referred_to", "consent_at", "status", "first_contact_at", "handler"])
        _note(locked, by, WorryNote.Kind.REFERRED, text)
        _audit(
            "referred", worry=locked, by=by, status=[before, locked.status], partner=partner.pk, consent=True
        )
    return _refresh(worry, locked)


@sensitive_variables()
def close(*, worry: Worry, by: User, outcome: str, text: str) -> Worry:
    """Close the worry with its outcome (helped, referred, not needed, no contact, other)."""
    text = _clean_note(text, required=False, message="")
    if outcome not in Worry.Outcome.values:
        raise CareError(_("Choose how it ended."), field="outcome")
    with transaction.atomic():
        locked = _locked(worry, by)
        _require_open(locked)
        before = locked.status
        locked.status = Worry.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.outcome = outcome
        locked.handler = locked.handler or by
        locked.save(update_fields=["status", "closed_at", "outcome", "handler"])
        _note(locked, by, WorryNote.Kind.CLOSED, text)
        _audit("closed", worry=locked, by=by, status=[before, locked.status], outcome=outcome)
    return _refresh(worry, locked)


def reopen(*, worry: Worry, by: User) -> Worry:
    """Open a closed worry again, in the state it was in before it was closed."""
    with transaction.atomic():
        locked = _locked(worry, by)
        if locked.status != Worry.Status.CLOSED:
            raise CareError(_("This worry is still open."))
        if locked.referred_to_id is not None:
            locked.status = Worry.Status.REFERRED
        elif locked.handler_id is not None or locked.first_contact_at is not None:
            locked.status = Worry.Status.TAKEN
        else:
            locked.status = Worry.Status.NEW
        outcome = locked.outcome
        locked.closed_at = None
        locked.outcome = ""
        locked.save(update_fields=["status", "closed_at", "outcome"])
        _note(locked, by, WorryNote.Kind.REOPENED)
        _audit(
            "reopened",
            worry=locked,
            by=by,
            status=[Worry.Status.CLOSED, locked.status],
            outcome=[outcome, ""],
        )
    return _refresh(worry, locked)


@sensitive_variables()
def add_note(*, worry: Worry, by: User, text: str) -> WorryNote:
    """An internal note of the team; the person who raised the worry never sees it."""
    text = _clean_note(text, required=True, message=_("Write the note first."))
    with transaction.atomic():
        locked = _locked(worry, by)
        note = _note(locked, by, WorryNote.Kind.NOTE, text)
        _audit("note_added", worry=locked, by=by)
    return note


def log_view(*, worry: Worry, by: User) -> None:
    """Someone of the team opened the worry's page: who and when, never what they read."""
    _require_team(by, worry.house)
    with transaction.atomic():
        _audit("viewed", worry=worry, by=by)


# --- periodic jobs -------------------------------------------------------------------------------


def _send_reminders(house_id: int, worry_ids: list[int]) -> None:
    worries = list(Worry.objects.filter(pk__in=worry_ids).select_related("house").order_by("created_at"))
    if worries:
        links = [_worry_url(w) for w in worries]
        _mail_team(worries[0].house, "care/mail/worry_reminder", {"links": links, "count": len(links)})


def remind_unattended(now: dt.datetime | None = None) -> int:
    """Mail each house's team once about new worries without a first contact after 3 working days."""
    now = now or timezone.now()
    # Three working days are at least three calendar days: the database narrows, Python decides.
    candidates = Worry.objects.filter(
        status=Worry.Status.NEW,
        first_contact_at__isnull=True,
        reminded_at__isnull=True,
        anonymised_at__isnull=True,
        created_at__lte=now - dt.timedelta(days=REMIND_AFTER_WORKING_DAYS),
    ).values_list("pk", "created_at")
    due = [pk for pk, created in candidates if working_days_after(created, REMIND_AFTER_WORKING_DAYS) <= now]
    if not due:
        return 0
    by_house: dict[int, list[int]] = defaultdict(list)
    with transaction.atomic():
        worries = list(
            Worry.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("house")
            .filter(
                pk__in=due, reminded_at__isnull=True, status=Worry.Status.NEW, first_contact_at__isnull=True
            )
        )
        for worry in worries:
            worry.reminded_at = now
            worry.save(update_fields=["reminded_at"])
            _audit("reminded", worry=worry, by=None)
            by_house[worry.house_id].append(worry.pk)
        for house_id, ids in by_house.items():
            transaction.on_commit(functools.partial(_send_reminders, house_id, ids))
    return len(worries)


def anonymise_due(now: dt.datetime):
    """The closed worries whose retention has passed at `now` and that still hold the person."""
    cutoff = now - dt.timedelta(days=settings.WORRY_RETENTION_DAYS)
    return Worry.objects.filter(status=Worry.Status.CLOSED, closed_at__lte=cutoff, anonymised_at__isnull=True)


def anonymise_closed(now: dt.datetime | None = None) -> int:
    """Strip the person and their words from worries closed longer than WORRY_RETENTION_DAYS ago.

    Kept: house, category, about, channel, dates, status, outcome, handler (for the counts). The audit
    rows of the person who raised it lose their name too. Safe to run twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(anonymise_due(now).select_for_update(skip_locked=True).values_list("pk", "raised_by_id"))
        if not rows:
            return 0
        ids = [pk for pk, _raiser in rows]
        Worry.objects.filter(pk__in=ids).update(
            name="",
            phone="",
            email="",
            address="",
            contact_when="",
            message="",
            raised_by=None,
            entered_by=None,
            anonymised_at=now,
        )
        WorryNote.objects.filter(worry_id__in=ids).update(text="")
        worry_type = ContentType.objects.get_for_model(Worry)
        raised_by_person = Q()
        for pk, raiser in rows:
            if raiser is not None:
                raised_by_person |= Q(target_id=str(pk), actor_id=raiser)
        if raised_by_person:
            AuditEvent.objects.filter(raised_by_person, target_type=worry_type).update(actor=None)
        for worry in Worry.objects.filter(pk__in=ids).select_related("house"):
            _audit("anonymised", worry=worry, by=None)
    return len(ids)


# --- the person's own view -----------------------------------------------------------------------


@dataclass(frozen=True)
class MyWorry:
    """What the person who raised a worry sees of it: never the text, the notes or who handles it."""

    reference: str
    house: House
    category: str
    category_label: str
    created_at: dt.datetime
    status: str
    status_label: str
    is_open: bool


def my_worries(user) -> list[MyWorry]:
    """The worries `user` raised with their account, newest first (house, category, created, status)."""
    worries = (
        Worry.objects.raised_by(user)
        .select_related("house")
        .only("pk", "created_at", "category", "status", "house__name", "house__slug")
        .order_by("-created_at", "-pk")
    )
    return [
        MyWorry(
            reference=w.reference,
            house=w.house,
            category=w.category,
            category_label=w.get_category_display(),
            created_at=w.created_at,
            status=w.status,
            status_label=w.get_status_display(),
            is_open=w.is_open,
        )
        for w in worries
    ]
