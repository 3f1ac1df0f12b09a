"""The job worker: sends queued mail, runs background jobs and, once a minute, enqueues the
periodic jobs that are due. `wijkhuis up` starts it beside the web server."""

import logging
import os
import threading
import time

from django.db import connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from wijkhuis.jobs import enqueue_due

logger = logging.getLogger(__name__)


class Command(DBWorkerCommand):
    help = "Send queued e-mail and run background and periodic jobs."
    schedule_every = 60

    def handle(self, *args, **options):
        reloading_parent = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not options["batch"] and not reloading_parent:
            threading.Thread(target=self._schedule_forever, daemon=True, name="periodic").start()
        return super().handle(*args, **options)

    def _schedule_forever(self) -> None:
        while True:
            try:
                started = enqueue_due()
                if started:
                    logger.info("Periodic jobs enqueued: %s", ", ".join(started))
            except Exception:
                logger.exception("Could not enqueue periodic jobs")
            finally:
                connection.close()
            time.sleep(self.schedule_every)
