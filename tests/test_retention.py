"""Retention (wijkhuis/retention.py, `manage.py apply_retention`, the daily job): each rule removes
exactly what is due and nothing before it, twice is the same as once, an interrupted run is completed
by the next one, and the summary counts the same before and after."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import Activity, Booking, Signup
from care import worries
from care.models import Worry
from news.models import Comment, CommentReport, Post
from summary.selectors import Scope, collect
from tests.activities.factories import make_booking, make_room
from tests.summary.conftest import JUNE, make_june
from tests.summary.conftest import NOW as SUMMARY_NOW
from wijkhuis import checks, jobs, retention

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture
def periods(settings):
    settings.RETENTION_BOOKING_DAYS = 730
    settings.WORRY_RETENTION_DAYS = 365
    settings.RETENTION_HIDDEN_COMMENT_DAYS = 180
    settings.RETENTION_REPORT_DAYS = 180
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3


@pytest.fixture
def now():
    """The moment of the run: the real now, so that the command (which asks the clock) sees it too."""
    return timezone.now()


@pytest.fixture
def room(house):
    return make_room(house)


def ended(room, booker, now, days_ago: float, **extra) -> Booking:
    """A booking of two hours that ended `days_ago` days before `now`."""
    end = now - dt.timedelta(days=days_ago)
    extra.setdefault("title", "Verjaardag van Fatima")
    return make_booking(room, booker, end - 2 * HOUR, end, **extra)


def activity_ended(house, now, days_ago: float, **extra) -> Activity:
    end = now - dt.timedelta(days=days_ago)
    return Activity.objects.create(
        house=house,
        title="Koffieochtend",
        category="coffee",
        place="Het plein",
        period=DateTimeTZRange(end - 2 * HOUR, end),
        **extra,
    )


def facts(booking: Booking) -> tuple:
    """What a booking keeps for the figures."""
    booking.refresh_from_db()
    return (
        booking.period,
        booking.room_id,
        booking.booker_id,
        booking.category,
        booking.attendees,
        booking.status,
        booking.took_place,
    )


def dates_ago(model, pk, field: str, when: dt.datetime) -> None:
    model.objects.filter(pk=pk).update(**{field: when})


# --- bookings and activities -------------------------------------------------------------------


def test_bookings_lose_title_and_reasons_after_the_period_and_keep_what_is_counted(
    periods, house, room, resident, now
):
    old = ended(
        room, resident, now, 731, decision_reason="Goedgekeurd, Fatima kent de regels", is_public=True
    )
    cancelled = ended(room, resident, now, 800, status="cancelled", cancel_reason="Fatima is ziek")
    recent = ended(room, resident, now, 729, decision_reason="Prima")
    for_activity = ended(room, resident, now, 900, title="Koffieochtend", is_public=True, category="activity")
    Activity.objects.create(
        house=house,
        title="Koffieochtend",
        category="coffee",
        period=for_activity.period,
        booking=for_activity,
    )
    for_activity.cancel_reason = "Zaal lekt"
    for_activity.save()
    kept = {b.pk: facts(b) for b in (old, cancelled, recent, for_activity)}

    assert retention.apply_bookings(now) == 3

    for b in (old, cancelled):
        b.refresh_from_db()
        assert (b.title, b.decision_reason, b.cancel_reason, b.is_public) == ("", "", "", False)
    for_activity.refresh_from_db()
    # The activity's booking keeps the programme's title; only the reason goes.
    assert (for_activity.title, for_activity.cancel_reason, for_activity.is_public) == (
        "Koffieochtend",
        "",
        True,
    )
    recent.refresh_from_db()
    assert (recent.title, recent.decision_reason) == ("Verjaardag van Fatima", "Prima")
    assert {b.pk: facts(b) for b in (old, cancelled, recent, for_activity)} == kept

    assert retention.apply_bookings(now) == 0  # a second run changes nothing


def test_the_booking_period_comes_from_the_settings(periods, settings, room, resident, now):
    booking = ended(room, resident, now, 40)
    assert retention.apply_bookings(now) == 0
    settings.RETENTION_BOOKING_DAYS = 30
    assert retention.apply_bookings(now) == 1
    booking.refresh_from_db()
    assert booking.title == ""


def test_activities_lose_the_reason_for_cancelling_and_keep_sign_ups_and_attendance(
    periods, house, resident, student, now
):
    old = activity_ended(house, now, 731, status="cancelled", cancel_reason="Joke is ziek")
    held = activity_ended(house, now, 740, walk_ins=4, attendance_recorded_at=now - 740 * DAY)
    Signup.objects.create(activity=held, person=resident, status="confirmed", attended=True)
    Signup.objects.create(activity=held, person=student, status="confirmed", attended=False)
    recent = activity_ended(house, now, 700, status="cancelled", cancel_reason="Regen")
    signups = list(Signup.objects.values_list("activity_id", "person_id", "status", "attended"))

    assert retention.apply_activities(now) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    held.refresh_from_db()
    assert (old.cancel_reason, old.status, old.title) == ("", "cancelled", "Koffieochtend")
    assert recent.cancel_reason == "Regen"
    assert held.walk_ins == 4
    assert list(Signup.objects.values_list("activity_id", "person_id", "status", "attended")) == signups
    assert retention.apply_activities(now) == 0


def test_an_old_booking_without_a_title_shows_its_kind(periods, room, resident, now, client_for):
    booking = ended(room, resident, now, 731)
    retention.apply_bookings(now)
    page = client_for(resident).get(booking.get_absolute_url())
    assert page.status_code == 200
    assert "<h1>verjaardag of feest</h1>" in page.content.decode()


def test_the_calendar_shows_an_old_booking_by_its_kind_to_its_booker_and_busy_to_others(
    periods, room, resident, student, now, client_for
):
    booking = ended(room, resident, now, 731, is_public=True)
    retention.apply_bookings(now)
    day = timezone.localtime(booking.start).date().isoformat()
    url = reverse("activities:calendar", kwargs={"house": room.house.slug}) + f"?weergave=dag&datum={day}"
    mine = client_for(resident).get(url).content.decode()
    theirs = client_for(student).get(url).content.decode()
    assert "verjaardag of feest" in mine and "Verjaardag van Fatima" not in mine
    assert "bezet" in theirs and "verjaardag of feest" not in theirs


# --- worries -----------------------------------------------------------------------------------

VISITOR = {
    "about": "neighbour",
    "category": "money",
    "message": "Mijn buurvrouw durft haar post niet meer te openen.",
    "contact_by": "phone",
    "contact_when": "na 14.00 uur",
    "name": "Fatima el Amrani",
    "phone": "06 12345678",
    "email": "fatima@example.nl",
    "address": "",
}


def closed_worry(house, coordinator, closed_at) -> Worry:
    worry = worries.raise_worry(house=house, data=VISITOR, channel="website")
    worries.close(worry=worry, by=coordinator, outcome="helped", text="Geholpen met de bank")
    dates_ago(Worry, worry.pk, "closed_at", closed_at)
    return worry


def test_worries_are_anonymised_by_care_after_their_own_period(periods, house, coordinator, now):
    old = closed_worry(house, coordinator, now - 366 * DAY)
    recent = closed_worry(house, coordinator, now - 364 * DAY)
    rule = next(r for r in retention.RULES if r.name == "worries")

    assert rule.count(now) == 1
    assert rule.apply(now) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.phone, old.email, old.message, old.anonymised_at) == ("", "", "", "", now)
    assert (old.status, old.category, old.outcome) == ("closed", "money", "helped")
    assert recent.name == "Fatima el Amrani" and recent.anonymised_at is None
    assert rule.apply(now) == 0 and rule.count(now) == 0


# --- reactions ---------------------------------------------------------------------------------


@pytest.fixture
def post(house, staff):
    return Post.objects.create(house=house, author=staff, title="Nieuwe stoelen", status="published")


def test_hidden_reactions_are_deleted_after_the_period_with_their_reports(
    periods, post, resident, student, coordinator, now
):
    def reaction(body, hidden_days_ago=None):
        comment = Comment.objects.create(post=post, author=resident, body=body, created_at=now - 400 * DAY)
        if hidden_days_ago is not None:
            Comment.objects.filter(pk=comment.pk).update(
                hidden_at=now - hidden_days_ago * DAY,
                hidden_by=coordinator,
                hidden_reason="Noemt een buurman",
            )
        return comment

    old = reaction("Jan van nummer 12 is een dief", 181)
    CommentReport.objects.create(comment=old, reporter=student, reason="Noemt een naam", handled_at=now)
    recent = reaction("Die van nummer 14 ook", 179)
    shown = reaction("Mooie stoelen!")

    assert retention.apply_hidden_comments(now) == 1
    assert set(Comment.objects.values_list("pk", flat=True)) == {recent.pk, shown.pk}
    assert not CommentReport.objects.filter(comment_id=old.pk).exists()
    assert retention.apply_hidden_comments(now) == 0


def test_handled_reports_are_deleted_after_the_period_open_ones_stay(
    periods, post, resident, student, staff, now
):
    comment = Comment.objects.create(post=post, author=resident, body="Mooie stoelen!")
    old = CommentReport.objects.create(comment=comment, reporter=student, reason="Onaardig")
    recent = CommentReport.objects.create(comment=comment, reporter=staff, reason="Klopt niet")
    still_open = CommentReport.objects.create(comment=comment, reporter=resident, reason="Spam")
    dates_ago(CommentReport, old.pk, "handled_at", now - 181 * DAY)
    dates_ago(CommentReport, recent.pk, "handled_at", now - 179 * DAY)
    dates_ago(CommentReport, still_open.pk, "created_at", now - 900 * DAY)

    assert retention.apply_reports(now) == 1
    assert set(CommentReport.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert retention.apply_reports(now) == 0


# --- logging in ----------------------------------------------------------------------------------


def session(key: str, expires: dt.datetime) -> Session:
    return Session.objects.create(session_key=key, session_data="", expire_date=expires)


def user_session(user, key: str) -> UserSession:
    return UserSession.objects.create(user=user, session_key=key, ip="192.0.2.7", user_agent="Firefox")


def test_expired_sessions_go_with_their_address_and_browser(resident, now):
    session("live", now + DAY)
    session("expired", now - HOUR)
    live = user_session(resident, "live")
    user_session(resident, "expired")
    user_session(resident, "gone")  # its session was deleted (logged out elsewhere)

    assert retention.apply_sessions(now) == 1
    assert retention.apply_user_sessions(now) == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert list(UserSession.objects.all()) == [live]
    assert retention.apply_sessions(now) == 0 and retention.apply_user_sessions(now) == 0


def test_the_daily_session_job_and_the_rule_share_one_definition_of_expired(db):
    session("expired", timezone.now() - HOUR)
    session("live", timezone.now() + DAY)
    assert jobs.clear_expired_sessions.call() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_user_sessions_of_sessions_kept_outside_the_database(settings, resident, now):
    """With sessions in the cache, each one is asked of the session store."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    from django.contrib.sessions.backends.cache import SessionStore

    store = SessionStore()
    store["x"] = 1
    store.create()
    live = user_session(resident, store.session_key)
    user_session(resident, "gone")
    assert retention.count_user_sessions(now) == 1
    assert retention.apply_user_sessions(now) == 1
    assert list(UserSession.objects.all()) == [live]


