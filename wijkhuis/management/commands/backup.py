"""Back up the database and the media files into one folder (see wijkhuis/backup.py, README "Backups").

python manage.py backup                      # into BACKUP_DIR (default: backups/ in the project)
python manage.py backup --to /srv/backups --keep 14
python manage.py backup --to-storage backups # into STORAGES["backups"], e.g. an S3 bucket
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wijkhuis.backup import BackupError, make_backup, prune


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the media files into one folder named by the UTC time."

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--to", metavar="DIR", type=Path, help="the folder to put the backup in (default: BACKUP_DIR)"
        )
        where.add_argument(
            "--to-storage",
            metavar="ALIAS",
            help='a storage of STORAGES to put the backup in, e.g. "backups" (object storage)',
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="afterwards, delete all but the newest N backups in the folder (not with --to-storage)",
        )

    def handle(self, *args, to=None, to_storage=None, keep=None, **options):
        if keep is not None and (keep < 1 or to_storage):
            raise CommandError("--keep needs a number of 1 or more, and works on a folder only.")
        try:
            make_backup(to_dir=to, to_storage=to_storage, say=self.stdout.write)
            if keep is not None:
                prune(Path(to or settings.BACKUP_DIR).expanduser().resolve(), keep, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(f"The backup failed: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"The backup failed: {exc}") from exc
