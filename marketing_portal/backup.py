"""Backup and restore of the whole portal: the database and every stored file, with a manifest of checksums.

``manage.py backup PATH`` writes into a new directory PATH::

    manifest.json      what is in the backup: engine, row count of every table, sha256 and size of every file
    database.dump      PostgreSQL: ``pg_dump --format=custom`` (SQLite: database.sqlite3; others: database.json)
    files/<name>       every file of the default storage (a local MEDIA_ROOT or an S3-compatible bucket)

``manage.py restore PATH`` first checks every checksum of the manifest (a tampered or missing file refuses the
restore, nothing is written), then refuses a target that is not empty (a database with tables, a file store with
files), restores the database and the files, and checks the row counts and file checksums again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the portal's language."""


@dataclass
class Summary:
    tables: int
    rows: int
    files: int
    bytes: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    return connection.vendor  # "postgresql", "sqlite", …


def row_counts() -> dict[str, int]:
    """Rows of every table of the database (all apps, Django's own included)."""
    tables = sorted(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our table names
            counts[table] = cursor.fetchone()[0]
    return counts


def stored_files(storage=default_storage, top: str = "") -> list[str]:
    """Every file name in the storage, walked from the top (works for a file system and an S3 bucket)."""
    try:
        directories, files = storage.listdir(top)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"{top}/{name}" if top else name for name in files]
    for directory in directories:
        names += stored_files(storage, f"{top}/{directory}" if top else directory)
    return sorted(names)


def _pg_env() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 - fixed programs
    if result.returncode != 0:
        raise BackupError(_("%(program)s failed: %(error)s") % {"program": command[0],
                                                                "error": result.stderr.strip()[-2000:]})


def backup(path: str | Path) -> Summary:
    """Write the database and the stored files into the new directory ``path`` with their manifest."""
    target = Path(path)
    if target.exists() and any(target.iterdir()):
        raise BackupError(_("The backup directory %(path)s is not empty: name a new directory.") % {"path": target})
    target.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    # Row counts first, the dump right after: the manifest describes what the dump holds. For a consistent
    # picture take the backup while the workers and beat are stopped (README, "Backup and restore").
    counts = row_counts()
    db = connection.settings_dict
    if vendor == "postgresql":
        database_file = "database.dump"
        env, args = _pg_env()
        _run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", "--file",
              str(target / database_file), str(db["NAME"])], env)
    elif vendor == "sqlite":
        database_file = "database.sqlite3"
        source = sqlite3.connect(str(db["NAME"]))
        copy = sqlite3.connect(str(target / database_file))
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
    else:
        database_file = "database.json"
        with open(target / database_file, "w", encoding="utf-8") as out:
            call_command("dumpdata", "--natural-foreign", "--indent", "0", stdout=out)
    files = {}
    total = 0
    for name in stored_files():
        destination = target / "files" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source_file, open(destination, "wb") as out:
            shutil.copyfileobj(source_file, out, CHUNK)
        size = destination.stat().st_size
        files[name] = {"sha256": sha256_of(destination), "size": size}
        total += size
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor, "file": database_file, "sha256": sha256_of(target / database_file),
                     "row_counts": counts},
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True),
                                   encoding="utf-8")
    return Summary(tables=len(counts), rows=sum(counts.values()), files=len(files), bytes=total)


def read_manifest(path: str | Path) -> dict:
    """The manifest of a backup, every checksum verified; a tampered, missing or extra file is refused."""
    source = Path(path)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(_("%(path)s is not a backup of the portal: it has no manifest.json.")
                          % {"path": source}) from exc
    except ValueError as exc:
        raise BackupError(_("The manifest of %(path)s cannot be read: it was damaged.") % {"path": source}) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("The backup format %(format)s is not known to this version of the portal.")
                          % {"format": manifest.get("format")})
    database = manifest["database"]
    expected = [(database["file"], database["sha256"], None)]
    expected += [(f"files/{name}", meta["sha256"], meta["size"]) for name, meta in manifest["files"].items()]
    for name, checksum, size in expected:
        file = source / name
        if not file.is_file():
            raise BackupError(_("The backup is incomplete: %(name)s is missing.") % {"name": name})
        if (size is not None and file.stat().st_size != size) or sha256_of(file) != checksum:
            raise BackupError(_("The backup was altered: the checksum of %(name)s does not match the manifest. "
                                "Nothing was restored.") % {"name": name})
    listed = {f"files/{name}" for name in manifest["files"]}
    present = {str(p.relative_to(source)) for p in (source / "files").rglob("*") if p.is_file()} \
        if (source / "files").exists() else set()
    if present - listed:
        raise BackupError(_("The backup was altered: %(name)s is not in the manifest. Nothing was restored.")
                          % {"name": sorted(present - listed)[0]})
    return manifest


def restore(path: str | Path) -> Summary:
    """Restore a verified backup into an empty database and an empty file store, then check both again."""
    source = Path(path)
    manifest = read_manifest(source)
    database = manifest["database"]
    vendor = _vendor()
    if database["vendor"] != vendor and database["file"] != "database.json":
        raise BackupError(_("This backup holds a %(theirs)s database; the portal is set up for %(ours)s.")
                          % {"theirs": database["vendor"], "ours": vendor})
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(_("The target database is not empty (%(count)s tables): restore into a newly created, "
                            "empty database.") % {"count": len(tables)})
    existing = stored_files()
    if existing:
        raise BackupError(_("The target file store is not empty (%(count)s files, e.g. %(name)s): restore into an "
                            "empty one.") % {"count": len(existing), "name": existing[0]})
    db = connection.settings_dict
    dump = source / database["file"]
    if database["file"] == "database.dump":
        env, args = _pg_env()
        _run(["pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", str(db["NAME"]), str(dump)], env)
    elif database["file"] == "database.sqlite3":
        connection.close()
        with tempfile.NamedTemporaryFile(dir=Path(db["NAME"]).parent, delete=False) as tmp:
            shutil.copyfile(dump, tmp.name)
        os.replace(tmp.name, db["NAME"])
    else:
        call_command("migrate", "--noinput", verbosity=0)
        call_command("flush", "--noinput", verbosity=0)
        call_command("loaddata", str(dump), verbosity=0)
    connection.close()
    total = 0
    for name, meta in manifest["files"].items():
        with open(source / "files" / name, "rb") as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(_("The file store renamed %(name)s while restoring it.") % {"name": name})
        total += meta["size"]
    # Check again what is now in place: the same rows, the same bytes.
    counts = row_counts()
    if counts != database["row_counts"]:
        different = sorted(t for t in set(counts) | set(database["row_counts"])
                           if counts.get(t) != database["row_counts"].get(t))
        raise BackupError(_("The restored database differs from the backup in %(tables)s.")
                          % {"tables": ", ".join(different[:10])})
    for name, meta in manifest["files"].items():
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        if digest.hexdigest() != meta["sha256"]:
            raise BackupError(_("The restored file %(name)s differs from the backup.") % {"name": name})
    return Summary(tables=len(counts), rows=sum(counts.values()), files=len(manifest["files"]), bytes=total)
