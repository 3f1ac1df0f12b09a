"""A person's data from every app, gathered from the registry (residents.registry.personal_data):
as sections for /mijn/gegevens/ and as a ZIP to download (data.json, one CSV per kind, a README).

Each app's `rows(user)` returns plain values (text, numbers, yes/no, dates, lists); how a value reads
on the page, in a spreadsheet and in JSON is decided here, once for all apps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from residents import registry
from residents.audit import record_export
from residents.spreadsheet import safe_cell


@dataclass(frozen=True)
class Section:
    """One kind of record and the person's rows of it."""

    entry: registry.PersonalData
    rows: list[dict]

    @property
    def key(self) -> str:
        return self.entry.key


def collect(user) -> list[Section]:
    """Every registered kind of personal data with `user`'s rows, in the registry's order."""
    return [Section(entry, list(entry.rows(user))) for entry in registry.personal_data]


# --- one value, three ways ---------------------------------------------------------------------


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def display_value(value: Any) -> str:
    """A value as it reads on the page: Dutch long dates, the 24-hour clock, yes/no, a dash for nothing."""
    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(_local(value), "j F Y, H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "j F Y")
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, list | tuple):
        return ", ".join(display_value(v) for v in value)
    return str(value)


def csv_value(value: Any) -> str:
    """A value for a spreadsheet cell: ISO dates (year-month-day) in Dutch time, never a formula."""
    if value is None:
        return ""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dt.datetime):
        return safe_cell(f"{_local(value):%Y-%m-%d %H:%M}")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, list | tuple):
        return safe_cell(", ".join(csv_value(v) for v in value))
    return safe_cell(value)


def json_value(value: Any) -> Any:
    """A value for data.json: ISO 8601 dates and times (with the offset of Dutch time)."""
    if isinstance(value, dt.datetime):
        return _local(value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --- the download ------------------------------------------------------------------------------


def filename(now: dt.datetime | None = None) -> str:
    day = timezone.localdate(now or timezone.now())
    return f"wijkhuis-gegevens-{day:%Y-%m-%d}.zip"


def _csv_bytes(section: Section) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the accents right
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    columns = section.entry.columns
    writer.writerow([safe_cell(str(label)) for _key, label in columns])
    for row in section.rows:
        writer.writerow([csv_value(row.get(key)) for key, _label in columns])
    return out.getvalue().encode("utf-8")


def _json_bytes(person, sections: list[Section], now: dt.datetime) -> bytes:
    data = {
        "made_at": json_value(now),
        "person": person.pk,
        "language": translation.get_language(),
        "entries": [
            {
                "key": s.key,
                "title": str(s.entry.title),
                "about": str(s.entry.about),
                "columns": {key: str(label) for key, label in s.entry.columns},
                "rows": [{key: json_value(value) for key, value in row.items()} for row in s.rows],
            }
            for s in sections
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _readme(person, sections: list[Section], now: dt.datetime) -> bytes:
    text = render_to_string(
        "residents/export_readme.txt",
        {
            "name": person.name,
            "made": formats.date_format(_local(now), "j F Y, H:i"),
            "files": [
                {
                    "name": f"{s.key}.csv",
                    "title": str(s.entry.title),
                    "about": str(s.entry.about),
                    "count": len(s.rows),
                }
                for s in sections
            ],
            "privacy_url": settings.SITE_URL + reverse("privacy"),
        },
    )
    return text.replace("\n", "\r\n").encode("utf-8")


def build_zip(person, *, now: dt.datetime | None = None) -> bytes:
    """The ZIP of everything the portal holds about `person`, in their own language."""
    now = now or timezone.now()
    language = person.language if person.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        sections = collect(person)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", _readme(person, sections, now))
            archive.writestr("data.json", _json_bytes(person, sections, now))
            for section in sections:
                archive.writestr(f"{section.key}.csv", _csv_bytes(section))
    return buffer.getvalue()


def export(*, person, by, house=None) -> tuple[str, bytes]:
    """Make `person`'s export for `by` (the person, or staff of `house` on their request) and record
    it in the audit trail, in one transaction: no download without its audit row."""
    now = timezone.now()
    with transaction.atomic():
        # Recorded first, so the export lists itself; if making the ZIP fails, the row goes too.
        record_export(by=by, person=person, house=house)
        data = build_zip(person, now=now)
    return filename(now), data
