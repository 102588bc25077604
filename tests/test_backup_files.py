"""The backup directory without a database: paths that would escape, manifests, checksums, copies."""

import json

import pytest

from yuebiao.backup_files import (
    BackupRefused, FileEntry, Manifest, anchors_text, check_files, copy_file, last_migrations, read_manifest,
    safe_relative, sha256_file, unknown_migrations, walk_files, write_manifest,
)


def _manifest(tmp_path, *paths: str) -> Manifest:
    entries = []
    for path in ("database.sqlite3", *paths):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(path.encode())
        entries.append(FileEntry(path, *sha256_file(tmp_path / path)))
    return Manifest(created_at="2026-12-07T00:00:00.000000Z", vendor="sqlite", server_version="3.40.1",
                    platform_version="0.1.0", migrations={"trail": "0001_initial"},
                    trail={"events": 0, "anchors": 0, "latest_anchor": None}, files=entries)


@pytest.mark.parametrize("path", ["../etc/passwd", "/etc/passwd", "media/../../x", "media//x", "media\\..\\x", "",
                                  "media/./x"])
def test_paths_that_leave_the_directory_are_refused(path):
    with pytest.raises(BackupRefused, match="不安全"):
        safe_relative(path)


def test_a_manifest_naming_a_path_outside_is_refused_as_a_whole(tmp_path):
    manifest = _manifest(tmp_path, "media/a.pdf").to_dict()
    manifest["files"][1]["path"] = "media/../../outside.pdf"
    with pytest.raises(BackupRefused, match="不安全"):
        Manifest.from_dict(manifest)


def test_manifest_round_trip_and_its_digest(tmp_path):
    manifest = _manifest(tmp_path, "media/标准/全文 1.pdf")
    write_manifest(tmp_path, manifest)
    assert read_manifest(tmp_path) == manifest
    check_files(tmp_path, manifest)
    digest_line = (tmp_path / "manifest.json.sha256").read_text(encoding="utf-8")
    assert digest_line.endswith("  manifest.json\n") and len(digest_line.split()[0]) == 64
    data = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert data["database"]["vendor"] == "sqlite" and data["files"][1]["path"] == "media/标准/全文 1.pdf"
    (tmp_path / "media/标准/全文 1.pdf").write_bytes(b"other")
    with pytest.raises(BackupRefused, match="大小与清单不符"):
        check_files(tmp_path, manifest)
    (tmp_path / "media/标准/全文 1.pdf").unlink()
    with pytest.raises(BackupRefused, match="缺少 1 个文件"):
        check_files(tmp_path, manifest)


def test_not_a_backup_and_another_format_are_refused(tmp_path):
    manifest = _manifest(tmp_path)
    data = manifest.to_dict()
    with pytest.raises(BackupRefused, match="不是粤标备份"):
        Manifest.from_dict({**data, "format": "something-else"})
    with pytest.raises(BackupRefused, match="版本 2"):
        Manifest.from_dict({**data, "version": 2})
    with pytest.raises(BackupRefused, match="没有数据库文件"):
        Manifest.from_dict({**data, "files": []})
    with pytest.raises(BackupRefused, match="不完整"):
        Manifest.from_dict({k: v for k, v in data.items() if k != "migrations"})


def test_last_migration_per_app_and_the_ones_this_code_lacks():
    applied = [("trail", "0001_initial"), ("accounts", "0002_roles"), ("accounts", "0001_initial")]
    last = last_migrations(applied)
    assert last == {"accounts": "0002_roles", "trail": "0001_initial"}
    known = {("accounts", "0001_initial"), ("accounts", "0002_roles"), ("trail", "0001_initial")}
    assert unknown_migrations(last, known) == []
    assert unknown_migrations({**last, "trail": "0002_later"}, known) == ["trail.0002_later"]


def test_anchors_file_lists_day_time_and_root():
    text = anchors_text([{"day": "2026-12-07", "created_at": "2026-12-07T01:00:00.000000Z", "chains": 3,
                          "events": 12, "root": "ab" * 32}])
    assert text.splitlines()[-1] == f"2026-12-07\t2026-12-07T01:00:00.000000Z\t3\t12\t{'ab' * 32}"


def test_copy_keeps_paths_skips_links_and_leaves_no_partial_file(tmp_path):
    source = tmp_path / "media"
    (source / "projects" / "2026").mkdir(parents=True)
    (source / "projects" / "2026" / "稿.docx").write_bytes(b"x" * 3_000_000)
    (source / "link.pdf").symlink_to(source / "projects" / "2026" / "稿.docx")
    assert list(walk_files(source)) == ["projects/2026/稿.docx"]
    seen = []
    digest, size = copy_file(source / "projects/2026/稿.docx", tmp_path / "copy" / "projects/2026/稿.docx",
                             seen.append)
    assert size == sum(seen) == 3_000_000 and digest == sha256_file(source / "projects/2026/稿.docx")[0]
    with pytest.raises(FileNotFoundError):
        copy_file(source / "gone.pdf", tmp_path / "copy" / "gone.pdf")
    assert sorted(p.name for p in (tmp_path / "copy").rglob("*")) == ["2026", "projects", "稿.docx"]
