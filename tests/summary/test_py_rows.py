"""What the summary's Python writes or works out quicker reads the same as what it replaced.

- the table of houses' rows are written in Python (views.house_rows_html, print_rows_html): the
  same markup, character for character, as the template loops they replaced (kept here);
- a house's cells come from report._house_cells: the same cells as figures.cell() and hide_parts()
  give them figure by figure (the former report._cells, kept here);
- figures.number() rounds on the digits: the same text as through Decimal and number_format, and
  figures.cell_texts() gives the cells' texts;
- figures.HouseReading reads what Reading reads;
- the period before's totals are worked out when read, if the page shows none of them;
- the targets add up house by house as before; the table sorts by name as name_key has it.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import re
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import number_format

from summary import report as reports
from summary import sections, views
from summary.figures import (
    NO_FIGURE,
    Cell,
    HouseReading,
    Metric,
    Reading,
    Unit,
    cell,
    cell_texts,
    hide_parts,
    number,
)
from summary.models import Target, TargetFigure
from summary.selectors import CUR, WINDOWS, Store
from tests.summary import test_house_cells
from tests.summary.test_house_cells import made_up_store
from tests.summary.test_views import url

houses, made_up = test_house_cells.houses, test_house_cells.made_up  # fixtures: eight houses, their store

# The loops of templates/summary/_houses.html and print.html that views.house_rows_html and
# views.print_rows_html replaced, as they were.
PAGE_LOOP = """{% for row in rows %}
      <tr>
        <th scope="row"><a href="{% url 'summary:house' house=row.house.slug %}?{{ query }}">{{ row.house.name }}</a></th>
        {% for cell in row.cells %}<td class="num">{{ cell.text }}</td>{% endfor %}
      </tr>
      {% endfor %}"""  # noqa: E501
PRINT_LOOP = (
    '{% for row in rows %}<tr><th scope="row">{{ row.house.name }}</th>{% for cell in row.cells %}'
    '<td class="num">{{ cell.text }}</td>{% endfor %}</tr>{% endfor %}'
)

HOSTILE = [
    "Huis 1",
    '<script>alert("x")</script>',
    "Tom & Jerry's <b>huis</b>",
    "\"quotes\" 'and' `ticks` = > <",
    "Café Ünïcode — 😀",
    "&amp; already escaped?",
    "{{ not a template }} {% neither %}",
]
CELLS = [
    Cell(12.0),
    Cell(1234567.0),
    Cell(3.0, "< 5", hidden=True),
    Cell(None, NO_FIGURE),
    Cell(7.0, NO_FIGURE, hidden=True),
    Cell(40.0, "40 or more", partial=True),
    Cell(9.5, unit=Unit.HOURS),
    Cell(123.45, unit=Unit.HOURS),
    Cell(18.349, unit=Unit.PERCENT),
    Cell(0.0, unit=Unit.PERCENT),
    Cell(2.25, unit=Unit.AVERAGE),
    Cell(0.0),
    Cell(-3.5, unit=Unit.AVERAGE),
]
QUERIES = ["periode=pilot", "periode=maand&van=2025-06-01", "x=<\"&>'", ""]


def _rows(seed: int, n: int = 12) -> list:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        house = SimpleNamespace(name=rng.choice(HOSTILE), slug=f"huis-{i}_{rng.randrange(1000)}")
        rows.append(SimpleNamespace(house=house, cells=[rng.choice(CELLS) for _ in range(10)]))
    return rows


def _loop(template: str, rows, query: str = "") -> str:
    return Template(template).render(Context({"rows": rows, "query": query}))


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rows_of_the_table_of_houses_are_those_of_the_template(language, seed):
    rows = _rows(seed)
    with translation.override(language):
        for query in QUERIES:
            assert views.house_rows_html(rows, query) == _loop(PAGE_LOOP, rows, query)
        assert views.print_rows_html(rows) == _loop(PRINT_LOOP, rows)
        assert views.house_rows_html([], "periode=pilot") == "" == views.print_rows_html([])
    # What the checks compare: hostile names and queries escaped, numbers in the language's way.
    page = views.house_rows_html(rows, QUERIES[2])
    assert "<script>" not in page and "?x=&lt;&quot;&amp;&gt;&#x27;" in page


def test_a_changed_row_reads_differently():
    """Negative control: the comparison above sees a wrong escape, address, cell or space."""
    rows = _rows(4)
    query = "periode=maand&van=2025-06-01"
    expected = _loop(PAGE_LOOP, rows, query)
    assert views.house_rows_html(rows, query) == expected
    assert views.house_rows_html(rows, "periode=pilot") != expected
    unescaped = PAGE_LOOP.replace("{{ row.house.name }}", "{{ row.house.name|safe }}")
    assert _loop(unescaped, rows, query) != expected
    assert _loop(PAGE_LOOP.replace("\n      <tr>", "\n     <tr>"), rows, query) != expected
    changed = [SimpleNamespace(house=r.house, cells=[*r.cells[:-1], Cell(99.0)]) for r in rows]
    assert views.house_rows_html(changed, query) != expected


def test_a_slug_reverse_would_refuse_is_refused_as_the_template_refused_it():
    rows = [SimpleNamespace(house=SimpleNamespace(name="Huis", slug="huis met spatie"), cells=[])]
    with pytest.raises(NoReverseMatch):
        _loop(PAGE_LOOP, rows)
    with pytest.raises(NoReverseMatch):
        views.house_rows_html(rows, "")
    slug = SimpleNamespace(name="Huis", slug="w4-plein_2")
    address = reverse("summary:house", kwargs={"house": "w4-plein_2"})
    assert views.house_rows_html([SimpleNamespace(house=slug, cells=[])], "a=b").startswith(
        f'\n      <tr>\n        <th scope="row"><a href="{address}?a=b">'
    )


def _tbody(response) -> str:
    page = response.content.decode()
    table = page.split('class="table summary-house-table"')[1].split("</table>")[0]
    return table.split("<tbody>")[1].split("</tbody>")[0]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_page_and_print_view_have_the_rows_the_template_made(
    language, houses, made_up, superuser, client_for, mfa_off, monkeypatch
):
    monkeypatch.setattr(views, "PER_PAGE", 3)
    houses[0].name = 'Huis <1> & "één"'
    houses[0].save()
    client = client_for(superuser, HTTP_ACCEPT_LANGUAGE=language)
    with translation.override(language):
        report = reports.build(houses=sorted(houses, key=lambda h: (h.name, h.pk)))
        for key, direction, page in [("huis", "op", 1), ("bereik", "af", 2), ("bezetting", "op", 3)]:
            response = client.get(url("all", sorteer=key, richting=direction, pagina=page, periode="pilot"))
            assert response.status_code == 200
            rows = reports.sort_rows(report.house_rows, report.columns, key, direction == "af")
            shown = rows[(page - 1) * 3 : page * 3]
            query = "periode=pilot"
            assert _tbody(response) == "\n      " + _loop(PAGE_LOOP, shown, query) + "\n    "
        printed = client.get(url("all_print", periode="pilot")).content.decode()
        rows = reports.sort_rows(report.house_rows, report.columns, "huis", False)
        assert "<tbody>" + _loop(PRINT_LOOP, rows) + "</tbody>" in printed
        assert "Huis &lt;1&gt; &amp; &quot;één&quot;" in printed


# --- the cells of a house ----------------------------------------------------------------------


def _cells_figure_by_figure(store: Store, house_id: int, window: str, figures) -> dict:
    """What report._cells did for one house before _house_cells: figures.cell() for each figure."""
    reading = Reading(store, (house_id,), window)
    out: dict[str, Cell] = {}
    for figure in sorted(figures, key=lambda f: bool(f.from_people)):
        value = figure.value(reading)
        hidden_sources = any(
            out.get(key) is not None and (out[key].hidden or out[key].partial) for key in figure.from_people
        )
        out[figure.key] = cell(figure, value, hidden_sources=hidden_sources)
    for figure in figures:
        if figure.sum_of and figure.key in out:
            hide_parts(figure, out)
    return out


def _none_store(house_ids, seed: int) -> Store:
    """A made-up store, with some metrics missing (a share of nothing is no figure)."""
    store = made_up_store(house_ids, seed)
    rng = random.Random(seed)
    for key in list(store.values):
        if rng.random() < 0.15:
            del store.values[key]
    # Each rule met for sure: a hidden part of a sum, a share of a hidden count.
    store.values[(house_ids[0], "came", CUR)], store.values[(house_ids[0], "walk_ins", CUR)] = 40, 2
    store.values[(house_ids[1], "reach", CUR)], store.values[(house_ids[1], "households", CUR)] = 3, 80
    return store


@pytest.mark.parametrize("seed", range(6))
def test_a_houses_cells_are_those_of_cell_figure_by_figure(seed):
    house_ids = [11, 12, 13, 14]
    store = _none_store(house_ids, seed)
    everything = sections.all_figures()
    lists = [everything, reports._needed([sections.figure(k) for k in sections.HOUSE_COLUMNS])]
    lists += [reports._needed([f]) for f in everything]
    seen_small = seen_sum_hidden = seen_none = False
    for language in ("nl", "en"):
        with translation.override(language):
            for figures in lists:
                plan = reports.Plan.of(figures)
                for house_id in house_ids:
                    for window in WINDOWS:
                        expected = _cells_figure_by_figure(store, house_id, window, figures)
                        got = reports._cells(store, (house_id,), window, plan)
                        assert got == expected
                        assert list(got) == list(expected)
                        assert [c.text for c in got.values()] == [c.text for c in expected.values()]
                        assert [type(c.value) for c in got.values()] == [
                            type(c.value) for c in expected.values()
                        ]
                        seen_small |= any(c.fixed == "< 5" for c in got.values())
                        seen_sum_hidden |= got.get("came", Cell(0)).fixed == NO_FIGURE
                        seen_none |= any(c.value is None for c in got.values())
    assert seen_small and seen_sum_hidden and seen_none  # every rule was met


def test_a_changed_cell_is_seen():
    """Negative control: the reference tells a hidden cell from a shown one."""
    store = made_up_store([1], 5)
    store.values[(1, "came", CUR)], store.values[(1, "walk_ins", CUR)] = 40, 2
    figures = reports._needed([sections.figure("came")])
    expected = _cells_figure_by_figure(store, 1, CUR, figures)
    assert expected["came"].hidden and expected["walk_ins"].text == "< 5"
    assert reports._cells(store, (1,), CUR, figures) == expected
    store.values[(1, "walk_ins", CUR)] = 5
    assert reports._cells(store, (1,), CUR, figures) != expected


def test_a_house_reading_reads_what_reading_reads():
    store = made_up_store([1, 2], 9)
    names = {name for (_h, name, _w) in store.values} | {"not_counted"}
    for window in WINDOWS:
        fast, slow = HouseReading(store, 2, window), Reading(store, (2,), window)
        assert fast.house_ids == slow.house_ids == (2,) and fast.store is store and fast.window == window
        for name in names:
            assert fast(name) == slow(name) and type(fast(name)) is type(slow(name))
        for figure in sections.all_figures():
            assert figure.value(fast) == figure.value(slow), figure.key
        assert fast.at(CUR)("came") == slow.at(CUR)("came")
    assert isinstance(sections.figure("visits").value, type(sections._visits))
    assert not isinstance(sections.figure("visits").value, Metric)


# --- numbers ---------------------------------------------------------------------------------


def _through_decimal(value, decimals: int) -> str:
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimals, force_grouping=True)


@pytest.mark.parametrize("language", ["nl", "en", "de", "hi"])
def test_numbers_round_on_the_digits_as_through_decimal(language):
    rng = random.Random(11)
    values = [0, 0.0, -0.0, 1, -1, 5, 999, 1000, -1000, 1234567, 10**15, 2**53, 2**53 + 1, 10**20, -(10**18)]
    values += [0.5, 1.5, 2.5, -0.5, -2.5, 0.45, 0.449999, 0.05, 0.15, 0.25, 0.35, 1.005, 2.675, 9.95, 9.995]
    values += [-0.04, -0.05, -0.004, 999.5, 999.95, 9999.95, 123456789.125, 0.0001, 0.00001, 1e-7, 1e15 + 0.3]
    values += [1e16, 1.5e16, 1e21, 1e22, 12345678901234567890.0, 2.0**60, float(2**53), 4503599627370495.5]
    values += (
        [float(n) for n in range(-30, 31)]
        + [n / 2 for n in range(-30, 31)]
        + [n / 20 for n in range(-99, 99)]
    )
    values += [rng.randint(-(10**9), 10**9) for _ in range(200)]
    values += [round(rng.uniform(-1e6, 1e6), rng.randint(0, 5)) for _ in range(500)]
    values += [rng.uniform(-1e-3, 1e-3) for _ in range(50)] + [rng.uniform(-1e17, 1e17) for _ in range(50)]
    with translation.override(language):
        for value in values:
            for decimals in (0, 1, 2, 3):
                assert number(value, decimals) == _through_decimal(value, decimals), (value, decimals)
        for special in (float("inf"), float("-inf"), float("nan"), Decimal("2.5"), Decimal("1E+3")):
            for decimals in (0, 1):
                assert _outcome(number, special, decimals) == _outcome(_through_decimal, special, decimals)


def _outcome(make, value, decimals):
    try:
        return make(value, decimals)
    except ArithmeticError as err:  # as Decimal has it (an infinity cannot be rounded)
        return type(err)


def test_numbers_read_as_a_dutch_reader_expects():
    with translation.override("nl"):
        assert [number(v) for v in (0, -0.4, 0.5, 1234, -1234.5, 1234567.0)] == [
            "0", "0", "1", "1.234", "-1.235", "1.234.567"
        ]  # fmt: skip
        assert [number(v, 1) for v in (0.05, -0.04, 9.95, 1234.56)] == ["0,1", "0,0", "10,0", "1.234,6"]
    with translation.override("en"):
        assert number(1234.56, 1) == "1,234.6"
    # Negative control: plain rounding of floats (round half to even, binary) would read differently.
    assert f"{2.5:.0f}" == "2" and number(2.5) == "3"
    assert f"{2.675:.2f}" == "2.67" and number(2.675, 2) in ("2,68", "2.68")
    assert re.fullmatch(r"-?[\d.]+", number(-(10**18)))


# --- the period before's totals ------------------------------------------------------------------


def test_the_period_befores_totals_are_worked_out_when_read_if_the_page_shows_none(houses, made_up):
    from summary.periods import Period
    from summary.selectors import PREV

    report = reports.build(houses=houses)  # the pilot of 2025: the period before lies before it
    assert report.previous_before_pilot
    assert PREV not in dict.keys(report.totals)
    assert all(not report.per_house[h.pk][PREV] for h in houses)  # no house's cells either
    assert all(row.before == Cell(None, NO_FIGURE) and not row.change for row in report.key_rows)
    # Read, they are those worked out at once (as for the CSV, which reads every house's cells).
    eager = reports.build(houses=houses, every_house=True)
    assert PREV in dict.keys(eager.totals)
    assert report.totals[PREV] == eager.totals[PREV] and PREV in dict.keys(report.totals)
    assert report.totals[PREV] is report.totals[PREV]  # worked out once
    with pytest.raises(KeyError):
        report.totals["elsewhen"]
    # A period in the pilot: the period before is shown, so worked out at once.
    june = reports.build(houses=houses, period=Period(dt.date(2025, 6, 1), dt.date(2025, 6, 30), "maand"))
    assert not june.previous_before_pilot and PREV in dict.keys(june.totals)
    assert any(row.change for row in june.key_rows)
    # The report lets go of nothing it should not: Totals holds no reference to it.
    assert not any(ref is report for ref in gc.get_referents(report.totals))


# --- the targets -----------------------------------------------------------------------------------


def _targets_house_by_house(report, today):
    """What report._targets did before: each figure, each house in order, its pilot worked out."""
    from summary.periods import house_pilot
    from summary.selectors import PILOT

    out = []
    for target_figure in TargetFigure:
        key, code = sections.TARGETS[target_figure], target_figure.value
        with_target = [h for h in report.houses if (h.pk, code) in report.house_targets]
        if not with_target:
            continue
        target = expected = actual = 0.0
        started = ended = 0
        parts = []
        for house in with_target:
            first, last = house_pilot(house, today)
            length = (last - first).days + 1
            value = report.house_targets[(house.pk, code)]
            target += value
            expected += value * min(max((today - first).days + 1, 0), length) / length
            parts.append(report.per_house[house.pk][PILOT][key])
            actual += parts[-1].value or 0
            started += today >= first
            ended += today > last
        out.append((key, int(target), expected, actual, started, ended, len(with_target), parts))
    return out


def test_the_targets_add_up_house_by_house(houses, made_up):
    # Pilots of several lengths, some not begun, some over, some without dates.
    pilots = [(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), (dt.date(2024, 3, 1), dt.date(2025, 2, 28))]
    pilots += [(dt.date(2026, 9, 1), None), (None, dt.date(2026, 3, 31)), (None, None)]
    pilots += [(dt.date(2025, 6, 15), dt.date(2027, 6, 14))]
    for n, house in enumerate(houses):
        house.pilot_start, house.pilot_end = pilots[n % len(pilots)]
        house.save()
    Target.objects.filter(house=houses[1], figure__in=["visits", "reach"]).delete()
    from summary.periods import Period

    seen = set()
    days = (dt.date(2025, 3, 1), dt.date(2025, 9, 30), dt.date(2026, 10, 1), dt.date(2028, 1, 1))
    for today in days:
        if today.year == 2028:  # every pilot over: reached or not
            for n, house in enumerate(houses):
                house.pilot_start, house.pilot_end = dt.date(2025, 1, 1 + n), dt.date(2026, 12, 31 - n)
                house.save()
        now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
        report = reports.build(houses=houses, now=now, period=Period(today.replace(day=1), today, "anders"))
        expected = _targets_house_by_house(report, today)
        assert len(report.targets) == len(expected) == len(TargetFigure)
        for row, (key, target, sum_expected, actual, started, ended, n, parts) in zip(
            report.targets, expected, strict=True
        ):
            assert row.figure.key == key and row.target == target and row.expected == sum_expected
            assert row.actual == reports.total_cell(row.figure, actual, parts)
            status = (
                reports.NOT_STARTED
                if not started
                else (reports.REACHED if actual >= target else reports.MISSED)
                if ended == n
                else (reports.ON_TRACK if actual >= sum_expected else reports.BEHIND)
            )
            assert row.status == status, (today, key)
            seen.add(row.status)
    assert seen == {reports.ON_TRACK, reports.BEHIND, reports.REACHED, reports.MISSED}


@pytest.mark.parametrize("language", ["nl", "en", "de", "hi"])
def test_the_texts_of_many_cells_are_their_texts(language):
    rng = random.Random(5)
    cells = CELLS + [Cell(rng.choice([0, 3, 12.5, 0.05, 99.95, 1234.5, 1e6, -7.25]), unit=u) for u in Unit]
    cells += [Cell(rng.uniform(-1e6, 1e6), unit=rng.choice(list(Unit))) for _ in range(400)]
    with translation.override(language):
        assert cell_texts(cells) == [c.text for c in cells]
        assert cell_texts([]) == []
    with translation.override("nl"):
        nl = cell_texts(cells)
    with translation.override("en"):
        assert cell_texts(cells) != nl  # (negative control: the language is the one active)


def test_the_table_sorts_by_name_as_name_key_has_it():
    names = [
        "Huis 10",
        "huis 2",
        "Huis 1",
        "De Wingerd",
        "W4, Witmondplein 4",
        "huis 02",
        "Huis 1a",
        "",
        "10",
    ]
    names += ["Ääs", "aas", "Huis 2 b", "Huis 2 a", "Huis 2"]
    rows = [SimpleNamespace(house=SimpleNamespace(name=n)) for n in names]
    for _ in range(2):  # (the second time from the cache)
        got = [r.house.name for r in reports.sort_rows(rows, [], "huis", False)]
        assert got == sorted(names, key=reports.name_key)
        assert [r.house.name for r in reports.sort_rows(rows, [], "huis", True)] == got[::-1]