def test_expired_email_confirmations_are_deleted(periods, resident, now):
    address = EmailAddress.objects.get(user=resident)
    EmailConfirmation.objects.create(email_address=address, key="oud", sent=now - 4 * DAY)
    EmailConfirmation.objects.create(email_address=address, key="nooit", created=now - 4 * DAY)
    fresh = EmailConfirmation.objects.create(email_address=address, key="vers", sent=now - DAY)
    assert retention.apply_email_confirmations(now) == 2
    assert list(EmailConfirmation.objects.all()) == [fresh]
    assert retention.apply_email_confirmations(now) == 0


def _cache_keys() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM wijkhuis_cache")
        return {key for (key,) in cursor.fetchall()}


def test_expired_cache_entries_such_as_login_attempts_are_deleted(db, now):
    cache.clear()
    cache.set("allauth:rl:login:ip:192.0.2.7", [1.0], 3600)
    cache.set("fresh", 1, 3600)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wijkhuis_cache SET expires = %s WHERE cache_key LIKE %s", [now - HOUR, "%:192.0.2.7"]
        )
    assert retention.count_cache(now) == 1
    assert retention.apply_cache(now) == 1
    assert _cache_keys() == {cache.make_key("fresh")}
    assert retention.apply_cache(now) == 0


# --- all rules at once: twice, interrupted, the summary, dry run, the command ----------------------


