"""Running totals per house and metric over the kept month figures (MonthRun).

A window's whole months are then the difference of two array elements per house and metric, read
from ~6,000 rows at the benchmark's scale 100 instead of adding up ~62,000 month figures (the
summary's slowest query after reach). summary.stored.count_runs works them out again for every
house whose month figures refresh() changes; the fill below is the same statement for every house.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

# summary.stored.RUNS_SQL as it was, for every house.
FILL = """
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
""".format(houses="TRUE")


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0006_erased_and_ended"),
        ("summary", "0006_seen_first_and_last"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("metric", models.CharField(max_length=60)),
                ("first", models.IntegerField()),
                ("runs", django.contrib.postgres.fields.ArrayField(base_field=models.FloatField())),
                (
                    "house",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="residents.house"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("house", "metric"), name="month_run_once")],
            },
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
