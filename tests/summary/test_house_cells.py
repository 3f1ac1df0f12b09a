"""The houses' cells are worked out when read (report.HouseCells): the same cells, sorts, totals,
targets, pages and CSV as when every cell of every house is worked out first.

A made-up Store (random counts, many of 1 to 4, for eight houses) stands in for collect(), so every
privacy rule is met with many combinations; "eager" below is what report.build did before: every
figure of every house and window through _cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import html
import io
import random
import re
import weakref
from collections import defaultdict

import pytest
from django.shortcuts import render
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.formats import number_format

from summary import report as reports
from summary import sections, views
from summary.figures import Metric, number
from summary.models import Target, TargetFigure
from summary.periods import pilot_period
from summary.selectors import CUR, PILOT, PREV, WINDOWS, Store
from tests.factories import make_house
from tests.summary.test_views import _row_names, url

pytestmark = pytest.mark.django_db

SORTS = [key for key, figure in reports.SORT_KEYS.items() if figure]


class _Names:
    """A Reading that notes which metrics a figure reads."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def __call__(self, name: str) -> float:
        self.names.add(name)
        return 1.0


def _metric_names() -> set[str]:
    reading = _Names()
    for figure in sections.all_figures():
        figure.value(reading)
    return reading.names


def made_up_store(house_ids: list[int], seed: int) -> Store:
    rng = random.Random(seed)
    store = Store()
    store.distinct.add("reach")
    for name in sorted(_metric_names()):
        for window in WINDOWS:
            for house_id in house_ids:
                store.values[(house_id, name, window)] = rng.choice(
                    [0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 40, 123.5]
                )
            store.values[(None, name, window)] = rng.choice([0, 3, 17, 250])
    store.present = frozenset(name for (_h, name, _w), value in store.values.items() if value)
    return store


@pytest.fixture
def houses(db):
    made = []
    for n in (10, 2, 1, 7, 3, 12, 5, 4):  # names that sort as people read them: 1, 2, 3, ... 12
        house = make_house(f"huis-{n}", f"Huis {n}")
        house.pilot_start, house.pilot_end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
        house.save()
        made.append(house)
    for house in made[::2]:  # targets in half the houses
        Target.objects.bulk_create(
            Target(house=house, figure=figure, value=10 + i) for i, figure in enumerate(TargetFigure)
        )
    return sorted(made, key=lambda h: (h.name, h.pk))


@pytest.fixture(params=[1, 2, 3])
def made_up(request, houses, monkeypatch):
    store = made_up_store([h.pk for h in houses], request.param)
    monkeypatch.setattr(reports, "collect", lambda scope, families: store)
    return store


def eager(store: Store, house_id: int) -> dict[str, dict]:
    every = reports.Plan.of(sections.all_figures())
    return {window: reports._cells(store, (house_id,), window, every) for window in WINDOWS}


def test_a_cell_is_the_same_whichever_cells_were_read_before(houses, made_up):
    report = reports.build(houses=houses)
    keys = [f.key for f in sections.all_figures()]
    rng = random.Random(7)
    for house in houses:
        expected = eager(made_up, house.pk)
        for window in WINDOWS:
            cells = report.per_house[house.pk][window]
            order = keys[:]
            rng.shuffle(order)
            for key in order:
                assert cells[key] == expected[window][key], (house.name, window, key)
    # Negative control: a part of a sum read without the sum's other parts would read differently
    # (the reason _needed adds them): 40 came and 2 walk-ins make "40" give the 2 away.
    first = houses[0].pk
    made_up.values[(first, "came", CUR)], made_up.values[(first, "walk_ins", CUR)] = 40, 2
    alone = reports._cells(made_up, (first,), CUR, [sections.figure("came")])["came"]
    assert alone.text == "40"
    assert reports.build(houses=houses).per_house[first][CUR]["came"] == eager(made_up, first)[CUR]["came"]
    assert eager(made_up, first)[CUR]["came"].hidden


