"""Restore a backup made by `manage.py backup` (see wijkhuis/backup.py, README "Backups").

    python manage.py restore 2026-03-05T021500Z          # a folder in BACKUP_DIR
    python manage.py restore /srv/backups/2026-03-05T021500Z --yes
    python manage.py restore 2026-03-05T021500Z --from-storage backups --yes

Every file is checked against the manifest first; a damaged backup changes nothing. Without --yes
it refuses when the database has tables or the storage has files, and says what would be lost.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from wijkhuis.backup import BackupError, pending_migrations, restore_backup


class Command(BaseCommand):
    help = "Replace the database and the media files with those of a backup."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup folder, or its name in BACKUP_DIR or the storage")
        parser.add_argument(
            "--from-storage", metavar="ALIAS", help="take the backup from this storage of STORAGES"
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="replace what the database and the media storage hold now",
        )

    def handle(self, *args, backup, from_storage=None, yes=False, **options):
        try:
            restored = restore_backup(backup, from_storage=from_storage, yes=yes, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(f"The restore failed: {exc}") from exc
        except OSError as exc:
            raise CommandError(
                f"The restore failed: {exc}. If the database was restored already, the media "
                "files may be incomplete: run the restore again."
            ) from exc
        self.stdout.write("Restore complete. Next:")
        pending = pending_migrations()
        if pending:
            self.stdout.write(
                f"  - this version of the portal has {len(pending)} migration(s) the backup lacks: "
                "run `python manage.py migrate`;"
            )
        if restored.erased_since:
            ids = " ".join(str(pk) for pk in restored.erased_since)
            self.stdout.write(
                f"  - {len(restored.erased_since)} account(s) were deleted after the backup was made and "
                f"are back now: delete them again with `python manage.py erase_accounts {ids}`;"
            )
        else:
            self.stdout.write(
                "  - if accounts were deleted after the backup was made (see the audit trail), delete "
                "them again with `python manage.py erase_accounts <numbers>`;"
            )
        self.stdout.write(
            "  - run `python manage.py apply_retention` to remove what has passed its retention period;"
        )
        self.stdout.write("  - start the app servers and the worker again.")
