"""News in a browser: staff write a post with a photo and schedule it; it appears at its time;
a resident reacts. Axe on every page."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from news.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _label(text: str):
    return re.compile(rf"^\s*{text}", re.I)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "koffie.jpg"
    img = Image.new("RGB", (1200, 800), (200, 150, 100))
    for x in range(0, 1200, 100):
        img.paste((90, 60, 40), (x, 300, x + 50, 500))
    buffer = io.BytesIO()
    img.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_staff_schedule_a_post_with_a_photo_and_it_appears_at_its_time(
    page: Page, live_server, login_as, house, staff, resident, photo, axe_check, monkeypatch, mfa_off
):
    base = live_server.url
    when = timezone.localtime() + dt.timedelta(hours=2)

    login_as(staff)
    page.goto(f"{base}/{house.slug}/nieuws/")
    axe_check(page)
    page.get_by_role("link", name="Een bericht schrijven").click()
    axe_check(page)
    form = page.locator("main form[method=post]")
    form.get_by_label(_label("titel")).fill("Burendag op het plein")
    form.get_by_label(_label("korte samenvatting")).fill("Op zaterdag eten we samen op het plein.")
    form.get_by_label(_label("tekst")).fill("Neem een **stoel** mee.\n\n- soep\n- brood")
    form.get_by_role("radio", name="gepubliceerd").check()
    form.get_by_label(_label("zichtbaar vanaf")).fill(when.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label(_label("foto 1")).set_input_files(str(photo))
    form.get_by_label(_label("wat staat er op foto 1")).fill("Tafels met soep op het plein")
    form.get_by_label(re.compile("herkenbaar", re.I)).check()
    form.locator("button[type=submit]").click()
    axe_check(page)
    expect(page.get_by_role("status").first).to_contain_text("Het bericht is opgeslagen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Burendag op het plein")
    expect(page.locator("main strong").filter(has_text="stoel")).to_be_visible()
    image = page.get_by_role("img", name="Tafels met soep op het plein")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0  # the picture is served
    post = Post.objects.get(title="Burendag op het plein")
    assert post.status == Post.Status.PUBLISHED
    assert abs(timezone.localtime(post.publish_at) - when) < dt.timedelta(minutes=1)

    # Before its time, a visitor does not find it.
    page.context.clear_cookies()
    page.goto(f"{base}/{house.slug}/nieuws/")
    expect(page.get_by_text("Burendag op het plein")).to_have_count(0)

    # The clock moves on past the time (the live server runs in this process): now it is there,
    # on the news page and on the house's page, without any job having run.
    later = timezone.now() + dt.timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page.goto(f"{base}/{house.slug}/nieuws/")
    axe_check(page)
    page.get_by_role("link", name="Burendag op het plein", exact=True).click()
    expect(page.get_by_role("img", name="Tafels met soep op het plein")).to_be_visible()
    page.goto(f"{base}/{house.slug}/")
    expect(page.get_by_role("link", name="Burendag op het plein", exact=True)).to_be_visible()

    # A resident reads it and reacts; the reaction shows under the post with their name.
    login_as(resident)
    page.goto(f"{base}/{house.slug}/nieuws/{post.pk}/")
    axe_check(page)
    form = page.locator("#comment-form")
    form.get_by_label(_label("je reactie")).fill("Ik neem soep mee!")
    form.get_by_role("button", name="Reactie plaatsen").click()
    axe_check(page)
    expect(page.get_by_role("status").first).to_contain_text("Je reactie is geplaatst")
    reaction = page.locator(".news-comment").filter(has_text="Ik neem soep mee!")
    expect(reaction).to_be_visible()
    expect(reaction.get_by_role("heading", level=3)).to_have_text(resident.name)


def test_koffiekrant_of_this_week_from_word_to_paper_and_the_screen_shows_the_day(
    page: Page, live_server, login_as, house, student, coordinator, resident, axe_check, mfa_off, tmp_path
):
    from activities.models import Activity
    from activities.timeutil import week_start
    from news.models import Issue
    from news.screen import screen_for

    base = live_server.url
    today = timezone.localdate()
    # Begun this hour, so it is today's at any time of day (at 23:30 "in an hour" was tomorrow's).
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    Activity.objects.create(
        house=house,
        title="Koffieochtend voor de buurt",
        category="coffee",
        place="Huiskamer",
        period=DateTimeTZRange(start, start + dt.timedelta(hours=2)),
    )
    Post.objects.create(
        house=house,
        title="Nieuwe stoelen in de huiskamer",
        summary="Kom ze uitproberen.",
        body_html="<p>Kom ze uitproberen.</p>",
        status=Post.Status.PUBLISHED,
        publish_at=timezone.now() - dt.timedelta(hours=1),
    )

    # A student writes the word from the students for this week.
    login_as(student)
    page.goto(f"{base}/{house.slug}/koffiekrant/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("^Deze week")).click()
    axe_check(page)
    page.get_by_role("link", name="Schrijf het stukje van de studenten").click()
    axe_check(page)
    page.locator("main form[method=post] textarea").fill("Hoi buren!\n\nDeze week is er soep. Tot snel!")
    page.get_by_role("button", name="Opslaan").click()
    axe_check(page)
    expect(page.locator("main")).to_contain_text("Deze week is er soep.")

    # The coordinator publishes it; the PDF is stored as handed out.
    login_as(coordinator)
    page.reload()
    page.locator("#publish-form").get_by_role("button", name="Publiceren").click()
    axe_check(page)
    issue = Issue.objects.get(house=house, week_start=week_start(today))
    assert issue.status == Issue.Status.PUBLISHED and issue.pdf

    # A resident finds it among the published issues and downloads the PDF.
    login_as(resident)
    page.goto(f"{base}/{house.slug}/koffiekrant/")
    axe_check(page)
    page.get_by_role("link", name=re.compile(f"Week {today.isocalendar().week}")).first.click()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF downloaden").click()
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert 1 <= len(re.findall(rb"/Type\s*/Page(?!s)", data)) <= 2  # two A4 pages at most
    assert download.value.suggested_filename.startswith(f"koffiekrant-{house.slug}-")

    # The screen in the living room shows the day: the date, the coffee morning and the news.
    screen = screen_for(house)
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/{house.slug}/scherm/{screen.token}/")
    expect(page.locator(".screen-clock")).to_contain_text(str(today.day))
    expect(page.get_by_role("region", name="Vandaag")).to_contain_text("Koffieochtend voor de buurt")
    expect(page.get_by_role("region", name="Nieuws")).to_contain_text("Nieuwe stoelen in de huiskamer")
