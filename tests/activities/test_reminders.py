"""Reminders the day before, the /mijn/ setting, and sign-ups in the personal calendar feed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from activities import feeds, signups
from activities.models import Activity, Signup
from activities.timeutil import make_local
from residents.models import AuditEvent
from tests.activities.test_signups import make_activity, nl
from tests.forms import parse_form
from tests.threads import run_in_threads
from wijkhuis import jobs

pytestmark = pytest.mark.django_db


def tomorrow_at(hhmm: str) -> dt.datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return make_local(timezone.localdate() + dt.timedelta(days=1), dt.time(hours, minutes))


@pytest.fixture
def tomorrow(house):
    return make_activity(house, start=tomorrow_at("10:00"), capacity=10, title="Koffieochtend")


def signed(activity, person):
    return signups.sign_up(activity=activity, person=person, by=person)


def test_running_twice_sends_once(tomorrow, resident):
    signed(tomorrow, resident)
    mail.outbox.clear()

    assert signups.send_reminders() == 1
    assert signups.send_reminders() == 0

    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert mail.outbox[0].subject == "Morgen: Koffieochtend om 10:00"
    assert Signup.objects.get().reminded_at is not None


def test_people_with_reminders_off_cancelled_waiting_or_without_email_get_none(
    house, tomorrow, resident, student, coordinator, staff, make_user
):
    tomorrow.capacity = 3
    tomorrow.save()
    no_email = make_user(None, "Oma Jansen", house, "resident")
    resident.reminders = False
    resident.save()
    signed(tomorrow, resident)
    signups.cancel_signup(signup_id=signed(tomorrow, student).pk, by=student)
    signups.sign_up(activity=tomorrow, person=no_email, by=coordinator)
    signed(tomorrow, coordinator)
    signed(tomorrow, staff)  # the waiting list: no place, no reminder
    mail.outbox.clear()

    assert signups.send_reminders() == 1

    assert [m.to for m in mail.outbox] == [[coordinator.email]]


def test_only_activities_of_tomorrow_and_not_cancelled(house, resident):
    later = make_activity(house, start=tomorrow_at("10:00") + dt.timedelta(days=1))
    cancelled = make_activity(house, start=tomorrow_at("11:00"))
    signed(later, resident)
    signed(cancelled, resident)
    Activity.objects.filter(pk=cancelled.pk).update(status=Activity.Status.CANCELLED)
    mail.outbox.clear()
    assert signups.send_reminders() == 0
    assert mail.outbox == []


def test_tomorrow_is_the_local_date(house, resident):
    """At 23:30 in Amsterdam (21:30 or 22:30 UTC), tomorrow starts in half an hour."""
    activity = make_activity(house, start=tomorrow_at("00:15"))
    signed(activity, resident)
    mail.outbox.clear()
    late_evening = tomorrow_at("00:15") - dt.timedelta(minutes=45)
    assert signups.send_reminders(now=late_evening) == 1


def test_command_and_periodic_job(tomorrow, resident, capsys):
    signed(tomorrow, resident)
    mail.outbox.clear()
    assert jobs.PERIODIC_JOBS["send_activity_reminders"][0] == "wijkhuis.jobs.send_activity_reminders"
    call_command("send_reminders")
    assert "1 reminder(s) sent." in capsys.readouterr().out
    jobs.send_activity_reminders.call()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(house, make_user):
    activity = make_activity(house, start=tomorrow_at("10:00"), capacity=30)
    for i in range(12):
        person = make_user(f"r{i}@example.nl", f"R {i}", house, "resident")
        signed(activity, person)
    mail.outbox.clear()
    barrier = threading.Barrier(3)

    def worker():
        barrier.wait(10)
        return signups.send_reminders()

    results = run_in_threads(worker, worker, worker)

    assert sum(v for kind, v in results if kind == "ok") == 12
    assert len(mail.outbox) == 12
    assert len({tuple(m.to) for m in mail.outbox}) == 12


# --- the setting on /mijn/ ----------------------------------------------------------------------


def test_mine_shows_the_setting_and_coming_signups(client_for, tomorrow, resident):
    signed(tomorrow, resident)
    response = client_for(resident).get(reverse("mine"))
    html = response.content.decode()
    assert "Koffieochtend" in html
    form = parse_form(response.content, form_id="reminders-form")
    assert form.values["reminders"] == ["on"]
    with translation.override(resident.language):
        label = capfirst(str(resident._meta.get_field("reminders").verbose_name))
    assert label in html


@pytest.mark.parametrize("coming", [1, 25])
def test_mine_reads_the_coming_signups_in_one_query(
    coming, client_for, house, resident, django_assert_max_num_queries
):
    """The same queries for one sign-up and for 25: nothing the page shows is read row by row."""
    for n in range(coming):
        start = make_local(timezone.localdate() + dt.timedelta(days=n + 1), dt.time(10))
        signed(make_activity(house, start=start, capacity=10, title=f"Activiteit {n:02d}"), resident)
    client = client_for(resident)
    client.get(reverse("mine"))
    with django_assert_max_num_queries(10):
        html = client.get(reverse("mine")).content.decode()
    assert all(f"Activiteit {n:02d}" in html for n in range(coming))
    assert html.count(f"· {house.name} ·") >= coming


def test_turn_reminders_off_and_on_as_rendered(client_for, resident):
    client = client_for(resident)
    form = parse_form(client.get(reverse("mine")).content, form_id="reminders-form")
    off = {k: v for k, v in form.data.items() if k != "reminders"}  # the box unticked

    response = client.post(form.action, off, follow=True)

    assert response.redirect_chain[-1][0] == reverse("mine")
    resident.refresh_from_db()
    assert resident.reminders is False
    with translation.override("nl"):
        assert nl("Saved: you get no reminders.") in [str(m) for m in response.context["messages"]]
    assert AuditEvent.objects.filter(action="user.reminders", actor=resident).exists()
    assert parse_form(response.content, form_id="reminders-form").values.get("reminders") is None

    client.post(form.action, form.data)
    resident.refresh_from_db()
    assert resident.reminders is True


def test_reminders_setting_is_post_only_and_needs_login(client_for, resident):
    url = reverse("reminders_setting")
    assert client_for(resident).get(url).status_code == 405
    assert client_for(None).post(url).status_code == 302
    resident.refresh_from_db()
    assert resident.reminders is True


# --- the personal calendar feed ------------------------------------------------------------------


def test_personal_feed_has_confirmed_signups_only(house, tomorrow, resident, make_user, student):
    full = make_activity(house, capacity=1, title="Volle Workshop")
    signed(full, student)
    signed(full, resident)  # waiting: not in the feed
    cancelled = make_activity(house, title="Afgezegd")
    signups.cancel_signup(signup_id=signed(cancelled, resident).pk, by=resident)
    signed(tomorrow, resident)

    events = [e for e in feeds.personal_events(resident) if e.uid.startswith("activity-")]

    assert [(e.uid, e.summary) for e in events] == [(f"activity-{tomorrow.pk}@wijkhuis", "Koffieochtend")]
    assert events[0].location.startswith("Park, ")
    assert events[0].url.endswith(tomorrow.get_absolute_url())


def test_personal_feed_keeps_the_last_30_days(house, resident):
    recent = make_activity(house, title="Vorige week")
    old = make_activity(house, title="Lang geleden")
    for a in (recent, old):
        Signup.objects.create(activity=a, person=resident, status=Signup.Status.CONFIRMED)
    now = timezone.now()
    Activity.objects.filter(pk=recent.pk).update(
        period=(now - dt.timedelta(days=7), now - dt.timedelta(days=7) + dt.timedelta(hours=1))
    )
    Activity.objects.filter(pk=old.pk).update(
        period=(now - dt.timedelta(days=40), now - dt.timedelta(days=40) + dt.timedelta(hours=1))
    )
    summaries = [e.summary for e in feeds.personal_events(resident)]
    assert summaries == ["Vorige week"]
