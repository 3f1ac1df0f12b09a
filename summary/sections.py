"""The sections of the summary, in order: each with its figures, the queries it needs and its charts.

SECTIONS is the registry. A later section (worries raised and handled, buddy matches) adds itself
with `register(Section(...))`: its `families` are run once with the others (a fixed number of queries
more), and `shown` keeps it off the page until its data exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Booking, Category
from summary import selectors
from summary.figures import Figure, Reading, Unit, is_small, metric, number, ratio
from summary.models import TargetFigure
from summary.selectors import Store

ChartMaker = Callable[[Reading, list[dt.date]], list[SafeString]]


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise | str
    figures: tuple[Figure, ...]
    families: tuple[Callable, ...] = ()
    charts: ChartMaker | None = None
    shown: Callable[[Store], bool] = lambda store: True


SECTIONS: list[Section] = []


def register(section: Section, *, after: str | None = None) -> None:
    keys = [s.key for s in SECTIONS]
    if section.key in keys:
        SECTIONS[keys.index(section.key)] = section
    elif after in keys:
        SECTIONS.insert(keys.index(after) + 1, section)
    else:
        SECTIONS.append(section)


def all_figures() -> list[Figure]:
    return [f for s in SECTIONS for f in s.figures]


def figure(key: str) -> Figure:
    return next(f for f in all_figures() if f.key == key)


def families() -> list[Callable]:
    return [family for s in SECTIONS for family in s.families]


# --- charts ----------------------------------------------------------------------------------


def _months_text(months: list[dt.date]) -> dict[str, str]:
    return {"first": date_format(months[0], "F Y"), "last": date_format(months[-1], "F Y")}


def _highest(months: list[dt.date], values: list[float | None], unit: str) -> str:
    known = [(v, m) for v, m in zip(values, months, strict=True) if v is not None]
    if not known or max(v for v, _ in known) <= 0:
        return ""
    value, month = max(known, key=lambda pair: pair[0])
    return " " + _("The highest month is %(month)s with %(value)s %(unit)s.") % {
        "month": date_format(month, "F Y"),
        "value": number(value, 0 if float(value).is_integer() else 1),
        "unit": unit,
    }


def _line(reading: Reading, months, *, title, unit, series: list[tuple], people=False) -> SafeString:
    """A line chart of monthly metrics; `series` holds (label, metric) or (label, metric, factor)."""
    from summary import charts

    data = []
    for label, name, *factor in series:
        values = [round(reading.store.month(name, m) * (factor[0] if factor else 1), 1) for m in months]
        if people:  # a month with 1 to 4 people gets no point
            values = [None if is_small(v) else v for v in values]
        data.append((label, values))
    description = _("Per month, from %(first)s up to and including %(last)s.") % _months_text(months)
    description += _highest(months, data[0][1], unit)
    if people:
        description += " " + _("Months with fewer than 5 people have no point.")
    return charts.line_chart(title=title, description=description, months=months, series=data, unit=unit)


def _bars(reading: Reading, *, title, unit, prefix: str, choices) -> SafeString:
    from summary import charts

    labels, values = [], []
    for value, label in choices:
        labels.append(str(label))
        values.append(reading(f"{prefix}{value}"))
    description = _("How many per kind, in this period.")
    if any(values):
        top = max(range(len(values)), key=lambda i: values[i])
        description += " " + _("Most: %(label)s (%(value)s).") % {
            "label": labels[top],
            "value": number(values[top]),
        }
    return charts.bar_chart(title=title, description=description, labels=labels, values=values, unit=unit)


def room_charts(reading: Reading, months: list[dt.date]) -> list[SafeString]:
    return [
        _line(
            reading,
            months,
            title=_("Hours in the living room per month"),
            unit=_("hours"),
            series=[(_("booked"), "room_booked_hours"), (_("took place"), "room_held_hours")],
        ),
        _bars(
            reading,
            title=_("Bookings by purpose"),
            unit=_("bookings"),
            prefix="room_bookings_",
            choices=Booking.Category.choices,
        ),
    ]


def activity_charts(reading: Reading, months: list[dt.date]) -> list[SafeString]:
    return [
        _line(
            reading,
            months,
            title=_("Activities held per month"),
            unit=_("activities"),
            series=[(_("activities held"), "activities_held")],
        ),
        _bars(
            reading,
            title=_("Activities by kind"),
            unit=_("activities"),
            prefix="activities_held_",
            choices=Category.choices,
        ),
    ]


def reach_charts(reading: Reading, months: list[dt.date]) -> list[SafeString]:
    return [
        _line(
            reading,
            months,
            title=_("Residents reached per month"),
            unit=_("people"),
            series=[(_("residents reached"), "reach")],
            people=True,
        )
    ]


def student_charts(reading: Reading, months: list[dt.date]) -> list[SafeString]:
    return [
        _line(
            reading,
            months,
            title=_("Student hours per month"),
            unit=_("hours"),
            series=[
                (_("approved"), "student_minutes", 1 / 60),
                (_("due under the obligation"), "student_hours_due"),
            ],
        )
    ]


# --- the figures -------------------------------------------------------------------------------


def _visits(r: Reading) -> float:
    return r("came") + r("walk_ins")


def _average(r: Reading) -> float | None:
    return ratio(_visits(r), r("activities_recorded"), 1)


def _room_share(r: Reading) -> float | None:
    return ratio(r("room_booked_hours") - r("room_no_show_hours"), r("room_bookable_hours"))


def _student_share(r: Reading) -> float | None:
    return ratio(r("student_hours"), r("student_hours_due"))


def _turnout(r: Reading) -> float | None:
    return ratio(r("voters"), r("poll_seats"))


def _households(r: Reading) -> float | None:
    return ratio(r("reach_with_households"), r("households"))


ROOM = Section(
    key="room",
    title=gettext_lazy("The living room"),
    families=(selectors.room_use, selectors.bookable_hours),
    charts=room_charts,
    figures=(
        Figure(
            "room_booked_hours",
            gettext_lazy("Hours booked"),
            gettext_lazy("All hours of confirmed bookings of the rooms in this period, activities included."),
            metric("room_booked_hours"),
            Unit.HOURS,
        ),
        Figure(
            "room_held_hours",
            gettext_lazy("Hours that took place"),
            gettext_lazy("Hours of bookings the house marked as “it took place”."),
            metric("room_held_hours"),
            Unit.HOURS,
        ),
        Figure(
            "room_no_show_hours",
            gettext_lazy("Hours nobody came"),
            gettext_lazy("Hours of bookings the house marked as “nobody came” (no-show)."),
            metric("room_no_show_hours"),
            Unit.HOURS,
        ),
        Figure(
            "room_share",
            gettext_lazy("Share of bookable hours in use"),
            gettext_lazy(
                "Hours booked (without no-shows) divided by the hours the rooms can be booked, "
                "closed days left out."
            ),
            _room_share,
            Unit.PERCENT,
        ),
        Figure(
            "room_bookings",
            gettext_lazy("Bookings"),
            gettext_lazy("Confirmed bookings that start in this period."),
            metric("room_bookings"),
        ),
        *(
            Figure(
                f"room_bookings_{value}",
                format_lazy("{}: {}", gettext_lazy("Bookings"), label),
                gettext_lazy("Confirmed bookings with this purpose that start in this period."),
                metric(f"room_bookings_{value}"),
                listed=False,
            )
            for value, label in Booking.Category.choices
        ),
    ),
)

ACTIVITIES = Section(
    key="activities",
    title=gettext_lazy("Activities"),
    families=(selectors.activities_held,),
    charts=activity_charts,
    figures=(
        Figure(
            "activities_held",
            gettext_lazy("Activities held"),
            gettext_lazy("Activities on the programme that were not cancelled and ended in this period."),
            metric("activities_held"),
        ),
        *(
            Figure(
                f"activities_held_{value}",
                format_lazy("{}: {}", gettext_lazy("Activities held"), label),
                gettext_lazy("Activities of this kind held in this period."),
                metric(f"activities_held_{value}"),
                listed=False,
            )
            for value, label in Category.choices
        ),
    ),
)

ATTENDANCE = Section(
    key="attendance",
    title=gettext_lazy("Visitors"),
    families=(selectors.activities_held,),
    figures=(
        Figure(
            "signed_up",
            gettext_lazy("Sign-ups"),
            gettext_lazy("Sign-ups for the activities held, without cancelled ones and the waiting list."),
            metric("signed_up"),
            people=True,
        ),
        Figure(
            "came",
            gettext_lazy("Came after signing up"),
            gettext_lazy("Sign-ups of people the organisers marked as present."),
            metric("came"),
            people=True,
        ),
        Figure(
            "walk_ins",
            gettext_lazy("Walk-ins"),
            gettext_lazy("People who came without signing up, as the organisers counted them."),
            metric("walk_ins"),
            people=True,
        ),
        Figure(
            "visits",
            gettext_lazy("Visits"),
            gettext_lazy(
                "People who came after signing up plus walk-ins. "
                "Someone who comes three times counts three times."
            ),
            _visits,
            people=True,
            sum_of=("came", "walk_ins"),
        ),
        Figure(
            "average_visits",
            gettext_lazy("Visitors per activity"),
            gettext_lazy("Visits divided by the activities whose attendance was recorded."),
            _average,
            Unit.AVERAGE,
            from_people=("visits",),
        ),
    ),
)

REACH = Section(
    key="reach",
    title=gettext_lazy("Reach"),
    families=(selectors.reach, selectors.members, selectors.households),
    charts=reach_charts,
    figures=(
        Figure(
            "reach",
            gettext_lazy("Residents reached"),
            gettext_lazy(
                "Different people who booked the room, signed up for or came to an activity, or proposed or "
                "supported an idea. Everyone counts once. Coordinators and staff do not count."
            ),
            metric("reach"),
            people=True,
        ),
        Figure(
            "households_share",
            gettext_lazy("Households in the area reached"),
            gettext_lazy(
                "Residents reached divided by the households in the area, as staff entered them. "
                "Two people of one household count twice."
            ),
            _households,
            Unit.PERCENT,
            from_people=("reach",),
        ),
        Figure(
            "new_members",
            gettext_lazy("New members"),
            gettext_lazy("Residents whose membership of the house was verified in this period."),
            metric("new_members"),
            people=True,
        ),
    ),
)

STUDENTS = Section(
    key="students",
    title=gettext_lazy("Students"),
    families=(selectors.student_hours,),
    charts=student_charts,
    figures=(
        Figure(
            "student_hours",
            gettext_lazy("Approved student hours"),
            gettext_lazy(
                "Hours students did for the neighbourhood and a coordinator approved, "
                "by the day they were done."
            ),
            lambda r: r("student_minutes") / 60,
            Unit.HOURS,
        ),
        Figure(
            "student_hours_due",
            gettext_lazy("Hours due under the obligation"),
            gettext_lazy(
                "The hours students owe the neighbourhood, for the part of their obligation in this period."
            ),
            metric("student_hours_due"),
            Unit.HOURS,
        ),
        Figure(
            "student_share",
            gettext_lazy("Share of the obligation done"),
            gettext_lazy("Approved hours divided by the hours due."),
            lambda r: ratio(r("student_minutes") / 60, r("student_hours_due")),
            Unit.PERCENT,
        ),
    ),
)

IDEAS = Section(
    key="ideas",
    title=gettext_lazy("Ideas and polls"),
    families=(selectors.ideas_and_polls, selectors.members, selectors.poll_seats),
    figures=(
        Figure(
            "ideas_proposed",
            gettext_lazy("Ideas proposed"),
            gettext_lazy("Ideas residents proposed in this period."),
            metric("ideas_proposed"),
        ),
        Figure(
            "ideas_planned",
            gettext_lazy("Of these: planned"),
            gettext_lazy("Ideas proposed in this period that are now planned."),
            metric("ideas_planned"),
        ),
        Figure(
            "ideas_done",
            gettext_lazy("Of these: done"),
            gettext_lazy("Ideas proposed in this period that are now done."),
            metric("ideas_done"),
        ),
        Figure(
            "polls", gettext_lazy("Polls"), gettext_lazy("Polls that closed in this period."), metric("polls")
        ),
        Figure(
            "voters",
            gettext_lazy("Votes"),
            gettext_lazy("Members who voted in those polls. Someone who voted in two polls counts twice."),
            metric("voters"),
            people=True,
        ),
        Figure(
            "turnout",
            gettext_lazy("Turnout"),
            gettext_lazy(
                "Votes divided by the members of the house (residents and students, now), per poll."
            ),
            _turnout,
            Unit.PERCENT,
            from_people=("voters",),
        ),
    ),
)

NEWS = Section(
    key="news",
    title=gettext_lazy("News"),
    families=(selectors.news,),
    figures=(
        Figure(
            "news_posts",
            gettext_lazy("News posts"),
            gettext_lazy("Posts for this house published in this period (not the posts for all houses)."),
            metric("news_posts"),
        ),
        Figure(
            "koffiekrant_issues",
            gettext_lazy("Koffiekranten"),
            gettext_lazy("Published koffiekranten of the weeks that start in this period."),
            metric("koffiekrant_issues"),
        ),
    ),
)

for _section in (ROOM, ACTIVITIES, ATTENDANCE, REACH, STUDENTS, IDEAS, NEWS):
    register(_section)

# The figures the page opens with, and the columns of the table of houses.
KEY_FIGURES = ("activities_held", "visits", "reach", "room_held_hours", "student_hours", "new_members")
HOUSE_COLUMNS = (
    "activities_held",
    "visits",
    "reach",
    "households_share",
    "room_held_hours",
    "room_share",
    "student_hours",
    "new_members",
    "ideas_proposed",
    "news_posts",
)
# Which figure each target of the pilot is measured by.
TARGETS = {
    TargetFigure.ACTIVITIES_HELD: "activities_held",
    TargetFigure.VISITS: "visits",
    TargetFigure.REACH: "reach",
    TargetFigure.NEW_MEMBERS: "new_members",
    TargetFigure.ROOM_HOURS: "room_held_hours",
    TargetFigure.STUDENT_HOURS: "student_hours",
    TargetFigure.IDEAS_DONE: "ideas_done",
    TargetFigure.NEWS_POSTS: "news_posts",
}

# Worries and buddies (the care app) add their sections; imported last, as they use the above.
from summary import care_figures  # noqa: E402, F401
