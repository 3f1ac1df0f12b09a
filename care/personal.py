"""What this app holds about a person (worries they raised, their buddy requests and offers, matches,
answers to "Hoe gaat het?"), for /mijn/gegevens/, the export and the privacy statement.
Registered in apps.py.

A worry shows its status only, as on /mijn/ (care.worries.my_worries): never the team's notes or who
handles it. Of a match the other side's first name shows only once both said yes, as on /maatjes/.
Each `rows(user)` takes one query, whatever the number of records.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from care.models import Buddy, BuddyKind, Match, MatchCheckin, Worry
from residents.registry import PersonalData, register_personal_data


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def worry_rows(user) -> list[dict]:
    worries = (
        Worry.objects.filter(raised_by_id=user.pk)
        .order_by("created_at", "pk")
        .values("pk", "created_at", "house__name", "category", "status", "closed_at")
    )
    return [
        {
            # The reference as the team says it on the phone (Worry.reference).
            "reference": f"M-{w['created_at']:%Y}-{w['pk']:04d}",
            "house": w["house__name"],
            "about": _label(Worry.Category.choices, w["category"]),
            "raised_on": w["created_at"],
            "status": _label(Worry.Status.choices, w["status"]),
            "closed_on": w["closed_at"],
        }
        for w in worries
    ]


def buddy_rows(user) -> list[dict]:
    # Not the team's own note about the intake (team_note): that is the team's, like a worry's notes.
    buddies = (
        Buddy.objects.filter(person_id=user.pk)
        .order_by("created_at", "pk")
        .values(
            "house__name",
            "side",
            "kinds",
            "languages",
            "available",
            "about",
            "contact_by",
            "phone",
            "status",
            "created_at",
            "intake_at",
            "vog_seen_at",
            "closed_at",
        )
    )
    return [
        {
            "house": b["house__name"],
            "side": _("you ask for a buddy") if b["side"] == Buddy.Side.ASK else _("you offer to be a buddy"),
            "kinds": [_label(BuddyKind.choices, kind) for kind in b["kinds"]],
            "languages": b["languages"],
            "available": b["available"],
            "about": b["about"],
            "buddy_sees": _label(Buddy.ContactBy.choices, b["contact_by"]),
            "phone": b["phone"],
            "status": _label(Buddy.Status.choices, b["status"]),
            "made_on": b["created_at"],
            "intake_on": b["intake_at"],
            "vog_seen_on": b["vog_seen_at"],
            "stopped_on": b["closed_at"],
        }
        for b in buddies
    ]


def _first_name(name: str) -> str:
    words = (name or "").split()
    return words[0] if words else ""


def match_rows(user) -> list[dict]:
    matches = (
        Match.objects.filter(Q(ask__person_id=user.pk) | Q(offer__person_id=user.pk))
        .order_by("proposed_at", "pk")
        .values(
            "ask__house__name",
            "ask__person_id",
            "ask__person__name",
            "offer__person__name",
            "proposed_at",
            "note",
            "ask_answer",
            "offer_answer",
            "status",
            "started_at",
            "ended_at",
        )
    )
    rows = []
    for m in matches:
        asked = m["ask__person_id"] == user.pk
        other = m["offer__person__name"] if asked else m["ask__person__name"]
        rows.append(
            {
                "house": m["ask__house__name"],
                "side": _("you asked for a buddy") if asked else _("you offered to be a buddy"),
                "proposed_on": m["proposed_at"],
                "why": m["note"],
                "your_answer": _label(Match.Answer.choices, m["ask_answer"] if asked else m["offer_answer"]),
                "status": _label(Match.Status.choices, m["status"]),
                "started_on": m["started_at"],
                "ended_on": m["ended_at"],
                # Names only once both said yes and while it goes, as the match page shows them.
                "buddy": _first_name(other) if m["status"] == Match.Status.ACTIVE else "",
            }
        )
    return rows


def checkin_rows(user) -> list[dict]:
    return [
        {
            "when": c["created_at"],
            "feeling": _label(MatchCheckin.Feeling.choices, c["feeling"]),
            "text": c["text"],
        }
        for c in MatchCheckin.objects.filter(person_id=user.pk)
        .order_by("created_at", "pk")
        .values("created_at", "feeling", "text")
    ]


HOUSE = gettext_lazy("House")
STATUS = gettext_lazy("Status")
TEAM_ONLY = gettext_lazy(
    "Only the coordinators and staff of the house: not other residents, students or the aldermen, who see "
    "numbers only."
)


def register() -> None:
    register_personal_data(
        PersonalData(
            key="worries",
            title=gettext_lazy("Worries you raised"),
            about=gettext_lazy(
                "The worries you raised with your account, and how far the team is. Only the status: what "
                "the team writes down stays with them."
            ),
            columns=(
                ("reference", gettext_lazy("Reference")),
                ("house", HOUSE),
                ("about", gettext_lazy("What it is about")),
                ("raised_on", gettext_lazy("Raised on")),
                ("status", STATUS),
                ("closed_on", gettext_lazy("Closed on")),
            ),
            rows=worry_rows,
            purpose=gettext_lazy(
                "So the team of the house can help with what worries you, or refer you to a partner if you "
                "agree, and contact you the way you chose. A worry about money or debts is never passed to "
                "the housing corporation's process for rent arrears."
            ),
            basis="consent",
            retention=("worries",),
            who_sees=TEAM_ONLY,
            order=60,
        ),
        PersonalData(
            key="buddies",
            title=gettext_lazy("Your buddy requests and offers"),
            about=gettext_lazy("When you asked for a buddy or offered to be one, and what you told us."),
            columns=(
                ("house", HOUSE),
                ("side", gettext_lazy("Ask or offer")),
                ("kinds", gettext_lazy("What kind")),
                ("languages", gettext_lazy("Languages you speak")),
                ("available", gettext_lazy("When you are available")),
                ("about", gettext_lazy("About yourself")),
                ("buddy_sees", gettext_lazy("What your buddy may see")),
                ("phone", gettext_lazy("Phone number")),
                ("status", STATUS),
                ("made_on", gettext_lazy("Made on")),
                ("intake_on", gettext_lazy("Intake on")),
                ("vog_seen_on", gettext_lazy("Certificate of conduct (VOG) seen on")),
                ("stopped_on", gettext_lazy("Stopped on")),
            ),
            rows=buddy_rows,
            purpose=gettext_lazy(
                "To find a buddy for you, or someone you can be a buddy for, and to check that it goes well."
            ),
            basis="consent",
            kept=gettext_lazy("Until you delete your account."),
            who_sees=gettext_lazy(
                "The coordinators and staff of the house. Your buddy sees your first name and the contact "
                "you chose, once you both said yes."
            ),
            order=61,
        ),
        PersonalData(
            key="buddy_matches",
            title=gettext_lazy("Your buddy matches"),
            about=gettext_lazy("The buddies the team proposed to you, your answer, and how long it went on."),
            columns=(
                ("house", HOUSE),
                ("side", gettext_lazy("You")),
                ("proposed_on", gettext_lazy("Proposed on")),
                ("why", gettext_lazy("Why these two")),
                ("your_answer", gettext_lazy("Your answer")),
                ("status", STATUS),
                ("started_on", gettext_lazy("Started on")),
                ("ended_on", gettext_lazy("Ended on")),
                ("buddy", gettext_lazy("Your buddy")),
            ),
            rows=match_rows,
            purpose=gettext_lazy(
                "To bring two neighbours together when both say yes, and to follow how it goes."
            ),
            basis="consent",
            kept=gettext_lazy("Until you delete your account."),
            who_sees=gettext_lazy("The coordinators and staff of the house, and your buddy."),
            order=62,
        ),
        PersonalData(
            key="buddy_checkins",
            title=gettext_lazy("How it goes with your buddy"),
            about=gettext_lazy("Your answers when we asked how it goes with your buddy."),
            columns=(
                ("when", gettext_lazy("When")),
                ("feeling", gettext_lazy("How it is going")),
                ("text", gettext_lazy("What you told the coordinator")),
            ),
            rows=checkin_rows,
            purpose=gettext_lazy("So the coordinator can help when a match does not go well."),
            basis="consent",
            kept=gettext_lazy("Until you delete your account."),
            who_sees=gettext_lazy("The coordinators and staff of the house; not your buddy."),
            order=63,
        ),
    )
