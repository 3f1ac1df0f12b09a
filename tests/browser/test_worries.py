"""Raising a worry in a browser, as a visitor without an account, and the team handling it to the end.
Axe on every page; the form at 200% zoom (640 px wide) without sideways scrolling."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from care.models import Worry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())  # /tmp/worries-*.png
WORDS = "Mijn buurman woont alleen en komt al weken de deur niet uit. Ik maak me zorgen."


@pytest.fixture(autouse=True)
def _fresh_flood_counts():
    # The cache lives in the database, but a flush does not empty its table: start every test clean.
    cache.clear()
    yield
    cache.clear()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SHOTS / f"worries-{name}.png", full_page=True)


def _label(text: str):
    return re.compile(rf"^\s*{text}", re.I)


def test_a_visitor_raises_a_worry_and_a_coordinator_handles_it_to_the_end(
    page: Page, live_server, login_as, house, coordinator, staff, axe_check, mfa_off
):
    base = live_server.url
    page.goto(f"{base}/{house.slug}/melden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zorg melden")
    axe_check(page)
    shot(page, "raise")

    form = page.locator("#worry-form")
    form.get_by_role("radio", name="Over iemand anders in de buurt").check()
    form.get_by_role("radio", name="Eenzaamheid").check()
    form.get_by_label(_label("Wat is er aan de hand")).fill(WORDS)
    form.get_by_role("radio", name="Bel me").check()
    form.get_by_label(_label("Wanneer komt het je het best uit")).fill("Doordeweeks na 14.00 uur")
    form.get_by_label(_label("Je naam")).fill("Fatima")
    form.get_by_label(_label("Je e-mailadres")).fill("fatima@example.nl")
    # First without a phone number: the summary at the top says what to do and links to the field.
    form.get_by_role("button", name="Melding versturen").click()
    summary = page.get_by_role("alert").filter(has_text="Je melding is nog niet verstuurd")
    expect(summary).to_contain_text("Je koos voor bellen. Vul je telefoonnummer in.")
    axe_check(page)
    shot(page, "raise-error")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(_label("Je telefoonnummer"))).to_be_focused()
    page.get_by_label(_label("Je telefoonnummer")).fill("06 12345678")
    page.locator("#worry-form").get_by_role("button", name="Melding versturen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dank je wel. We hebben je melding ontvangen.")
    expect(page.locator("main")).to_contain_text("0800-0113")
    expect(page.locator("main")).not_to_contain_text("deur niet uit")
    axe_check(page)
    shot(page, "received")

    worry = Worry.objects.get()
    assert (worry.category, worry.about, worry.phone) == ("loneliness", "neighbour", "06 12345678")
    (receipt,) = [m for m in mail.outbox if "fatima@example.nl" in m.to]
    assert receipt.subject == "We hebben je bericht ontvangen"
    assert "goed ontvangen" in receipt.body
    for secret in ("deur", "eenzaam", "Eenzaamheid", "06 12345678", "buurman", worry.reference):
        assert secret not in receipt.subject + receipt.body

    # The coordinator finds it in the list and handles it.
    login_as(coordinator)
    page.goto(f"{base}/{house.slug}/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Meldingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meldingen")
    axe_check(page)
    shot(page, "list")
    page.get_by_role("link", name=worry.reference).click()
    expect(page.locator("main")).to_contain_text(WORDS)
    axe_check(page)

    page.locator("#take-form").get_by_role("button", name="Oppakken").click()
    expect(page.get_by_role("status")).to_contain_text("Opgeslagen: wie deze melding oppakt.")
    contact = page.locator("#contact-form")
    contact.get_by_label(_label("Waar hadden jullie het over")).fill(
        "Gebeld. Hij wil graag naar de koffieochtend."
    )
    contact.get_by_role("button", name="Contact opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Het contact is opgeslagen.")
    close = page.locator("#close-form")
    close.get_by_role("radio", name="Geholpen").check()
    close.get_by_label(_label("Notitie")).fill("Komt voortaan op dinsdag koffie drinken.")
    close.get_by_role("button", name="Melding afsluiten").click()
    expect(page.get_by_role("status")).to_contain_text("De melding is afgesloten.")
    expect(page.locator(".worry-status-line")).to_contain_text("Afgesloten")
    axe_check(page)
    shot(page, "detail-closed")

    worry.refresh_from_db()
    assert (worry.status, worry.outcome, worry.handler) == ("closed", "helped", coordinator)
    assert worry.first_contact_at is not None


def test_the_form_at_200_percent_zoom_has_no_sideways_scrolling(page: Page, live_server, house, axe_check):
    page.set_viewport_size({"width": 640, "height": 900})  # 1280 px wide at 200% zoom
    page.goto(f"{live_server.url}/{house.slug}/melden/")
    axe_check(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    # The honeypot is there for bots, but not for people: not visible, not reachable with Tab.
    honeypot = page.locator("input[name=website]")
    assert honeypot.get_attribute("tabindex") == "-1"
    expect(page.get_by_role("textbox", name="Laat dit veld leeg")).to_have_count(0)
    shot(page, "raise-640")


def test_the_team_pages_at_200_percent_zoom(
    page: Page, live_server, login_as, house, coordinator, axe_check, mfa_off
):
    from care import worries

    worry = worries.raise_worry(
        house=house,
        data={"about": "self", "category": "money", "message": "Ik heb schulden.", "name": "Jan",
              "phone": "050 1234567", "contact_by": "phone"},
        channel="website",
    )  # fmt: skip
    login_as(coordinator)
    page.set_viewport_size({"width": 640, "height": 900})
    for path, name in (
        (f"/{house.slug}/meldingen/", "list-640"),
        (f"/{house.slug}/meldingen/{worry.pk}/", "detail-640"),
        (f"/{house.slug}/meldingen/nieuw/", "enter-640"),
    ):
        page.goto(live_server.url + path)
        axe_check(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        shot(page, name)
