"""The audit trail is append-only, held by the database: UPDATE and DELETE of its rows raise.

Allowed, because Django and the privacy rules need it:
- cutting a row loose from a person, house or object type (the column set to NULL, nothing else
  changed): what on_delete=SET_NULL does when a user or house is deleted, and what anonymising a
  closed worry does (care.worries.anonymise_closed sets `actor` to NULL);
- anything inside residents.audit.changing_the_trail(), which sets wijkhuis.allow_audit_change for
  its transaction (erasing a person's name from old rows; the demo's backdated history).
TRUNCATE (flushing a test database) fires no row trigger.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION residents_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('wijkhuis.allow_audit_change', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
        AND NEW.id = OLD.id
        AND NEW.created_at = OLD.created_at
        AND NEW.action = OLD.action
        AND NEW.target_id = OLD.target_id
        AND NEW.target_repr = OLD.target_repr
        AND NEW.changes = OLD.changes
        AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
        AND (NEW.on_behalf_of_id IS NULL OR NEW.on_behalf_of_id = OLD.on_behalf_of_id)
        AND (NEW.house_id IS NULL OR NEW.house_id = OLD.house_id)
        AND (NEW.target_type_id IS NULL OR NEW.target_type_id = OLD.target_type_id)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail cannot be changed or deleted (% of audit event %)', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER residents_auditevent_append_only
BEFORE UPDATE OR DELETE ON residents_auditevent
FOR EACH ROW EXECUTE FUNCTION residents_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS residents_auditevent_append_only ON residents_auditevent;
DROP FUNCTION IF EXISTS residents_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0004_user_reminders"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
