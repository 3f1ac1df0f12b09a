"""Worries, the services: raising one, every state change with its audit row, who may act, working days,
the reminder after 3 working days, anonymising after the retention period, and what the mails say."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.cache import cache
from django.utils import timezone, translation

from care import worries
from care.errors import CareError
from care.models import Worry
from care.worries import WorryNotAllowed
from residents.models import AuditEvent, Organisation
from tests.threads import run_in_threads

AMS = ZoneInfo("Europe/Amsterdam")
MESSAGE = "Mijn buurvrouw komt al weken de deur niet uit en neemt de telefoon niet op."
VISITOR = {
    "about": "neighbour",
    "category": "loneliness",
    "message": MESSAGE,
    "contact_by": "phone",
    "contact_when": "na 14.00 uur",
    "name": "Fatima el Amrani",
    "phone": "06 12345678",
    "email": "fatima@example.nl",
    "address": "",
}


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture
def partner(house):
    org = Organisation.objects.create(name="Schuldhulp Groningen", kind=Organisation.Kind.DEBT_HELP)
    house.partners.add(org)
    return org


@pytest.fixture
def worry(house, resident):
    data = {**VISITOR, "category": "money", "message": "Ik heb schulden en durf mijn post niet te openen."}
    return worries.raise_worry(house=house, data=data, channel="website", by=resident)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=AMS)


def error_of(call) -> CareError:
    with pytest.raises(CareError) as info:
        call()
    return info.value


def audit_actions(worry) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(worry.pk), action__startswith="worry.")
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )


def mails_to(address: str):
    return [m for m in mail.outbox if address in m.to]


# --- raising ---------------------------------------------------------------------------------------


def test_a_visitor_raises_a_worry_and_it_is_saved_as_given(house):
    worry = worries.raise_worry(house=house, data=VISITOR, channel="website", ip="192.0.2.1")
    worry.refresh_from_db()
    assert (worry.name, worry.phone, worry.email, worry.message) == (
        "Fatima el Amrani",
        "06 12345678",
        "fatima@example.nl",
        MESSAGE,
    )
    assert (worry.about, worry.category, worry.contact_by, worry.status) == (
        "neighbour",
        "loneliness",
        "phone",
        "new",
    )
    assert worry.raised_by is None and worry.entered_by is None and worry.channel == "website"
    assert re.fullmatch(r"M-\d{4}-\d{4,}", worry.reference)


def test_a_member_is_known_by_their_account(house, resident):
    data = {**VISITOR, "name": "", "email": "", "phone": "", "contact_by": "email"}
    worry = worries.raise_worry(house=house, data=data, channel="website", by=resident)
    assert worry.raised_by == resident
    assert (worry.name, worry.email) == (resident.name, resident.email)


def test_the_address_is_kept_only_for_a_visit(house):
    data = {**VISITOR, "address": "Witmondplein 12"}
    assert worries.raise_worry(house=house, data=data, channel="website").address == ""
    visit = worries.raise_worry(house=house, data={**data, "contact_by": "visit"}, channel="website")
    assert visit.address == "Witmondplein 12"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"phone": "", "email": "", "contact_by": "drop_in"},
            "phone",
            "Vul een telefoonnummer of e-mailadres in. Dan kunnen we je bereiken.",
        ),
        ({"phone": "", "contact_by": "phone"}, "phone", "Je koos voor bellen. Vul je telefoonnummer in."),
        ({"email": "", "contact_by": "email"}, "email", "Je koos voor e-mail. Vul je e-mailadres in."),
        ({"contact_by": "visit"}, "address", "Je koos voor een bezoek. Vul je adres in."),
        ({"name": "  "}, "name", "Vul je naam in. Dan weten we naar wie we moeten vragen."),
        ({"category": "gossip"}, "category", "Kies waar het over gaat."),
        ({"about": ""}, "about", "Kies over wie het gaat."),
        ({"phone": "bel me maar"}, "phone", "Vul een telefoonnummer in, bijvoorbeeld 06 12345678."),
        ({"email": "fatima@"}, "email", "Vul een e-mailadres in, bijvoorbeeld naam@voorbeeld.nl."),
        (
            {"message": "x" * 2001},
            "message",
            "Dit mag maximaal 2000 tekens hebben. Nu zijn het er 2001.",
        ),
    ],
    ids=["unreachable", "call-no-phone", "mail-no-address", "visit-no-address", "no-name", "category",
         "about", "bad-phone", "bad-email", "too-long"],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(house, changes, field, message):
    err = error_of(lambda: worries.raise_worry(house=house, data={**VISITOR, **changes}, channel="website"))
    assert (err.field, err.message) == (field, message)
    assert not Worry.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="worry.").exists()


def test_line_breaks_count_once_and_nul_is_dropped(house):
    text = "a\r\n" * 1000  # 3000 characters as a browser sends them, 2000 as stored
    worry = worries.raise_worry(house=house, data={**VISITOR, "message": text + "\x00"}, channel="website")
    assert len(worry.message) == 1999 and "\r" not in worry.message and "\x00" not in worry.message


def test_the_team_enters_a_worry_heard_at_the_coffee_table(house, coordinator):
    data = {**VISITOR, "email": "", "phone": "", "contact_by": "visit", "address": "Witmondplein 12"}
    worry = worries.raise_worry(house=house, data=data, channel="coffee_table", entered_by=coordinator)
    assert (worry.channel, worry.entered_by, worry.raised_by) == ("coffee_table", coordinator, None)
    event = AuditEvent.objects.get(action="worry.raised", target_id=str(worry.pk))
    assert event.actor == coordinator and event.changes == {"channel": "coffee_table"}


def test_someone_entering_for_another_needs_one_way_to_reach_them(house, staff):
    data = {**VISITOR, "email": "", "phone": "", "contact_by": "drop_in"}
    err = error_of(lambda: worries.raise_worry(house=house, data=data, channel="phone", entered_by=staff))
    assert err.message == (
        "Vul minstens één manier in om de persoon te bereiken: een telefoonnummer, e-mailadres of adres."
    )
    assert not Worry.objects.exists()


@pytest.mark.parametrize("persona", ["resident", "student", "viewer", "outsider", "superuser"])
def test_only_the_team_enters_a_worry_for_someone_else(request, house, persona):
    person = request.getfixturevalue(persona)
    with pytest.raises(WorryNotAllowed):
        worries.raise_worry(house=house, data=VISITOR, channel="phone", entered_by=person)
    assert not Worry.objects.exists()


def test_a_worry_on_the_website_is_not_entered_by_the_team(house, staff):
    with pytest.raises(CareError):
        worries.raise_worry(house=house, data=VISITOR, channel="website", entered_by=staff)
    with pytest.raises(CareError):
        worries.raise_worry(house=house, data=VISITOR, channel="carrier-pigeon")
    assert not Worry.objects.exists()


# --- the flood limit -------------------------------------------------------------------------------


def test_a_flood_from_one_internet_address_is_stopped(house):
    for _n in range(3):
        worries.raise_worry(house=house, data=VISITOR, channel="website", ip="192.0.2.7")
    err = error_of(lambda: worries.raise_worry(house=house, data=VISITOR, channel="website", ip="192.0.2.7"))
    assert err.message.startswith("Vanaf deze internetverbinding zijn kort geleden veel meldingen verstuurd.")
    assert "Bel of kom langs bij W4, Witmondplein 4" in err.message
    assert Worry.objects.count() == 3
    # Another address is not held back; the address itself is not kept anywhere.
    worries.raise_worry(house=house, data=VISITOR, channel="website", ip="198.51.100.2")
    assert Worry.objects.count() == 4
    assert cache.get(worries._flood_key("192.0.2.7")) and "192.0.2.7" not in worries._flood_key("192.0.2.7")


def test_at_most_ten_a_day_from_one_address(house):
    now = timezone.now()
    earlier = [now - dt.timedelta(hours=h) for h in range(2, 11)]  # nine, none in the last hour
    cache.set(worries._flood_key("192.0.2.8"), earlier, timeout=86400)
    worries.raise_worry(house=house, data=VISITOR, channel="website", ip="192.0.2.8")  # the tenth
    with pytest.raises(CareError):
        worries.raise_worry(house=house, data=VISITOR, channel="website", ip="192.0.2.8")
    assert Worry.objects.count() == 1


def test_a_refused_worry_does_not_count_against_the_limit(house):
    for _n in range(5):
        with pytest.raises(CareError):
            worries.raise_worry(
                house=house, data={**VISITOR, "phone": "", "email": ""}, channel="website", ip="192.0.2.9"
            )
    for _n in range(3):
        worries.raise_worry(house=house, data=VISITOR, channel="website", ip="192.0.2.9")
    assert Worry.objects.count() == 3


def test_a_member_sends_at_most_three_an_hour(house, resident):
    for _n in range(3):
        worries.raise_worry(house=house, data=VISITOR, channel="website", by=resident)
    err = error_of(lambda: worries.raise_worry(house=house, data=VISITOR, channel="website", by=resident))
    assert err.message.startswith("Je hebt in korte tijd veel meldingen verstuurd.")
    assert Worry.objects.filter(raised_by=resident).count() == 3
    Worry.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    worries.raise_worry(house=house, data=VISITOR, channel="website", by=resident)
    assert Worry.objects.filter(raised_by=resident).count() == 4


# --- mails -------------------------------------------------------------------------------------------


def test_the_visitor_gets_a_receipt_and_the_team_a_link_and_neither_holds_content(
    house, all_personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        worry = worries.raise_worry(house=house, data=VISITOR, channel="website", language="nl")
    receipt = mails_to("fatima@example.nl")
    assert len(receipt) == 1
    assert receipt[0].subject == "We hebben je bericht ontvangen"
    assert "Hallo Fatima el Amrani," in receipt[0].body
    assert "We hebben je bericht aan W4, Witmondplein 4 goed ontvangen." in receipt[0].body
    team = [m for m in mail.outbox if m not in receipt]
    assert sorted(a for m in team for a in m.to) == ["coordinator@example.nl", "medewerker@example.nl"]
    link = f"/w4/meldingen/{worry.pk}/"
    for message in team:
        assert message.subject == "Nieuwe melding bij W4, Witmondplein 4"
        assert link in message.body
    for message in mail.outbox:  # nothing of the worry: no words, no category, no name or number
        text = message.subject + message.body
        for secret in ("weken", "eenzaam", "Eenzaamheid", "loneliness", "06 12345678", "buurvrouw"):
            assert secret not in text
        assert worry.reference not in text
    assert "Fatima" not in "".join(m.body for m in team)


def test_a_member_gets_the_receipt_in_their_own_language(house, resident, django_capture_on_commit_callbacks):
    resident.language = "en"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        worries.raise_worry(house=house, data=VISITOR, channel="website", by=resident)
    (receipt,) = mails_to(resident.email)
    assert receipt.subject == "We have received your message"
    assert "money" not in receipt.body.lower() and "lonel" not in receipt.body.lower()


def test_the_one_who_entered_it_gets_no_new_worry_mail(
    house, coordinator, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        worries.raise_worry(house=house, data=VISITOR, channel="phone", entered_by=staff)
    assert sorted(a for m in mail.outbox for a in m.to) == ["coordinator@example.nl", "fatima@example.nl"]


def test_no_mail_before_the_transaction_commits(house, coordinator):
    worries.raise_worry(house=house, data=VISITOR, channel="website")
    assert mail.outbox == []  # the test's transaction never commits


# --- handling ----------------------------------------------------------------------------------------


def test_taking_a_worry_on(worry, coordinator):
    worries.take(worry=worry, by=coordinator)
    worry.refresh_from_db()
    assert (worry.status, worry.handler) == ("taken", coordinator)
    note = worry.notes.get()
    assert (note.kind, note.author, note.text) == ("taken", coordinator, "")
    event = AuditEvent.objects.get(action="worry.taken")
    assert event.actor == coordinator and event.target_repr == worry.reference
    assert event.changes == {"status": ["new", "taken"], "handler": [None, coordinator.pk]}


def test_giving_a_worry_to_a_colleague(worry, coordinator, staff):
    worries.take(worry=worry, by=coordinator, handler=staff)
    worry.refresh_from_db()
    assert worry.handler == staff
    assert worry.notes.get().text == staff.name  # "given to Mila"
    err = error_of(lambda: worries.take(worry=worry, by=coordinator, handler=staff))
    assert err.message == "Mila Medewerker pakt deze melding al op."


@pytest.mark.parametrize("persona", ["resident", "student", "viewer", "outsider", "superuser"])
def test_a_forged_handler_is_refused_and_nothing_changes(request, worry, coordinator, persona, make_user):
    forged = request.getfixturevalue(persona)
    err = error_of(lambda: worries.take(worry=worry, by=coordinator, handler=forged))
    assert (err.field, err.message) == ("handler", "Kies iemand van het team van dit huis.")
    worry.refresh_from_db()
    assert (worry.status, worry.handler) == ("new", None)
    assert not worry.notes.exists()
    assert audit_actions(worry) == ["worry.raised"]


def test_a_coordinator_of_another_house_is_no_handler_here(worry, coordinator, other_house, make_user):
    elsewhere = make_user("elders@example.nl", "Els Elders", other_house, "coordinator")
    with pytest.raises(CareError):
        worries.take(worry=worry, by=coordinator, handler=elsewhere)
    with pytest.raises(WorryNotAllowed):
        worries.take(worry=worry, by=elsewhere)
    worry.refresh_from_db()
    assert worry.handler is None


@pytest.mark.parametrize("persona", ["resident", "student", "viewer", "outsider", "superuser"])
def test_only_the_team_of_the_house_handles_a_worry(request, worry, persona, partner):
    person = request.getfixturevalue(persona)
    calls = [
        lambda: worries.take(worry=worry, by=person),
        lambda: worries.record_contact(worry=worry, by=person, text="Gebeld"),
        lambda: worries.refer(worry=worry, by=person, partner=partner, consent=True, text=""),
        lambda: worries.close(worry=worry, by=person, outcome="helped", text=""),
        lambda: worries.reopen(worry=worry, by=person),
        lambda: worries.add_note(worry=worry, by=person, text="Hallo"),
        lambda: worries.log_view(worry=worry, by=person),
    ]
    for call in calls:
        with pytest.raises(WorryNotAllowed):
            call()
    worry.refresh_from_db()
    assert worry.status == "new" and not worry.notes.exists()
    assert audit_actions(worry) == ["worry.raised"]


def test_anonymous_cannot_handle_a_worry(worry):
    with pytest.raises(WorryNotAllowed):
        worries.take(worry=worry, by=AnonymousUser())


def test_recording_the_first_contact(worry, staff):
    worries.record_contact(worry=worry, by=staff, text="  Gebeld, ze wil graag hulp met haar post.  ")
    worry.refresh_from_db()
    assert worry.first_contact_at is not None
    assert (worry.status, worry.handler) == ("taken", staff)
    note = worry.notes.get()
    assert (note.kind, note.text) == ("contact", "Gebeld, ze wil graag hulp met haar post.")
    first = worry.first_contact_at
    worries.record_contact(worry=worry, by=staff, text="Nog een keer gebeld.")
    worry.refresh_from_db()
    assert worry.first_contact_at == first
    assert audit_actions(worry) == ["worry.raised", "worry.contact", "worry.contact"]


@pytest.mark.parametrize("text", ["", "   ", "\r\n"])
def test_a_contact_needs_a_few_words(worry, staff, text):
    err = error_of(lambda: worries.record_contact(worry=worry, by=staff, text=text))
    assert (err.field, err.message) == ("text", "Schrijf in een paar woorden waar jullie het over hadden.")
    worry.refresh_from_db()
    assert worry.first_contact_at is None and not worry.notes.exists()


def test_a_referral_needs_consent_first(worry, coordinator, partner):
    err = error_of(
        lambda: worries.refer(worry=worry, by=coordinator, partner=partner, consent=False, text="")
    )
    assert err.field == "consent"
    assert err.message == "Vraag eerst of de persoon het goed vindt. Zet daarna het vinkje."
    worry.refresh_from_db()
    assert (worry.status, worry.referred_to, worry.consent_at) == ("new", None, None)
    assert audit_actions(worry) == ["worry.raised"]

    worries.refer(worry=worry, by=coordinator, partner=partner, consent=True, text="Afspraak op dinsdag")
    worry.refresh_from_db()
    assert (worry.status, worry.referred_to) == ("referred", partner)
    assert worry.consent_at is not None and worry.first_contact_at is not None
    assert worry.notes.get().kind == "referred"
    event = AuditEvent.objects.get(action="worry.referred")
    assert event.changes == {"status": ["new", "referred"], "partner": partner.pk, "consent": True}


def test_only_partners_of_the_house_can_be_referred_to(worry, coordinator, partner):
    stranger = Organisation.objects.create(name="Ergens Anders", kind=Organisation.Kind.CARE)
    for org in (stranger, None):
        err = error_of(
            lambda org=org: worries.refer(worry=worry, by=coordinator, partner=org, consent=True, text="")
        )
        assert err.field == "partner"
    worry.refresh_from_db()
    assert worry.referred_to is None


def test_closing_and_opening_again(worry, coordinator):
    err = error_of(lambda: worries.close(worry=worry, by=coordinator, outcome="vanished", text=""))
    assert (err.field, err.message) == ("outcome", "Kies hoe het is afgelopen.")
    worries.close(worry=worry, by=coordinator, outcome="not_needed", text="Was al opgelost")
    worry.refresh_from_db()
    assert (worry.status, worry.outcome, worry.handler) == ("closed", "not_needed", coordinator)
    assert worry.closed_at is not None
    err = error_of(lambda: worries.close(worry=worry, by=coordinator, outcome="helped", text=""))
    assert err.message == "Deze melding is afgesloten. Open hem eerst weer."
    err = error_of(lambda: worries.record_contact(worry=worry, by=coordinator, text="Hoi"))
    assert err.message == "Deze melding is afgesloten. Open hem eerst weer."

    worries.reopen(worry=worry, by=coordinator)
    worry.refresh_from_db()
    assert (worry.status, worry.outcome, worry.closed_at) == ("taken", "", None)
    assert (
        error_of(lambda: worries.reopen(worry=worry, by=coordinator)).message == "Deze melding is nog open."
    )
    assert [n.kind for n in worry.notes.all()] == ["closed", "reopened"]
    assert audit_actions(worry) == ["worry.raised", "worry.closed", "worry.reopened"]


def test_a_new_worry_closed_and_opened_again_is_new_again(worry, staff):
    worries.close(worry=worry, by=staff, outcome="other", text="")
    Worry.objects.filter(pk=worry.pk).update(handler=None)
    worries.reopen(worry=worry, by=staff)
    worry.refresh_from_db()
    assert worry.status == "new"


def test_notes_are_internal_and_audited_without_their_text(worry, staff):
    err = error_of(lambda: worries.add_note(worry=worry, by=staff, text=" "))
    assert (err.field, err.message) == ("text", "Schrijf eerst de notitie.")
    worries.add_note(worry=worry, by=staff, text="Buurman weet er ook van.")
    assert worry.notes.get().text == "Buurman weet er ook van."
    assert AuditEvent.objects.get(action="worry.note_added").changes == {}


def test_each_view_of_the_page_is_logged(worry, coordinator):
    worries.log_view(worry=worry, by=coordinator)
    worries.log_view(worry=worry, by=coordinator)
    events = AuditEvent.objects.filter(action="worry.viewed")
    assert events.count() == 2 and {e.actor for e in events} == {coordinator}


def test_no_audit_row_holds_what_the_person_said(worry, coordinator, partner):
    worries.take(worry=worry, by=coordinator)
    worries.record_contact(worry=worry, by=coordinator, text="Gesprek over de schulden bij de bank")
    worries.refer(worry=worry, by=coordinator, partner=partner, consent=True, text="Via de bank")
    worries.add_note(worry=worry, by=coordinator, text="Bank belt terug")
    worries.close(worry=worry, by=coordinator, outcome="referred", text="Bank helpt")
    worries.log_view(worry=worry, by=coordinator)
    events = AuditEvent.objects.filter(target_id=str(worry.pk), action__startswith="worry.")
    assert events.count() == 7
    for event in events:
        text = f"{event.target_repr} {event.changes}"
        assert event.target_repr == worry.reference  # not "… · geld en schulden"
        for secret in ("schuld", "Schuld", "bank", "Bank", "post", "money", "geld"):
            assert secret not in text


def test_the_worry_row_is_locked_while_it_changes(worry, coordinator, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        worries.take(worry=worry, by=coordinator)
    assert any("FOR UPDATE" in q["sql"] and '"care_worry"' in q["sql"] for q in queries.captured_queries)


# --- working days ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 4, 20, 10, 0), at(2026, 4, 23, 10, 0)),  # Monday -> Thursday
        (at(2026, 4, 24, 10, 0), at(2026, 4, 30, 10, 0)),  # Friday; Monday 27 April is Koningsdag
        (at(2025, 12, 24, 9, 30), at(2025, 12, 31, 9, 30)),  # Christmas Day and Boxing Day are off
        (at(2026, 4, 25, 15, 0), at(2026, 4, 30, 15, 0)),  # a Saturday counts from Tuesday (Koningsdag)
        (at(2026, 3, 27, 10, 0), at(2026, 4, 1, 10, 0)),  # over the change to summer time
    ],
    ids=["plain-week", "koningsdag", "christmas", "weekend", "summer-time"],
)
def test_working_days_skip_weekends_and_dutch_public_holidays(start, expected):
    assert worries.working_days_after(start, 3) == expected
    assert timezone.localtime(worries.working_days_after(start, 3)).hour == start.hour


def test_public_holidays_are_not_working_days():
    assert not worries.is_working_day(dt.date(2026, 4, 27))  # Koningsdag
    assert not worries.is_working_day(dt.date(2025, 12, 25))
    assert not worries.is_working_day(dt.date(2025, 12, 26))
    assert not worries.is_working_day(dt.date(2026, 4, 25))  # Saturday
    assert worries.is_working_day(dt.date(2026, 4, 28))


# --- the reminder ------------------------------------------------------------------------------------


def _created(worry, moment):
    Worry.objects.filter(pk=worry.pk).update(created_at=moment)
    worry.refresh_from_db()
    return worry


def test_the_team_is_reminded_once_after_three_working_days(
    house, worry, coordinator, staff, resident, django_capture_on_commit_callbacks
):
    _created(worry, at(2026, 4, 24, 10, 0))  # Friday before Koningsdag
    with django_capture_on_commit_callbacks(execute=True):
        assert worries.remind_unattended(now=at(2026, 4, 29, 10, 0)) == 0  # only 2 working days
        assert worries.remind_unattended(now=at(2026, 4, 30, 9, 59)) == 0
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert worries.remind_unattended(now=at(2026, 4, 30, 10, 0)) == 1
    assert sorted(a for m in mail.outbox for a in m.to) == ["coordinator@example.nl", "medewerker@example.nl"]
    for message in mail.outbox:
        assert message.subject == "Een melding bij W4, Witmondplein 4 wacht op contact"
        assert f"/w4/meldingen/{worry.pk}/" in message.body
        for secret in ("schuld", "geld", "post", resident.name, "06 12345678"):
            assert secret not in message.body
    worry.refresh_from_db()
    assert worry.reminded_at == at(2026, 4, 30, 10, 0)
    assert audit_actions(worry) == ["worry.raised", "worry.reminded"]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert worries.remind_unattended(now=at(2026, 5, 8, 10, 0)) == 0  # once only
    assert mail.outbox == []


def test_no_reminder_after_a_first_contact_or_once_taken(house, worry, coordinator):
    _created(worry, at(2026, 4, 20, 10, 0))
    worries.take(worry=worry, by=coordinator)
    contacted = worries.raise_worry(house=house, data=VISITOR, channel="website")
    _created(contacted, at(2026, 4, 20, 10, 0))
    Worry.objects.filter(pk=contacted.pk).update(first_contact_at=at(2026, 4, 21, 10, 0))
    assert worries.remind_unattended(now=at(2026, 5, 20, 10, 0)) == 0


def test_one_mail_per_person_for_several_waiting_worries(
    house, worry, coordinator, django_capture_on_commit_callbacks
):
    second = worries.raise_worry(house=house, data=VISITOR, channel="website")
    for w in (worry, second):
        _created(w, at(2026, 4, 20, 10, 0))
    with django_capture_on_commit_callbacks(execute=True):
        assert worries.remind_unattended(now=at(2026, 4, 24, 10, 0)) == 2
    (message,) = mail.outbox
    assert message.subject == "2 meldingen bij W4, Witmondplein 4 wachten op contact"
    assert f"/w4/meldingen/{worry.pk}/" in message.body and f"/w4/meldingen/{second.pk}/" in message.body


# --- anonymising -------------------------------------------------------------------------------------


def _closed_days_ago(worry, by, days: int, now):
    worries.record_contact(worry=worry, by=by, text="Gebeld met mevrouw over haar schulden")
    worries.close(worry=worry, by=by, outcome="helped", text="Geholpen met de bank")
    Worry.objects.filter(pk=worry.pk).update(closed_at=now - dt.timedelta(days=days))


def test_closed_worries_are_anonymised_after_the_retention_period(
    house, worry, resident, coordinator, staff, settings
):
    settings.WORRY_RETENTION_DAYS = 365
    now = timezone.now()
    entered = worries.raise_worry(house=house, data=VISITOR, channel="phone", entered_by=staff)
    recent = worries.raise_worry(house=house, data=VISITOR, channel="website")
    still_open = worries.raise_worry(house=house, data=VISITOR, channel="website")
    Worry.objects.filter(pk=still_open.pk).update(created_at=now - dt.timedelta(days=800))
    _closed_days_ago(worry, coordinator, 366, now)
    _closed_days_ago(entered, coordinator, 400, now)
    _closed_days_ago(recent, coordinator, 364, now)

    assert worries.anonymise_closed(now=now) == 2
    for w in (worry, entered):
        w.refresh_from_db()
        assert (w.name, w.phone, w.email, w.address, w.contact_when, w.message) == ("",) * 6
        assert w.raised_by is None and w.entered_by is None and w.anonymised_at == now
        assert not w.notes.exclude(text="").exists()
        assert w.handler == coordinator and w.status == "closed" and w.outcome == "helped"
    assert (worry.category, worry.house, worry.channel) == ("money", house, "website")
    assert (entered.category, entered.about, entered.channel) == ("loneliness", "neighbour", "phone")
    # What the person did is no longer tied to their account in the audit trail either.
    assert not AuditEvent.objects.filter(target_id=str(worry.pk), actor=resident).exists()
    assert AuditEvent.objects.filter(target_id=str(worry.pk), actor=coordinator).exists()
    for w in (recent, still_open):
        w.refresh_from_db()
        assert w.anonymised_at is None and w.message == VISITOR["message"]
    assert recent.notes.exclude(text="").exists()

    assert worries.anonymise_closed(now=now) == 0  # safe to run twice
    assert AuditEvent.objects.filter(action="worry.anonymised").count() == 2


def test_an_anonymised_worry_cannot_be_changed(worry, coordinator):
    now = timezone.now()
    _closed_days_ago(worry, coordinator, 400, now)
    worries.anonymise_closed(now=now)
    for call in (
        lambda: worries.reopen(worry=worry, by=coordinator),
        lambda: worries.add_note(worry=worry, by=coordinator, text="Nog iets"),
    ):
        assert error_of(call).message == "Deze melding is geanonimiseerd. Je kunt hem niet meer veranderen."


def test_the_retention_period_comes_from_the_settings(worry, coordinator, settings):
    settings.WORRY_RETENTION_DAYS = 30
    now = timezone.now()
    _closed_days_ago(worry, coordinator, 31, now)
    assert worries.anonymise_closed(now=now) == 1


# --- the person's own view ---------------------------------------------------------------------------


def test_my_worries_shows_status_and_never_the_words_or_notes(house, worry, resident, student, coordinator):
    worries.add_note(worry=worry, by=coordinator, text="Intern: buurman weet ervan")
    worries.take(worry=worry, by=coordinator)
    worries.raise_worry(house=house, data=VISITOR, channel="website", by=student)
    mine = worries.my_worries(resident)
    assert len(mine) == 1
    item = mine[0]
    assert (item.reference, item.house, item.category, item.status) == (
        worry.reference,
        house,
        "money",
        "taken",
    )
    assert (item.category_label, item.status_label) == ("geld en schulden", "in behandeling")
    assert item.created_at == worry.created_at and item.is_open
    assert not hasattr(item, "message") and not hasattr(item, "notes") and not hasattr(item, "handler")
    assert worries.my_worries(AnonymousUser()) == []
    assert worries.my_worries(coordinator) == []


# --- a flood at one moment -----------------------------------------------------------------------------


def _flood_at_once(house, monkeypatch, n=4):
    """n worries from one address at the same moment; every reader waits until all could have read."""
    barrier = threading.Barrier(n)
    real_get = cache.get

    def slow_get(key, default=None, **kwargs):
        # With the lock, only one raise can be here at a time: the barrier breaks and each goes on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return real_get(key, default, **kwargs)

    monkeypatch.setattr(cache, "get", slow_get)

    def raiser():
        with translation.override("nl"):
            return worries.raise_worry(house=house, data=VISITOR, channel="website", ip="203.0.113.5")

    return run_in_threads(*([raiser] * n))


@pytest.mark.django_db(transaction=True)
def test_a_flood_at_one_moment_still_saves_at_most_three(house, monkeypatch):
    cache.clear()
    try:
        results = _flood_at_once(house, monkeypatch)
        assert sorted(kind for kind, _ in results) == ["error", "ok", "ok", "ok"]
        assert Worry.objects.count() == 3
    finally:
        cache.clear()


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_a_flood_gets_through(house, monkeypatch):
    """The same flood without the advisory lock saves all four: the test above can fail."""
    cache.clear()
    monkeypatch.setattr(worries, "_lock", lambda key: None)
    try:
        results = _flood_at_once(house, monkeypatch)
        assert [kind for kind, _ in results] == ["ok"] * 4
        assert Worry.objects.count() == 4
    finally:
        cache.clear()


def test_the_team_may_keep_an_address_as_the_only_way_to_reach_someone(house, staff):
    data = {**VISITOR, "phone": "", "email": "", "contact_by": "drop_in", "address": "Witmondplein 12"}
    worry = worries.raise_worry(house=house, data=data, channel="coffee_table", entered_by=staff)
    assert worry.address == "Witmondplein 12"
