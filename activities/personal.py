"""What this app holds about a person (bookings, sign-ups, activities they organise, ideas, supports,
poll answers), for /mijn/gegevens/, the export and the privacy statement. Registered in apps.py.

Each `rows(user)` takes one query, whatever the number of records.
"""

from __future__ import annotations

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q
from django.utils.translation import gettext_lazy

from activities.models import Activity, Booking, Idea, IdeaSupport, PollBallot, Signup
from residents.registry import PersonalData, register_personal_data


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def booking_rows(user) -> list[dict]:
    bookings = (
        Booking.objects.filter(booker_id=user.pk)
        .order_by("period", "pk")
        .values(
            "room__house__name",
            "room__name",
            "period",
            "title",
            "category",
            "attendees",
            "is_public",
            "status",
            "decision_reason",
            "cancel_reason",
            "took_place",
            "created_at",
            "created_by_id",
        )
    )
    return [
        {
            "house": b["room__house__name"],
            "room": b["room__name"],
            "start": b["period"].lower,
            "end": b["period"].upper,
            "title": b["title"],
            "what_for": _label(Booking.Category.choices, b["category"]),
            "people": b["attendees"],
            "title_public": b["is_public"],
            "status": _label(Booking.Status.choices, b["status"]),
            "reason": b["cancel_reason"] or b["decision_reason"],
            "took_place": b["took_place"],
            "booked_on": b["created_at"],
            "booked_by_staff": b["created_by_id"] is not None and b["created_by_id"] != user.pk,
        }
        for b in bookings
    ]


def signup_rows(user) -> list[dict]:
    signups = (
        Signup.objects.filter(person_id=user.pk)
        .order_by("activity__period", "pk")
        .values(
            "activity__title",
            "activity__house__name",
            "activity__period",
            "status",
            "attended",
            "created_at",
            "cancelled_at",
            "entered_by_id",
        )
    )
    return [
        {
            "activity": s["activity__title"],
            "house": s["activity__house__name"],
            "start": s["activity__period"].lower,
            "status": _label(Signup.Status.choices, s["status"]),
            "came": s["attended"],
            "signed_up_on": s["created_at"],
            "cancelled_on": s["cancelled_at"],
            "entered_by_staff": s["entered_by_id"] is not None and s["entered_by_id"] != user.pk,
        }
        for s in signups
    ]


def organised_rows(user) -> list[dict]:
    activities = (
        Activity.objects.filter(organisers__id=user.pk)
        .order_by("period", "pk")
        .values("title", "house__name", "period", "status")
    )
    return [
        {
            "activity": a["title"],
            "house": a["house__name"],
            "start": a["period"].lower,
            "status": _label(Activity.Status.choices, a["status"]),
        }
        for a in activities
    ]


def idea_rows(user) -> list[dict]:
    ideas = (
        Idea.objects.filter(proposer_id=user.pk)
        .order_by("created_at", "pk")
        .values(
            "title",
            "description",
            "helpers",
            "house__name",
            "status",
            "status_reason",
            "activity__title",
            "created_at",
            "entered_by_id",
        )
    )
    return [
        {
            "idea": i["title"],
            "description": i["description"],
            "helpers": i["helpers"],
            "house": i["house__name"],
            "status": _label(Idea.Status.choices, i["status"]),
            "reason": i["status_reason"],
            "activity": i["activity__title"] or "",
            "proposed_on": i["created_at"],
            "entered_by_staff": i["entered_by_id"] is not None and i["entered_by_id"] != user.pk,
        }
        for i in ideas
    ]


def support_rows(user) -> list[dict]:
    supports = (
        IdeaSupport.objects.filter(person_id=user.pk)
        .order_by("created_at", "pk")
        .values("idea__title", "idea__house__name", "created_at", "entered_by_id")
    )
    return [
        {
            "idea": s["idea__title"],
            "house": s["idea__house__name"],
            "supported_on": s["created_at"],
            "entered_by_staff": s["entered_by_id"] is not None and s["entered_by_id"] != user.pk,
        }
        for s in supports
    ]


def ballot_rows(user) -> list[dict]:
    ballots = (
        PollBallot.objects.filter(person_id=user.pk)
        .order_by("created_at", "pk")
        .values("pk", "poll__question", "poll__house__name", "created_at", "entered_by_id")
        .annotate(
            answers=ArrayAgg(
                "options__text",
                filter=Q(options__isnull=False),
                order_by=("options__position", "options__pk"),
                default=[],
            )
        )
    )
    return [
        {
            "question": b["poll__question"],
            "house": b["poll__house__name"],
            "answers": list(b["answers"]),
            "voted_on": b["created_at"],
            "entered_by_staff": b["entered_by_id"] is not None and b["entered_by_id"] != user.pk,
        }
        for b in ballots
    ]


HOUSE = gettext_lazy("House")
STATUS = gettext_lazy("Status")
BY_STAFF = gettext_lazy("Entered for you by staff")
UNTIL_DELETED = gettext_lazy("Until you delete your account.")


