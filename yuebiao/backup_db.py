"""Copying the database into a backup and back: SQLite's online backup API, PostgreSQL's pg_dump and pg_restore.

Each snapshot also reads, from the very state it copies, the facts the manifest records (migrations, trail
figures, anchors), so the manifest describes the copy and not the live database a moment later.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

from django.db import connection, transaction

from trail.chain import format_at
from yuebiao.backup_files import BackupRefused

FACT_QUERIES = {
    "migrations": "SELECT app, name FROM django_migrations",
    "events": "SELECT COUNT(*) FROM trail_event",
    "anchors": "SELECT day, created_at, root, chains, events FROM trail_anchor ORDER BY created_at, id",
}
# Tables that say a database holds the platform's records (accounts, the trail): restoring over them needs --force.
RECORD_TABLES = ("accounts_user", "trail_event")
CLIENT_PACKAGE = "postgresql-client"


def _at_text(value) -> str:
    """An anchor's time as the trail writes it (UTC, "Z"), whether the driver gives text (SQLite) or a datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_at(moment)


def read_facts(cursor) -> dict:
    """Migrations applied, trail figures and the anchors, from a DB-API cursor on the copied state."""
    cursor.execute(FACT_QUERIES["migrations"])
    applied = [(str(app), str(name)) for app, name in cursor.fetchall()]
    cursor.execute(FACT_QUERIES["events"])
    events = int(cursor.fetchone()[0])
    cursor.execute(FACT_QUERIES["anchors"])
    anchors = [{"day": d.isoformat() if isinstance(d, date) else str(d), "created_at": _at_text(at), "root": root,
                "chains": int(chains), "events": int(count)} for d, at, root, chains, count in cursor.fetchall()]
    return {"applied": applied, "events": events, "anchors": anchors}


# --- SQLite ---------------------------------------------------------------------------------------------------

def _sqlite_path() -> str:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupRefused(f"内存中的 SQLite 数据库无法备份或恢复：{name}")
    return name


def sqlite_dump(target: Path) -> dict:
    """Copy the live database with the online backup API: one step, so the copy is one consistent state even while
    the server writes (WAL lets it go on meanwhile)."""
    source = sqlite3.connect(_sqlite_path(), timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # One self-contained file: no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        status = copy.execute("PRAGMA quick_check").fetchone()[0]
        if status != "ok":
            raise BackupRefused(f"数据库副本完整性检查未通过：{status}")
        return read_facts(copy.cursor())
    finally:
        copy.close()
        source.close()


def sqlite_check(path: Path) -> None:
    """The backup's database file opens and passes SQLite's own check (before anything is replaced)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            status = db.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"备份中的数据库文件无法读取：{exc}") from exc
    if status != "ok":
        raise BackupRefused(f"备份中的数据库文件完整性检查未通过：{status}")


def sqlite_restore(path: Path) -> None:
    """Write the backup's pages into the configured database file (created if missing), in one step."""
    connection.close()
    target_path = Path(_sqlite_path())
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------------------------

def pg_environment() -> dict[str, str]:
    """libpq variables for pg_dump/pg_restore from the platform's DATABASE_URL settings: the password goes
    through PGPASSWORD, never on a command line that `ps` shows. What the settings leave out comes from the
    environment, as for the platform's own connection (both use libpq)."""
    s = connection.settings_dict
    options = s.get("OPTIONS") or {}
    pairs = {"PGHOST": s.get("HOST"), "PGPORT": s.get("PORT"), "PGUSER": s.get("USER"),
             "PGPASSWORD": s.get("PASSWORD"), "PGDATABASE": s.get("NAME"), "PGSSLMODE": options.get("sslmode"),
             "PGSSLROOTCERT": options.get("sslrootcert"), "PGSSLCERT": options.get("sslcert"),
             "PGSSLKEY": options.get("sslkey")}
    env = dict(os.environ)
    env.update({k: str(v) for k, v in pairs.items() if v not in (None, "")})
    return env


def _tool(name: str) -> tuple[str, int]:
    """The path and major version of a PostgreSQL client program."""
    path = shutil.which(name)
    if not path:
        raise BackupRefused(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install {CLIENT_PACKAGE}）")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if not found:
        raise BackupRefused(f"无法识别 {name} 的版本：{out.strip()}")
    return path, int(found.group(1))


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _run(args: list[str], what: str) -> str:
    done = subprocess.run(args, env=pg_environment(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupRefused(f"{what}失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")
    return done.stdout


def postgresql_dump(target: Path) -> tuple[dict, dict]:
    """pg_dump in custom format from a snapshot this connection exports, and the facts read in that snapshot."""
    pg_dump, client = _tool("pg_dump")
    server = _server_major()
    if client < server:
        raise BackupRefused(f"pg_dump 版本 {client} 低于数据库服务器版本 {server}：请安装 {CLIENT_PACKAGE}-{server}")
    # The snapshot lives as long as this transaction: pg_dump copies exactly the state the facts were read from.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = read_facts(cursor)
        _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
             "pg_dump ")
    return facts, {"pg_dump": client, "server": server}


def postgresql_check(path: Path, tools: dict) -> None:
    """pg_restore of this machine can read the archive (its table of contents lists), before anything is dropped."""
    _, client = _tool("pg_restore")
    made_with = int(tools.get("pg_dump") or 0)
    if client < made_with:
        raise BackupRefused(f"备份由 pg_dump {made_with} 生成，本机 pg_restore 为 {client}：请安装 "
                            f"{CLIENT_PACKAGE}-{made_with}")
    _dump_tables(path)


def _dump_tables(path: Path) -> set[str]:
    pg_restore, _ = _tool("pg_restore")
    listing = _run([pg_restore, "--list", str(path)], "读取备份归档 ")
    return set(re.findall(r"^\d+; \d+ \d+ TABLE (?!DATA )public (\S+) ", listing, flags=re.MULTILINE))


def postgresql_restore(path: Path) -> list[str]:
    """pg_restore --clean into the configured database in one transaction (all or nothing), then drop the tables the
    backup does not have (made by newer migrations: `migrate` recreates them). Returns those dropped.

    Nothing here deletes rows: the trail tables are dropped and recreated whole, which their append-only triggers
    allow."""
    pg_restore, _ = _tool("pg_restore")
    backup_tables = _dump_tables(path)
    connection.close()  # our own idle session must not hold locks the DROPs wait for
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--no-password",
          f"--dbname={pg_environment()['PGDATABASE']}", str(path)], "pg_restore ")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        extra = sorted({row[0] for row in cursor.fetchall()} - backup_tables)
        for table in extra:
            cursor.execute(f'DROP TABLE IF EXISTS public."{table}" CASCADE')
    return extra


def other_sessions() -> int:
    """Client sessions on this PostgreSQL database besides ours: pg_restore's DROPs would wait for them for ever
    (it sets lock_timeout to 0 itself), so the server and the worker must be stopped first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        return int(cursor.fetchone()[0])


def holds_records() -> bool:
    """Whether the configured database already holds user accounts or trail events (restoring over it needs
    --force); a missing table means a fresh database."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in RECORD_TABLES:
            if table in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
                if cursor.fetchone()[0]:
                    return True
    return False


def live_facts() -> dict:
    """The same facts from the configured database (after a restore, to compare with the manifest)."""
    with connection.cursor() as cursor:
        return read_facts(cursor)
