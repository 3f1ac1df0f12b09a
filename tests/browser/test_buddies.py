"""Buddies in a browser: a resident asks for a talk buddy, another offers, the coordinator records the
intake and the VOG and proposes them, both say yes, and only then each sees the other's first name and
contact. Axe on every page; the ask form at 640 px wide (200% zoom) without sideways scrolling."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from care.models import Buddy, Match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())  # /tmp/buddies-*.png


def _label(text: str):
    return re.compile(rf"^\s*{text}", re.I)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=SHOTS / f"buddies-{name}.png", full_page=True)


def _fill_buddy_form(page: Page, *, kinds: list[str], languages: str, when: str, about: str) -> None:
    form = page.locator("#buddy-form")
    for kind in kinds:
        form.get_by_role("checkbox", name=kind).check()
    form.get_by_label(_label("welke talen spreek je")).fill(languages)
    form.get_by_label(_label("wanneer heb je tijd")).fill(when)
    form.get_by_label(_label("wil je ons nog iets vertellen")).fill(about)


def test_two_neighbours_become_buddies(
    page: Page, live_server, login_as, house, resident, student, coordinator, axe_check, mfa_off, make_user
):
    base = live_server.url
    helper = make_user("hulp@example.nl", "Hanna de Vries", house, "resident")

    # Bea asks for a talk buddy, on a narrow screen (640 px: 1280 px at 200% zoom).
    login_as(resident)
    page.set_viewport_size({"width": 640, "height": 900})
    page.goto(f"{base}/{house.slug}/maatjes/")
    axe_check(page)
    _shot(page, "1-buddies")
    page.get_by_role("link", name="Ik wil graag een maatje").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vraag om een maatje")
    axe_check(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the ask form scrolls sideways by {overflow}px at 640px"
    # First without a kind: the form says what is missing and keeps what was typed.
    _fill_buddy_form(
        page, kinds=[], languages="Nederlands, Turks", when="Dinsdagmiddag", about="Ik woon alleen."
    )
    page.get_by_role("radio", name="mijn telefoonnummer").check()
    page.get_by_label(_label("je telefoonnummer")).fill("06 12345678")
    page.get_by_role("button", name="Mijn vraag versturen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Kies minstens één ding.")
    axe_check(page)
    _shot(page, "2-ask-error")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the ask form with errors scrolls sideways by {overflow}px at 640px"
    expect(page.get_by_label(_label("wanneer heb je tijd"))).to_have_value("Dinsdagmiddag")
    page.get_by_role("checkbox", name="praten en gezelschap").check()
    page.get_by_role("button", name="Mijn vraag versturen").click()
    expect(page.get_by_role("status").first).to_contain_text("De coördinator neemt snel contact met je op")
    expect(page.get_by_text("Je hebt om een maatje gevraagd: wacht op een koppeling.")).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Hanna offers to be a buddy and lets her buddy see her e-mail address.
    login_as(helper)
    page.goto(f"{base}/{house.slug}/maatjes/aanbieden/")
    axe_check(page)
    _fill_buddy_form(
        page,
        kinds=["praten en gezelschap", "wandelen"],
        languages="Nederlands, Engels",
        when="Dinsdag en donderdag",
        about="Ik ben met pensioen.",
    )
    page.get_by_role("radio", name=re.compile("mijn e-mailadres")).check()
    _shot(page, "3-offer")
    page.get_by_role("button", name="Mijn aanbod versturen").click()
    expect(page.get_by_role("status").first).to_contain_text("Dank je wel dat je wilt helpen")
    axe_check(page)

    # The coordinator sees both side by side, records both intakes (and the VOG) and proposes them.
    login_as(coordinator)
    page.goto(f"{base}/{house.slug}/maatjes/beheer/")
    axe_check(page)
    _shot(page, "4-team")
    expect(page.get_by_role("heading", name="1 vraag")).to_be_visible()
    expect(page.get_by_role("heading", name="1 aanbod")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"Kennismaking en gegevens\W+Bea Bewoner")).click()
    axe_check(page)
    expect(page.get_by_text("Ik woon alleen.")).to_be_visible()
    page.get_by_label(_label("notitie voor het team")).fill("Voelt zich eenzaam sinds de verhuizing.")
    page.get_by_role("button", name="Kennismaking opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("De kennismaking is opgeslagen.")
    page.get_by_role("link", name=re.compile(r"Kennismaking en gegevens\W+Hanna de Vries")).click()
    seen = timezone.localdate() - dt.timedelta(days=7)
    page.get_by_label(_label("VOG gezien op")).fill(seen.isoformat())
    _shot(page, "5-intake")
    page.get_by_role("button", name="Kennismaking opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("De kennismaking is opgeslagen.")
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"Maatje zoeken\W+Bea Bewoner")).click()
    axe_check(page)
    form = page.locator("#propose-form")
    expect(form.get_by_label(_label("vraag"))).to_have_value(str(Buddy.objects.get(person=resident).pk))
    offer_select = form.get_by_label(_label("aanbod"))
    hanna = offer_select.locator("option", has_text="Hanna de Vries")
    expect(hanna).to_contain_text(
        "praten en gezelschap, wandelen · Nederlands, Engels · Dinsdag en donderdag"
    )
    offer_select.select_option(value=hanna.get_attribute("value"))
    form.get_by_label(_label("waarom deze twee")).fill("Jullie praten allebei graag en hebben dinsdag tijd.")
    _shot(page, "6-propose")
    page.get_by_role("button", name="Voorstel naar allebei sturen").click()
    expect(page.get_by_role("status").first).to_contain_text("Het voorstel is verstuurd.")
    axe_check(page)
    match = Match.objects.get()

    # Bea sees the proposal: what Hanna offers and why, not who she is. She says yes.
    login_as(resident)
    page.goto(f"{base}/{house.slug}/maatjes/")
    expect(page.get_by_text("Er is een maatje voor je voorgesteld. Zeg ja of nee.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Bekijk het voorstel")).click()
    axe_check(page)
    _shot(page, "7-proposal")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Jullie praten allebei graag en hebben dinsdag tijd.")
    expect(main).to_contain_text("wandelen")
    expect(main).not_to_contain_text("Hanna")
    expect(main).not_to_contain_text("hulp@example.nl")
    page.get_by_role("button", name="Ja, dat wil ik graag").click()
    expect(page.get_by_role("status").first).to_contain_text("We wachten nu op het antwoord van de ander.")
    expect(page.get_by_role("main")).not_to_contain_text("Hanna")
    axe_check(page)

    # Hanna says yes too: now she sees Bea's first name and phone number, not her surname.
    login_as(helper)
    page.goto(f"{base}/{house.slug}/maatjes/koppeling/{match.pk}/")
    axe_check(page)
    expect(page.get_by_role("main")).not_to_contain_text("Bea")
    page.get_by_role("button", name="Ja, dat wil ik graag").click()
    expect(page.get_by_role("status").first).to_contain_text("Jullie zeiden allebei ja.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Je maatje Bea")
    expect(page.get_by_role("link", name="06 12345678")).to_have_attribute("href", "tel:0612345678")
    expect(page.get_by_role("main")).not_to_contain_text("Bewoner")
    axe_check(page)
    _shot(page, "8-match-helper")

    # And Bea sees Hanna's first name and the e-mail address she chose.
    login_as(resident)
    page.goto(f"{base}/{house.slug}/maatjes/koppeling/{match.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Je maatje Hanna")
    expect(page.get_by_role("link", name="hulp@example.nl")).to_have_attribute(
        "href", "mailto:hulp@example.nl"
    )
    expect(page.get_by_role("main")).not_to_contain_text("de Vries")
    axe_check(page)
    _shot(page, "9-match-resident")
    page.get_by_role("group", name=re.compile("Hoe gaat het met je maatje")).get_by_role(
        "radio", name="goed"
    ).check()
    page.get_by_role("button", name="Naar de coördinator sturen").click()
    expect(page.get_by_role("status").first).to_contain_text("De coördinator leest het.")
    axe_check(page)
    page.get_by_role("link", name="Terug naar maatjes").click()
    expect(page.get_by_role("link", name="Je maatje Hanna")).to_be_visible()
    axe_check(page)
    _shot(page, "12-mine")

    # The coordinator sees the match going, with Bea's answer.
    login_as(coordinator)
    page.goto(f"{base}/{house.slug}/maatjes/koppeling/{match.pk}/")
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bea Bewoner en Hanna de Vries")
    expect(page.get_by_role("main")).to_contain_text("goed")
    _shot(page, "10-match-team")
    page.goto(f"{base}/{house.slug}/maatjes/beheer/")
    expect(page.get_by_role("heading", name="Bea Bewoner & Hanna de Vries")).to_be_visible()
    axe_check(page)
    _shot(page, "11-team-after")
