"""The information screen on a TV: a full day fits a 1920x1080 and a 1280x720 screen without
scrolling, nothing is cut off, axe finds nothing; and a coordinator finds its address."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from activities.models import Activity
from news import screen_views
from news.models import Post
from news.screen import screen_content, screen_for
from news.services import create_post
from residents.models import OpeningHours
from tests.activities.factories import at, make_booking, make_room
from tests.browser.conftest import AXE_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at: /tmp/screen-1080.png and friends.
SHOTS = Path(tempfile.gettempdir())
DAY = dt.date(2030, 11, 23)  # a Saturday
NOW = at(DAY, "14:05")

# Every element of a column must be inside it: the page never scrolls, and nothing may be cut off.
CUT_OFF = """() => {
  const cut = [];
  for (const col of document.querySelectorAll('.screen-col')) {
    const box = col.getBoundingClientRect();
    for (const el of col.querySelectorAll('h2, li, p')) {
      const r = el.getBoundingClientRect();
      if (r.bottom > box.bottom + 1 || r.right > box.right + 1) cut.push(el.textContent.trim().slice(0, 40));
    }
  }
  return cut;
}"""


def axe_screen(page: Page) -> None:
    """axe on the screen: no violations but one that axe cannot judge, and only that one.

    axe's meta-refresh rule flags any timed reload, whether or not the user can turn it off. The
    screen's first link turns the reloading off (WCAG 2.2.1 "turn off", 2.2.2 "stop"); that page
    passes axe with no exceptions at all (test_turning_the_refresh_off_passes_axe)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    report = "\n".join(
        f"{v['id']}: {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:5]) for v in violations
    )
    assert [v["id"] for v in violations] == ["meta-refresh"], report
    assert results.response["passes"], "axe ran no checks at all"
    first_link = page.locator("a").first
    expect(first_link).to_have_text("Stop het elke minuut verversen van deze pagina")


