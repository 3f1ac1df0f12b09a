"""Students' hours in a browser: an obligation and a weekly duty, a log, its approval, the progress
and the PDF statement; axe on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from duties.models import Duty, DutyAssignment, HourLog, Obligation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _label(text: str):
    return re.compile(rf"^\s*{text}", re.I)


def test_obligation_duty_log_approval_progress_and_statement(
    page: Page, live_server, login_as, house, student, coordinator, axe_check, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    base = live_server.url
    today = timezone.localdate()

    # The coordinator sets an obligation ...
    login_as(coordinator)
    page.goto(f"{base}/uren/{house.slug}/verplichtingen/")
    axe_check(page)
    form = page.locator("main form[method=post]").last
    form.get_by_label(_label("student")).select_option(label=student.name)
    form.get_by_label(_label("eerste dag")).fill(f"{today - dt.timedelta(days=30):%Y-%m-%d}")
    form.get_by_label(_label("laatste dag")).fill(f"{today + dt.timedelta(days=335):%Y-%m-%d}")
    form.get_by_label(_label("verplichte uren")).fill("96")
    form.locator("button[type=submit]").click()
    axe_check(page)
    obligation = Obligation.objects.get(student=student)
    assert obligation.hours_required == 96

    # ... and a weekly duty.
    page.goto(f"{base}/uren/{house.slug}/taken/nieuw/")
    axe_check(page)
    form = page.locator("main form[method=post]")
    form.get_by_label(_label("titel")).fill("Gastvrouw koffieochtend")
    form.get_by_label(_label("dag")).fill(f"{today + dt.timedelta(days=3):%Y-%m-%d}")
    form.get_by_label(_label("laatste dag")).fill(f"{today + dt.timedelta(days=59):%Y-%m-%d}")
    form.get_by_role("checkbox", name=re.compile("elke week", re.I)).check()
    form.locator("button[type=submit]").click()
    axe_check(page)
    duty = Duty.objects.get(title="Gastvrouw koffieochtend")
    assert duty.weekly

    # The student takes it and logs two hours of yesterday.
    login_as(student)
    page.goto(f"{base}/uren/taken/")
    axe_check(page)
    page.get_by_role("button", name=re.compile("neem", re.I)).first.click()
    axe_check(page)
    assert DutyAssignment.objects.filter(duty=duty, student=student, status="active").exists()

    page.goto(f"{base}/uren/nieuw/")
    axe_check(page)
    form = page.locator("main form[method=post]")
    yesterday = today - dt.timedelta(days=1)
    form.get_by_label(_label("dag")).fill(f"{yesterday:%Y-%m-%d}")
    form.get_by_label(_label("van")).fill("10:00")
    form.get_by_label(_label("tot")).fill("12:00")
    form.get_by_label(_label("wat heb je gedaan")).fill("Koffie gezet en mensen ontvangen")
    form.locator("button[type=submit]").click()
    axe_check(page)
    log = HourLog.objects.get(student=student)
    assert (log.minutes, log.status) == (120, HourLog.Status.SUBMITTED)
    bar = page.locator("main progress").first
    approved_before = float(bar.get_attribute("value") or 0)
    expect(page.locator("main")).to_contain_text(re.compile("ingediend|wacht", re.I))

    # The coordinator approves it.
    login_as(coordinator)
    page.goto(f"{base}/uren/beoordelen/")
    axe_check(page)
    page.get_by_role("checkbox", name=re.compile(student.name)).first.check()
    page.locator("main form[method=post] button[type=submit]").first.click()
    axe_check(page)
    log.refresh_from_db()
    assert log.status == HourLog.Status.APPROVED and log.reviewer == coordinator

    # The student's progress bar moves, and the statement PDF shows the hours.
    login_as(student)
    page.goto(f"{base}/uren/")
    axe_check(page)
    assert float(page.locator("main progress").first.get_attribute("value")) > approved_before
    expect(page.locator("main")).to_contain_text("2")
    page.goto(f"{base}/uren/verklaring/?verplichting={obligation.pk}")
    axe_check(page)
    expect(page.locator("main")).to_contain_text("Koffie gezet en mensen ontvangen")
    pdf = page.request.get(f"{base}/uren/verklaring.pdf?verplichting={obligation.pk}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert b"total-minutes:120" in pdf.body()
