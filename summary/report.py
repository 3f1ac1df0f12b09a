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
    Metric,
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


class HouseRow:
    """A house in the table of houses. Its cells are worked out when first read: the page shows 50
    of 200 houses, and sorting reads one column (`cell`)."""

    __slots__ = ("_cells", "_plan", "columns", "house")

    def __init__(self, house, cells: HouseCells, columns: list[Figure], plan: Plan) -> None:
        self.house, self._cells, self.columns, self._plan = house, cells, columns, plan

    @property
    def cells(self) -> list[Cell]:
        cells = self._cells.fill(self._plan)
        return [cells[f.key] for f in self.columns]

    def cell(self, key: str) -> Cell:
        return self._cells[key]


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
    per_house: dict[int, dict[str, dict[str, Cell]]] = field(default_factory=dict)  # HouseCells
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
    # One house: a figure that is one metric is read from the store directly (as Reading would).
    house_id = house_ids[0] if len(house_ids) == 1 else None
    get = store.values.get
    for figure in order:
        read = figure.value
        if house_id is not None and type(read) is Metric:
            value = get((house_id, read.name, window), 0.0)
        else:
            value = read(reading)
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
                # Only a count of people looks at its parts (the houses' cells).
                [p[figure.key] for p in parts if figure.key in p] if figure.people else (),
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
    """The figures plus those their cells depend on: the counts of people they are worked out from,
    and for a part of a sum the sum and its other parts (`hide_parts`). So a figure's cell is the
    same in any list that _needed made with it."""
    everything = sections.all_figures()
    keys = {f.key for f in figures}
    while True:
        more = set(keys)
        for f in everything:
            if f.key in keys:
                more.update(f.from_people)
            if keys.intersection(f.sum_of):
                more.update((f.key, *f.sum_of))
        if more == keys:
            break
        keys = more
    return [f for f in everything if f.key in keys]


class HouseCells(dict):
    """One house's cells in one window, each worked out when it is first read.

    At 200 houses most cells are never read: the table shows 50 houses and sorts on one column, the
    totals' privacy rule reads the counts of people, the targets the pilot's figures of houses with
    a target. A figure's cell is worked out by `_cells` with what `_needed` adds to it, so it is the
    same whichever cells were read before (the CSV reads them all: `fill` with every figure).
    `key in cells` and `cells.get(key)` do not work anything out.
    """

    __slots__ = ("house_id", "plans", "store", "window")

    def __init__(self, store: Store, house_id: int, window: str, plans: dict) -> None:
        super().__init__()
        self.store, self.house_id, self.window, self.plans = store, house_id, window, plans

    def fill(self, plan: Plan) -> HouseCells:
        """Work out the figures of `plan` not known yet (those known stay as they are)."""
        for figure in plan.order:
            if figure.key not in self:
                for key, value in _cells(self.store, (self.house_id,), self.window, plan).items():
                    self.setdefault(key, value)
                break
        return self

    def __missing__(self, key: str) -> Cell:
        plan = self.plans.get(key)
        if plan is None:
            try:
                figure = sections.figure(key)
            except StopIteration:
                raise KeyError(key) from None
            plan = self.plans[key] = Plan.of(_needed([figure]))
        self.fill(plan)
        return dict.__getitem__(self, key)


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
        # Each house's cells are worked out as they are read (HouseCells), but the totals' privacy
        # rule reads every house's counts of people (`total_cell`), and the targets the pilot's
        # figures of every house with a target: those are worked out now, a house at a time. The
        # CSV (`every_house`) has every figure of every house.
        people_plan = Plan.of(_needed(figures if every_house else [f for f in figures if f.people]))
        pilot_plan = Plan.of(_needed(target_figures))
        with_target = {house_id for house_id, _figure in report.house_targets}
        plans: dict[str, Plan] = {}  # per figure, for the cells worked out when read
        for house in houses:
            pk = house.pk
            pilot = HouseCells(store, pk, PILOT, plans)
            if every_house or pk in with_target:
                pilot.fill(pilot_plan)
            report.per_house[pk] = {
                CUR: HouseCells(store, pk, CUR, plans).fill(people_plan),
                PREV: HouseCells(store, pk, PREV, plans).fill(people_plan),
                PILOT: pilot,
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
        columns_plan = Plan.of(_needed(report.columns))
        report.house_rows = [
            HouseRow(h, report.per_house[h.pk][CUR], report.columns, columns_plan) for h in houses
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
    # Once, not per figure: the houses' pilots and how far along they are (200 houses x 8 figures).
    elapsed_of = {}
    for house in report.houses:
        first, last = house_pilot(house, today)
        length = (last - first).days + 1
        elapsed = min(max((today - first).days + 1, 0), length) / length
        elapsed_of[house.pk] = (elapsed, today >= first, today > last)
    targets = report.house_targets
    for target_figure in TargetFigure:
        key = sections.TARGETS[target_figure]
        figure = sections.figure(key)
        code = target_figure.value
        with_target = [pk for pk in elapsed_of if (pk, code) in targets]
        if not with_target:
            continue
        target = expected = actual = 0.0
        started = ended = 0
        parts = []
        for pk in with_target:
            elapsed, has_started, has_ended = elapsed_of[pk]
            value = targets[(pk, code)]
            target += value
            expected += value * elapsed
            part = report.per_house[pk][PILOT][key]
            parts.append(part)
            actual += part.value or 0
            started += has_started
            ended += has_ended
        if len(report.houses) == 1:
            actual_cell = parts[0]
        else:
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
    if figure_key not in {f.key for f in columns}:
        raise ValueError(f"{figure_key!r} is not a column of the table")
    # Only the sort column's cell of each house is worked out (HouseRow.cell).
    return sorted(rows, key=lambda r: r.cell(figure_key).sort_key, reverse=descending)
