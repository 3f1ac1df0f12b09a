"""/mijn/gegevens/: everything the portal holds about the person, from every app's registry entry.

`everything(...)` gives a student one record of every kind the portal keeps about a person (and
someone else's records beside them); tests/residents/test_export.py uses it for the download too.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from activities.models import Activity, Booking, Idea, IdeaSupport, Poll, PollBallot, PollOption, Signup
from care import worries
from care.models import Buddy, Match, MatchCheckin
from duties.models import Duty, DutyAssignment, HourLog, Obligation
from news.models import Comment, CommentReport, Post
from residents import registry
from residents.audit import record
from residents.models import CalendarFeed, Membership
from tests.activities.factories import at, booking_values, days_ahead, make_booking, make_room

pytestmark = pytest.mark.django_db

URL = "/mijn/gegevens/"

# What each kind of record of the person shows (on the page and in the export), by registry key.
SHOWN = {
    "account": "06 55501234",
    "email_addresses": "student@example.nl",
    "two_step_login": "herstelcodes",
    "memberships": "Ik wil graag meedoen",
    "bookings": "Verjaardag van oma Truus",
    "signups": "Breiclub op dinsdag",
    "organised_activities": "Wandelen in het Noorderplantsoen",
    "ideas": "Samen koken op vrijdag",
    "idea_supports": "Een moestuin achter het huis",
    "poll_votes": "Donderdagmiddag",
    "hour_logs": "Koffie geschonken bij de inloop",
    "duties": "Koffiekrant rondbrengen",
    "obligations": "96",
    "news_posts": "Nieuwe stoelen in de huiskamer",
    "comments": "Wat een mooie stoelen!",
    "comment_reports": "Dit is niet aardig tegen de buren",
    "worries": "M-",
    "buddies": "Ik wandel graag en spreek Turks",
    "buddy_matches": "Jullie wandelen allebei graag",
    "buddy_checkins": "Fijne wandelingen op zondag",
    "calendar_feed": "Je hebt een geheim adres",
    "sessions": "192.0.2.44",
    "audit_trail": "Instelling voor herinneringen veranderd",
}

# Never shown to the person: the team's words about their worry and buddy offer, their worry's own
# text (status only), the feed's secret token, and everything of other people.
NEVER = [
    "Veel rekeningen en een brief van de deurwaarder",  # the worry's message (status only)
    "Afspraak met de schuldhulp gemaakt",  # the team's note on the worry
    "Betrouwbaar, VOG gecheckt door Cor",  # the team's note on the buddy offer
    "Geheime vergadering van Bea",  # someone else's booking
    "Lelijke stoelen, zonde van het geld",  # someone else's reaction (the one reported)
    "bewoner@example.nl",  # someone else's e-mail
    "Bewoner",  # the buddy's surname: only the first name, once both said yes
    "Cor Coördinator",  # who handles the worry
]


def everything(house, student, resident, coordinator) -> dict:
    """One record of every kind for `student` (a student of `house`), and others' records beside them.

    Returns the objects a test may want to look at."""
    now = timezone.now()
    student.phone = "06 55501234"
    student.save(update_fields=["phone"])
    Membership.objects.filter(user=student, house=house).update(motivation="Ik wil graag meedoen")
    Authenticator.objects.create(user=student, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})

    room = make_room(house)
    day = days_ahead(3)
    booking = make_booking(
        room, student, at(day, "14:00"), at(day, "16:00"), title="Verjaardag van oma Truus"
    )
    make_booking(room, resident, at(day, "18:00"), at(day, "19:00"), title="Geheime vergadering van Bea")

    start = at(days_ahead(5), "10:00")
    knitting = Activity.objects.create(
        house=house,
        period=DateTimeTZRange(start, start + dt.timedelta(hours=2)),
        title="Breiclub op dinsdag",
        category="creative",
        place="De serre",
        signup_required=True,
        capacity=1,
    )
    Signup.objects.create(activity=knitting, person=resident, status=Signup.Status.CONFIRMED)
    Signup.objects.create(activity=knitting, person=student, status=Signup.Status.WAITING)
    walk = Activity.objects.create(
        house=house,
        period=DateTimeTZRange(start + dt.timedelta(days=1), start + dt.timedelta(days=1, hours=1)),
        title="Wandelen in het Noorderplantsoen",
        category="sport",
        place="Noorderplantsoen",
    )
    walk.organisers.add(student)

    Idea.objects.create(
        house=house, proposer=student, title="Samen koken op vrijdag", description="Elke week"
    )
    garden = Idea.objects.create(house=house, proposer=resident, title="Een moestuin achter het huis")
    IdeaSupport.objects.create(idea=garden, person=student)
    poll = Poll.objects.create(
        house=house, question="Welke dag voor de bingo?", closes_at=now + dt.timedelta(days=7)
    )
    PollOption.objects.create(poll=poll, text="Dinsdagavond", position=0)
    thursday = PollOption.objects.create(poll=poll, text="Donderdagmiddag", position=1)
    PollBallot.objects.create(poll=poll, person=student).options.set([thursday])

    yesterday = at(timezone.localdate() - dt.timedelta(days=1), "09:00")
    HourLog.objects.create(
        student=student,
        house=house,
        period=DateTimeTZRange(yesterday, yesterday + dt.timedelta(minutes=90)),
        minutes=90,
        what="Koffie geschonken bij de inloop",
    )
    duty = Duty.objects.create(house=house, title="Koffiekrant rondbrengen", first_day=days_ahead(2))
    DutyAssignment.objects.create(duty=duty, student=student, assigned_by=coordinator)
    Obligation.objects.create(
        student=student,
        house=house,
        first_day=dt.date(2026, 1, 1),
        last_day=dt.date(2026, 12, 31),
        hours_required=96,
    )

    post = Post.objects.create(
        house=house,
        author=student,
        title="Nieuwe stoelen in de huiskamer",
        body="We hebben **nieuwe stoelen**.",
        status=Post.Status.PUBLISHED,
    )
    Comment.objects.create(post=post, author=student, body="Wat een mooie stoelen!")
    theirs = Comment.objects.create(post=post, author=resident, body="Lelijke stoelen, zonde van het geld")
    CommentReport.objects.create(comment=theirs, reporter=student, reason="Dit is niet aardig tegen de buren")

    worry = worries.raise_worry(
        house=house,
        data={
            "about": "self",
            "category": "money",
            "message": "Veel rekeningen en een brief van de deurwaarder",
            "contact_by": "email",
        },
        channel="website",
        by=student,
    )
    worries.take(worry=worry, by=coordinator)
    worries.add_note(worry=worry, by=coordinator, text="Afspraak met de schuldhulp gemaakt")

    offer = Buddy.objects.create(
        house=house,
        person=student,
        side=Buddy.Side.OFFER,
        kinds=["walking", "language"],
        languages="Nederlands, Turks",
        available="Zondagmiddag",
        about="Ik wandel graag en spreek Turks",
        contact_by=Buddy.ContactBy.EMAIL,
        team_note="Betrouwbaar, VOG gecheckt door Cor",
        status=Buddy.Status.MATCHED,
    )
    ask = Buddy.objects.create(
        house=house,
        person=resident,
        side=Buddy.Side.ASK,
        kinds=["walking"],
        languages="Nederlands",
        available="Zondag",
        phone="06 99990000",
        status=Buddy.Status.MATCHED,
    )
    match = Match.objects.create(
        ask=ask,
        offer=offer,
        proposed_by=coordinator,
        note="Jullie wandelen allebei graag",
        ask_answer=Match.Answer.YES,
        offer_answer=Match.Answer.YES,
        status=Match.Status.ACTIVE,
        started_at=now,
    )
    MatchCheckin.objects.create(
        match=match, person=student, feeling="good", text="Fijne wandelingen op zondag"
    )

    feed = CalendarFeed.objects.create(user=student)
    UserSession.objects.create(
        user=student, ip="192.0.2.44", user_agent="Mozilla/5.0 Firefox/131.0", session_key="s" * 32
    )
    UserSession.objects.create(
        user=resident, ip="198.51.100.9", user_agent="Mozilla/5.0 Safari/17", session_key="r" * 32
    )
    with transaction.atomic():
        record("user.reminders", actor=student, target=student, changes={"reminders": [True, False]})
    return {"booking": booking, "worry": worry, "feed": feed, "match": match}


@pytest.fixture
def full(house, student, resident, coordinator):
    return everything(house, student, resident, coordinator)


def section(page: str, key: str) -> str:
    """The HTML of one section of the page."""
    found = re.search(rf'<section id="{key}".*?</section>', page, re.S)
    assert found, f"no section {key}"
    return found.group(0)


def test_every_registered_kind_has_a_section_and_the_tests_know_it(full, student, client_for):
    page = client_for(student).get(URL).content.decode()
    keys = [entry.key for entry in registry.personal_data]
    assert sorted(keys) == sorted(SHOWN), "a new kind of personal data needs a record in everything()"
    for key in keys:
        assert f'href="#{key}"' in page  # in the table of contents
        section(page, key)


@pytest.mark.parametrize("key", sorted(SHOWN))
def test_every_kind_of_record_shows_in_its_own_section(full, student, client_for, key):
    page = client_for(student).get(URL).content.decode()
    part = section(page, key)
    assert SHOWN[key] in part
    assert "<table" in part and "<caption" in part and 'scope="row"' in part
    assert "Niets" not in part


def test_one_record_reads_as_lines_more_as_columns(full, student, client_for):
    page = client_for(student).get(URL).content.decode()
    account = section(page, "account")
    assert '<th scope="row">Telefoonnummer</th><td>06 55501234</td>' in account
    trail = section(page, "audit_trail")  # two rows: the worry raised, the reminder setting
    assert '<th scope="col">Wanneer</th>' in trail and trail.count("<tr>") == 3


def test_the_page_reads_in_plain_dutch_with_dates_and_statuses(full, student, client_for):
    page = client_for(student).get(URL).content.decode()
    assert "<h1>Mijn gegevens</h1>" in page
    assert "Wat het portaal over jou bewaart" in page
    signups = section(page, "signups")
    assert "op de wachtlijst" in signups
    worries_part = section(page, "worries")
    assert full["worry"].reference in worries_part
    assert "in behandeling" in worries_part
    assert "geld en schulden" in worries_part
    bookings = section(page, "bookings")
    day = full["booking"].start
    assert f"{timezone.localtime(day).day} " in bookings and "14:00" in bookings
    # The buddy's first name, now both said yes.
    assert "Bea" in section(page, "buddy_matches")


def test_nothing_of_the_team_or_of_others_shows(full, student, client_for):
    page = client_for(student).get(URL).content.decode()
    for text in NEVER:
        assert text not in page, text
    assert full["feed"].token not in page
    assert "198.51.100.9" not in page  # someone else's session


def test_empty_kinds_say_nothing_and_someone_else_sees_none_of_it(full, resident, viewer, client_for):
    page = client_for(viewer).get(URL).content.decode()
    assert section(page, "bookings").count("Niets") == 1
    assert section(page, "worries").count("Niets") == 1
    for key, shown in SHOWN.items():
        if key not in ("worries", "obligations"):  # "M-" and "96" are too short to look for
            assert shown not in page, key
    assert "wethouder@example.nl" in section(page, "account")


def test_the_worry_section_shows_the_status_only(full, student, client_for):
    part = section(client_for(student).get(URL).content.decode(), "worries")
    assert "Veel rekeningen" not in part and "schuldhulp" not in part


def test_sessions_link_to_where_they_can_be_ended(full, student, client_for):
    part = section(client_for(student).get(URL).content.decode(), "sessions")
    assert reverse("usersessions_list") in part
    assert "Firefox/131.0" in part


def test_the_page_offers_the_download_as_a_post_form(full, student, client_for):
    page = client_for(student).get(URL).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" id="download-form".*?</form>', page, re.S)
    assert form and form.group(1) == reverse("my_data_download")
    assert "csrfmiddlewaretoken" in form.group(0)
    assert "Mijn gegevens downloaden" in form.group(0)


def test_the_place_to_delete_the_account_is_at_the_bottom(full, student, client_for):
    page = client_for(student).get(URL).content.decode()
    bottom = page[page.index('id="delete-account"') :]
    try:
        leave = reverse("leave")
    except NoReverseMatch:  # not built yet
        assert "Vraag de medewerkers van je huis" in bottom
    else:
        assert f'href="{leave}"' in bottom


def test_my_page_links_here(student, client_for):
    assert f'href="{URL}"' in client_for(student).get("/mijn/").content.decode()


def test_in_english_for_an_english_user(full, student, client_for):
    student.language = "en"
    student.save(update_fields=["language"])
    page = client_for(student).get(URL).content.decode()
    assert "<h1>My data</h1>" in page
    assert "on the waiting list" in section(page, "signups")


def test_anonymous_is_sent_to_log_in(client_for):
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- queries: a fixed number, whatever the number of records ----------------------------------


def _more_of_everything(house, student, n: int) -> None:
    room = make_room(house, "Zaal")
    Booking.objects.bulk_create(
        Booking(
            **booking_values(room, student, at(days_ahead(1 + i), "10:00"), at(days_ahead(1 + i), "11:00"))
        )
        for i in range(n)
    )
    start = at(days_ahead(1), "10:00")
    activities = Activity.objects.bulk_create(
        Activity(
            house=house,
            period=DateTimeTZRange(start + dt.timedelta(days=i), start + dt.timedelta(days=i, hours=1)),
            title=f"Activiteit {i}",
            category="other",
            place="Buiten",
        )
        for i in range(n)
    )
    Signup.objects.bulk_create(Signup(activity=a, person=student, status="confirmed") for a in activities)
    for a in activities:
        a.organisers.add(student)
    polls = Poll.objects.bulk_create(
        Poll(house=house, question=f"Vraag {i}", closes_at=timezone.now() + dt.timedelta(days=3))
        for i in range(n)
    )
    for poll in polls:
        option = PollOption.objects.create(poll=poll, text="Ja")
        PollBallot.objects.create(poll=poll, person=student).options.set([option])
    post = Post.objects.create(house=house, author=student, title="Veel reacties")
    Comment.objects.bulk_create(Comment(post=post, author=student, body=f"Reactie {i}") for i in range(n))
    with transaction.atomic():
        for i in range(n):
            record(
                "user.reminders",
                actor=student,
                target=student,
                changes={"reminders": [i % 2 == 0, i % 2 == 1]},
            )


@pytest.mark.parametrize("n", [2, 60])
def test_the_page_takes_a_fixed_number_of_queries(
    n, full, house, student, client_for, django_assert_max_num_queries
):
    _more_of_everything(house, student, n)
    client = client_for(student)
    # One query per kind of data, and a few for the session, the account and the menu (26 when written).
    with django_assert_max_num_queries(len(registry.personal_data) + 6):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") >= 4 * n
