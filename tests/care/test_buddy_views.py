"""Buddy pages as people use them: forms submitted as rendered, what each side sees before and after
both said yes, every bad input with a clear message, 404 for other people's things, and the query
budget of the team's page at two data sizes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from care import buddies
from care.models import Buddy, Match, MatchCheckin
from residents.models import AuditEvent, Organisation
from tests.care.test_buddies import ABOUT, make_buddy
from tests.forms import parse_form

pytestmark = pytest.mark.usefixtures("mfa_off")

SUMMARY = "Nog niet opgeslagen. Kijk hier even naar:"


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture
def ask(house, resident, coordinator):
    return make_buddy(house, resident, "ask", intake_by=coordinator)


@pytest.fixture
def offer(house, student, coordinator):
    return make_buddy(house, student, "offer", intake_by=coordinator, vog=True)


@pytest.fixture
def proposed(ask, offer, coordinator):
    return buddies.propose_match(ask=ask, offer=offer, by=coordinator, note="Jullie wandelen allebei graag.")


def url(name, house, **kwargs):
    return reverse(f"care:{name}", kwargs={"house": house.slug, **kwargs})


def text_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- asking and offering -------------------------------------------------------------------------


def test_a_resident_asks_for_a_talk_buddy_with_the_form_as_rendered(house, resident, client_for):
    client = client_for(resident)
    page = client.get(url("buddies", house))
    assert "Ik wil graag een maatje" in text_of(page)
    page = client.get(url("buddy_ask", house))
    form = parse_form(page.content, form_id="buddy-form")
    assert {"kinds", "languages", "available", "about", "contact_by", "phone"} <= set(form.field_names)
    response = client.post(
        url("buddy_ask", house),
        form.submit_data(
            kinds=["talk"],
            languages="Nederlands, Turks",
            available="Woensdagochtend",
            about="Ik zou graag iemand spreken.",
            contact_by="phone",
            phone="06 12345678",
        ),
        follow=True,
    )
    assert "De coördinator neemt snel contact met je op" in " ".join(messages_of(response))
    buddy = Buddy.objects.get(person=resident)
    assert (buddy.side, buddy.kinds, buddy.phone) == ("ask", ["talk"], "06 12345678")
    body = text_of(response)
    assert "Je hebt om een maatje gevraagd: wacht op een koppeling." in body
    assert "praten en gezelschap" in body and "Wacht op een koppeling" in body


def test_the_form_offers_the_account_e_mail_and_fills_in_the_phone(house, resident, client_for):
    resident.phone = "050 1234567"
    resident.save()
    page = text_of(client_for(resident).get(url("buddy_offer", house)))
    assert "mijn e-mailadres (bewoner@example.nl)" in page
    assert 'value="050 1234567"' in page
    assert "Waarmee wil je helpen?" in page


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"kinds": []}, "Kies minstens één ding."),
        ({"contact_by": "phone", "phone": ""}, "Geef je telefoonnummer, of kies je e-mailadres."),
        ({"phone": "bel me"}, "Dit lijkt geen telefoonnummer. Bijvoorbeeld: 06 12345678."),
        ({"about": "x" * 501}, "Dit mag maximaal 500 tekens hebben. Nu zijn het er 501."),
        ({"available": "y" * 201}, "Dit mag maximaal 200 tekens hebben. Nu zijn het er 201."),
        ({"languages": ""}, "Zeg welke talen je spreekt."),
    ],
)
def test_bad_input_shows_the_form_again_with_a_summary_and_saves_nothing(
    house, resident, client_for, changes, error
):
    client = client_for(resident)
    form = parse_form(client.get(url("buddy_ask", house)).content, form_id="buddy-form")
    data = form.submit_data(
        kinds=["walking"], languages="Nederlands", available="Zondag", contact_by="phone", phone="0612345678"
    )
    data.update(changes)
    response = client.post(url("buddy_ask", house), data)
    assert response.status_code == 200
    body = text_of(response)
    assert SUMMARY in body and error in body
    assert 'href="#div_id_' in body  # the summary links to the field
    assert not Buddy.objects.exists() and not AuditEvent.objects.exists()


def test_a_second_waiting_request_is_refused_on_the_form(house, resident, client_for):
    make_buddy(house, resident, "ask")
    client = client_for(resident)
    page = client.get(url("buddy_ask", house))
    assert "Je hebt al om een maatje gevraagd." in text_of(page)
    form = parse_form(page.content, form_id="buddy-form")
    data = form.submit_data(kinds=["talk"], languages="Nederlands", available="Maandag", phone="0612345678")
    response = client.post(url("buddy_ask", house), data)
    assert response.status_code == 200 and "Je hebt al om een maatje gevraagd." in text_of(response)
    assert Buddy.objects.count() == 1


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("outsider", 403), ("anonymous", 302)])
def test_only_members_reach_the_buddy_pages(house, persona, status, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    for name in ("buddies", "buddy_ask", "buddy_offer"):
        assert client.get(url(name, house)).status_code == status
        assert client.post(url(name, house), {"kinds": ["talk"]}).status_code in {status, 405}
    assert not Buddy.objects.exists()


def test_anonymous_goes_to_the_login_page(house, client_for):
    response = client_for(None).get(url("buddies", house))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- withdrawing -----------------------------------------------------------------------------------


def test_a_member_stops_their_request_and_its_proposal_is_declined(
    proposed, ask, resident, house, client_for
):
    client = client_for(resident)
    page = client.get(url("buddies", house))
    form = parse_form(page.content, action=url("buddy_withdraw", house, pk=ask.pk))
    response = client.post(form.action, form.data, follow=True)
    assert "Het is gestopt." in " ".join(messages_of(response))
    proposed.refresh_from_db()
    ask.refresh_from_db()
    assert ask.status == Buddy.Status.CLOSED and proposed.status == Match.Status.DECLINED


@pytest.mark.parametrize("persona", ["student", "viewer", "outsider", "superuser"])
def test_someone_else_cannot_stop_a_request_404(ask, house, persona, request, client_for):
    response = client_for(request.getfixturevalue(persona)).post(url("buddy_withdraw", house, pk=ask.pk))
    assert response.status_code == 404
    ask.refresh_from_db()
    assert ask.status == Buddy.Status.OPEN


def test_the_team_stops_a_request_for_the_person(ask, house, coordinator, client_for):
    client = client_for(coordinator)
    page = client.get(url("buddy_intake", house, pk=ask.pk))
    form = parse_form(page.content, action=url("buddy_withdraw", house, pk=ask.pk))
    response = client.post(form.action, form.data, follow=True)
    assert "Het is gestopt voor Bea Bewoner." in messages_of(response)
    assert response.redirect_chain[-1][0] == url("buddies_team", house)


# --- the team: overview, intake, proposing -----------------------------------------------------------


@pytest.mark.parametrize("persona", ["resident", "student", "viewer", "outsider", "superuser"])
def test_the_team_pages_are_for_coordinators_and_staff_only(ask, house, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url("buddies_team", house)).status_code == 403
    assert client.get(url("buddy_intake", house, pk=ask.pk)).status_code == 403
    assert client.get(url("match_propose", house)).status_code == 403
    assert client.post(url("match_propose", house), {}).status_code == 403


def test_the_team_sees_both_sides_side_by_side(ask, offer, house, staff, client_for):
    body = text_of(client_for(staff).get(url("buddies_team", house)))
    for text in (
        "1 vraag",
        "1 aanbod",
        "Bea Bewoner",
        "Sam Student",
        "Nederlands, Arabisch",
        "Dinsdagmiddag",
    ):
        assert text in body
    assert "gezien op" in body  # the VOG of the offer


def test_a_staff_member_without_two_step_login_is_sent_to_set_it_up(house, coordinator, client_for, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    response = client_for(coordinator).get(url("buddies_team", house))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_the_coordinator_records_intake_partner_and_vog(house, student, coordinator, client_for):
    welfare = Organisation.objects.create(name="Welzijn Groningen", kind="welfare")
    house.partners.add(welfare)
    offer = make_buddy(house, student, "offer")
    client = client_for(coordinator)
    page = client.get(url("buddy_intake", house, pk=offer.pk))
    body = text_of(page)
    assert "Ik ben gepensioneerd en wandel graag." in body  # the team reads the few words
    form = parse_form(page.content, form_id="intake-form")
    seen = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        form.action or url("buddy_intake", house, pk=offer.pk),
        form.submit_data(partner=str(welfare.pk), vog_seen_at=seen.isoformat(), note="Heeft ervaring."),
        follow=True,
    )
    assert "De kennismaking is opgeslagen." in messages_of(response)
    offer.refresh_from_db()
    assert (offer.partner, offer.vog_seen_at, offer.team_note, offer.intake_by) == (
        welfare,
        seen,
        "Heeft ervaring.",
        coordinator,
    )


def test_intake_bad_input_shows_the_errors(house, resident, student, coordinator, client_for):
    ask = make_buddy(house, resident, "ask")
    client = client_for(coordinator)
    page = client.get(url("buddy_intake", house, pk=ask.pk))
    form = parse_form(page.content, form_id="intake-form")
    assert "vog_seen_at" not in form.field_names  # a VOG only for an offer
    response = client.post(url("buddy_intake", house, pk=ask.pk), form.submit_data(note="x" * 1001))
    assert SUMMARY in text_of(response) and "Dit mag maximaal 1000 tekens hebben." in text_of(response)
    offer = make_buddy(house, student, "offer")
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(url("buddy_intake", house, pk=offer.pk), {"vog_seen_at": future, "note": ""})
    assert "Deze datum ligt in de toekomst." in text_of(response)
    assert not Buddy.objects.filter(intake_at__isnull=False).exists()


def test_a_buddy_of_another_house_is_not_found_for_the_team(
    house, other_house, outsider, coordinator, client_for
):
    far = make_buddy(other_house, outsider, "ask")
    client = client_for(coordinator)
    assert client.get(url("buddy_intake", house, pk=far.pk)).status_code == 404
    assert client.post(url("buddy_withdraw", house, pk=far.pk)).status_code == 404


def test_the_coordinator_proposes_with_the_form_and_both_get_a_mail(
    ask, offer, house, coordinator, resident, student, client_for, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    page = client.get(url("match_propose", house) + f"?vraag={ask.pk}")
    form = parse_form(page.content, form_id="propose-form")
    assert form.data["ask"] == str(ask.pk)  # chosen from the team's page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("match_propose", house),
            form.submit_data(offer=str(offer.pk), note="Jullie houden allebei van wandelen."),
            follow=True,
        )
    assert "Het voorstel is verstuurd." in " ".join(messages_of(response))
    match = Match.objects.get()
    assert (match.ask, match.offer, match.proposed_by) == (ask, offer, coordinator)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, student.email])
    assert "Voorstellen die op antwoord wachten" in text_of(response) and "Bea Bewoner" in text_of(response)


def test_proposal_bad_input_is_refused_on_the_form(
    house, ask, offer, proposed, resident, coordinator, client_for, make_user
):
    second_ask = make_buddy(
        house, make_user("vraag@example.nl", "Vera Vraag", house), "ask", intake_by=coordinator
    )
    new_offer = make_buddy(
        house, make_user("hulp@example.nl", "Hans Hulp", house), "offer", intake_by=coordinator
    )
    own_offer = make_buddy(house, resident, "offer", intake_by=coordinator)
    stopped = make_buddy(house, make_user("weg@example.nl", "Wout Weg", house), "ask", intake_by=coordinator)
    buddies.withdraw(buddy=stopped, by=stopped.person)
    client = client_for(coordinator)
    form = parse_form(client.get(url("match_propose", house)).content, form_id="propose-form")
    options_page = text_of(client.get(url("match_propose", house)))
    assert "Vera Vraag" in options_page and "Wout Weg" not in options_page  # only waiting ones offered
    cases = [
        ({"ask": ask.pk, "offer": new_offer.pk}, "Deze vraag heeft al een voorstel of een maatje."),
        ({"ask": second_ask.pk, "offer": ask.pk}, "Kies één vraag en één aanbod, niet twee vragen."),
        (
            {"ask": second_ask.pk, "offer": own_offer.pk, "note": "x" * 301},
            "Dit mag maximaal 300 tekens hebben.",
        ),
        ({"ask": stopped.pk, "offer": new_offer.pk}, "Deze vraag is gestopt."),
        ({"ask": ask.pk, "offer": ""}, "Kies een aanbod."),
        ({"ask": 999999, "offer": new_offer.pk}, "Kies een vraag uit de lijst."),
    ]
    before = (Match.objects.count(), AuditEvent.objects.count())
    for changes, error in cases:
        response = client.post(
            url("match_propose", house), form.submit_data(**{k: str(v) for k, v in changes.items()})
        )
        assert response.status_code == 200, changes
        assert SUMMARY in text_of(response) and error in text_of(response), changes
    response = client.post(
        url("match_propose", house),
        form.submit_data(ask=str(second_ask.pk), offer=str(own_offer.pk), note=""),
    )
    assert response.status_code == 302  # a resident who asks elsewhere may still offer: two different people
    assert Match.objects.count() == before[0] + 1


def test_the_same_person_on_both_sides_is_refused_on_the_form(house, resident, coordinator, client_for):
    own_ask = make_buddy(house, resident, "ask", intake_by=coordinator)
    own_offer = make_buddy(house, resident, "offer", intake_by=coordinator)
    client = client_for(coordinator)
    form = parse_form(client.get(url("match_propose", house)).content, form_id="propose-form")
    response = client.post(
        url("match_propose", house), form.submit_data(ask=str(own_ask.pk), offer=str(own_offer.pk))
    )
    assert "Dit is twee keer dezelfde persoon. Kies iemand anders." in text_of(response)
    assert not Match.objects.exists()


# --- the match page: before and after both said yes ----------------------------------------------------


def _answer(client, house, match, value):
    page = client.get(url("match", house, pk=match.pk))
    form = parse_form(page.content, form_id="answer-form")
    assert [value for name, value in form.buttons] == ["yes", "no"]
    return client.post(form.action, {**form.data, "answer": value}, follow=True)


def test_before_both_said_yes_nothing_identifying_of_the_other_is_shown(
    proposed, house, resident, student, client_for
):
    for viewer, other in ((resident, student), (student, resident)):
        body = text_of(client_for(viewer).get(url("match", house, pk=proposed.pk)))
        assert "Een maatje voor jou?" in body and "Jullie wandelen allebei graag." in body
        other_buddy = proposed.offer if other == student else proposed.ask
        for secret in (
            other.name.split()[0],
            other.email,
            "06 11112222",
            ABOUT,
            "Ik ben gepensioneerd",
            other_buddy.languages,
            other_buddy.available,
        ):
            assert secret not in body, secret
    body = text_of(client_for(resident).get(url("match", house, pk=proposed.pk)))
    assert "praten en gezelschap" in body and "wandelen" in body  # what the offer is about


def test_both_accept_with_the_buttons_and_then_see_first_name_and_contact(
    proposed, house, resident, student, client_for
):
    response = _answer(client_for(student), house, proposed, "yes")
    assert "We wachten nu op het antwoord van de ander." in " ".join(messages_of(response))
    assert "Bea" not in text_of(response)
    response = _answer(client_for(resident), house, proposed, "yes")
    body = text_of(response)
    assert "Jullie zeiden allebei ja." in " ".join(messages_of(response))
    assert "Je maatje Sam" in body and "student@example.nl" in body  # the student chose e-mail
    assert "Nederlands, Engels" in body and "Dinsdag en donderdag" in body
    assert "Ik ben gepensioneerd" not in body  # the few words stay with the team
    body = text_of(client_for(student).get(url("match", house, pk=proposed.pk)))
    assert "Je maatje Bea" in body and 'href="tel:0611112222"' in body and "06 11112222" in body
    assert "Bewoner" not in body.split("<main", 1)[1].split("</main>")[0]  # the first name only


def test_a_no_declines_and_nothing_is_revealed(proposed, house, resident, student, client_for):
    response = _answer(client_for(resident), house, proposed, "no")
    assert "De coördinator zoekt samen met jou naar iemand anders." in " ".join(messages_of(response))
    body = text_of(client_for(student).get(url("match", house, pk=proposed.pk)))
    assert (
        "Dit voorstel ging niet door" in body and "Bea" not in body.split("<main", 1)[1].split("</main>")[0]
    )


@pytest.mark.parametrize("persona", ["viewer", "outsider", "superuser"])
def test_someone_else_gets_404_for_a_match_and_its_actions(proposed, house, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url("match", house, pk=proposed.pk)).status_code == 404
    for name in ("match_answer", "match_end", "match_checkin"):
        assert (
            client.post(url(name, house, pk=proposed.pk), {"answer": "yes", "feeling": "good"}).status_code
            == 404
        )
    proposed.refresh_from_db()
    assert (proposed.status, proposed.ask_answer, proposed.offer_answer) == ("proposed", "waiting", "waiting")


def test_a_third_resident_cannot_open_or_accept_someone_elses_match(proposed, house, client_for, make_user):
    neighbour = make_user("buur@example.nl", "Bram Buur", house, "resident")
    client = client_for(neighbour)
    assert client.get(url("match", house, pk=proposed.pk)).status_code == 404
    assert client.post(url("match_answer", house, pk=proposed.pk), {"answer": "yes"}).status_code == 404
    proposed.refresh_from_db()
    assert proposed.ask_answer == "waiting"


def test_a_match_under_another_house_is_not_found(proposed, other_house, resident, client_for):
    assert client_for(resident).get(url("match", other_house, pk=proposed.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["coordinator", "staff"])
def test_the_team_sees_the_match_but_cannot_answer_for_a_side(proposed, house, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    body = text_of(client.get(url("match", house, pk=proposed.pk)))
    assert "Bea Bewoner en Sam Student" in body and "jij kunt niet voor hen antwoorden" in body
    assert client.post(url("match_answer", house, pk=proposed.pk), {"answer": "yes"}).status_code == 403
    assert client.post(url("match_checkin", house, pk=proposed.pk), {"feeling": "good"}).status_code == 403
    proposed.refresh_from_db()
    assert (proposed.ask_answer, proposed.offer_answer) == ("waiting", "waiting")


def test_an_answer_without_a_choice_says_so(proposed, house, resident, client_for):
    response = client_for(resident).post(url("match_answer", house, pk=proposed.pk), {}, follow=True)
    assert "Kies ja of nee." in messages_of(response)
    proposed.refresh_from_db()
    assert proposed.ask_answer == "waiting"


# --- going: "Hoe gaat het?" and stopping ---------------------------------------------------------------


@pytest.fixture
def going(proposed, resident, student):
    buddies.answer(match=proposed, by=resident, yes=True)
    return buddies.answer(match=proposed, by=student, yes=True)


def test_a_check_in_reaches_the_team_not_the_other_side(
    going, house, resident, student, coordinator, client_for
):
    client = client_for(resident)
    form = parse_form(client.get(url("match", house, pk=going.pk)).content, form_id="checkin-form")
    response = client.post(
        form.action, form.submit_data(feeling="better", text="We zien elkaar weinig."), follow=True
    )
    assert "De coördinator leest het. Je maatje niet." in " ".join(messages_of(response))
    assert MatchCheckin.objects.get().feeling == "better"
    assert "We zien elkaar weinig." not in text_of(client_for(student).get(url("match", house, pk=going.pk)))
    team_page = text_of(client_for(coordinator).get(url("match", house, pk=going.pk)))
    assert "We zien elkaar weinig." in team_page and "het kan beter" in team_page
    assert "We zien elkaar weinig." in text_of(client_for(coordinator).get(url("buddies_team", house)))


def test_a_check_in_without_a_feeling_or_too_long_is_refused(going, house, resident, client_for):
    client = client_for(resident)
    form = parse_form(client.get(url("match", house, pk=going.pk)).content, form_id="checkin-form")
    response = client.post(form.action, form.submit_data(text="Hallo"))
    assert response.status_code == 200 and "Kies hoe het gaat." in text_of(response)
    response = client.post(form.action, form.submit_data(feeling="good", text="x" * 501))
    assert "Dit mag maximaal 500 tekens hebben. Nu zijn het er 501." in text_of(response)
    assert not MatchCheckin.objects.exists()


def test_a_check_in_on_a_proposal_says_it_is_not_going(proposed, house, resident, client_for):
    response = client_for(resident).post(url("match_checkin", house, pk=proposed.pk), {"feeling": "good"})
    assert response.status_code == 200 and "Deze koppeling loopt niet (meer)." in text_of(response)
    assert not MatchCheckin.objects.exists()


def test_a_side_stops_and_the_other_gets_a_mail_without_the_reason(
    going, house, resident, student, client_for, django_capture_on_commit_callbacks
):
    client = client_for(student)
    form = parse_form(client.get(url("match", house, pk=going.pk)).content, form_id="end-form")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            form.action, form.submit_data(reason="Ik verhuis.", stop_mine="on"), follow=True
        )
    assert "Je maatje kreeg een korte e-mail, zonder jouw reden." in " ".join(messages_of(response))
    [message] = mail.outbox
    assert message.to == [resident.email] and "verhuis" not in message.body
    going.refresh_from_db()
    assert going.status == Match.Status.ENDED and going.end_reason == "Ik verhuis."
    assert Buddy.objects.get(person=student).status == Buddy.Status.CLOSED
    assert Buddy.objects.get(person=resident).status == Buddy.Status.OPEN
    body = text_of(client_for(resident).get(url("match", house, pk=going.pk)))
    assert "Deze koppeling is gestopt" in body and "student@example.nl" not in body


def test_stopping_with_a_too_long_reason_keeps_the_match(going, house, resident, client_for):
    response = client_for(resident).post(url("match_end", house, pk=going.pk), {"reason": "x" * 301})
    assert response.status_code == 200 and "Dit mag maximaal 300 tekens hebben." in text_of(response)
    going.refresh_from_db()
    assert going.status == Match.Status.ACTIVE


def test_the_team_takes_back_a_proposal(proposed, house, coordinator, client_for):
    client = client_for(coordinator)
    form = parse_form(client.get(url("match", house, pk=proposed.pk)).content, form_id="end-form")
    response = client.post(form.action, form.submit_data(reason="Toch niet handig."), follow=True)
    assert response.redirect_chain[-1][0] == url("buddies_team", house)
    proposed.refresh_from_db()
    assert proposed.status == Match.Status.DECLINED


def test_the_follow_up_mail_links_to_the_form(
    going, resident, client_for, house, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        buddies.follow_up(now=going.started_at + dt.timedelta(days=28))
    [path] = re.findall(r"https?://[^/\s]+(/w4/maatjes/koppeling/\d+/)#checkin-title", mails_body(resident))
    page = client_for(resident).get(path)
    assert page.status_code == 200 and "Hoe gaat het?" in text_of(page)
    parse_form(page.content, form_id="checkin-form")


def mails_body(person) -> str:
    return next(m.body for m in mail.outbox if m.to == [person.email])


# --- the member's page and the team's page in a fixed number of queries --------------------------------


def _fill(house, coordinator, make_user, n: int) -> None:
    for i in range(n):
        asker = make_user(f"vraag{i}@example.nl", f"Vraag {i}", house)
        helper = make_user(f"hulp{i}@example.nl", f"Hulp {i}", house)
        ask = make_buddy(house, asker, "ask", intake_by=coordinator)
        offer = make_buddy(house, helper, "offer", intake_by=coordinator, vog=True)
        if i % 3 == 0:
            continue  # both wait
        match = buddies.propose_match(ask=ask, offer=offer, by=coordinator, note="")
        if i % 3 == 2:
            buddies.answer(match=match, by=asker, yes=True)
            buddies.answer(match=match, by=helper, yes=True)
            buddies.check_in(match=match, by=asker, feeling="good", text="Leuk")
            buddies.check_in(match=match, by=helper, feeling="better", text="")
    for i in range(n // 3):
        asker = make_user(f"weer{i}@example.nl", f"Weer {i}", house)
        helper = make_user(f"weerhulp{i}@example.nl", f"Weerhulp {i}", house)
        ask = make_buddy(house, asker, "ask", intake_by=coordinator)
        offer = make_buddy(house, helper, "offer", intake_by=coordinator)
        match = buddies.propose_match(ask=ask, offer=offer, by=coordinator, note="")
        buddies.answer(match=match, by=asker, yes=False)


TEAM_PAGE_BUDGET = 9


@pytest.mark.parametrize("size", [2, 15])
def test_the_team_page_stays_within_its_query_budget(
    house, coordinator, make_user, client_for, django_assert_max_num_queries, size
):
    _fill(house, coordinator, make_user, size)
    client = client_for(coordinator)
    client.get(url("buddies_team", house))  # warm the session
    with django_assert_max_num_queries(TEAM_PAGE_BUDGET):
        response = client.get(url("buddies_team", house))
    assert response.status_code == 200
    assert "Lopende koppelingen" in text_of(response) and "Vraag 0" in text_of(response)


@pytest.mark.parametrize("size", [2, 15])
def test_the_propose_page_stays_within_its_query_budget(
    house, coordinator, make_user, client_for, django_assert_max_num_queries, size
):
    _fill(house, coordinator, make_user, size)
    client = client_for(coordinator)
    client.get(url("match_propose", house))
    with django_assert_max_num_queries(TEAM_PAGE_BUDGET):
        response = client.get(url("match_propose", house))
    assert response.status_code == 200 and "Vraag 0" in text_of(response)
