"""The summary's figures, counted in SQL: one query per family of figures, whatever the data size.

Every family query groups by house (and by month, for the charts) and counts three windows at once
with FILTER aggregates: the chosen period ("cur"), the one before ("prev") and each house's own pilot
("pilot", for the targets; its edges per house are joined as a VALUES list, see Windows). The results
land in a Store: metric values per house and window, and per month (chosen period only, all houses).

The number of queries is fixed: it depends on the families, never on the number of houses or rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)

from activities.models import (
    Activity,
    Booking,
    Category,
    Idea,
    IdeaSupport,
    Poll,
    RoomClosure,
    RoomHours,
    Signup,
)
from duties.models import HourLog, Obligation
from news.models import Issue, Post
from residents.models import Membership, Role
from summary.periods import Period, house_pilot

CUR, PREV, PILOT = "cur", "prev", "pilot"
WINDOWS = (CUR, PREV, PILOT)
# People who run the house are not "reached" by it.
RUNNING_ROLES = (Role.COORDINATOR, Role.STAFF)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- the scope and where the numbers go --------------------------------------------------------


@dataclass
class Scope:
    """What a summary counts: these houses, this period and the one before, as of `now`."""

    houses: list
    period: Period
    now: dt.datetime
    previous: Period = field(init=False)

    def __post_init__(self) -> None:
        self.previous = self.period.previous()

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(zone()).date()

    @property
    def house_ids(self) -> list[int]:
        return [h.pk for h in self.houses]

    def pilots(self) -> dict[int, tuple[dt.date, dt.date]]:
        if not hasattr(self, "_pilots"):
            self._pilots = {h.pk: house_pilot(h, self.today) for h in self.houses}
        return self._pilots

    def clip(self, bounds: tuple[dt.datetime, dt.datetime]) -> tuple[dt.datetime, dt.datetime]:
        """Count up to now: what is booked or planned after today is not part of "so far"."""
        start, end = bounds
        return start, max(start, min(end, self.now))

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
    months: dict[tuple[str, dt.date], float] = field(default_factory=lambda: defaultdict(float))
    distinct: set[str] = field(default_factory=set)  # metrics whose total is counted, not summed

    def get(self, house_id: int | None, metric: str, window: str = CUR) -> float:
        return self.values.get((house_id, metric, window), 0.0)

    def total(self, house_ids: Iterable[int], metric: str, window: str = CUR) -> float:
        if metric in self.distinct:
            return self.values.get((None, metric, window), 0.0)
        return sum(self.values.get((h, metric, window), 0.0) for h in house_ids)

    def month(self, metric: str, month: dt.date) -> float:
        return self.months.get((metric, month), 0.0)

    def has(self, metric: str) -> bool:
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


class Windows:
    """The three windows as SQL over the rows of a family: "rows"."_t" is a row's moment, "rows"."_s"
    and "rows"."_e" the start and end of its range; the pilot's edges come per house from the
    joined "pilot" rows (made in Python by periods.house_pilot, so SQL repeats no rule)."""

    def __init__(self, scope: Scope):
        self.bounds = {CUR: scope.clip(scope.period.bounds()), PREV: scope.clip(scope.previous.bounds())}
        self.scope = scope

    def edges(self, window: str) -> tuple[str, str, list]:
        if window == PILOT:
            return "pilot.s", "pilot.e", []
        start, end = self.bounds[window]
        return "%s", "%s", [start, end]

    def holds(self, window: str, column: str = '"rows"."_t"') -> tuple[str, list]:
        start, end, params = self.edges(window)
        return f"{column} >= {start} AND {column} < {end}", params

    def overlaps(self, window: str) -> tuple[str, list]:
        start, end, (*params,) = self.edges(window)
        return f'"rows"."_s" < {end} AND "rows"."_e" > {start}', params[::-1]

    def hours(self, window: str) -> tuple[str, list]:
        """Hours of the row's range inside the window."""
        start, end, params = self.edges(window)
        sql = (
            f'GREATEST(0, EXTRACT(EPOCH FROM LEAST("rows"."_e", {end}) - GREATEST("rows"."_s", {start})))'
            "::double precision / 3600.0"
        )
        return sql, params[::-1]

    def pilot_rows(self) -> tuple[str, list]:
        """A VALUES list of (house, first moment, first moment after) of each house's pilot."""
        rows, params = [], []
        for house_id, (start, end) in self.scope.pilot_bounds().items():
            rows.append("(%s::bigint, %s::timestamptz, %s::timestamptz)")
            params.extend([house_id, start, end])
        return f"(VALUES {', '.join(rows)}) AS pilot (h, s, e)", params


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

    def sql(self, window: str, w: Windows) -> tuple[str, list]:
        conditions, params = [], []
        if not self.anytime:
            condition, p = w.overlaps(window) if self.over else w.holds(window)
            conditions.append(condition)
            params.extend(p)
        if self.when:
            conditions.append(f'"rows"."{self.when}"')
        where = " AND ".join(conditions) or "TRUE"
        if self.column == "hours":
            value, p = w.hours(window)
            return f"SUM({value}) FILTER (WHERE {where})", p + params
        column = f'"rows"."{self.column}"' if self.column else "*"
        value = {
            "count": f"COUNT({column})",
            "sum": f"SUM({column})",
            "distinct": f"COUNT(DISTINCT {column})",
        }
        return f"{value[self.kind]} FILTER (WHERE {where})", params


