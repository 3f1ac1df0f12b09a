"""A summary as people read it: cells for every figure, targets, the table of houses, stories.

Built once per request from the counted Store (summary.selectors) and used by the page, the print
view, the CSV and the PDF, so they always show the same numbers under the same privacy rules.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Window
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from summary import sections
from summary.figures import (
    NO_FIGURE,
    Cell,
    Figure,
    Reading,
    cell,
    change,
    format_value,
    hide_parts,
    total_cell,
)
from summary.models import Story, Target, TargetFigure
from summary.periods import Period, house_pilot, pilot_period
from summary.selectors import CUR, PILOT, PREV, Scope, Store, any_of, collect


@dataclass
class Row:
    figure: Figure
    now: Cell
    before: Cell
    change: str


@dataclass
class SectionView:
    section: sections.Section
    rows: list[Row]
    charts: list[SafeString]


ON_TRACK, BEHIND, REACHED, MISSED, NOT_STARTED = "on_track", "behind", "reached", "missed", "not_started"


@dataclass
class TargetRow:
    figure: Figure
    label: str
    actual: Cell
    target: int
    expected: float
    status: str

    @property
    def status_text(self) -> str:
        return {
            ON_TRACK: _("on track"),
            BEHIND: _("behind schedule"),
            REACHED: _("reached"),
            MISSED: _("not reached"),
            NOT_STARTED: _("not started yet"),
        }[self.status]

    @property
    def good(self) -> bool:
        return self.status in (ON_TRACK, REACHED)

    @property
    def share(self) -> float | None:
        """How far along the target is (0-100+); None when the actual may not be shown exactly."""
        return self.actual.value / self.target * 100 if self.actual.comparable and self.target else None

    @property
    def share_text(self) -> str:
        return format_value(sections.Unit.PERCENT, self.share) if self.share is not None else ""

    @property
    def expected_text(self) -> str:
        return format_value(self.figure.unit, self.expected)

    @property
    def target_text(self) -> str:
        return format_value(self.figure.unit, self.target)


@dataclass
class HouseRow:
    house: object
    cells: list[Cell]


# The table of houses: the address's `sorteer=` value for each column, and its short heading.
STORIES_SHOWN = 12  # on the page; the print view and PDF show fewer of these

SORT_KEYS = {
    "huis": None,
    "activiteiten": "activities_held",
    "bezoeken": "visits",
    "bereik": "reach",
    "huishoudens": "households_share",
    "huiskamer": "room_held_hours",
    "bezetting": "room_share",
    "studenturen": "student_hours",
    "nieuwe-leden": "new_members",
    "ideeen": "ideas_proposed",
    "nieuws": "news_posts",
}
SHORT_LABELS = {
    "activities_held": gettext_lazy("Activities"),
    "visits": gettext_lazy("Visits"),
    "reach": gettext_lazy("Residents reached"),
    "households_share": gettext_lazy("Households reached"),
    "room_held_hours": gettext_lazy("Living room hours"),
    "room_share": gettext_lazy("Room in use"),
    "student_hours": gettext_lazy("Student hours"),
    "new_members": gettext_lazy("New members"),
    "ideas_proposed": gettext_lazy("Ideas"),
    "news_posts": gettext_lazy("News posts"),
}


@dataclass
class Report:
    houses: list
    period: Period
    previous: Period
    pilot: Period
    store: Store
    now: dt.datetime
    key_rows: list[Row] = field(default_factory=list)
    sections: list[SectionView] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    house_rows: list[HouseRow] = field(default_factory=list)
    columns: list[Figure] = field(default_factory=list)
    stories: list = field(default_factory=list)  # the latest STORIES_SHOWN
    story_count: int = 0  # all of the period
    per_house: dict[int, dict[str, dict[str, Cell]]] = field(default_factory=dict)
    totals: dict[str, dict[str, Cell]] = field(default_factory=dict)
    house_targets: dict[tuple[int, str], int] = field(default_factory=dict)

    @property
    def single(self) -> bool:
        return len(self.houses) == 1

    @property
    def house_ids(self) -> tuple[int, ...]:
        return tuple(h.pk for h in self.houses)

    @property
    def unfinished(self) -> bool:
        """The period runs past today: its figures are not complete yet."""
        return self.period.last_day >= timezone.localtime(self.now).date()

    @property
    def previous_before_pilot(self) -> bool:
        """The period before ends before any house's pilot began: comparing tells nothing yet."""
        starts = [h.pilot_start for h in self.houses if h.pilot_start]
        return bool(starts) and self.previous.last_day < min(starts)

    @property
    def pilot_dates_missing(self) -> list:
        return [h for h in self.houses if not (h.pilot_start and h.pilot_end)]


