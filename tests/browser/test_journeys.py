"""The foundation's main journey, as a new resident and a staff member walk it, with axe on every page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from residents.models import Membership, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_mail_to(address: str):
    for message in reversed(mail.outbox):
        if address in message.to:
            return message
    raise AssertionError(f"no mail to {address}; outbox: {[m.to for m in mail.outbox]}")


def _goto(page: Page, url: str, axe_check) -> None:
    page.goto(url)
    axe_check(page)


def test_resident_signs_up_joins_and_staff_verifies(
    page: Page, live_server, house, staff, axe_check, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    base = live_server.url

    # A visitor finds the house and makes an account.
    _goto(page, base + "/", axe_check)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("link", name=re.compile(house.name)).first.click()
    axe_check(page)
    page.get_by_role("navigation", name=re.compile("menu", re.I)).get_by_role(
        "link", name=re.compile("account", re.I)
    ).click()
    axe_check(page)

    # Bad input first: no 16+ confirmation.
    page.get_by_label(re.compile("naam", re.I)).first.fill("Fatima el Amrani")
    page.get_by_label(re.compile("e-mail", re.I)).first.fill("fatima@example.nl")
    page.get_by_label(re.compile("^wachtwoord$", re.I)).fill("lang-geheim-wachtwoord-42")
    page.get_by_label(re.compile("wachtwoord.*bevestig", re.I)).fill("lang-geheim-wachtwoord-42")
    page.get_by_role("button", name=re.compile("account maken", re.I)).click()
    expect(page.get_by_text(re.compile("16 jaar of ouder", re.I)).first).to_be_visible()
    assert not User.objects.filter(email="fatima@example.nl").exists()
    axe_check(page)

    page.get_by_label(re.compile("16 jaar", re.I)).check()
    page.get_by_label(re.compile("^wachtwoord$", re.I)).fill("lang-geheim-wachtwoord-42")
    page.get_by_label(re.compile("wachtwoord.*bevestig", re.I)).fill("lang-geheim-wachtwoord-42")
    page.get_by_role("button", name=re.compile("account maken", re.I)).click()
    axe_check(page)

    # Verify the e-mail address with the link from the mail.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", _last_mail_to("fatima@example.nl").body)
    assert link, "verification mail has a link"
    page.goto(link.group(0))
    axe_check(page)
    page.get_by_role("button", name=re.compile("bevestig", re.I)).click()

    # Ask to join the house.
    _goto(page, base + f"/{house.slug}/lid-worden/", axe_check)
    page.get_by_label(re.compile("medewerkers", re.I)).fill("Ik woon op Witmondplein 12.")
    page.get_by_role("button", name=re.compile("lid worden", re.I)).click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text(house.name)
    membership = Membership.objects.get(user__email="fatima@example.nl", house=house)
    assert membership.status == Membership.Status.PENDING
    page.get_by_role("button", name=re.compile("uitloggen", re.I)).click()

    # Staff log in with an e-mailed code and verify the request.
    _goto(page, base + "/accounts/login/", axe_check)
    page.get_by_role("link", name=re.compile("code", re.I)).or_(
        page.get_by_role("button", name=re.compile("code", re.I))
    ).first.click()
    axe_check(page)
    page.get_by_label(re.compile("e-mail", re.I)).fill(staff.email)
    page.get_by_role("button", name=re.compile("code", re.I)).click()
    axe_check(page)
    code = re.search(r"\b(\d{6})\b", _last_mail_to(staff.email).body).group(1)
    code_input = page.locator("input[autocomplete='one-time-code']")
    expect(code_input).to_be_visible()
    code_input.fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name=re.compile("inloggen|bevestig|log", re.I)).click()
    expect(page.get_by_text(re.compile("onjuist|ongeldig|klopt niet", re.I)).first).to_be_visible()
    page.locator("input[autocomplete='one-time-code']").fill(code)
    page.get_by_role("button", name=re.compile("inloggen|bevestig|log", re.I)).click()

    _goto(page, base + f"/{house.slug}/leden/", axe_check)
    page.get_by_role("button", name=re.compile("Fatima")).click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text("Fatima")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert "lid" in _last_mail_to("fatima@example.nl").subject.lower()


def test_keyboard_skip_link_and_zoom(page: Page, live_server, house, axe_check):
    page.set_viewport_size({"width": 640, "height": 900})  # 1280 px wide at 200% zoom
    _goto(page, live_server.url + house.get_absolute_url(), axe_check)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=re.compile("inhoud", re.I))
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at 200% zoom"


def test_english_visitor_and_statements(page: Page, live_server, house, axe_check):
    _goto(page, live_server.url + house.get_absolute_url(), axe_check)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for path in ("/toegankelijkheid/", "/privacy/", "/bestaat-niet/"):
        _goto(page, live_server.url + path, axe_check)
    expect(page.locator("h1")).to_be_visible()
