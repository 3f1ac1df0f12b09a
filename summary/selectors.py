"""The summary's figures, counted in SQL: one query per family of figures, whatever the data size.

Every family query groups by house (and by month, for the charts) and counts three windows at once
with FILTER aggregates: the chosen period ("cur"), the one before ("prev") and each house's own pilot
("pilot", for the targets; its edges per house are joined as a VALUES list, see Windows). The results
land in a Store: metric values per house and window, and per month (chosen period only, all houses).

The number of queries is fixed: it depends on the families, never on the number of houses or rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from activities.models import (
    Activity,
    Booking,
    Category,
    Idea,
    Poll,
    PollBallot,
    RoomClosure,
    Signup,
)
from activities.timeutil import local_day_bounds
from duties.models import HourLog, Obligation
from news.models import Issue, Post
from residents.models import Membership, Role
from summary.models import MembersNow, month_number
from summary.periods import Period, house_pilot

CUR, PREV, PILOT = "cur", "prev", "pilot"
MONTH = "month"  # summary.stored's window: one whole month per row
MICROSECOND = dt.timedelta(microseconds=1)  # what PostgreSQL's timestamps count in
WINDOWS = (CUR, PREV, PILOT)
# People who run the house are not "reached" by it.
RUNNING_ROLES = (Role.COORDINATOR, Role.STAFF)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def id_array(ids: Iterable[int]) -> str:
    """Ids as one PostgreSQL array literal, for a `%s::bigint[]` parameter: psycopg writes a Python
    list out element by element in Python (~0.1 ms for 200 houses). Kept for the same ids: a page
    asks for its houses' some twenty times."""
    return _id_array(tuple(ids))


@functools.lru_cache(maxsize=64)
def _id_array(ids: tuple) -> str:
    return "{" + ",".join([str(int(i)) for i in ids]) + "}"


def any_of(ids: Iterable[int]) -> RawSQL:
    """`field__in=any_of(ids)`: the ids as one array parameter (Django prepares and psycopg quotes a
    parameter per id otherwise, a few ms per query for 200 houses or 400 rooms)."""
    return RawSQL("SELECT unnest(%s::bigint[])", (id_array(ids),))


# --- the scope and where the numbers go --------------------------------------------------------


@dataclass
class Scope:
    """What a summary counts: these houses, this period and the one before, as of `now`."""

    houses: list
    period: Period
    now: dt.datetime
    # Whole months from summary.stored (the same numbers as counting every row; tests compare both).
    stored: bool = True
    previous: Period = field(init=False)

    def __post_init__(self) -> None:
        self.previous = self.period.previous()

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(zone()).date()

    @functools.cached_property
    def house_ids(self) -> list[int]:
        return [h.pk for h in self.houses]

    @functools.cached_property
    def house_array(self) -> str:
        """house_ids as one array parameter (id_array)."""
        return id_array(self.house_ids)

    def pilots(self) -> dict[int, tuple[dt.date, dt.date]]:
        if not hasattr(self, "_pilots"):
            self._pilots = {h.pk: house_pilot(h, self.today) for h in self.houses}
        return self._pilots

    def clip(self, bounds: tuple[dt.datetime, dt.datetime]) -> tuple[dt.datetime, dt.datetime]:
        """Count up to now: what is booked or planned after today is not part of "so far"."""
        start, end = bounds
        return start, max(start, min(end, self.now))

    def windows(self, split: bool) -> Windows:
        """The windows as SQL (made once per scope: 200 houses' pilots take a while to cut)."""
        if not hasattr(self, "_windows"):
            self._windows = {}
        if split not in self._windows:
            self._windows[split] = Windows(self, split=split)
        return self._windows[split]

    def pilot_bounds(self) -> dict[int, tuple[dt.datetime, dt.datetime]]:
        if not hasattr(self, "_pilot_bounds"):
            self._pilot_bounds = {pk: self.clip(Period(*days).bounds()) for pk, days in self.pilots().items()}
        return self._pilot_bounds

    def envelope_range(self) -> DateTimeTZRange:
        return DateTimeTZRange(*self.envelope())

    def envelope_days(self) -> tuple[dt.date, dt.date]:
        first, last = self.envelope()
        return first.astimezone(zone()).date(), last.astimezone(zone()).date() - dt.timedelta(days=1)

    def envelope(self) -> tuple[dt.datetime, dt.datetime]:
        """From the earliest to the latest moment any window covers: the rows worth reading."""
        firsts = [self.previous.first_day, self.period.first_day]
        lasts = [self.previous.last_day, self.period.last_day]
        for first, last in self.pilots().values():
            firsts.append(first)
            lasts.append(last)
        return Period(min(firsts), max(lasts)).bounds()


@dataclass
class Store:
    """Metric values: per (house id, metric, window), and per (metric, month) for the chosen period.

    House id None holds totals that are not a sum of the houses (distinct people).
    """

    values: dict[tuple[int | None, str, str], float] = field(default_factory=lambda: defaultdict(float))
    # Per (metric, month): the chart's metrics only (CHARTED, reach, student_hours_due, ...).
    months: dict[tuple[str, dt.date], float] = field(default_factory=lambda: defaultdict(float))
    distinct: set[str] = field(default_factory=set)  # metrics whose total is counted, not summed

    def get(self, house_id: int | None, metric: str, window: str = CUR) -> float:
        return self.values.get((house_id, metric, window), 0.0)

    def total(self, house_ids: Iterable[int], metric: str, window: str = CUR) -> float:
        if metric in self.distinct:
            return self.values.get((None, metric, window), 0.0)
        if self.present is None or not isinstance(house_ids, tuple):
            return sum(self.values.get((h, metric, window), 0.0) for h in house_ids)
        # Counted (collect is done): the same totals are read for the cells, the charts and the
        # targets, each a sum over every house; added up once.
        key = (house_ids, metric, window)
        total = self._totals.get(key)
        if total is None:
            get = self.values.get
            total = self._totals[key] = sum(get((h, metric, window), 0.0) for h in house_ids)
        return total

    def month(self, metric: str, month: dt.date) -> float:
        return self.months.get((metric, month), 0.0)

    # The metrics with a value somewhere, noted by collect() once every family has counted.
    present: frozenset[str] | None = None
    _totals: dict = field(default_factory=dict, repr=False, compare=False)

    def has(self, metric: str) -> bool:
        if self.present is not None:
            return metric in self.present
        return any(key[1] == metric and value for key, value in self.values.items())


# --- SQL building blocks ------------------------------------------------------------------------


class LocalMidnight(Func):
    """The first moment of a date in local time (to put dates on the same footing as moments)."""

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"({sql}::timestamp AT TIME ZONE %s)", (*params, settings.TIME_ZONE)


def _moment(value: dt.datetime) -> Value:
    return Value(value, output_field=DateTimeField())


def flag(condition: Q) -> ExpressionWrapper:
    """A condition as a boolean column of the rows a family counts."""
    return ExpressionWrapper(condition, output_field=BooleanField())


@functools.cache
def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of a (local) month and the first moment of the next."""
    return local_day_bounds(month)[0], local_day_bounds(_month_end(month))[1]


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def month_of_number(number: int) -> dt.date:
    """The first day of the month of models.month_number."""
    return dt.date(number // 12, number % 12 + 1, 1)


def _run_at(month_sql: str) -> str:
    """SQL: the running total of the MonthRun row "r" up to and including a month (its number, an
    SQL expression): 0 before its first month, its last element after its last month."""
    # Before its first month the element number is 0 or less, where PostgreSQL gives NULL: no CASE
    # (evaluated some 100,000 times for the sums of 200 houses).
    return f"COALESCE(r.runs[LEAST({month_sql} - r.first + 1, cardinality(r.runs))], 0::float8)"


def _day_at(day_sql: str) -> str:
    """SQL: the running total of the DayRun row "d" up to and including a day of its month (its
    number, an SQL expression): 0 before the first, its last element after its last."""
    return f"COALESCE(d.runs[LEAST({day_sql}, cardinality(d.runs))], 0::float8)"  # day 0 or less: NULL


def _days_between(month_sql: str, first_sql: str, last_sql: str, sign_sql: str) -> str:
    """SQL: the signed sum of the DayRun row "d" over days first-last of a month (NULL for another
    month, or none)."""
    return (
        f"CASE WHEN d.month = {month_sql} THEN "
        f"{sign_sql} * ({_day_at(last_sql)} - {_day_at(f'{first_sql} - 1')}) END"
    )


def _days_of(core: DayEdge | None) -> str:
    """_days_between for a window's kept days given in Python (our own date and numbers)."""
    if core is None:
        return "NULL::float8"
    month, first, last, sign = core
    return _days_between(f"DATE '{month.isoformat()}'", str(int(first)), str(int(last)), str(int(sign)))


def _previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _local_month(moment: dt.datetime) -> dt.date:
    return moment.astimezone(zone()).date().replace(day=1)


Edge = tuple[dt.datetime, dt.datetime, int]  # start, end, and +1 (counted in) or -1 (taken off)


