"""The Dutch catalogue is complete, compiled, and keeps every placeholder and tag of the English."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|<[^>]+>")


def _entries():
    return [e for e in polib.pofile(str(PO)) if e.msgid and not e.obsolete]


def test_every_string_is_translated_and_not_fuzzy():
    missing = [e.msgid for e in _entries() if not e.translated()]
    fuzzy = [e.msgid for e in _entries() if "fuzzy" in e.flags]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy (ignored at runtime): {fuzzy[:10]}"


def _translation(entry):
    return {int(k): v for k, v in entry.msgstr_plural.items()} if entry.msgid_plural else entry.msgstr


def stale_entries(po_entries, mo_path=MO) -> list[str]:
    compiled = {(e.msgctxt, e.msgid): _translation(e) for e in polib.mofile(str(mo_path))}
    return [e.msgid for e in po_entries if compiled.get((e.msgctxt, e.msgid)) != _translation(e)]


def test_compiled_catalogue_matches_the_po_file():
    stale = stale_entries(_entries())
    assert not stale, f"run compilemessages; out of date in django.mo: {stale[:10]}"


def test_negative_control_a_changed_translation_is_noticed():
    singular = next(e for e in _entries() if not e.msgid_plural)
    plural = next(e for e in _entries() if e.msgid_plural)
    singular.msgstr += " (changed)"
    plural.msgstr_plural[1] += " (changed)"
    assert stale_entries([singular, plural]) == [singular.msgid, plural.msgid]


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e.msgid[:40])
def test_placeholders_and_tags_survive(entry):
    if not entry.msgid_plural:
        pairs = [(entry.msgid, entry.msgstr)]
    else:  # Dutch has two forms, like English: the singular and the plural
        forms = {int(k): v for k, v in entry.msgstr_plural.items()}
        pairs = [(entry.msgid, forms[0]), (entry.msgid_plural, forms[1])]
    for source, text in pairs:
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), text


def test_dutch_is_what_people_read():
    with translation.override("nl"):
        assert translation.gettext("Skip to the content") == "Naar de inhoud"
        # Package texts we word with informal "je" (residents/wording.py)
        assert translation.gettext("Your password can’t be entirely numeric.").startswith("Je ")


def test_no_other_names_for_gettext():
    """makemessages finds only the usual names (_ , gettext_lazy, ...); `gl = gettext_lazy` would make
    its strings look unused, so the next catalogue update drops their translations."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    alias = re.compile(
        r"^\s*(?!_\s*=)\w+\s*=\s*(?:gettext|gettext_lazy|ngettext|pgettext|pgettext_lazy)\s*$", re.M
    )
    imported = re.compile(r"import\s+(?:gettext|gettext_lazy|ngettext|pgettext)\s+as\s+(?!_\b)\w+")
    found = []
    for app in ("wijkhuis", "residents", "activities", "duties", "news", "summary"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text()
            found += [f"{path.relative_to(root)}: {m.group(0).strip()}" for m in alias.finditer(text)]
            found += [f"{path.relative_to(root)}: {m.group(0).strip()}" for m in imported.finditer(text)]
    assert not found, found
    assert alias.search("gl = gettext_lazy\n") and imported.search("import gettext_lazy as gl")  # it can fail