@pytest.fixture
def due(periods, house, room, resident, student, coordinator, post, now):
    """One thing due for each rule, and one thing not yet due next to it."""
    cache.clear()
    ended(room, resident, now, 731, decision_reason="Goed")
    ended(room, resident, now, 10)
    activity_ended(house, now, 731, status="cancelled", cancel_reason="Joke is ziek")
    closed_worry(house, coordinator, now - 400 * DAY)
    hidden = Comment.objects.create(post=post, author=resident, body="Jan is een dief")
    Comment.objects.filter(pk=hidden.pk).update(hidden_at=now - 200 * DAY, hidden_reason="Noemt een naam")
    shown = Comment.objects.create(post=post, author=resident, body="Mooi")
    CommentReport.objects.create(comment=shown, reporter=student, handled_at=now - 200 * DAY)
    session("expired", now - HOUR)
    user_session(resident, "expired")
    address = EmailAddress.objects.get(user=resident)
    EmailConfirmation.objects.create(email_address=address, key="oud", sent=now - 4 * DAY)
    cache.set("old", 1, 3600)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wijkhuis_cache SET expires = %s", [now - HOUR])


def test_every_rule_does_its_part_and_a_second_run_changes_nothing(due, now):
    first = {o.rule.name: o.changed for o in retention.apply_all(now)}
    assert first == {
        "bookings": 1,
        "activities": 1,
        "worries": 1,
        "hidden_comments": 1,
        "comment_reports": 1,
        "ended_houses": 0,
        "sessions": 1,
        "user_sessions": 1,
        "email_confirmations": 1,
        "cache": 1,
        "finished_jobs": 0,  # tests run jobs at once; its own test has queued ones
    }
    second = {o.rule.name: o.changed for o in retention.apply_all(now)}
    assert second == dict.fromkeys(first, 0)