def _family(
    qs: QuerySet,
    store: Store,
    scope: Scope,
    *,
    house: str,
    moment,
    metrics: dict[str, Agg],
    columns: dict | None = None,
    monthly: bool = True,
    envelope: Q,
    range_field: str | None = None,
) -> None:
    """One query: the metrics per house (and per month of the chosen period), for every window.

    `envelope` keeps the rows any window may need. Say it so PostgreSQL can estimate it: a range
    overlap (`period__overlap`) or bounds on a plain column; bounds on lower()/upper() of a range it
    takes for a handful of rows, and then sorts on disk and loops where it should hash.

    The inner query (the ORM's) reads each row once and works out its moment and columns; the
    outer one only compares those with the windows' edges, given as parameters. OFFSET 0 keeps
    PostgreSQL from folding the inner query back, which would work the moment out again for
    every aggregate.
    """
    rows = {"_h": F(house), "_t": moment}
    if range_field:
        rows["_s"], rows["_e"] = F(f"{range_field}__startswith"), F(f"{range_field}__endswith")
    rows.update(columns or {})
    inner = (
        qs.order_by()
        .filter(**{f"{house}__in": scope.house_ids})
        .filter(envelope)
        .annotate(**rows)
        .values(*rows)
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    w = Windows(scope)
    select, params = ['"rows"."_h"'], []
    if monthly:
        in_cur, p = w.holds(CUR)
        select.append(f'CASE WHEN {in_cur} THEN date_trunc(\'month\', "rows"."_t" AT TIME ZONE %s)::date END')
        params.extend([*p, settings.TIME_ZONE])
    names = [(name, window) for name, agg in metrics.items() for window in agg.windows]
    for name, window in names:
        sql, p = metrics[name].sql(window, w)
        select.append(sql)
        params.extend(p)
    pilot_sql, pilot_params = w.pilot_rows()
    group = "1, 2" if monthly else "1"
    # Only our own names and Django's compiled SQL go into the text; every value is a parameter.
    sql = (
        f"SELECT {', '.join(select)} FROM ({inner_sql} OFFSET 0) AS rows "  # noqa: S608
        f'JOIN {pilot_sql} ON pilot.h = "rows"."_h" GROUP BY {group}'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params, *pilot_params])
        results = cursor.fetchall()
    first = 2 if monthly else 1
    for row in results:
        house_id, month = row[0], (row[1] if monthly else None)
        for (name, window), value in zip(names, row[first:], strict=True):
            if not value:
                continue
            store.values[(house_id, name, window)] += float(value)
            if month is not None and window == CUR:
                store.months[(name, month)] += float(value)


# --- the families -----------------------------------------------------------------------------


def room_use(scope: Scope, store: Store) -> None:
    """The living room: confirmed hours (clipped to each window), took place, no-shows, purposes."""
    start = F("period__startswith")
    metrics = {
        "room_booked_hours": Agg("sum", "hours", over=True),
        "room_held_hours": Agg("sum", "hours", when="_held", over=True),
        "room_no_show_hours": Agg("sum", "hours", when="_no_show", windows=(CUR, PREV), over=True),
        "room_bookings": Agg(windows=(CUR, PREV)),
        **{
            f"room_bookings_{value}": Agg(when=f"_is_{value}", windows=(CUR,))
            for value in Booking.Category.values
        },
    }
    columns = {
        "_held": flag(Q(took_place=True)),
        "_no_show": flag(Q(took_place=False)),
        **{f"_is_{value}": flag(Q(category=value)) for value in Booking.Category.values},
    }
    _family(
        Booking.objects.filter(status=Booking.Status.CONFIRMED),
        store,
        scope,
        house="room__house",
        moment=start,
        metrics=metrics,
        columns=columns,
        envelope=Q(period__overlap=scope.envelope_range()),
        range_field="period",
    )


