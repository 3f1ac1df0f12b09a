"""The download of a person's data (/mijn/gegevens/download/) and staff's download for a member on
their request: a ZIP with data.json, one CSV per kind and a README in the person's language,
recorded in the audit trail."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from residents import registry
from residents.export import build_zip
from residents.models import AuditEvent
from tests.residents.test_my_data import NEVER, SHOWN, everything

pytestmark = pytest.mark.django_db

DOWNLOAD = "/mijn/gegevens/download/"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")


@pytest.fixture
def full(house, student, resident, coordinator):
    return everything(house, student, resident, coordinator)


def opened(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def csv_rows(archive: zipfile.ZipFile, key: str) -> list[list[str]]:
    raw = archive.read(f"{key}.csv")
    assert raw.startswith("\ufeff".encode()), "UTF-8 with a BOM, for spreadsheet programs"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="person.exported").order_by("pk"))


def test_the_download_holds_every_kind_of_record_in_json_and_csv(full, student, client_for):
    response = client_for(student).post(DOWNLOAD)
    archive = opened(response)
    keys = [entry.key for entry in registry.personal_data]
    assert sorted(archive.namelist()) == sorted(["README.txt", "data.json", *(f"{k}.csv" for k in keys)])
    data = json.loads(archive.read("data.json"))
    assert [e["key"] for e in data["entries"]] == keys
    by_key = {e["key"]: e for e in data["entries"]}
    for key, shown in SHOWN.items():
        entry = by_key[key]
        assert entry["title"] and entry["rows"], key
        assert shown in json.dumps(entry["rows"], ensure_ascii=False), key
        rows = csv_rows(archive, key)
        assert len(rows) == 1 + len(entry["rows"]), key
        assert rows[0] == list(entry["columns"].values()), key
        assert any(shown in cell for row in rows[1:] for cell in row), key


def test_dates_are_iso_8601_in_json_and_year_month_day_in_csv(full, student, client_for):
    archive = opened(client_for(student).post(DOWNLOAD))
    data = json.loads(archive.read("data.json"))
    booking = next(e for e in data["entries"] if e["key"] == "bookings")["rows"][0]
    start = timezone.localtime(full["booking"].start)
    assert booking["start"] == start.isoformat()
    assert ISO.match(booking["start"]) and ISO.match(data["made_at"])
    header, row = csv_rows(archive, "bookings")[:2]
    assert row[header.index("Van")] == f"{start:%Y-%m-%d %H:%M}"
    assert row[header.index("Status")] == "bevestigd"
    assert row[header.index("Titel voor iedereen zichtbaar")] == "nee"
    ballot = next(e for e in data["entries"] if e["key"] == "poll_votes")["rows"][0]
    assert ballot["answers"] == ["Donderdagmiddag"]


def test_nothing_of_the_team_or_of_others_is_in_the_download(full, student, client_for):
    archive = opened(client_for(student).post(DOWNLOAD))
    everything_in_it = "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    for text in NEVER:
        assert text not in everything_in_it, text
    assert full["feed"].token not in everything_in_it
    assert "198.51.100.9" not in everything_in_it


def test_response_headers_name_the_file_and_forbid_caching(full, student, client_for):
    response = client_for(student).post(DOWNLOAD)
    day = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="wijkhuis-gegevens-{day:%Y-%m-%d}.zip"'
    assert response["Cache-Control"] == "no-store"


def test_the_readme_is_in_dutch(full, student, client_for):
    archive = opened(client_for(student).post(DOWNLOAD))
    readme = archive.read("README.txt").decode("utf-8")
    assert readme.startswith("Je gegevens in Wijkhuis")
    assert "Sam Student" in readme
    assert "bookings.csv" in readme and "Je boekingen van de huiskamer" in readme
    assert "puntkomma" in readme
    assert "/privacy/" in readme


def test_an_english_user_gets_it_in_english(full, student, client_for):
    student.language = "en"
    student.save(update_fields=["language"])
    archive = opened(client_for(student).post(DOWNLOAD))
    readme = archive.read("README.txt").decode("utf-8")
    assert readme.startswith("Your data in Wijkhuis")
    assert "semicolon" in readme and "Je boekingen" not in readme
    header = csv_rows(archive, "bookings")[0]
    assert header[:3] == ["House", "Room", "From"]
    data = json.loads(archive.read("data.json"))
    assert data["language"] == "en"
    signup = next(e for e in data["entries"] if e["key"] == "signups")["rows"][0]
    assert signup["status"] == "on the waiting list"


def test_staff_download_gets_the_members_language_not_their_own(
    full, house, student, staff, client_for, mfa_off
):
    student.language = "en"
    student.save(update_fields=["language"])
    url = reverse("residents:person_export", kwargs={"house": house.slug, "user_id": student.pk})
    archive = opened(client_for(staff).post(url))
    assert archive.read("README.txt").decode().startswith("Your data in Wijkhuis")


def test_the_download_is_recorded_in_the_audit_trail(full, student, client_for):
    client_for(student).post(DOWNLOAD)
    (event,) = exports()
    assert (event.actor, event.on_behalf_of, event.target_id) == (student, None, str(student.pk))
    assert event.target_repr == f"#{student.pk}" and event.changes == {}


def test_the_download_lists_itself_in_the_audit_section(full, student, client_for):
    archive = opened(client_for(student).post(DOWNLOAD))
    trail = next(e for e in json.loads(archive.read("data.json"))["entries"] if e["key"] == "audit_trail")
    assert {"what": "Persoonsgegevens gedownload", "house": "", "part": "door jou gedaan"} in [
        {k: row[k] for k in ("what", "house", "part")} for row in trail["rows"]
    ]


# --- bad input -------------------------------------------------------------------------------


def test_get_is_not_allowed(student, client_for):
    assert client_for(student).get(DOWNLOAD).status_code == 405
    assert not exports()


def test_anonymous_is_sent_to_log_in(client_for):
    response = client_for(None).post(DOWNLOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not exports()


def test_post_data_cannot_ask_for_someone_else(full, student, resident, client_for):
    response = client_for(resident).post(DOWNLOAD, {"user_id": student.pk, "person": student.pk})
    data = json.loads(opened(response).read("data.json"))
    account = next(e for e in data["entries"] if e["key"] == "account")["rows"]
    assert account[0]["email"] == "bewoner@example.nl"
    assert "student@example.nl" not in json.dumps(data)
    (event,) = exports()
    assert event.target_id == str(resident.pk)


def test_no_audit_row_without_a_download(full, student, monkeypatch):
    """The audit row and the ZIP are made in one transaction: when making the ZIP fails, neither stays."""
    from residents import export

    made = export.export(person=student, by=student)  # the negative control: it can write the row
    assert made[1] and len(exports()) == 1

    def broken(person, *, now=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "build_zip", broken)
    with pytest.raises(RuntimeError):
        export.export(person=student, by=student)
    assert len(exports()) == 1


# --- staff, on a member's request --------------------------------------------------------------


def person_export_url(house, person) -> str:
    return reverse("residents:person_export", kwargs={"house": house.slug, "user_id": person.pk})


def test_staff_download_a_members_data_and_it_is_recorded(full, house, student, staff, client_for, mfa_off):
    page = client_for(staff).get(
        reverse("residents:person", kwargs={"house": house.slug, "user_id": student.pk})
    )
    assert f'action="{person_export_url(house, student)}"' in page.content.decode()
    archive = opened(client_for(staff).post(person_export_url(house, student)))
    data = json.loads(archive.read("data.json"))
    assert data["person"] == student.pk
    account = next(e for e in data["entries"] if e["key"] == "account")["rows"]
    assert account[0]["email"] == "student@example.nl"
    (event,) = exports()
    assert (event.actor, event.on_behalf_of, event.house) == (staff, student, house)


@pytest.mark.parametrize("persona", ["resident", "coordinator", "viewer", "outsider"])
def test_others_may_not_download_a_members_data(full, house, student, persona, request, client_for, mfa_off):
    response = client_for(request.getfixturevalue(persona)).post(person_export_url(house, student))
    assert response.status_code == 403
    assert not exports()


def test_staff_cannot_download_someone_of_another_house(house, staff, outsider, client_for, mfa_off):
    assert client_for(staff).post(person_export_url(house, outsider)).status_code == 404
    url = reverse("residents:person_export", kwargs={"house": house.slug, "user_id": 999999})
    assert client_for(staff).post(url).status_code == 404
    assert not exports()


def test_staff_download_needs_a_post(house, staff, student, client_for, mfa_off):
    assert client_for(staff).get(person_export_url(house, student)).status_code == 405


def test_anonymous_staff_download_is_sent_to_log_in(house, student, client_for):
    response = client_for(None).post(person_export_url(house, student))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# --- the builder -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 60])
def test_the_export_takes_a_fixed_number_of_queries(n, full, house, student, django_assert_max_num_queries):
    from tests.residents.test_my_data import _more_of_everything

    _more_of_everything(house, student, n)
    with django_assert_max_num_queries(len(registry.personal_data)):
        archive = zipfile.ZipFile(io.BytesIO(build_zip(student)))
    assert len(csv_rows(archive, "bookings")) == 1 + 1 + n


def test_a_spreadsheet_never_runs_a_cell_as_a_formula(house, student, client_for):
    from residents.models import Membership

    Membership.objects.filter(user=student).update(motivation='=HYPERLINK("http://evil")')
    archive = opened(client_for(student).post(DOWNLOAD))
    header, row = csv_rows(archive, "memberships")[:2]
    assert row[header.index("Je bericht")].startswith("'=")
