"""The summary pages as people get them: who may see what, the period, the table of houses, menus."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from residents.models import Membership
from summary.models import Quote, Story
from tests.summary.conftest import D

pytestmark = pytest.mark.django_db

JUNE_QUERY = {"periode": "maand", "van": "2025-06-01"}


def url(name, house=None, **query):
    base = reverse(f"summary:{name}", kwargs={"house": house.slug} if house else {})
    return base + ("?" + urlencode(query) if query else "")


def text(response) -> str:
    """What a person reads in the main part of the page: tags out, spaces folded."""
    html = response.content.decode()
    html = html[html.find("<main") : html.find("</main>")]
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&lt;", "<").replace("&amp;", "&")


def assert_login(response, target):
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query) == {"next": [target]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("resident", 403),
        ("student", 403),
        ("coordinator", 200),
        ("staff", 200),
        ("viewer", 200),
        ("outsider", 403),
        ("superuser", 200),
    ],
)
def test_who_reads_the_summary_of_a_house(persona, expected, all_personas, house, client_for, mfa_off):
    target = url("house", house)
    response = client_for(all_personas[persona]).get(target)
    if expected == "login":
        assert_login(response, target)
    else:
        assert response.status_code == expected


def test_the_viewer_reads_figures_with_their_explanation(june, viewer, client_for, mfa_off):
    response = client_for(viewer).get(url("house", june["house"], **JUNE_QUERY))
    page = text(response)
    assert "Overzicht van de pilot W4, Witmondplein 4" in page
    assert "Juni 2025 (1 juni 2025 t/m 30 juni 2025)" in page
    assert "Vergeleken met de periode ervoor: 1 mei 2025 t/m 31 mei 2025" in page
    assert "Gehouden activiteiten 2 Periode ervoor: 1 · 1 meer" in page
    assert "Bereikte bewoners 10 Periode ervoor: 5 · 5 meer" in page
    assert "Goedgekeurde uren van studenten 4,5 uur Periode ervoor: 1 · 3,5 meer" in page
    assert (
        "Uren gereserveerd Alle uren van bevestigde reserveringen van de ruimtes in deze periode, "
        "ook die van activiteiten. 9 2 7 meer"
    ) in page
    assert "Bezetting van de ruimtes" in page and "1,4% 0,4% 1 procentpunt meer" in page
    assert "Bereikte huishoudens in de buurt" in page and "10% 5% 5 procentpunt meer" in page
    # Charts, each with its table behind a disclosure.
    assert page.count("Bekijk de cijfers in een tabel") == 6
    assert "Gehouden activiteiten per maand" in page


def test_a_nonsense_period_shows_the_pilot_with_a_message(june, viewer, client_for, mfa_off):
    response = client_for(viewer).get(
        url("house", june["house"], periode="anders", van="2025-06-30", tot="x")
    )
    assert response.status_code == 200
    page = text(response)
    assert "“x” is geen datum die we begrijpen. Schrijf een datum zoals 31-12-2025." in page
    assert "We laten daarom de hele pilot zien." in page
    assert "1 januari 2025 t/m 31 december 2025" in page


def test_the_period_form_works_without_javascript(june, viewer, client_for, mfa_off):
    from tests.forms import parse_form

    client = client_for(viewer)
    page = client.get(url("house", june["house"]))
    form = parse_form(page.content, form_id="period-form")
    assert form.method == "get"
    response = client.get(form.action, form.submit_data(periode="anders", van="2025-06-01", tot="2025-06-30"))
    assert "1 juni 2025 t/m 30 juni 2025" in text(response)
    assert "Gehouden activiteiten 2" in text(response)


def test_stories_of_overlapping_periods_are_shown(june, viewer, client_for, mfa_off):
    story = Story.objects.create(
        house=june["house"],
        first_day=D(2025, 5, 15),
        last_day=D(2025, 6, 15),
        title="Drukke weken",
        text="Veel.",
    )
    Quote.objects.create(story=story, text="Ik kom elke week.", said_by="bewoonster, 81 jaar")
    Story.objects.create(
        house=june["house"], first_day=D(2025, 8, 1), last_day=D(2025, 8, 31), title="Zomer", text="Rustig."
    )
    page = text(client_for(viewer).get(url("house", june["house"], **JUNE_QUERY)))
    assert "Drukke weken" in page and "Ik kom elke week." in page and "bewoonster, 81 jaar" in page
    assert "Zomer" not in page


def test_all_houses_shows_only_houses_the_person_may_read(june, other_house, viewer, client_for, mfa_off):
    client = client_for(viewer)
    page = text(client.get(url("all", **JUNE_QUERY)))
    assert "Overzicht van alle huizen 1 huis" in page
    assert "BuurtThuis" not in page

    Membership.objects.create(user=viewer, house=other_house, role="viewer", status="active")
    page = text(client.get(url("all", **JUNE_QUERY)))
    assert "Overzicht van alle huizen 2 huizen" in page
    assert "BuurtThuis Wingerd" in page and "W4, Witmondplein 4" in page


@pytest.mark.parametrize(
    ("persona", "expected"), [("anonymous", "login"), ("resident", 403), ("outsider", 403)]
)
def test_all_houses_is_refused_without_a_house_to_read(persona, expected, all_personas, client_for, mfa_off):
    response = client_for(all_personas[persona]).get(url("all"))
    if expected == "login":
        assert_login(response, url("all"))
    else:
        assert response.status_code == expected


def _row_names(response) -> list[str]:
    body = response.content.decode().split('class="table summary-house-table"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', body)


def test_the_table_of_houses_sorts_through_links(june, other_house, superuser, client_for, mfa_off):
    client = client_for(superuser)
    response = client.get(url("all", **JUNE_QUERY))
    assert _row_names(response) == ["BuurtThuis Wingerd", "W4, Witmondplein 4"]
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    sort = re.search(r'href="\?([^"]*sorteer=activiteiten[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "richting=af" in sort

    response = client.get(url("all") + "?" + sort)
    html = response.content.decode()
    # W4 held 2 activities in June, BuurtThuis 1: most first.
    assert _row_names(response) == ["W4, Witmondplein 4", "BuurtThuis Wingerd"]
    assert re.search(r'aria-sort="descending">\s*<a [^>]*>Activiteiten<', html)
    assert html.count("aria-sort=") == 1
    response = client.get(url("all", **JUNE_QUERY, sorteer="activiteiten", richting="op"))
    assert _row_names(response) == ["BuurtThuis Wingerd", "W4, Witmondplein 4"]
    # Nonsense sorts by name.
    assert client.get(url("all", sorteer="'; drop", richting="??")).status_code == 200


def test_the_table_of_houses_has_pages(june, other_house, superuser, client_for, mfa_off, monkeypatch):
    monkeypatch.setattr("summary.views.PER_PAGE", 1)
    client = client_for(superuser)
    response = client.get(url("all", **JUNE_QUERY))
    assert "Pagina 1 van 2" in text(response)
    assert _row_names(response) == ["BuurtThuis Wingerd"]
    link = re.search(r'href="\?([^"]*pagina=2)"', response.content.decode()).group(1).replace("&amp;", "&")
    assert _row_names(client.get(url("all") + "?" + link)) == ["W4, Witmondplein 4"]


def test_the_menus_offer_the_summary_to_those_who_may_read_it(house, viewer, resident, client_for, mfa_off):
    home = house.get_absolute_url()
    html = client_for(viewer).get(home).content.decode()
    assert f'<a href="{url("house", house)}">Overzicht</a>' in html
    assert f'<a href="{url("all")}">Overzicht van alle huizen</a>' in html
    html = client_for(resident).get(home).content.decode()
    assert url("house", house) not in html and url("all") not in html


def test_an_old_short_name_redirects(house, viewer, client_for, mfa_off):
    house.slug = "witmond"
    house.save()
    response = client_for(viewer).get("/w4/overzicht/?periode=maand")
    assert response.status_code == 301
    assert response["Location"] == "/witmond/overzicht/?periode=maand"


def test_the_period_before_the_pilot_shows_no_figures_to_compare(june, viewer, client_for, mfa_off, at_now):
    """The whole pilot compared with the year before it: not "0 · 3 more" but no figure at all."""
    house = june["house"]
    response = client_for(viewer).get(reverse("summary:house", kwargs={"house": house.slug}))
    page = response.content.decode()
    assert "De periode ervoor ligt voor de pilot" in page
    assert "meer</" not in page and " meer<" not in page
    # Negative control: June compared with May (both in the pilot) does show the difference.
    response = client_for(viewer).get(
        reverse("summary:house", kwargs={"house": house.slug}), {"periode": "maand", "van": "2025-06-01"}
    )
    assert "meer" in response.content.decode()


def test_house_names_sort_as_people_read_them():
    from summary.report import name_key

    names = ["Huis 10", "huis 2", "Huis 1", "De Wingerd", "W4, Witmondplein 4"]
    assert sorted(names, key=name_key) == ["De Wingerd", "Huis 1", "huis 2", "Huis 10", "W4, Witmondplein 4"]
    assert sorted(names, key=str.lower) != sorted(names, key=name_key)  # plain text sorting differs


def test_the_collector_is_paused_for_a_summary_and_on_again_after(june, viewer, client_for, mfa_off):
    import gc

    from summary.views import gc_paused

    seen = []

    @gc_paused
    def inner():
        seen.append(("inner", gc.isenabled()))

    @gc_paused
    def outer():
        inner()
        seen.append(("outer after inner", gc.isenabled()))
        raise ValueError

    with pytest.raises(ValueError):
        outer()
    assert seen == [("inner", False), ("outer after inner", False)]
    assert gc.isenabled()
    assert client_for(viewer).get(url("all")).status_code == 200
    assert gc.isenabled()
    gc.disable()  # someone else paused it: it stays off
    try:
        inner()
        assert not gc.isenabled()
    finally:
        gc.enable()


def _landmark_labels(page: str) -> list[str]:
    """The aria-labelledby of every section and every role="region" (the landmarks that have one)."""
    tags = re.findall(r"<(?:section|div)\b[^>]*>", page)
    return [
        re.search(r'aria-labelledby="([^"]+)"', tag).group(1)
        for tag in tags
        if "aria-labelledby=" in tag and (tag.startswith("<section") or 'role="region"' in tag)
    ]


def test_each_landmark_has_a_name_of_its_own(june, house, other_house, superuser, client_for, mfa_off):
    """A table's scroll area (a region, so it can be reached with the keyboard) is named after its
    heading and the word "(tabel)": not a second landmark with the section's own name."""
    client = client_for(superuser)
    for address in (url("all", **JUNE_QUERY), url("house", house, **JUNE_QUERY)):
        page = client.get(address).content.decode()
        labels = _landmark_labels(page)
        assert len(labels) == len(set(labels)), labels
        assert sum(ids.endswith(" summary-table-word") for ids in labels) >= 2
        for ids in labels:
            for id_ in ids.split():
                assert f'id="{id_}"' in page, id_
        assert '<span id="summary-table-word" hidden>(tabel)</span>' in page


@pytest.mark.parametrize("name", ["house", "house_print"])
def test_an_unfinished_pilot_says_both_things_in_plain_sentences(
    name, pilot_house, at_now, viewer, client_for, mfa_off
):
    # 1 July 2025, half-way through the pilot of 2025: the period runs to today, and the one before lies
    # before the pilot. The print view wrote "vandaag.. De periode ervoor" (two full stops).
    page = text(client_for(viewer).get(url(name, pilot_house)))
    assert "Deze periode is nog niet voorbij: de cijfers lopen tot vandaag." in page
    assert "De periode ervoor ligt voor de pilot." in page
    assert ".." not in page