def bookable_hours(scope: Scope, store: Store) -> None:
    """Hours the rooms can be booked (their hours per weekday) minus closed days: two small queries.

    Wall-clock hours; the two nights a year the clocks change are an hour off, which is fine here.
    """
    per_weekday: dict[int, list[float]] = defaultdict(lambda: [0.0] * 7)  # room -> hours per weekday
    house_of: dict[int, int] = {}
    rows = RoomHours.objects.filter(room__house__in=scope.house_ids).values_list(
        "room_id", "room__house_id", "weekday", "opens", "closes"
    )
    for room_id, house_id, weekday, opens, closes in rows:
        minutes = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
        per_weekday[room_id][weekday] += minutes / 60
        house_of[room_id] = house_id
    if not per_weekday:
        return
    closed: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    first_day = min(scope.previous.first_day, scope.period.first_day)
    for room_id, first, last in RoomClosure.objects.filter(
        room_id__in=list(per_weekday), last_day__gte=first_day, first_day__lte=scope.period.last_day
    ).values_list("room_id", "first_day", "last_day"):
        closed[room_id].append((first, last))

    for window, period in ((CUR, scope.period), (PREV, scope.previous)):
        for room_id, hours in per_weekday.items():
            days = _weekday_counts(period.first_day, period.last_day)
            for first, last in _merged(closed.get(room_id, []), period):
                for weekday, n in enumerate(_weekday_counts(first, last)):
                    days[weekday] -= n
            store.values[(house_of[room_id], "room_bookable_hours", window)] += sum(
                h * n for h, n in zip(hours, days, strict=True)
            )
        if window == CUR:
            for month in period.months():
                month_period = Period(max(month, period.first_day), min(_month_end(month), period.last_day))
                for room_id, hours in per_weekday.items():
                    days = _weekday_counts(month_period.first_day, month_period.last_day)
                    for first, last in _merged(closed.get(room_id, []), month_period):
                        for weekday, n in enumerate(_weekday_counts(first, last)):
                            days[weekday] -= n
                    store.months[("room_bookable_hours", month)] += sum(
                        h * n for h, n in zip(hours, days, strict=True)
                    )


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


def activities_held(scope: Scope, store: Store) -> None:
    """Activities held: planned (not cancelled) and ended within the window, by kind; walk-ins;
    and their sign-ups and the people who came (counted per activity first, then added up)."""
    end = F("period__endswith")
    held = Activity.objects.filter(status=Activity.Status.PLANNED, period__endswith__lte=scope.now)
    metrics = {
        "activities_held": Agg(),
        "activities_recorded": Agg(when="_recorded"),
        "walk_ins": Agg("sum", "_walk_ins"),
        "signed_up": Agg("sum", "_signed_up"),
        "came": Agg("sum", "_came"),
        **{f"activities_held_{value}": Agg(when=f"_is_{value}", windows=(CUR,)) for value in Category.values},
    }
    columns = {
        "_recorded": flag(Q(attendance_recorded_at__isnull=False)),
        "_walk_ins": F("walk_ins"),
        "_signed_up": Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)),
        "_came": Count("signups", filter=Q(signups__attended=True)),
        **{f"_is_{value}": flag(Q(category=value)) for value in Category.values},
    }
    _family(
        held,
        store,
        scope,
        house="house",
        moment=end,
        metrics=metrics,
        columns=columns,
        envelope=Q(period__overlap=scope.envelope_range()),
    )


