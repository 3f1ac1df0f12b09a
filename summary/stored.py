"""What the summary keeps so it stays fast at any size: figures per whole month, and per house and
person the moments they took part.

Counting a pilot year of 200 houses from the rows means reading every booking, sign-up and hour of
it (about a million rows at the benchmark's scale 100). The figures of a month that has passed hardly
change, so they are counted once and kept (MonthFigure); a summary then adds up whole months and
the days at the edges of its periods (selectors.Split: the part of a month inside the period, or the
part outside it taken off the kept month, whichever is shorter). Those days are kept too, as running
totals per house, metric and month (DayRun, counted with the month figures), so only the part of
today before or after now is read from the rows (Split.by_days).
Distinct people do not add up over months, so for them a row per house and person keeps every moment
they took part as a multirange (Seen), which answers "seen in this period?" for any period exactly;
for the chart, REACH_KEPT keeps per house and whole month those seen in that house only (they add up
over houses; selectors.reach counts the few seen in several houses itself). Beside it, per house and
day, how many of those were seen for the first time, for the last time, and for the first time in
that month (REACH_DAYS, with their DayRun and MonthRun like the other figures): reach then counts a
window from a few running totals per house instead of every Seen row (selectors._reach_kept). And
per house the members it has now (MembersNow), counted again for every house whose memberships
changed (StaleHouse, marked by migration 0010's triggers) in the statement that takes the marks.

Kept correct without trusting every code path: PostgreSQL triggers on the counted tables (migration
0002) note each changed house and month (StaleMonth) and person (StalePerson), in the same
transaction as the change (and one on summary_seen, migration 0003, the months of Seen rows that
others delete, such as a deleted person's); `refresh()` counts those again before a summary is
read. Refreshes take turns (an advisory lock): a change committed after one refresh read the rows
leaves a mark that the next one finds, so nothing is lost between two refreshes. The kept values do
not depend on the time of counting (a window's own end stops at now), so a future month can be
counted early.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models.expressions import RawSQL

from activities.models import Activity, Booking, Idea, IdeaSupport, Signup
from residents.models import Membership
from summary.selectors import (
    MONTH,
    REACH_DAYS,
    REACH_FIRST,
    REACH_KEPT,
    REACH_LAST,
    REACH_MONTH_FIRST,
    RUNNING_ROLES,
    Family,
    Windows,
    members_now,
    month_bounds,
    seen_in,
    stored_families,
    window_columns,
)

LOCK = 7_020_907  # pg_advisory_xact_lock key of the summary's refresh
# The local month of a moment of Seen (a range of one moment, "r"), as migration 0003's trigger has it.
MOMENT_MONTH = "date_trunc('month', lower(r) AT TIME ZONE %(zone)s)::date"


def refresh() -> int:
    """Count again what changed since the last refresh: the marked months and people. Returns how
    many marks it took.

    Two queries when nothing changed; else one per family and a few more, however many rows there
    are. A summary page calls it first; the worker also does, every quarter of an hour.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        # The members of the houses whose memberships changed are counted again in the same
        # statement (a row per house, 0 for none left; see selectors.members_now).
        members_sql, members_params = _members_sql()
        cursor.execute(
            f"""
            WITH months AS (DELETE FROM summary_stalemonth RETURNING house_id, month),
                 persons AS (DELETE FROM summary_staleperson RETURNING person_id),
                 houses AS (DELETE FROM summary_stalehouse RETURNING house_id),
                 members AS (
                    INSERT INTO summary_membersnow (house_id, members)
                    SELECT marked.house_id, COALESCE(counted.n, 0)
                    FROM (SELECT DISTINCT house_id FROM houses) AS marked
                    JOIN residents_house AS house ON house.id = marked.house_id
                    LEFT JOIN ({members_sql}) AS counted (house_id, n) ON counted.house_id = marked.house_id
                    ON CONFLICT (house_id) DO UPDATE SET members = EXCLUDED.members
                 )
            SELECT 'm', house_id, month FROM months UNION ALL SELECT 'p', person_id, NULL FROM persons
            UNION ALL SELECT 'h', house_id, NULL FROM houses
            """,  # noqa: S608 - Django's compiled SQL; every value is a parameter
            members_params,
        )
        marks = cursor.fetchall()
        if not marks:
            return 0
        months = sorted({(house_id, month) for kind, house_id, month in marks if kind == "m"})
        persons = sorted({person_id for kind, person_id, _month in marks if kind == "p"})
        if months:
            cursor.execute(
                "WITH days AS (DELETE FROM summary_dayrun "
                "  WHERE (house_id, month) IN (SELECT * FROM unnest(%s::bigint[], %s::date[]))) "
                "DELETE FROM summary_monthfigure "
                "WHERE (house_id, month) IN (SELECT * FROM unnest(%s::bigint[], %s::date[]))",
                [[house for house, _month in months], [month for _house, month in months]] * 2,
            )
            for family in stored_families():
                count_months(family, months)
        seen_months = []
        if persons:
            # The trigger on summary_seen marks the months of what others change there (a person
            # deleted); what count_seen changes, this refresh counts itself.
            cursor.execute("SELECT set_config('summary.counting', 'on', true)")
            seen_months = count_seen(persons)
            cursor.execute("SELECT set_config('summary.counting', 'off', true)")
        count_reach_months(sorted(set(months) | set(seen_months)))
        count_runs(sorted({house for house, _month in months} | {house for house, _month in seen_months}))
    return len(marks)


