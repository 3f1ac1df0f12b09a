"""The take-aways: the print view on A4, the CSV for Dutch Excel and the PDF."""

from __future__ import annotations

import csv
import io

import pytest

from residents.models import Membership
from summary.models import Story, Target
from tests.summary.conftest import D
from tests.summary.test_views import JUNE_QUERY, url

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_a_row_per_figure_with_small_counts_hidden(june, viewer, client_for, mfa_off, at_now):
    Target.objects.create(house=june["house"], figure="activities_held", value=40)
    response = client_for(viewer).get(url("house_csv", june["house"], **JUNE_QUERY))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="overzicht-w4-2025-06-01-2025-06-30.csv"'
    table = rows(response)
    assert table[0] == [
        "Huis",
        "Cijfer",
        "Eenheid",
        "Van",
        "Tot en met",
        "Waarde",
        "Periode ervoor",
        "Doel voor de pilot",
        "In de pilot tot nu toe",
    ]
    by_figure = {row[1]: row for row in table[1:]}
    assert by_figure["Gehouden activiteiten"] == [
        "W4, Witmondplein 4",
        "Gehouden activiteiten",
        "aantal",
        "01-06-2025",
        "30-06-2025",
        "2",
        "1",
        "40",
        "3",
    ]
    assert by_figure["Aanmeldingen"][5:7] == ["9", "< 5"]
    assert by_figure["Nieuwe leden"][5:7] == ["< 5", "0"]
    assert by_figure["Goedgekeurde uren van studenten"][2:7] == [
        "uur",
        "01-06-2025",
        "30-06-2025",
        "4,5",
        "1",
    ]
    assert by_figure["Bezetting van de ruimtes"][5] == "1,4"
    assert by_figure["Opkomst"][5] == "–"
    assert by_figure["Reserveringen: club of cursus"][5] == "1"
    assert by_figure["Gehouden activiteiten: sport en bewegen"][5] == "1"
    assert len(table) == 1 + len(by_figure)


def test_the_csv_of_all_houses_has_every_house_and_the_totals(june, other_house, viewer, client_for, mfa_off):
    Membership.objects.create(user=viewer, house=other_house, role="viewer", status="active")
    table = rows(client_for(viewer).get(url("all_csv", **JUNE_QUERY)))
    walk_ins = [row for row in table if row[1] == "Binnenlopers"]
    assert [(row[0], row[5]) for row in walk_ins] == [
        ("BuurtThuis Wingerd", "40"),
        ("W4, Witmondplein 4", "6"),
        ("Alle huizen", "46"),
    ]


def test_the_pdf(june, viewer, client_for, mfa_off):
    Story.objects.create(
        house=june["house"], first_day=D(2025, 6, 1), last_day=D(2025, 6, 30), title="Juni", text="Tekst"
    )
    Target.objects.create(house=june["house"], figure="reach", value=150)
    response = client_for(viewer).get(url("house_pdf", june["house"], **JUNE_QUERY))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="overzicht-w4-2025-06-01-2025-06-30.pdf"'


def test_the_pdf_of_all_houses(june, superuser, client_for, mfa_off):
    response = client_for(superuser).get(url("all_pdf"))
    assert response.content.startswith(b"%PDF")


def test_the_print_view_has_no_menu_and_the_figures(june, viewer, client_for, mfa_off):
    from tests.summary.test_views import text

    response = client_for(viewer).get(url("house_print", june["house"], **JUNE_QUERY))
    html = response.content.decode()
    assert 'class="site-nav"' not in html
    page = text(response)
    assert "W4, Witmondplein 4: overzicht van de pilot" in page
    assert "Gehouden activiteiten 2 1" in page
    assert "Nieuwe leden < 5 0" in page
    assert "Zo tellen we" in page


@pytest.mark.parametrize("name", ["house_csv", "house_pdf", "house_print"])
def test_take_aways_need_the_right_to_read(name, june, resident, client_for, mfa_off):
    assert client_for(resident).get(url(name, june["house"])).status_code == 403


def test_a_house_name_never_becomes_a_formula_in_excel(june, viewer, client_for, mfa_off):
    house = june["house"]
    house.name = '=HYPERLINK("http://example.com")'
    house.save()
    table = rows(client_for(viewer).get(url("house_csv", house, **JUNE_QUERY)))
    assert table[1][0] == '\'=HYPERLINK("http://example.com")'
