"""The audit trail in a browser: staff open the house's log from the members page and filter it by a
person and by kind, without JavaScript needed. Axe on every page; screenshots in /tmp/audit-*.png."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from residents import services as residents
from residents.audit import CHANGED, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())  # /tmp/audit-*.png


@pytest.fixture
def trail(house, resident, student, coordinator, staff):
    with transaction.atomic():
        record(
            "booking.cancelled",
            actor=staff,
            on_behalf_of=resident,
            house=house,
            changes={"status": ["confirmed", "cancelled"], "reason": CHANGED},
        )
        record(
            "hours.approved",
            actor=coordinator,
            house=house,
            changes={"status": ["submitted", "approved"], "minutes": 90},
        )
        record("news.updated", actor=staff, house=house, changes={"title": ["Koffie", "Koffie op vrijdag"]})
    residents.set_editor(person=resident, house=house, by=staff, editor=True)


def test_staff_read_the_log_and_filter_it_by_person_and_kind(
    page: Page, live_server, login_as, house, staff, resident, coordinator, trail, axe_check, mfa_off
):
    base = live_server.url
    login_as(staff)
    page.goto(f"{base}/{house.slug}/leden/")
    page.get_by_role("link", name="Logboek: wie deed wat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logboek")
    axe_check(page)
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Mag nu nieuws schrijven (nieuwsredacteur)")  # newest first
    expect(rows.first.locator(".audit-changes li").first).to_have_text("rol: – →wordt editor")
    expect(page.locator("main")).to_contain_text("voor Bea Bewoner")
    page.screenshot(path=SHOTS / "audit-all.png", full_page=True)

    # By person: what was done by Bea or for her.
    page.get_by_label("Persoon").select_option(label=resident.name)
    page.get_by_role("button", name="Bekijken").click()
    axe_check(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Reservering geannuleerd")
    expect(rows.first).to_contain_text("reden: gewijzigd")
    assert f"persoon={resident.pk}" in page.url
    page.screenshot(path=SHOTS / "audit-person.png", full_page=True)

    # By kind, for everyone.
    page.get_by_label("Persoon").select_option(label="Iedereen")
    page.get_by_label("Soort").select_option(label="Uren en taken")
    page.get_by_role("button", name="Bekijken").click()
    axe_check(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Uren goedgekeurd")
    expect(rows.first).to_contain_text(coordinator.name)
    expect(page.get_by_label("Soort")).to_have_value("uren")

    # A kind with nothing in it, then everything again.
    page.get_by_label("Soort").select_option(label="Maatjes")
    page.get_by_role("button", name="Bekijken").click()
    expect(page.locator("main")).to_contain_text("Niets past bij wat je koos.")
    axe_check(page)
    page.get_by_role("link", name="Alles weer tonen").click()
    expect(rows).to_have_count(4)

    # On a phone, each event is one block with its labels.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    axe_check(page)
    page.screenshot(path=SHOTS / "audit-phone.png", full_page=True)
