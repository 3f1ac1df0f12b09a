"""Small counts of people never show: "< 5" on the page, in differences, sums, totals and the CSV."""

from __future__ import annotations

import pytest
from django.utils import translation

from activities.models import Activity
from summary.figures import Cell, Figure, Unit, cell, change, total_cell
from tests.activities.factories import at, make_booking
from tests.factories import make_user
from tests.summary.conftest import D
from tests.summary.test_views import JUNE_QUERY, text, url

PEOPLE = Figure("reach", "bereikt", "", lambda r: 0, people=True)
THINGS = Figure("activities", "activiteiten", "", lambda r: 0)


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.mark.parametrize(("value", "shown"), [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"), (1234, "1.234")])
def test_counts_of_people_from_1_to_4_read_less_than_5(value, shown):
    assert cell(PEOPLE, value).text == shown


def test_negative_control_other_counts_show_as_they_are():
    assert cell(THINGS, 3).text == "3"
    assert cell(Figure("h", "uren", "", lambda r: 0, Unit.HOURS), 3.25).text == "3,3"


def test_no_difference_when_either_side_is_hidden():
    assert change(PEOPLE, cell(PEOPLE, 9), cell(PEOPLE, 4)) == ""
    assert change(PEOPLE, cell(PEOPLE, 3), cell(PEOPLE, 12)) == ""
    assert change(PEOPLE, cell(PEOPLE, 9), cell(PEOPLE, 7)) == "2 meer"  # negative control
    assert change(PEOPLE, cell(PEOPLE, 0), cell(PEOPLE, 7)) == "7 minder"


def test_a_total_that_would_give_a_hidden_house_away_reads_or_more():
    parts = [cell(PEOPLE, 150), cell(PEOPLE, 3)]
    total = total_cell(PEOPLE, 153, parts)
    assert (total.text, total.partial, total.comparable) == ("150 of meer", True, False)
    # Negative controls: nothing hidden, or the hidden houses together 5 or more.
    assert total_cell(PEOPLE, 160, [cell(PEOPLE, 150), cell(PEOPLE, 10)]).text == "160"
    assert total_cell(PEOPLE, 157, [cell(PEOPLE, 150), cell(PEOPLE, 3), cell(PEOPLE, 4)]).text == "157"


def test_hidden_counts_sort_together_between_0_and_5():
    keys = {v: cell(PEOPLE, v).sort_key for v in (0, 1, 4, 5)}
    assert keys[1] == keys[4]
    assert keys[0] < keys[1] < keys[5]
    assert Cell(None, "–").sort_key < keys[0]


@pytest.mark.django_db
def test_the_page_hides_small_counts_of_people(june, viewer, client_for, mfa_off):
    page = text(client_for(viewer).get(url("house", june["house"], **JUNE_QUERY)))
    # May had 4 sign-ups: hidden, and so is the difference.
    assert "Aanmeldingen voor de gehouden activiteiten, zonder afmeldingen en de wachtlijst. 9 < 5 –" in page
    # 2 new members in June; 3 votes, so no turnout either.
    assert "Nieuwe leden < 5 Periode ervoor: 0" in page
    assert "Wie bij twee peilingen stemde, telt twee keer. < 5 0 –" in page
    assert "per peiling. – – –" in page
    # Negative control: 10 people reached is shown.
    assert "Bereikte bewoners 10" in page


@pytest.mark.django_db
def test_a_sum_never_gives_away_a_hidden_part(june, viewer, client_for, mfa_off):
    Activity.objects.filter(house=june["house"], walk_ins=6).update(walk_ins=2)
    page = text(client_for(viewer).get(url("house", june["house"], **JUNE_QUERY)))
    # Visits 7 = 5 came + 2 walk-ins: with walk-ins hidden, "came" is not shown either.
    assert (
        "Binnenlopers Mensen die kwamen zonder zich aan te melden, zoals de organisatie ze telde. < 5" in page
    )
    assert "Aanmeldingen van mensen die volgens de organisatie ook echt kwamen. – < 5" in page
    assert "Wie drie keer komt, telt drie keer. 7 7 gelijk" in page


@pytest.mark.django_db
def test_the_total_of_all_houses_hides_a_small_house(june, other_house, superuser, client_for, mfa_off):
    room = other_house.rooms.get()
    newcomer = make_user("nieuw@example.nl", "Nieuw")
    make_booking(room, newcomer, at(D(2025, 6, 4), "14:00"), at(D(2025, 6, 4), "16:00"))
    client = client_for(superuser)
    page = text(client.get(url("all", **JUNE_QUERY)))
    # W4 reached 10, BuurtThuis 2 (one of them also in W4): 11 people over both houses.
    assert "Bereikte bewoners 10 of meer" in page

    for n in range(4):  # negative control: 6 people in BuurtThuis, shown, and the total exact
        person = make_user(f"extra{n}@example.nl", "Extra")
        make_booking(room, person, at(D(2025, 6, 10 + n), "14:00"), at(D(2025, 6, 10 + n), "16:00"))
    page = text(client.get(url("all", **JUNE_QUERY)))
    assert "Bereikte bewoners 15 " in page


@pytest.mark.parametrize(
    ("value", "shown"),
    [(9.96, "10%"), (9.04, "9%"), (9.5, "9,5%"), (12.4, "12%"), (0.25, "0,3%"), (0, "0%")],
)
def test_percentages_read_the_same_way_whatever_the_rounding(value, shown):
    from django.utils import translation

    from summary.figures import Unit, format_value

    with translation.override("nl"):
        assert format_value(Unit.PERCENT, value) == shown
