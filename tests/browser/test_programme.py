"""The programme in a browser: a weekly coffee morning, sign-ups with a waiting list, attendance,
and an idea that residents support and a coordinator plans as an activity; axe on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Activity, ActivitySeries, Idea, Room, Signup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _label(text: str):
    # Labels may carry crispy's "*" for required fields and surrounding white space.
    return re.compile(rf"^\s*{text}", re.I)


@pytest.fixture
def neighbours(make_user, house):
    return [
        make_user("ans@example.nl", "Ans Jansen", house=house, role="resident"),
        make_user("bram@example.nl", "Bram Bakker", house=house, role="resident"),
    ]


def test_coffee_mornings_sign_ups_waiting_list_and_attendance(
    page: Page, live_server, login_as, house, student, resident, neighbours, axe_check
):
    Room.objects.create(house=house, name="Huiskamer", capacity=20)
    base = live_server.url
    first_day = timezone.localdate() + dt.timedelta(days=2)

    # A student plans a weekly coffee morning with two places.
    login_as(student)
    page.goto(f"{base}/{house.slug}/activiteiten/nieuw/")
    axe_check(page)
    form = page.locator("main form[method=post]")
    form.get_by_label(_label("titel")).fill("Koffieochtend")
    form.get_by_label(_label("soort")).select_option("coffee")
    form.get_by_label(_label("dag")).fill(f"{first_day:%Y-%m-%d}")
    form.get_by_label(_label("van")).fill("10:00")
    form.get_by_label(_label("tot")).fill("12:00")
    form.get_by_label(_label("herhalen")).select_option("weekly")
    form.get_by_label(_label("laatste datum")).fill(f"{first_day + dt.timedelta(weeks=3):%Y-%m-%d}")
    form.get_by_label(_label("ruimte")).select_option(label="Huiskamer")
    form.get_by_label(_label("aantal plaatsen")).fill("2")
    form.get_by_role("checkbox", name=re.compile("melden zich eerst aan", re.I)).check()
    form.locator("button[type=submit]").click()
    axe_check(page)
    series = ActivitySeries.objects.get(title="Koffieochtend")
    assert series.activities.count() == 4
    first = series.activities.order_by("period").first()
    assert first.booking is not None  # it holds the living room like a booking

    # Residents sign up; the third lands on the waiting list.
    for person in (resident, neighbours[0]):
        login_as(person)
        page.goto(base + first.get_absolute_url())
        page.locator("main form[method=post] button[type=submit]").first.click()
        axe_check(page)
    login_as(neighbours[1])
    page.goto(base + first.get_absolute_url())
    page.locator("main form[method=post] button[type=submit]").first.click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text(re.compile("wachtlijst", re.I))
    waiting = Signup.objects.get(activity=first, person=neighbours[1])
    assert waiting.status == Signup.Status.WAITING
    assert Signup.objects.filter(activity=first, status=Signup.Status.CONFIRMED).count() == 2

    # The resident cancels: Bram moves up and gets an e-mail.
    login_as(resident)
    page.goto(base + first.get_absolute_url())
    page.locator("main form[method=post] button[type=submit]").first.click()
    axe_check(page)
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED
    assert any("bram@example.nl" in m.to for m in mail.outbox)

    # The morning has taken place (moved into the past here); the student records attendance.
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    past = DateTimeTZRange(yesterday.replace(hour=10, minute=0), yesterday.replace(hour=12, minute=0))
    Activity.objects.filter(pk=first.pk).update(period=past)
    login_as(student)
    page.goto(f"{base}/{house.slug}/activiteiten/{first.pk}/aanwezigheid/")
    axe_check(page)
    page.get_by_role("checkbox", name=re.compile("Ans Jansen")).check()
    page.locator("main form[method=post]").get_by_role("spinbutton").fill("3")
    page.locator("main form[method=post] button[type=submit]").click()
    axe_check(page)
    first.refresh_from_db()
    assert first.walk_ins == 3
    came = dict(Signup.objects.filter(activity=first).values_list("person__email", "attended"))
    assert came["ans@example.nl"] is True
    assert came["bram@example.nl"] is False


def test_an_idea_is_supported_and_planned(
    page: Page, live_server, login_as, house, resident, neighbours, coordinator, axe_check, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    base = live_server.url

    login_as(resident)
    page.goto(f"{base}/{house.slug}/ideeen/nieuw/")
    axe_check(page)
    form = page.locator("main form[method=post]")
    form.locator("button[type=submit]").click()  # no title: refused, nothing saved
    axe_check(page)
    assert not Idea.objects.exists()
    form.get_by_label(_label("je idee")).fill("Samen koken met buren")
    form.get_by_label(_label("wat zou je")).fill("Eén keer per maand koken we samen en eten we samen.")
    form.locator("button[type=submit]").click()
    axe_check(page)
    idea = Idea.objects.get(title="Samen koken met buren")

    for person in neighbours:
        login_as(person)
        page.goto(base + idea.get_absolute_url())
        page.get_by_role("button", name=re.compile("steun", re.I)).first.click()
        axe_check(page)
    assert idea.supports.count() == 2

    login_as(coordinator)
    page.goto(base + idea.get_absolute_url())
    axe_check(page)
    page.get_by_role("link", name=re.compile("activiteit", re.I)).click()
    axe_check(page)
    form = page.locator("main form[method=post]")
    expect(form.get_by_label(_label("titel"))).to_have_value("Samen koken met buren")
    day = timezone.localdate() + dt.timedelta(days=10)
    form.get_by_label(_label("soort")).select_option("creative")
    form.get_by_label(_label("dag")).fill(f"{day:%Y-%m-%d}")
    form.get_by_label(_label("van")).fill("17:00")
    form.get_by_label(_label("tot")).fill("20:00")
    form.get_by_label(_label("plek")).fill("Buurtkeuken, Witmondplein 2")
    form.locator("button[type=submit]").click()
    axe_check(page)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PLANNED
    assert idea.activity is not None and idea.activity.title == "Samen koken met buren"
    assert any(resident.email in m.to for m in mail.outbox), "the proposer is told"
