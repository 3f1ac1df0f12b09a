"""Cells for the CSV files people open in a spreadsheet (hours export, pilot summary)."""

from __future__ import annotations


def safe_cell(value) -> str:
    """A spreadsheet must not run a cell as a formula: prefix = + - @ (and tab, CR) with a quote."""
    text = "" if value is None else str(value)
    if text and text[0] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