def test_only_the_cells_read_are_worked_out(houses, made_up):
    report = reports.build(houses=houses)
    people = {f.key for f in sections.all_figures() if f.people}
    for house in houses:
        cur = report.per_house[house.pk][CUR]
        assert people <= set(cur)  # the totals' privacy rule reads them
        assert "news_posts" not in cur and "room_share" not in cur
    row = report.house_rows[0]
    assert row.cell("room_share") == eager(made_up, row.house.pk)[CUR]["room_share"]
    assert "room_share" in report.per_house[row.house.pk][CUR]
    assert "news_posts" not in report.per_house[row.house.pk][CUR]
    assert [c.text for c in row.cells] == [
        eager(made_up, row.house.pk)[CUR][f.key].text for f in report.columns
    ]


def test_the_totals_and_targets_are_those_of_every_cell_worked_out(houses, made_up):
    report = reports.build(houses=houses)
    figures = [f for view in report.sections for f in view.section.figures]
    ids = tuple(h.pk for h in houses)
    every = {h.pk: eager(made_up, h.pk) for h in houses}
    for window in (CUR, PREV):
        expected = reports._cells(made_up, ids, window, figures, [every[h][window] for h in ids])
        assert report.totals[window] == expected
    assert any(c.partial for w in (CUR, PREV) for c in report.totals[w].values())  # "N or more" met
    assert any(c.hidden for h in ids for c in every[h][CUR].values())

    # The targets: the pilot's cells of the houses with a target, added up.
    for row in report.targets:
        key = row.figure.key
        code = next(t for t, k in sections.TARGETS.items() if k == key).value
        with_target = [h for h in ids if (h, code) in report.house_targets]
        actual = sum(every[h][PILOT][key].value or 0 for h in with_target)
        parts = [every[h][PILOT][key] for h in with_target]
        assert row.actual == reports.total_cell(row.figure, actual, parts)
        assert row.target == sum(report.house_targets[(h, code)] for h in with_target)


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_each_column_is_the_order_of_the_cells(houses, made_up, descending):
    for key in SORTS:
        report = reports.build(houses=houses)
        rows = reports.sort_rows(report.house_rows, report.columns, key, descending)
        figure = reports.SORT_KEYS[key]
        by_name = sorted(houses, key=lambda h: reports.name_key(h.name))
        expected = sorted(
            by_name, key=lambda h: eager(made_up, h.pk)[CUR][figure].sort_key, reverse=descending
        )
        assert [r.house for r in rows] == expected, key
        # Sorting worked out that column only; the rows shown work out the rest.
        assert all(figure in report.per_house[h.pk][CUR] for h in houses)
        assert all("ideas_proposed" not in report.per_house[h.pk][CUR] for h in houses) or key == "ideeen"
    assert [r.house.name for r in reports.sort_rows(report.house_rows, report.columns, "huis", False)] == [
        "Huis 1", "Huis 2", "Huis 3", "Huis 4", "Huis 5", "Huis 7", "Huis 10", "Huis 12"
    ]  # fmt: skip