@dataclass(frozen=True)
class Split:
    """A window [start, end) as whole months that summary.stored has counted (first and last, None
    when there are none) and two edges counted from the rows (an empty edge starts where it ends).

    An edge is added (+1) or taken off (-1): a window that starts on 25 January takes the rows of
    25-31 January (the edge inside the window, added), one that starts on 5 January takes all of
    January from the kept months and the rows of 1-4 January off (the edge outside it). Each end
    takes the shorter of the two, so an edge is at most half a month. Sums and counts of rows by
    their moment, and hours clipped to the window, add up over such pieces; counts of rows whose
    range overlaps the window would not, and no kept family has them.
    """

    months: tuple[dt.date, dt.date] | None
    edges: tuple[Edge, Edge]
    # With by_days: each edge's whole days, kept (DayRun) as (month, first day, last day, sign), or
    # None; the edges are then only what is left of a day (up to or from now), read from the rows.
    days: tuple[DayEdge | None, DayEdge | None] = (None, None)

    @classmethod
    def whole(cls, start: dt.datetime, end: dt.datetime) -> Split:
        """Unsplit: the window as one edge (every row counted)."""
        return cls(None, ((start, end, 1), (start, start, 1)))

    @classmethod
    @functools.lru_cache(maxsize=1024)
    def of(cls, start: dt.datetime, end: dt.datetime) -> Split:
        if end <= start:
            return cls.whole(start, end)
        first = _local_month(start)  # the month the window starts in
        last = _local_month(end)
        if month_bounds(last)[0] == end:  # ends at a month's start: up to the month before
            last = _previous_month(last)
        lead_in = (start, month_bounds(first)[1], 1)  # what the window has of its first month
        lead_out = (month_bounds(first)[0], start, -1)  # what it lacks of it
        trail_in = (month_bounds(last)[0], end, 1)
        trail_out = (end, month_bounds(last)[1], -1)
        if first == last:  # inside one month: the window, or the month minus what it lacks
            if _length(lead_out) + _length(trail_out) < end - start:
                return cls((first, first), (lead_out, trail_out))
            return cls.whole(start, end)
        if month_bounds(first)[0] == start:
            lead = (start, start, 1)
        elif _length(lead_out) < _length(lead_in):
            lead = lead_out
        else:
            lead, first = lead_in, _next_month(first)
        if month_bounds(last)[1] == end:
            trail = (end, end, 1)
        elif _length(trail_out) < _length(trail_in):
            trail = trail_out
        else:
            trail, last = trail_in, _previous_month(last)
        return cls((first, last) if first <= last else None, (lead, trail))

    def by_days(self) -> Split:
        """The same window with each edge's whole local days taken from summary.stored's days
        (DayRun): the rows are read only for what is left of a day, which only `now` cuts. An edge
        cut at both ends inside a day, or whose days are in two months, stays as it is."""
        return _by_days(self)


DayEdge = tuple[dt.date, int, int, int]  # a month, its first and last day (numbers), the edge's sign


@functools.lru_cache(maxsize=1024)
def _by_days(split: Split) -> Split:
    edges, days = [], []
    for start, end, sign in split.edges:
        edge, core = _cut_days(start, end, sign)
        edges.append(edge)
        days.append(core)
    return Split(split.months, tuple(edges), tuple(days))


def _midnight(day: dt.date) -> dt.datetime:
    return local_day_bounds(day)[0]


def _cut_days(start: dt.datetime, end: dt.datetime, sign: int) -> tuple[Edge, DayEdge | None]:
    """An edge as its whole days (kept) and the part of a day left over (from the rows)."""
    if end <= start:
        return (start, end, sign), None
    first = start.astimezone(zone()).date()
    if _midnight(first) != start:
        first += dt.timedelta(days=1)
    after = end.astimezone(zone()).date()  # the day after the whole days (its midnight <= end)
    whole_start, whole_end = _midnight(first), _midnight(after)
    if first >= after or first.replace(day=1) != (after - dt.timedelta(days=1)).replace(day=1):
        return (start, end, sign), None
    if whole_start != start and whole_end != end:
        return (start, end, sign), None
    if whole_start != start:
        rest = (start, whole_start, sign)
    elif whole_end != end:
        rest = (whole_end, end, sign)
    else:
        rest = (end, end, sign)  # nothing left: empty
    last = after - dt.timedelta(days=1)
    return rest, (first.replace(day=1), first.day, last.day, sign)


def _length(edge: Edge) -> dt.timedelta:
    return edge[1] - edge[0]