@functools.cache
def _members_sql() -> tuple[str, tuple]:
    """selectors.members_now of the houses of refresh()'s "houses" (compiled once per process)."""
    return members_now(RawSQL("SELECT house_id FROM houses", ())).query.sql_with_params()


# MonthRun's running totals of every metric of these houses, from their MonthFigure rows: a row
# per month from the first to the last with a figure (months without one add 0). A metric whose
# figures are all gone keeps its row with no months (it reads as 0). Also migration 0007's fill.
RUNS_SQL = """
WITH figures AS (
    SELECT house_id, metric, (extract(year FROM month) * 12 + extract(month FROM month) - 1)::int AS n,
           value
    FROM summary_monthfigure WHERE {houses}
), spans AS (
    SELECT house_id, metric, MIN(n) AS lo, MAX(n) AS hi FROM figures GROUP BY house_id, metric
), running AS (
    SELECT d.house_id, d.metric, d.lo, d.n,
           SUM(COALESCE(f.value, 0)) OVER (PARTITION BY d.house_id, d.metric ORDER BY d.n) AS run
    FROM (SELECT s.*, g.n FROM spans AS s, generate_series(s.lo, s.hi) AS g (n)) AS d
    LEFT JOIN figures AS f USING (house_id, metric, n)
), runs AS (
    SELECT house_id, metric, lo, array_agg(run ORDER BY n) AS runs FROM running GROUP BY house_id, metric, lo
)
INSERT INTO summary_monthrun (house_id, metric, first, runs)
SELECT pairs.house_id, pairs.metric, COALESCE(runs.lo, 0), COALESCE(runs.runs, '{{}}')
FROM (SELECT house_id, metric FROM runs
      UNION SELECT house_id, metric FROM summary_monthrun WHERE {houses}) AS pairs
LEFT JOIN runs USING (house_id, metric)
ON CONFLICT (house_id, metric) DO UPDATE SET first = EXCLUDED.first, runs = EXCLUDED.runs
"""


def count_runs(houses: list[int]) -> None:
    """Work out MonthRun again for these houses (their month figures changed): one statement."""
    if not houses:
        return
    with connection.cursor() as cursor:
        cursor.execute(RUNS_SQL.format(houses="house_id = ANY(%(houses)s)"), {"houses": houses})


