"""What this app holds about a student (hours logged, duties held, the hours they owe), for
/mijn/gegevens/, the export and the privacy statement. Registered in apps.py.

Each `rows(user)` takes one query, whatever the number of records.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from duties.models import DutyAssignment, HourLog, Obligation
from residents.registry import PersonalData, register_personal_data


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def hour_rows(user) -> list[dict]:
    logs = (
        HourLog.objects.filter(student_id=user.pk)
        .order_by("period", "pk")
        .values(
            "house__name",
            "period",
            "minutes",
            "what",
            "duty__title",
            "activity__title",
            "status",
            "reviewed_at",
            "return_reason",
            "created_at",
        )
    )
    return [
        {
            "house": log["house__name"],
            "start": log["period"].lower,
            "end": log["period"].upper,
            "minutes": log["minutes"],
            "what": log["what"],
            "duty": log["duty__title"] or "",
            "activity": log["activity__title"] or "",
            "status": _label(HourLog.Status.choices, log["status"]),
            "reviewed_on": log["reviewed_at"],
            "reason": log["return_reason"],
            "logged_on": log["created_at"],
        }
        for log in logs
    ]


def duty_rows(user) -> list[dict]:
    held = (
        DutyAssignment.objects.filter(student_id=user.pk)
        .order_by("duty__first_day", "created_at", "pk")
        .values(
            "duty__title",
            "duty__house__name",
            "duty__first_day",
            "duty__weekly",
            "duty__last_day",
            "duty__start_time",
            "duty__end_time",
            "status",
            "assigned_by_id",
            "created_at",
            "returned_at",
        )
    )
    return [
        {
            "duty": d["duty__title"],
            "house": d["duty__house__name"],
            "first_day": d["duty__first_day"],
            "weekly": d["duty__weekly"],
            "last_day": d["duty__last_day"],
            "from": d["duty__start_time"],
            "until": d["duty__end_time"],
            "status": _label(DutyAssignment.Status.choices, d["status"]),
            "assigned": d["assigned_by_id"] is not None and d["assigned_by_id"] != user.pk,
            "since": d["created_at"],
            "handed_back_on": d["returned_at"],
        }
        for d in held
    ]


def obligation_rows(user) -> list[dict]:
    return [
        {
            "house": o["house__name"],
            "first_day": o["first_day"],
            "last_day": o["last_day"],
            "hours": o["hours_required"],
        }
        for o in Obligation.objects.filter(student_id=user.pk)
        .order_by("first_day", "pk")
        .values("house__name", "first_day", "last_day", "hours_required")
    ]


HOUSE = gettext_lazy("House")
STATUS = gettext_lazy("Status")
TEAM = gettext_lazy("The coordinators and staff of the house.")
UNTIL_DELETED = gettext_lazy("Until you delete your account.")


def register() -> None:
    register_personal_data(
        PersonalData(
            key="hour_logs",
            title=gettext_lazy("Your hours for the neighbourhood"),
            about=gettext_lazy("The hours you logged as a student, and whether they were approved."),
            columns=(
                ("house", HOUSE),
                ("start", gettext_lazy("From")),
                ("end", gettext_lazy("Until")),
                ("minutes", gettext_lazy("Minutes")),
                ("what", gettext_lazy("What you did")),
                ("duty", gettext_lazy("Duty")),
                ("activity", gettext_lazy("Activity")),
                ("status", STATUS),
                ("reviewed_on", gettext_lazy("Checked on")),
                ("reason", gettext_lazy("Reason given")),
                ("logged_on", gettext_lazy("Logged on")),
            ),
            rows=hour_rows,
            purpose=gettext_lazy(
                "Your rental contract as a student includes hours for the neighbourhood: the logs show that "
                "you did them, and the coordinators approve them."
            ),
            basis="contract",
            kept=UNTIL_DELETED,
            who_sees=TEAM,
            order=40,
        ),
        PersonalData(
            key="duties",
            title=gettext_lazy("Your duties"),
            about=gettext_lazy("The duties you took on or were given, and the ones you handed back."),
            columns=(
                ("duty", gettext_lazy("Duty")),
                ("house", HOUSE),
                ("first_day", gettext_lazy("Day (or first day)")),
                ("weekly", gettext_lazy("Every week")),
                ("last_day", gettext_lazy("Last day")),
                ("from", gettext_lazy("From")),
                ("until", gettext_lazy("Until")),
                ("status", STATUS),
                ("assigned", gettext_lazy("Given to you by a coordinator")),
                ("since", gettext_lazy("Since")),
                ("handed_back_on", gettext_lazy("Handed back on")),
            ),
            rows=duty_rows,
            purpose=gettext_lazy(
                "So the students share the tasks of the house, get a reminder, and the team knows who does "
                "what."
            ),
            basis="contract",
            kept=UNTIL_DELETED,
            who_sees=TEAM,
            order=41,
        ),
        PersonalData(
            key="obligations",
            title=gettext_lazy("Hours you owe"),
            about=gettext_lazy("How many hours for the neighbourhood your contract asks of you, per period."),
            columns=(
                ("house", HOUSE),
                ("first_day", gettext_lazy("From")),
                ("last_day", gettext_lazy("Until")),
                ("hours", gettext_lazy("Hours")),
            ),
            rows=obligation_rows,
            purpose=gettext_lazy("To show you and the coordinators how far you are with the hours you owe."),
            basis="contract",
            kept=UNTIL_DELETED,
            who_sees=TEAM,
            order=42,
        ),
    )