def test_an_interrupted_run_keeps_whole_batches_and_the_next_run_completes_it(
    periods, room, resident, now, monkeypatch
):
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    bookings = [ended(room, resident, now, 731 + n, decision_reason=f"Reden {n}") for n in range(5)]
    pks = sorted(b.pk for b in bookings)
    real_blank = retention.blank_bookings
    batches: list[list] = []

    def power_cut_in_the_second_batch(batch):
        batches.append(batch)
        real_blank(batch)  # the batch's rows are changed ...
        if len(batches) == 2:
            raise RuntimeError("power cut")  # ... and then the run stops inside its transaction

    monkeypatch.setattr(retention, "blank_bookings", power_cut_in_the_second_batch)
    with pytest.raises(RuntimeError, match="power cut"):
        retention.apply_bookings(now)

    titles = dict(Booking.objects.values_list("pk", "title"))
    assert [titles[pk] for pk in pks] == [
        "",
        "",
        "Verjaardag van Fatima",
        "Verjaardag van Fatima",
        "Verjaardag van Fatima",
    ]
    reasons = dict(Booking.objects.values_list("pk", "decision_reason"))
    assert [reasons[pk] for pk in pks] == ["", "", "Reden 2", "Reden 3", "Reden 4"]

    touched: list = []

    def record(batch):
        touched.extend(batch)
        real_blank(batch)

    monkeypatch.setattr(retention, "blank_bookings", record)
    assert retention.apply_bookings(now) == 3
    assert touched == pks[2:]  # the finished batch is not touched again
    assert set(Booking.objects.values_list("title", flat=True)) == {""}
    assert not Booking.objects.exclude(decision_reason="").exists()
    assert retention.apply_bookings(now) == 0


