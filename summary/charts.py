"""Server-rendered, accessible SVG charts for the summary page: no JavaScript, legible in black and white.

Each chart is one ``<figure class="chart">``: a visible caption, an ``<svg role="img">`` named by its
``<title>`` and ``<desc>``, and the same figures as a table behind a ``<details>`` disclosure. Lines
differ by dash pattern and point marker as well as by colour, so a grey print still tells them apart.
Only SVG presentation attributes and CSS classes (static/css/summary-charts.css): the CSP forbids
inline styles. Values must be zero or more; the caller hides small counts before they get here.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext, pgettext

WIDTH = 640  # viewBox units; at 640 CSS pixels one unit is one pixel
FONT = 16  # text size in viewBox units: 12px or more wherever the chart is 480px wide or more
CHAR = 0.6 * FONT  # a generous average glyph width, to reserve room for text SVG cannot measure
INK = "#1b1b1b"
GRID = "#c4c4c4"  # decoration only: the zero line and the labels carry the meaning
BAR = "#1f5f3f"  # the site's green, 8.3:1 on white
MAX_LINES = 5


@dataclass(frozen=True)
class _LineStyle:
    colour: str  # each at least 7:1 on white, well above the 3:1 WCAG asks of graphics
    dash: str  # stroke-dasharray; "" is a solid line
    marker: str


LINE_STYLES = (
    _LineStyle("#1f5f3f", "", "circle"),
    _LineStyle("#1d4e89", "9 5", "square"),
    _LineStyle("#8a3800", "3 4", "triangle"),
    _LineStyle("#5c2d82", "12 4 3 4", "diamond"),
    _LineStyle(INK, "18 6", "cross"),
)


def line_chart(
    *,
    title: str,
    description: str,
    months: list[datetime.date],
    series: list[tuple[str, list[float | None]]],
    unit: str = "",
) -> SafeString:
    """A line per series over the months; ``None`` is a gap in the line, not a zero."""
    for name, values in series:
        if len(values) != len(months):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(months)} months")
    if len(series) > MAX_LINES:
        raise ValueError(f"at most {MAX_LINES} lines stay readable; got {len(series)}")
    present = [v for _, values in series for v in values if v is not None]
    _check_not_negative(present)
    if not months or not present:
        return _empty(title)

    decimals = _decimals(present)
    ticks = nice_ticks(max(present), whole=decimals == 0)
    tick_labels = [_number(t, _tick_decimals(ticks)) for t in ticks]
    left = 12 + _text_width(max(tick_labels, key=len))
    top, right, bottom = (36 if unit else 14), 16, 52
    height = 320
    plot = _Plot(left=left, top=top, right=WIDTH - right, bottom=height - bottom, top_value=ticks[-1])
    band = plot.width / len(months)

    def x(i: int) -> float:
        return plot.left + band * (i + 0.5)

    parts = [_y_grid(plot, ticks, tick_labels, unit)]
    parts.append(_x_month_labels(months, x, plot.bottom))
    parts.append(_axis_line(plot))  # before the lines, so a run of zeros is drawn over it, not hidden
    for style, (_, values) in zip(LINE_STYLES, series, strict=False):
        for segment in _segments(values):
            if len(segment) > 1:
                points = " ".join(f"{_n(x(i))},{_n(plot.y(v))}" for i, v in segment)
                parts.append(
                    format_html(
                        '<polyline class="chart-line" points="{}" fill="none" stroke="{}" stroke-width="2.5"'
                        ' stroke-linejoin="round"{}/>',
                        points,
                        style.colour,
                        _dash_attr(style.dash),
                    )
                )
            parts.extend(_marker(style, x(i), plot.y(v)) for i, v in segment)

    ids = _ids(title)
    svg = _svg(ids, title, description, height, parts)
    legend = format_html_join(
        "",
        '<li><svg xmlns="http://www.w3.org/2000/svg" class="chart-key" aria-hidden="true"'
        ' width="44" height="18" viewBox="0 0 44 18">'
        '<line x1="2" y1="9" x2="42" y2="9" stroke="{}" stroke-width="2.5"{}/>{}</svg>{}</li>',
        (
            (style.colour, _dash_attr(style.dash), _marker(style, 22, 9), name)
            for style, (name, _) in zip(LINE_STYLES, series, strict=False)
        ),
    )
    head = format_html_join("", '<th scope="col">{}</th>', ((name,) for name, _ in series))
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                _month(month, pgettext("chart table month, a date format", "M Y")),
                format_html_join("", "<td>{}</td>", ((_value(values[i], decimals),) for _, values in series)),
            )
            for i, month in enumerate(months)
        ),
    )
    table = format_html(
        '<table class="table chart-table"><caption>{}</caption><thead><tr><th scope="col">{}</th>{}</tr>'
        "</thead><tbody>{}</tbody></table>",
        _table_caption(title, unit),
        gettext("Month"),
        head,
        rows,
    )
    return _figure(title, svg, format_html('<ul class="chart-legend">{}</ul>', legend), table)


def bar_chart(
    *,
    title: str,
    description: str,
    labels: list[str],
    values: list[float],
    unit: str = "",
) -> SafeString:
    """A horizontal bar per label, with its value written at the end of the bar."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    _check_not_negative(values)
    if not labels:
        return _empty(title)

    decimals = _decimals(values)
    ticks = nice_ticks(max(values), whole=decimals == 0)
    tick_labels = [_number(t, _tick_decimals(ticks)) for t in ticks]
    value_labels = [_number(v, decimals) for v in values]
    # Long category names wrap onto more lines rather than squeeze the bars.
    max_chars = int(WIDTH * 0.38 / CHAR)
    wrapped = [_wrap(label, max_chars) for label in labels]
    line_height = FONT * 1.25
    row_heights = [max(40.0, len(lines) * line_height + 14) for lines in wrapped]
    left = 12 + max(_text_width(line) for lines in wrapped for line in lines)
    right = 12 + _text_width(max(value_labels, key=len))
    top, bottom = 8, 34
    height = top + sum(row_heights) + bottom
    plot = _Plot(left=left, top=top, right=WIDTH - right, bottom=height - bottom, top_value=ticks[-1])

    parts = [_x_grid(plot, ticks, tick_labels, unit)]
    row_top = plot.top
    for lines, value, value_label, row_height in zip(wrapped, values, value_labels, row_heights, strict=True):
        middle = row_top + row_height / 2
        bar_height = min(26.0, row_height - 14)
        end = plot.x(value)
        first_baseline = middle - (len(lines) - 1) * line_height / 2 + FONT * 0.35
        parts.append(
            _text(
                plot.left - 8,
                first_baseline,
                format_html_join(
                    "",
                    '<tspan x="{}" dy="{}">{}</tspan>',
                    ((_n(plot.left - 8), _n(line_height if n else 0), line) for n, line in enumerate(lines)),
                ),
                cls="chart-label",
                anchor="end",
            )
        )
        parts.append(
            format_html(
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _n(plot.left),
                _n(middle - bar_height / 2),
                _n(end - plot.left),
                _n(bar_height),
                BAR,
            )
        )
        parts.append(_text(end + 6, middle + FONT * 0.35, value_label, cls="chart-value", bold=True))
        row_top += row_height
    parts.append(
        format_html(
            '<line class="chart-axis" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{}" stroke-width="1.5"/>',
            _n(plot.top),
            _n(plot.bottom),
            INK,
            x=_n(plot.left),
        )
    )

    ids = _ids(title)
    svg = _svg(ids, title, description, height, parts)
    value_head = capfirst(unit) if unit else gettext("Number")
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        zip(labels, value_labels, strict=True),
    )
    table = format_html(
        '<table class="table chart-table"><caption>{}</caption><thead><tr><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        title,
        gettext("Category"),
        value_head,
        rows,
    )
    return _figure(title, svg, SafeString(""), table)