class Windows:
    """The three windows as SQL over the rows of a family: "rows"."_t" is a row's moment, "rows"."_s"
    and "rows"."_e" the start and end of its range; the pilot's edges come per house from the
    joined "pilot" rows (made in Python by periods.house_pilot, so SQL repeats no rule).

    Each window is two intervals with a sign (see Split). Unsplit, the first is the whole window and
    the second empty; split (for a family whose whole months summary.stored keeps), they are the
    edges that correct the whole months.
    """

    def __init__(self, scope: Scope | None, split: bool = False):
        self.scope = scope
        self.split = split
        if scope is None:  # summary.stored: only the MONTH window
            self.splits, self.pilot_splits = {}, {}
            return
        bounds = {CUR: scope.clip(scope.period.bounds()), PREV: scope.clip(scope.previous.bounds())}
        self.splits = {window: self._split(*b) for window, b in bounds.items()}
        self.pilot_splits = {house_id: self._split(*b) for house_id, b in scope.pilot_bounds().items()}

    def _split(self, start: dt.datetime, end: dt.datetime) -> Split:
        return Split.of(start, end).by_days() if self.split else Split.whole(start, end)

    @functools.cached_property
    def pilot_is_cur(self) -> bool:
        """Every house's pilot is cut just like the chosen period (the page's default: the pilot of
        houses that share one). Then the queries count no pilot window: it takes the "cur" values."""
        cur = self.splits[CUR]
        return bool(self.pilot_splits) and all(split == cur for split in self.pilot_splits.values())

    def intervals(self, window: str) -> list[tuple[str, str, str, list, list]]:
        """(start, end, sign, start parameters, end parameters) of each interval of the window."""
        if window == PILOT:
            return [(f"pilot.s{n}", f"pilot.e{n}", f"pilot.g{n}", [], []) for n in (1, 2)]
        if window == MONTH:  # summary.stored: one month per joined row
            return [("mo.s", "mo.e", "1", [], [])]
        edges = self.splits[window].edges
        return [("%s", "%s", str(int(sign)), [start], [end]) for start, end, sign in edges]

    def _each(self, window: str, template: str, end_first: bool = False) -> tuple[str, list]:
        """The template for each interval, as a CASE (a row is in at most one of them) of their signs."""
        parts, params = [], []
        for start, end, sign, start_params, end_params in self.intervals(window):
            parts.append(f"WHEN {template.format(start=start, end=end)} THEN {sign}")
            params.extend(end_params + start_params if end_first else start_params + end_params)
        return f"(CASE {' '.join(parts)} ELSE 0 END)", params

    def holds(self, window: str) -> tuple[str, list]:
        """The sign of the interval the row's moment is in: 1, -1, or 0 (outside the window)."""
        return self._each(window, '"rows"."_t" >= {start} AND "rows"."_t" < {end}')

    def overlaps(self, window: str) -> tuple[str, list]:
        return self._each(window, '"rows"."_s" < {end} AND "rows"."_e" > {start}', end_first=True)

    def hours(self, window: str) -> tuple[str, list]:
        """Hours of the row's range inside the window (taken off for an edge taken off)."""
        parts, params = [], []
        for start, end, sign, start_params, end_params in self.intervals(window):
            inside = f'LEAST("rows"."_e", {end}) - GREATEST("rows"."_s", {start})'
            parts.append(f"GREATEST(0, date_part('epoch', {inside})) * {sign}")
            params.extend(end_params + start_params)
        return f"({' + '.join(parts)})::double precision / 3600.0", params

    @functools.cached_property
    def _pilot_rows(self) -> tuple[str, list]:
        # Houses mostly share a pilot: each different one is sent once, with a number per house
        # (psycopg turns every timestamp into text in Python; 200 houses x 4 x 8 queries added up).
        index: dict[Split, int] = {}
        houses, numbers = [], []
        for house_id, split in self.pilot_splits.items():
            houses.append(house_id)
            numbers.append(index.setdefault(split, len(index) + 1))
        columns: list[list] = [[] for _ in range(16)]
        for split in index:
            (s1, e1, g1), (s2, e2, g2) = split.edges
            days = [value for core in split.days for value in (core or (None, 0, 0, 0))]
            values = (s1, e1, g1, s2, e2, g2, *(split.months or (None, None)), *days)
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        # A projection over one function scan, which PostgreSQL flattens (estimated at one row per
        # house); a join of two unnests here made it loop over the rows once per house.
        sql = (
            "(SELECT x.h, (%s::timestamptz[])[x.n] AS s1, (%s::timestamptz[])[x.n] AS e1, "
            "(%s::int[])[x.n] AS g1, (%s::timestamptz[])[x.n] AS s2, (%s::timestamptz[])[x.n] AS e2, "
            "(%s::int[])[x.n] AS g2, (%s::date[])[x.n] AS m1, (%s::date[])[x.n] AS m2, "
            "(%s::date[])[x.n] AS dm1, (%s::int[])[x.n] AS dx1, (%s::int[])[x.n] AS dy1, "
            "(%s::int[])[x.n] AS dg1, (%s::date[])[x.n] AS dm2, (%s::int[])[x.n] AS dx2, "
            "(%s::int[])[x.n] AS dy2, (%s::int[])[x.n] AS dg2 "
            "FROM unnest(%s::bigint[], %s::int[]) AS x (h, n)) AS pilot"
        )
        return sql, [*columns, houses, numbers]

    def pilot_rows(self) -> tuple[str, list]:
        """Each house's pilot as joined rows "pilot": (h, first edge s1-e1 with its sign g1, second
        edge s2-e2 with g2, whole months m1-m2, and the edges' kept days: month dm1, days dx1-dy1,
        sign dg1, and dm2, dx2-dy2, dg2)."""
        return self._pilot_rows

    def stored_sums(self) -> dict[str, tuple[tuple[list, list, list, list] | None, list[tuple]]]:
        """summary.stored's whole months added up, for every kept metric: one query for all
        families (made once per scope, like the windows), its rows by metric.

        Per metric: the houses' ids and, in the same order, their cur, prev and pilot sums (four
        lists), and (month, value) over all the houses for each whole month of the chosen period
        (the chart). Read from the running totals (MonthRun): a window's whole months are two of its
        elements apart, however long it is, so the rows read are houses x metrics, not also x months.
        A metric's houses come as arrays in one row (30 rows, not 6,000 for 200 houses: less to
        fetch and to sort out in Python).
        """
        if not hasattr(self, "_stored_sums"):
            self._stored_sums = self._read_stored_sums()
        return self._stored_sums

    def _read_stored_sums(self) -> dict[str, tuple[tuple[list, list, list, list] | None, list[tuple]]]:
        def between(months: tuple[dt.date, dt.date] | None) -> str:
            if months is None:
                return "NULL::float8"
            first, last = (month_number(m) for m in months)
            return f"({_run_at(str(last))} - {_run_at(str(first - 1))})"

        cur, prev = self.splits[CUR].months, self.splits[PREV].months
        if self.pilot_is_cur:  # no join of the houses' pilots: "pilot" is "cur"
            pilot_join, pilot_sum, params = "", "NULL::float8", [self.scope.house_array]
        else:
            pilot_sql, params = self.pilot_rows()
            pilot_join = f"JOIN {pilot_sql} ON pilot.h = r.house_id"
            number = "(extract(year FROM pilot.{m}) * 12 + extract(month FROM pilot.{m}) - 1)::int"
            pilot_sum = f"({_run_at(number.format(m='m2'))} - {_run_at(number.format(m='m1') + ' - 1')})"
            params = [*params, self.scope.house_array]
        # The kept days of the windows' edges (DayRun), per house and metric: the chosen period's
        # two edges apart (for the chart's months), the period before's and the pilot's summed.
        cur_days, prev_days = self.splits[CUR].days, self.splits[PREV].days
        # Only what is used: per house the families' metrics (reach has its own query), per month
        # those of the charted families and REACH_KEPT (reach's whole months).
        reach = ", ".join(f"'{metric}'" for metric in (REACH_KEPT, *REACH_DAYS))
        charted = ", ".join(f"'{metric}'" for metric in _charted_metrics())
        day_months = {
            core[0]
            for split in (*self.splits.values(), *self.pilot_splits.values())
            for core in split.days
            if core
        }
        if self.pilot_is_cur or not day_months:
            days_pilot_join, days_pilot = "", "NULL::float8"
        else:
            days_pilot_join = f"JOIN {self.pilot_rows()[0]} ON pilot.h = d.house_id"
            days_pilot = " + ".join(
                "COALESCE(SUM({}), 0)".format(
                    _days_between(f"pilot.dm{n}", f"pilot.dx{n}", f"pilot.dy{n}", f"pilot.dg{n}")
                )
                for n in (1, 2)
            )
        c1, c2 = (_days_of(core) for core in cur_days)
        p1, p2 = (_days_of(core) for core in prev_days)
        days_sql = f"""
            SELECT d.house_id, d.metric, SUM({c1}) AS c1, SUM({c2}) AS c2,
                   COALESCE(SUM({p1}), 0) + COALESCE(SUM({p2}), 0) AS p, {days_pilot} AS l
            FROM summary_dayrun AS d {days_pilot_join}
            WHERE d.house_id = ANY(%s::bigint[]) AND d.month = ANY(%s::date[]) AND d.metric NOT IN ({reach})
            GROUP BY d.house_id, d.metric
        """  # noqa: S608 - our own names and numbers; every value is a parameter
        days_params = [
            *(self.pilot_rows()[1] if days_pilot_join else []),
            self.scope.house_array,
            sorted(day_months),
        ]
        chart = []
        if cur is not None:  # the running totals at the end of each month, and of the one before
            chart = list(range(month_number(cur[0]) - 1, month_number(cur[1]) + 1))
        ends = ", ".join(f"SUM({_run_at(str(n))})" for n in chart) or "0"
        # Per house: the windows' whole months and kept days added up; per metric: the chart's whole
        # months and the chosen period's two kept edges over all houses. The rows: "h" per metric its
        # houses (ids, cur, prev and pilot as arrays in the same order: the aggregates of a group read
        # its rows in one pass), "c" per charted metric the running totals at the chart's month ends,
        # "e" per charted metric the two kept edges.
        pilot_total = (
            "NULL::float8[]"
            if self.pilot_is_cur
            else f"array_agg(COALESCE({pilot_sum}, 0) + COALESCE(dr.l, 0))"
        )
        sql = f"""
            WITH dr AS ({days_sql})
            SELECT 'h', r.metric, array_agg(r.house_id),
                   array_agg(COALESCE({between(cur)}, 0) + COALESCE(dr.c1, 0) + COALESCE(dr.c2, 0)),
                   array_agg(COALESCE({between(prev)}, 0) + COALESCE(dr.p, 0)),
                   {pilot_total}
            FROM summary_monthrun AS r {pilot_join}
            LEFT JOIN dr ON dr.house_id = r.house_id AND dr.metric = r.metric
            WHERE r.house_id = ANY(%s::bigint[]) AND r.metric NOT IN ({reach})
            GROUP BY r.metric
        """  # noqa: S608 - our own names and numbers; every value is a parameter
        params = [*days_params, *params]
        if chart:
            sql += f"""
                UNION ALL
                SELECT 'c', r.metric, NULL, ARRAY[{ends}]::float8[], NULL, NULL
                FROM summary_monthrun AS r WHERE r.house_id = ANY(%s::bigint[]) AND r.metric IN ({charted})
                GROUP BY r.metric
            """  # noqa: S608
            params.append(self.scope.house_array)
        if any(cur_days):
            sql += f"""
                UNION ALL
                SELECT 'e', dr.metric, NULL, ARRAY[SUM(dr.c1), SUM(dr.c2)], NULL, NULL
                FROM dr WHERE dr.metric IN ({charted}) GROUP BY dr.metric
            """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        by_metric: dict[str, tuple[tuple[list, list, list, list] | None, list[tuple]]] = {}
        months = [month_of_number(n) for n in chart[1:]]
        pilot_is_cur = self.pilot_is_cur
        for kind, name, ids, first, second, third in rows:
            if kind == "h":
                houses = (ids, first, second, first if pilot_is_cur else third)
                by_metric[name] = (houses, by_metric[name][1] if name in by_metric else [])
                continue
            per_month = by_metric.setdefault(name, (None, []))[1]
            if kind == "c":  # the running totals at the month ends
                per_month.extend(
                    (month, first[n + 1] - first[n])
                    for n, month in enumerate(months)
                    if first[n + 1] != first[n]
                )
                continue
            # The chosen period's kept edges (their sums over the houses) go to the chart's month
            # they are in.
            for core, value in zip(cur_days, first, strict=True):
                if core and value:
                    per_month.append((core[0], value))
        return by_metric

    def envelope_ranges(self) -> list[DateTimeTZRange]:
        """The intervals of all windows merged: the rows worth reading (worked out once per scope:
        200 houses' pilots, mostly the same)."""
        if not hasattr(self, "_envelope_ranges"):
            self._envelope_ranges = self._merged_ranges()
        return self._envelope_ranges

    def _merged_ranges(self) -> list[DateTimeTZRange]:
        splits = {*self.splits.values(), *self.pilot_splits.values()}
        spans = {(start, end) for split in splits for start, end, _sign in split.edges}
        merged: list[list[dt.datetime]] = []
        for start, end in sorted(span for span in spans if span[0] < span[1]):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return [DateTimeTZRange(start, end) for start, end in merged]


@dataclass(frozen=True)
class Agg:
    """One metric of a family, counted for each of its windows.

    kind: "count" counts rows, "sum" adds up `column` ("hours": the row's range inside the window),
    "distinct" counts different `column` values. `when` names a boolean column a row must also have;
    `over` takes the rows whose range overlaps the window instead of those whose moment is in it;
    `anytime` takes rows whatever their moment (the members a house has now).
    """

    kind: str = "count"
    column: str | None = None
    when: str | None = None
    windows: tuple[str, ...] = WINDOWS
    over: bool = False
    anytime: bool = False

    @property
    def test(self) -> str | None:
        """Which of the row's window columns (see window_columns) this metric looks at."""
        if self.anytime:
            return None
        if self.column == "hours":
            return "hours"
        return "over" if self.over else "in"

    def sql(self, window: str) -> str:
        """The aggregate over the rows of window_columns (each row's place in the windows): a row in
        an edge taken off (sign -1, see Split) counts negatively."""
        conditions, sign = [], "1"
        if self.test in ("in", "over"):
            sign = f'"rows"."_{self.test}_{window}"'
            conditions.append(f"{sign} <> 0")
        if self.when:
            conditions.append(f'"rows"."{self.when}"')
        column = f'"rows"."{self.column}"' if self.column else None
        if self.test == "hours":  # 0 outside the window
            value = f'SUM("rows"."_hours_{window}")'
        elif self.kind == "distinct":  # never split (distinct values do not add up): no sign -1
            value = f"COUNT(DISTINCT {column})"
        elif self.kind == "sum":
            value = f"SUM({column} * {sign})"
        else:
            value = f"SUM({sign})"
            if column:
                conditions.append(f"{column} IS NOT NULL")
        return f"{value} FILTER (WHERE {' AND '.join(conditions) or 'TRUE'})"


def window_columns(metrics: Iterable[Agg], windows: Iterable[str], w: Windows) -> tuple[str, list]:
    """Each row's place in the windows as columns, worked out once per row: "_in_<window>" (its
    moment is in the window: the sign of its edge, 0 outside), "_over_<window>" (its range overlaps
    it: the same), "_hours_<window>" (hours of its range inside it). The aggregates then only test
    these (see Agg.sql); a condition repeated in each of 30 aggregates made PostgreSQL compare every
    row's moment a hundred times."""
    tests = {agg.test for agg in metrics} - {None}
    columns, params = [], []
    for window in windows:
        for test in sorted(tests):
            sql, p = {"in": w.holds, "over": w.overlaps, "hours": w.hours}[test](window)
            columns.append(f'{sql} AS "_{test}_{window}"')
            params.extend(p)
    return ", ".join(columns), params


