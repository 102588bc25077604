"""Backup and restore: a round trip ends with the trail verifying and data and files as they were; a damaged backup,
one from another database vendor or from newer code is refused before anything is touched."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from accounts.models import User
from catalogue.models import Standard
from trail import services
from trail.models import Anchor, Event
from trail.triggers import append_only_suspended
from yuebiao.backup_files import MANIFEST, Manifest, read_manifest, walk_files, write_manifest

REPO = Path(__file__).resolve().parents[1]
NESTED = "projects/2026/征求意见稿 第1版.docx"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def filled(media, make_user) -> dict:
    """A user, a standard with its full text uploaded, another upload in a nested folder, trail events, an anchor."""
    user = make_user("backup_officer", "provincial_officer")
    # The reference data and the user above wrote their own events; the figures below count this fixture's four.
    with append_only_suspended(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Event._meta.db_table}")
    standard = Standard.objects.order_by("pk").first()
    with transaction.atomic():
        standard.full_text.save("全文.pdf", ContentFile(b"%PDF-1.4 full text\x00\xff" * 50), save=True)
        services.record(standard, actor=user, kind="full_text_attached", data={"file": standard.full_text.name})
        for step in range(3):
            services.record("lifecycle.localstandardproject:7", actor=None, kind="state_changed", data={"step": step})
    (media / NESTED).parent.mkdir(parents=True)
    (media / NESTED).write_bytes(b"PK\x03\x04 draft")
    services.anchor_today()
    return {"user": user, "standard": standard, **_state(media)}


def _state(media: Path) -> dict:
    return {
        "events": list(Event.objects.order_by("subject", "seq").values_list("subject", "seq", "hash")),
        "anchors": list(Anchor.objects.values_list("day", "root", "heads")),
        "users": sorted(User.objects.values_list("username", flat=True)),
        "standards": list(Standard.objects.order_by("pk").values_list("pk", "title_zh", "full_text")),
        "files": {rel: (media / rel).read_bytes() for rel in walk_files(media)},
    }


def _run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def _change_everything(filled: dict, media: Path) -> None:
    standard = filled["standard"]
    with transaction.atomic():
        Standard.objects.filter(pk=standard.pk).update(title_zh="备份之后改过的名称")
        services.record(standard, actor=filled["user"], kind="edited", data={"title": "备份之后改过的名称"})
    services.anchor_today()
    User.objects.create_user(username="after_backup", password="pass-word-123")
    (media / standard.full_text.name).unlink()
    (media / NESTED).write_bytes(b"changed after the backup")
    (media / "standards" / "later.pdf").write_bytes(b"%PDF uploaded later")


def test_round_trip_restores_database_files_and_anchors_and_the_trail_verifies(filled, media, tmp_path):
    backup = tmp_path / "backup-1"
    made = _run("backup", str(backup))
    assert made["vendor"] == connection.vendor and made["media_files"] == 2
    assert made["trail"]["events"] == len(filled["events"]) == 4
    assert made["trail"]["latest_anchor"]["root"] == filled["anchors"][-1][1]
    assert (backup / "media" / NESTED).read_bytes() == b"PK\x03\x04 draft"
    assert oct(backup.stat().st_mode & 0o777) == "0o700"
    manifest = read_manifest(backup)
    from django.db.migrations.loader import MigrationLoader

    (trail_leaf,) = [name for app, name in MigrationLoader(connection).graph.leaf_nodes() if app == "trail"]
    assert manifest.migrations["trail"] == trail_leaf and manifest.vendor == connection.vendor
    assert filled["anchors"][-1][1] in (backup / "anchors.txt").read_text(encoding="utf-8")

    _change_everything(filled, media)
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(backup), stdout=io.StringIO(), stderr=io.StringIO())
    assert User.objects.filter(username="after_backup").exists()  # refused: nothing touched

    restored = _run("restore", str(backup), "--force")
    assert restored["ok"] and not restored["needs_migrate"]
    assert restored["media_restored"] == 2 and restored["media_moved_aside"] == 2
    result = services.verify()
    assert result.ok and result.events == 4 and result.anchors == 1
    now = _state(media)
    for key in ("events", "anchors", "users", "standards", "files"):
        assert now[key] == filled[key], key
    aside = Path(restored["moved_aside_to"])
    assert (aside / "standards" / "later.pdf").read_bytes() == b"%PDF uploaded later"
    assert (aside / NESTED).read_bytes() == b"changed after the backup"


def _scratch_database_url(tmp_path: Path):
    """A database of its own for the "new machine": a temporary SQLite file, or a PostgreSQL database made here."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'new-machine.sqlite3'}", lambda: None
    s = connection.settings_dict
    name = f"{s['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}", drop


