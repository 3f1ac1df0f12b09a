"""Backups: `manage.py backup` and `manage.py restore` make a full round trip; damaged or mismatched
backups are refused before anything changes; pg_dump/pg_restore match the server's major version.

The commands work on the test database (settings.DATABASES["default"]["NAME"] at test time), so the
round-trip tests are transactional: pg_dump sees only committed rows.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from PIL import Image

from activities.models import Booking
from news.comments import add_comment
from news.models import Comment, Post, PostImage
from news.services import create_post
from residents.models import User
from tests.activities.factories import at, days_ahead, make_booking, make_room
from tests.factories import make_house, make_user
from wijkhuis import backup
from wijkhuis.backup import BackupError, Tools, find_tools, libpq_environment

# --- helpers ----------------------------------------------------------------------------------


def photo(name="foto.jpg", colour=(200, 100, 50)):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def seed() -> dict:
    """Realistic rows in several apps, and news pictures in the media storage."""
    house = make_house("w4", "W4, Witmondplein 4", district="Patrimonium")
    other = make_house("buurtthuis", "BuurtThuis Wingerd", street="Wingerd 12", postcode="9741 CD")
    resident = make_user("bewoner@example.nl", "Bea Bewoner", house, "resident")
    staff = make_user("medewerker@example.nl", "Mila Medewerker", house, "staff")
    make_user("buiten@example.nl", "Bo Buiten", other, "resident")
    room = make_room(house)
    day = days_ahead(3)
    booking = make_booking(room, resident, at(day, "14:00"), at(day, "16:30"), title="Verjaardag oma Truus")
    make_booking(room, staff, at(day, "19:00"), at(day, "21:00"), title="Buurtoverleg")
    post = create_post(
        by=staff,
        house=house,
        data={
            "title": "Koffie op dinsdag",
            "summary": "Elke dinsdag koffie",
            "body": "**Welkom** bij de koffie",
            "status": Post.Status.PUBLISHED,
            "publish_at": None,
            "pinned": False,
            "audience": Post.Audience.PUBLIC,
            "comments_enabled": True,
            "photo_consent": True,
        },
        images=[(photo(), "Koffiekopjes op tafel"), (photo("b.jpg", (10, 120, 200)), "De huiskamer")],
    )
    add_comment(post=post, by=resident, body="Gezellig, ik kom!")
    return {"booking": booking, "post": post, "resident": resident}


def media_files() -> dict[str, bytes]:
    root = Path(default_storage.location)
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith("health/")
    }


def wipe_media() -> None:
    for name in media_files():
        default_storage.delete(name)


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def only_backup(folder: Path) -> Path:
    [made] = [p for p in folder.iterdir() if p.is_dir()]
    return made


def state() -> dict:
    booking = Booking.objects.get(title="Verjaardag oma Truus")
    return {
        "rows": backup.table_rows(),
        "booking": (booking.pk, booking.period, booking.title, booking.room.name, booking.booker.email),
        "people": sorted(User.objects.values_list("pk", "email", "name")),
        "posts": sorted(Post.objects.values_list("pk", "title", "body_html")),
        "images": sorted(PostImage.objects.values_list("detail", "listing", "printed", "alt")),
        "comments": sorted(Comment.objects.values_list("body", flat=True)),
    }


# --- the round trip ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_round_trip_seed_backup_wipe_restore(tmp_path, settings):
    seeded = seed()
    # A probe the health check left behind (a crash between write and delete) is not backed up.
    default_storage.save("health/probe-left-behind", io.BytesIO(b"probe"))
    before, files_before = state(), media_files()
    assert len(files_before) == 6  # two pictures in three sizes
    assert before["rows"]["activities_booking"] == 2 and before["rows"]["residents_user"] == 3

    output = run("backup", "--to", str(tmp_path / "backups"))
    made = only_backup(tmp_path / "backups")
    assert "Backup complete" in output and made.name in output
    assert dt.datetime.strptime(made.name, "%Y-%m-%dT%H%M%SZ")  # named by UTC time
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["database"]["server_major"] == connection.pg_version // 10000
    assert manifest["database"]["pg_dump_major"] >= manifest["database"]["server_major"]
    assert manifest["media"]["files"] == 6
    assert manifest["media"]["bytes"] == sum(len(b) for b in files_before.values())
    assert "0001_initial" in manifest["migrations"]["activities"]
    assert set(manifest["files"]) == {"database.dump"} | {f"media/{n}" for n in files_before}
    assert (made / "media" / next(iter(files_before))).read_bytes() == next(iter(files_before.values()))
    assert oct(made.stat().st_mode & 0o777) == "0o700"  # personal data: the owner only

    # Wipe: every row and every file gone; a file added after the backup is there instead.
    call_command("flush", interactive=False)
    wipe_media()
    default_storage.save("news/added-after-the-backup.jpg", io.BytesIO(b"newer"))
    assert not Booking.objects.exists() and not User.objects.exists()

    output = run("restore", str(made), "--yes")

    assert state() == before
    assert media_files() == files_before  # same names, same bytes; the newer file is gone
    assert "Restore complete" in output and "erase_accounts" in output
    # The portal works on the restored database.
    booking = Booking.objects.get(pk=seeded["booking"].pk)
    assert booking.period == DateTimeTZRange(at(days_ahead(3), "14:00"), at(days_ahead(3), "16:30"))
    assert PostImage.objects.first().detail.read() == files_before[PostImage.objects.first().detail.name]


@pytest.mark.django_db(transaction=True)
def test_round_trip_through_a_storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "bucket")},
        },
    }
    seed()
    before, files_before = state(), media_files()
    output = run("backup", "--to-storage", "backups")
    [name] = os.listdir(tmp_path / "bucket")
    assert f'{name} in storage "backups"' in output
    assert (tmp_path / "bucket" / name / "manifest.json").is_file()

    call_command("flush", interactive=False)
    wipe_media()
    run("restore", name, "--from-storage", "backups", "--yes")

    assert state() == before
    assert media_files() == files_before


@pytest.mark.django_db(transaction=True)
def test_restore_without_yes_into_a_database_with_data_is_refused(tmp_path):
    seed()
    run("backup", "--to", str(tmp_path))
    made = only_backup(tmp_path)
    make_user("nieuw@example.nl", "Nina Nieuw")
    with pytest.raises(CommandError) as refused:
        run("restore", str(made))
    message = str(refused.value)
    assert "residents_user 4" in message  # says what is there now
    assert "is lost" in message and "--yes" in message
    assert User.objects.filter(email="nieuw@example.nl").exists()  # nothing changed


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("damaged", ["database.dump", "a picture"])
def test_damaged_backup_is_refused_and_nothing_changes(tmp_path, damaged):
    seed()
    run("backup", "--to", str(tmp_path))
    made = only_backup(tmp_path)
    target = made / "database.dump" if damaged == "database.dump" else next((made / "media").rglob("*.jpg"))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte
    target.write_bytes(bytes(data))
    make_user("nieuw@example.nl", "Nina Nieuw")
    files_now, rows_now = media_files(), backup.table_rows()

    with pytest.raises(CommandError, match="damaged; nothing was changed") as refused:
        run("restore", str(made), "--yes")

    assert "sha256" in str(refused.value)
    assert backup.table_rows() == rows_now
    assert User.objects.filter(email="nieuw@example.nl").exists()
    assert media_files() == files_now


@pytest.mark.django_db(transaction=True)
def test_backup_of_a_newer_major_version_is_refused(tmp_path):
    seed()
    run("backup", "--to", str(tmp_path))
    made = only_backup(tmp_path)
    manifest = json.loads((made / "manifest.json").read_text())
    manifest["database"]["server_major"] = 99
    (made / "manifest.json").write_text(json.dumps(manifest))
    rows_now = backup.table_rows()
    with pytest.raises(CommandError, match="made from PostgreSQL 99") as refused:
        run("restore", str(made), "--yes")
    assert "older major version" in str(refused.value)
    assert backup.table_rows() == rows_now


@pytest.mark.django_db(transaction=True)
def test_restore_drops_tables_the_backup_does_not_have(tmp_path):
    """After a later migration made a table, rolling back must not leave it (migrate would stumble)."""
    seed()
    run("backup", "--to", str(tmp_path))
    made = only_backup(tmp_path)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE later_feature (id bigint PRIMARY KEY, "
            "user_id bigint REFERENCES residents_user (id))"
        )
    output = run("restore", str(made), "--yes")
    assert "later_feature" in output
    assert "later_feature" not in backup.table_rows()


@pytest.mark.django_db(transaction=True)
def test_restore_names_accounts_deleted_after_the_backup(tmp_path):
    from residents import leaving

    seeded = seed()
    run("backup", "--to", str(tmp_path))
    made = only_backup(tmp_path)
    leaving.erase(seeded["resident"], by=seeded["resident"])
    output = run("restore", str(made), "--yes")
    assert f"erase_accounts {seeded['resident'].pk}`" in output
    assert User.objects.get(pk=seeded["resident"].pk).erased_at is None  # back, as the text warns


@pytest.mark.django_db
def test_the_password_goes_in_the_environment_never_on_the_command_line(tmp_path, monkeypatch):
    calls = []
    original = backup._run

    def recording(args, env, what):
        calls.append((args, env))
        return original(args, env, what)

    monkeypatch.setattr(backup, "_run", recording)
    # pg_dump runs outside the test's transaction; an empty database is enough here.
    backup.make_backup(to_dir=tmp_path, say=lambda line: None)
    assert calls and all(str(a).startswith(("/", "--")) for args, _ in calls for a in args)
    password = connection.settings_dict["PASSWORD"]
    if password:
        assert all(password not in " ".join(args) for args, _ in calls)
        assert all(env["PGPASSWORD"] == password for _, env in calls)
    env = libpq_environment(
        {"NAME": "wijkhuis", "USER": "wijkhuis", "PASSWORD": "s3cret", "HOST": "db.example.nl", "PORT": 5433,
         "OPTIONS": {"sslmode": "verify-full", "pool": True}}
    )  # fmt: skip
    assert env["PGPASSWORD"] == "s3cret" and env["PGHOST"] == "db.example.nl" and env["PGPORT"] == "5433"
    assert env["PGDATABASE"] == "wijkhuis" and env["PGSSLMODE"] == "verify-full"


def test_keep_deletes_the_oldest_complete_backups_only(tmp_path):
    for name in ["2026-01-01T020000Z", "2026-01-02T020000Z", "2026-01-03T020000Z", "2026-01-04T020000Z"]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text("{}")
    (tmp_path / "2025-12-31T020000Z.partial").mkdir()  # not complete: not counted, not touched
    (tmp_path / "notes").mkdir()
    removed = backup.prune(tmp_path, keep=2, say=lambda line: None)
    assert [p.name for p in removed] == ["2026-01-01T020000Z", "2026-01-02T020000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2025-12-31T020000Z.partial",
        "2026-01-03T020000Z",
        "2026-01-04T020000Z",
        "notes",
    ]


def test_a_backup_that_broke_off_leaves_no_folder(tmp_path, monkeypatch):
    def failing(work, say):
        (work / "database.dump").write_bytes(b"half")
        raise BackupError("pg_dump failed (exit code 1): connection lost")

    monkeypatch.setattr(backup, "_dump_database", failing)
    with pytest.raises(CommandError, match="connection lost"):
        run("backup", "--to", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


# --- finding pg_dump and pg_restore -----------------------------------------------------------


def fake_tools(*majors):
    return [
        Tools(folder=Path(f"/opt/pg{m}/bin"), major=m, version=f"pg_dump (PostgreSQL) {m}.1") for m in majors
    ]


@pytest.mark.parametrize(
    ("server", "at_least", "chosen"),
    [
        (15, 0, 15),  # the exact major first, even when newer ones come first
        (16, 0, 17),  # else the nearest newer
        (14, 0, 15),
        (17, 0, 17),
        (15, 17, 17),  # an archive written by pg_dump 17 needs pg_restore 17 or newer
    ],
)
def test_tools_match_the_server(monkeypatch, server, at_least, chosen):
    monkeypatch.setattr(backup, "available_tools", lambda: fake_tools(18, 17, 15, 13))
    assert find_tools(server, at_least=at_least).major == chosen


def test_no_fitting_tools_is_a_clear_refusal(monkeypatch):
    monkeypatch.setattr(backup, "available_tools", lambda: fake_tools(13, 14))
    with pytest.raises(BackupError) as refused:
        find_tools(15)
    message = str(refused.value)
    assert "version 15 or newer" in message and "postgresql-client-15" in message
    assert "PG_BIN_DIR" in message and "version 14 in /opt/pg14/bin" in message


def _fake_bin(folder: Path, major: int) -> Path:
    folder.mkdir(parents=True)
    for program in ("pg_dump", "pg_restore"):
        script = folder / program
        script.write_text(f"#!/bin/sh\necho '{program} (PostgreSQL) {major}.3'\n")
        script.chmod(0o755)
    return folder


def test_pg_bin_dir_is_the_only_place_looked_at_when_set(tmp_path, settings):
    settings.PG_BIN_DIR = str(_fake_bin(tmp_path / "old", 13))
    with pytest.raises(BackupError, match="Found: version 13 in") as refused:
        find_tools(15)
    assert str(tmp_path / "old") in str(refused.value)
    settings.PG_BIN_DIR = str(_fake_bin(tmp_path / "new", 16))
    tools = find_tools(15)
    assert tools.folder == tmp_path / "new" and tools.major == 16


@pytest.mark.django_db
def test_this_machine_has_tools_of_the_servers_major_version():
    """Embedded 18 with its own tools; PostgreSQL 15 in CI with Debian's /usr/lib/postgresql/15/bin."""
    major, _version = backup.server_version()
    tools = find_tools(major)
    assert tools.major == major
    assert tools.pg_dump.is_file() and tools.pg_restore.is_file()


def test_backup_folder_is_git_ignored():
    root = Path(__file__).resolve().parent.parent
    assert "/backups/" in (root / ".gitignore").read_text().splitlines()


def test_storage_files_walks_every_folder_and_skips_health_probes(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    for name in ["a.txt", "news/b.jpg", "news/2026/c.jpg", "health/probe-1"]:
        storage.save(name, io.BytesIO(b"x"))
    assert backup.storage_files(storage) == ["a.txt", "news/2026/c.jpg", "news/b.jpg"]
    assert backup.storage_files(FileSystemStorage(location=tmp_path / "missing")) == []
