"""Leaving (residents/leaving.py and each app's leaving.py): deleting an account removes every trace
of the person's name and e-mail address from every text column, their own words and uploads, and
cancels what is still to come; the summary counts the same; it refuses what must be settled first."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from activities.models import Activity, Booking, Idea, IdeaSupport, Poll, PollBallot, PollOption, Signup
from care.models import Buddy, Match, MatchCheckin, Worry, WorryNote
from duties.models import Duty, DutyAssignment, HourLog
from news.models import Comment, CommentReport, Post, PostImage
from residents import leaving
from residents.audit import record
from residents.models import AuditEvent, CalendarFeed, Membership, User
from summary.selectors import Scope, collect
from tests.activities.factories import make_booking, make_room
from tests.factories import make_user
from tests.summary.conftest import JUNE, make_june
from tests.summary.conftest import NOW as SUMMARY_NOW

NAME = "Zwaantje Quintijn"
EMAIL = "zwaantje.quintijn@example.nl"
WORDS = "kwispelstaart"  # in every text she wrote herself
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _image_file(name: str) -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "JPEG")
    return ContentFile(out.getvalue(), name=name)


@pytest.fixture
def zwaantje(house, coordinator, staff):
    """A resident and student with one of everything the portal can hold about a person, and
    others' texts that name her."""
    now = timezone.now()
    person = make_user(EMAIL, NAME, house, "resident")
    Membership.objects.create(user=person, house=house, role="student", status="active", motivation=WORDS)
    other = make_user("ander@example.nl", "Anton Ander", house, "resident")
    room = make_room(house)

    past = make_booking(room, person, now - 30 * DAY, now - 30 * DAY + 2 * HOUR, title=f"Feest {WORDS}")
    past.took_place = True
    past.save()
    coming = make_booking(room, person, now + 5 * DAY, now + 5 * DAY + 2 * HOUR, title=f"Verjaardag {WORDS}")

    held = Activity.objects.create(
        house=house,
        title="Koffie",
        category="coffee",
        place="Plein",
        period=DateTimeTZRange(now - 10 * DAY, now - 10 * DAY + 2 * HOUR),
    )
    Signup.objects.create(activity=held, person=person, status="confirmed", attended=True)
    full = Activity.objects.create(
        house=house,
        title="Breien",
        category="crafts",
        place="Plein",
        capacity=1,
        signup_required=True,
        period=DateTimeTZRange(now + 3 * DAY, now + 3 * DAY + 2 * HOUR),
    )
    Signup.objects.create(activity=full, person=person, status="confirmed")
    waiting = Signup.objects.create(activity=full, person=other, status="waiting")
    shared = Activity.objects.create(
        house=house,
        title="Buurtquiz",
        category="games",
        place="Plein",
        period=DateTimeTZRange(now + 8 * DAY, now + 8 * DAY + 2 * HOUR),
    )
    shared.organisers.set([person, other])

    idea = Idea.objects.create(
        house=house, proposer=person, title=f"Moestuin {WORDS}", description=WORDS, helpers=WORDS
    )
    IdeaSupport.objects.create(idea=idea, person=other)
    poll = Poll.objects.create(house=house, question="Welke dag?", closes_at=now + 10 * DAY)
    option = PollOption.objects.create(poll=poll, text="Maandag")
    PollBallot.objects.create(poll=poll, person=person).options.set([option])

    approved = HourLog.objects.create(
        student=person,
        house=house,
        period=DateTimeTZRange(now - 9 * DAY, now - 9 * DAY + HOUR),
        minutes=60,
        what=f"Koffie geschonken {WORDS}",
        status="approved",
    )
    pending = HourLog.objects.create(
        student=person,
        house=house,
        period=DateTimeTZRange(now - 2 * DAY, now - 2 * DAY + HOUR),
        minutes=60,
        what=f"Opgeruimd {WORDS}",
        status="submitted",
    )
    duty = Duty.objects.create(house=house, title="Planten water geven", first_day=now.date())
    DutyAssignment.objects.create(duty=duty, student=person)

    news = Post.objects.create(house=house, author=staff, title="Nieuws", body="Tekst", status="published")
    Comment.objects.create(post=news, author=person, body=f"Mooi {WORDS}")
    theirs = Comment.objects.create(post=news, author=other, body="Hm")
    CommentReport.objects.create(comment=theirs, reporter=person, reason=WORDS)
    published = Post.objects.create(
        house=house, author=person, title="Mijn bericht", body="Over de tuin", status="published"
    )
    draft = Post.objects.create(house=house, author=person, title=f"Concept {WORDS}", body=WORDS)
    picture = PostImage(post=draft, alt=WORDS)
    for field in ("detail", "listing", "printed"):
        getattr(picture, field).save(f"{field}-zq.jpg", _image_file(f"{field}-zq.jpg"), save=False)
    picture.save()

    worry = Worry.objects.create(
        house=house,
        raised_by=person,
        channel="website",
        name=NAME,
        phone="0612345678",
        email=EMAIL,
        contact_by="phone",
        about="self",
        category="money",
        message=f"Schulden {WORDS}",
    )
    WorryNote.objects.create(worry=worry, kind="note", author=coordinator, text=f"{NAME} gebeld over {WORDS}")
    ask = Buddy.objects.create(
        house=house,
        person=person,
        side="ask",
        kinds=["walk"],
        languages=WORDS,
        available=WORDS,
        about=WORDS,
        phone="0612345678",
        status="matched",
        team_note=f"{NAME} is lief",
    )
    offer = Buddy.objects.create(
        house=house,
        person=other,
        side="offer",
        kinds=["walk"],
        languages="Nederlands",
        available="ma",
        phone="0687654321",
        status="matched",
    )
    match = Match.objects.create(
        ask=ask,
        offer=offer,
        note=f"Past bij {NAME}",
        ask_answer="yes",
        offer_answer="yes",
        status="active",
        started_at=now - 20 * DAY,
    )
    MatchCheckin.objects.create(match=match, person=person, feeling="good", text=WORDS)

    CalendarFeed.objects.create(user=person, token="zq-secret-token")
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[person], action_flag=CHANGE, change_message=f"Naam gewijzigd in {NAME}"
    )
    DBTaskResult.objects.create(
        args_kwargs={"args": [{"to": [EMAIL], "body": f"Hoi {NAME}"}], "kwargs": {}},
        task_path="wijkhuis.mail.deliver_email",
        backend_name="default",
        run_after=now,
    )
    DBTaskResult.objects.create(
        args_kwargs={"args": [{"to": ["coordinator@example.nl"], "body": f"{NAME} heeft zich aangemeld"}]},
        task_path="wijkhuis.mail.deliver_email",
        backend_name="default",
        run_after=now,
        status="SUCCESSFUL",
    )
    from django.db import transaction

    with transaction.atomic():
        record(
            "membership.approved",
            actor=staff,
            target=person.memberships.first(),
            house=house,
            changes={"note": f"{NAME} woont op nummer 3"},
        )
    return {
        "person": person,
        "other": other,
        "room": room,
        "past": past,
        "coming": coming,
        "full": full,
        "waiting": waiting,
        "shared": shared,
        "idea": idea,
        "approved": approved,
        "pending": pending,
        "published": published,
        "draft": draft,
        "picture": picture,
        "worry": worry,
        "match": match,
        "offer": offer,
        "held": held,
    }


