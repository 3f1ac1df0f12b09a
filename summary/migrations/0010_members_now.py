"""The members a house has now, kept per house (MembersNow) instead of counted from every membership
(~77,000 at the benchmark's scale 100, ~20 ms a page). Triggers on residents_membership mark the
houses of every membership written or deleted (StaleHouse: any path, also bulk writes, cascades and
raw SQL); summary.stored.refresh counts those houses again. The fill marks every house, so the next
refresh counts them all."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE FUNCTION summary_mark_house_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO summary_stalehouse (house_id) SELECT DISTINCT house_id FROM new_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO summary_stalehouse (house_id) SELECT DISTINCT house_id FROM old_rows;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER summary_mark_house_insert AFTER INSERT ON residents_membership
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summary_mark_house_membership();
CREATE TRIGGER summary_mark_house_update AFTER UPDATE ON residents_membership
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION summary_mark_house_membership();
CREATE TRIGGER summary_mark_house_delete AFTER DELETE ON residents_membership
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summary_mark_house_membership();
INSERT INTO summary_stalehouse (house_id) SELECT id FROM residents_house;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS summary_mark_house_insert ON residents_membership;
DROP TRIGGER IF EXISTS summary_mark_house_update ON residents_membership;
DROP TRIGGER IF EXISTS summary_mark_house_delete ON residents_membership;
DROP FUNCTION IF EXISTS summary_mark_house_membership();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0006_erased_and_ended"),
        ("summary", "0009_reach_days"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaleHouse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("house_id", models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="MembersNow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("members", models.IntegerField()),
                (
                    "house",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="residents.house"
                    ),
                ),
            ],
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
