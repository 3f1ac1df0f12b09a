"""Reach from running totals: per house and day, how many people (seen in that house only) were seen
for the first time, for the last time, and for the first time in that month (REACH_DAYS), kept as
month figures with their days (DayRun) and running totals (MonthRun), as the other kept figures.

selectors.reach then counts the people seen in a window from a few array elements per house instead
of testing every Seen row (~54,000 rows, ~50 ms at the benchmark's scale 100). What it still reads
from the rows goes through the indexes made here: the Seen rows whose first (or last) moment is in a
part of a day or before a window (seen_first, seen_last), and those with a moment in a given hour
(seen_hours: summary_seen_hours(moments), the whole hours since 1970 of their moments).

The fill is summary.stored.REACH_DAYS_SQL as it was, for every house and month with a moment; then
the running totals of every house (migration 0007's statement). It writes no Seen row, so migration
0003's trigger marks nothing.
"""

import importlib

from django.conf import settings
from django.db import migrations

FUNCTION = """
CREATE FUNCTION summary_seen_hours(moments tstzmultirange) RETURNS int[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(DISTINCT h) FROM unnest(moments) AS r,
        generate_series(floor(extract(epoch FROM lower(r)) / 3600)::int,
                        floor(extract(epoch FROM upper(r)) / 3600)::int) AS h
$$;
CREATE INDEX seen_hours ON summary_seen USING gin (summary_seen_hours(moments)) WHERE NOT multi;
CREATE INDEX seen_first ON summary_seen (first_moment) WHERE NOT multi;
CREATE INDEX seen_last ON summary_seen (last_moment) WHERE NOT multi;
"""

FUNCTION_BACKWARD = """
DROP INDEX IF EXISTS seen_hours;
DROP INDEX IF EXISTS seen_first;
DROP INDEX IF EXISTS seen_last;
DROP FUNCTION IF EXISTS summary_seen_hours(tstzmultirange);
"""

METRICS = ("reach_first", "reach_last", "reach_month_first")

# Every house and month with a moment of someone seen in that house only.
MARKS = """
SELECT DISTINCT seen.house_id AS h, m.month, timezone(%(zone)s, m.month::timestamp) AS s,
       timezone(%(zone)s, (m.month + interval '1 month')::timestamp) AS e
FROM summary_seen AS seen
CROSS JOIN LATERAL (
    SELECT DISTINCT date_trunc('month', lower(r) AT TIME ZONE %(zone)s)::date AS month
    FROM unnest(seen.moments) AS r
) AS m
WHERE NOT seen.multi
"""

# summary.stored.REACH_DAYS_SQL as it was (without its REACH_KEPT part: that is kept already).
REACH_DAYS_SQL = """
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
), kept AS (
    INSERT INTO summary_monthfigure (metric, house_id, month, value)
    SELECT metric, h, month, SUM(value) FROM f GROUP BY metric, h, month
), spans AS (
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
"""

REMOVE = [
    ("DELETE FROM summary_dayrun WHERE metric = ANY(%s)", [list(METRICS)]),
    ("DELETE FROM summary_monthfigure WHERE metric = ANY(%s)", [list(METRICS)]),
    ("DELETE FROM summary_monthrun WHERE metric = ANY(%s)", [list(METRICS)]),
]


def fill_params() -> dict:
    return {
        "zone": settings.TIME_ZONE,
        "first": METRICS[0],
        "last": METRICS[1],
        "month_first": METRICS[2],
    }


def fill(apps, schema_editor) -> None:
    runs = importlib.import_module("summary.migrations.0007_month_runs").FILL
    with schema_editor.connection.cursor() as cursor:
        for sql, params in REMOVE:
            cursor.execute(sql, params)
        cursor.execute(REACH_DAYS_SQL.format(marks=MARKS), fill_params())
        cursor.execute(runs)


def unfill(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for sql, params in REMOVE:
            cursor.execute(sql, params)


class Migration(migrations.Migration):
    dependencies = [("summary", "0008_day_runs")]

    operations = [
        migrations.RunSQL(FUNCTION, FUNCTION_BACKWARD),
        migrations.RunPython(fill, unfill),
    ]
