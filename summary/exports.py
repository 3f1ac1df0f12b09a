"""The CSV of all figures: one row per house per figure, for Dutch Excel (UTF-8 with BOM, `;`)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from residents.spreadsheet import safe_cell
from summary import sections
from summary.figures import NO_FIGURE, Cell, Figure, Unit, format_value, small_text
from summary.selectors import CUR, PILOT, PREV

UNITS = {
    Unit.COUNT: lambda: _("number"),
    Unit.HOURS: lambda: _("hours"),
    Unit.PERCENT: lambda: _("percent"),
    Unit.AVERAGE: lambda: _("average"),
}


def csv_text(figure: Figure, cell: Cell | None) -> str:
    """A cell for a spreadsheet: a plain number (decimal comma), "< 5", or empty for no figure."""
    if cell is None or cell.value is None:
        return ""
    if cell.hidden:
        return small_text() if cell.text == small_text() else NO_FIGURE
    if cell.partial:
        return cell.text
    return format_value(figure.unit, cell.value, plain=True)


def csv_bytes(report) -> bytes:
    target_of = {key: target for target, key in sections.TARGETS.items()}
    figures = [f for view in report.sections for f in view.section.figures]
    first, last = f"{report.period.first_day:%d-%m-%Y}", f"{report.period.last_day:%d-%m-%Y}"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("House"),
            _("Figure"),
            _("Unit"),
            _("From"),
            _("Up to and including"),
            _("Value"),
            _("Previous period"),
            _("Target for the pilot"),
            _("In the pilot so far"),
        ]
    )
    for house in sorted(report.houses, key=lambda h: str(h.name).lower()):
        cells = report.per_house[house.pk]
        for figure in figures:
            target = target_of.get(figure.key)
            value = report.house_targets.get((house.pk, target.value)) if target else None
            writer.writerow(
                [
                    safe_cell(house.name),
                    str(figure.label),
                    UNITS[figure.unit](),
                    first,
                    last,
                    csv_text(figure, cells[CUR].get(figure.key)),
                    csv_text(figure, cells[PREV].get(figure.key)),
                    "" if value is None else value,
                    csv_text(figure, cells[PILOT].get(figure.key)) if value is not None else "",
                ]
            )
    if not report.single:
        targets = {row.figure.key: row for row in report.targets}
        for figure in figures:
            row = targets.get(figure.key)
            writer.writerow(
                [
                    _("All houses"),
                    str(figure.label),
                    UNITS[figure.unit](),
                    first,
                    last,
                    csv_text(figure, report.totals[CUR][figure.key]),
                    csv_text(figure, report.totals[PREV][figure.key]),
                    row.target if row else "",
                    csv_text(figure, row.actual) if row else "",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
