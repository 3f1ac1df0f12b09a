"""Send the reminders for tomorrow's activities and duties now (the worker also does it every hour)."""

from django.core.management.base import BaseCommand

from activities.signups import send_reminders
from duties.duties import send_duty_reminders


class Command(BaseCommand):
    help = (
        "E-mail a reminder to everyone signed up for an activity or holding a duty tomorrow. "
        "Safe to run twice."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
        duties = send_duty_reminders()
        self.stdout.write(f"{duties} duty reminder(s) sent.")