def test_restore_on_a_new_machine_into_an_empty_database(filled, media, tmp_path):
    """`yuebiao restore` in its own process, into a database that has never been migrated, then `trail verify`."""
    backup = tmp_path / "backup"
    _run("backup", str(backup))
    url, drop = _scratch_database_url(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(DATABASE_URL=url, YUEBIAO_VAR_DIR=str(tmp_path / "new-machine"), PYTHONPATH=str(REPO))

    def yuebiao(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=120)

    try:
        done = yuebiao("restore", str(backup), "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout)["media_restored"] == 2
        verified = yuebiao("trail", "verify", "--json")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        report = json.loads(verified.stdout)
        assert report["ok"] and report["events"] == 4 and report["anchors"] == 1
    finally:
        drop()
    new_media = tmp_path / "new-machine" / "media"
    assert {rel: (new_media / rel).read_bytes() for rel in walk_files(new_media)} == filled["files"]


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_changed_byte_anywhere_is_refused_before_anything_is_touched(filled, media, tmp_path):
    backup = tmp_path / "backup"
    _run("backup", str(backup))
    _change_everything(filled, media)
    before = _state(media)
    damages = [(read_manifest(backup).database_file, "SHA-256 与清单不符"), ("media/" + NESTED, "SHA-256 与清单不符"),
               ("anchors.txt", "SHA-256 与清单不符"), (MANIFEST, "清单 manifest.json 与其校验值不符")]
    for number, (damaged, message) in enumerate(damages):
        copy = tmp_path / f"damaged-{number}"
        shutil.copytree(backup, copy)
        _flip_byte(copy / damaged)
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(copy), "--force", stdout=io.StringIO(), stderr=io.StringIO())
        assert _state(media) == before, damaged
    assert not list(media.parent.glob("media-before-restore-*"))
    grown = tmp_path / "grown"
    shutil.copytree(backup, grown)
    with open(grown / "media" / NESTED, "ab") as fh:
        fh.write(b"!")
    with pytest.raises(CommandError, match="大小与清单不符"):
        call_command("restore", str(grown), "--force", stdout=io.StringIO(), stderr=io.StringIO())
    assert _state(media) == before


def _rewrite_manifest(backup: Path, change) -> None:
    """A manifest changed consistently (its digest recomputed): the backup of another installation."""
    data = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    change(data)
    write_manifest(backup, Manifest.from_dict(data))


def test_a_backup_of_another_database_vendor_is_refused(filled, media, tmp_path):
    backup = tmp_path / "backup"
    _run("backup", str(backup))
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    other_file = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}[other]
    mine = read_manifest(backup).database_file
    (backup / mine).rename(backup / other_file)

    def as_other(data):
        data["database"]["vendor"] = other
        for entry in data["files"]:
            if entry["path"] == mine:
                entry["path"] = other_file

    _rewrite_manifest(backup, as_other)
    out = io.StringIO()
    with pytest.raises(CommandError, match="不能跨数据库类型恢复"):
        call_command("restore", str(backup), "--force", "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["ok"] is False
    assert services.verify().events == 4


def test_a_backup_from_newer_code_is_refused(filled, media, tmp_path):
    backup = tmp_path / "backup"
    _run("backup", str(backup))
    _rewrite_manifest(backup, lambda data: data["migrations"].update(trail="0099_from_the_future"))
    with pytest.raises(CommandError, match="比本程序新.*trail.0099_from_the_future"):
        call_command("restore", str(backup), "--force", stdout=io.StringIO(), stderr=io.StringIO())


def test_backup_needs_a_new_directory_and_restore_a_finished_backup(filled, media, tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="已存在且不为空"):
        call_command("backup", str(used), stdout=io.StringIO(), stderr=io.StringIO())
    assert [p.name for p in used.iterdir()] == ["notes.txt"]
    with pytest.raises(CommandError, match="不是完整的备份"):
        call_command("restore", str(used), "--force", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="备份目录不存在"):
        call_command("restore", str(tmp_path / "nowhere"), stdout=io.StringIO(), stderr=io.StringIO())


def test_a_backup_taken_while_the_trail_is_written_is_one_consistent_state(filled, media, tmp_path):
    """A writer keeps appending events (as the running server would) while the backup is taken; the copy holds a
    whole number of transactions: the restored trail verifies and matches the manifest's figures."""
    stop, written = threading.Event(), []

    def writer():
        try:
            while not stop.is_set():
                with transaction.atomic():
                    services.record("lifecycle.localstandardproject:8", actor=None, kind="edited",
                                    data={"n": len(written)})
                    services.record("lifecycle.localstandardproject:9", actor=None, kind="edited",
                                    data={"n": len(written)})
                written.append(1)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        made = _run("backup", str(tmp_path / "backup"))
        at_backup = len(written)
        while len(written) < at_backup + 20:
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join()
    assert made["trail"]["events"] % 2 == 0  # both events of a transaction, or neither
    restored = _run("restore", str(tmp_path / "backup"), "--force")
    assert restored["ok"] and restored["trail"] == made["trail"]
    result = services.verify()
    assert result.ok and result.events == made["trail"]["events"]
    assert 4 + 2 * 20 <= made["trail"]["events"] < 4 + 2 * len(written)  # written before, during and after


def test_tables_of_newer_migrations_are_gone_after_a_restore(filled, media, tmp_path):
    """After an upgrade went wrong: the backup predates a table the current database has; the restored database is
    exactly the backup's, so `migrate` can create that table again."""
    backup = tmp_path / "backup"
    _run("backup", str(backup))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE trail_later_feature (id integer PRIMARY KEY)")
    restored = _run("restore", str(backup), "--force")
    assert restored["ok"]
    assert "trail_later_feature" not in connection.introspection.table_names()
    if connection.vendor == "postgresql":
        assert restored["dropped_tables"] == ["trail_later_feature"] and restored["needs_migrate"]


APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION backup_test_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'append only: % on %', TG_OP, TG_TABLE_NAME; END $$ LANGUAGE plpgsql;
CREATE TRIGGER backup_test_append_only BEFORE UPDATE OR DELETE ON trail_event
    FOR EACH ROW EXECUTE FUNCTION backup_test_refuse();
CREATE TRIGGER backup_test_append_only BEFORE UPDATE OR DELETE ON trail_anchor
    FOR EACH ROW EXECUTE FUNCTION backup_test_refuse();
"""


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
                    reason="PostgreSQL triggers: runs when DATABASE_URL is PostgreSQL")
def test_restore_never_updates_or_deletes_trail_rows_on_postgresql(filled, media, tmp_path):
    """Trail tables that refuse UPDATE and DELETE (row triggers, as the append-only protection installs) are
    restored all the same: pg_restore --clean drops and recreates them, and the triggers come back with them."""
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_SQL)
    try:
        backup = tmp_path / "backup"
        _run("backup", str(backup))
        _change_everything(filled, media)
        restored = _run("restore", str(backup), "--force")
        assert restored["ok"] and services.verify().ok
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'backup_test_append_only'")
            assert cursor.fetchone()[0] == 2
            with pytest.raises(Exception, match="append only"), transaction.atomic():
                cursor.execute("DELETE FROM trail_event")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS backup_test_refuse() CASCADE")


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
                    reason="PostgreSQL sessions: runs when DATABASE_URL is PostgreSQL")
def test_restore_is_refused_while_another_session_uses_the_postgresql_database(filled, media, tmp_path):
    """pg_restore would wait for ever on a table the server still reads: stop it first, says the refusal."""
    import psycopg

    backup = tmp_path / "backup"
    _run("backup", str(backup))
    s = connection.settings_dict
    other = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                            password=s["PASSWORD"] or None, dbname=s["NAME"])
    try:
        with pytest.raises(CommandError, match="还有 1 个其他连接"):
            call_command("restore", str(backup), "--force", stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        other.close()
    assert _run("restore", str(backup), "--force")["ok"]