def test_an_interrupted_deletion_loses_nothing_twice(periods, post, resident, coordinator, now, monkeypatch):
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    hidden = []
    for n in range(5):
        comment = Comment.objects.create(post=post, author=resident, body=f"Reactie {n}")
        Comment.objects.filter(pk=comment.pk).update(hidden_at=now - 200 * DAY, hidden_reason="Nee")
        hidden.append(comment.pk)
    shown = Comment.objects.create(post=post, author=resident, body="Blijft")
    real_delete = retention.delete_comments
    calls = []

    def fail_in_the_middle(batch):
        calls.append(batch)
        real_delete(batch)
        if len(calls) == 3:
            raise RuntimeError("killed")

    monkeypatch.setattr(retention, "delete_comments", fail_in_the_middle)
    with pytest.raises(RuntimeError):
        retention.apply_hidden_comments(now)
    assert set(Comment.objects.values_list("pk", flat=True)) == {hidden[4], shown.pk}

    monkeypatch.setattr(retention, "delete_comments", real_delete)
    assert retention.apply_hidden_comments(now) == 1
    assert list(Comment.objects.values_list("pk", flat=True)) == [shown.pk]


@pytest.mark.allow_error_logs
def test_a_failing_rule_does_not_stop_the_others_and_the_command_says_so(due, monkeypatch):
    def broken(now):
        raise RuntimeError("database says no")

    rules = [
        r if r.name != "activities" else retention.Rule(**{**r.__dict__, "apply": broken})
        for r in retention.RULES
    ]
    monkeypatch.setattr(retention, "RULES", rules)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(Exception, match="activities"):
        call_command("apply_retention", stdout=out, stderr=err)
    assert "activities: mislukt (database says no)" in err.getvalue()
    assert "Reserveringen ouder dan 730 dagen: 1 omschrijving weggehaald" in out.getvalue()
    assert Activity.objects.exclude(cancel_reason="").count() == 1


def test_the_summary_counts_the_same_before_and_after(periods, house, other_house):
    june = make_june(house, other_house)
    # Free text the rules remove, on the rows the summary counts.
    Booking.objects.filter(room=june["room"], status="cancelled").update(cancel_reason="Fatima is ziek")
    Booking.objects.filter(room=june["room"], status="confirmed").update(decision_reason="Goedgekeurd")
    Activity.objects.filter(house=house, status="cancelled").update(cancel_reason="Joke is ziek")
    houses = [house, other_house]

    def figures():
        kept = collect(Scope(houses=houses, period=JUNE, now=SUMMARY_NOW))
        counted = collect(Scope(houses=houses, period=JUNE, now=SUMMARY_NOW, stored=False))
        return [(dict(store.values), dict(store.months)) for store in (kept, counted)]

    before = figures()
    later = SUMMARY_NOW + 800 * DAY  # every booking and activity of the month is past the period
    outcomes = {o.rule.name: o.changed for o in retention.apply_all(later)}
    assert outcomes["bookings"] >= 5 and outcomes["activities"] == 1  # it did change the counted rows
    assert not Booking.objects.exclude(title="").filter(activity__isnull=True).exists()
    assert figures() == before
    assert before[0][0][(house.pk, "room_booked_hours", "cur")] == 9  # the month of tests/summary


def test_dry_run_counts_and_changes_nothing(due, now):
    def snapshot():
        return (
            list(Booking.objects.order_by("pk").values_list("title", "decision_reason", "is_public")),
            list(Activity.objects.order_by("pk").values_list("cancel_reason", flat=True)),
            list(Worry.objects.order_by("pk").values_list("name", "message", "anonymised_at")),
            Comment.objects.count(),
            CommentReport.objects.count(),
            Session.objects.count(),
            UserSession.objects.count(),
            EmailConfirmation.objects.count(),
            len(_cache_keys()),
        )

    before = snapshot()
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert snapshot() == before
    lines = out.getvalue().splitlines()
    assert lines[0] == "Proefdraai: er verandert niets. Dit zou er gebeuren:"
    assert "Reserveringen ouder dan 730 dagen: 1 omschrijving zou worden weggehaald" in lines
    assert "Verlopen sessies: 1 zou worden verwijderd" in lines
    assert {o.rule.name: o.changed for o in retention.apply_all(now, dry_run=True)} == {
        o.rule.name: o.changed for o in retention.apply_all(now)
    }


