"""My data in a browser: a student goes from their page to /mijn/gegevens/, reads what the portal keeps
and downloads it as a ZIP. Axe on the page, also at 200% zoom (640 px wide) where the page itself never
scrolls sideways (wide tables scroll in their own box). Screenshots in /tmp/my-data-*.png."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from residents.models import AuditEvent
from tests.residents.test_my_data import everything

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())  # /tmp/my-data-*.png


def test_a_student_reads_and_downloads_their_data(
    page: Page, live_server, login_as, house, student, resident, coordinator, axe_check, tmp_path
):
    everything(house, student, resident, coordinator)
    login_as(student)
    page.goto(f"{live_server.url}/mijn/")
    page.get_by_role(
        "link", name="Mijn gegevens: bekijk en download alles wat het portaal over jou bewaart"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    axe_check(page)
    page.screenshot(path=SHOTS / "my-data.png", full_page=True)

    # The table of contents leads to a section; the section's table has the booking.
    toc = page.get_by_role("navigation", name="Wat het portaal over jou bewaart")
    toc.get_by_role("link", name="Je boekingen van de huiskamer").click()
    bookings = page.get_by_role("region", name="Je boekingen van de huiskamer").first
    expect(bookings.get_by_role("table")).to_contain_text("Verjaardag van oma Truus")
    expect(page.locator("#worries")).to_contain_text("in behandeling")
    expect(page.locator("#worries")).not_to_contain_text("schuldhulp")

    with page.expect_download() as download:
        page.get_by_role("button", name="Mijn gegevens downloaden").click()
    assert download.value.suggested_filename.startswith("wijkhuis-gegevens-")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert {"README.txt", "data.json", "bookings.csv"} <= set(archive.namelist())
        data = json.loads(archive.read("data.json"))
        assert archive.read("README.txt").decode().startswith("Je gegevens in Wijkhuis")
    bookings = next(e for e in data["entries"] if e["key"] == "bookings")
    assert bookings["rows"][0]["title"] == "Verjaardag van oma Truus"
    assert AuditEvent.objects.filter(action="person.exported", actor=student).count() == 1

    # At 200% zoom: the page does not scroll sideways, and is still free of axe violations.
    page.set_viewport_size({"width": 640, "height": 900})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    axe_check(page)
    page.screenshot(path=SHOTS / "my-data-zoom.png", full_page=True)
