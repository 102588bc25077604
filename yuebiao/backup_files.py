"""The backup directory (备份目录) without Django: checksums, file-by-file copies, the manifest and its checks.

A backup directory holds `manifest.json` (what is in it, with the SHA-256 and size of every file),
`manifest.json.sha256` (the manifest's own digest, in `sha256sum -c` format), the database (`database.sqlite3` or
`database.dump`), `anchors.txt` (the published roots) and `media/` (the uploaded files, paths kept).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator

FORMAT = "yuebiao-backup"
VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.json.sha256"
MEDIA = "media"
ANCHORS = "anchors.txt"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
CHUNK = 1 << 20

Advance = Callable[[int], None] | None


class BackupRefused(ValueError):
    """A backup that cannot be made, or restored, as asked (message in Chinese); nothing was changed."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the backup directory, "/"-separated
    sha256: str
    size: int

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


def sha256_file(path: Path, advance: Advance = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
            size += len(block)
            if advance:
                advance(len(block))
    return digest.hexdigest(), size


def copy_file(source: Path, target: Path, advance: Advance = None) -> tuple[str, int]:
    """Copy one file in blocks, hashing what is written; the target appears whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    digest, size = hashlib.sha256(), 0
    try:
        with open(source, "rb") as src, open(partial, "wb") as dst:
            while block := src.read(CHUNK):
                dst.write(block)
                digest.update(block)
                size += len(block)
                if advance:
                    advance(len(block))
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return digest.hexdigest(), size


def walk_files(root: Path) -> Iterator[str]:
    """Every regular file under `root` as a "/"-separated relative path, sorted; symbolic links are not followed."""
    if not root.is_dir():
        return
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())
        for name in files:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink() and not name.endswith(".partial"):
                found.append(path.relative_to(root).as_posix())
    yield from sorted(found)


def safe_relative(path: str) -> PurePosixPath:
    """A manifest path that stays inside the directory it names (a crafted manifest must not write elsewhere)."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or "\\" in path or any(p in ("", ".", "..") for p in path.split("/")):
        raise BackupRefused(f"备份清单中的文件路径不安全：{path!r}")
    return pure


def anchors_text(anchors: Iterable[dict]) -> str:
    """The published roots, one anchor a line (日期、时间、默克尔根), for people and for `trail.chain --root`."""
    lines = ["# 粤标 每日锚定的默克尔根（published anchor roots）",
             "# 日期(day)\t锚定时间(created at, UTC)\t链数(chains)\t事件数(events)\t默克尔根(root)"]
    for a in anchors:
        lines.append(f"{a['day']}\t{a['created_at']}\t{a['chains']}\t{a['events']}\t{a['root']}")
    return "\n".join(lines) + "\n"


def last_migrations(applied: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The last applied migration per app; names begin with their number, so the greatest name is the last."""
    last: dict[str, str] = {}
    for app, name in applied:
        if name > last.get(app, ""):
            last[app] = name
    return dict(sorted(last.items()))


def unknown_migrations(backup: dict[str, str], known: set[tuple[str, str]]) -> list[str]:
    """Migrations the backup's database has and this code does not: restoring it would run newer tables on older
    code."""
    return [f"{app}.{name}" for app, name in sorted(backup.items()) if (app, name) not in known]


@dataclass
class Manifest:
    created_at: str
    vendor: str
    server_version: str
    platform_version: str
    migrations: dict[str, str]
    trail: dict
    files: list[FileEntry] = field(default_factory=list)
    tools: dict = field(default_factory=dict)

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.vendor]

    @property
    def media_files(self) -> list[FileEntry]:
        return [f for f in self.files if f.path.startswith(MEDIA + "/")]

    def to_dict(self) -> dict:
        return {
            "format": FORMAT, "version": VERSION, "created_at": self.created_at,
            "platform_version": self.platform_version,
            "database": {"vendor": self.vendor, "server_version": self.server_version, "file": self.database_file,
                         "tools": self.tools},
            "migrations": self.migrations, "trail": self.trail,
            "files": [f.to_dict() for f in self.files],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupRefused("不是粤标备份目录（清单格式不符）")
        if data.get("version") != VERSION:
            raise BackupRefused(f"备份格式版本 {data.get('version')} 不受本程序支持（支持 {VERSION}）")
        try:
            db = data["database"]
            files = [FileEntry(str(f["path"]), str(f["sha256"]), int(f["size"])) for f in data["files"]]
            manifest = cls(created_at=str(data["created_at"]), vendor=str(db["vendor"]),
                           server_version=str(db.get("server_version", "")),
                           platform_version=str(data.get("platform_version", "")),
                           migrations={str(k): str(v) for k, v in data["migrations"].items()},
                           trail=dict(data["trail"]), files=files, tools=dict(db.get("tools") or {}))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupRefused(f"备份清单不完整或已损坏：{exc}") from exc
        if manifest.vendor not in DATABASE_FILES:
            raise BackupRefused(f"备份清单中的数据库类型未知：{manifest.vendor}")
        for entry in files:
            safe_relative(entry.path)
        if manifest.database_file not in {f.path for f in files}:
            raise BackupRefused("备份清单中没有数据库文件")
        return manifest


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Write the manifest last, then its digest: a directory without both is an unfinished backup."""
    text = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1) + "\n"
    partial = directory / f".{MANIFEST}.partial"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, directory / MANIFEST)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (directory / MANIFEST_DIGEST).write_text(f"{digest}  {MANIFEST}\n", encoding="utf-8")


def read_manifest(directory: Path) -> Manifest:
    """The manifest, after checking it against its own digest."""
    if not directory.is_dir():
        raise BackupRefused(f"备份目录不存在：{directory}")
    path, digest_path = directory / MANIFEST, directory / MANIFEST_DIGEST
    if not path.is_file() or not digest_path.is_file():
        raise BackupRefused(f"{directory} 中没有 {MANIFEST} 和 {MANIFEST_DIGEST}：不是完整的备份（备份可能中途失败）")
    raw = path.read_bytes()
    expected = digest_path.read_text(encoding="utf-8", errors="replace").split()[:1]
    if [hashlib.sha256(raw).hexdigest()] != expected:
        raise BackupRefused(f"备份清单 {MANIFEST} 与其校验值不符：清单已损坏或被改动")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BackupRefused(f"备份清单无法读取：{exc}") from exc
    return Manifest.from_dict(data)


def check_files(directory: Path, manifest: Manifest, advance: Advance = None) -> None:
    """Every file the manifest lists is there with its size and SHA-256; the first difference is refused."""
    missing = [f.path for f in manifest.files if not (directory / f.path).is_file()]
    if missing:
        raise BackupRefused(f"备份缺少 {len(missing)} 个文件，例如 {missing[0]}")
    for entry in manifest.files:
        path = directory / entry.path
        if path.stat().st_size != entry.size:
            raise BackupRefused(f"备份文件 {entry.path} 的大小与清单不符（{path.stat().st_size} ≠ {entry.size} 字节）：已损坏")
        digest, _ = sha256_file(path, advance)
        if digest != entry.sha256:
            raise BackupRefused(f"备份文件 {entry.path} 的 SHA-256 与清单不符：文件已损坏或被改动")
