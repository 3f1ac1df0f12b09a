"""Cleaning what people type, the same way in every app."""

from __future__ import annotations

import re

MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 8, 15
PHONE_CHARACTERS = re.compile(r"^[0-9+()\-./ ]+$")


def clean_text(text) -> str:
    """Trimmed, with one kind of line break and without NUL (PostgreSQL cannot store it)."""
    return str(text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def clean_line(text) -> str:
    """One line of text: trimmed, inner whitespace (line breaks too) made single spaces, no NUL."""
    return " ".join(str(text or "").replace("\x00", "").split())


def is_phone_number(text: str) -> bool:
    """Digits with the usual separators, 8 to 15 digits: 06 12345678, 050-1234567, +31 6 12345678."""
    digits = sum(c.isdigit() for c in text)
    return bool(PHONE_CHARACTERS.match(text)) and MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS
