"""Ending a house in a browser: staff open "Huis beëindigen" from the house menu, read what it means,
confirm, give their password again, and download the final export of the archive. Axe on each page,
also at 200% zoom. Screenshots in /tmp/ending-*.png."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from activities.models import Booking, Signup
from residents.models import AuditEvent, House
from tests.activities.factories import coming_booking_and_sign_up
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())


def test_staff_end_a_house_and_download_the_final_export(
    page: Page, live_server, house, staff, resident, axe_check, mfa_off, tmp_path, login_with_form
):
    booking, activity = coming_booking_and_sign_up(house, resident)
    login_with_form(staff.email)
    page.goto(f"{live_server.url}/{house.slug}/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Huis beëindigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("W4, Witmondplein 4 beëindigen")
    main = page.get_by_role("main")
    expect(main).to_contain_text("1 reservering van de huiskamer")
    expect(main).to_contain_text("1 aanmelding voor een activiteit")
    expect(main).to_contain_text("1 persoon krijgt een e-mail")
    axe_check(page)
    page.screenshot(path=SHOTS / "ending-page.png", full_page=True)

    # Without the box the browser does not send the form (the server's message is in the view tests).
    box = page.get_by_label("Ik begrijp dat het huis een archief wordt")
    page.get_by_role("button", name="Huis beëindigen").click()
    assert box.evaluate("element => element.validity.valueMissing")
    assert House.objects.get(pk=house.pk).ended_at is None

    box.check()
    page.get_by_role("button", name="Huis beëindigen").click()
    # allauth asks for the password once more; then the ending goes on by itself.
    page.get_by_role("textbox", name="Wachtwoord").fill(PASSWORD)
    axe_check(page)
    page.get_by_role("button", name="Bevestigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Archief van W4, Witmondplein 4")
    expect(page.get_by_role("status")).to_contain_text("W4, Witmondplein 4 is beëindigd.")
    expect(page.locator("#house-ended-notice")).to_contain_text("Dit huis is gestopt op")
    axe_check(page)
    page.screenshot(path=SHOTS / "ending-archive.png", full_page=True)
    assert House.objects.get(pk=house.pk).ended_at is not None
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert Signup.objects.get(activity=activity, person=resident).status == "cancelled"

    with page.expect_download() as download:
        page.get_by_role("button", name="Eindexport downloaden").click()
    assert download.value.suggested_filename.startswith("wijkhuis-w4-archief-")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"README.txt", "leden.csv", "reserveringen.csv", "meldingen.csv", "logboek.csv"} <= names
        assert archive.read("README.txt").decode().startswith("Eindexport van W4, Witmondplein 4")
    assert AuditEvent.objects.filter(action="house.exported", actor=staff).count() == 1

    # The house's own pages say it is an archive, and refuse a change with a friendly page (a form
    # left open in another tab, sent now).
    page.goto(f"{live_server.url}/{house.slug}/activiteiten/{activity.pk}/")
    expect(page.locator("#house-ended-notice")).to_contain_text("Dit is een archief.")
    axe_check(page)
    page.goto(f"{live_server.url}/{house.slug}/archief/")
    page.evaluate(
        """url => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = url;
            form.append(document.querySelector("input[name=csrfmiddlewaretoken]").cloneNode());
            document.body.append(form);
            form.submit();
        }""",
        f"/{house.slug}/ideeen/nieuw/",
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Dit huis is gestopt")
    expect(page.get_by_role("main")).to_contain_text("je kunt hier niets meer reserveren of veranderen")
    axe_check(page)
    page.screenshot(path=SHOTS / "ending-refused.png", full_page=True)

    # At 200% zoom: the page does not scroll sideways, and is still free of axe violations.
    page.set_viewport_size({"width": 640, "height": 900})
    page.goto(f"{live_server.url}/{house.slug}/archief/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    axe_check(page)
    page.screenshot(path=SHOTS / "ending-zoom.png", full_page=True)
