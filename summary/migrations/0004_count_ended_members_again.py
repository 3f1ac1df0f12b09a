"""New members now also counts memberships that ended later (moved away, account deleted): mark the
months of such memberships, so the kept figures are counted again with the new rule."""

from django.db import migrations

MARK = """
INSERT INTO summary_stalemonth (house_id, month)
SELECT DISTINCT house_id, m::date
FROM residents_membership,
     generate_series(date_trunc('month', decided_at - interval '1 day'), decided_at + interval '1 day',
                     interval '1 month') m
WHERE status = 'ended' AND role = 'resident' AND decided_at IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [("summary", "0003_reach_months"), ("residents", "0006_erased_and_ended")]

    operations = [migrations.RunSQL(MARK, migrations.RunSQL.noop)]
