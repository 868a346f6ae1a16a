"""`postdesk backup PATH` and `postdesk restore PATH`: the database and the uploaded files
in one archive, taken while the centre is serving, restored onto an empty database.

The archive is a plain tar file:
- `manifest.json` — the format, the database vendor, when, every app's last applied
  migration, each table's row count and the files under MEDIA_ROOT (count, bytes);
- `database.sqlite3` (SQLite: the online backup API — one consistent snapshot; WAL lets
  the writers go on meanwhile) or `database.dump` (PostgreSQL: `pg_dump -Fc` of an
  exported snapshot, the very snapshot the row counts were taken in);
- `media/…` — the uploaded files, taken after the database snapshot, so every file a
  backed-up row names is there (files are written before their rows commit and never
  changed afterwards).

`restore` refuses a database that has tables, a MEDIA_ROOT that has files, and an
archive of the other vendor; after restoring it counts every table again and compares
with the manifest. Both write with plain stdlib tools and the PostgreSQL client programs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

FORMAT = "postdesk-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.dump"
MEDIA_PREFIX = "media/"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (for the operator)."""


@dataclass(frozen=True)
class Summary:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: int
    bytes: int

    def line(self, verb: str) -> str:
        return (
            f"{verb} {self.path}: {self.vendor}, {self.tables} tables, {self.rows} rows, "
            f"{self.files} files ({self.bytes} bytes)"
        )


# ----------------------------------------------------------------------------- helpers


def _vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        table: int(conn.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0])  # noqa: S608 — names from the catalogue, quoted
        for table in _sqlite_tables(conn)
    }


def _sqlite_migrations(conn: sqlite3.Connection) -> dict[str, str]:
    rows = conn.execute("SELECT app, name FROM django_migrations ORDER BY app, id").fetchall()
    return {str(app): str(name) for app, name in rows}


