"""The demo's worries and buddies: something for the coordinator to do, a year for the summary, a
match Truus can see on /mijn/, and seeding twice adds nothing."""

from __future__ import annotations

import pytest

from care.models import Buddy, Match, Worry
from residents.models import House
from summary.report import build
from wijkhuis.demo import seed

pytestmark = pytest.mark.django_db


def test_demo_care_gives_the_team_work_and_the_summary_a_year(client):
    first = seed()
    assert first["worries"] == 11
    assert first["buddy requests and offers"] == 4
    assert first["buddy matches"] == 1
    w4 = House.objects.get(slug="w4")
    assert Worry.objects.filter(house=w4, status="new").count() == 1
    truus = Worry.objects.get(raised_by__email="bewoner@example.nl")
    assert truus.status == "referred" and truus.consent_at is not None and truus.referred_to is not None
    assert Worry.objects.filter(status="closed", outcome="helped").count() == 9
    match = Match.objects.get()
    assert match.status == "active" and match.ask.person.email == "bewoner@example.nl"
    assert Buddy.objects.filter(status="open").count() == 2

    report = build(houses=[w4])
    worries = next(v for v in report.sections if v.section.key == "worries")
    raised = next(row for row in worries.rows if row.figure.key == "worries_raised")
    assert raised.now.text == "11"

    client.login(email="bewoner@example.nl", password="wijkhuis-demo")
    page = client.get("/mijn/").content.decode()
    assert truus.reference in page and "Je maatje Shanti" in page

    assert seed() == {}
