"""`yuebiao experts import FILE.xlsx [--dry-run] [--json]` and `yuebiao experts list [--json]`: the expert pool (专家库)."""

import json as jsonlib
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import User
from lifecycle import errors
from lifecycle.review import expert_import
from lifecycle.review import queries as review_queries


class Command(BaseCommand):
    help = "技术审查专家库：导入 Excel 专家名单、列出专家。The technical-review expert pool."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        imp = sub.add_parser("import", help="导入 Excel（.xlsx）专家名单（有任何错误行则全部不导入）")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        imp.add_argument("--user", help="记为该用户导入（须有专家库管理权限）；缺省记为系统")
        imp.add_argument("--json", action="store_true")
        lst = sub.add_parser("list", help="列出专家")
        lst.add_argument("--q", default="", help="按姓名、专业领域、工作单位查找")
        lst.add_argument("--active-only", action="store_true", help="只列在库专家")
        lst.add_argument("--json", action="store_true", help="输出 JSON 数组")

    def handle(self, *args, what, **options):
        if what == "import":
            return self._import(options)
        return self._list(options)

    def _import(self, options):
        path = Path(options["file"])
        as_json = options["json"]
        if not path.is_file():
            self.stderr.write(f"找不到文件：{path}")
            sys.exit(2)
        by = None
        if options.get("user"):
            by = User.objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"没有用户“{options['user']}”")
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if as_json:
                return
            if bar is None:
                bar = tqdm(total=total, desc="写入专家库", unit="人", file=sys.stderr)
            bar.n = done
            bar.refresh()

        try:
            report = expert_import.import_experts(data=path.read_bytes(), filename=path.name, by=by,
                                           dry_run=options["dry_run"], progress=progress)
        except errors.ReviewError as exc:
            if as_json:
                self.stdout.write(jsonlib.dumps({"filename": path.name, "refused": str(exc)}, ensure_ascii=False))
            else:
                self.stderr.write(f"未导入：{exc}")
            sys.exit(2)
        finally:
            if bar is not None:
                bar.close()
        out = report.as_dict()
        if as_json:
            self.stdout.write(jsonlib.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(f"{path.name}：数据行 {out['total_rows']}，有效 {out['valid_rows']}，错误行 {out['error_rows']}")
            for e in report.errors[:100]:
                where = f"第 {e['row']} 行" if e["row"] else "文件"
                self.stdout.write(f"  {where} {e['column'] or ''}：{e['message']}")
            if report.errors:
                self.stdout.write("有错误，未导入任何专家（全部或全不）。")
            elif report.dry_run:
                self.stdout.write(f"检查通过（未写入）：将导入 {len(report.rows)} 位专家")
            else:
                self.stdout.write(f"导入完成：新增 {report.created} 位专家")
        if report.errors:
            sys.exit(1)

    def _list(self, options):
        qs = review_queries.search_experts(options["q"], include_inactive=not options["active_only"])
        rows = [{"id": e.pk, "name": e.name, "organisation": e.organisation.name if e.organisation_id else "",
                 "title": e.title, "speciality": e.speciality, "region_code": e.region_code, "active": e.active,
                 "username": e.user.username if e.user_id else ""} for e in qs.iterator(chunk_size=500)]
        if options["json"]:
            self.stdout.write(jsonlib.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            state = "在库" if row["active"] else "停用"
            self.stdout.write("\t".join([str(row["id"]), row["name"], row["organisation"], row["title"],
                                         row["speciality"], state]))
        self.stdout.write(f"共 {len(rows)} 位专家")