def reach(scope: Scope, store: Store) -> None:
    """Distinct people who booked, signed up, came, proposed or supported an idea: one UNION query.

    Counted per house, per month of the chosen period and over all houses at once, leaving out the
    house's coordinators and staff.
    """
    first, last = scope.envelope()
    ids = scope.house_ids
    parts = [
        Booking.objects.filter(
            # An activity's booking is made by whoever runs it. NOT EXISTS, not activity__isnull
            # (a LEFT JOIN ... IS NULL PostgreSQL estimates at one row, and then loops).
            ~Exists(Activity.objects.filter(booking=OuterRef("pk"))),
            status=Booking.Status.CONFIRMED,
            room__house__in=ids,
            period__overlap=scope.envelope_range(),
        ).values_list("room__house_id", "booker_id", F("period__startswith")),
        Signup.objects.filter(
            Q(status=Signup.Status.CONFIRMED) | Q(attended=True),
            activity__status=Activity.Status.PLANNED,
            activity__house__in=ids,
            activity__period__overlap=scope.envelope_range(),
        ).values_list("activity__house_id", "person_id", F("activity__period__startswith")),
        Idea.objects.filter(house__in=ids, created_at__gte=first, created_at__lt=last).values_list(
            "house_id", "proposer_id", "created_at"
        ),
        IdeaSupport.objects.filter(
            idea__house__in=ids, created_at__gte=first, created_at__lt=last
        ).values_list("idea__house_id", "person_id", "created_at"),
    ]
    union, params = [], []
    for n, qs in enumerate(parts):
        sql, p = qs.order_by().query.sql_with_params()
        union.append(f"SELECT * FROM ({sql}) AS part{n}")  # noqa: S608 - Django's SQL, values are parameters
        params.extend(p)
    cur, prev = scope.clip(scope.period.bounds()), scope.clip(scope.previous.bounds())
    pilot_sql, pilot_params = Windows(scope).pilot_rows()
    # Each person once per house and month of the chosen period (m, NULL outside it) with the other
    # windows they were seen in (bool_or): grouped before it is kept, so far fewer rows than events
    # are materialized. Then once per house (plain counts per house); per month and over all houses
    # a DISTINCT over those few rows.
    sql = f"""
        WITH done (h, p, t) AS ({" UNION ALL ".join(union)}),
        seen AS MATERIALIZED (
            SELECT done.h, done.p,
                   CASE WHEN done.t >= %s AND done.t < %s
                        THEN date_trunc('month', done.t AT TIME ZONE %s)::date END AS m,
                   bool_or(done.t >= %s AND done.t < %s) AS in_prev,
                   bool_or(done.t >= pilot.s AND done.t < pilot.e) AS in_pilot
            FROM done JOIN {pilot_sql} ON pilot.h = done.h
            WHERE NOT EXISTS (
                SELECT FROM residents_membership AS role
                WHERE role.house_id = done.h AND role.user_id = done.p
                  AND role.status = %s AND role.role = ANY(%s))
            GROUP BY 1, 2, 3
        ),
        person AS (
            SELECT h, p, bool_or(m IS NOT NULL) AS in_cur, bool_or(in_prev) AS in_prev,
                   bool_or(in_pilot) AS in_pilot
            FROM seen GROUP BY h, p
        )
        SELECT 1, h, NULL::date,
               COUNT(*) FILTER (WHERE in_cur), COUNT(*) FILTER (WHERE in_prev),
               COUNT(*) FILTER (WHERE in_pilot)
        FROM person GROUP BY h
        UNION ALL
        SELECT 2, NULL, m, COUNT(*), 0, 0
        FROM (SELECT DISTINCT m, p FROM seen WHERE m IS NOT NULL) AS month_person GROUP BY m
        UNION ALL
        SELECT 3, NULL, NULL,
               COUNT(DISTINCT p) FILTER (WHERE in_cur), COUNT(DISTINCT p) FILTER (WHERE in_prev), 0
        FROM person
    """  # noqa: S608
    params = [
        *params,
        cur[0],
        cur[1],
        settings.TIME_ZONE,
        prev[0],
        prev[1],
        *pilot_params,
        Membership.Status.ACTIVE,
        list(RUNNING_ROLES),
    ]
    store.distinct.add("reach")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, house_id, month, n_cur, n_prev, n_pilot in cursor.fetchall():
            if kind == 1:  # per house
                for window, n in ((CUR, n_cur), (PREV, n_prev), (PILOT, n_pilot)):
                    store.values[(house_id, "reach", window)] = float(n)
            elif kind == 2:  # per month of the chosen period
                store.months[("reach", month)] = float(n_cur)
            else:  # all houses; the pilot total is not needed (targets add up houses)
                store.values[(None, "reach", CUR)] = float(n_cur)
                store.values[(None, "reach", PREV)] = float(n_prev)


