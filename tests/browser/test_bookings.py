"""Booking the living room in a browser: book, see it, lose a slot, approve, a series; axe everywhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Booking, Room
from activities.services import BookingDetails, create_booking
from activities.timeutil import make_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def living_room(house):
    return Room.objects.create(
        house=house,
        name="Huiskamer",
        capacity=20,
        buffer_minutes=15,
        max_per_week=5,
        rules="Ruim op na afloop.",
    )


@pytest.fixture
def approval_room(house):
    return Room.objects.create(house=house, name="Zolder", capacity=8, needs_approval=True)


@pytest.fixture
def neighbour(make_user, house):
    return make_user("buurvrouw@example.nl", "Ans de Buurvrouw", house=house, role="resident")


def _fill_booking(page: Page, *, start: str, end: str, title: str) -> None:
    form = page.locator("main form[method=post]")
    form.get_by_label(re.compile(r"^\s*van\b", re.I)).fill(start)
    form.get_by_label(re.compile(r"^\s*tot\b", re.I)).fill(end)
    form.get_by_label(re.compile("korte titel", re.I)).fill(title)
    form.get_by_label(re.compile("hoeveel mensen", re.I)).fill("8")


def test_book_see_lose_a_slot_and_a_series(
    page: Page, live_server, login_as, house, resident, neighbour, living_room, axe_check
):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    base = live_server.url

    # A resident books tomorrow 14:00-16:00.
    login_as(resident)
    page.goto(f"{base}/{house.slug}/reserveren/?datum={tomorrow:%Y-%m-%d}")
    axe_check(page)
    _fill_booking(page, start="14:00", end="16:00", title="Verjaardag Truus")
    page.get_by_role("checkbox", name=re.compile("regels", re.I)).check()
    page.locator("main form[method=post]").get_by_role("button", name="Reserveren").click()
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Verjaardag Truus")
    booking = Booking.objects.get(title="Verjaardag Truus")
    assert booking.status == Booking.Status.CONFIRMED
    assert timezone.localtime(booking.start).time() == dt.time(14, 0)

    # ... and sees it in the week view.
    page.goto(f"{base}/{house.slug}/agenda/?datum={tomorrow:%Y-%m-%d}")
    axe_check(page)
    expect(page.get_by_text("Verjaardag Truus")).to_be_visible()

    # A second resident tries 15:00-17:00: told it is taken, offered the free times.
    login_as(neighbour)
    page.goto(f"{base}/{house.slug}/reserveren/?datum={tomorrow:%Y-%m-%d}")
    _fill_booking(page, start="15:00", end="17:00", title="Klaverjassen")
    page.get_by_role("checkbox", name=re.compile("regels", re.I)).check()
    page.locator("main form[method=post]").get_by_role("button", name="Reserveren").click()
    axe_check(page)
    expect(page.get_by_text(re.compile("al gereserveerd", re.I))).to_be_visible()
    free = page.get_by_role("region", name=re.compile("vrij", re.I))
    expect(free).to_contain_text("16:15")  # free again after the booking and tidy-up time
    assert Booking.objects.filter(title="Klaverjassen").count() == 0

    # The neighbour makes a weekly series at that time; the taken date is skipped.
    form = page.locator("main form[method=post]")
    form.get_by_label(re.compile(r"^\s*van\b", re.I)).fill("14:30")
    form.get_by_label(re.compile(r"^\s*tot\b", re.I)).fill("15:30")
    form.get_by_label(re.compile(r"^\s*herhalen\s*\*?\s*$", re.I)).select_option("weekly")
    form.get_by_label(re.compile("hoe vaak in totaal", re.I)).fill("3")
    page.get_by_role("checkbox", name=re.compile("regels", re.I)).check()
    form.get_by_role("button", name="Reserveren").click()
    axe_check(page)
    plan = page.get_by_role("region", name=re.compile("controleer", re.I))
    expect(plan).to_contain_text("niet vrij")
    page.get_by_role("checkbox", name=re.compile("regels", re.I)).check()
    page.get_by_role("button", name=re.compile(r"2 datums reserveren", re.I)).click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text("overgeslagen")
    assert Booking.objects.filter(title="Klaverjassen", booker=neighbour).live().count() == 2


def test_coordinator_approves_a_request_and_the_booker_gets_mail(
    page: Page, live_server, login_as, house, resident, coordinator, approval_room, axe_check, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    day = timezone.localdate() + dt.timedelta(days=3)
    booking = create_booking(
        room=approval_room,
        by=resident,
        booker=resident,
        start=make_local(day, dt.time(19)),
        end=make_local(day, dt.time(21)),
        details=BookingDetails(category="meeting", title="Bewonerscommissie", attendees=6),
        rules_accepted=True,
    )
    assert booking.status == Booking.Status.REQUESTED

    login_as(coordinator)
    page.goto(f"{live_server.url}/{house.slug}/aanvragen/")
    axe_check(page)
    page.get_by_role("button", name=re.compile("Bewonerscommissie")).click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text(resident.name)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    approved = [m for m in mail.outbox if resident.email in m.to and "Goedgekeurd" in m.subject]
    assert approved, [m.subject for m in mail.outbox]
    assert any(a[0].endswith(".ics") for a in approved[-1].attachments)
