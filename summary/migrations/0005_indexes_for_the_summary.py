"""Indexes the summary's queries read through (measured at the benchmark's scale 100, 200 houses).

- seen_multi: the people seen in several houses (a few) without reading every Seen row (10 -> 0.1 ms).
- On residents_membership (the summary's own names; the residents app does not use them):
  summary_membership_decided, the new members at a period's edges (15 -> 5 ms), and
  summary_membership_active, the members a house has now, counted from the index alone (17 -> 9 ms).
"""

from django.db import migrations, models

MEMBERSHIP_INDEXES = [
    (
        "summary_membership_decided",
        "CREATE INDEX IF NOT EXISTS summary_membership_decided ON residents_membership (decided_at) "
        "WHERE role = 'resident'",
    ),
    (
        "summary_membership_active",
        "CREATE INDEX IF NOT EXISTS summary_membership_active ON residents_membership "
        "(house_id, role, user_id) WHERE status = 'active'",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("summary", "0004_count_ended_members_again"), ("residents", "0006_erased_and_ended")]

    operations = [
        migrations.AddIndex(
            model_name="seen",
            index=models.Index(condition=models.Q(multi=True), fields=["house"], name="seen_multi"),
        ),
        *(migrations.RunSQL(create, f"DROP INDEX IF EXISTS {name}") for name, create in MEMBERSHIP_INDEXES),
    ]
