"""Backup and restore (issue 13, point 7) on the real PostgreSQL: a backup restored into a new, empty database
and file store has the same row count in every table and the same bytes in every file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _server_url(name="postgres"):
    db = connection.settings_dict
    return f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


@pytest.fixture
def empty_database():
    """A newly created database of our own on the shared server, dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_server_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_server_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore(path, database, media, check=True):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketing_portal.settings", "SECRET_KEY": "restore-test",
           "DATABASE_URL": _server_url(database), "MEDIA_ROOT": str(media), "DEBUG": "0"}
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "manage.py", "restore", str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _counts(database):
    with psycopg.connect(_server_url(database)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _checksums(root: Path):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def records(tmake, settings):
    """Contracts with their scans and history, a customer with due diligence: rows in many tables, files on disk."""
    tmake.contract(by="sales_hb")
    tmake.signed(by="sales_hd")
    return Path(settings.MEDIA_ROOT)


def test_a_restored_backup_has_the_same_rows_and_files(records, tmp_path, empty_database):
    # given a portal with records and stored files, backed up
    source_counts = _counts(connection.settings_dict["NAME"])
    source_files = _checksums(records)
    assert sum(source_counts.values()) > 100 and len(source_files) >= 2
    call_command("backup", str(tmp_path / "bk"))
    # when it is restored into a new empty database and an empty file store
    media = tmp_path / "restored-media"
    result = _restore(tmp_path / "bk", empty_database, media)
    # then every table has the same number of rows and every file the same checksum
    assert result.returncode == 0, result.stderr
    assert "还原并核对：" in result.stdout
    assert _counts(empty_database) == source_counts
    assert _checksums(media) == source_files


def test_restore_refuses_a_tampered_file_and_restores_nothing(records, tmp_path, empty_database):
    call_command("backup", str(tmp_path / "bk"))
    victim = next(p for p in sorted((tmp_path / "bk" / "files").rglob("*")) if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"x")
    result = _restore(tmp_path / "bk", empty_database, tmp_path / "m")
    assert result.returncode != 0
    name = victim.relative_to(tmp_path / "bk")
    assert f"备份已被改动：{name} 的校验和与清单不符。未还原任何内容。" in result.stderr
    assert _counts(empty_database) == {}
    assert not (tmp_path / "m").exists() or not any((tmp_path / "m").rglob("*"))


def test_restore_refuses_a_database_that_is_not_empty(records, tmp_path):
    call_command("backup", str(tmp_path / "bk"))
    tables = len(connection.introspection.table_names())
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "bk"))
    assert str(refused.value) == f"目标数据库不是空的（{tables} 张表）：请还原到一个新建的空数据库。"


def test_restore_refuses_a_file_store_that_is_not_empty(records, tmp_path, empty_database):
    call_command("backup", str(tmp_path / "bk"))
    media = tmp_path / "busy"
    (media / "old").mkdir(parents=True)
    (media / "old" / "a.pdf").write_bytes(b"%PDF")
    result = _restore(tmp_path / "bk", empty_database, media)
    assert result.returncode != 0
    assert "目标文件存储不是空的（1 个文件，例如 old/a.pdf）：请还原到空的文件存储。" in result.stderr
    assert _counts(empty_database) == {}


def test_backup_refuses_a_directory_that_is_not_empty(transactional_db, tmp_path):
    (tmp_path / "x").write_text("x")
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path))
    assert str(refused.value) == f"备份目录 {tmp_path} 不是空的：请指定一个新目录。"
