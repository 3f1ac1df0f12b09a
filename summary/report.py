"""A summary as people read it: cells for every figure, targets, the table of houses, stories.

Built once per request from the counted Store (summary.selectors) and used by the page, the print
view, the CSV and the PDF, so they always show the same numbers under the same privacy rules.
"""

from __future__ import annotations

import datetime as dt
import functools
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
    SMALL,
    Cell,
    Figure,
    HouseReading,
    Metric,
    Reading,
    Unit,
    cell,
    change,
    format_value,
    hide_parts,
    small_text,
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
    plan = figures if isinstance(figures, Plan) else Plan.of(figures)
    if parts is None and len(house_ids) == 1:
        return _house_cells(store, house_ids[0], window, plan, {})
    reading = Reading(store, house_ids, window)
    out: dict[str, Cell] = {}
    for figure in plan.order:
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
            key = figure.key
            out[key] = total_cell(
                figure,
                value,
                # Only a count of people looks at its parts (the houses' cells).
                [p[key] for p in parts if key in p] if figure.people else (),
                hidden_sources=hidden_sources,
            )
    for figure in plan.sums:
        if figure.key in out:
            hide_parts(figure, out)
    return out


_NO_CELL = Cell(None, NO_FIGURE)
_new = tuple.__new__  # what Cell(...) does, without the call of its __new__ (5,000 cells a page)


def _house_cells(store: Store, house_id: int, window: str, plan: Plan, out: dict) -> dict:
    """The cells of `plan` for one house, put in `out`: what `cell` would make of each figure, in a
    loop of its own (at 200 houses it makes some 5,000 cells a page).

    A figure that is one metric is read from the store directly (as Reading would).
    """
    get = store.values.get
    reading = small = None
    for key, name, read, people, unit, from_people in plan.steps:
        if name is not None:
            value = get((house_id, name, window), 0.0)
        else:
            if reading is None:
                reading = HouseReading(store, house_id, window)
            value = read(reading)
        if value is None:
            out[key] = _NO_CELL
        elif people and 0 < round(value) < SMALL:  # figures.is_small
            if small is None:
                small = small_text()
            out[key] = _new(Cell, (value, small, True, False, Unit.COUNT))
        elif from_people and any(
            (source := out.get(k)) is not None and (source.hidden or source.partial) for k in from_people
        ):
            out[key] = _new(Cell, (value, NO_FIGURE, True, False, Unit.COUNT))
        else:
            out[key] = _new(Cell, (value, None, False, False, unit))
    for figure, parts in plan.sum_parts:
        if figure.key in out:
            for part_key in parts:  # hide_parts has work only when a part is hidden
                part = out.get(part_key)
                if part is not None and (part.hidden or part.partial):
                    hide_parts(figure, out)
                    break
    return out


class Plan(NamedTuple):
    """Figures in the order _cells works them out (counts of people first: figures worked out from
    them look at their cells), and those that are a sum of others. Made once per list of figures,
    not for each of 200 houses x 3 windows. `steps`: for each figure of `order`, what
    `_house_cells` needs of it (its key, the metric it is or None, its value, people, unit and
    from_people)."""

    order: tuple[Figure, ...]
    sums: tuple[Figure, ...]
    steps: tuple[tuple, ...] = ()
    sum_parts: tuple[tuple[Figure, tuple[str, ...]], ...] = ()  # each of `sums` and its sum_of

    @classmethod
    def of(cls, figures: list[Figure]) -> Plan:
        order = tuple(sorted(figures, key=lambda f: bool(f.from_people)))
        steps = tuple(
            (
                f.key,
                f.value.name if type(f.value) is Metric else None,
                f.value,
                f.people,
                f.unit,
                f.from_people,
            )
            for f in order
        )
        sums = tuple(f for f in figures if f.sum_of)
        return cls(order, sums, steps, tuple((f, f.sum_of) for f in sums))


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


def _window_totals(
    store: Store, house_ids: tuple[int, ...], figures, per_house: dict, plan: Plan, window: str
) -> dict[str, Cell]:
    """The cells of all houses together in one window, with the houses' cells of `plan` (at least
    their counts of people, for the totals' privacy rule)."""
    parts = [per_house[h][window].fill(plan) for h in house_ids]
    return _cells(store, house_ids, window, figures, parts)