def _cells(store: Store, house_ids: tuple[int, ...], window: str, figures, parts=None) -> dict:
    """Cells of `figures` (a list, or a Plan of one) for one house, or for several (then `parts`
    holds each house's cells)."""
    reading = Reading(store, house_ids, window)
    out: dict[str, Cell] = {}
    order, sums = figures if isinstance(figures, Plan) else Plan.of(figures)
    for figure in order:
        value = figure.value(reading)
        hidden_sources = False
        for key in figure.from_people:
            source = out.get(key)
            if source is not None and (source.hidden or source.partial):
                hidden_sources = True
                break
        if parts is None:
            out[figure.key] = cell(figure, value, hidden_sources=hidden_sources)
        else:
            out[figure.key] = total_cell(
                figure,
                value,
                [p[figure.key] for p in parts if figure.key in p],
                hidden_sources=hidden_sources,
            )
    for figure in sums:
        if figure.key in out:
            hide_parts(figure, out)
    return out


class Plan(NamedTuple):
    """Figures in the order _cells works them out (counts of people first: figures worked out from
    them look at their cells), and those that are a sum of others. Made once per list of figures,
    not for each of 200 houses x 3 windows."""

    order: tuple[Figure, ...]
    sums: tuple[Figure, ...]

    @classmethod
    def of(cls, figures: list[Figure]) -> Plan:
        order = tuple(sorted(figures, key=lambda f: bool(f.from_people)))
        return cls(order, tuple(f for f in figures if f.sum_of))


def _needed(figures: list[Figure]) -> list[Figure]:
    """The figures plus those they are worked out from (their cells decide what may be shown)."""
    keys = {f.key for f in figures} | {k for f in figures for k in f.from_people}
    return [f for f in sections.all_figures() if f.key in keys]


