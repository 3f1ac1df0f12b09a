"""Fill the portal with the demo: two houses, their organisations and one account per role."""

from django.core.management.base import BaseCommand

from wijkhuis.demo import DEMO_ACCOUNTS, PASSWORD, seed


class Command(BaseCommand):
    help = "Create the demo houses, organisations and accounts. Running it again adds nothing."

    def handle(self, *args, **options):
        created = seed()
        if created:
            lines = [f"  {count:3d} {what}" for what, count in sorted(created.items())]
            self.stdout.write(self.style.SUCCESS("Demo data created:\n" + "\n".join(lines)))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already there; nothing new added."))
        self.stdout.write(f"Demo accounts: {', '.join(DEMO_ACCOUNTS)}")
        self.stdout.write(f"Password of every demo account: {PASSWORD}")
