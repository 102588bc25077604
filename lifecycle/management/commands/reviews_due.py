"""`yuebiao reviews-due [--json] [--open]`: standards whose periodic review (复审) is due; --open starts them."""

from __future__ import annotations

import json as jsonlib

from django.core.management.base import BaseCommand
from tqdm import tqdm

from lifecycle import references as refs
from lifecycle.implementation import actions as implementation_actions
from lifecycle.implementation import queries as implementation_queries


class Command(BaseCommand):
    help = ("列出复审已到期或即将到期的地方标准；--open 为实施满五年的标准开启复审，并使有待复审事项的项目进入复审阶段"
            "（每日由 yuebiao worker 运行）")

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=0,
                            help="列出多少个月内到期的复审（默认 0：已到期或已逾期）")
        parser.add_argument("--open", action="store_true", dest="open_due",
                            help="开启到期的复审并使项目进入复审阶段（由系统执行，记入全过程追溯）")
        parser.add_argument("--json", action="store_true", help="输出 JSON，供脚本读取")

    def handle(self, *args, months: int = 0, open_due: bool = False, json: bool = False, **options):
        as_json = json
        if months < 0 or months > 120:
            self.stderr.write("--months 应在 0 到 120 之间")
            raise SystemExit(2)
        opened: list[dict] = []
        references = 0
        if open_due:
            # References first: a text parsed since the last run may make a review due today.
            references = refs.refresh_missing_references()
            due_now = implementation_queries.reviews_due(within_months=0)
            with tqdm(total=len(due_now), desc="开启复审", unit="项", file=self.stderr._out,
                      disable=as_json or not due_now) as bar:
                opened = implementation_actions.open_due_reviews(progress=bar.update)
        rows = implementation_queries.reviews_due(within_months=months)
        failed = [o for o in opened if o["error"]]
        if as_json:
            self.stdout.write(jsonlib.dumps({
                "due": [r.as_dict() for r in rows], "opened": opened, "references_added": references,
            }, ensure_ascii=False, indent=1))
        else:
            if open_due:
                started = sum(o["started"] for o in opened)
                new = sum(o["opened"] for o in opened)
                self.stdout.write(f"新开复审 {new} 项，进入复审阶段 {started} 项，从标准全文登记引用标准 {references} 项")
                for o in failed:
                    self.stdout.write(f"  未能启动 {o['number'] or o['code']}：{o['error']}")
            if not rows:
                self.stdout.write("没有到期的复审" if months == 0 else f"{months} 个月内没有到期的复审")
            for r in rows:
                p = r.project
                flag = f"逾期 {r.days_overdue} 天" if r.overdue else (
                    f"剩 {r.days_left} 天" if r.days_left is not None else "")
                reasons = "；".join(f"{rv.get_reason_display()}{('：' + rv.detail) if rv.detail else ''}"
                                   for rv in r.open_reviews) or (
                    "实施满五年" if p.review_due_on and r.days_left is not None and r.days_left <= 0 else "五年复审到期")
                self.stdout.write(
                    f"{p.number or p.code}\t{p.title_zh}\t{r.city_name}\t{p.state_label}\t"
                    f"{r.due_on.isoformat() if r.due_on else '—'}\t{flag}\t{reasons}"
                )
        if failed:
            raise SystemExit(1)
