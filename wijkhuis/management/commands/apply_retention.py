"""Apply the retention periods: remove the personal details whose period has passed. Run it daily
(the worker does, as the periodic job "apply_retention"); running it twice changes nothing more."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wijkhuis.retention import apply_all


class Command(BaseCommand):
    help = "Remove the personal details whose retention period has passed (see README, Retention)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be removed; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            self.stdout.write(_("Trial run: nothing is changed. This is what would happen:"))
        outcomes = apply_all(dry_run=dry_run)
        for outcome in outcomes:
            line = outcome.line(dry_run=dry_run)
            if outcome.error is None:
                self.stdout.write(line)
            else:
                self.stderr.write(line)
        failed = [o.rule.name for o in outcomes if o.error is not None]
        if failed:
            # The other rules ran; a non-zero exit tells cron or the operator to look.
            raise CommandError(_("Not every rule could be applied: %(rules)s") % {"rules": ", ".join(failed)})
