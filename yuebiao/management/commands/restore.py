"""`yuebiao restore DIR`: restore the database and the uploaded files from a backup made by `yuebiao backup`."""

import sys

from django.core.management.base import BaseCommand

from yuebiao.backup import BackupRefused, Reporter, restore_backup
from yuebiao.management.commands.backup import console_reporter, fail, trail_line


class Command(BaseCommand):
    help = ("从备份目录恢复数据库和上传文件；先核对清单和全部校验值，不符则不做任何改动。"
            "Restore from a backup directory.")
    # The database may not exist yet (a new machine): nothing may read it before the restore.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", help="由 yuebiao backup 生成的备份目录")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍整体替换")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果摘要")

    def handle(self, *args, directory, force: bool = False, json: bool = False, **options):
        import json as jsonlib

        reporter = Reporter() if json else console_reporter(self.stderr._out)
        try:
            summary = restore_backup(directory, force=force, reporter=reporter)
        except BackupRefused as exc:
            fail(self, exc, json)
        if json:
            self.stdout.write(jsonlib.dumps(summary, ensure_ascii=False))
        else:
            self._describe(summary)
        if not summary["ok"]:
            sys.exit(1)

    def _describe(self, summary: dict) -> None:
        self.stdout.write(f"已从 {summary['directory']} 恢复（备份于 {summary['backup_created_at']}，"
                          f"用时 {summary['seconds']:.1f} 秒）")
        self.stdout.write(f"  上传文件：恢复 {summary['media_restored']:,} 个，{summary['media_unchanged']:,} 个原已相同")
        if summary["moved_aside_to"]:
            self.stdout.write(f"  原有文件中被替换或备份中没有的 {summary['media_moved_aside']:,} 个已移到 "
                              f"{summary['moved_aside_to']}（确认无用后可删除）")
        self.stdout.write(f"  {trail_line(summary['trail'])}")
        if not summary["ok"]:
            self.stdout.write(f"恢复后的追溯数据与备份清单不符：清单为 {trail_line(summary['trail_expected'])}")
            return
        if summary["needs_migrate"]:
            self.stdout.write("备份的数据库结构比本程序旧：请运行 yuebiao migrate")
        self.stdout.write("请运行 yuebiao trail verify 校验追溯记录，并与已公布的锚定根（备份中的 anchors.txt）核对。")
