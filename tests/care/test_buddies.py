"""Buddies, the rules (care.buddies): asking and offering, intake, proposing, answering, ending,
"Hoe gaat het?" after four weeks, and two coordinators proposing the same request at once.

Every change leaves an audit row without the words people typed; mails go out after the commit and
never carry a name or contact detail of the other side.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone, translation

from care import buddies
from care.errors import CareError
from care.models import Buddy, Match, MatchCheckin
from residents.models import AuditEvent, Organisation
from tests.threads import run_in_threads

ABOUT = "Mijn man is vorig jaar overleden en ik zit veel alleen thuis."
ASK_DATA = {
    "kinds": ["talk", "language"],
    "languages": "Nederlands, Arabisch",
    "available": "Dinsdagmiddag",
    "about": ABOUT,
    "contact_by": "phone",
    "phone": "06 11112222",
}
OFFER_DATA = {
    "kinds": ["talk", "walking"],
    "languages": "Nederlands, Engels",
    "available": "Dinsdag en donderdag",
    "about": "Ik ben gepensioneerd en wandel graag.",
    "contact_by": "email",
    "phone": "",
}


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def make_buddy(house, person, side, *, intake_by=None, vog=False, **changes) -> Buddy:
    """A request or offer through the service; with `intake_by`, the team's intake recorded too."""
    data = {**(ASK_DATA if side == "ask" else OFFER_DATA), **changes}
    buddy = buddies.add_buddy(house=house, person=person, side=side, data=data)
    if intake_by is not None:
        buddy = buddies.record_intake(
            buddy=buddy,
            by=intake_by,
            partner=None,
            vog_seen_at=timezone.localdate() - dt.timedelta(days=10) if vog else None,
            note="",
        )
    return buddy


@pytest.fixture
def ask(house, resident, coordinator):
    return make_buddy(house, resident, "ask", intake_by=coordinator)


@pytest.fixture
def offer(house, student, coordinator):
    return make_buddy(house, student, "offer", intake_by=coordinator, vog=True)


@pytest.fixture
def proposed(ask, offer, coordinator):
    return buddies.propose_match(ask=ask, offer=offer, by=coordinator, note="Jullie wandelen allebei graag.")


@pytest.fixture
def going(proposed, resident, student):
    buddies.answer(match=proposed, by=resident, yes=True)
    return buddies.answer(match=proposed, by=student, yes=True)


def error_of(call) -> CareError:
    with pytest.raises(CareError) as info:
        call()
    return info.value


def audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def assert_no_words_in_audit(*words: str) -> None:
    trail = json.dumps([e.changes for e in AuditEvent.objects.all()], ensure_ascii=False)
    for word in words:
        assert word not in trail


def mails_to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email]]


# --- asking and offering ---------------------------------------------------------------------------


def test_a_resident_asks_for_a_buddy_and_the_audit_keeps_no_words(house, resident):
    buddy = buddies.add_buddy(
        house=house,
        person=resident,
        side="ask",
        data={
            **ASK_DATA,
            "kinds": ["language", "talk"],
            "available": "  Dinsdag\r\n middag ",
            "about": " Hoi\r\n",
        },
    )
    buddy.refresh_from_db()
    assert buddy.kinds == ["talk", "language"]  # the order of the list, not of the clicks
    assert buddy.available == "Dinsdag middag" and buddy.about == "Hoi"
    assert buddy.status == Buddy.Status.OPEN and buddy.side == "ask" and buddy.person == resident
    [event] = audit("buddy.added")
    assert event.actor == resident and event.house == house and event.target_id == str(buddy.pk)
    assert event.changes == {"side": "ask", "kinds": ["talk", "language"], "contact_by": "phone"}
    assert_no_words_in_audit("Hoi", "Dinsdag", "06 11112222")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kinds": []}, "kinds", "Kies minstens één ding."),
        ({"kinds": ["talk", "cooking"]}, "kinds", "Kies uit de lijst."),
        ({"contact_by": "phone", "phone": ""}, "phone", "Geef je telefoonnummer, of kies je e-mailadres."),
        ({"phone": "bel me maar"}, "phone", "Dit lijkt geen telefoonnummer. Bijvoorbeeld: 06 12345678."),
        ({"languages": "  "}, "languages", "Zeg welke talen je spreekt."),
        ({"available": ""}, "available", "Zeg wanneer je tijd hebt."),
        ({"about": "x" * 501}, "about", "Dit mag maximaal 500 tekens hebben. Nu zijn het er 501."),
        ({"languages": "x" * 201}, "languages", "Dit mag maximaal 200 tekens hebben. Nu zijn het er 201."),
        ({"contact_by": "post"}, "contact_by", "Kies hoe je maatje je mag bereiken."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    house, resident, changes, field, message
):
    err = error_of(
        lambda: buddies.add_buddy(house=house, person=resident, side="ask", data={**ASK_DATA, **changes})
    )
    assert (err.field, err.message) == (field, message)
    assert not Buddy.objects.exists() and not AuditEvent.objects.exists()


