"""Worries and buddies in the summary: counts and times only, "< 5" for small counts, sections off the
page until there is data, and never a category, a name or a word of the worry."""

from __future__ import annotations

import datetime as dt

import pytest

from care.models import Buddy, Match, Worry
from summary import sections
from summary.periods import month_of
from summary.report import build
from summary.selectors import CUR, PILOT, PREV, Scope, collect
from tests.activities.factories import at
from tests.summary.conftest import NOW, people
from tests.summary.test_views import url

pytestmark = pytest.mark.django_db
JUNE = month_of(dt.date(2025, 6, 1))
D = dt.date


def worry(house, raised, *, contact=None, closed=None, message="Mijn buurvrouw is eenzaam", **extra):
    return Worry.objects.create(
        house=house,
        channel="website",
        name="Bram Buur",
        phone="0612345678",
        contact_by="phone",
        about="neighbour",
        category="loneliness",
        message=message,
        created_at=raised,
        first_contact_at=contact,
        status="closed" if closed else ("taken" if contact else "new"),
        closed_at=closed,
        **extra,
    )


def store_for(houses, period=JUNE):
    return collect(Scope(houses=houses, period=period, now=NOW), sections.families())


def test_worries_are_counted_per_window_with_working_days(pilot_house, other_house):
    # Friday 6 June 10:00 + 3 working days = Wednesday 11 June 10:00 (Whit Monday, 9 June 2025,
    # is a public holiday: then Thursday 12 June 10:00).
    friday = at(D(2025, 6, 6), "10:00")
    worry(pilot_house, friday, contact=at(D(2025, 6, 12), "09:00"))  # in time: holiday not counted
    worry(pilot_house, friday, contact=at(D(2025, 6, 12), "11:00"))  # too late
    worry(
        pilot_house,
        at(D(2025, 6, 16), "09:00"),
        contact=at(D(2025, 6, 16), "15:00"),
        closed=at(D(2025, 6, 20), "9:00"),
    )
    worry(pilot_house, at(D(2025, 6, 20), "09:00"))  # no contact yet
    worry(
        pilot_house,
        at(D(2025, 5, 2), "09:00"),
        contact=at(D(2025, 5, 5), "09:00"),
        closed=at(D(2025, 6, 2), "9:00"),
    )
    worry(other_house, at(D(2025, 6, 3), "09:00"))  # another house, outside the scope
    store = store_for([pilot_house])
    h = pilot_house.pk
    assert store.get(h, "worries_raised", CUR) == 4
    assert store.get(h, "worries_contacted", CUR) == 3
    assert store.get(h, "worries_contact_in_time", CUR) == 2
    assert store.get(h, "worries_closed", CUR) == 2  # the one of May closed in June counts in June
    assert store.get(h, "worries_raised", PREV) == 1
    assert store.get(h, "worries_raised", PILOT) == 5
    # Waits in days: 5.96, 6.04 and 0.25 -> median 5.96
    assert store.get(h, "worry_median_days", CUR) == pytest.approx(
        (at(D(2025, 6, 12), "09:00") - friday).total_seconds() / 86400
    )


def test_a_worry_contacted_after_now_is_not_contacted_yet(pilot_house):
    worry(pilot_house, at(D(2025, 6, 30), "09:00"), contact=at(D(2025, 7, 2), "09:00"))
    store = store_for([pilot_house])
    assert store.get(pilot_house.pk, "worries_raised", CUR) == 1
    assert store.get(pilot_house.pk, "worries_contacted", CUR) == 0


def test_the_worry_section_shows_counts_only_and_hides_small_ones(pilot_house, viewer, client_for, mfa_off):
    for day in (2, 3, 4):
        worry(
            pilot_house,
            at(D(2025, 6, day), "10:00"),
            contact=at(D(2025, 6, day), "16:00"),
            message="Geheim verhaal",
        )
    report = build(houses=[pilot_house], period=JUNE, now=NOW)
    section = next(v for v in report.sections if v.section.key == "worries")
    rows = {row.figure.key: row for row in section.rows}
    assert rows["worries_raised"].now.text == "< 5"
    assert rows["worry_median_days"].now.text == "–"  # from fewer than 5 worries: not shown
    page = (
        client_for(viewer).get(url("house", pilot_house, periode="maand", van="2025-06-01")).content.decode()
    )
    assert "Zorgen gemeld" in page or "Worries raised" in page
    assert "Geheim verhaal" not in page and "Bram" not in page and "eenzaam" not in page.lower()


def test_the_median_shows_from_five_worries_with_contact(pilot_house):
    for day in range(2, 8):
        worry(pilot_house, at(D(2025, 6, day), "10:00"), contact=at(D(2025, 6, day), "22:00"))
    report = build(houses=[pilot_house], period=JUNE, now=NOW)
    rows = {row.figure.key: row for v in report.sections for row in v.rows}
    assert rows["worries_raised"].now.text == "6"
    assert rows["worry_median_days"].now.text == "0,5"


def test_without_worries_or_buddies_the_sections_stay_off(pilot_house):
    report = build(houses=[pilot_house], period=JUNE, now=NOW)
    assert {"worries", "buddies"}.isdisjoint({v.section.key for v in report.sections})


def test_buddies_and_matches_lasting_three_months(pilot_house, other_house):
    askers = people("vraag", 6, pilot_house, "resident")
    givers = people("aanbod", 6, pilot_house, "resident")

    def buddy(person, side, created):
        return Buddy.objects.create(
            house=pilot_house,
            person=person,
            side=side,
            kinds=["talk"],
            languages="Nederlands",
            available="dinsdag",
            phone="0612345678",
            created_at=created,
        )

    pairs = []
    for i in range(6):
        pairs.append(
            (
                buddy(askers[i], "ask", at(D(2025, 2, 3), "10:00")),
                buddy(givers[i], "offer", at(D(2025, 2, 3), "10:00")),
            )
        )
    buddy(askers[0], "ask", at(D(2025, 6, 5), "10:00"))
    for i, (ask, offer) in enumerate(pairs):
        started = at(D(2025, 3, 3), "10:00") if i < 5 else at(D(2025, 6, 10), "10:00")
        ended = at(D(2025, 4, 1), "10:00") if i == 0 else None
        Match.objects.create(
            ask=ask,
            offer=offer,
            ask_answer="yes",
            offer_answer="yes",
            started_at=started,
            status="ended" if ended else "active",
            ended_at=ended,
        )
    store = store_for([pilot_house])
    h = pilot_house.pk
    assert store.get(h, "buddy_requests", CUR) == 1
    assert store.get(h, "matches_made", CUR) == 1
    assert store.get(h, "matches_lasting", CUR) == 0  # started 10 June
    assert store.get(h, "buddy_requests", PILOT) == 7
    assert store.get(h, "buddy_offers", PILOT) == 6
    assert store.get(h, "matches_made", PILOT) == 6
    # Four of the five March matches are still going on 1 July (120 days); one ended after 29 days.
    assert store.get(h, "matches_lasting", PILOT) == 4