@dataclass
class Family:
    """What one family query counts: the rows (`qs`), their house and moment, and the metrics.

    `envelope(bounds)` keeps the rows a window inside the range `bounds` (see Bounds) may need. Say
    it so PostgreSQL can estimate it: a range overlap (`period__overlap`) or bounds on a plain
    column; bounds on lower()/upper() of a range it takes for a handful of rows, and then sorts on
    disk and loops where it should hash. `stored`: summary.stored keeps its metrics per whole month (then no
    metric may count distinct values, which do not add up over months).
    """

    qs: QuerySet
    house: str
    moment: Any
    metrics: dict[str, Agg]
    envelope: Callable[[Bounds], Q]
    columns: dict = field(default_factory=dict)
    monthly: bool = True
    range_field: str | None = None
    stored: bool = False
    # Columns worked out from the inner query's columns by the middle query (name -> SQL over "rows").
    derived: dict[str, str] = field(default_factory=dict)
    _compiled: dict[int, tuple[str, list]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def derived_sql(self) -> str:
        """The derived columns for the middle query's SELECT list (each followed by a comma)."""
        return "".join(f'{sql} AS "{name}", ' for name, sql in self.derived.items())

    def inner(self, house_ids: Iterable[int], ranges: list[DateTimeTZRange]) -> tuple[str, list]:
        """The ORM's query of the rows: each row once, with its house, moment and columns.

        Compiled once per process and number of ranges (the ORM took ~50 ms a page at 200 houses to
        build eight of these); the houses and ranges are Slots in it, filled in for each run.
        """
        template = self._compiled.get(len(ranges))
        if template is None:
            template = self._compiled[len(ranges)] = self._compile(len(ranges))
        sql, params = template
        house_ids = list(house_ids)
        return sql, [
            p.fill(house_ids if p.n is None else ranges[p.n]) if isinstance(p, Slot) else p for p in params
        ]

    def _compile(self, n_ranges: int) -> tuple[str, list]:
        rows = {"_h": F(self.house), "_t": self.moment}
        if self.range_field:
            rows["_s"] = F(f"{self.range_field}__startswith")
            rows["_e"] = F(f"{self.range_field}__endswith")
        rows.update(self.columns)
        envelope = Q(pk__in=[])
        for n in range(n_ranges):
            envelope |= self.envelope(Bounds(n))
        houses = RawSQL("SELECT unnest(%s::bigint[])", (Slot(None, id_array),))  # see any_of
        inner = (
            self.qs.order_by()
            # One array parameter, not one per house (Django works each of those out in Python).
            .filter(**{f"{self.house}__in": houses})
            .filter(envelope)
            .annotate(**rows)
            .values(*rows)
        )
        sql, params = inner.query.sql_with_params()
        slots = [p for p in params if isinstance(p, Slot)]
        if not any(p.n is None for p in slots) or {p.n for p in slots} - {None} != set(range(n_ranges)):
            raise ValueError(f"{self.qs.model.__name__}: a house or window parameter got lost compiling")
        return sql, list(params)


@dataclass(frozen=True, eq=False)
class Slot:
    """A parameter of a compiled query, filled in for each run: from the house ids (n None) or from
    the n-th range the rows are read for. RawSQL hands its parameters to the query as they are."""

    n: int | None
    fill: Callable[[Any], Any]


class Bounds:
    """The n-th range of Family.envelope as SQL, its values filled in when the query runs."""

    def __init__(self, n: int):
        self.n = n

    def value(self, cast: str, output_field, fill: Callable[[DateTimeTZRange], Any]) -> RawSQL:
        # Our own cast; the value is a parameter.
        return RawSQL(f"%s::{cast}", (Slot(self.n, fill),), output_field=output_field)  # noqa: S611

    def range(self, fill: Callable[[DateTimeTZRange], Any] = lambda r: r) -> RawSQL:
        return self.value("tstzrange", DateTimeRangeField(), fill)

    @property
    def lower(self) -> RawSQL:
        return self.value("timestamptz", DateTimeField(), lambda r: r.lower)

    @property
    def upper(self) -> RawSQL:
        return self.value("timestamptz", DateTimeField(), lambda r: r.upper)

    def day(self, end: str) -> RawSQL:
        """The local date of the lower or upper end."""
        return self.value("date", DateField(), lambda r: getattr(r, end).astimezone(zone()).date())


def _family(family: Family, store: Store, scope: Scope) -> None:
    """The metrics per house (and per month of the chosen period), for every window.

    Counted from the rows in one query. For a stored family, only the edges of each window are
    counted from the rows; the whole months in between come from summary.stored's month figures
    (a second query), so the rows read no longer grow with the length of the windows.

    The inner query (the ORM's) reads each row once and works out its moment and columns; the
    outer one only compares those with the windows' edges, given as parameters. OFFSET 0 keeps
    PostgreSQL from folding the inner query back, which would work the moment out again for
    every aggregate.
    """
    split = family.stored and scope.stored
    w = scope.windows(split)
    if split:
        _stored_months(family, store, w)
    ranges = w.envelope_ranges()
    if not ranges:
        return
    inner_sql, inner_params = family.inner(scope.house_ids, ranges)
    # When every pilot is the chosen period, a metric's pilot value is its "cur" value (copied).
    copied = {
        name
        for name, agg in family.metrics.items()
        if w.pilot_is_cur and PILOT in agg.windows and CUR in agg.windows
    }
    names = [
        (name, window)
        for name, agg in family.metrics.items()
        for window in agg.windows
        if not (window == PILOT and name in copied)
    ]
    windows = [window for window in WINDOWS if any(window == n[1] for n in names)]
    if family.monthly and CUR not in windows:
        windows.insert(0, CUR)
    metrics = list(family.metrics.values())
    if family.monthly:
        metrics.append(Agg())  # "_in_cur" for the month of the chart
    columns_sql, columns_params = window_columns(metrics, windows, w)
    select, params = ['"rows"."_h"'], []
    if family.monthly:
        month = 'date_trunc(\'month\', "rows"."_t" AT TIME ZONE %s)::date'
        select.append(f'CASE WHEN "rows"."_in_cur" <> 0 THEN {month} END')
        params.append(settings.TIME_ZONE)
    select.extend(family.metrics[name].sql(window) for name, window in names)
    pilot_sql, pilot_params = w.pilot_rows() if PILOT in windows else ("", [])
    if pilot_sql:  # the pilot's edges per house
        pilot_sql = f'JOIN {pilot_sql} ON pilot.h = "rows"."_h" '
    group = "1, 2" if family.monthly else "1"
    # Only our own names and Django's compiled SQL go into the text; every value is a parameter.
    # The middle query works out each row's windows once (OFFSET 0 keeps it from being folded into
    # every aggregate again).
    sql = (
        f"SELECT {', '.join(select)} FROM ("  # noqa: S608
        f'SELECT "rows".*, {family.derived_sql}{columns_sql} FROM ({inner_sql} OFFSET 0) AS rows '
        f"{pilot_sql}OFFSET 0) AS rows GROUP BY {group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *columns_params, *inner_params, *pilot_params])
        results = cursor.fetchall()
    first = 2 if family.monthly else 1
    values, months = store.values, store.months
    # Per column: its metric and window, whether it also is the pilot's, and whether it is charted.
    charted = CHARTED if family.monthly else frozenset()
    plan = [
        (n, name, window, window == CUR and name in copied, window == CUR and name in charted)
        for n, (name, window) in enumerate(names, start=first)
    ]
    for row in results:
        house_id = row[0]
        month = row[1] if family.monthly else None
        for n, name, window, also_pilot, charted in plan:
            value = row[n]
            if not value:
                continue
            value = float(value)
            values[(house_id, name, window)] += value
            if also_pilot:
                values[(house_id, name, PILOT)] += value
            if charted and month is not None:
                months[(name, month)] += value


def stored_families() -> list[Family]:
    """The families whose figures summary.stored keeps per month and day."""
    return [
        room_use_family(),
        activities_family(),
        student_hours_family(),
        new_members_family(),
        ideas_family(),
        polls_family(),
        posts_family(),
        issues_family(),
    ]


# The families' metrics drawn per month: the line charts of summary.sections and the PDF's bars
# (tests/summary/test_charted.py holds them to it). Only these get Store.months: at 200 houses the
# chart part of the stored sums read 4,800 running totals for 24 metrics, of which these are 4.
CHARTED = frozenset({"room_booked_hours", "room_held_hours", "activities_held", "student_minutes"})


@functools.cache
def _charted_metrics() -> tuple[str, ...]:
    """The kept metrics whose whole months go to the chart: CHARTED, and REACH_KEPT."""
    monthly = [family for family in stored_families() if family.stored and family.monthly]
    charted = [name for family in monthly for name in family.metrics if name in CHARTED]
    return (*sorted(charted), REACH_KEPT)


def _stored_months(family: Family, store: Store, w: Windows) -> None:
    """Add up summary.stored's month figures of the whole months inside each window."""
    sums = w.stored_sums()
    values, months = store.values, store.months
    for name, agg in family.metrics.items():
        houses, per_month = sums.get(name, (None, ()))
        if family.monthly and name in CHARTED:
            for month, value in per_month:
                months[(name, month)] += value
        if houses is None:
            continue
        ids = houses[0]
        for n, window in enumerate(WINDOWS):
            if window in agg.windows:
                for house_id, value in zip(ids, houses[n + 1], strict=True):
                    if value:
                        values[(house_id, name, window)] += value


# --- the families -----------------------------------------------------------------------------


@functools.cache  # made once per process: its queries are compiled once (see Family.inner)
def room_use_family() -> Family:
    """The living room: confirmed hours (clipped to each window), took place, no-shows, purposes."""
    return Family(
        Booking.objects.filter(status=Booking.Status.CONFIRMED),
        house="room__house",
        moment=F("period__startswith"),
        metrics={
            "room_booked_hours": Agg("sum", "hours", over=True),
            "room_held_hours": Agg("sum", "hours", when="_held", over=True),
            "room_no_show_hours": Agg("sum", "hours", when="_no_show", windows=(CUR, PREV), over=True),
            "room_bookings": Agg(windows=(CUR, PREV)),
            **{
                f"room_bookings_{value}": Agg(when=f"_is_{value}", windows=(CUR,))
                for value in Booking.Category.values
            },
        },
        columns={
            "_held": flag(Q(took_place=True)),
            "_no_show": flag(Q(took_place=False)),
            **{f"_is_{value}": flag(Q(category=value)) for value in Booking.Category.values},
        },
        # `blocked` holds the period (a constraint), so these are all the bookings that overlap the
        # window, read through the exclusion constraint's index. The few whose margin alone overlaps
        # it start outside it and have no hours inside it: they add nothing. (Asking for the period
        # as well made PostgreSQL expect one row, multiplying its two guesses, and compare every
        # booking with every room: 7-15 ms at 200 houses instead of 3.)
        envelope=lambda window: Q(blocked__overlap=window.range()),
        range_field="period",
        stored=True,
    )


def room_use(scope: Scope, store: Store) -> None:
    _family(room_use_family(), store, scope)


# Minutes a room can be booked per weekday: per house, and per room for the rooms closed some day
# of the windows (their closed days come off per room). Summed in SQL: 200 houses have 2,800 blocks.
BOOKABLE_SQL = """
    SELECT room.house_id, NULL::bigint, h.weekday, (EXTRACT(EPOCH FROM SUM(h.closes - h.opens)) / 60)::int
    FROM activities_roomhours AS h JOIN activities_room AS room ON room.id = h.room_id
    WHERE room.house_id = ANY(%s::bigint[]) GROUP BY room.house_id, h.weekday
    UNION ALL
    SELECT NULL, h.room_id, h.weekday, (EXTRACT(EPOCH FROM SUM(h.closes - h.opens)) / 60)::int
    FROM activities_roomhours AS h WHERE h.room_id = ANY(%s::bigint[]) GROUP BY h.room_id, h.weekday
"""


def bookable_hours(scope: Scope, store: Store) -> None:
    """Hours the rooms can be booked (their hours per weekday) minus closed days: two small queries.

    Wall-clock hours; the two nights a year the clocks change are an hour off, which is fine here.
    """
    first_day = min(scope.previous.first_day, scope.period.first_day)
    closed: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    house_of: dict[int, int] = {}  # of the closed rooms
    for room_id, house_id, first, last in RoomClosure.objects.filter(
        room__house__in=any_of(scope.house_ids), last_day__gte=first_day, first_day__lte=scope.period.last_day
    ).values_list("room_id", "room__house_id", "first_day", "last_day"):
        closed[room_id].append((first, last))
        house_of[room_id] = house_id
    per_house: dict[int, list[float]] = defaultdict(lambda: [0.0] * 7)  # house -> hours per weekday
    per_room: dict[int, list[float]] = defaultdict(lambda: [0.0] * 7)  # closed room -> the same
    with connection.cursor() as cursor:
        cursor.execute(BOOKABLE_SQL, [scope.house_array, id_array(closed)])
        for house_id, room_id, weekday, minutes in cursor.fetchall():
            (per_house[house_id] if room_id is None else per_room[room_id])[weekday] = minutes / 60
    if not per_house:
        return
    everywhere = [sum(hours[i] for hours in per_house.values()) for i in range(7)]
    no_hours = [0.0] * 7

    def closed_hours(room_id: int, period: Period) -> float:
        hours = per_room.get(room_id, no_hours)
        return sum(
            _open_hours(hours, _weekday_counts(first, last))
            for first, last in _merged(closed[room_id], period)
        )

    for window, period in ((CUR, scope.period), (PREV, scope.previous)):
        days = _weekday_counts(period.first_day, period.last_day)
        for house_id, hours in per_house.items():
            store.values[(house_id, "room_bookable_hours", window)] += _open_hours(hours, days)
        for room_id in closed:
            store.values[(house_of[room_id], "room_bookable_hours", window)] -= closed_hours(room_id, period)
        if window == CUR:
            for month in period.months():
                month_period = Period(max(month, period.first_day), min(_month_end(month), period.last_day))
                days = _weekday_counts(month_period.first_day, month_period.last_day)
                store.months[("room_bookable_hours", month)] += _open_hours(everywhere, days) - sum(
                    closed_hours(room_id, month_period) for room_id in closed
                )


def _open_hours(hours: list[float], days: list[int]) -> float:
    return sum(h * n for h, n in zip(hours, days, strict=True))


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _weekday_counts(first: dt.date, last: dt.date) -> list[int]:
    """How many Mondays, Tuesdays, ... there are from `first` to `last` (both included)."""
    days = (last - first).days + 1
    counts = [days // 7] * 7
    for i in range(days % 7):
        counts[(first.weekday() + i) % 7] += 1
    return counts


def _merged(spans: list[tuple[dt.date, dt.date]], period: Period) -> list[tuple[dt.date, dt.date]]:
    """Closed spans clipped to the period, overlapping ones merged (so no day is taken off twice)."""
    clipped = sorted(
        (max(a, period.first_day), min(b, period.last_day))
        for a, b in spans
        if a <= period.last_day and b >= period.first_day
    )
    merged: list[tuple[dt.date, dt.date]] = []
    for a, b in clipped:
        if merged and a <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


@functools.cache  # made once per process: its queries are compiled once (see Family.inner)
def activities_family() -> Family:
    """Activities held: planned (not cancelled) and ended within the window (which ends by now), by
    kind; walk-ins; and their sign-ups and the people who came (counted per activity first)."""
    return Family(
        Activity.objects.filter(status=Activity.Status.PLANNED),
        house="house",
        moment=F("period__endswith"),
        metrics={
            "activities_held": Agg(),
            "activities_recorded": Agg(when="_recorded"),
            "walk_ins": Agg("sum", "_walk_ins"),
            "signed_up": Agg("sum", "_signed_up"),
            "came": Agg("sum", "_came"),
            **{
                f"activities_held_{value}": Agg(when=f"_is_{value}", windows=(CUR,))
                for value in Category.values
            },
        },
        columns={
            "_recorded": flag(Q(attendance_recorded_at__isnull=False)),
            "_walk_ins": F("walk_ins"),
            # Both counts in one look-up of the activity's sign-ups (two took ~13 of the query's
            # 18 ms at 200 houses); split into "_signed_up" and "_came" by `derived`.
            "_signups": _signup_counts(),
            **{f"_is_{value}": flag(Q(category=value)) for value in Category.values},
        },
        derived={"_signed_up": '"rows"."_signups"[1]', "_came": '"rows"."_signups"[2]'},
        # Counted by their end, which a range does not hold: one that ends just when the window
        # starts belongs to it, so the range read starts a microsecond earlier.
        envelope=lambda window: Q(
            period__overlap=window.range(lambda r: DateTimeTZRange(r.lower - MICROSECOND, r.upper))
        ),
        stored=True,
    )


def _signup_counts() -> RawSQL:
    """[confirmed sign-ups, people who came] of the activity: one look-up of its sign-ups (through
    their activity index), only for the activities read."""
    signup, activity = Signup._meta.db_table, Activity._meta.db_table
    # Table names from the models; the status is a parameter.
    sql = (
        "(SELECT ARRAY[COUNT(*) FILTER (WHERE s.status = %s), COUNT(*) FILTER (WHERE s.attended)] "  # noqa: S608
        f'FROM "{signup}" AS s WHERE s.activity_id = "{activity}"."id")'
    )
    return RawSQL(  # noqa: S611
        sql,
        (Signup.Status.CONFIRMED.value,),
        output_field=ArrayField(IntegerField()),
    )


def activities_held(scope: Scope, store: Store) -> None:
    _family(activities_family(), store, scope)


REACH_KEPT = "reach_single"  # summary.stored: per house and whole month, those seen in no other house
# summary.stored, per house and (local) day, of those seen in no other house: how many were seen for
# the first time, for the last time, and for the first time in that month (see _reach_kept).
REACH_FIRST = "reach_first"
REACH_LAST = "reach_last"
REACH_MONTH_FIRST = "reach_month_first"
REACH_DAYS = (REACH_FIRST, REACH_LAST, REACH_MONTH_FIRST)


def seen_in(start: str, end: str, seen: str = "seen") -> str:
    """SQL: the Seen row `seen` has a moment in [start, end) (SQL expressions, start before end or
    equal). Decided from its first and last moment when either is inside the window or both are on
    one side of it; only a row whose moments straddle the window reads its multirange (about 270
    bytes a row, copied for every test: most of what reach cost)."""
    first, last = f"{seen}.first_moment", f"{seen}.last_moment"
    return (
        f"(CASE WHEN {first} >= {end} OR {last} < {start} THEN false "
        f"WHEN {first} >= {start} OR {last} < {end} THEN true "
        f"ELSE {seen}.moments && tstzrange({start}, {end}) END)"
    )


def _seen_in_window(bounds: tuple[dt.datetime, dt.datetime], seen: str = "seen") -> tuple[str, list]:
    """seen_in for a window given in Python: an empty one is false without a test."""
    start, end = bounds
    if end <= start:
        return "false", []
    return seen_in("%s::timestamptz", "%s::timestamptz", seen), [end, start, start, end, start, end]


def reach(scope: Scope, store: Store) -> None:
    """Distinct people who booked, signed up, came, proposed or supported an idea: one query.

    With summary.stored (scope.stored), from its running totals of the days people were first and
    last seen (see _reach_kept: the rows read no longer grow with the houses for the usual
    periods); else every Seen row is tested against the windows (_reach_counted, which the tests
    compare it with).
    """
    if scope.stored:
        _reach_kept(scope, store)
    else:
        _reach_counted(scope, store)


def _reach_counted(scope: Scope, store: Store) -> None:
    """Distinct people who booked, signed up, came, proposed or supported an idea: one query over
    summary.stored's Seen rows (a row per house and person, with the moments they took part).

    Counted per house, per month of the chosen period and over all houses at once. The house's
    coordinators and staff have no Seen rows there (summary.stored leaves them out). Someone seen
    in several houses counts once in the totals: only those rows (multi) are grouped per person.

    The chart's whole months come from summary.stored (REACH_KEPT: per house and month, the people
    seen in that house only, which add up over houses) plus the few people seen in several houses,
    counted here; so each Seen row is only tested against the windows and the months at their edges.
    A house whose pilot is the chosen period takes the period's count for it.
    """
    cur, prev = scope.clip(scope.period.bounds()), scope.clip(scope.previous.bounds())
    months, kept = [], []
    chart = scope.period.months()
    for month in chart:
        start, end = max(month_bounds(month)[0], cur[0]), min(month_bounds(month)[1], cur[1])
        months.append((start, max(start, end)))  # after now: empty
        # Kept: a month wholly inside the period (REACH_KEPT is per whole month).
        kept.append(scope.stored and month_bounds(month) == (start, end))
    houses, starts, ends, same = [], [], [], []
    for house_id, (start, end) in scope.pilot_bounds().items():
        houses.append(house_id)
        starts.append(start)
        ends.append(end)
        same.append((start, end) == cur)
    # Each Seen row is tested once per window and month (the inner query; OFFSET 0 keeps the tests
    # from being repeated in every aggregate), in one pass per house, mostly from its first and
    # last moment (see seen_in). The totals add up the houses for those seen in one house only;
    # those seen in several (multi: few) are counted once each by the second part. A kept month
    # (REACH_KEPT has the others) is only tested for those.
    cur_test, cur_params = _seen_in_window(cur)
    prev_test, prev_params = _seen_in_window(prev)
    month_tests = [_seen_in_window(bounds) for bounds in months]
    tests, test_params = [], []
    for n, ((test, p), k) in enumerate(zip(month_tests, kept, strict=True)):
        if not k:
            tests.append(f"{test} AS m{n}")
            test_params.extend(p)
    if all(same):  # every pilot is the period: no pilots to join (l stays NULL: the period's count)
        pilot_join, pilot_test = "WHERE seen.house_id = ANY(%s::bigint[])", "NULL::boolean"
        pilot_params = [houses]
    else:
        pilot_join = (
            "JOIN unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::boolean[]) "
            "AS pilot (h, s, e, same) ON pilot.h = seen.house_id"
        )
        pilot_test = f"CASE WHEN NOT pilot.same THEN {seen_in('pilot.s', 'pilot.e')} END"
        pilot_params = [houses, starts, ends, same]
    single = ["0" if k else f"COUNT(*) FILTER (WHERE m{n} AND NOT multi)" for n, k in enumerate(kept)]
    once_params = [*cur_params, *prev_params]
    once_tests = []
    for n, (test, p) in enumerate(month_tests):
        once_tests.append(f"bool_or({test}) AS m{n}")
        once_params.extend(p)
    sql = f"""
        SELECT h, COUNT(*) FILTER (WHERE c), COUNT(*) FILTER (WHERE v),
               COUNT(*) FILTER (WHERE COALESCE(l, c)),
               COUNT(*) FILTER (WHERE c AND NOT multi), COUNT(*) FILTER (WHERE v AND NOT multi)
               {"".join(", " + count for count in single)}
        FROM (
            SELECT seen.house_id AS h, seen.multi, {cur_test} AS c, {prev_test} AS v,
                   {pilot_test} AS l
                   {"".join(", " + test for test in tests)}
            FROM summary_seen AS seen
            {pilot_join}
            OFFSET 0
        ) AS s
        GROUP BY h
        UNION ALL
        SELECT NULL, 0, 0, 0, COUNT(*) FILTER (WHERE c), COUNT(*) FILTER (WHERE v),
               {", ".join(f"COUNT(*) FILTER (WHERE m{n})" for n in range(len(months)))}
        FROM (
            SELECT seen.person_id, bool_or({cur_test}) AS c, bool_or({prev_test}) AS v,
                   {", ".join(once_tests)}
            FROM summary_seen AS seen
            WHERE seen.multi AND seen.house_id = ANY(%s::bigint[])
            GROUP BY seen.person_id
        ) AS once
    """  # noqa: S608 - our own names; every value is a parameter
    params = [*cur_params, *prev_params, *test_params, *pilot_params, *once_params, houses]
    store.distinct.add("reach")
    total = store.values
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for house_id, n_cur, n_prev, n_pilot, once_cur, once_prev, *per_month in cursor.fetchall():
            # People seen in one house, and (house None) the others once each: the total over houses.
            total[(None, "reach", CUR)] += float(once_cur)
            total[(None, "reach", PREV)] += float(once_prev)
            for month, n in zip(chart, per_month, strict=True):
                store.months[("reach", month)] += float(n)
            if house_id is not None:
                for window, n in ((CUR, n_cur), (PREV, n_prev), (PILOT, n_pilot)):
                    total[(house_id, "reach", window)] = float(n)
    if any(kept):  # the kept whole months (summed over the houses by stored_sums)
        whole = {month for month, k in zip(chart, kept, strict=True) if k}
        _houses, per_month = scope.windows(True).stored_sums().get(REACH_KEPT, ((), ()))
        for month, value in per_month:
            if month in whole:
                store.months[("reach", month)] += value


# Hours as migration 0009's index on summary_seen_hours(moments) counts them: whole hours since 1970.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_HOUR = dt.timedelta(hours=1)


def seen_hours(start: dt.datetime, end: dt.datetime) -> list[int]:
    """The hours (see _EPOCH) that [start, end) touches: a Seen row with a moment in it has one of
    them in summary_seen_hours(moments), so that index finds the few rows seen in a part of a day."""
    return list(range((start - _EPOCH) // _HOUR, (end - MICROSECOND - _EPOCH) // _HOUR + 1))


# How _reach_kept finds the people of a house (seen there only) whose first (or last) moment is
# before a moment: elements of the 'r' row (MonthRun) and the 'd' row (DayRun), and of the 't' row
# (the rows of its day up to it) or None.
Before = tuple[int, int, int | None]
# A window, counted one of three ways (see _ReachQuery.window).
ReachWindow = tuple[str, tuple]


class _ReachQuery:
    """_reach_kept's one statement, built from what it needs: each count once, the houses sent once."""

    def __init__(self, houses: list[int]):
        self.params: dict[str, Any] = {"houses": id_array(houses)}
        self.runs: dict[tuple[str, int], int] = {}  # (metric, month number) -> element
        self.days: dict[tuple[str, dt.date, int], int] = {}  # (metric, month, day number)
        self.rows: dict[tuple[str, dt.datetime, dt.datetime], int] = {}  # (column, start, end)
        self.straddles: dict[tuple[dt.datetime, dt.datetime, tuple[int, ...] | None], int] = {}
        self.todays: dict[tuple[dt.datetime, dt.datetime, dt.datetime], int] = {}

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def _run(self, metric: str, number: int) -> int:
        return self.runs.setdefault((metric, number), len(self.runs))

    def _day(self, metric: str, month: dt.date, day: int) -> int:
        return self.days.setdefault((metric, month, day), len(self.days))

    def before(self, metric: str, column: str, moment: dt.datetime) -> Before:
        """The people whose first or last moment (metric REACH_FIRST or REACH_LAST, `column` of
        Seen) is before `moment`: the kept whole months and days of its month, and the rows of its
        day up to it."""
        day = moment.astimezone(zone()).date()
        month = day.replace(day=1)
        midnight = _midnight(day)
        t = self.rows.setdefault((column, midnight, moment), len(self.rows)) if midnight < moment else None
        return self._run(metric, month_number(month) - 1), self._day(metric, month, day.day - 1), t

    def window(self, start: dt.datetime, end: dt.datetime, houses: tuple[int, ...] | None) -> ReachWindow:
        """The people seen in [start, end), counted in one of three ways:

        - "kept": a whole month, REACH_KEPT (its running totals, two elements apart);
        - "month": from a month's start up to a moment in it, those first seen in that month
          (REACH_MONTH_FIRST) on a day before that moment's, and those of its day up to it (the
          rows seen then, found through the index of their hours);
        - "span": those first seen before its end, less those last seen before its start, less
          those seen before and after it but not in it (the straddlers, read from the rows through
          the index on the first moment; none when the window starts before anyone was seen).
        """
        if end <= start:
            return "empty", ()
        month = _local_month(start)
        month_start, month_end = month_bounds(month)
        if start == month_start and end == month_end:
            number = month_number(month)
            return "kept", (self._run(REACH_KEPT, number), self._run(REACH_KEPT, number - 1))
        if start == month_start and end < month_end:
            day = end.astimezone(zone()).date()
            midnight = _midnight(day)
            today = None
            if midnight < end:
                today = self.todays.setdefault((start, midnight, end), len(self.todays))
            return "month", (self._day(REACH_MONTH_FIRST, month, day.day - 1), today)
        first = self.before(REACH_FIRST, "first_moment", end)
        last = self.before(REACH_LAST, "last_moment", start)
        return "span", (first, last, self.straddles.setdefault((start, end, houses), len(self.straddles)))

    def parts(self) -> list[str]:
        """The SELECTs of the counts: a part's letter, a house (or NULL), an array of counts."""
        p, parts = self.param, []
        houses = "((SELECT a FROM houses)::bigint[])"  # the array, not a set of rows
        if self.runs:
            items = ", ".join(
                f"COALESCE(SUM(CASE WHEN r.metric = '{metric}' THEN {_run_at(str(int(n)))} END), 0)"
                for metric, n in self.runs
            )
            metrics = ", ".join(f"'{metric}'" for metric in sorted({metric for metric, _n in self.runs}))
            parts.append(
                f"SELECT 'r', r.house_id, ARRAY[{items}]::float8[] FROM summary_monthrun AS r "  # noqa: S608 - our own names; values are parameters
                f"WHERE r.house_id = ANY{houses} AND r.metric IN ({metrics}) GROUP BY r.house_id"
            )
        if self.days:
            items = ", ".join(
                f"COALESCE(SUM(CASE WHEN d.metric = '{metric}' AND d.month = DATE '{month.isoformat()}' "
                f"THEN {_day_at(str(int(day)))} END), 0)"
                for metric, month, day in self.days
            )
            months = p(sorted({month for _metric, month, _day in self.days}))
            metrics = ", ".join(f"'{metric}'" for metric in sorted({metric for metric, _m, _d in self.days}))
            parts.append(
                f"SELECT 'd', d.house_id, ARRAY[{items}]::float8[] FROM summary_dayrun AS d "  # noqa: S608 - our own names; values are parameters
                f"WHERE d.house_id = ANY{houses} AND d.metric IN ({metrics}) "
                f"AND d.month = ANY({months}::date[]) GROUP BY d.house_id"
            )
        if self.rows:
            tests = [
                f"(seen.{column} >= {p(start)}::timestamptz AND seen.{column} < {p(end)}::timestamptz)"
                for column, start, end in self.rows
            ]
            items = ", ".join(f"COUNT(*) FILTER (WHERE {test})" for test in tests)
            parts.append(
                f"SELECT 't', seen.house_id, ARRAY[{items}]::float8[] FROM summary_seen AS seen "  # noqa: S608 - our own names; values are parameters
                f"WHERE NOT seen.multi AND seen.house_id = ANY{houses} AND ({' OR '.join(tests)}) "
                "GROUP BY seen.house_id"
            )
        for (start, end, only), n in self.straddles.items():
            s, e = p(start), p(end)
            among = houses if only is None else f"({p(list(only))}::bigint[])"
            parts.append(
                f"SELECT 's', seen.house_id, ARRAY[{n}, COUNT(*)]::float8[] FROM summary_seen AS seen "  # noqa: S608 - our own names; values are parameters
                f"WHERE NOT seen.multi AND seen.house_id = ANY{among} "
                f"AND seen.first_moment < {s}::timestamptz AND seen.last_moment >= {e}::timestamptz "
                f"AND NOT seen.moments && tstzrange({s}::timestamptz, {e}::timestamptz) "
                "GROUP BY seen.house_id"
            )
        for (start, midnight, end), n in self.todays.items():
            s, m, e = p(start), p(midnight), p(end)
            parts.append(
                f"SELECT 'g', seen.house_id, ARRAY[{n}, COUNT(*)]::float8[] FROM summary_seen AS seen "  # noqa: S608 - our own names; values are parameters
                f"WHERE NOT seen.multi AND seen.house_id = ANY{houses} "
                f"AND summary_seen_hours(seen.moments) && {p(seen_hours(midnight, end))}::int[] "
                f"AND seen.moments && tstzrange({m}::timestamptz, {e}::timestamptz) "
                f"AND NOT seen.moments && tstzrange({s}::timestamptz, {m}::timestamptz) "
                "GROUP BY seen.house_id"
            )
        return parts

    def seen_in(self, bounds: tuple[dt.datetime, dt.datetime]) -> str:
        start, end = bounds
        if end <= start:
            return "false"
        return seen_in(f"{self.param(start)}::timestamptz", f"{self.param(end)}::timestamptz")


def _reach_kept(scope: Scope, store: Store) -> None:
    """Reach from summary.stored in one query, whose rows read grow with the houses rather than with
    the people seen (at scale 100: ~54,000 Seen rows, ~50 ms when each is tested).

    summary.stored keeps per house and day how many people (seen in that house only) were seen for
    the first time, for the last time, and for the first time in that month (REACH_DAYS), as running
    totals, beside the people per whole month (REACH_KEPT); each window and month of the chart is
    counted from a few of their elements per house (see _ReachQuery.window). The few people seen in
    several houses are tested one by one, as in _reach_counted, and counted once in the totals.
    """
    houses = scope.house_ids
    cur, prev = scope.clip(scope.period.bounds()), scope.clip(scope.previous.bounds())
    q = _ReachQuery(houses)
    windows = {CUR: q.window(*cur, None), PREV: q.window(*prev, None)}
    groups: dict[tuple[dt.datetime, dt.datetime], list[int]] = defaultdict(list)
    pilot_bounds = scope.pilot_bounds()
    for house_id, bounds in pilot_bounds.items():
        if bounds != cur:
            groups[bounds].append(house_id)
    pilot_of: dict[int, ReachWindow] = {}
    for bounds, members in groups.items():
        window = q.window(*bounds, None if len(members) == len(houses) else tuple(members))
        for house_id in members:
            pilot_of[house_id] = window
    chart = scope.period.months()
    chart_bounds, per_month = [], []
    for month in chart:
        start, end = month_bounds(month)
        a = max(start, cur[0])
        b = max(a, min(end, cur[1]))  # after now: empty
        chart_bounds.append((a, b))
        # A whole month: REACH_KEPT summed over the houses by stored_sums (read for the families).
        per_month.append(("whole", ()) if (a, b) == (start, end) else q.window(a, b, None))
    parts = q.parts()
    # The people seen in several houses (multi: few), per house and once each over the houses.
    cur_test, prev_test = q.seen_in(cur), q.seen_in(prev)
    if groups:
        pilot_join = (
            f"JOIN unnest({q.param(id_array(houses))}::bigint[], "
            f"{q.param([pilot_bounds[h][0] for h in houses])}"
            f"::timestamptz[], {q.param([pilot_bounds[h][1] for h in houses])}::timestamptz[]) "
            "AS pilot (h, s, e) ON pilot.h = seen.house_id"
        )
        pilot_test = seen_in("pilot.s", "pilot.e")
    else:  # every pilot is the chosen period
        pilot_join, pilot_test = "", cur_test
    parts.append(
        "SELECT 'm', h, ARRAY[COUNT(*) FILTER (WHERE c), COUNT(*) FILTER (WHERE v), "  # noqa: S608 - our own names; values are parameters
        "COUNT(*) FILTER (WHERE l)]::float8[] FROM ("
        f"SELECT seen.house_id AS h, {cur_test} AS c, {prev_test} AS v, {pilot_test} AS l "
        f"FROM summary_seen AS seen {pilot_join} "
        "WHERE seen.multi AND seen.house_id = ANY((SELECT a FROM houses)::bigint[])) AS s GROUP BY h"
    )
    month_tests = [q.seen_in(bounds) for bounds in chart_bounds]
    once_tests = "".join(f", bool_or({test}) AS m{n}" for n, test in enumerate(month_tests))
    once_counts = "".join(f", COUNT(*) FILTER (WHERE m{n})" for n in range(len(month_tests)))
    parts.append(
        "SELECT 'o', NULL::bigint, ARRAY[COUNT(*) FILTER (WHERE c), "  # noqa: S608 - our own names; values are parameters
        f"COUNT(*) FILTER (WHERE v){once_counts}]::float8[] FROM ("
        f"SELECT seen.person_id, bool_or({cur_test}) AS c, bool_or({prev_test}) AS v{once_tests} "
        "FROM summary_seen AS seen WHERE seen.multi "
        "AND seen.house_id = ANY((SELECT a FROM houses)::bigint[]) GROUP BY seen.person_id) AS once"
    )
    # The houses are sent once (psycopg writes a value into the text for each place it is used).
    sql = "WITH houses AS (SELECT %(houses)s::bigint[] AS a) " + " UNION ALL ".join(f"({p})" for p in parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, q.params)
        rows = cursor.fetchall()
    got: dict[str, dict[int | None, list[float]]] = defaultdict(dict)
    straddlers: dict[int, dict[int, float]] = defaultdict(dict)
    todays: dict[int, dict[int, float]] = defaultdict(dict)
    once: list[float] = []
    for part, house_id, counts in rows:
        if part == "s":
            straddlers[int(counts[0])][house_id] = counts[1]
        elif part == "g":
            todays[int(counts[0])][house_id] = counts[1]
        elif part == "o":
            once = counts
        else:
            got[part][house_id] = counts
    runs, days, today, multi = got["r"], got["d"], got["t"], got["m"]

    def before(house_id: int, where: Before) -> float:
        r, d, t = where
        value = runs[house_id][r] if house_id in runs else 0.0
        if house_id in days:
            value += days[house_id][d]
        if t is not None and house_id in today:
            value += today[house_id][t]
        return value

    def single(house_id: int, window: ReachWindow) -> float:
        """The people seen in the window in this house, and in no other house."""
        kind, where = window
        if kind == "kept":
            counts = runs.get(house_id)
            return counts[where[0]] - counts[where[1]] if counts else 0.0
        if kind == "month":
            d, t = where
            value = days[house_id][d] if house_id in days else 0.0
            return value + (todays[t].get(house_id, 0.0) if t is not None else 0.0)
        if kind == "span":
            first, last, n = where
            return before(house_id, first) - before(house_id, last) - straddlers[n].get(house_id, 0.0)
        return 0.0

    store.distinct.add("reach")
    values = store.values
    totals = {CUR: once[0], PREV: once[1]}
    for house_id in houses:
        in_several = multi.get(house_id, (0.0, 0.0, 0.0))
        mine = {window: single(house_id, windows[window]) for window in (CUR, PREV)}
        for n, window in enumerate((CUR, PREV)):
            totals[window] += mine[window]
            if mine[window] + in_several[n]:
                values[(house_id, "reach", window)] = mine[window] + in_several[n]
        own = mine[CUR] if house_id not in pilot_of else single(house_id, pilot_of[house_id])
        if own + in_several[2]:
            values[(house_id, "reach", PILOT)] = own + in_several[2]
    for window, value in totals.items():
        if value:
            values[(None, "reach", window)] = value
    months = store.months
    whole = set()
    for n, (month, window) in enumerate(zip(chart, per_month, strict=True)):
        value = once[2 + n]
        if window[0] == "whole":
            whole.add(month)
        else:
            value += sum(single(house_id, window) for house_id in houses)
        if value:
            months[("reach", month)] += value
    if whole:  # the whole months (summed over the houses by stored_sums)
        _houses, kept_months = scope.windows(True).stored_sums().get(REACH_KEPT, ((), ()))
        for month, value in kept_months:
            if month in whole:
                months[("reach", month)] += value


@functools.cache  # made once per process: its queries are compiled once (see Family.inner)
def new_members_family() -> Family:
    """New resident members: verified (decided) in the window. A membership that ended later (the
    person moved away or deleted their account) still was a new member then."""
    return Family(
        Membership.objects.filter(
            role=Role.RESIDENT, status__in=[Membership.Status.ACTIVE, Membership.Status.ENDED]
        ),
        house="house",
        moment=F("decided_at"),
        metrics={"new_members": Agg()},
        monthly=False,
        envelope=lambda window: Q(decided_at__gte=window.lower, decided_at__lt=window.upper),
        stored=True,
    )


def members_now(houses: Any) -> QuerySet:
    """(house id, members) of the houses (`house__in`: a list or a subquery) with members: residents,
    and students who are not also a resident there. Read by members() from summary.stored, which
    counts it again for every house whose memberships change (MembersNow)."""
    active = Membership.objects.filter(status=Membership.Status.ACTIVE)
    # A person has at most one membership per house and role: the residents, and the students who
    # are not also a resident there (counting distinct people sorted 77,000 rows at 200 houses).
    also_resident = active.filter(house=OuterRef("house"), user=OuterRef("user"), role=Role.RESIDENT)
    return (
        active.filter(house__in=houses, role__in=[Role.RESIDENT, Role.STUDENT])
        .order_by()
        .values("house")
        # Counts a column of migration 0005's index, which holds all this reads (an index-only scan).
        .annotate(n=Count("user", filter=Q(role=Role.RESIDENT) | ~Exists(also_resident)))
        .values_list("house", "n")
    )


def members(scope: Scope, store: Store) -> None:
    """New resident members, and the members a house has now (for turnout; the same number stands
    for the period before: it is no window figure): kept per house by summary.stored (a row per
    house instead of every membership read: ~77,000 at 200 houses), or counted (scope.stored off)."""
    _family(new_members_family(), store, scope)
    if scope.stored:
        now = MembersNow.objects.filter(house__in=any_of(scope.house_ids), members__gt=0).values_list(
            "house", "members"
        )
    else:
        # The houses as a list (house_id = ANY): read in the index's order, faster here than any_of.
        now = members_now(scope.house_ids)
    for house_id, n in now:
        for window in (CUR, PREV):
            store.values[(house_id, "members_now", window)] = float(n)


def households(scope: Scope, store: Store) -> None:
    """Households in each house's area (entered by staff), beside the reach of those houses.

    No query: the houses are loaded. Runs after `reach`.
    """
    for house in scope.houses:
        if house.households_in_area:
            for window in WINDOWS:
                store.values[(house.pk, "households", window)] = float(house.households_in_area)
                store.values[(house.pk, "reach_with_households", window)] = store.get(
                    house.pk, "reach", window
                )


def poll_seats(scope: Scope, store: Store) -> None:
    """Polls times members, per house: what turnout divides by. No query; runs after the polls and
    members families."""
    for house_id in scope.house_ids:
        for window in (CUR, PREV):
            seats = store.get(house_id, "polls", window) * store.get(house_id, "members_now", window)
            if seats:
                store.values[(house_id, "poll_seats", window)] = seats


@functools.cache  # made once per process: its queries are compiled once (see Family.inner)
def student_hours_family() -> Family:
    """Approved hours of students, by the day they were done."""
    return Family(
        HourLog.objects.filter(status=HourLog.Status.APPROVED),
        house="house",
        moment=F("period__startswith"),
        metrics={"student_minutes": Agg("sum", "_minutes")},
        columns={"_minutes": F("minutes")},
        envelope=lambda window: Q(period__overlap=window.range()),
        stored=True,
    )


def student_hours(scope: Scope, store: Store) -> None:
    """Approved hours of students (by the day they were done), and their obligations pro rata."""
    _family(student_hours_family(), store, scope)

    pilots = scope.pilots()
    obligations = (
        Obligation.objects.filter(house__in=any_of(scope.house_ids))
        .order_by()
        .values_list("house_id", "first_day", "last_day", "hours_required")
    )
    # The months of the chart, cut to the period: worked out once, not per obligation.
    months = [
        (month, max(month, scope.period.first_day), min(_month_end(month), scope.period.last_day))
        for month in scope.period.months()
    ]
    values, per_month = store.values, store.months
    # Students of a house mostly share their obligation's dates: worked out once per house and dates.
    required_of: dict[tuple[int, dt.date, dt.date], float] = defaultdict(float)
    for house_id, first, last, required in obligations:
        required_of[(house_id, first, last)] += required
    everywhere: dict[tuple[dt.date, dt.date], float] = defaultdict(float)
    for (house_id, first, last), required in required_of.items():
        length = (last - first).days + 1
        pilot = Period(*pilots[house_id])
        for window, period in ((CUR, scope.period), (PREV, scope.previous), (PILOT, pilot)):
            share = period.overlap_days(first, last) / length
            values[(house_id, "student_hours_due", window)] += required * share
        everywhere[(first, last)] += required
    for (first, last), required in everywhere.items():
        length = (last - first).days + 1
        for month, month_first, month_last in months:
            days = max(0, (min(last, month_last) - max(first, month_first)).days + 1)
            per_month[("student_hours_due", month)] += required * days / length


@functools.cache  # made once per process: its queries are compiled once (see Family.inner)
def ideas_family() -> Family:
    """Ideas proposed in the window, and how many of those are planned or done now."""
    return Family(
        Idea.objects.all(),
        house="house",
        moment=F("created_at"),
        metrics={
            "ideas_proposed": Agg(),
            "ideas_planned": Agg(when="_planned"),
            "ideas_done": Agg(when="_done"),
        },
        columns={"_planned": flag(Q(status=Idea.Status.PLANNED)), "_done": flag(Q(status=Idea.Status.DONE))},
        monthly=False,
        envelope=lambda window: Q(created_at__gte=window.lower, created_at__lt=window.upper),
        stored=True,
    )


@functools.cache  # made once per process: its queries are compiled once (see Family.inner)
def polls_family() -> Family:
    """Polls closed in the window, and the members who voted in them."""
    ballots = PollBallot.objects.filter(poll=OuterRef("pk")).order_by().values("poll").annotate(n=Count("pk"))
    return Family(
        Poll.objects.all(),
        house="house",
        moment=F("closes_at"),
        metrics={"polls": Agg(windows=(CUR, PREV)), "voters": Agg("sum", "_voters", windows=(CUR, PREV))},
        columns={"_voters": Coalesce(Subquery(ballots.values("n"), output_field=IntegerField()), 0)},
        monthly=False,
        envelope=lambda window: Q(closes_at__gte=window.lower, closes_at__lt=window.upper),
        stored=True,
    )


def ideas_and_polls(scope: Scope, store: Store) -> None:
    _family(ideas_family(), store, scope)
    _family(polls_family(), store, scope)


@functools.cache  # made once per process: its queries are compiled once (see Family.inner)
def posts_family() -> Family:
    """News posts of the house published in the window."""
    return Family(
        Post.objects.filter(status=Post.Status.PUBLISHED),
        house="house",
        moment=F("publish_at"),
        metrics={"news_posts": Agg()},
        envelope=lambda window: Q(publish_at__gte=window.lower, publish_at__lt=window.upper),
        stored=True,
    )


@functools.cache  # made once per process: its queries are compiled once (see Family.inner)
def issues_family() -> Family:
    """Koffiekranten published for the weeks that start in the window."""
    return Family(
        Issue.objects.filter(status=Issue.Status.PUBLISHED),
        house="house",
        moment=LocalMidnight(F("week_start")),
        metrics={"koffiekrant_issues": Agg(windows=(CUR, PREV))},
        monthly=False,
        envelope=lambda window: Q(week_start__gte=window.day("lower"), week_start__lte=window.day("upper")),
        stored=True,
    )


def news(scope: Scope, store: Store) -> None:
    _family(posts_family(), store, scope)
    _family(issues_family(), store, scope)


FAMILIES: list[Callable[[Scope, Store], None]] = [
    room_use,
    bookable_hours,
    activities_held,
    reach,
    members,
    households,
    student_hours,
    ideas_and_polls,
    poll_seats,
    news,
]


def collect(scope: Scope, families: Iterable[Callable[[Scope, Store], None]] = FAMILIES) -> Store:
    """Run every family once (a fixed number of queries) and return what they counted."""
    store = Store()
    if not scope.houses:
        return store
    from summary import stored  # it counts with this module's families

    stored.refresh()
    for family in dict.fromkeys(families):
        family(scope, store)
    # The windows kept on the scope refer back to it: let them go, so what they read (the kept sums of
    # 200 houses) is freed by reference counting rather than left to the cyclic garbage collector.
    scope.__dict__.pop("_windows", None)
    store.present = frozenset(metric for (_house, metric, _window), value in store.values.items() if value)
    return store
