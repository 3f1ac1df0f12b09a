"""The summary charts: well-formed, named SVG; the same figures in a table; legible without colour."""

from __future__ import annotations

import datetime
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from summary.charts import bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
YEAR = [datetime.date(2026, month, 1) for month in range(1, 13)]


def _svg(html: str) -> ET.Element:
    match = re.search(r"<svg\b.*?</svg>", html, re.DOTALL)
    assert match, "no svg in the chart"
    return ET.fromstring(match.group(0))  # noqa: S314 - our own output, parsed to prove it is XML


def _table_cells(html: str) -> list[str]:
    table = re.search(r"<table\b.*?</table>", html, re.DOTALL).group(0)
    return re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", table)


def _lines(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(f".//{SVG}polyline")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _three_lines(**kwargs) -> str:
    return line_chart(
        title="Visitors per month",
        description="Three lines rising through the year.",
        months=YEAR,
        series=[
            ("Booked", [float(10 + i) for i in range(12)]),
            ("Took place", [float(8 + i) for i in range(12)]),
            ("Walk-ins", [float(i) for i in range(12)]),
        ],
        **kwargs,
    )


@pytest.mark.parametrize(
    "chart",
    [
        _three_lines,
        lambda: bar_chart(
            title="By kind", description="Five bars.", labels=list("abcde"), values=[1, 2, 3, 4, 5]
        ),
    ],
    ids=["line", "bar"],
)
def test_the_svg_is_xml_named_by_its_own_title_and_description(chart):
    html = chart()
    svg = _svg(html)
    assert svg.get("role") == "img"
    assert svg.get("viewBox").startswith("0 0 640 ")
    assert svg.get("width") == "100%"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert html.startswith('<figure class="chart">') and html.endswith("</figure>")
    assert (
        "<figcaption" in html
        and "<details" in html
        and "<summary>Show the figures as a table</summary>" in html
    )
    # The site's CSP forbids inline styles and scripts.
    assert "style=" not in html and "<script" not in html


def test_every_call_has_its_own_ids():
    first, second = _svg(_three_lines()), _svg(_three_lines())
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_the_line_table_holds_every_value_with_month_and_series_headers():
    html = _three_lines(unit="hours")
    cells = _table_cells(html)
    for value in range(22):
        assert str(value) in cells
    assert cells[:4] == ["Month", "Booked", "Took place", "Walk-ins"]
    assert '<th scope="row">Jan 2026</th>' in html and html.count('scope="col"') == 4
    assert "<caption>Visitors per month, in hours</caption>" in html


def test_the_bar_table_holds_every_label_and_value():
    html = bar_chart(
        title="Activities by kind",
        description="Coffee leads.",
        labels=["Coffee", "Games", "Cooking"],
        values=[12, 7, 0],
    )
    assert _table_cells(html) == ["Category", "Number", "Coffee", "12", "Games", "7", "Cooking", "0"]
    svg = _svg(html)
    assert len(svg.findall(f".//{SVG}rect[@class='chart-bar']")) == 3
    # Each value is written on the chart too, so the bars need no colour or gridline to be read.
    written = [t.text for t in svg.findall(f".//{SVG}text[@class='chart-value']")]
    assert written == ["12", "7", "0"]


def test_labels_from_the_data_are_escaped():
    evil = "<script>alert(1)</script> & co"
    line = line_chart(title=evil, description=evil, months=YEAR[:2], series=[(evil, [1.0, 2.0])], unit=evil)
    bar = bar_chart(title=evil, description=evil, labels=[evil], values=[3], unit=evil)
    for html in (line, bar):
        assert "<script" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
        svg = _svg(html)  # still XML
        assert svg.find(f"{SVG}title").text == evil


def test_none_is_a_gap_in_the_line_not_a_zero():
    html = line_chart(
        title="Hours",
        description="A gap in March.",
        months=YEAR[:5],
        series=[("Hours", [4.0, 5.0, None, 6.0, 7.0])],
    )
    lines = _lines(_svg(html))
    assert len(lines) == 2
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    # Four marks, none at the missing month; the table says so in words.
    assert len(_svg(html).findall(f".//{SVG}circle")) == 4
    assert "no figure" in _table_cells(html)


def test_a_lone_value_between_gaps_still_shows_its_mark():
    html = line_chart(
        title="Hours", description="One month known.", months=YEAR[:3], series=[("Hours", [None, 5.0, None])]
    )
    svg = _svg(html)
    assert _lines(svg) == []
    assert len(svg.findall(f".//{SVG}circle")) == 1


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1, 2]),
        (1, [0, 1, 2]),
        (7, [0, 2, 4, 6, 8]),
        (95, [0, 25, 50, 75, 100]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_nice_ticks_start_at_zero_and_cover_the_maximum(maximum, ticks):
    assert nice_ticks(maximum) == ticks


@pytest.mark.parametrize("maximum", [0.3, 1, 2.4, 3, 9, 17, 42, 95, 101, 999, 1234, 56789])
@pytest.mark.parametrize("whole", [True, False])
def test_nice_ticks_are_three_to_five_even_steps(maximum, whole):
    ticks = nice_ticks(maximum, whole=whole)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert 3 <= len(ticks) <= 5
    assert ticks[0] == 0 and ticks[-1] >= maximum and len(steps) == 1
    if whole:
        assert all(float(t).is_integer() for t in ticks)


def test_the_y_axis_shows_round_ticks_and_the_unit():
    svg = _svg(_three_lines(unit="hours"))
    ticks = [
        t.text for t in svg.findall(f".//{SVG}text[@class='chart-tick']") if t.get("text-anchor") == "end"
    ]
    assert ticks == ["0", "10", "20", "30"]  # the highest value is 21
    assert [t.text for t in svg.findall(f".//{SVG}text[@class='chart-unit']")] == ["hours"]


def test_dutch_month_names_and_decimal_comma():
    with translation.override("nl"):
        html = line_chart(
            title="Uren",
            description="Uren per maand.",
            months=[datetime.date(2026, 3, 1), datetime.date(2026, 10, 1)],
            series=[("Uren", [1234.5, 2.25])],
        )
        bar = bar_chart(title="Uren", description="Twee balken.", labels=["a", "b"], values=[0.5, 12])
    cells = _table_cells(html)
    assert "mrt 2026" in cells and "okt 2026" in cells
    assert "1.234,5" in cells and "2,3" in cells  # one decimal for the whole chart, rounded half up
    assert "Bekijk de cijfers in een tabel" in html
    ticks = [t.text for t in _svg(html).findall(f".//{SVG}text[@class='chart-tick']")]
    assert "mrt" in ticks and "okt" in ticks
    assert "0,5" in _table_cells(bar) and "12,0" in _table_cells(bar)


def test_several_lines_differ_by_dash_pattern_and_marker():
    svg = _svg(_three_lines())
    lines = _lines(svg)
    assert len(lines) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3
    assert len(svg.findall(f".//{SVG}circle")) == 12
    assert len(svg.findall(f".//{SVG}rect")) == 12
    assert len(svg.findall(f".//{SVG}polygon")) == 12


def test_the_legend_repeats_each_line_and_mark():
    html = _three_lines()
    legend = re.search(r'<ul class="chart-legend">(.*?)</ul>', html, re.DOTALL).group(1)
    items = re.findall(r"<li>(.*?)</li>", legend, re.DOTALL)
    assert [re.sub(r"<svg.*</svg>", "", item) for item in items] == ["Booked", "Took place", "Walk-ins"]
    keys = [ET.fromstring(re.search(r"<svg.*</svg>", item).group(0)) for item in items]  # noqa: S314
    assert [k.find(f"{SVG}line").get("stroke-dasharray") for k in keys] == [None, "9 5", "3 4"]
    assert [k[1].tag.removeprefix(SVG) for k in keys] == ["circle", "rect", "polygon"]
    assert all(k.get("aria-hidden") == "true" for k in keys)


def test_more_than_twelve_months_thin_out_the_labels():
    months = [datetime.date(2025 + (m // 12), m % 12 + 1, 1) for m in range(24)]
    html = line_chart(title="Two years", description="d", months=months, series=[("n", [1.0] * 24)])
    svg = _svg(html)
    labels = [
        t for t in svg.findall(f".//{SVG}text[@class='chart-tick']") if t.get("text-anchor") == "middle"
    ]
    assert len(labels) == 12
    years = [span.text for label in labels for span in label.findall(f"{SVG}tspan")]
    assert years == ["2025", "2026"]
    assert len(_table_cells(html)) == 2 + 2 * 24  # the table keeps every month


@pytest.mark.parametrize(
    "chart",
    [
        lambda: line_chart(title="Hours", description="d", months=[], series=[]),
        lambda: line_chart(title="Hours", description="d", months=YEAR[:2], series=[("a", [None, None])]),
        lambda: bar_chart(title="Hours", description="d", labels=[], values=[]),
    ],
    ids=["no-months", "all-none", "no-bars"],
)
def test_no_data_says_so_instead_of_an_empty_chart(chart):
    html = chart()
    assert "No figures for this period yet." in html
    assert "<svg" not in html and "<table" not in html
    assert "<figcaption" in html and "Hours" in html
    with translation.override("nl"):
        assert "Nog geen cijfers voor deze periode." in chart()


def test_zeros_are_figures_not_an_empty_chart():
    html = bar_chart(title="Hours", description="d", labels=["a"], values=[0])
    assert "<svg" in html and "No figures" not in html


def test_mismatched_lengths_and_negative_values_are_refused():
    with pytest.raises(ValueError, match="values for"):
        line_chart(title="t", description="d", months=YEAR, series=[("a", [1.0])])
    with pytest.raises(ValueError, match="labels"):
        bar_chart(title="t", description="d", labels=["a"], values=[])
    with pytest.raises(ValueError, match="negative"):
        bar_chart(title="t", description="d", labels=["a"], values=[-1])
