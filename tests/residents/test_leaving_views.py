"""Deleting an account in the portal: the person on /mijn/gegevens/verwijderen/, staff on request.

Forms are submitted as rendered; deleting always asks for a fresh proof that it is them (allauth's
reauthentication with the password, or a recent login for someone who only logs in by code)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from residents.models import AuditEvent, User
from tests.factories import PASSWORD, make_user
from tests.forms import parse_form

LEAVE = "/mijn/gegevens/verwijderen/"


def reauthenticate(client, response):
    """Follow allauth's "enter your password again" step as a browser would; returns its answer."""
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_reauthenticate")
    page = client.get(response["Location"])
    form = parse_form(page.content, has_field="password")
    return client.post(response["Location"], form.submit_data(password=PASSWORD))


def recently(client, person, method: str = "password", **extra) -> None:
    """As if `person` just proved it is them in this session (allauth's record of it)."""
    session = client.session
    session["account_authentication_methods_user"] = str(person.pk)
    session["account_authentication_methods"] = [{"method": method, "at": time.time(), **extra}]
    session.save()


def test_the_page_says_what_happens_and_asks_to_confirm(client_for, resident):
    response = client_for(resident).get(LEAVE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>Mijn account verwijderen</h1>" in text
    assert "Dit kan niet ongedaan worden" in text
    assert "Je lidmaatschap van W4, Witmondplein 4 stopt" in text
    assert "understood" in parse_form(response.content, form_id="leave-form").field_names


def test_without_ticking_the_box_nothing_happens(client_for, resident):
    client = client_for(resident)
    form = parse_form(client.get(LEAVE).content, form_id="leave-form")
    response = client.post(LEAVE, form.submit_data())
    assert response.status_code == 200
    assert "Vink het vakje aan" in response.content.decode()
    assert User.objects.get(pk=resident.pk).erased_at is None


def test_deleting_asks_for_the_password_again_then_deletes_and_logs_out(client_for, resident):
    client = client_for(resident)
    form = parse_form(client.get(LEAVE).content, form_id="leave-form")
    response = client.post(LEAVE, form.submit_data(understood="on"))
    assert User.objects.get(pk=resident.pk).erased_at is None  # not before the password
    response = reauthenticate(client, response)
    assert response.status_code == 302 and response["Location"] == reverse("left")
    assert User.objects.get(pk=resident.pk).erased_at is not None
    assert "_auth_user_id" not in client.session
    assert "Je account is verwijderd" in client.get(reverse("left")).content.decode()
    login = client.post(reverse("account_login"), {"login": "bewoner@example.nl", "password": PASSWORD})
    assert login.status_code == 200  # the login form again: the account is gone


def test_a_wrong_password_deletes_nothing(client_for, resident):
    client = client_for(resident)
    form = parse_form(client.get(LEAVE).content, form_id="leave-form")
    response = client.post(LEAVE, form.submit_data(understood="on"))
    page = client.get(response["Location"])
    reauth = parse_form(page.content, has_field="password")
    answer = client.post(response["Location"], reauth.submit_data(password="not-it"))
    assert answer.status_code == 200
    assert User.objects.get(pk=resident.pk).erased_at is None


def test_someone_who_logs_in_by_code_must_have_logged_in_recently(client_for, house):
    person = make_user("code@example.nl", "Kees Code", house, "resident")
    person.set_unusable_password()
    person.save()
    client = client_for(person)  # a login without a record of when: as if long ago
    form = parse_form(client.get(LEAVE).content, form_id="leave-form")
    response = client.post(LEAVE, form.submit_data(understood="on"))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=person.pk).erased_at is None

    client = client_for(person)
    recently(client, person, "code", email=person.email)
    response = client.post(LEAVE, form.submit_data(understood="on"))
    assert response["Location"] == reverse("left")
    assert User.objects.get(pk=person.pk).erased_at is not None