def text_columns() -> list[tuple[str, str]]:
    """Every text, varchar and json column of every table: what the scan reads (written apart from
    the sweep on purpose)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND (c.data_type IN ('text', 'character varying', 'jsonb', 'json')
                   OR c.udt_name IN ('_text', '_varchar'))
            """
        )
        return cursor.fetchall()


def traces(needle: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def erase(person, by=None, **kwargs):
    leaving.erase(person, by=by or person, **kwargs)


def test_the_scan_finds_her_before(zwaantje):
    """Negative control: the scan does see the name, the e-mail address and her words."""
    assert {
        "residents_user.email",
        "care_worry.email",
        "django_tasks_database_dbtaskresult.args_kwargs",
    } <= set(traces(EMAIL))
    assert {
        "residents_user.name",
        "care_worrynote.text",
        "django_admin_log.object_repr",
        "residents_auditevent.changes",
    } <= set(traces(NAME))
    assert len(traces(WORDS)) >= 10


def test_after_deletion_no_table_holds_her_name_email_or_words(zwaantje, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase(zwaantje["person"])
    assert traces(EMAIL) == []
    assert traces(NAME) == []
    assert traces(WORDS) == []
    person = User.objects.get(pk=zwaantje["person"].pk)
    assert (person.name, person.email, person.phone, person.is_active) == ("", None, "", False)
    assert not person.has_usable_password() and person.erased_at is not None
    assert str(person) != ""


def test_uploads_go_from_storage_once_committed(zwaantje, django_capture_on_commit_callbacks):
    names = [getattr(zwaantje["picture"], f).name for f in ("detail", "listing", "printed")]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        erase(zwaantje["person"])
    assert not any(default_storage.exists(name) for name in names)
    assert not Post.objects.filter(pk=zwaantje["draft"].pk).exists()


def test_what_is_to_come_is_cancelled_and_the_waiting_list_moves_up(zwaantje, mailoutbox):
    erase(zwaantje["person"])
    zwaantje["coming"].refresh_from_db()
    assert zwaantje["coming"].status == Booking.Status.CANCELLED
    zwaantje["waiting"].refresh_from_db()
    assert zwaantje["waiting"].status == Signup.Status.CONFIRMED
    assert Signup.objects.get(activity=zwaantje["full"], person=zwaantje["person"]).status == "cancelled"
    assert list(zwaantje["shared"].organisers.all()) == [zwaantje["other"]]
    assert HourLog.objects.get(pk=zwaantje["pending"].pk).status == HourLog.Status.WITHDRAWN
    assert not DutyAssignment.objects.filter(student=zwaantje["person"], status="active").exists()
    assert Buddy.objects.get(pk=zwaantje["offer"].pk).status == Buddy.Status.OPEN
    assert Match.objects.get(pk=zwaantje["match"].pk).status == Match.Status.ENDED
    worry = Worry.objects.get(pk=zwaantje["worry"].pk)
    assert (worry.status, worry.raised_by_id, worry.category) == ("closed", None, "money")
    assert not CalendarFeed.objects.filter(user=zwaantje["person"]).exists()
    assert not EmailAddress.objects.filter(user=zwaantje["person"]).exists()
    assert not Membership.objects.filter(user=zwaantje["person"]).exclude(status="ended").exists()
    # The buddy who stays hears it stopped; the one who moved up from the waiting list got a place.
    assert {m.to[0] for m in mailoutbox} >= {"ander@example.nl"}


def test_what_took_place_stays_for_the_figures(zwaantje):
    erase(zwaantje["person"])
    past = Booking.objects.get(pk=zwaantje["past"].pk)
    assert (past.status, past.took_place, past.booker_id, past.title) == (
        "confirmed",
        True,
        zwaantje["person"].pk,
        "",
    )
    assert Signup.objects.get(activity=zwaantje["held"], person=zwaantje["person"]).attended is True
    approved = HourLog.objects.get(pk=zwaantje["approved"].pk)
    assert (approved.status, approved.minutes, approved.what) == ("approved", 60, "")
    assert PollBallot.objects.filter(person=zwaantje["person"]).count() == 1
    published = Post.objects.get(pk=zwaantje["published"].pk)
    assert (published.author_id, published.body) == (None, "Over de tuin")


def test_the_summary_counts_the_same_before_and_after(house, other_house):
    june = make_june(house, other_house)
    houses = [house, other_house]
    # p1 booked, signed up and came in June; p2 too; n1 became a member in June. They all leave.
    leavers = list(User.objects.filter(email__in=["p1@example.nl", "p2@example.nl", "n1@example.nl"]))
    assert len(leavers) == 3 and june

    def figures():
        kept = collect(Scope(houses=houses, period=JUNE, now=SUMMARY_NOW))
        counted = collect(Scope(houses=houses, period=JUNE, now=SUMMARY_NOW, stored=False))
        # "Members now" is no figure of June: it is today's number, and two fewer is right.
        return [
            (
                {k: v for k, v in store.values.items() if k[1] not in ("members_now", "poll_seats")},
                dict(store.months),
            )
            for store in (kept, counted)
        ]

    before = figures()
    assert before[0][0][(house.pk, "reach", "cur")] == 10
    assert before[0][0][(house.pk, "new_members", "cur")] == 2
    for person in leavers:
        erase(person)
    assert figures() == before


def test_the_only_organiser_of_a_coming_activity_must_hand_it_over_first(zwaantje):
    person = zwaantje["person"]
    zwaantje["shared"].organisers.set([person])
    with pytest.raises(leaving.LeaveError, match="Buurtquiz"):
        erase(person)
    person.refresh_from_db()
    assert person.email == EMAIL and person.erased_at is None
    assert Booking.objects.get(pk=zwaantje["coming"].pk).status == "confirmed"  # nothing half done
    notes = leaving.blockers(person)
    assert len(notes) == 1 and notes[0].url == zwaantje["shared"].get_absolute_url()


def test_twice_is_refused_and_so_is_an_administrator(zwaantje, superuser):
    erase(zwaantje["person"])
    with pytest.raises(leaving.LeaveError):
        erase(User.objects.get(pk=zwaantje["person"].pk))
    with pytest.raises(leaving.LeaveError):
        erase(superuser)
    assert User.objects.get(pk=superuser.pk).email == "beheer@example.nl"


def test_the_audit_trail_records_it_by_number(zwaantje, staff, house):
    erase(zwaantje["person"], by=staff, asked="phone")
    row = AuditEvent.objects.get(action="person.erased")
    assert (row.actor, row.house, row.target_repr, row.changes) == (
        staff,
        house,
        f"#{zwaantje['person'].pk}",
        {"asked": "phone"},
    )
    assert row.on_behalf_of_id == zwaantje["person"].pk


def test_sessions_end(zwaantje, client):
    person = zwaantje["person"]
    client.force_login(person)
    key = client.session.session_key
    UserSession.objects.create(user=person, session_key=key, ip="127.0.0.1", user_agent="test")
    erase(person)
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=person).exists()
    assert client.get("/mijn/").status_code == 302


def test_a_single_name_is_not_swept_from_others_texts(house):
    """ "Truus" alone would hit every other Truus: only full names and e-mail addresses are swept."""
    truus = make_user("truus@example.nl", "Truus", house, "resident")
    post = Post.objects.create(
        house=house, title="Truus van nummer 8 wordt 90", body="Feest", status="published"
    )
    erase(truus)
    assert Post.objects.get(pk=post.pk).title == "Truus van nummer 8 wordt 90"
    assert ContentType.objects.get_for_model(Post)  # the sweep left the tables intact


def test_the_command_deletes_again_after_a_restore_and_twice_is_safe(zwaantje, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("erase_accounts", str(zwaantje["person"].pk))
    assert traces(EMAIL) == [] and traces(NAME) == []
    call_command("erase_accounts", str(zwaantje["person"].pk))
    assert "already deleted" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("erase_accounts", "999999")