# The end of count_months' statement and of REACH_DAYS_SQL: from "f" (h, month, metric, n: the day
# of the month, value), the month figures (their sums) and each month's running totals by day
# (DayRun) are kept ({more}: further statements on the same CTEs, or nothing).
KEEP_DAYS_SQL = """
), kept AS (
    INSERT INTO summary_monthfigure (metric, house_id, month, value)
    SELECT metric, h, month, SUM(value) FROM f GROUP BY metric, h, month
){more}, spans AS (
    SELECT h, metric, month, MAX(n) AS hi FROM f GROUP BY h, metric, month
)
INSERT INTO summary_dayrun (house_id, metric, month, runs)
SELECT h, metric, month, array_agg(run ORDER BY n)
FROM (
    SELECT s.h, s.metric, s.month, g.n,
           SUM(COALESCE(f.value, 0)) OVER (PARTITION BY s.h, s.metric, s.month ORDER BY g.n) AS run
    FROM spans AS s CROSS JOIN LATERAL generate_series(1, s.hi) AS g (n)
    LEFT JOIN f ON f.h = s.h AND f.metric = s.metric AND f.month = s.month AND f.n = g.n
) AS running
GROUP BY h, metric, month
ORDER BY month, h, metric  -- a month's rows side by side: a page reads a few months of every house
"""