def build(
    *, houses: list, period: Period | None = None, now: dt.datetime | None = None, every_house: bool = False
) -> Report:
    """Count and present the summary of `houses` over `period` (default: their pilot).

    `every_house`: also every figure per house (the table of houses shows a few; the CSV all).
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    pilot = pilot_period(houses, today)
    period = period or pilot
    scope = Scope(houses=list(houses), period=period, now=now)
    shown_sections = list(sections.SECTIONS)
    store = collect(scope, [family for s in shown_sections for family in s.families])
    shown_sections = [s for s in shown_sections if s.shown(store)]
    report = Report(
        houses=list(houses), period=period, previous=scope.previous, pilot=pilot, store=store, now=now
    )
    figures = [f for s in shown_sections for f in s.figures]
    report.house_targets = {
        (house_id, figure): value
        for house_id, figure, value in Target.objects.filter(house__in=any_of(report.house_ids)).values_list(
            "house_id", "figure", "value"
        )
    }
    target_figures = [sections.figure(key) for key in sections.TARGETS.values()]

    if report.single:
        (house_id,) = report.house_ids
        for window, wanted in ((CUR, figures), (PREV, figures), (PILOT, _needed(target_figures))):
            report.totals[window] = _cells(store, (house_id,), window, wanted)
        report.per_house[house_id] = report.totals
    else:
        per_house_figures = (
            figures
            if every_house
            else _needed(
                [sections.figure(k) for k in sections.HOUSE_COLUMNS]
                + [f for f in figures if f.people or f.from_people]
            )
        )
        # The period before shows no table of houses: only the parts the totals' privacy rule reads.
        before_figures = (
            per_house_figures if every_house else _needed([f for f in figures if f.people or f.from_people])
        )
        per_house_plan, before_plan = Plan.of(per_house_figures), Plan.of(before_figures)
        pilot_plan = Plan.of(_needed(target_figures))
        for house in houses:
            report.per_house[house.pk] = {
                CUR: _cells(store, (house.pk,), CUR, per_house_plan),
                PREV: _cells(store, (house.pk,), PREV, before_plan),
                PILOT: _cells(store, (house.pk,), PILOT, pilot_plan),
            }
        for window in (CUR, PREV):
            parts = [report.per_house[h][window] for h in report.house_ids]
            report.totals[window] = _cells(store, report.house_ids, window, figures, parts)

    def row(figure: Figure) -> Row:
        now_cell, before = report.totals[CUR][figure.key], report.totals[PREV][figure.key]
        if report.previous_before_pilot:  # zeros from before the pilot compare nothing: no figure
            before = Cell(None, NO_FIGURE)
        return Row(figure, now_cell, before, change(figure, now_cell, before))

    listed = {f.key for f in figures}
    report.key_rows = [row(sections.figure(k)) for k in sections.KEY_FIGURES if k in listed]
    months = [m for m in period.months() if m <= today]  # no empty months still to come
    everyone = Reading(store, report.house_ids)
    report.sections = [
        SectionView(
            s,
            [row(f) for f in s.figures if f.listed],
            s.charts(everyone, months) if s.charts else [],
        )
        for s in shown_sections
    ]
    report.targets = _targets(report, today)
    if not report.single:
        report.columns = [sections.figure(k) for k in sections.HOUSE_COLUMNS]
        report.house_rows = [
            HouseRow(h, [report.per_house[h.pk][CUR][f.key] for f in report.columns]) for h in houses
        ]
    # The page shows the latest 12 (print 2, PDF 3) and how many more there are: only those are loaded
    # with their quotes, and the count comes with them (200 houses have hundreds of stories).
    stories = (
        Story.objects.filter(
            house__in=any_of(report.house_ids), first_day__lte=period.last_day, last_day__gte=period.first_day
        )
        .select_related("house")
        .prefetch_related("quotes")
        .annotate(total=Window(Count("pk")))
        .order_by("-first_day", "house__name", "pk")
    )
    report.stories = list(stories[:STORIES_SHOWN])
    report.story_count = report.stories[0].total if report.stories else 0
    return report


def _targets(report: Report, today: dt.date) -> list[TargetRow]:
    """Actual in the pilot against the target, per figure with a target (several houses: added up)."""
    rows = []
    pilots = {house.pk: house_pilot(house, today) for house in report.houses}  # once, not per figure
    for target_figure in TargetFigure:
        key = sections.TARGETS[target_figure]
        figure = sections.figure(key)
        with_target = [h for h in report.houses if (h.pk, target_figure.value) in report.house_targets]
        if not with_target:
            continue
        target = expected = actual = 0.0
        started = ended = 0
        for house in with_target:
            first, last = pilots[house.pk]
            length = (last - first).days + 1
            elapsed = min(max((today - first).days + 1, 0), length) / length
            value = report.house_targets[(house.pk, target_figure.value)]
            target += value
            expected += value * elapsed
            actual += report.per_house[house.pk][PILOT][key].value or 0
            started += today >= first
            ended += today > last
        if len(report.houses) == 1:
            actual_cell = report.per_house[with_target[0].pk][PILOT][key]
        else:
            parts = [report.per_house[h.pk][PILOT][key] for h in with_target]
            actual_cell = total_cell(figure, actual, parts)
        if not started:
            status = NOT_STARTED
        elif ended == len(with_target):
            status = REACHED if actual >= target else MISSED
        else:
            status = ON_TRACK if actual >= expected else BEHIND
        rows.append(TargetRow(figure, target_figure.label, actual_cell, int(target), expected, status))
    return rows


def name_key(name: str) -> list:
    """Sort names as people read them: "Huis 2" before "Huis 10"."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", str(name).casefold())
    ]


def sort_rows(rows: list[HouseRow], columns: list[Figure], key: str, descending: bool) -> list[HouseRow]:
    """The table of houses sorted by a column (by name within equal values)."""
    rows = sorted(rows, key=lambda r: name_key(r.house.name))
    figure_key = SORT_KEYS.get(key)
    if figure_key is None:
        return list(reversed(rows)) if descending else rows
    index = [f.key for f in columns].index(figure_key)
    return sorted(rows, key=lambda r: r.cells[index].sort_key, reverse=descending)
