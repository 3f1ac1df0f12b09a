"""Accounts through allauth: sign-up, verification, login by code, rate limits, the admin."""

from __future__ import annotations

import re

import pytest
from allauth.account.internal.stagekit import LOGIN_SESSION_KEY
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db import connection
from django.urls import reverse

from residents.models import User
from tests.factories import PASSWORD
from tests.forms import parse_form, parse_forms

STRONG = "een-lang-Wachtwoord-42"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def logged_in_as(client):
    return client.session.get(SESSION_KEY)


@pytest.fixture
def signup_form(client, db):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    return parse_form(page.content, has_field="password1")


# --- sign-up ---------------------------------------------------------------------------------


def test_signup_asks_name_and_age(signup_form):
    assert {"email", "password1", "password2", "name", "age_confirmed"} <= set(signup_form.field_names)


def test_signup_needs_verification_before_login(client, signup_form):
    response = client.post(
        reverse("account_signup"),
        signup_form.submit_data(
            email="fatima@example.nl",
            name="Fatima",
            password1=STRONG,
            password2=STRONG,
            age_confirmed="on",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="fatima@example.nl")
    assert user.name == "Fatima"
    assert not EmailAddress.objects.get(user=user).verified
    assert logged_in_as(client) is None  # mandatory verification
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    # A password login is refused until the address is confirmed.
    client.post(reverse("account_login"), {"login": "fatima@example.nl", "password": STRONG})
    assert logged_in_as(client) is None

    path = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    page = client.get(path)
    # The page's form posts to a key allauth signs again while rendering: when a second has passed
    # since the mail, its timestamp differs from the mail's. Post where the page says.
    [form] = [f for f in parse_forms(page.content) if f.action.startswith("/accounts/confirm-email/")]
    response = client.post(form.action, form.data)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert logged_in_as(client) == str(user.pk)  # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION


def test_signup_without_the_age_checkbox_is_refused(client, signup_form):
    data = signup_form.submit_data(email="jong@example.nl", name="Jong", password1=STRONG, password2=STRONG)
    data.pop("age_confirmed", None)
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert "Je kunt alleen een account maken als je 16 jaar of ouder bent." in response.content.decode()
    assert not User.objects.filter(email="jong@example.nl").exists()


def test_signup_with_a_taken_email_does_not_leak_and_makes_no_account(client, signup_form, resident):
    response = client.post(
        reverse("account_signup"),
        signup_form.submit_data(
            email="BEWONER@example.nl",
            name="Indringer",
            password1=STRONG,
            password2=STRONG,
            age_confirmed="on",
        ),
    )
    # The same answer as for a new address: no telling whether it has an account ...
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    # ... but no second account; the owner gets a warning by mail.
    assert User.objects.filter(email__iexact="bewoner@example.nl").count() == 1
    assert not User.objects.filter(name="Indringer").exists()
    assert [[a.lower() for a in m.to] for m in mail.outbox] == [["bewoner@example.nl"]]


def test_signup_closed(client, db, settings):
    settings.SIGNUP_OPEN = False
    response = client.get(reverse("account_signup"))
    assert "password1" not in response.content.decode()


# --- log in ----------------------------------------------------------------------------------


def test_login_with_password(client, resident):
    page = client.get(reverse("account_login"))
    form = parse_form(page.content, has_field="password")
    response = client.post(
        reverse("account_login"), form.submit_data(login="Bewoner@Example.nl", password=PASSWORD)
    )
    assert response.status_code == 302
    assert logged_in_as(client) == str(resident.pk)


def test_login_with_a_wrong_password(client, resident):
    response = client.post(reverse("account_login"), {"login": "bewoner@example.nl", "password": "fout"})
    assert response.status_code == 200
    assert logged_in_as(client) is None


def _request_code(client, email):
    page = client.get(reverse("account_request_login_code"))
    form = parse_form(page.content, has_field="email")
    return client.post(reverse("account_request_login_code"), form.submit_data(email=email))


def _code_from_mail():
    codes = re.findall(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert codes, mail.outbox[-1].body
    return codes[0]


def test_login_by_code(client, resident):
    response = _request_code(client, "bewoner@example.nl")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert mail.outbox[-1].to == ["bewoner@example.nl"]
    code = _code_from_mail()

    page = client.get(reverse("account_confirm_login_code"))
    form = parse_form(page.content, has_field="code")
    response = client.post(reverse("account_confirm_login_code"), form.submit_data(code=code))
    assert response.status_code == 302
    assert logged_in_as(client) == str(resident.pk)


def test_login_by_code_with_a_wrong_code(client, resident):
    _request_code(client, "bewoner@example.nl")
    right = _code_from_mail()
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    response = client.post(reverse("account_confirm_login_code"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert logged_in_as(client) is None


def test_login_by_code_expired(client, resident, settings):
    _request_code(client, "bewoner@example.nl")
    code = _code_from_mail()
    # Age the code by more than ACCOUNT_LOGIN_BY_CODE_TIMEOUT, as the clock would: allauth
    # compares time.time() with the "at" it stashed in the session with the pending login.
    session = client.session
    state = session[LOGIN_SESSION_KEY]["state"]["stages"]["login_by_code"]["data"]
    assert state["code"] == code
    state["at"] -= settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT + 1
    session.save()

    response = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)

    assert logged_in_as(client) is None
    # Sent back to ask for a new code, told why, and the old code is gone for good.
    assert response.redirect_chain[-1][0] == reverse("account_request_login_code")
    assert [str(m) for m in response.context["messages"]][-1] == (
        "Je inlogcode is verlopen of te vaak fout ingevuld. "
        "Vraag een nieuwe code aan; die is 10 minuten geldig."
    )
    assert "email" in parse_form(response.content, has_field="email").field_names
    assert LOGIN_SESSION_KEY not in client.session


def test_login_code_for_an_unknown_address_sends_no_code(client, db):
    response = _request_code(client, "niemand@example.nl")
    # Same answer as for a known address (no enumeration), and no code in any mail.
    assert response.status_code == 302
    assert all(not re.search(r"\b\d{6}\b", m.body) for m in mail.outbox)


# --- rate limits (in the database cache) ---------------------------------------------------------


def _cache_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM wijkhuis_cache")
        return cursor.fetchone()[0]


def test_failed_logins_are_rate_limited_in_the_database_cache(client, resident):
    assert _cache_rows() == 0
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "bewoner@example.nl", "password": "fout"})
    assert _cache_rows() > 0  # the counters live in PostgreSQL, shared by every worker
    # Now even the right password is refused for a while.
    response = client.post(reverse("account_login"), {"login": "bewoner@example.nl", "password": PASSWORD})
    assert logged_in_as(client) is None
    assert response.status_code in (200, 429)


def test_login_code_requests_are_rate_limited(resident):
    from django.test import Client

    # Four people (sessions) ask a code for the same address within a minute.
    statuses = [_request_code(Client(), "bewoner@example.nl").status_code for _ in range(4)]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] in (200, 429)
    assert len([m for m in mail.outbox if m.to == ["bewoner@example.nl"]]) == 3


# --- the admin ---------------------------------------------------------------------------------


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_is_for_superusers_only(client_for, staff, resident, superuser, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    assert client_for(superuser).get("/admin/").status_code == 200
    for person in (staff, resident):
        response = client_for(person).get("/admin/")
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert client_for(person).get(response["Location"]).status_code == 403
