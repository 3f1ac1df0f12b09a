"""Running totals per house, metric and day within each month (DayRun), so a window's edges are kept
figures instead of rows read. Filled by marking every kept month stale: the next refresh() counts
them again, with their days (summary.stored.count_days), as after any change."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0006_erased_and_ended"),
        ("summary", "0007_month_runs"),
    ]

    operations = [
        migrations.CreateModel(
            name="DayRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("metric", models.CharField(max_length=60)),
                ("month", models.DateField()),
                ("runs", django.contrib.postgres.fields.ArrayField(base_field=models.FloatField())),
                (
                    "house",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="residents.house"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("house", "month", "metric"), name="day_run_once")
                ],
            },
        ),
        migrations.RunSQL(
            "INSERT INTO summary_stalemonth (house_id, month) "
            "SELECT DISTINCT house_id, month FROM summary_monthfigure",
            migrations.RunSQL.noop,
        ),
    ]
