"""Backup and restore (备份与恢复) of the whole platform: the database, the uploaded files and the trail's anchors.

`create_backup(DIR)` writes a new directory (see yuebiao.backup_files for its layout); `restore_backup(DIR)` checks
the manifest, every checksum, the database vendor, the migration state and whether the target already holds
records, all before it changes anything, then restores the database and the uploaded files.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, ContextManager

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from trail.chain import format_at
from yuebiao import backup_db
from yuebiao.backup_files import (
    ANCHORS, DATABASE_FILES, MEDIA, Advance, BackupRefused, FileEntry, Manifest, anchors_text, check_files,
    copy_file, last_migrations, read_manifest, sha256_file, unknown_migrations, walk_files, write_manifest,
)

__all__ = ["BackupRefused", "Reporter", "create_backup", "restore_backup"]


@dataclass
class Reporter:
    """Where progress goes: `note(text)` for a line, `bar(label, total_bytes)` a context giving an advance(n)."""

    note: Callable[[str], None] = lambda text: None
    bar: Callable[[str, int], ContextManager[Advance]] = field(default=lambda label, total: nullcontext(None))


def _platform_version() -> str:
    try:
        return metadata.version("yuebiao")
    except metadata.PackageNotFoundError:
        return "unknown"


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _trail_figures(facts: dict) -> dict:
    anchors = facts["anchors"]
    latest = anchors[-1] if anchors else None
    return {"events": facts["events"], "anchors": len(anchors),
            "latest_anchor": {k: latest[k] for k in ("day", "created_at", "root")} if latest else None}


# --- backup ---------------------------------------------------------------------------------------------------

def create_backup(directory: str | os.PathLike, *, reporter: Reporter | None = None) -> dict:
    """Write a complete backup into `directory` (new or empty); an unfinished one is removed, never left behind."""
    directory, reporter = Path(directory), reporter or Reporter()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupRefused(f"备份目录 {directory} 已存在且不为空：每次备份请用一个新目录")
    if connection.vendor not in DATABASE_FILES:
        raise BackupRefused(f"不支持备份 {connection.vendor} 数据库（支持 SQLite 和 PostgreSQL）")
    made = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)  # a backup holds personal data: only its owner may read it
    try:
        return _write_backup(directory, reporter)
    except BaseException:
        if made:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            for child in directory.iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        raise


def _copy_media(directory: Path, copied: dict[str, FileEntry], reporter: Reporter, label: str) -> None:
    """Copy the uploaded files not copied yet, one by one, paths kept; a file removed meanwhile is skipped."""
    root = _media_root()
    todo, total = [], 0
    for rel in walk_files(root):
        if f"{MEDIA}/{rel}" not in copied:
            try:
                total += (root / rel).stat().st_size
            except FileNotFoundError:
                continue
            todo.append(rel)
    if not todo:
        return
    with reporter.bar(label, total) as advance:
        for rel in todo:
            try:
                digest, size = copy_file(root / rel, directory / MEDIA / rel, advance)
            except FileNotFoundError:
                continue
            copied[f"{MEDIA}/{rel}"] = FileEntry(f"{MEDIA}/{rel}", digest, size)


def _write_backup(directory: Path, reporter: Reporter) -> dict:
    started, vendor = time.monotonic(), connection.vendor
    copied: dict[str, FileEntry] = {}
    # Uploads before and after the database: a file uploaded while the database is copied is caught by the second
    # pass, one replaced meanwhile by the first.
    _copy_media(directory, copied, reporter, "上传文件")
    reporter.note(f"数据库（{vendor}）：正在生成一致的副本……")
    db_file = directory / DATABASE_FILES[vendor]
    if vendor == "sqlite":
        facts, tools, server = backup_db.sqlite_dump(db_file), {}, sqlite3.sqlite_version
    else:
        facts, tools = backup_db.postgresql_dump(db_file)
        server = str(tools["server"])
    db_entry = FileEntry(db_file.name, *sha256_file(db_file))
    reporter.note(f"数据库：{db_entry.size / 2**20:,.1f} MB")
    _copy_media(directory, copied, reporter, "上传文件（第二遍）")
    (directory / ANCHORS).write_text(anchors_text(facts["anchors"]), encoding="utf-8")
    anchors_entry = FileEntry(ANCHORS, *sha256_file(directory / ANCHORS))
    manifest = Manifest(
        created_at=format_at(timezone.now()), vendor=vendor, server_version=server,
        platform_version=_platform_version(), migrations=last_migrations(facts["applied"]),
        trail=_trail_figures(facts), files=[db_entry, anchors_entry, *sorted(copied.values(), key=lambda f: f.path)],
        tools=tools,
    )
    write_manifest(directory, manifest)
    media = manifest.media_files
    return {"ok": True, "directory": str(directory.resolve()), "vendor": vendor, "created_at": manifest.created_at,
            "database_bytes": db_entry.size, "media_files": len(media), "media_bytes": sum(f.size for f in media),
            "migrations": manifest.migrations, "trail": manifest.trail,
            "seconds": round(time.monotonic() - started, 2)}


# --- restore --------------------------------------------------------------------------------------------------

def _check_before_restore(directory: Path, force: bool, reporter: Reporter) -> tuple[Manifest, MigrationLoader]:
    """Everything that can refuse the restore, before anything is touched."""
    manifest = read_manifest(directory)
    if manifest.vendor != connection.vendor:
        raise BackupRefused(f"此备份来自 {manifest.vendor} 数据库，当前配置的是 {connection.vendor}："
                            "不能跨数据库类型恢复（请把 DATABASE_URL 指向同类数据库）")
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = unknown_migrations(manifest.migrations, set(loader.disk_migrations))
    if unknown:
        raise BackupRefused(f"备份的数据库结构比本程序新（本程序没有这些迁移：{'、'.join(unknown)}）："
                            f"请先把程序升级到 {manifest.platform_version} 或更新的版本再恢复")
    total = sum(f.size for f in manifest.files)
    reporter.note(f"校验备份：{len(manifest.files)} 个文件，{total / 2**20:,.1f} MB")
    with reporter.bar("校验", total) as advance:
        check_files(directory, manifest, advance)
    db_file = directory / manifest.database_file
    if manifest.vendor == "sqlite":
        backup_db.sqlite_check(db_file)
    else:
        backup_db.postgresql_check(db_file, manifest.tools)
    try:
        occupied = backup_db.holds_records()
    except DatabaseError as exc:
        name = connection.settings_dict.get("NAME")
        raise BackupRefused(f"无法连接目标数据库 {name}：{exc}（新机器上请先创建空数据库，例如 createdb {name}）") from exc
    if occupied and not force:
        raise BackupRefused("目标数据库已有用户或追溯记录：恢复会整体替换它。确认要替换时加 --force")
    if manifest.vendor == "postgresql" and (sessions := backup_db.other_sessions()):
        raise BackupRefused(f"目标数据库还有 {sessions} 个其他连接：请先停止网站服务和后台任务（yuebiao worker）再恢复")
    return manifest, loader


def restore_backup(directory: str | os.PathLike, *, force: bool = False, reporter: Reporter | None = None) -> dict:
    """Restore the database and the uploaded files from a backup made by `create_backup`."""
    directory, reporter = Path(directory), reporter or Reporter()
    started = time.monotonic()
    manifest, loader = _check_before_restore(directory, force, reporter)
    reporter.note(f"恢复数据库（{manifest.vendor}，备份于 {manifest.created_at}）……")
    dropped: list[str] = []
    if manifest.vendor == "sqlite":
        backup_db.sqlite_restore(directory / manifest.database_file)
    else:
        dropped = backup_db.postgresql_restore(directory / manifest.database_file)
    media = _restore_media(directory, manifest, reporter)
    facts = backup_db.live_facts()
    trail_now = _trail_figures(facts)
    leaves = dict(loader.graph.leaf_nodes())
    behind = sorted(app for app, name in manifest.migrations.items() if leaves.get(app, name) != name)
    return {"ok": trail_now == manifest.trail, "directory": str(directory.resolve()), "vendor": manifest.vendor,
            "backup_created_at": manifest.created_at, "trail": trail_now, "trail_expected": manifest.trail,
            **media, "dropped_tables": dropped, "needs_migrate": bool(behind) or bool(dropped),
            "seconds": round(time.monotonic() - started, 2)}


def _restore_media(directory: Path, manifest: Manifest, reporter: Reporter) -> dict:
    """Make MEDIA_ROOT hold exactly the backup's files. Files that would be overwritten or that the backup does not
    have are moved aside into a sibling directory, not deleted."""
    root = _media_root()
    aside = root.parent / f"{root.name}-before-restore-{timezone.now():%Y%m%d-%H%M%S}"
    wanted = {entry.path[len(MEDIA) + 1:]: entry for entry in manifest.media_files}
    moved = kept = restored = 0

    def put_aside(rel: str) -> None:
        nonlocal moved
        (aside / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(root / rel, aside / rel)
        moved += 1

    for rel in walk_files(root):
        if rel not in wanted:
            put_aside(rel)
    with reporter.bar("恢复上传文件", sum(e.size for e in wanted.values())) as advance:
        for rel, entry in wanted.items():
            target = root / rel
            if target.is_file():
                if sha256_file(target)[0] == entry.sha256:
                    kept += 1
                    if advance:
                        advance(entry.size)
                    continue
                put_aside(rel)
            digest, _ = copy_file(directory / entry.path, target, advance)
            if digest != entry.sha256:
                raise BackupRefused(f"备份文件 {entry.path} 在恢复过程中被改动")
            restored += 1
    return {"media_restored": restored, "media_unchanged": kept, "media_moved_aside": moved,
            "moved_aside_to": str(aside) if moved else None}
