"""Leaving in a browser: a resident with a coming booking and sign-up goes from /mijn/gegevens/ to
"Mijn account verwijderen", reads what happens, confirms, gives the password again, and is logged
out with the account gone. Axe on each page, also at 200% zoom. Screenshots in /tmp/leaving-*.png."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from activities.models import Booking, Signup
from residents.models import User
from tests.activities.factories import coming_booking_and_sign_up
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())


def test_a_resident_deletes_their_account(
    page: Page, live_server, house, resident, axe_check, login_with_form
):
    booking, activity = coming_booking_and_sign_up(house, resident)
    login_with_form(resident.email)
    page.goto(f"{live_server.url}/mijn/gegevens/")
    page.get_by_role("link", name="Mijn account verwijderen").first.click()  # the table of contents
    page.locator("#delete-account").get_by_role("link", name="Mijn account verwijderen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account verwijderen")
    expect(page.get_by_role("main")).to_contain_text(
        "Je komende reservering van de huiskamer wordt geannuleerd."
    )
    expect(page.get_by_role("main")).to_contain_text("Je aanmelding voor een komende activiteit vervalt.")
    axe_check(page)
    page.screenshot(path=SHOTS / "leaving-page.png", full_page=True)

    # Without the box the browser does not send the form (the server's message is in the view tests).
    box = page.get_by_label("Ik begrijp dat mijn account en mijn gegevens worden verwijderd")
    page.get_by_role("button", name="Mijn account verwijderen").click()
    assert box.evaluate("element => element.validity.valueMissing")
    assert User.objects.get(pk=resident.pk).erased_at is None

    box.check()
    page.get_by_role("button", name="Mijn account verwijderen").click()
    # allauth asks for the password once more; then the deletion goes on by itself.
    page.get_by_role("textbox", name="Wachtwoord").fill(PASSWORD)
    axe_check(page)
    page.get_by_role("button", name="Bevestigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Je account is verwijderd")
    axe_check(page)
    page.screenshot(path=SHOTS / "leaving-done.png", full_page=True)
    gone = User.objects.get(pk=resident.pk)
    assert (gone.name, gone.email, gone.erased_at is not None) == ("", None, True)
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert Signup.objects.get(activity=activity, person=resident).status == "cancelled"

    # Logged out, and the old password no longer opens anything.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadres").fill("bewoner@example.nl")
    page.get_by_role("textbox", name="Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")

    page.set_viewport_size({"width": 640, "height": 900})
    page.goto(f"{live_server.url}/mijn/tot-ziens/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