def _pg_counts(cursor: Any) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [str(row[0]) for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 — names from the catalogue, quoted
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _pg_migrations(cursor: Any) -> dict[str, str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
    return {str(app): str(name) for app, name in cursor.fetchall()}


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    """The client programs' connection: the settings' database, password by env."""
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [
        "--host",
        str(db.get("HOST") or "127.0.0.1"),
        "--port",
        str(db.get("PORT") or 5432),
        "--username",
        str(db.get("USER") or "postgres"),
        "--dbname",
        str(db["NAME"]),
    ]
    return env, args


def _program(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15"):
        candidate = f"/usr/lib/postgresql/{version}/bin/{name}"
        if os.path.exists(candidate):
            return candidate
    raise BackupError(f"{name} is not installed (Debian: postgresql-client)")


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


# ------------------------------------------------------------------------------ backup


def backup(path: Path) -> Summary:
    """Write the archive to `path` (atomically: a partial file is never left at `path`)."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".postdesk-backup-") as tmp:
        work = Path(tmp)
        if vendor == "sqlite":
            member, counts, migrations = SQLITE_MEMBER, *_sqlite_snapshot(work / SQLITE_MEMBER)
        else:
            member, counts, migrations = PG_MEMBER, *_pg_snapshot(work / PG_MEMBER)
        partial = work / "archive.tar"
        files = size = 0
        with tarfile.open(partial, "w") as archive:
            archive.add(work / member, arcname=member)
            for file, name in _media_files():
                try:
                    archive.add(file, arcname=MEDIA_PREFIX + name, recursive=False)
                except FileNotFoundError:
                    continue  # deleted meanwhile (a purge): its row is gone too
                files += 1
                size += file.stat().st_size if file.exists() else 0
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "vendor": vendor,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": member,
                "migrations": migrations,
                "tables": counts,
                "media": {"files": files, "bytes": size},
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            import io

            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    return Summary(path, vendor, len(counts), sum(counts.values()), files, size)


def _sqlite_snapshot(target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """The online backup API, all pages in one step: one read transaction, so the copy is
    one consistent state (WAL: writers are not held)."""
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
    try:
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy, pages=-1)
            counts, migrations = _sqlite_counts(copy), _sqlite_migrations(copy)
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"the copy fails SQLite's integrity check: {verdict}")
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    return counts, migrations


def _pg_snapshot(target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Count in a repeatable-read transaction, export its snapshot, and dump that very
    snapshot with `pg_dump -Fc --snapshot`: the counts describe exactly the dump."""
    import psycopg

    db = settings.DATABASES["default"]
    conn = psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    )
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        snapshot = str(row[0])
        with conn.cursor() as cursor:
            counts, migrations = _pg_counts(cursor), _pg_migrations(cursor)
        env, args = _pg_env_args()
        run = subprocess.run(
            [_program("pg_dump"), "-Fc", "--no-owner", "--snapshot", snapshot, "-f", str(target),
             *args],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if run.returncode != 0:
            raise BackupError(f"pg_dump failed: {run.stderr.strip()[-2000:]}")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return counts, migrations


# ----------------------------------------------------------------------------- restore


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{path} is not a postdesk backup: {exc}") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{path} is not a postdesk backup of version {VERSION}")
    return manifest


def restore(path: Path) -> Summary:
    """Restore the archive onto the configured, empty database and MEDIA_ROOT."""
    path = path.resolve()
    manifest = read_manifest(path)
    vendor = _vendor()
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"this backup is of a {manifest['vendor']} database and the configured one is "
            f"{vendor}: restore it onto a {manifest['vendor']} database"
        )
    _refuse_unless_empty(vendor)
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        raise BackupError(f"MEDIA_ROOT ({media}) has files already: restore into an empty one")
    with tempfile.TemporaryDirectory(prefix=".postdesk-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(path, "r") as archive:
            member = archive.getmember(manifest["database"])
            archive.extract(member, work, filter="data")
            if vendor == "sqlite":
                counts = _sqlite_restore(work / SQLITE_MEMBER)
            else:
                counts = _pg_restore(work / PG_MEMBER)
            files = size = 0
            for item in archive.getmembers():
                if not item.name.startswith(MEDIA_PREFIX) or not item.isfile():
                    continue
                item = item.replace(name=item.name[len(MEDIA_PREFIX) :], deep=False)
                archive.extract(item, media, filter="data")
                files += 1
                size += item.size
    expected: dict[str, int] = manifest["tables"]
    if counts != expected:
        wrong = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
        raise BackupError(f"restored, but these tables differ from the backup: {wrong}")
    if (files, size) != (manifest["media"]["files"], manifest["media"]["bytes"]):
        raise BackupError("restored, but the uploaded files differ from the backup")
    return Summary(path, vendor, len(counts), sum(counts.values()), files, size)


def _refuse_unless_empty(vendor: str) -> None:
    if vendor == "sqlite":
        target = Path(str(settings.DATABASES["default"]["NAME"]))
        connection.close()
        if target.exists():
            with contextlib.closing(sqlite3.connect(str(target))) as existing:
                if _sqlite_tables(existing):
                    raise BackupError(
                        f"{target} has tables already: restore onto an empty database"
                    )
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if cursor.fetchone()[0]:
            raise BackupError(
                f"the database {settings.DATABASES['default']['NAME']} has tables already: "
                "restore onto an empty database (createdb a new one)"
            )


def _sqlite_restore(source_file: Path) -> dict[str, int]:
    target = Path(str(settings.DATABASES["default"]["NAME"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        contextlib.closing(sqlite3.connect(str(source_file))) as source,
        contextlib.closing(sqlite3.connect(str(target))) as copy,
    ):
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode = WAL")
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the restored database fails the integrity check: {verdict}")
        return _sqlite_counts(copy)


def _pg_restore(dump: Path) -> dict[str, int]:
    connection.close()
    env, args = _pg_env_args()
    run = subprocess.run(
        [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", *args, str(dump)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode != 0:
        raise BackupError(f"pg_restore failed: {run.stderr.strip()[-2000:]}")
    with connection.cursor() as cursor:
        return _pg_counts(cursor)
