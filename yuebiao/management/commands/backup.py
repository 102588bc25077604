"""`yuebiao backup DIR`: back up the database, the uploaded files and the trail's anchors into a new directory."""

import json
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yuebiao.backup import BackupRefused, Reporter, create_backup


def console_reporter(stream) -> Reporter:
    """Progress lines and byte bars on standard error, so standard output stays the result."""

    @contextmanager
    def bar(label: str, total: int):
        with tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024, file=stream,
                  leave=False) as progress:
            yield progress.update

    return Reporter(note=lambda text: print(text, file=stream, flush=True), bar=bar)


def fail(command: BaseCommand, exc: Exception, as_json: bool):
    if as_json:
        command.stdout.write(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False))
    raise CommandError(str(exc), returncode=1)


def trail_line(trail: dict) -> str:
    latest = trail.get("latest_anchor")
    text = f"追溯：{trail['events']:,} 个事件、{trail['anchors']:,} 个锚定"
    return text + (f"；最新锚定 {latest['day']}，根 {latest['root']}" if latest else "；尚无锚定")


class Command(BaseCommand):
    help = "备份数据库、上传文件和追溯锚定到一个新目录（含清单与校验值）。Back up into a new directory."
    # A backup must be possible even while some room's settings or pages are broken.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录：不存在或为空")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果摘要")

    def handle(self, *args, directory, json: bool = False, **options):
        import json as jsonlib

        reporter = Reporter() if json else console_reporter(self.stderr._out)
        try:
            summary = create_backup(directory, reporter=reporter)
        except BackupRefused as exc:
            fail(self, exc, json)
        if json:
            self.stdout.write(jsonlib.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(f"备份完成：{summary['directory']}（用时 {summary['seconds']:.1f} 秒）")
        self.stdout.write(f"  数据库（{summary['vendor']}）：{summary['database_bytes'] / 2**20:,.1f} MB")
        self.stdout.write(f"  上传文件：{summary['media_files']:,} 个，{summary['media_bytes'] / 2**20:,.1f} MB")
        self.stdout.write(f"  {trail_line(summary['trail'])}")
        self.stdout.write("备份含个人信息：请复制到另一台机器或介质上妥善保管，只让管理员读取。")