def test_e_mail_as_contact_needs_an_e_mail_address(house, make_user):
    no_email = make_user(None, "Nel Zonder", house, "resident")
    err = error_of(lambda: make_buddy(house, no_email, "ask", contact_by="email"))
    assert err.field == "contact_by"
    assert not Buddy.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_only_members_ask_or_offer(house, persona, request):
    person = request.getfixturevalue(persona)
    err = error_of(lambda: make_buddy(house, person, "offer"))
    assert "Alleen leden van W4, Witmondplein 4" in err.message
    assert not Buddy.objects.exists()


def test_one_request_and_one_offer_at_a_time(house, resident):
    ask = make_buddy(house, resident, "ask")
    err = error_of(lambda: make_buddy(house, resident, "ask"))
    assert err.message == "Je hebt al om een maatje gevraagd. Stop dat eerst als je iets anders wilt."
    Buddy.objects.filter(pk=ask.pk).update(status=Buddy.Status.MATCHED)
    assert error_of(lambda: make_buddy(house, resident, "ask")).message == err.message
    make_buddy(house, resident, "offer")  # asking and offering both is fine
    buddies.withdraw(buddy=ask, by=resident)
    make_buddy(house, resident, "ask", kinds=["forms"])  # after stopping, a new request
    assert Buddy.objects.filter(person=resident).count() == 3


# --- the team's intake -----------------------------------------------------------------------------


def test_the_team_records_the_intake_partner_and_vog(house, student, coordinator):
    welfare = Organisation.objects.create(name="Welzijn Groningen", kind="welfare")
    house.partners.add(welfare)
    offer = make_buddy(house, student, "offer")
    seen = timezone.localdate() - dt.timedelta(days=3)
    buddies.record_intake(
        buddy=offer, by=coordinator, partner=welfare, vog_seen_at=seen, note="Geheim verhaal."
    )
    offer.refresh_from_db()
    assert (offer.intake_by, offer.partner, offer.vog_seen_at, offer.team_note) == (
        coordinator,
        welfare,
        seen,
        "Geheim verhaal.",
    )
    assert offer.intake_at is not None
    [event] = audit("buddy.intake_recorded")
    assert event.on_behalf_of == student
    assert event.changes["team_note"] == "changed" and event.changes["vog_seen_at"] == [
        None,
        seen.isoformat(),
    ]
    assert_no_words_in_audit("Geheim")


def test_intake_refusals(house, resident, student, coordinator, superuser, staff):
    ask = make_buddy(house, resident, "ask")
    offer = make_buddy(house, student, "offer")
    stranger = Organisation.objects.create(name="Elders", kind="care")
    today = timezone.localdate()
    cases = [
        (
            lambda: buddies.record_intake(buddy=ask, by=superuser, partner=None, vog_seen_at=None, note=""),
            None,
        ),
        (lambda: buddies.record_intake(buddy=ask, by=student, partner=None, vog_seen_at=None, note=""), None),
        (
            lambda: buddies.record_intake(buddy=ask, by=staff, partner=None, vog_seen_at=today, note=""),
            "vog_seen_at",
        ),
        (
            lambda: buddies.record_intake(
                buddy=offer, by=staff, partner=None, vog_seen_at=today + dt.timedelta(days=1), note=""
            ),
            "vog_seen_at",
        ),
        (
            lambda: buddies.record_intake(buddy=offer, by=staff, partner=stranger, vog_seen_at=None, note=""),
            "partner",
        ),
        (
            lambda: buddies.record_intake(
                buddy=offer, by=staff, partner=None, vog_seen_at=None, note="x" * 1001
            ),
            "note",
        ),
    ]
    for call, field in cases:
        assert error_of(call).field == field
    assert not Buddy.objects.filter(intake_at__isnull=False).exists()
    assert not audit("buddy.intake_recorded")