def nice_ticks(maximum: float, *, whole: bool = True) -> list[float]:
    """Three to five evenly spaced round ticks from 0 up to at least ``maximum``.

    Steps are 1, 2, 2.5 or 5 times a power of ten (2.5 only from 25 up, so counts keep whole ticks);
    ``whole`` keeps the step at 1 or more, for data that are counts.
    """
    if maximum <= 0:
        maximum = 1
    exponent = math.floor(math.log10(maximum / 4))
    if whole:
        exponent = max(exponent, 0)
    for power in (exponent, exponent + 1):
        for multiple in (1, 2, 2.5, 5):
            if multiple == 2.5 and power < 1:
                continue
            step = multiple * 10**power if power >= 0 else multiple / 10**-power
            intervals = math.ceil(maximum / step - 1e-9)
            if intervals <= 4:
                return [_clean(i * step) for i in range(max(intervals, 2) + 1)]
    raise AssertionError("unreachable: a step of ten times the magnitude always fits")  # pragma: no cover


# --- geometry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plot:
    left: float
    top: float
    right: float
    bottom: float
    top_value: float

    @property
    def width(self) -> float:
        return self.right - self.left

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * value / self.top_value

    def x(self, value: float) -> float:
        return self.left + self.width * value / self.top_value


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive known values, each a list of (month index, value)."""
    segments: list[list[tuple[int, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append((i, value))
    return [s for s in segments if s]


def _y_grid(plot: _Plot, ticks: list[float], labels: list[str], unit: str) -> SafeString:
    lines = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>{}',
        (
            (
                _n(plot.left),
                _n(plot.y(tick)),
                _n(plot.right),
                _n(plot.y(tick)),
                GRID,
                _text(plot.left - 8, plot.y(tick) + FONT * 0.35, label, anchor="end"),
            )
            for tick, label in zip(ticks, labels, strict=True)
        ),
    )
    return lines + _unit_label(unit, 4, FONT)


def _x_grid(plot: _Plot, ticks: list[float], labels: list[str], unit: str) -> SafeString:
    lines = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>{}',
        (
            (
                _n(plot.x(tick)),
                _n(plot.top),
                _n(plot.x(tick)),
                _n(plot.bottom),
                GRID,
                _text(plot.x(tick), plot.bottom + FONT + 6, label, anchor="middle"),
            )
            for tick, label in zip(ticks, labels, strict=True)
        ),
    )
    if unit:
        lines += _text(plot.right, plot.bottom + 2 * FONT + 10, unit, cls="chart-unit", anchor="end")
    return lines


def _unit_label(unit: str, x: float, y: float) -> SafeString:
    if not unit:
        return SafeString("")
    return _text(x, y, unit, cls="chart-unit")


def _x_month_labels(months: list[datetime.date], x: Callable[[int], float], baseline: float) -> SafeString:
    """A tick per month; a label on every month up to 12, else on every 2nd, 3rd, ... month.

    The year goes on a second line under the first label and under the first label of each new year.
    """
    every = math.ceil(len(months) / 12)
    parts = []
    last_year = None
    for i, month in enumerate(months):
        parts.append(
            format_html(
                '<line class="chart-tick-mark" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{}"/>',
                _n(baseline),
                _n(baseline + 5),
                INK,
                x=_n(x(i)),
            )
        )
        if i % every:
            continue
        year = (
            format_html('<tspan x="{}" dy="{}">{}</tspan>', _n(x(i)), _n(FONT * 1.3), month.year)
            if month.year != last_year
            else ""
        )
        last_year = month.year
        parts.append(
            _text(
                x(i),
                baseline + FONT + 6,
                format_html("{}{}", _month(month, pgettext("chart axis month, a date format", "M")), year),
                anchor="middle",
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every part went through format_html


def _text(
    x: float, y: float, content: str, *, cls: str = "chart-tick", anchor: str = "start", bold: bool = False
) -> SafeString:
    return format_html(
        '<text class="{}" x="{}" y="{}"{}{} font-size="{}" fill="{}">{}</text>',
        cls,
        _n(x),
        _n(y),
        format_html(' text-anchor="{}"', anchor) if anchor != "start" else "",
        mark_safe(' font-weight="bold"') if bold else "",
        FONT,
        INK,
        content,
    )


def _axis_line(plot: _Plot) -> SafeString:
    return format_html(
        '<line class="chart-axis" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="1.5"/>',
        _n(plot.left),
        _n(plot.right),
        INK,
        y=_n(plot.bottom),
    )


def _marker(style: _LineStyle, cx: float, cy: float) -> SafeString:
    """A point mark of about 10 units, filled in the line's colour, with a white rim to stand out."""
    common = format_html('fill="{}" stroke="#fff" stroke-width="1.5"', style.colour)
    if style.marker == "circle":
        return format_html('<circle cx="{}" cy="{}" r="5" {}/>', _n(cx), _n(cy), common)
    if style.marker == "square":
        return format_html('<rect x="{}" y="{}" width="10" height="10" {}/>', _n(cx - 5), _n(cy - 5), common)
    if style.marker == "triangle":
        points = ((cx, cy - 6.5), (cx - 6.5, cy + 5), (cx + 6.5, cy + 5))
    elif style.marker == "diamond":
        points = ((cx, cy - 7), (cx + 7, cy), (cx, cy + 7), (cx - 7, cy))
    else:  # a cross: drawn in the line's colour, thick enough to read as a shape
        return format_html(
            '<path d="M{a},{b}L{c},{d}M{a},{d}L{c},{b}" stroke="{}" stroke-width="3" fill="none"/>',
            style.colour,
            a=_n(cx - 5),
            b=_n(cy - 5),
            c=_n(cx + 5),
            d=_n(cy + 5),
        )
    return format_html(
        '<polygon points="{}" {}/>', " ".join(f"{_n(px)},{_n(py)}" for px, py in points), common
    )