def count_months(family: Family, months: list[tuple[int, dt.date]]) -> None:
    """Count the family's metrics for these houses and whole months, per day, and keep them: the
    month figures (MonthFigure, the sum of the days) and the days' running totals within each month
    (DayRun). Zeros are not kept: a month or day without a figure counts as 0. refresh() has
    removed what was kept for them."""
    bounds = [month_bounds(month) for _house, month in months]
    hull = DateTimeTZRange(min(start for start, _ in bounds), max(end for _, end in bounds))
    inner_sql, inner_params = family.inner({house for house, _month in months}, [hull])
    w = Windows(None)
    names = list(family.metrics)
    columns_sql, columns_params = window_columns(family.metrics.values(), [MONTH], w)
    select = [family.metrics[name].sql(MONTH) for name in names]
    zone = settings.TIME_ZONE
    t_day, s_day = 'timezone(%s, "rows"."_t")::date', 'timezone(%s, "rows"."_s")::date'
    if family.range_field:  # every day the row's range touches (and its moment's)
        e_day = 'timezone(%s, "rows"."_e" - interval \'1 microsecond\')::date'
        days = f"generate_series(LEAST({t_day}, {s_day}), GREATEST({t_day}, {e_day}), interval '1 day')"
        days_params = [zone] * 4
    else:
        days, days_params = f"(SELECT {t_day})", [zone]
    values = ", ".join(f"(%s, c.v{n}::float8)" for n in range(len(names)))
    # Counted per house and day ("mo" is the day, the window of window_columns' MONTH), turned into
    # a row per metric; the month figures are their sums and the running totals of each month are
    # kept beside them: one statement. The middle query works out each row's place in its day once.
    sql = f"""
        WITH c AS (
            SELECT "rows"."_h" AS h, "rows"."_day" AS day,
                   {", ".join(f"{agg} AS v{n}" for n, agg in enumerate(select))}
            FROM (
                SELECT "rows".*, mo.day AS "_day", {family.derived_sql}{columns_sql}
                FROM ({inner_sql} OFFSET 0) AS rows
                CROSS JOIN LATERAL (SELECT d::date AS day FROM {days} AS g (d)) AS dd
                CROSS JOIN LATERAL (
                    SELECT dd.day, timezone(%s, dd.day::timestamp) AS s,
                           timezone(%s, (dd.day + 1)::timestamp) AS e
                ) AS mo
                JOIN unnest(%s::bigint[], %s::date[]) AS mk (h, month)
                  ON mk.h = "rows"."_h" AND mk.month = date_trunc('month', mo.day)::date
                OFFSET 0
            ) AS rows
            GROUP BY 1, 2
        ), f AS (
            SELECT c.h, date_trunc('month', c.day)::date AS month, extract(day FROM c.day)::int AS n,
                   v.metric, v.value
            FROM c CROSS JOIN LATERAL (VALUES {values}) AS v (metric, value)
            WHERE v.value <> 0
        {KEEP_DAYS_SQL.format(more="")}
    """  # noqa: S608 - our own names and Django's compiled SQL; every value is a parameter
    params = [
        *columns_params,
        *inner_params,
        *days_params,
        zone,
        zone,
        [house for house, _month in months],
        [month for _house, month in months],
        *names,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# REACH_DAYS for some houses and months ("mo": h, month, and its first moment s and the next month's
# e), from the Seen rows of people seen in that house only: per day of the month, how many were first
# seen then, last seen then, and first seen in that month then; kept as month figures (their sums)
# and their days' running totals (DayRun) by KEEP_DAYS_SQL, as count_months keeps the others
# ({more}: further statements on "mo"). Migration 0009's fill is this statement (then without the
# order of the rows written) for every house and month with a moment.
REACH_DAYS_SQL = (
    """
WITH mo AS ({marks}), f AS (
    SELECT mo.h, mo.month, %(first)s AS metric,
           extract(day FROM seen.first_moment AT TIME ZONE %(zone)s)::int AS n, COUNT(*)::float8 AS value
    FROM mo JOIN summary_seen AS seen ON seen.house_id = mo.h AND NOT seen.multi
     AND seen.first_moment >= mo.s AND seen.first_moment < mo.e
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT mo.h, mo.month, %(last)s, extract(day FROM seen.last_moment AT TIME ZONE %(zone)s)::int, COUNT(*)
    FROM mo JOIN summary_seen AS seen ON seen.house_id = mo.h AND NOT seen.multi
     AND seen.last_moment >= mo.s AND seen.last_moment < mo.e
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT mo.h, mo.month, %(month_first)s, extract(day FROM x.t AT TIME ZONE %(zone)s)::int, COUNT(*)
    FROM mo JOIN summary_seen AS seen ON seen.house_id = mo.h AND NOT seen.multi
     AND seen.first_moment < mo.e AND seen.last_moment >= mo.s
    CROSS JOIN LATERAL (
        SELECT MIN(lower(r)) AS t FROM unnest(seen.moments) AS r WHERE lower(r) >= mo.s AND lower(r) < mo.e
    ) AS x
    WHERE x.t IS NOT NULL
    GROUP BY 1, 2, 3, 4
"""  # noqa: S608 - our own names; every value is a parameter
    + KEEP_DAYS_SQL
)


def count_reach_months(months: list[tuple[int, dt.date]]) -> None:
    """Count REACH_KEPT again for these houses and whole months, from the Seen rows: the people seen
    in that house in that month and in no other house ever (not multi), so that the months add up
    over houses; selectors.reach counts the others itself. And REACH_DAYS, with their days (see
    REACH_DAYS_SQL)."""
    if not months:
        return
    bounds = [month_bounds(month) for _house, month in months]
    params = {
        "metric": REACH_KEPT,
        "metrics": [REACH_KEPT, *REACH_DAYS],
        "days": list(REACH_DAYS),
        "houses": [house for house, _month in months],
        "months": [month for _house, month in months],
        "starts": [start for start, _end in bounds],
        "ends": [end for _start, end in bounds],
        "first": REACH_FIRST,
        "last": REACH_LAST,
        "month_first": REACH_MONTH_FIRST,
        "zone": settings.TIME_ZONE,
    }
    marks = (
        "SELECT * FROM unnest(%(houses)s::bigint[], %(months)s::date[], %(starts)s::timestamptz[], "
        "%(ends)s::timestamptz[]) AS mo (h, month, s, e)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH days AS (DELETE FROM summary_dayrun WHERE metric = ANY(%(days)s) "
            "  AND (house_id, month) IN (SELECT * FROM unnest(%(houses)s::bigint[], %(months)s::date[]))) "
            "DELETE FROM summary_monthfigure WHERE metric = ANY(%(metrics)s) "
            "AND (house_id, month) IN (SELECT * FROM unnest(%(houses)s::bigint[], %(months)s::date[]))",
            params,
        )
        # REACH_KEPT in the same statement.
        reach_kept = f""", reach_kept AS (
            INSERT INTO summary_monthfigure (metric, house_id, month, value)
            SELECT %(metric)s, mo.h, mo.month, COUNT(*)
            FROM mo JOIN summary_seen AS seen ON seen.house_id = mo.h AND NOT seen.multi
             AND {seen_in("mo.s", "mo.e")}
            GROUP BY mo.h, mo.month
        )"""  # noqa: S608 - our own names; every value is a parameter
        cursor.execute(REACH_DAYS_SQL.format(marks=marks, more=reach_kept), params)


def count_seen(persons: list[int]) -> list[tuple[int, dt.date]]:
    """When these people took part, per house: every moment they booked (not for an activity they
    run), signed up for or came to an activity (its start), proposed or supported an idea. Not in a
    house they run now (coordinator, staff): the house does not reach its own team.

    Returns the houses and months of their rows before and after: their REACH_KEPT changes."""
    sql = f"""
        SELECT r.house_id, b.booker_id, lower(b.period)
        FROM {Booking._meta.db_table} AS b JOIN activities_room AS r ON r.id = b.room_id
        WHERE b.booker_id = ANY(%(persons)s) AND b.status = %(confirmed)s
          AND NOT EXISTS (SELECT FROM {Activity._meta.db_table} AS a WHERE a.booking_id = b.id)
        UNION ALL
        SELECT a.house_id, s.person_id, lower(a.period)
        FROM {Signup._meta.db_table} AS s JOIN {Activity._meta.db_table} AS a ON a.id = s.activity_id
        WHERE s.person_id = ANY(%(persons)s) AND (s.status = %(signed_up)s OR s.attended)
          AND a.status = %(planned)s
        UNION ALL
        SELECT i.house_id, i.proposer_id, i.created_at
        FROM {Idea._meta.db_table} AS i WHERE i.proposer_id = ANY(%(persons)s)
        UNION ALL
        SELECT i.house_id, s.person_id, s.created_at
        FROM {IdeaSupport._meta.db_table} AS s JOIN {Idea._meta.db_table} AS i ON i.id = s.idea_id
        WHERE s.person_id = ANY(%(persons)s)
    """  # noqa: S608 - table names from the models; every value is a parameter
    params = {
        "persons": persons,
        "confirmed": Booking.Status.CONFIRMED,
        "signed_up": Signup.Status.CONFIRMED,
        "planned": Activity.Status.PLANNED,
        "active": Membership.Status.ACTIVE,
        "running": list(RUNNING_ROLES),
    }
    params["zone"] = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH gone AS (
                DELETE FROM summary_seen WHERE person_id = ANY(%(persons)s) RETURNING house_id, moments
            )
            SELECT DISTINCT gone.house_id, {MOMENT_MONTH} FROM gone, unnest(gone.moments) AS r
            """,  # noqa: S608
            params,
        )
        before = cursor.fetchall()
        cursor.execute(
            f"""
            WITH new AS (
                INSERT INTO summary_seen (house_id, person_id, moments, multi, first_moment, last_moment)
                SELECT h, p, range_agg(tstzrange(t, t, '[]')), COUNT(*) OVER (PARTITION BY p) > 1,
                       MIN(t), MAX(t)
                FROM ({sql}) AS done (h, p, t)
                WHERE NOT EXISTS (
                    SELECT FROM {Membership._meta.db_table} AS role
                    WHERE role.house_id = done.h AND role.user_id = done.p
                      AND role.status = %(active)s AND role.role = ANY(%(running)s))
                GROUP BY h, p
                RETURNING house_id, moments
            )
            SELECT DISTINCT new.house_id, {MOMENT_MONTH} FROM new, unnest(new.moments) AS r
            """,  # noqa: S608
            params,
        )
        return before + cursor.fetchall()
