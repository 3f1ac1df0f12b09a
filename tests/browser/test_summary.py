"""The pilot summary in a browser: staff set targets and write a story, the alderman reads the
summary of a month, prints it and compares the houses; a resident is refused. axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from residents.models import Membership
from summary.models import Story, Target
from tests.summary.conftest import make_june

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def june(house, other_house):
    """The hand-built month of tests/summary/conftest.py."""
    return make_june(house, other_house)


def _label(text: str):
    return re.compile(rf"^\s*{text}", re.I)


def test_targets_story_and_the_aldermans_summary(
    page: Page,
    live_server,
    login_as,
    june,
    other_house,
    staff,
    viewer,
    resident,
    axe_check,
    settings,
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    base = live_server.url
    house = june["house"]

    # Staff set two targets for the pilot (2025, over by now) ...
    login_as(staff)
    page.goto(f"{base}/{house.slug}/overzicht/")
    axe_check(page)
    page.get_by_role("link", name="Doelen instellen").first.click()
    axe_check(page)
    form = page.locator("#targets-form")
    form.get_by_label(_label("gehouden activiteiten")).fill("6")
    form.get_by_label(_label("bereikte bewoners")).fill("10")
    form.get_by_role("button", name="Doelen opslaan").click()
    expect(page.locator(".messages")).to_contain_text("De doelen zijn opgeslagen.")
    axe_check(page)
    assert dict(Target.objects.values_list("figure", "value")) == {"activities_held": 6, "reach": 10}
    targets = page.locator(".summary-target-table")
    expect(targets.locator("tr", has_text="Gehouden activiteiten")).to_contain_text("niet gehaald")
    expect(targets.locator("tr", has_text="Bereikte bewoners")).to_contain_text("gehaald")

    # ... and write the story of June with a quote.
    page.get_by_role("link", name="Verhalen en uitspraken").click()
    axe_check(page)
    page.get_by_role("link", name="Verhaal schrijven").click()
    axe_check(page)
    form = page.locator("#story-form")
    form.get_by_label(_label("eerste dag")).fill("2025-06-01")
    form.get_by_label(_label("laatste dag")).fill("2025-06-30")
    form.get_by_label(_label("titel")).fill("Een volle huiskamer")
    form.get_by_label(_label("het verhaal")).fill("De koffieochtend zat vol. Het taalcafé groeit.")
    form.get_by_label(_label("uitspraak 1: wat er gezegd is")).fill("Ik kom hier elke dinsdag.")
    form.get_by_label(_label("uitspraak 1: wie het zei")).fill("bewoonster, 81 jaar")
    form.get_by_role("button", name="Verhaal opslaan").click()
    expect(page.locator(".messages")).to_contain_text("Het verhaal is opgeslagen.")
    axe_check(page)
    assert Story.objects.get().quotes.count() == 1

    # The alderman finds the summary in the house menu and chooses June 2025.
    login_as(viewer)
    page.goto(f"{base}/{house.slug}/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overzicht", exact=True).click()
    axe_check(page)
    form = page.locator("#period-form")
    form.get_by_label("Periode").select_option(label="een maand")
    form.get_by_label(_label("van")).fill("2025-06-15")
    form.get_by_role("button").click()
    expect(page.locator(".summary-period")).to_contain_text("Juni 2025")
    axe_check(page)
    card = page.locator(".summary-card", has_text="Gehouden activiteiten")
    expect(card).to_contain_text("2")
    expect(card).to_contain_text("Periode ervoor: 1 · 1 meer")
    expect(page.locator(".summary-card", has_text="Nieuwe leden")).to_contain_text("< 5")
    expect(page.locator(".summary-stories")).to_contain_text("Ik kom hier elke dinsdag.")
    chart = page.locator("figure.chart", has_text="Gehouden activiteiten per maand")
    expect(chart.locator("svg[role=img]")).to_have_count(1)
    chart.get_by_text("Bekijk de cijfers in een tabel").click()
    expect(chart.locator("table")).to_contain_text("jun 2025")
    # On a phone the wide tables scroll in boxes that the keyboard can reach too.
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    axe_check(page)
    page.set_viewport_size(size)

    # The print view, on A4.
    page.get_by_role("link", name="Afdrukversie (A4)").click()
    axe_check(page)
    expect(page.locator("h1")).to_contain_text("overzicht van de pilot")
    page.emulate_media(media="print")
    assert page.pdf(format="A4").startswith(b"%PDF")
    page.emulate_media(media="screen")

    # All houses the alderman may read (also BuurtThuis now), sorted by reach.
    Membership.objects.create(user=viewer, house=other_house, role="viewer", status="active")
    page.goto(f"{base}/{house.slug}/")
    page.get_by_role("link", name="Overzicht van alle huizen").click()
    axe_check(page)
    page.locator(".summary-house-table th a", has_text="Bereikte bewoners").click()
    expect(page.locator(".summary-house-table th[aria-sort=descending]")).to_contain_text("Bereikte bewoners")
    axe_check(page)

    # A resident gets no summary.
    login_as(resident)
    response = page.goto(f"{base}/{house.slug}/overzicht/")
    assert response.status == 403
    axe_check(page)
