from django.core.management.base import BaseCommand

from wijkhuis import localdb


class Command(BaseCommand):
    help = "Show the status of the embedded PostgreSQL, or stop it: localdb status|stop"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "stop"], nargs="?", default="status")

    def handle(self, *args, action, **options):
        if action == "stop":
            self.stdout.write("Stopped." if localdb.stop() else "It was not running.")
        else:
            self.stdout.write(localdb.status())
