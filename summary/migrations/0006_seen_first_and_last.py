"""Seen keeps the first and the last moment of each row beside the multirange.

"Seen in [start, end)?" is then decided from those two for every row whose moments do not straddle
a window's edge (see selectors.seen_in); only the others read the multirange (about 270 bytes a row,
copied for every test). At the benchmark's scale 100, reach went from ~35 to ~10 ms.

The fill writes summary_seen with `summary.counting` on, so migration 0003's trigger marks nothing:
no moment changes, so no kept month does either.
"""

from django.db import migrations, models

FILL = """
SELECT set_config('summary.counting', 'on', true);
UPDATE summary_seen SET first_moment = lower(moments), last_moment = upper(moments);
SELECT set_config('summary.counting', 'off', true);
"""


class Migration(migrations.Migration):
    dependencies = [("summary", "0005_indexes_for_the_summary")]

    operations = [
        migrations.AddField(model_name="seen", name="first_moment", field=models.DateTimeField(null=True)),
        migrations.AddField(model_name="seen", name="last_moment", field=models.DateTimeField(null=True)),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(model_name="seen", name="first_moment", field=models.DateTimeField()),
        migrations.AlterField(model_name="seen", name="last_moment", field=models.DateTimeField()),
    ]
