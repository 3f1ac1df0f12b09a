"""The statement of approved hours as a PDF (fpdf2: pure Python, installs from PyPI alone)."""

from __future__ import annotations

from pathlib import Path

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"


def add_fonts(pdf: FPDF, family: str = "DejaVu") -> None:
    """Our PDFs' font (DejaVu, regular and bold, from duties/fonts): covers Dutch, Turkish, Arabic names."""
    pdf.add_font(family, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(family, "B", str(FONTS / "DejaVuSans-Bold.ttf"))


def _hours(value) -> str:
    return f"{value}".replace(".", ",")


def render_pdf(data: dict) -> bytes:
    """`data` as made by hours_views._statement_data."""
    obligation, student, house = data["obligation"], data["student"], data["house"]
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(_("Statement of community hours"))
    pdf.set_author(house.name)
    # Machine-readable total in the metadata (the text itself is stored as glyphs of the font).
    pdf.set_keywords(f"total-minutes:{data['total_minutes']}")
    add_fonts(pdf)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 9, _("Statement of community hours"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 11)
    lines = [
        (_("Student"), student.name),
        (_("House"), f"{house.name}, {house.address}" if getattr(house, "address", "") else house.name),
        (
            _("Period"),
            f"{date_format(obligation.first_day, 'j F Y')} – {date_format(obligation.last_day, 'j F Y')}",
        ),
        (_("Hours required"), str(obligation.hours_required)),
    ]
    for label, value in lines:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(40, 7, f"{label}:")
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(width - 40, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    widths = (30, 30, 18, width - 78)
    headings = (_("Date"), _("Time"), _("Hours"), _("What"))
    pdf.set_font("DejaVu", "B", 10)
    for w, heading in zip(widths, headings, strict=True):
        pdf.cell(w, 7, heading, border="B")
    pdf.ln()
    pdf.set_font("DejaVu", "", 10)
    if not data["rows"]:
        pdf.multi_cell(width, 7, _("No approved hours in this period."), new_x="LMARGIN", new_y="NEXT")
    for row in data["rows"]:
        y = pdf.get_y()
        pdf.cell(widths[0], 6, f"{row['start']:%d-%m-%Y}")
        pdf.cell(widths[1], 6, f"{row['start']:%H:%M}–{row['end']:%H:%M}")
        pdf.cell(widths[2], 6, _hours(row["hours"]), align="R")
        x = pdf.l_margin + sum(widths[:3]) + 2
        pdf.set_xy(x, y)
        pdf.multi_cell(widths[3] - 2, 6, row["what"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(widths[0] + widths[1], 8, _("Total"), border="T")
    pdf.cell(widths[2], 8, _hours(data["total_hours"]), border="T", align="R")
    pdf.cell(widths[3], 8, _("hours"), border="T", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)

    pdf.set_font("DejaVu", "", 11)
    coordinator = data["coordinator"]
    pdf.multi_cell(
        width,
        7,
        _("The hours above are approved by the house. Signed off for %(house)s by:") % {"house": house.name},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(
        width, 7, coordinator.name if coordinator else _("(coordinator)"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(
        width,
        7,
        _("Date: %(date)s") % {"date": date_format(data["today"], "j F Y")},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(12)
    pdf.cell(80, 7, _("Signature:"), border="B", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
