"""Mail through the job queue, and periodic jobs enqueued once per slot."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from tests.threads import run_in_threads
from wijkhuis import jobs
from wijkhuis.mail import QueuedEmailBackend, data_to_message, deliver_email, message_to_data
from wijkhuis.models import PeriodicJobRun

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
NOW = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DB_TASKS


class Rollback(Exception):
    pass


def test_queued_mail_is_a_job_row_in_the_callers_transaction(db, db_queue):
    with pytest.raises(Rollback), transaction.atomic():
        send_mail("Onderwerp", "Tekst", None, ["iemand@example.nl"])
        assert DBTaskResult.objects.count() == 1
        assert mail.outbox == []  # not sent yet: the worker sends it
        raise Rollback
    assert DBTaskResult.objects.count() == 0


def test_negative_control_committed_mail_stays_queued(db, db_queue):
    with transaction.atomic():
        send_mail("Onderwerp", "Tekst", None, ["iemand@example.nl"])
    job = DBTaskResult.objects.get()
    assert job.task_path == "wijkhuis.mail.deliver_email"
    assert job.args_kwargs["args"][0]["to"] == ["iemand@example.nl"]
    assert mail.outbox == []


def test_deliver_email_sends_with_the_delivery_backend(settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    message = EmailMultiAlternatives(
        "Hallo",
        "Platte tekst",
        "a@example.nl",
        ["b@example.nl"],
        cc=["c@example.nl"],
        reply_to=["d@example.nl"],
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach("lijst.txt", b"\x00\x01binair", "application/octet-stream")

    assert deliver_email.call(message_to_data(message)) == 1

    sent = mail.outbox[0]
    assert (sent.subject, sent.body, sent.to, sent.cc, sent.reply_to) == (
        "Hallo",
        "Platte tekst",
        ["b@example.nl"],
        ["c@example.nl"],
        ["d@example.nl"],
    )
    assert sent.alternatives[0][0] == "<p>HTML</p>"
    assert sent.attachments[0][1] == b"\x00\x01binair"


def test_deliver_email_uses_the_configured_backend_not_email_backend(settings):
    sent = []

    class Recorder:
        def __init__(self, **kwargs):
            self.alias = kwargs.get("alias")

        def send_messages(self, messages):
            sent.extend(messages)
            return len(messages)

    settings.MAILERS = {**settings.MAILERS, "delivery": {"BACKEND": f"{__name__}.RECORDER"}}
    globals()["RECORDER"] = Recorder
    try:
        deliver_email.call(message_to_data(EmailMultiAlternatives("x", "y", None, ["z@ex.nl"])))
    finally:
        del globals()["RECORDER"]
    assert [m.subject for m in sent] == ["x"]
    assert mail.outbox == []


def test_queued_backend_with_immediate_tasks_reaches_the_outbox(db):
    """The path every test's mail takes: queue -> immediate task -> locmem."""
    assert (
        QueuedEmailBackend().send_messages([EmailMultiAlternatives("Test", "Body", None, ["x@example.nl"])])
        == 1
    )
    assert [m.subject for m in mail.outbox] == ["Test"]


def test_message_round_trips_through_json_data():
    import json

    message = EmailMultiAlternatives("Ü", "é", "a@example.nl", ["b@example.nl"], headers={"X-Wijkhuis": "1"})
    data = json.loads(json.dumps(message_to_data(message)))
    again = data_to_message(data)
    assert (again.subject, again.body, again.extra_headers) == ("Ü", "é", {"X-Wijkhuis": "1"})


# --- periodic jobs -----------------------------------------------------------------------------


def test_slot_for():
    day = dt.timedelta(hours=24)
    assert jobs.slot_for(NOW, day) == dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    assert jobs.slot_for(NOW + dt.timedelta(hours=13, minutes=30), day) == dt.datetime(
        2026, 3, 5, tzinfo=dt.UTC
    )


def test_enqueue_due_once_per_slot(db, db_queue):
    assert sorted(jobs.enqueue_due(NOW)) == sorted(jobs.PERIODIC_JOBS)
    assert jobs.enqueue_due(NOW + dt.timedelta(minutes=5)) == []  # each job is still in its slot
    assert DBTaskResult.objects.count() == len(jobs.PERIODIC_JOBS)

    # Negative control: the next slot enqueues again.
    assert sorted(jobs.enqueue_due(NOW + dt.timedelta(days=1))) == sorted(jobs.PERIODIC_JOBS)
    assert DBTaskResult.objects.count() == 2 * len(jobs.PERIODIC_JOBS)


def test_periodic_jobs_run(db):
    """With the immediate backend the jobs run at once and do not fail (ERROR logs fail)."""
    assert sorted(jobs.enqueue_due(NOW)) == sorted(jobs.PERIODIC_JOBS)


def _two_workers_at_once():
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait(5)
        return jobs.enqueue_due(NOW)

    return run_in_threads(worker, worker)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_enqueue_each_job_once(settings):
    settings.TASKS = DB_TASKS
    results = _two_workers_at_once()
    assert [kind for kind, _ in results] == ["ok", "ok"]
    started = [name for _, names in results for name in names]
    assert sorted(started) == sorted(jobs.PERIODIC_JOBS)
    assert DBTaskResult.objects.count() == len(jobs.PERIODIC_JOBS)
    assert PeriodicJobRun.objects.count() == len(jobs.PERIODIC_JOBS)


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_unique_slot_both_enqueue(settings, monkeypatch):
    """Proves the test above can fail: without the slot row both workers enqueue every job."""
    settings.TASKS = DB_TASKS
    monkeypatch.setattr(PeriodicJobRun.objects, "create", lambda **kw: None)
    results = _two_workers_at_once()
    started = [name for _, names in results for name in names]
    assert sorted(started) == sorted(2 * list(jobs.PERIODIC_JOBS))
    assert DBTaskResult.objects.count() == 2 * len(jobs.PERIODIC_JOBS)


def test_prune_finished_jobs_forgets_old_slots(db):
    PeriodicJobRun.objects.create(name="x", slot=NOW)
    PeriodicJobRun.objects.update(enqueued_at=NOW - dt.timedelta(days=30))
    PeriodicJobRun.objects.create(name="y", slot=NOW)
    jobs.prune_finished_jobs.call()
    assert list(PeriodicJobRun.objects.values_list("name", flat=True)) == ["y"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_sends_queued_mail(db_queue):
    """End to end: a page queues mail, `wijkhuis worker` delivers it (it manages connections
    itself, so this runs outside the test's transaction)."""
    from django.core.management import call_command

    send_mail("Welkom", "Tekst", None, ["iemand@example.nl"])
    assert mail.outbox == []
    call_command("worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    assert [m.subject for m in mail.outbox] == ["Welkom"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