class Totals(dict):
    """Report.totals, the cells of all houses together per window: those of a window in `later`
    are worked out when first read (`totals[PREV]`). Holds no reference to the report."""

    __slots__ = ("later",)

    def __init__(self, cells: dict, *, later: dict) -> None:
        super().__init__(cells)
        self.later = later

    def __missing__(self, window: str) -> dict[str, Cell]:
        make = self.later.pop(window, None)
        if make is None:
            raise KeyError(window)
        cells = self[window] = make()
        return cells


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
                if not self:  # the first cells: straight in
                    _house_cells(self.store, self.house_id, self.window, plan, self)
                else:
                    for key, value in _house_cells(self.store, self.house_id, self.window, plan, {}).items():
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
    house_ids = report.house_ids  # (made from every house: once)
    report.house_targets = {
        (house_id, figure): value
        for house_id, figure, value in Target.objects.filter(house__in=any_of(house_ids))
        .values_list("house_id", "figure", "value")
        .order_by()  # (1,600 targets of 200 houses: sorting them took longer than reading them)
    }
    target_figures = [sections.figure(key) for key in sections.TARGETS.values()]

    before_pilot = report.previous_before_pilot  # (a look at every house: once, not for each row)
    if report.single:
        (house_id,) = house_ids
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
                CUR: HouseCells(store, pk, CUR, plans),
                PREV: HouseCells(store, pk, PREV, plans),
                PILOT: pilot,
            }
        totals = functools.partial(_window_totals, store, house_ids, figures, report.per_house, people_plan)
        # The period before's totals (and the houses' cells they read) when first read, if the page
        # shows none of them: it lies before the pilot. The CSV reads the houses' cells with .get().
        at_once = (CUR,) if before_pilot and not every_house else (CUR, PREV)
        report.totals = Totals(
            {window: totals(window) for window in at_once},
            later={w: functools.partial(totals, w) for w in (CUR, PREV) if w not in at_once},
        )

    def row(figure: Figure) -> Row:
        now_cell = report.totals[CUR][figure.key]
        if before_pilot:  # zeros from before the pilot compare nothing: no figure
            before = Cell(None, NO_FIGURE)
        else:
            before = report.totals[PREV][figure.key]
        return Row(figure, now_cell, before, change(figure, now_cell, before))

    listed = {f.key for f in figures}
    report.key_rows = [row(sections.figure(k)) for k in sections.KEY_FIGURES if k in listed]
    months = [m for m in period.months() if m <= today]  # no empty months still to come
    everyone = Reading(store, house_ids)
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
            house__in=any_of(house_ids), first_day__lte=period.last_day, last_day__gte=period.first_day
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
    of_dates: dict[tuple, tuple[float, bool, bool]] = {}  # most houses share their pilot's dates
    for house in report.houses:
        dates = (house.pilot_start, house.pilot_end)
        if dates not in of_dates:
            first, last = house_pilot(house, today)
            length = (last - first).days + 1
            elapsed = min(max((today - first).days + 1, 0), length) / length
            of_dates[dates] = (elapsed, today >= first, today > last)
        elapsed_of[house.pk] = of_dates[dates]
    targets = report.house_targets
    # The houses with a target and its value, per figure, in the order of the houses (the sums below
    # add up in that order), each with its pilot's progress and cells.
    codes: dict[str, list[tuple]] = {code: [] for code in TargetFigure.values}
    for pk, progress in elapsed_of.items():
        pilot_cells = report.per_house[pk][PILOT]
        for code, with_target in codes.items():
            value = targets.get((pk, code))
            if value is not None:
                with_target.append((value, *progress, pilot_cells))
    for target_figure in TargetFigure:
        with_target = codes[target_figure.value]
        if not with_target:
            continue
        key = sections.TARGETS[target_figure]
        figure = sections.figure(key)
        target = expected = actual = 0.0
        started = ended = 0
        parts = []
        for value, elapsed, has_started, has_ended, pilot_cells in with_target:
            target += value
            expected += value * elapsed
            part = pilot_cells[key]
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


@functools.lru_cache(maxsize=4096)
def _name_key(name: str) -> tuple:
    """name_key, kept: the table of 200 houses is sorted by name on every page."""
    return tuple(name_key(name))


def sort_rows(rows: list[HouseRow], columns: list[Figure], key: str, descending: bool) -> list[HouseRow]:
    """The table of houses sorted by a column (by name within equal values)."""
    rows = sorted(rows, key=lambda r: _name_key(str(r.house.name)))
    figure_key = SORT_KEYS.get(key)
    if figure_key is None:
        return list(reversed(rows)) if descending else rows
    if figure_key not in {f.key for f in columns}:
        raise ValueError(f"{figure_key!r} is not a column of the table")
    # Only the sort column's cell of each house is worked out (HouseRow.cell).
    return sorted(rows, key=lambda r: r.cell(figure_key).sort_key, reverse=descending)