def _dash_attr(dash: str) -> SafeString:
    return format_html(' stroke-dasharray="{}"', dash) if dash else SafeString("")


# --- HTML ------------------------------------------------------------------------------------


def _ids(title: str) -> tuple[str, str]:
    base = f"chart-{slugify(title)[:40]}-{uuid.uuid4().hex[:8]}".replace("--", "-")
    return f"{base}-title", f"{base}-desc"


def _svg(ids: tuple[str, str], title: str, description: str, height: float, parts: list) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" aria-labelledby="{} {}"'
        ' width="100%" viewBox="0 0 {} {}" font-size="{}"><title id="{}">{}</title><desc id="{}">{}</desc>'
        "{}</svg>",
        ids[0],
        ids[1],
        WIDTH,
        _n(height),
        FONT,
        ids[0],
        title,
        ids[1],
        description,
        mark_safe("".join(parts)),  # noqa: S308 - every part went through format_html
    )


def _figure(title: str, svg: SafeString, legend: SafeString, table: SafeString) -> SafeString:
    return format_html(
        '<figure class="chart"><figcaption class="chart-title">{}</figcaption>{}{}'
        '<details class="chart-data"><summary>{}</summary>{}</details></figure>',
        title,
        svg,
        legend,
        gettext("Show the figures as a table"),
        table,
    )


