"""Delete accounts again by number, e.g. after restoring a backup made before they were deleted.

    python manage.py erase_accounts 12 345

The numbers are those of the audit trail's "Account deleted" rows (`#12`). Each account goes the way
it goes when the person deletes it (residents.leaving.erase); one already deleted is skipped, so
running it twice is safe. Exits non-zero when an account could not be deleted (not found, or
something must be settled first, such as being the only organiser of a coming activity).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from residents import leaving
from residents.models import User


class Command(BaseCommand):
    help = "Delete accounts again by number (after restoring a backup), as residents.leaving does."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="+", type=int, help="account numbers, as in the audit trail (#12)")

    def handle(self, *args, ids, **options):
        failed = 0
        for pk in ids:
            person = User.objects.filter(pk=pk).first()
            if person is None:
                self.stderr.write(f"#{pk}: not found")
                failed += 1
            elif person.erased_at is not None:
                self.stdout.write(f"#{pk}: already deleted")
            else:
                try:
                    leaving.erase(person, by=person)
                except leaving.LeaveError as error:
                    self.stderr.write(f"#{pk}: not deleted: {error}")
                    failed += 1
                else:
                    self.stdout.write(f"#{pk}: deleted")
        if failed:
            raise CommandError(f"{failed} of {len(ids)} accounts could not be deleted.")