def _photo(colour) -> SimpleUploadedFile:
    image = Image.new("RGB", (900, 600), colour)
    ImageDraw.Draw(image).ellipse((250, 100, 650, 500), fill=(250, 240, 220))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def busy_day(house, resident, staff, settings, tmp_path, monkeypatch):
    """A full Saturday: two rooms in use, a long programme, news with photos. The screen shows NOW."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(screen_views, "screen_content", lambda house: screen_content(house, NOW))
    living, kitchen = make_room(house, "Huiskamer"), make_room(house, "Keuken")
    make_booking(living, resident, at(DAY, "13:30"), at(DAY, "15:30"), title="Verjaardag van Bea")
    make_booking(
        living, resident, at(DAY, "16:00"), at(DAY, "18:00"), title="Spelletjesmiddag", is_public=True
    )
    make_booking(
        kitchen,
        resident,
        at(DAY, "14:00"),
        at(DAY, "16:00"),
        title="Samen koken met verse groenten uit de buurttuin",
        is_public=True,
    )
    programme = [
        (DAY, "13:30", "15:30", "Koffie en een praatje met de wijkagent", "Huiskamer"),
        (DAY, "16:00", "18:00", "Spelletjesmiddag voor jong en oud", "Huiskamer"),
        (DAY, "19:00", "20:30", "Taalcafé: Nederlands oefenen", "Bibliotheek Oosterpoort"),
        (DAY, "20:00", "21:00", "Avondwandeling", "Verzamelen bij het Witmondplein"),
        (DAY, "21:00", "22:00", "Nog een late activiteit", "Buurtkamer"),
        (DAY + dt.timedelta(days=1), "10:00", "12:00", "Zondagsontbijt", "Huiskamer"),
        (DAY + dt.timedelta(days=1), "13:00", "14:00", "Repair café: fietsen en kleding", "Schuur"),
        (DAY + dt.timedelta(days=1), "15:00", "17:00", "Muziek in de tuin", "Tuin"),
        (DAY + dt.timedelta(days=1), "19:00", "20:00", "Filmavond", "Huiskamer"),
    ]
    for day, start, end, title, place in programme:
        Activity.objects.create(
            house=house,
            title=title,
            category="coffee",
            place=place,
            period=DateTimeTZRange(at(day, start), at(day, end)),
        )
    OpeningHours.objects.create(house=house, weekday=5, opens=dt.time(10), closes=dt.time(12))
    OpeningHours.objects.create(house=house, weekday=5, opens=dt.time(13, 30), closes=dt.time(17))
    news = [
        ("Nieuwe stoelen in de huiskamer", (31, 95, 63)),
        ("De koffiekrant van deze week ligt klaar bij de deur", (160, 80, 40)),
        ("Help mee in de buurttuin", None),
    ]
    for title, colour in news:
        create_post(
            by=staff,
            house=house,
            data={
                "title": title,
                "summary": "",
                "body": "Meer lees je op de website.",
                "status": Post.Status.PUBLISHED,
                "publish_at": timezone.now() - dt.timedelta(hours=1),
                "pinned": False,
                "audience": Post.Audience.PUBLIC,
                "comments_enabled": True,
                "photo_consent": True,
            },
            images=[(_photo(colour), "Een foto bij het bericht")] if colour else [],
        )
    return screen_for(house)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_a_busy_day_fits_the_tv(page: Page, live_server, busy_day, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/{busy_day.house.slug}/scherm/{busy_day.token}/")
    page.wait_for_load_state("load")

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("W4, Witmondplein 4")
    expect(page.locator(".screen-clock")).to_contain_text("Zaterdag 23 november")
    expect(page.locator(".screen-clock")).to_contain_text("14:05")
    expect(page.locator(".screen-hours")).to_contain_text("Inloop vandaag:")
    rooms = page.get_by_role("region", name="Nu in huis")
    expect(rooms).to_contain_text("Bezet")
    expect(rooms).to_contain_text("Spelletjesmiddag")
    expect(rooms).to_contain_text("Samen koken")
    expect(page.get_by_role("region", name="Vandaag")).to_contain_text("Taalcafé")
    expect(page.get_by_role("region", name="Vandaag")).to_contain_text("En nog 1 activiteit")
    expect(page.get_by_role("region", name="Nieuws")).to_contain_text("Nieuwe stoelen")
    assert "Verjaardag van Bea" not in page.content()

    page.screenshot(path=SHOTS / f"screen-{height}.png")
    axe_screen(page)
    sizes = page.evaluate("() => [document.scrollingElement.scrollHeight, window.innerHeight]")
    assert sizes[0] <= sizes[1], f"the page scrolls: {sizes}"
    assert page.evaluate(CUT_OFF) == []


def test_three_rooms_and_long_titles_still_fit(page: Page, live_server, house, resident, monkeypatch):
    monkeypatch.setattr(screen_views, "screen_content", lambda house: screen_content(house, NOW))
    long = "Een hele lange titel die echt niet op één regel past, zelfs niet op twee regels van dit scherm"
    for name in ("Huiskamer", "Keuken", "Tuinkamer aan de achterkant van het huis"):
        room = make_room(house, name)
        make_booking(room, resident, at(DAY, "14:00"), at(DAY, "15:00"), title=long[:80], is_public=True)
        make_booking(room, resident, at(DAY, "16:00"), at(DAY, "17:00"), title=long[:80], is_public=True)
    for day in (DAY, DAY + dt.timedelta(days=1)):
        for hour in range(14, 22):
            Activity.objects.create(
                house=house,
                title=f"{long} ({hour})",
                category="coffee",
                place="Op een plek met een naam die ook veel te lang is voor het scherm",
                period=DateTimeTZRange(at(day, f"{hour}:00"), at(day, f"{hour}:30")),
            )
    for n in range(3):
        Post.objects.create(house=house, title=f"{long[:110]} {n}", status=Post.Status.PUBLISHED)
    screen = screen_for(house)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{live_server.url}/{house.slug}/scherm/{screen.token}/")
    page.screenshot(path=SHOTS / "screen-720-full.png")
    expect(page.locator(".screen-room")).to_have_count(3)
    sizes = page.evaluate("() => [document.scrollingElement.scrollHeight, window.innerHeight]")
    assert sizes[0] <= sizes[1], f"the page scrolls: {sizes}"
    assert page.evaluate(CUT_OFF) == []


def test_an_empty_day_reads_well(page: Page, live_server, house, monkeypatch):
    monkeypatch.setattr(screen_views, "screen_content", lambda house: screen_content(house, NOW))
    make_room(house, "Huiskamer")
    screen = screen_for(house)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/{house.slug}/scherm/{screen.token}/")
    expect(page.get_by_role("region", name="Nu in huis")).to_contain_text("Vrij")
    expect(page.get_by_role("region", name="Vandaag")).to_contain_text(
        "Vandaag staat er niets op het programma."
    )
    expect(page.get_by_role("region", name="Nieuws")).to_contain_text("Er is nog geen nieuws.")
    axe_screen(page)
    page.screenshot(path=SHOTS / "screen-empty.png")


def test_coordinator_finds_the_address_and_renews_it(
    page: Page, live_server, login_as, house, coordinator, axe_check, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    login_as(coordinator)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + house.get_absolute_url())
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Scherm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Informatiescherm")
    axe_check(page)
    old = screen_for(house).token
    expect(page.locator("#screen-address")).to_contain_text(old[:4])
    page.screenshot(path=SHOTS / "screen-manage.png", full_page=True)

    page.get_by_label("Ik snap dat het oude adres dan niet meer werkt").check()
    page.get_by_role("button", name="Nieuw adres maken").click()
    expect(page.get_by_role("status")).to_contain_text("Het scherm heeft een nieuw adres.")
    axe_check(page)
    new = screen_for(house).token
    assert new != old
    expect(page.get_by_label("Hetzelfde adres, om te kopiëren")).to_have_value(
        f"{live_server.url}/{house.slug}/scherm/{new}/"
    )

    page.get_by_role("link", name="Bekijk het scherm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(house.name)
    response = page.request.get(f"{live_server.url}/{house.slug}/scherm/{old}/")
    assert response.status == 404


def test_turning_the_refresh_off_passes_axe(page: Page, live_server, house, axe_check, monkeypatch):
    monkeypatch.setattr(screen_views, "screen_content", lambda house: screen_content(house, NOW))
    make_room(house, "Huiskamer")
    screen = screen_for(house)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{live_server.url}/{house.slug}/scherm/{screen.token}/")
    page.keyboard.press("Tab")  # the first thing a keyboard reaches, and it shows itself
    link = page.get_by_role("link", name="Stop het elke minuut verversen van deze pagina")
    expect(link).to_be_focused()
    expect(link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Dit scherm ververst zich nu niet vanzelf.")).to_be_visible()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    axe_check(page)  # every rule, no exceptions
    page.get_by_role("link", name="Weer elke minuut verversen").click()
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
