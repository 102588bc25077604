"""`yuebiao comments export CODE FILE.xlsx|docx|pdf` and `yuebiao comments list CODE [--json]`: a project's comments."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lifecycle.consultation import queries as consultation_queries
from lifecycle.models import LocalStandardProject


class Command(BaseCommand):
    help = "征求意见：导出意见汇总处理表（export）或列出意见（list）。Export the comment table or list comments."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        e = sub.add_parser("export", help="导出意见汇总处理表；格式由文件后缀决定：.xlsx、.docx 或 .pdf")
        e.add_argument("code", help="项目编号，例如 2026-0001")
        e.add_argument("file", help="输出文件")
        e.add_argument("--json", action="store_true", help="以 JSON 报告结果")
        e.add_argument("--with-contact", action="store_true",
                       help="表中写出提出单位和姓名（个人信息；默认为化名“提出人 N”）")
        lst = sub.add_parser("list", help="列出项目收到的意见")
        lst.add_argument("code", help="项目编号")
        lst.add_argument("--json", action="store_true", help="JSON 输出（每条意见一个对象）")
        lst.add_argument("--unanswered", action="store_true", help="只列未答复的意见")
        lst.add_argument("--with-contact", action="store_true",
                         help="包括提出人的姓名、单位和联系方式（个人信息；默认为化名“提出人 N”）")

    def handle(self, *args, action, code, **options):
        project = LocalStandardProject.objects.filter(code=code).first()
        if project is None:
            raise CommandError(f"没有项目 {code}")
        if action == "export":
            return self._export(project, options)
        return self._list(project, options)

    def _export(self, project, options):
        target = Path(options["file"])
        fmt = target.suffix.lower().lstrip(".")
        if fmt not in consultation_queries.TABLE_FORMATS:
            raise CommandError("文件后缀须为 .xlsx、.docx 或 .pdf")
        if not target.parent.is_dir():
            raise CommandError(f"目录不存在：{target.parent}")
        data, _, _ = consultation_queries.comment_table(project, fmt, show_contacts=options["with_contact"])
        target.write_bytes(data)
        counts = consultation_queries.comment_counts(project)
        if options["json"]:
            self.stdout.write(json.dumps({"file": str(target), "format": fmt, "bytes": len(data), **{
                k: counts[k] for k in ("total", "answered", "unanswered")}}, ensure_ascii=False))
        else:
            draft = f"（草稿：{counts['unanswered']} 条未答复）" if counts["unanswered"] else ""
            self.stdout.write(f"已导出 {project.code} 的意见汇总处理表到 {target}：{counts['total']} 条意见{draft}")

    def _list(self, project, options):
        show = options["with_contact"]
        labels = {} if show else consultation_queries.project_sender_labels(project)
        rows = [consultation_queries.comment_view(c, show_contact=show, labels=labels)
                for c in consultation_queries.project_comments(project, unanswered_only=options["unanswered"])]
        if options["json"]:
            for row in rows:
                row["submitted_at"] = row["submitted_at"].isoformat()
                row["answered_at"] = row["answered_at"].isoformat() if row["answered_at"] else None
                if not show:
                    for hidden in ("author_name", "author_organisation", "contact"):
                        row.pop(hidden)
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if not rows:
            self.stdout.write("没有意见")
            return
        for row in rows:
            status = row["resolution_label"] or "未答复"
            self.stdout.write(f"#{row['id']}  {row['clause_label']}  [{status}]  {row['sender']}  "
                              f"{timezone.localtime(row['submitted_at']):%Y-%m-%d %H:%M}")
            self.stdout.write("    " + " ".join(row["text"].split())[:120])
        counts = consultation_queries.comment_counts(project)
        self.stdout.write(f"共 {counts['total']} 条，已答复 {counts['answered']} 条，未答复 {counts['unanswered']} 条")
