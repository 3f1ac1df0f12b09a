"""Reach per house and whole month, kept like the other month figures (metric "reach_single").

It counts the people seen in a house in a month who were seen in no other house (Seen.multi is
false), so the months add up over houses; selectors.reach adds the few others itself. refresh()
counts it again for the months it recounts and for the months of the Seen rows it rewrites. A
trigger on summary_seen marks the months of any other change there (a person deleted: Django
deletes their Seen rows), so the next refresh counts those months again; refresh() switches it off
(`summary.counting`) for its own writes, which it counts itself.
"""

from django.conf import settings
from django.db import migrations

# The months a moment may fall in, with a day's margin on both sides as in 0002 (no time zone).
MONTHS = (
    "SELECT DISTINCT x.house_id, m::date FROM {rows} AS x, unnest(x.moments) AS r, "
    "generate_series(date_trunc('month', lower(r) - interval '1 day'), upper(r) + interval '1 day', "
    "interval '1 month') AS m"
)

FORWARD = f"""
CREATE FUNCTION summary_mark_summary_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('summary.counting', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO summary_stalemonth (house_id, month) {MONTHS.format(rows="new_rows")};
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO summary_stalemonth (house_id, month) {MONTHS.format(rows="old_rows")};
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER summary_mark_insert AFTER INSERT ON summary_seen
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summary_mark_summary_seen();
CREATE TRIGGER summary_mark_update AFTER UPDATE ON summary_seen
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION summary_mark_summary_seen();
CREATE TRIGGER summary_mark_delete AFTER DELETE ON summary_seen
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summary_mark_summary_seen();
"""

# What is kept already is counted once, here (a refresh later counts what is still marked).
FILL = """
INSERT INTO summary_monthfigure (metric, house_id, month, value)
SELECT 'reach_single', seen.house_id, m.month, COUNT(*)
FROM summary_seen AS seen
CROSS JOIN LATERAL (
    SELECT DISTINCT date_trunc('month', lower(r) AT TIME ZONE %s)::date AS month FROM unnest(seen.moments) AS r
) AS m
WHERE NOT seen.multi
GROUP BY seen.house_id, m.month
"""

BACKWARD = """
DROP TRIGGER IF EXISTS summary_mark_insert ON summary_seen;
DROP TRIGGER IF EXISTS summary_mark_update ON summary_seen;
DROP TRIGGER IF EXISTS summary_mark_delete ON summary_seen;
DROP FUNCTION IF EXISTS summary_mark_summary_seen();
"""


class Migration(migrations.Migration):
    dependencies = [("summary", "0002_stored_figures")]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunSQL(
            [(FILL, [settings.TIME_ZONE])],
            [("DELETE FROM summary_monthfigure WHERE metric = 'reach_single'", None)],
        ),
    ]