def test_the_command_prints_what_it_did_per_rule(due):
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert out.getvalue().splitlines() == [
        "Reserveringen ouder dan 730 dagen: 1 omschrijving weggehaald",
        "Activiteiten ouder dan 730 dagen: 1 reden van afzeggen weggehaald",
        "Meldingen die langer dan 365 dagen gesloten zijn: 1 geanonimiseerd",
        "Reacties die langer dan 180 dagen verborgen zijn: 1 verwijderd",
        "Meldingen over reacties die langer dan 180 dagen afgehandeld zijn: 1 verwijderd",
        "Huizen die meer dan 365 dagen geleden zijn gestopt: 0 teksten weggehaald",
        "Verlopen sessies: 1 verwijderd",
        "Beëindigde sessies (internetadres en browser): 1 verwijderd",
        "Verlopen links om een e-mailadres te bevestigen: 1 verwijderd",
        "Verlopen tijdelijke gegevens (zoals inlogpogingen per internetadres): 1 verwijderd",
        "Verstuurde e-mails en andere afgeronde taken ouder dan 14 dagen: 0 verwijderd",
    ]
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Reserveringen ouder dan 730 dagen: 0 omschrijvingen weggehaald" in out.getvalue().splitlines()


def test_the_command_speaks_english_too(due):
    out = io.StringIO()
    with translation.override("en"):
        call_command("apply_retention", stdout=out)
    assert "Bookings older than 730 days: 1 description removed" in out.getvalue().splitlines()


def test_the_daily_job_runs_every_rule(due):
    assert jobs.PERIODIC_JOBS["apply_retention"] == ("wijkhuis.jobs.apply_retention", dt.timedelta(hours=24))
    result = jobs.apply_retention.call()
    assert set(result) == {r.name for r in retention.RULES}
    assert result["bookings"] == 1
    assert jobs.apply_retention.call()["bookings"] == 0


# --- settings ----------------------------------------------------------------------------------


def test_every_rule_names_a_period_and_says_what_it_removes():
    for rule in retention.RULES:
        assert str(rule.description)
        assert (rule.setting is None) == (rule.default is None)
    defaults = {r.setting: r.default for r in retention.RULES if r.setting}
    assert defaults == {
        "RETENTION_BOOKING_DAYS": 730,
        "WORRY_RETENTION_DAYS": 365,
        "RETENTION_HIDDEN_COMMENT_DAYS": 180,
        "RETENTION_REPORT_DAYS": 180,
        "RETENTION_ENDED_HOUSE_DAYS": 365,
        "RETENTION_FINISHED_JOB_DAYS": 14,
        "ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS": 3,
    }


def test_the_default_periods_pass_the_check():
    assert checks.retention_periods() == []


@pytest.mark.parametrize("value", [0, -30, "730", 1.5, None, True])
def test_a_period_that_is_not_a_positive_number_of_days_is_an_error(settings, value):
    settings.RETENTION_HIDDEN_COMMENT_DAYS = value
    (error,) = checks.retention_periods()
    assert error.id == "wijkhuis.E001"
    assert "RETENTION_HIDDEN_COMMENT_DAYS" in error.msg
    assert "wijkhuis.E001" in {e.id for e in run_checks()}  # registered: `manage.py check` reports it


def test_the_worry_period_is_checked_too(settings):
    settings.WORRY_RETENTION_DAYS = 0
    assert [e.msg.split()[0] for e in checks.retention_periods()] == ["WORRY_RETENTION_DAYS"]


def test_sent_mail_goes_from_the_job_queue_after_the_period(db, settings, now):
    from django_tasks_db.models import DBTaskResult

    settings.RETENTION_FINISHED_JOB_DAYS = 14

    def job(days_ago, status="SUCCESSFUL"):
        return DBTaskResult.objects.create(
            args_kwargs={"args": [{"to": ["fatima@example.nl"], "body": "Hoi Fatima"}], "kwargs": {}},
            task_path="wijkhuis.mail.deliver_email",
            backend_name="default",
            run_after=now,
            status=status,
            finished_at=None if status == "READY" else now - dt.timedelta(days=days_ago),
        )

    old, recent, waiting = job(15), job(13), job(30, status="READY")
    rule = next(r for r in retention.RULES if r.name == "finished_jobs")
    assert rule.count(now) == 1
    assert rule.apply(now) == 1 and rule.apply(now) == 0
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert old.pk not in set(DBTaskResult.objects.values_list("pk", flat=True))
