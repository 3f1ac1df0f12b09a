"""The summary as a PDF (fpdf2): the figures, the targets and the story, with one simple bar chart.

The print view is the main take-away; this is for mailing. Same report, same privacy rules.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from duties.statement import add_fonts
from summary import periods
from summary.figures import number

GREY = (85, 85, 85)


def _span(period) -> str:
    return _("%(first)s up to and including %(last)s") % {
        "first": date_format(period.first_day, "j F Y"),
        "last": date_format(period.last_day, "j F Y"),
    }


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, _("Page %(n)s") % {"n": self.page_no()}, align="R")


def render_pdf(report) -> bytes:
    pdf = _Pdf(format="A4", unit="mm")
    title = _("Summary of the pilot")
    who = report.houses[0].name if report.single else _("All houses")
    pdf.set_title(f"{title} · {who}")
    pdf.set_author("Wijkhuis")
    add_fonts(pdf)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int = 13) -> None:
        if pdf.will_page_break(30):  # a heading with its table's first rows, never alone
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(width, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(0, 0, 0)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(1.5)

    def text(value: str, size: int = 10, bold: bool = False, height: float = 5) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(width, height, value, new_x="LMARGIN", new_y="NEXT")

    def table(headings: list[str], rows: list[list[str]], widths: list[float]) -> None:
        pdf.set_font("DejaVu", "B", 9)
        for w, h in zip(widths, headings, strict=True):
            pdf.cell(w, 6, h, border="B", align="L" if w == widths[0] else "R")
        pdf.ln()
        pdf.set_font("DejaVu", "", 9)
        for row in rows:
            if pdf.will_page_break(6):
                pdf.add_page()
            for i, (w, value) in enumerate(zip(widths, row, strict=True)):
                pdf.cell(w, 5.5, value, border="B", align="L" if i == 0 else "R")
            pdf.ln()

    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(width, 9, f"{title}: {who}", new_x="LMARGIN", new_y="NEXT")
    label = report.period.label[:1].upper() + report.period.label[1:]
    if report.period.kind in (periods.MONTH, periods.QUARTER, periods.YEAR):
        label = f"{label} ({_span(report.period)})"
    text(label, 11, bold=True)
    text(_("Compared with the period before: %(span)s.") % {"span": _span(report.previous)})
    if not report.single:
        text(_("%(n)s houses.") % {"n": len(report.houses)})
    pdf.set_text_color(*GREY)
    text(
        _("Only totals, never a person: “< 5” means fewer than 5 people, “–” no figure. Made on %(day)s.")
        % {"day": date_format(report.now, "j F Y")},
        8,
    )
    pdf.set_text_color(0, 0, 0)

    heading(_("In short"))
    label_w = width - 3 * 32
    table(
        [_("Figure"), _("This period"), _("Period before"), ""],
        [[str(r.figure.label), r.now.text, r.before.text, ""] for r in report.key_rows],
        [label_w, 32, 32, 32],
    )

    heading(_("Targets of the pilot"))
    if report.targets:
        text(
            _("So far in the pilot (%(span)s), against the target for the whole pilot.")
            % {"span": _span(report.pilot)},
            9,
        )
        pdf.ln(1)
        table(
            [_("Target"), _("So far"), _("Target"), _("Status")],
            [
                [str(r.label)[:1].upper() + str(r.label)[1:], r.actual.text, r.target_text, r.status_text]
                for r in report.targets
            ],
            [width - 3 * 32, 32, 32, 32],
        )
    else:
        text(_("No targets have been set for this pilot yet."), 10)

    if report.stories:
        heading(_("What residents say"))
        for story in report.stories[:3]:
            text(story.title, 11, bold=True)
            pdf.set_text_color(*GREY)
            meta = _span(story) if report.single else f"{story.house.name} · {_span(story)}"
            text(meta, 8.5)
            pdf.set_text_color(0, 0, 0)
            text(story.text, 10)
            for quote in story.quotes.all():
                pdf.set_x(pdf.l_margin + 6)
                pdf.set_font("DejaVu", "", 10)
                said = f" – {quote.said_by}" if quote.said_by else ""
                pdf.multi_cell(width - 6, 5, f"“{quote.text}”{said}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)

    for view in report.sections:
        heading(str(view.section.title), 12)
        table(
            [_("Figure"), _("This period"), _("Period before"), _("Difference")],
            [[str(r.figure.label), r.now.text, r.before.text, r.change or "–"] for r in view.rows],
            [width - 3 * 32, 28, 28, 36],
        )

    _activity_bars(pdf, report, width, heading)

    if not report.single:
        heading(_("Per house"), 12)
        columns = report.columns[:4]
        table(
            [_("House"), *[str(f.label) for f in columns]],
            [
                [str(row.house.name)[:38], *[c.text for c in row.cells[:4]]]
                for row in sorted(report.house_rows, key=lambda r: str(r.house.name).lower())
            ],
            [width - 4 * 28, 28, 28, 28, 28],
        )
    pdf.ln(4)
    pdf.set_text_color(*GREY)
    text(_("The charts of every figure per month are in the print view of the summary on the website."), 8.5)
    return bytes(pdf.output())


def _activity_bars(pdf, report, width, heading) -> None:
    """Activities held per month as simple black bars (counts of activities: never people)."""
    months = report.period.months()
    if len(months) < 2:
        return
    values = [report.store.month("activities_held", m) for m in months]
    if not any(values):
        return
    heading(_("Activities held per month"), 12)
    top = max(values)
    label_w, bar_w = 30, width - 30 - 16
    pdf.set_font("DejaVu", "", 8.5)
    for month, value in zip(months, values, strict=True):
        if pdf.will_page_break(5):
            pdf.add_page()
        y = pdf.get_y()
        pdf.cell(label_w, 4.5, date_format(month, "M Y"))
        pdf.set_fill_color(40, 40, 40)
        if value:
            pdf.rect(pdf.l_margin + label_w, y + 0.8, bar_w * value / top, 3, style="F")
        pdf.set_xy(pdf.l_margin + label_w + bar_w * value / top + 1.5, y)
        pdf.cell(14, 4.5, number(value))
        pdf.ln(4.5)