def _empty(title: str) -> SafeString:
    return format_html(
        '<figure class="chart chart-empty"><figcaption class="chart-title">{}</figcaption><p>{}</p></figure>',
        title,
        gettext("No figures for this period yet."),
    )


def _table_caption(title: str, unit: str) -> str:
    if not unit:
        return title
    return gettext("%(title)s, in %(unit)s") % {"title": title, "unit": unit}


# --- numbers and text ------------------------------------------------------------------------


def _check_not_negative(values: Sequence[float]) -> None:
    if any(v < 0 for v in values):
        raise ValueError("charts start at 0; negative values cannot be drawn")


def _decimals(values: Sequence[float]) -> int:
    """Whole numbers for counts; one decimal for the chart as soon as one value has a fraction."""
    return 0 if all(float(v).is_integer() for v in values) else 1


def _tick_decimals(ticks: list[float]) -> int:
    return max(len(repr(t).partition(".")[2].rstrip("0")) for t in ticks) if ticks else 0


def _number(value: float, decimals: int) -> str:
    # number_format cuts off digits (2.29 would read 2,2): round half up first, as people do.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimals, force_grouping=True)


def _value(value: float | None, decimals: int) -> str:
    return gettext("no figure") if value is None else _number(value, decimals)


def _month(month: datetime.date, fmt: str) -> str:
    return date_format(month, fmt)


def _text_width(text: str) -> float:
    return len(text) * CHAR


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _clean(value: float) -> float:
    """A tick without floating-point dust (0.30000000000000004 becomes 0.3); whole ticks as int."""
    value = round(value, 9)
    return int(value) if value.is_integer() else value


def _n(value: float) -> str:
    """A coordinate, short: one decimal at most."""
    return f"{value:.1f}".removesuffix(".0")
