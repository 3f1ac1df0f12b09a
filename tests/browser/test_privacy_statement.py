"""The privacy statement in a browser: for all houses and for one house, axe clean (WCAG 2.2 A/AA),
and at 200% zoom (640 px wide) without sideways scrolling."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from residents import registry
from residents.models import Organisation
from wijkhuis.retention import RULES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())  # /tmp/privacy-*.png


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SHOTS / f"privacy-{name}.png", full_page=True)


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 200% zoom"


@pytest.fixture
def partners(house):
    house.partners.add(
        Organisation.objects.create(name="Schuldhulp Oost", kind=Organisation.Kind.DEBT_HELP),
        Organisation.objects.create(name="Welzijn Patrimonium", kind=Organisation.Kind.WELFARE),
    )


def test_the_statement_for_all_houses_and_for_one(
    page: Page, live_server, house, other_house, partners, axe_check
):
    base = live_server.url
    page.goto(f"{base}/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacyverklaring")
    expect(page.get_by_role("heading", level=2, name="Hoe lang we wat bewaren")).to_be_visible()
    table = page.get_by_role("table", name="Wat het portaal weghaalt, en wanneer")
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(len(RULES) + 1)
    money = page.locator("#worries-money")
    expect(money).to_contain_text("Een zorg over geld leidt nooit tot stappen over je huur.")
    for entry in registry.personal_data:
        expect(page.locator(f"#data-{entry.key}")).to_be_visible()
    axe_check(page)
    shot(page, "all")

    page.get_by_role("link", name=f"Privacyverklaring voor {house.name}").click()
    expect(page).to_have_url(f"{base}/privacy/{house.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Privacyverklaring voor {house.name}")
    expect(page.locator("#partners")).to_contain_text("Schuldhulp Oost")
    expect(page.locator("main")).not_to_contain_text(other_house.name)
    axe_check(page)
    shot(page, "house")

    # The contents at the top jump to each part.
    page.get_by_role("navigation", name="Op deze pagina").get_by_role("link", name="Je rechten").click()
    expect(page).to_have_url(f"{base}/privacy/{house.slug}/#rights")


def test_the_statement_at_200_percent_zoom(page: Page, live_server, house, partners, axe_check):
    page.set_viewport_size({"width": 640, "height": 900})  # 1280 px wide at 200% zoom
    for path in ("/privacy/", f"/privacy/{house.slug}/"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        no_sideways_scroll(page)
        axe_check(page)
    shot(page, "zoom")