# --- proposing ---------------------------------------------------------------------------------------


def test_proposing_mails_both_sides_without_names(
    ask, offer, coordinator, resident, student, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        match = buddies.propose_match(
            ask=ask, offer=offer, by=coordinator, note="  Jullie   wandelen graag. "
        )
    assert match.status == Match.Status.PROPOSED and match.note == "Jullie wandelen graag."
    assert (match.ask_answer, match.offer_answer) == ("waiting", "waiting")
    assert Buddy.objects.filter(pk__in=[ask.pk, offer.pk], status=Buddy.Status.OPEN).count() == 2
    [event] = audit("buddy.match_proposed")
    assert (
        event.actor == coordinator and event.changes["ask"] == ask.pk and event.changes["offer"] == offer.pk
    )
    assert len(mail.outbox) == 2
    url = f"/w4/maatjes/koppeling/{match.pk}/"
    for person, other in ((resident, student), (student, resident)):
        [message] = mails_to(person)
        assert message.subject == "Er is een maatje voor je voorgesteld"
        assert url in message.body
        for secret in (other.name.split()[0], other.email, "06 11112222", ABOUT):
            assert secret not in message.body


def test_the_same_request_can_be_proposed_again_after_a_no(
    proposed, ask, offer, resident, coordinator, make_user, house
):
    buddies.answer(match=proposed, by=resident, yes=False)
    other_offer = make_buddy(
        house, make_user("hulp@example.nl", "Hans Hulp", house), "offer", intake_by=coordinator
    )
    again = buddies.propose_match(ask=ask, offer=other_offer, by=coordinator, note="")
    assert again.status == Match.Status.PROPOSED


def test_proposal_refusals_say_what_is_wrong_and_save_nothing(
    house, other_house, ask, offer, resident, student, coordinator, superuser, outsider, make_user
):
    second_ask = make_buddy(
        house, make_user("vraag@example.nl", "Vera Vraag", house), "ask", intake_by=coordinator
    )
    own_offer = make_buddy(house, resident, "offer", intake_by=coordinator)
    other_coordinator = make_user("co2@example.nl", "Coby Twee", other_house, "coordinator")
    far_offer = make_buddy(other_house, outsider, "offer", intake_by=other_coordinator)
    no_intake = make_buddy(house, make_user("nieuw@example.nl", "Nina Nieuw", house), "offer")
    stopped = make_buddy(
        house, make_user("weg@example.nl", "Wout Weg", house), "offer", intake_by=coordinator
    )
    buddies.withdraw(buddy=stopped, by=stopped.person)
    before = (Match.objects.count(), AuditEvent.objects.count())
    cases = [
        ((ask, second_ask, coordinator, ""), "Kies één vraag en één aanbod, niet twee vragen."),
        ((offer, own_offer, coordinator, ""), "Kies één vraag en één aanbod, niet twee aanbiedingen."),
        ((ask, far_offer, coordinator, ""), "De vraag en het aanbod moeten van hetzelfde huis zijn."),
        ((ask, own_offer, coordinator, ""), "Dit is twee keer dezelfde persoon. Kies iemand anders."),
        ((ask, stopped, coordinator, ""), "Dit aanbod is gestopt."),
        ((ask, no_intake, coordinator, ""), "Leg eerst de kennismaking van dit aanbod vast."),
        (
            (ask, offer, superuser, ""),
            "Alleen de coördinatoren en medewerkers van het huis kunnen een koppeling voorstellen.",
        ),
        (
            (ask, offer, student, ""),
            "Alleen de coördinatoren en medewerkers van het huis kunnen een koppeling voorstellen.",
        ),
        ((ask, offer, coordinator, "x" * 301), "Dit mag maximaal 300 tekens hebben. Nu zijn het er 301."),
    ]
    for (a, o, by, note), message in cases:
        assert (
            error_of(
                lambda a=a, o=o, by=by, note=note: buddies.propose_match(ask=a, offer=o, by=by, note=note)
            ).message
            == message
        )
    assert (Match.objects.count(), AuditEvent.objects.count()) == before


def test_a_request_with_a_live_proposal_cannot_be_proposed_again(
    proposed, ask, house, coordinator, make_user
):
    other_offer = make_buddy(
        house, make_user("hulp@example.nl", "Hans Hulp", house), "offer", intake_by=coordinator
    )
    err = error_of(lambda: buddies.propose_match(ask=ask, offer=other_offer, by=coordinator, note=""))
    assert (err.field, err.message) == ("ask", "Deze vraag heeft al een voorstel of een maatje.")
    assert Match.objects.count() == 1


# --- answering ----------------------------------------------------------------------------------------


def test_both_say_yes_the_match_starts_and_both_get_a_link_not_the_details(
    proposed, resident, student, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = buddies.answer(match=proposed, by=student, yes=True)
    assert first.status == Match.Status.PROPOSED and first.offer_answer == "yes" and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        match = buddies.answer(match=proposed, by=resident, yes=True)
    assert match.status == Match.Status.ACTIVE and match.started_at is not None
    assert set(Buddy.objects.values_list("status", flat=True)) == {Buddy.Status.MATCHED}
    assert [e.changes.get("status") for e in audit("buddy.match_answered")] == [None, ["proposed", "active"]]
    assert len(mail.outbox) == 2
    for person, other in ((resident, student), (student, resident)):
        [message] = mails_to(person)
        assert message.subject == "Jullie zeiden allebei ja: maak kennis met je maatje"
        assert f"/w4/maatjes/koppeling/{match.pk}/" in message.body
        for detail in (other.name.split()[0], other.email, "06 11112222"):
            assert detail not in message.body


def test_a_no_declines_and_both_wait_again(proposed, resident, student):
    match = buddies.answer(match=proposed, by=student, yes=False)
    assert match.status == Match.Status.DECLINED and match.offer_answer == "no"
    assert set(Buddy.objects.values_list("status", flat=True)) == {Buddy.Status.OPEN}
    err = error_of(lambda: buddies.answer(match=proposed, by=resident, yes=True))
    assert err.message == "Dit voorstel staat niet meer open."


@pytest.mark.parametrize("persona", ["coordinator", "staff", "superuser", "outsider", "viewer"])
def test_nobody_answers_for_a_side(proposed, persona, request):
    person = request.getfixturevalue(persona)
    err = error_of(lambda: buddies.answer(match=proposed, by=person, yes=True))
    assert err.message == "Alleen de twee mensen van dit voorstel kunnen het beantwoorden."
    proposed.refresh_from_db()
    assert (proposed.ask_answer, proposed.offer_answer, proposed.status) == ("waiting", "waiting", "proposed")


# --- ending and withdrawing ------------------------------------------------------------------------


def test_a_side_ends_the_other_gets_a_short_mail_and_both_wait_again(
    going, resident, student, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        match = buddies.end_match(match=going, by=student, reason="Het klikte niet echt tussen ons.")
    assert match.status == Match.Status.ENDED and match.ended_by == student
    assert match.end_reason == "Het klikte niet echt tussen ons."
    assert set(Buddy.objects.values_list("status", flat=True)) == {Buddy.Status.OPEN}
    [message] = mail.outbox
    assert message.to == [resident.email] and message.subject == "Je koppeling met je maatje is gestopt"
    assert "klikte" not in message.body and student.name.split()[0] not in message.body
    [event] = audit("buddy.match_ended")
    assert event.changes == {"status": ["active", "ended"], "reason_given": True}
    assert_no_words_in_audit("klikte")


def test_a_side_ends_and_stops_their_own_request_too(going, ask, offer, resident):
    buddies.end_match(match=going, by=resident, reason="", stop_mine=True)
    ask.refresh_from_db()
    offer.refresh_from_db()
    assert (ask.status, offer.status) == (Buddy.Status.CLOSED, Buddy.Status.OPEN)


def test_the_team_ends_and_both_sides_hear_of_it(
    going, coordinator, resident, student, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        buddies.end_match(match=going, by=coordinator, reason="")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, student.email])


def test_ending_refusals(proposed, going, resident, outsider, superuser):
    going.refresh_from_db()
    cases = [
        (
            lambda: buddies.end_match(match=going, by=outsider, reason=""),
            "Alleen de twee mensen van deze koppeling en het team kunnen hem stoppen.",
        ),
        (
            lambda: buddies.end_match(match=going, by=superuser, reason=""),
            "Alleen de twee mensen van deze koppeling en het team kunnen hem stoppen.",
        ),
        (
            lambda: buddies.end_match(match=going, by=resident, reason="x" * 301),
            "Dit mag maximaal 300 tekens hebben. Nu zijn het er 301.",
        ),
    ]
    for call, message in cases:
        assert error_of(call).message == message
    going.refresh_from_db()
    assert going.status == Match.Status.ACTIVE
    buddies.end_match(match=going, by=resident, reason="")
    assert (
        error_of(lambda: buddies.end_match(match=going, by=resident, reason="")).message
        == "Deze koppeling is al gestopt."
    )


def test_a_side_cannot_end_a_proposal_but_says_no(proposed, resident, coordinator):
    err = error_of(lambda: buddies.end_match(match=proposed, by=resident, reason=""))
    assert err.message == "Dit voorstel is nog niet begonnen. Zeg er nee op."
    match = buddies.end_match(match=proposed, by=coordinator, reason="Vergissing")  # the team takes it back
    assert match.status == Match.Status.DECLINED


def test_withdrawing_a_request_declines_its_proposal(proposed, ask, offer, resident):
    buddies.withdraw(buddy=ask, by=resident)
    ask.refresh_from_db()
    offer.refresh_from_db()
    proposed.refresh_from_db()
    assert (ask.status, offer.status) == (Buddy.Status.CLOSED, Buddy.Status.OPEN)
    assert (proposed.status, proposed.ask_answer) == (Match.Status.DECLINED, "no")
    assert ask.closed_at is not None
    assert [
        e.action
        for e in AuditEvent.objects.filter(action__in=["buddy.withdrawn", "buddy.match_declined"]).order_by(
            "pk"
        )
    ] == [
        "buddy.match_declined",
        "buddy.withdrawn",
    ]


def test_withdrawing_during_a_match_ends_it_and_tells_the_other(
    going, offer, ask, student, resident, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        buddies.withdraw(buddy=offer, by=student)
    going.refresh_from_db()
    ask.refresh_from_db()
    assert going.status == Match.Status.ENDED and ask.status == Buddy.Status.OPEN
    assert [m.to for m in mail.outbox] == [[resident.email]]


def test_withdraw_refusals_and_the_team_for_someone(ask, student, coordinator, resident):
    assert error_of(lambda: buddies.withdraw(buddy=ask, by=student)).message == (
        "Je kunt alleen je eigen vraag of aanbod stoppen."
    )
    buddies.withdraw(buddy=ask, by=coordinator)
    [event] = audit("buddy.withdrawn")
    assert event.actor == coordinator and event.on_behalf_of == resident
    assert error_of(lambda: buddies.withdraw(buddy=ask, by=resident)).message == "Dit is al gestopt."


# --- "Hoe gaat het?" ---------------------------------------------------------------------------------


def test_a_side_checks_in_for_the_team_only(going, resident, student, coordinator):
    checkin = buddies.check_in(match=going, by=resident, feeling="better", text="We zien elkaar weinig.")
    assert (checkin.person, checkin.feeling, checkin.text) == (resident, "better", "We zien elkaar weinig.")
    [event] = audit("buddy.match_checkin")
    assert event.changes == {"feeling": "better", "text_given": True}
    assert_no_words_in_audit("weinig")
    for by, feeling, text, message in [
        (coordinator, "good", "", "Alleen de twee mensen van deze koppeling kunnen zeggen hoe het gaat."),
        (student, "great", "", "Kies hoe het gaat."),
        (student, "good", "x" * 501, "Dit mag maximaal 500 tekens hebben. Nu zijn het er 501."),
    ]:
        err = error_of(
            lambda by=by, feeling=feeling, text=text: buddies.check_in(
                match=going, by=by, feeling=feeling, text=text
            )
        )
        assert err.message == message
    assert MatchCheckin.objects.count() == 1


def test_check_in_only_while_the_match_goes(proposed, resident):
    err = error_of(lambda: buddies.check_in(match=proposed, by=resident, feeling="good", text=""))
    assert err.message == "Deze koppeling loopt niet (meer)."


def test_follow_up_once_four_weeks_after_the_start(
    going, resident, student, django_capture_on_commit_callbacks
):
    started = going.started_at
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert buddies.follow_up(now=started + dt.timedelta(days=27, hours=23)) == 0
        assert not mail.outbox
        assert buddies.follow_up(now=started + dt.timedelta(days=28)) == 1
    going.refresh_from_db()
    assert going.followed_up_at == started + dt.timedelta(days=28)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, student.email])
    message = mails_to(resident)[0]
    assert message.subject == "Hoe gaat het met je maatje?"
    assert f"/w4/maatjes/koppeling/{going.pk}/" in message.body
    assert student.name.split()[0] not in message.body
    [event] = audit("buddy.match_followed_up")
    assert event.actor is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert buddies.follow_up(now=started + dt.timedelta(days=60)) == 0  # once
    assert not mail.outbox


def test_follow_up_skips_proposals_and_ended_matches(proposed, house, coordinator, make_user):
    later = timezone.now() + dt.timedelta(days=40)
    assert buddies.follow_up(now=later) == 0
    proposed.refresh_from_db()
    assert proposed.followed_up_at is None


def test_the_job_runs_follow_up(going):
    from care.jobs import follow_up_matches

    Match.objects.filter(pk=going.pk).update(started_at=timezone.now() - dt.timedelta(days=29))
    assert follow_up_matches.call() == 1


# --- what a person sees of their own -----------------------------------------------------------------


def test_my_buddies_in_two_queries_with_the_name_only_once_both_said_yes(
    proposed, resident, student, django_assert_num_queries
):
    with django_assert_num_queries(2):
        mine = buddies.my_buddies(resident)
    [buddy] = mine.buddies
    [match] = mine.matches
    assert buddy.state == "er is een maatje voorgesteld: zeg ja of nee"
    assert match.needs_answer and match.buddy_name == "" and mine.waiting_for_me == [match]
    buddies.answer(match=proposed, by=resident, yes=True)
    buddies.answer(match=proposed, by=student, yes=True)
    mine = buddies.my_buddies(resident)
    assert mine.matches[0].buddy_name == "Sam" and mine.buddies[0].state == "je hebt een maatje"
    assert buddies.my_buddies(student).matches[0].buddy_name == "Bea"


def test_my_buddies_is_empty_for_a_visitor():
    from django.contrib.auth.models import AnonymousUser

    assert not buddies.my_buddies(AnonymousUser())


# --- two coordinators propose the same request at the same moment -------------------------------------


def _second_waits_on_a_lock(monkeypatch) -> list:
    """The first proposal is saved only once the other waits on a row lock: the race, for sure."""
    import time

    from django.db import connection

    real_create = Match.objects.create
    calls = []

    def create(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            deadline = time.monotonic() + 30
            with connection.cursor() as cursor:
                while time.monotonic() < deadline:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.01)  # polling a condition, not timing the test
        return real_create(**kwargs)

    monkeypatch.setattr(Match.objects, "create", create)
    return calls


def _both_reach_the_insert(monkeypatch) -> None:
    """Without the row lock: both have checked and found nothing before either saves."""
    real_create = Match.objects.create
    barrier = threading.Barrier(2)

    def create(**kwargs):
        barrier.wait(60)
        return real_create(**kwargs)

    def without_lock(*pks):
        return {b.pk: b for b in Buddy.objects.filter(pk__in=set(pks))}

    monkeypatch.setattr(Match.objects, "create", create)
    monkeypatch.setattr(buddies, "_lock_buddies", without_lock)


@pytest.fixture
def race(house, resident, coordinator, staff, make_user):
    """One request, two offers, two coordinators: each proposes the request with another offer."""
    ask = make_buddy(house, resident, "ask", intake_by=coordinator)
    offers = [
        make_buddy(
            house, make_user(f"hulp{i}@example.nl", f"Hulp {i}", house), "offer", intake_by=coordinator
        )
        for i in (1, 2)
    ]
    mail.outbox.clear()  # the team's mails about the new request and offers; the race counts its own
    start = threading.Barrier(2)

    def propose(offer, by):
        def go():
            start.wait(60)
            with translation.override("nl"):
                return buddies.propose_match(ask=ask, offer=offer, by=by, note="")

        return go

    def run():
        return run_in_threads(propose(offers[0], coordinator), propose(offers[1], staff))

    return run


def _one_proposal_one_clear_refusal(results) -> None:
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, CareError), error
    assert (error.field, error.message) == ("ask", "Deze vraag heeft al een voorstel of een maatje.")
    assert Match.objects.filter(status=Match.Status.PROPOSED).count() == 1
    assert AuditEvent.objects.filter(action="buddy.match_proposed").count() == 1
    assert len(mail.outbox) == 2  # the proposal that was made, to its two sides


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_propose_the_same_request_at_once_one_proposal(race, monkeypatch):
    calls = _second_waits_on_a_lock(monkeypatch)
    _one_proposal_one_clear_refusal(race())
    assert len(calls) == 1  # the second waited on the lock, then saw the proposal and stopped