def register() -> None:
    register_personal_data(
        PersonalData(
            key="bookings",
            title=gettext_lazy("Your bookings of the living room"),
            about=gettext_lazy("Every time you booked a room, what for, and what became of it."),
            columns=(
                ("house", HOUSE),
                ("room", gettext_lazy("Room")),
                ("start", gettext_lazy("From")),
                ("end", gettext_lazy("Until")),
                ("title", gettext_lazy("Title")),
                ("what_for", gettext_lazy("What for")),
                ("people", gettext_lazy("Expected people")),
                ("title_public", gettext_lazy("Title shown to everyone")),
                ("status", STATUS),
                ("reason", gettext_lazy("Reason given")),
                ("took_place", gettext_lazy("It took place")),
                ("booked_on", gettext_lazy("Booked on")),
                ("booked_by_staff", gettext_lazy("Booked for you by staff")),
            ),
            rows=booking_rows,
            purpose=gettext_lazy(
                "To give you the room at the time you booked it without clashes, to let the team approve or "
                "decline it, and to count how the room is used for the figures of the pilot."
            ),
            basis="contract",
            retention=("bookings",),
            kept=gettext_lazy(
                "The time, room, number of people and status until you delete your account; after that "
                "without your name, for the figures of the pilot."
            ),
            who_sees=gettext_lazy(
                "The coordinators and staff of the house. Others see in the calendar only that the room is "
                "busy, or the title if you chose to show it."
            ),
            order=30,
        ),
        PersonalData(
            key="signups",
            title=gettext_lazy("Your sign-ups for activities"),
            about=gettext_lazy(
                "The activities you signed up for, also on the waiting list or cancelled, and whether you "
                "came."
            ),
            columns=(
                ("activity", gettext_lazy("Activity")),
                ("house", HOUSE),
                ("start", gettext_lazy("When")),
                ("status", STATUS),
                ("came", gettext_lazy("Came")),
                ("signed_up_on", gettext_lazy("Signed up on")),
                ("cancelled_on", gettext_lazy("Cancelled on")),
                ("entered_by_staff", BY_STAFF),
            ),
            rows=signup_rows,
            purpose=gettext_lazy(
                "To keep your place, move you up from the waiting list, send you a reminder if you want one, "
                "and count how many people take part for the figures of the pilot."
            ),
            basis="contract",
            kept=gettext_lazy(
                "Until you delete your account; after that only as a number in the figures of the pilot."
            ),
            who_sees=gettext_lazy(
                "The organisers of the activity, and the students, coordinators and staff who plan the "
                "programme."
            ),
            order=31,
        ),
        PersonalData(
            key="organised_activities",
            title=gettext_lazy("Activities you organise"),
            about=gettext_lazy("Activities on the programme with you as one of the organisers."),
            columns=(
                ("activity", gettext_lazy("Activity")),
                ("house", HOUSE),
                ("start", gettext_lazy("When")),
                ("status", STATUS),
            ),
            rows=organised_rows,
            purpose=gettext_lazy("So people know who organises an activity and whom to ask about it."),
            basis="contract",
            retention=("activities",),
            kept=UNTIL_DELETED,
            who_sees=gettext_lazy("Everyone who can see the activity in the programme (your first name)."),
            order=32,
        ),
        PersonalData(
            key="ideas",
            title=gettext_lazy("Your ideas"),
            about=gettext_lazy("Ideas you proposed for the house, and what became of them."),
            columns=(
                ("idea", gettext_lazy("Idea")),
                ("description", gettext_lazy("What you would like to do")),
                ("helpers", gettext_lazy("Who could help")),
                ("house", HOUSE),
                ("status", STATUS),
                ("reason", gettext_lazy("Reason given")),
                ("activity", gettext_lazy("Became the activity")),
                ("proposed_on", gettext_lazy("Proposed on")),
                ("entered_by_staff", BY_STAFF),
            ),
            rows=idea_rows,
            purpose=gettext_lazy(
                "So residents choose together what happens in the house, and the team can turn ideas into "
                "activities."
            ),
            basis="contract",
            kept=UNTIL_DELETED,
            who_sees=gettext_lazy("The members of the house (with your first name)."),
            order=33,
        ),
        PersonalData(
            key="idea_supports",
            title=gettext_lazy("Ideas you support"),
            about=gettext_lazy("Other people's ideas you said you support."),
            columns=(
                ("idea", gettext_lazy("Idea")),
                ("house", HOUSE),
                ("supported_on", gettext_lazy("Supported on")),
                ("entered_by_staff", BY_STAFF),
            ),
            rows=support_rows,
            purpose=gettext_lazy("To show how many neighbours back an idea, and to count each person once."),
            basis="contract",
            kept=UNTIL_DELETED,
            who_sees=gettext_lazy(
                "The coordinators and staff of the house. Other members see only the number."
            ),
            order=34,
        ),
        PersonalData(
            key="poll_votes",
            title=gettext_lazy("Your answers to polls"),
            about=gettext_lazy("The polls of the house you answered, and what you chose."),
            columns=(
                ("question", gettext_lazy("Question")),
                ("house", HOUSE),
                ("answers", gettext_lazy("Your answer")),
                ("voted_on", gettext_lazy("Answered on")),
                ("entered_by_staff", BY_STAFF),
            ),
            rows=ballot_rows,
            purpose=gettext_lazy("To count every member's answer once and show the results."),
            basis="contract",
            kept=UNTIL_DELETED,
            who_sees=gettext_lazy("Nobody in the portal sees what you chose: the results show only totals."),
            order=35,
        ),
    )
