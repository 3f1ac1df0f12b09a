"""Forms submitted as the pages render them; what the person then sees."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from residents.models import AuditEvent, Membership, Role, User
from tests.forms import parse_form


@pytest.fixture(autouse=True)
def _mfa_off(mfa_off):
    """These tests are about the forms; the MFA redirect is tested in test_permissions."""


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def newcomer(make_user):
    return make_user("nieuw@example.nl", "Nina Nieuw")


@pytest.fixture
def pending(house, make_user):
    person = make_user("wacht@example.nl", "Wim Wacht", house, status="pending")
    return person.memberships.get()


def members_url(house):
    return reverse("residents:members", kwargs={"house": house.slug})


# --- joining a house ---------------------------------------------------------------------------


def test_join_a_house(house, staff, newcomer, client_for):
    client = client_for(newcomer)
    url = reverse("residents:join", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, has_field="motivation")

    response = client.post(
        form.action or url, form.submit_data(motivation="Ik woon op nummer 6"), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("mine")
    assert (
        "Dank je wel. De medewerkers van W4, Witmondplein 4 controleren je aanvraag. "
        "Je krijgt daarover een e-mail." in messages_of(response)
    )
    membership = Membership.objects.get(user=newcomer, house=house)
    assert (membership.role, membership.status) == (Role.RESIDENT, Membership.Status.PENDING)
    assert membership.motivation == "Ik woon op nummer 6"
    assert mail.outbox[-1].to == [staff.email]
    # The person sees their request on their own page.
    assert "W4, Witmondplein 4" in response.content.decode()


def test_join_ignores_a_forged_role(house, newcomer, client_for):
    client = client_for(newcomer)
    url = reverse("residents:join", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, has_field="motivation")
    client.post(url, form.submit_data(role="staff", status="active", motivation=""))
    membership = Membership.objects.get(user=newcomer, house=house)
    assert (membership.role, membership.status) == (Role.RESIDENT, Membership.Status.PENDING)


def test_join_twice_says_so(house, newcomer, client_for):
    client = client_for(newcomer)
    url = reverse("residents:join", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, has_field="motivation")
    client.post(url, form.submit_data())
    response = client.post(url, form.submit_data(), follow=True)
    assert (
        "Je hebt al gevraagd om lid te worden van W4, Witmondplein 4. "
        "De medewerkers kijken er snel naar." in messages_of(response)
    )
    assert Membership.objects.filter(user=newcomer).count() == 1
    # The join page no longer offers the form.
    assert "motivation" not in client.get(url).content.decode()


def test_join_a_house_that_does_not_exist_is_404(newcomer, client_for, db):
    client = client_for(newcomer)
    assert client.get("/nergens/lid-worden/").status_code == 404
    assert client.post("/nergens/lid-worden/", {"motivation": ""}).status_code == 404
    assert not Membership.objects.exists()


def test_choose_a_house_on_my_page(house, newcomer, client_for):
    client = client_for(newcomer)
    page = client.get(reverse("mine"))
    form = parse_form(page.content, has_field="house")
    assert form.method == "get"
    response = client.get(reverse("mine"), form.submit_data(house=str(house.pk)))
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:join", kwargs={"house": house.slug})


def test_choose_a_house_that_does_not_exist_shows_an_error(house, newcomer, client_for):
    client = client_for(newcomer)
    response = client.get(reverse("mine"), {"house": "99999"})
    assert response.status_code == 200
    assert "Dit huis bestaat niet. Kies een huis uit de lijst." in response.content.decode()


def test_choose_a_house_with_garbage_shows_an_error(house, newcomer, client_for):
    client = client_for(newcomer)
    response = client.get(reverse("mine"), {"house": "drop table"})
    assert response.status_code == 200
    assert "Dit huis bestaat niet" in response.content.decode()


# --- staff decide ------------------------------------------------------------------------------


def test_staff_verify_a_request(house, staff, pending, client_for):
    client = client_for(staff)
    page = client.get(members_url(house))
    assert "Wim Wacht" in page.content.decode()
    form = parse_form(
        page.content,
        action=reverse("residents:decide", kwargs={"house": house.slug, "membership_id": pending.pk}),
    )
    mail.outbox.clear()

    response = client.post(form.action, form.submit_data("decision", note="Welkom!"), follow=True)

    assert "Wim Wacht is nu lid. Je hebt de aanvraag goedgekeurd." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.ACTIVE
    assert pending.decision_note == "Welkom!"
    assert mail.outbox[0].to == ["wacht@example.nl"]
    # The person moved from the requests to the members table.
    assert "Er wachten geen aanvragen." in response.content.decode()


def test_staff_decline_a_request(house, staff, pending, client_for):
    client = client_for(staff)
    page = client.get(members_url(house))
    form = parse_form(page.content, has_field="note")
    data = form.data | {"decision": "decline"}

    response = client.post(form.action, data, follow=True)

    assert "Je hebt de aanvraag van Wim Wacht afgewezen." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.DECLINED


def test_bogus_decision_changes_nothing(house, staff, pending, client_for):
    client = client_for(staff)
    form = parse_form(client.get(members_url(house)).content, has_field="note")
    response = client.post(form.action, form.submit_data(decision="approve-all"), follow=True)
    assert messages_of(response) == ["Kies goedkeuren of afwijzen."]
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert not AuditEvent.objects.filter(target_id=str(pending.pk)).exists()


def test_deciding_an_already_decided_request_says_so(house, staff, pending, client_for):
    client = client_for(staff)
    form = parse_form(client.get(members_url(house)).content, has_field="note")
    client.post(form.action, form.submit_data("decision"))
    # A second tab with the old page still open:
    response = client.post(form.action, form.data | {"decision": "decline"}, follow=True)
    assert "Iemand heeft deze aanvraag al behandeld: goedgekeurd." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.ACTIVE


def test_deciding_a_request_of_another_house_is_refused(house, other_house, staff, client_for, make_user):
    person = make_user("elders@example.nl", "Els Elders", other_house, status="pending")
    membership = person.memberships.get()
    url = reverse("residents:decide", kwargs={"house": house.slug, "membership_id": membership.pk})
    response = client_for(staff).post(url, {"decision": "verify"}, follow=True)
    assert "Deze aanvraag bestaat niet meer." in messages_of(response)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_coordinator_sees_requests_but_cannot_decide(house, coordinator, pending, client_for):
    client = client_for(coordinator)
    page = client.get(members_url(house))
    assert "Wim Wacht" in page.content.decode()
    assert 'name="decision"' not in page.content.decode()
    url = reverse("residents:decide", kwargs={"house": house.slug, "membership_id": pending.pk})
    assert client.post(url, {"decision": "verify"}).status_code == 403


def test_members_page_hides_other_houses(house, staff, outsider, client_for):
    page = client_for(staff).get(members_url(house)).content.decode()
    assert "Bo Buiten" not in page
    assert "buiten@example.nl" not in page


# --- register and act for a resident -----------------------------------------------------------


def test_register_a_resident_without_email(house, staff, client_for):
    client = client_for(staff)
    url = reverse("residents:register", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, has_field="name")
    response = client.post(url, form.submit_data(name="Opa Jansen", phone="050-1234567"), follow=True)
    person = User.objects.get(name="Opa Jansen")
    assert response.redirect_chain[-1][0] == reverse(
        "residents:person", kwargs={"house": house.slug, "user_id": person.pk}
    )
    assert "Je hebt Opa Jansen ingeschreven als bewoner." in messages_of(response)
    assert person.email is None


def test_register_with_a_taken_email_shows_the_error_on_the_field(house, staff, resident, client_for):
    client = client_for(staff)
    url = reverse("residents:register", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, has_field="name")
    response = client.post(url, form.submit_data(name="Dubbel", email="BEWONER@example.nl"))
    assert response.status_code == 200
    assert "Er is al een account met dit e-mailadres." in response.content.decode()
    assert not User.objects.filter(name="Dubbel").exists()


def test_staff_correct_details_on_behalf(house, staff, resident, client_for):
    client = client_for(staff)
    url = reverse("residents:person", kwargs={"house": house.slug, "user_id": resident.pk})
    form = parse_form(client.get(url).content, has_field="phone")
    assert form.data["name"] == "Bea Bewoner"
    response = client.post(url, form.submit_data(phone="06-11112222"), follow=True)
    assert "Opgeslagen namens Bea Bewoner." in messages_of(response)
    resident.refresh_from_db()
    assert resident.phone == "06-11112222"
    event = AuditEvent.objects.get(action="person.updated")
    assert (event.actor, event.on_behalf_of) == (staff, resident)


# --- language ----------------------------------------------------------------------------------


def test_language_switch_is_stored_on_the_account(house, resident, client_for):
    client = client_for(resident)
    page = client.get(house.get_absolute_url())
    form = parse_form(page.content, action=reverse("set_language"))
    assert form.data["next"] == house.get_absolute_url()

    response = client.post(form.action, form.submit_data("language"))

    assert response.status_code == 302
    assert response["Location"] == house.get_absolute_url()
    resident.refresh_from_db()
    assert resident.language == "en"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get(house.get_absolute_url()).content.decode().count('lang="en"') >= 1


def test_language_switch_for_a_visitor_only_sets_the_cookie(house, client, resident):
    page = client.get(house.get_absolute_url())
    form = parse_form(page.content, action=reverse("set_language"))
    response = client.post(form.action, form.submit_data("language"))
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert set(User.objects.values_list("language", flat=True)) == {"nl"}
    assert '<html lang="en">' in client.get(house.get_absolute_url()).content.decode()


def test_language_switch_refuses_an_unknown_language_and_foreign_next(house, resident, client_for):
    client = client_for(resident)
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain[0][0] == "/"
    assert "Deze taal kun je niet kiezen." in messages_of(response)
    resident.refresh_from_db()
    assert resident.language == "nl"


def test_a_resident_gets_a_link_to_the_houses_instead_of_the_list(house, other_house, resident, client_for):
    """Someone who lives in a house rarely joins another: a link to all houses, not a form."""
    page = client_for(resident).get(reverse("mine"))
    body = page.content.decode()
    assert page.context["choose_form"] is None
    assert 'name="house"' not in body
    assert f'href="{reverse("home")}"' in body and "bekijk alle wijkhuizen" in body


def test_a_resident_who_chose_a_house_by_address_still_gets_there(house, other_house, resident, client_for):
    client = client_for(resident)
    response = client.get(reverse("mine"), {"house": str(other_house.pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:join", kwargs={"house": other_house.slug})
    wrong = client.get(reverse("mine"), {"house": str(house.pk)})  # already lives there
    assert wrong.status_code == 200 and "Dit huis bestaat niet" in wrong.content.decode()


def test_the_house_list_is_read_once(house, other_house, newcomer, client_for, django_assert_max_num_queries):
    """The options are read once, though the page asks whether there are any and then shows them."""
    client = client_for(newcomer)
    client.get(reverse("mine"))
    with django_assert_max_num_queries(12) as captured:
        page = client.get(reverse("mine"))
    assert page.content.decode().count("<option") == 3  # "Choose a house" and the two houses
    assert sum('FROM "residents_house"' in q["sql"] for q in captured.captured_queries) <= 2


def test_my_page_lists_the_houses_a_coordinator_manages_with_waiting_requests(
    house, coordinator, resident, make_user, client_for
):
    make_user("nieuw@example.nl", "Nina Nieuw", house, Role.RESIDENT, status=Membership.Status.PENDING)
    members = reverse("residents:members", kwargs={"house": house.slug})
    page = client_for(coordinator).get(reverse("mine")).content.decode()
    assert f'href="{members}"' in page
    assert "1 aanvraag wacht" in page
    # A resident manages nothing: no list (and no query for it: their roles say so).
    assert f'href="{members}"' not in client_for(resident).get(reverse("mine")).content.decode()
