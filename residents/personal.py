"""What this app holds about a person, for /mijn/gegevens/, the export and the privacy statement.

Each `rows(user)` takes one query, whatever the number of records (registered in apps.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from residents.audit_wording import action_label
from residents.models import AuditEvent, CalendarFeed, Membership, Role, User
from residents.registry import PersonalData, register_personal_data


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


# --- the account -------------------------------------------------------------------------------


def account_rows(user) -> list[dict]:
    row = (
        User.objects.filter(pk=user.pk)
        .values("name", "email", "phone", "language", "reminders", "date_joined", "registered_by__name")
        .first()
    )
    if row is None:
        return []
    return [
        {
            "name": row["name"],
            "email": row["email"] or "",
            "phone": row["phone"],
            "language": _label(settings.LANGUAGES, row["language"]),
            "reminders": row["reminders"],
            "joined": row["date_joined"],
            "registered_by": row["registered_by__name"] or "",
        }
    ]


def email_rows(user) -> list[dict]:
    from allauth.account.models import EmailAddress

    return [
        {"email": e["email"], "verified": e["verified"], "primary": e["primary"]}
        for e in EmailAddress.objects.filter(user_id=user.pk)
        .order_by("pk")
        .values("email", "verified", "primary")
    ]


def two_step_rows(user) -> list[dict]:
    from allauth.mfa.models import Authenticator

    kinds = {
        Authenticator.Type.TOTP: _("an app that makes codes"),
        Authenticator.Type.RECOVERY_CODES: _("recovery codes"),
        Authenticator.Type.WEBAUTHN: _("a security key"),
    }
    return [
        {
            "kind": str(kinds.get(a["type"], a["type"])),
            "made": a["created_at"],
            "last_used": a["last_used_at"],
        }
        for a in Authenticator.objects.filter(user_id=user.pk)
        .order_by("created_at", "pk")
        .values("type", "created_at", "last_used_at")
    ]


# --- houses ------------------------------------------------------------------------------------


def membership_rows(user) -> list[dict]:
    return [
        {
            "house": m["house__name"],
            "role": _label(Role.choices, m["role"]),
            "status": _label(Membership.Status.choices, m["status"]),
            "since": m["requested_at"],
            "decided": m["decided_at"],
            "message": m["motivation"],
            "decision_note": m["decision_note"],
        }
        for m in Membership.objects.filter(user_id=user.pk)
        .order_by("requested_at", "pk")
        .values("house__name", "role", "status", "requested_at", "decided_at", "motivation", "decision_note")
    ]


# --- the calendar link, sessions, the audit trail ----------------------------------------------


def calendar_feed_rows(user) -> list[dict]:
    made = CalendarFeed.objects.filter(user_id=user.pk).values_list("created_at", flat=True).first()
    if made is None:
        return []
    return [{"what": _("You have a secret address for your calendar."), "made": made}]


def session_rows(user) -> list[dict]:
    from allauth.usersessions.models import UserSession

    return [
        {
            "logged_in": s["created_at"],
            "last_seen": s["last_seen_at"],
            "ip": s["ip"],
            "browser": s["user_agent"],
        }
        for s in UserSession.objects.filter(user_id=user.pk)
        .order_by("created_at", "pk")
        .values("created_at", "last_seen_at", "ip", "user_agent")
    ]


def audit_rows(user) -> list[dict]:
    """Entries of the trail where the person did something, had something done for them, or was the
    subject. Only when and what kind: never what changed (a worry's contents stay out entirely)."""
    about_user = Q(target_type__app_label="residents", target_type__model="user", target_id=str(user.pk))
    events = (
        AuditEvent.objects.filter(Q(actor_id=user.pk) | Q(on_behalf_of_id=user.pk) | about_user)
        .order_by("created_at", "pk")
        .values("created_at", "action", "house__name", "actor_id", "on_behalf_of_id")
    )
    rows = []
    for e in events:
        if e["actor_id"] == user.pk:
            part = _("done by you")
        elif e["on_behalf_of_id"] == user.pk:
            part = _("done for you by someone else")
        else:
            part = _("about you, by someone else") if e["actor_id"] else _("about you, by the portal")
        rows.append(
            {
                "when": e["created_at"],
                "what": action_label(e["action"]),
                "house": e["house__name"] or "",
                "part": part,
            }
        )
    return rows


UNTIL_DELETED = gettext_lazy("Until you delete your account.")
TEAM_OF_HOUSE = gettext_lazy("The coordinators and staff of the house.")


def register() -> None:
    register_personal_data(
        PersonalData(
            key="account",
            title=gettext_lazy("Your account"),
            about=gettext_lazy(
                "Your name and how to reach you, your language, and since when you have an account."
            ),
            columns=(
                ("name", gettext_lazy("Name")),
                ("email", gettext_lazy("E-mail address")),
                ("phone", gettext_lazy("Phone number")),
                ("language", gettext_lazy("Language")),
                ("reminders", gettext_lazy("E-mail reminder the day before an activity")),
                ("joined", gettext_lazy("Account since")),
                ("registered_by", gettext_lazy("Registered for you by")),
            ),
            rows=account_rows,
            purpose=gettext_lazy(
                "To give you an account: so you can log in, book the living room and sign up, and so the "
                "house can reach you about your bookings and activities."
            ),
            basis="contract",
            kept=UNTIL_DELETED,
            who_sees=gettext_lazy(
                "The coordinators and staff of the houses you belong to. Other members see your name with a "
                "reaction you write, and your first name with an idea or an activity you organise."
            ),
            order=10,
        ),
        PersonalData(
            key="email_addresses",
            title=gettext_lazy("Your e-mail addresses"),
            about=gettext_lazy(
                "The addresses you log in with and get e-mail at, and whether you confirmed them."
            ),
            columns=(
                ("email", gettext_lazy("E-mail address")),
                ("verified", gettext_lazy("Confirmed")),
                ("primary", gettext_lazy("Main address")),
            ),
            rows=email_rows,
            purpose=gettext_lazy(
                "To log you in and send you e-mail, and to be sure an address is really yours before we use "
                "it."
            ),
            basis="contract",
            retention=("email_confirmations",),
            kept=gettext_lazy("Until you remove the address or delete your account."),
            who_sees=TEAM_OF_HOUSE,
            order=11,
        ),
        PersonalData(
            key="two_step_login",
            title=gettext_lazy("Two-step login"),
            about=gettext_lazy(
                "Whether you log in with a second step, and since when. The secret codes themselves are not "
                "shown."
            ),
            columns=(
                ("kind", gettext_lazy("Kind")),
                ("made", gettext_lazy("Set up")),
                ("last_used", gettext_lazy("Last used")),
            ),
            rows=two_step_rows,
            purpose=gettext_lazy(
                "To protect your account with a second step, required for everyone who can see other "
                "people's data."
            ),
            basis="legitimate_interest",
            kept=gettext_lazy("Until you switch it off or delete your account."),
            who_sees=gettext_lazy("Nobody: the portal only checks the code you enter."),
            order=12,
        ),
        PersonalData(
            key="memberships",
            title=gettext_lazy("Your houses"),
            about=gettext_lazy("The houses you belong to, in which role, and whether staff verified it."),
            columns=(
                ("house", gettext_lazy("House")),
                ("role", gettext_lazy("Role")),
                ("status", gettext_lazy("Status")),
                ("since", gettext_lazy("Asked on")),
                ("decided", gettext_lazy("Decided on")),
                ("message", gettext_lazy("Your message")),
                ("decision_note", gettext_lazy("Note with the decision")),
            ),
            rows=membership_rows,
            purpose=gettext_lazy(
                "To know who belongs to a house and what they may do there: only verified residents book the "
                "living room, only the team sees people's data."
            ),
            basis="contract",
            kept=UNTIL_DELETED,
            who_sees=gettext_lazy("The coordinators and staff of the house."),
            order=20,
        ),
        PersonalData(
            key="calendar_feed",
            title=gettext_lazy("Your calendar link"),
            about=gettext_lazy(
                "Whether you made a secret address for your calendar app, and when. The address itself is "
                "not shown here: it works like a password."
            ),
            columns=(
                ("what", gettext_lazy("What")),
                ("made", gettext_lazy("Made on")),
            ),
            rows=calendar_feed_rows,
            purpose=gettext_lazy(
                "So the calendar on your phone or computer shows your bookings, activities and duties."
            ),
            basis="contract",
            kept=gettext_lazy("Until you make a new address or delete your account."),
            who_sees=gettext_lazy(
                "Only you, and anyone you give the address to. Make a new one if you shared it by mistake."
            ),
            order=70,
        ),
        PersonalData(
            key="sessions",
            title=gettext_lazy("Where you are logged in"),
            about=gettext_lazy(
                "The computers and phones you logged in on: when, the internet address (IP) and the browser."
            ),
            columns=(
                ("logged_in", gettext_lazy("Logged in")),
                ("last_seen", gettext_lazy("Last seen")),
                ("ip", gettext_lazy("IP address")),
                ("browser", gettext_lazy("Browser")),
            ),
            rows=session_rows,
            purpose=gettext_lazy(
                "To keep you logged in, and so you can see where your account is used and log out there."
            ),
            basis="legitimate_interest",
            retention=("sessions", "user_sessions"),
            who_sees=gettext_lazy("Only you, and the technical administrators of the portal."),
            order=80,
        ),
        PersonalData(
            key="audit_trail",
            title=gettext_lazy("The audit trail about you"),
            about=gettext_lazy(
                "Entries in the log of who did what: what you did, what staff did for you, and changes to "
                "your account. Only when and what kind; never the content of a worry."
            ),
            columns=(
                ("when", gettext_lazy("When")),
                ("what", gettext_lazy("What")),
                ("house", gettext_lazy("House")),
                ("part", gettext_lazy("Your part")),
            ),
            rows=audit_rows,
            purpose=gettext_lazy(
                "To know who did what in the portal, so mistakes and misuse can be found and put right. What "
                "people typed and the content of worries are never in it."
            ),
            basis="legitimate_interest",
            kept=gettext_lazy(
                "As long as the portal is used; nobody can change it. When you delete your account, its "
                "entries point to an account without a name."
            ),
            who_sees=gettext_lazy("The staff of the house, and the administrators of the portal."),
            order=90,
        ),
    )