@pytest.mark.django_db(transaction=True)
def test_without_the_row_lock_the_database_constraint_still_allows_one(race, monkeypatch):
    _both_reach_the_insert(monkeypatch)
    _one_proposal_one_clear_refusal(race())


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_catching_the_race_the_second_proposal_fails_hard(race, monkeypatch):
    """The same race with the IntegrityError let through: the tests above would fail (a 500 for a person)."""
    _both_reach_the_insert(monkeypatch)
    monkeypatch.setattr(buddies, "IntegrityError", type("NeverRaised", (Exception,), {}))
    results = race()
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, IntegrityError) and not isinstance(error, CareError)
    with pytest.raises(AssertionError):
        _one_proposal_one_clear_refusal(results)


# --- the team hears what needs them; the other side hears a "no" (links only, never words) ----------


def test_a_new_request_mails_the_team_a_link_and_nothing_of_it(
    house, resident, coordinator, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        buddies.add_buddy(
            house=house,
            person=resident,
            side="ask",
            data={
                "kinds": ["talk"],
                "languages": "Nederlands",
                "available": "Dinsdag",
                "about": "Sinds de verhuizing ben ik veel alleen",
                "phone": "06 12345678",
            },
        )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([coordinator.email, staff.email])
    body = mailoutbox[0].body
    assert "vraagt om een maatje" in body.lower() or "vraagt om een maatje" in mailoutbox[0].subject.lower()
    assert f"/{house.slug}/maatjes/beheer/" in body
    assert "verhuizing" not in body and resident.name not in body and "06 1234" not in body


def test_a_no_tells_the_other_side_it_does_not_go_ahead(
    proposed, resident, student, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        buddies.answer(match=proposed, by=resident, yes=False)
    assert [m.to[0] for m in mailoutbox] == [student.email]
    assert "gaat niet door" in mailoutbox[0].body
    assert resident.name.split()[0] not in mailoutbox[0].body


def test_a_check_in_that_wants_to_stop_mails_the_team_a_good_one_does_not(
    going, resident, student, coordinator, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        buddies.check_in(match=going, by=resident, feeling="good", text="Leuk")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        buddies.check_in(match=going, by=student, feeling="stop", text="Het klikt niet")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([coordinator.email, staff.email])
    assert "willen stoppen" in mailoutbox[0].body
    assert "klikt" not in mailoutbox[0].body