def test_what_must_be_settled_first_is_shown_and_there_is_no_button(client_for, resident, house):
    now = timezone.now()
    quiz = Activity.objects.create(
        house=house,
        title="Buurtquiz",
        category="games",
        place="Plein",
        period=DateTimeTZRange(now + dt_days(3), now + dt_days(3, hours=2)),
    )
    quiz.organisers.set([resident])
    client = client_for(resident)
    response = client.get(LEAVE)
    text = response.content.decode()
    assert "Buurtquiz" in text and quiz.get_absolute_url() in text
    assert 'id="leave-form"' not in text
    # Posting anyway (an old tab): a clear message, nothing deleted.
    recently(client, resident, reauthenticated=True)
    response = client.post(LEAVE, {"understood": "on"})
    assert response.status_code == 200 and "Buurtquiz" in response.content.decode()
    assert User.objects.get(pk=resident.pk).erased_at is None


def dt_days(days: int, hours: int = 0):
    import datetime as dt

    return dt.timedelta(days=days, hours=hours)


# --- staff, on the person's request ---------------------------------------------------------------


def erase_url(house, person) -> str:
    return reverse("residents:erase", kwargs={"house": house.slug, "user_id": person.pk})


def test_staff_delete_on_request_after_their_own_password(client_for, staff, resident, house, mfa_off):
    client = client_for(staff)
    person_page = client.get(
        reverse("residents:person", kwargs={"house": house.slug, "user_id": resident.pk})
    )
    assert erase_url(house, resident) in person_page.content.decode()
    form = parse_form(client.get(erase_url(house, resident)).content, form_id="erase-form")
    response = client.post(erase_url(house, resident), form.submit_data(understood="on", asked="phone"))
    response = reauthenticate(client, response)
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:members", kwargs={"house": house.slug})
    assert User.objects.get(pk=resident.pk).erased_at is not None
    row = AuditEvent.objects.get(action="person.erased")
    assert (row.actor, row.on_behalf_of_id, row.house, row.changes) == (
        staff,
        resident.pk,
        house,
        {"asked": "phone"},
    )


def test_staff_must_say_how_the_person_asked(client_for, staff, resident, house, mfa_off):
    client = client_for(staff)
    form = parse_form(client.get(erase_url(house, resident)).content, form_id="erase-form")
    response = client.post(erase_url(house, resident), form.submit_data(understood="on"))
    assert response.status_code == 200
    assert "Kies hoe" in response.content.decode()
    assert User.objects.get(pk=resident.pk).erased_at is None


def test_staff_cannot_delete_someone_who_is_also_in_a_house_they_do_not_serve(
    client_for, staff, resident, house, other_house, mfa_off
):
    from residents.models import Membership

    Membership.objects.create(user=resident, house=other_house, role="resident", status="active")
    client = client_for(staff)
    page = client.get(erase_url(house, resident))
    assert other_house.name in page.content.decode() and 'id="erase-form"' not in page.content.decode()
    recently(client, staff, reauthenticated=True)
    client.post(erase_url(house, resident), {"understood": "on", "asked": "phone"})
    assert User.objects.get(pk=resident.pk).erased_at is None


@pytest.mark.parametrize("who", ["resident", "student", "coordinator", "viewer", "outsider"])
def test_others_may_not(who, request, client_for, staff, resident, house, mfa_off):
    client = client_for(request.getfixturevalue(who))
    assert client.post(erase_url(house, resident), {"understood": "on", "asked": "phone"}).status_code == 403
    assert User.objects.get(pk=resident.pk).erased_at is None


def test_a_deleted_account_or_someone_from_another_house_is_not_found(
    client_for, staff, resident, outsider, house, mfa_off
):
    from residents import leaving

    assert client_for(staff).get(erase_url(house, outsider)).status_code == 404
    leaving.erase(resident, by=resident)
    assert client_for(staff).get(erase_url(house, resident)).status_code == 404


def test_staff_deleting_themselves_go_to_their_own_page(client_for, staff, house, mfa_off):
    response = client_for(staff).get(erase_url(house, staff))
    assert response.status_code == 302 and response["Location"] == LEAVE


def test_the_log_says_in_words_why_and_how(client_for, staff, resident, house, mfa_off):
    from residents import leaving

    leaving.erase(resident, by=staff, asked="phone")
    page = client_for(staff).get(reverse("residents:audit", kwargs={"house": house.slug})).content.decode()
    assert "Account verwijderd" in page
    assert "hoe de persoon het vroeg" in page and "via de telefoon" in page
    assert ">phone<" not in page