def _cells_of_rows(response) -> dict[str, list[str]]:
    body = response.content.decode().split('class="table summary-house-table"')[1].split("</table>")[0]
    rows = re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>\s*((?:<td class="num">[^<]*</td>)+)', body
    )
    return {
        name: [html.unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', cells)]
        for name, cells in rows
    }


def test_a_house_reads_the_same_on_any_page_and_sort(
    houses, made_up, superuser, client_for, mfa_off, monkeypatch
):
    monkeypatch.setattr(views, "PER_PAGE", 3)
    client = client_for(superuser)
    seen: dict[str, list[str]] = {}
    for key in ["huis", *SORTS]:
        for direction in ("op", "af"):
            for page in (1, 2, 3):
                response = client.get(url("all", sorteer=key, richting=direction, pagina=page))
                for name, cells in _cells_of_rows(response).items():
                    assert seen.setdefault(name, cells) == cells, (name, key, direction, page)
    assert sorted(seen) == sorted(h.name for h in houses)
    # The cells read as every cell worked out first.
    with translation.override("nl"):
        for house in houses:
            assert seen[house.name] == [eager(made_up, house.pk)[CUR][k].text for k in sections.HOUSE_COLUMNS]
    # Page 2 by activities is the 4th to 6th house in that order.
    response = client.get(url("all", sorteer="activiteiten", richting="af", pagina=2))
    order = reports.sort_rows(reports.build(houses=houses).house_rows, [sections.figure("activities_held")],
                              "activiteiten", True)  # fmt: skip
    assert _row_names(response) == [r.house.name for r in order[3:6]]


def test_the_csv_and_print_view_have_every_house(
    houses, made_up, superuser, client_for, mfa_off, monkeypatch
):
    monkeypatch.setattr(views, "PER_PAGE", 3)
    client = client_for(superuser)
    response = client.get(url("all_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    figures = [f for s in sections.SECTIONS for f in s.figures if s.shown(made_up)]
    per_house = defaultdict(list)
    for row in rows[1:]:
        per_house[row[0]].append(row)
    assert sorted(per_house) == sorted([h.name for h in houses] + ["Alle huizen"])
    assert all(len(per_house[h.name]) == len(figures) for h in houses)
    with translation.override("nl"):
        from summary.exports import csv_text

        for house in houses:
            cells = eager(made_up, house.pk)
            assert [r[5] for r in per_house[house.name]] == [csv_text(f, cells[CUR][f.key]) for f in figures]
            assert [r[6] for r in per_house[house.name]] == [csv_text(f, cells[PREV][f.key]) for f in figures]
    page = client.get(url("all_print")).content.decode()
    assert all(f">{h.name}</th>" in page for h in houses)


def test_the_page_lets_go_of_the_report_when_it_is_done(houses, made_up, superuser, monkeypatch):
    """Django's template Context refers to itself: without taking the page's values off it again,
    the report (at 200 houses some 28,000 objects) waits for the cyclic garbage collector."""
    made = []
    build = reports.build

    def keep(**kwargs):
        report = build(**kwargs)
        made.append(weakref.ref(report))  # (the made-up store lives on in the fixture)
        return report

    monkeypatch.setattr(reports, "build", keep)
    request = RequestFactory().get(url("all", sorteer="bereik", pagina=2))
    request.user = superuser
    request.session = {}
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for view in (views.all_summary, views.all_print):
            response = view(request)
            assert response.status_code == 200 and b"Huis 12" in response.content
        assert len(made) == 2
        assert all(ref() is None for ref in made)  # freed by reference counting: no collection ran
        # Negative control: with Django's render() the report outlives the view.
        monkeypatch.setattr(views, "_render_summary", render)
        views.all_summary(request)
        assert made[-1]() is not None
        gc.collect()
        assert made[-1]() is None
    finally:
        if enabled:
            gc.enable()


def test_collect_lets_go_of_the_windows(houses):
    """The windows kept on the scope refer back to it (a cycle): collect drops them when done."""
    from summary.selectors import Scope, collect

    scope = Scope(houses=houses, period=pilot_period(houses, dt.date(2025, 7, 1)), now=timezone.now())
    collect(scope, sections.families())
    assert "_windows" not in scope.__dict__
    assert scope.windows(True) is scope.windows(True)  # still made once while in use


@pytest.mark.parametrize("language", ["nl", "en", "de", "hi"])
def test_numbers_read_as_number_format_has_them(language):
    from decimal import ROUND_HALF_UP, Decimal

    rng = random.Random(3)
    values = [0, -0.0, -0.04, 0.05, 9.96, 999.95, 1234.5, -1234.5, 1e9, 123456789.125]
    values += [rng.uniform(-1e7, 1e7) for _ in range(300)] + [rng.uniform(-20, 20) for _ in range(300)]
    with translation.override(language):
        for value in values:
            for decimals in (0, 1, 2):
                rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
                assert number(value, decimals) == number_format(rounded, decimals, force_grouping=True)
    with translation.override("nl"):
        assert number(1234567.25, 1) == "1.234.567,3"


def test_a_figure_of_one_metric_is_read_from_the_store():
    assert isinstance(sections.figure("news_posts").value, Metric)
    assert not isinstance(sections.figure("visits").value, Metric)
