"""`yuebiao cycle-time [--by city|department|committee] [--from D --to D] [--json] [--xlsx FILE]`: 制定周期统计."""

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lifecycle import errors
from lifecycle.analytics import export as analytics_export
from lifecycle.analytics import facts as analytics_facts
from lifecycle.analytics import filters as analytics_filters
from lifecycle.analytics import queries as analytics_queries


class Command(BaseCommand):
    help = "制定周期统计：立项下达至批准发布的用时、分阶段用时与瓶颈、按地市/部门/技术委员会分组。Cycle-time figures."

    def add_arguments(self, parser):
        parser.add_argument("--by", choices=analytics_filters.GROUPINGS, help="分组方式（默认三种都列）")
        parser.add_argument("--from", dest="published_from", metavar="YYYY-MM-DD", help="发布日期（起）")
        parser.add_argument("--to", dest="published_to", metavar="YYYY-MM-DD", help="发布日期（止）")
        parser.add_argument("--plan-from", metavar="YYYY-MM-DD", help="立项下达日期（起）")
        parser.add_argument("--plan-to", metavar="YYYY-MM-DD", help="立项下达日期（止）")
        parser.add_argument("--nature", choices=["recommended", "mandatory"], help="性质")
        parser.add_argument("--kind", choices=["new", "revision"], help="制定 / 修订")
        parser.add_argument("--city", metavar="CODE", help="地市行政区划代码，例如 440100")
        parser.add_argument("--department", metavar="ID", help="提出部门（机构编号）")
        parser.add_argument("--committee", metavar="ID", help="技术委员会（机构编号；0 = 未指定）")
        parser.add_argument("--json", action="store_true", help="输出 JSON（与 /api/lifecycle/analytics/cycle-time 相同）")
        parser.add_argument("--xlsx", metavar="FILE", help="同时导出 Excel 工作簿")
        parser.add_argument("--refresh", action="store_true", help="先重建汇总表 CycleFact（批量导入数据之后用）")

    def handle(self, *args, **o):
        keys = ("published_from", "published_to", "plan_from", "plan_to", "nature", "kind", "city", "department",
                "committee")
        try:
            filters = analytics_filters.Filters.parse({k: o.get(k) for k in keys})
        except errors.AnalyticsInputError as exc:
            raise CommandError(str(exc)) from exc
        if o["xlsx"] and not Path(o["xlsx"]).resolve().parent.is_dir():
            raise CommandError(f"目录不存在：{Path(o['xlsx']).parent}")
        if o["refresh"]:
            started = time.perf_counter()
            print("重建汇总表 CycleFact …", file=sys.stderr, flush=True)
            rows = analytics_facts.refresh_facts()
            print(f"已汇总 {rows:,} 个已发布项目，用时 {time.perf_counter() - started:.1f} 秒", file=sys.stderr)
        groupings = (o["by"],) if o["by"] else analytics_filters.GROUPINGS
        data = analytics_queries.cycle_time(filters, groupings=groupings, use_cache=False)
        if o["xlsx"]:
            print(f"导出 {o['xlsx']} …", file=sys.stderr, flush=True)
            Path(o["xlsx"]).write_bytes(analytics_export.export_xlsx(filters, figures=data if not o["by"] else None))
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self._text(data, groupings, o["xlsx"])

    def _text(self, data, groupings, xlsx):
        c, r, t = data["completed"], data["in_progress"], data["target"]
        w = self.stdout.write
        w(f"制定周期统计（{data['today']}，目标 {t['label']}）" + (f"，筛选：{data['filters']}" if data["filters"] else ""))
        if c["count"]:
            w(f"已发布项目 {c['count']:,} 个：平均 {c['mean_months']} 个月，中位数 {c['median_months']} 个月，"
              f"超过目标 {c['over_target']:,} 个（{c['over_target_share'] * 100:.1f}%）")
        else:
            w("尚无已发布的项目")
        w(f"在研项目 {r['count']:,} 个，其中已超过目标 {r['over_target']:,} 个")
        if data["bottleneck"]:
            w(f"瓶颈阶段：{data['bottleneck']['label']}（占制定周期用时 {data['bottleneck']['share'] * 100:.1f}%）")
        if data["most_over_due"]:
            w(f"最常超期：{data['most_over_due']['label']}（{data['most_over_due']['over_due_share'] * 100:.1f}% 的项目超过阶段期限）")
        w("")
        w(f"{'阶段':<8}{'项目数':>10}{'平均天数':>10}{'中位天数':>10}{'占周期':>8}{'超期':>8}")
        for s in data["stages"]:
            share = f"{s['share'] * 100:.1f}%" if s["share"] is not None else "—"
            late = f"{s['over_due_share'] * 100:.1f}%" if s["over_due_share"] is not None else "—"
            w(f"{s['label']:<8}{s['projects']:>10,}{s['mean_days']:>10}{s['median_days']:>10}{share:>8}{late:>8}")
        names = {"city": "地市", "department": "提出部门", "committee": "技术委员会"}
        for by in groupings:
            w("")
            w(f"按{names[by]}：名称 / 已发布 / 平均（月）/ 中位数（月）/ 超过目标 / 在研 / 在研已超目标")
            for g in data["groups"][by]:
                share = f"{g['over_target_share'] * 100:.1f}%" if g["over_target_share"] is not None else "—"
                w(f"  {g['name']}  {g['count']:,}  {g['mean_months'] if g['mean_months'] is not None else '—'}  "
                  f"{g['median_months'] if g['median_months'] is not None else '—'}  {share}  {g['in_progress']:,}  "
                  f"{g['in_progress_over']:,}")
        if xlsx:
            w("")
            w(f"已导出 {xlsx}")
