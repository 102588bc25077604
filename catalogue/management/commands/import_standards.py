"""`yuebiao import FILE`: check and import a CSV or Excel list of standards (all-or-nothing unless --valid-only)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from accounts.models import User
from accounts.permissions import can
from accounts.roles import Action
from catalogue import imports, services
from catalogue.table_vocabulary import TabularError


class Command(BaseCommand):
    help = "批量导入标准清单（CSV/Excel）。Import a list of standards."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--valid-only", action="store_true", help="仅导入有效行，报告其余行")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--user", "--as", dest="user", help="以该用户身份导入：按其权限检查每一行，并记入追溯（不填则为系统）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, file, valid_only, dry_run, user, json: bool = False, **options):
        import json as jsonlib

        path = Path(file)
        if not path.is_file():
            self.stderr.write(f"找不到文件：{file}")
            sys.exit(2)
        by = None  # the system: reference and migration loads may write every standard
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                self.stderr.write(f"没有用户“{user}”")
                sys.exit(2)
            if not can(by, Action.CATALOGUE_IMPORT):
                self.stderr.write(f"用户“{user}”无权批量导入标准")
                sys.exit(2)
        bars: dict = {}

        def progress(stage: str, done: int, total: int) -> None:
            if json:
                return
            label = {"checked": "逐行检查", "written": "写入目录"}[stage]
            bar = bars.get(stage) or bars.setdefault(
                stage, tqdm(total=total, desc=label, unit="行", file=self.stderr._out, leave=True)
            )
            bar.n = done
            bar.refresh()

        try:
            self.stderr.write(f"正在读取并检查 {path.name} …") if not json else None
            report = imports.import_file(
                data=path.read_bytes(), filename=path.name, valid_only=valid_only, by=by, dry_run=dry_run,
                progress=progress,
            )
        except (TabularError, imports.ImportRefused, services.RecordError) as exc:
            self.stderr.write(f"未导入：{exc}")
            sys.exit(2)
        for bar in bars.values():
            bar.close()
        if json:
            self.stdout.write(jsonlib.dumps(report, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{path.name}：数据行 {report['total_rows']}，有效 {report['valid_rows']}，错误行 {report['error_rows']}"
            )
            for e in report["errors"][:50]:
                self.stdout.write(f"  第 {e['row']} 行 {e['column'] or ''}：{e['message']}")
            if dry_run:
                self.stdout.write(
                    f"检查完成（未写入）：将新增 {report['would_create']}，更新 {report['would_update']}，未变化 {report['would_keep']}"
                )
            else:
                self.stdout.write(
                    f"导入完成：新增 {report['created']}，更新 {report['updated']}，未变化 {report['unchanged']}"
                )
        if report["error_rows"] and not valid_only:
            sys.exit(1)
