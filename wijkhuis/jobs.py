"""Periodic jobs, run by the same worker that sends mail.

Each job has an interval; the worker enqueues it once per slot (`PeriodicJobRun` is unique per job
and slot, so two workers never both enqueue it). Apps add their jobs to PERIODIC_JOBS.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from wijkhuis.models import PeriodicJobRun

logger = logging.getLogger(__name__)


def expired_sessions(now: dt.datetime | None = None) -> QuerySet:
    return Session.objects.filter(expire_date__lt=now or timezone.now())


def delete_expired_sessions(now: dt.datetime | None = None) -> int:
    """Remove sessions that have expired (one statement: all or nothing). Returns how many."""
    deleted, _ = expired_sessions(now).delete()
    return deleted


@task
def clear_expired_sessions() -> int:
    """Retention: remove sessions that have expired."""
    return delete_expired_sessions()


@task
def prune_finished_jobs(days: int = 14) -> int:
    """Forget which periodic job slots were enqueued, after two weeks. (Finished jobs themselves,
    which hold the sent mail, go by the retention rule "finished_jobs".)"""
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = PeriodicJobRun.objects.filter(enqueued_at__lt=cutoff).delete()
    return deleted


@task
def send_activity_reminders() -> int:
    """E-mail tomorrow's reminders to those signed up; each once, however often it runs."""
    from activities.signups import send_reminders

    return send_reminders()


@task
def send_duty_reminders() -> int:
    """E-mail the students holding a duty tomorrow; once per occurrence, however often it runs."""
    from duties.duties import send_duty_reminders as send

    return send()


@task
def apply_retention() -> dict[str, int | None]:
    """Retention: every rule of wijkhuis.retention (what each changed); fails if one of them failed,
    after the others ran."""
    from wijkhuis.retention import apply_all

    outcomes = apply_all()
    for outcome in outcomes:
        if outcome.error is None and outcome.changed:
            logger.info("Retention %s: %s rows changed", outcome.rule.name, outcome.changed)
    failed = [o for o in outcomes if o.error is not None]
    if failed:
        raise RuntimeError(f"Retention rules failed: {', '.join(o.rule.name for o in failed)}")
    return {o.rule.name: o.changed for o in outcomes}


# name -> (task path, interval)
PERIODIC_JOBS: dict[str, tuple[str, dt.timedelta]] = {
    "clear_expired_sessions": ("wijkhuis.jobs.clear_expired_sessions", dt.timedelta(hours=24)),
    "prune_finished_jobs": ("wijkhuis.jobs.prune_finished_jobs", dt.timedelta(hours=24)),
    "send_activity_reminders": ("wijkhuis.jobs.send_activity_reminders", dt.timedelta(hours=1)),
    "send_duty_reminders": ("wijkhuis.jobs.send_duty_reminders", dt.timedelta(hours=1)),
    "apply_retention": ("wijkhuis.jobs.apply_retention", dt.timedelta(hours=24)),
}


def slot_for(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    epoch = dt.datetime(2000, 1, 3, tzinfo=dt.UTC)  # a Monday
    n = (now - epoch) // every
    return epoch + n * every


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose current slot has not run yet. Returns their names."""
    now = now or timezone.now()
    started = []
    for name, (path, every) in PERIODIC_JOBS.items():
        try:
            with transaction.atomic():
                PeriodicJobRun.objects.create(name=name, slot=slot_for(now, every))
                import_string(path).enqueue()
        except IntegrityError:
            continue  # this slot was already taken by this or another worker
        started.append(name)
    return started