def members(scope: Scope, store: Store) -> None:
    """New resident members (verified in the window), and the members a house has now (for turnout)."""
    metrics = {
        "new_members": Agg(when="_resident"),
        "members_now": Agg("distinct", "_member", windows=(CUR,), when="_is_member", anytime=True),
    }
    columns = {
        "_resident": flag(Q(role=Role.RESIDENT, status=Membership.Status.ACTIVE)),
        "_member": F("user_id"),
        "_is_member": flag(Q(role__in=[Role.RESIDENT, Role.STUDENT], status=Membership.Status.ACTIVE)),
    }
    _family(
        Membership.objects.all(),
        store,
        scope,
        house="house",
        moment=F("decided_at"),
        metrics=metrics,
        columns=columns,
        monthly=False,
        envelope=Q(),  # the members a house has now: every membership
    )
    # members_now is no window figure: the same number stands for the period before.
    for (house_id, name, window), value in list(store.values.items()):
        if name == "members_now" and window == CUR:
            store.values[(house_id, name, PREV)] = value


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


def student_hours(scope: Scope, store: Store) -> None:
    """Approved hours of students (by the day they were done), and their obligations pro rata."""
    metrics = {"student_minutes": Agg("sum", "_minutes")}
    _family(
        HourLog.objects.filter(status=HourLog.Status.APPROVED),
        store,
        scope,
        house="house",
        moment=F("period__startswith"),
        metrics=metrics,
        columns={"_minutes": F("minutes")},
        envelope=Q(period__overlap=scope.envelope_range()),
    )

    pilots = scope.pilots()
    obligations = (
        Obligation.objects.filter(house__in=scope.house_ids)
        .order_by()
        .values_list("house_id", "first_day", "last_day", "hours_required")
    )
    for house_id, first, last, required in obligations:
        length = (last - first).days + 1
        pilot = Period(*pilots[house_id])
        for window, period in ((CUR, scope.period), (PREV, scope.previous), (PILOT, pilot)):
            share = period.overlap_days(first, last) / length
            store.values[(house_id, "student_hours_due", window)] += required * share
        for month in scope.period.months():
            month_period = Period(
                max(month, scope.period.first_day), min(_month_end(month), scope.period.last_day)
            )
            due = required * month_period.overlap_days(first, last) / length
            store.months[("student_hours_due", month)] += due


def ideas_and_polls(scope: Scope, store: Store) -> None:
    """Ideas proposed in the window, and how many of those are planned or done now; polls closed."""
    metrics = {
        "ideas_proposed": Agg(),
        "ideas_planned": Agg(when="_planned"),
        "ideas_done": Agg(when="_done"),
    }
    columns = {"_planned": flag(Q(status=Idea.Status.PLANNED)), "_done": flag(Q(status=Idea.Status.DONE))}
    _family(
        Idea.objects.all(),
        store,
        scope,
        house="house",
        moment=F("created_at"),
        metrics=metrics,
        columns=columns,
        monthly=False,
        envelope=Q(created_at__range=scope.envelope()),
    )

    closes = F("closes_at")
    first, last = scope.envelope()
    closed = Poll.objects.filter(closes_at__gte=first, closes_at__lt=min(last, scope.now))
    metrics = {
        "polls": Agg("distinct", "_poll", windows=(CUR, PREV)),
        "voters": Agg("count", "_ballot", windows=(CUR, PREV)),
    }
    columns = {"_poll": F("pk"), "_ballot": F("ballots")}
    _family(
        closed,
        store,
        scope,
        house="house",
        moment=closes,
        metrics=metrics,
        columns=columns,
        monthly=False,
        envelope=Q(),
    )


def news(scope: Scope, store: Store) -> None:
    """News posts of the house published in the window, and koffiekranten of its weeks."""
    first, last = scope.envelope()
    posts = Post.objects.filter(
        status=Post.Status.PUBLISHED, publish_at__gte=first, publish_at__lt=min(last, scope.now)
    )
    _family(
        posts,
        store,
        scope,
        house="house",
        moment=F("publish_at"),
        metrics={"news_posts": Agg()},
        envelope=Q(),
    )
    _family(
        Issue.objects.filter(status=Issue.Status.PUBLISHED),
        store,
        scope,
        house="house",
        moment=LocalMidnight(F("week_start")),
        metrics={"koffiekrant_issues": Agg(windows=(CUR, PREV))},
        monthly=False,
        envelope=Q(week_start__range=scope.envelope_days()),
    )


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
    for family in dict.fromkeys(families):
        family(scope, store)
    return store
