"""`yuebiao trail verify|export|anchor|roots`: check the event chains and anchors (against published roots too),
export them for audit, anchor today, print the published roots."""

import json
import sys
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from trail import chain, services
from trail.models import Event


class Command(BaseCommand):
    help = "全过程追溯：校验（verify）、导出（export）、锚定（anchor）。Verify, export or anchor the trail."
    # The audit must run even while some other room's pages or settings are broken.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="校验所有事件链和锚定；不通过时退出码为 1")
        v.add_argument("--root", metavar="FILE", dest="roots_file",
                       help="核对此前公布的根：yuebiao trail roots --json 的输出，或保存的 Atom 订阅（/trail/anchors/feed/）")
        v.add_argument("--json", action="store_true")
        e = sub.add_parser("export", help="导出为 JSON Lines，供 python -m trail.chain verify 离线校验")
        e.add_argument("file", help="输出文件；- 表示标准输出")
        e.add_argument("--json", action="store_true")
        a = sub.add_parser("anchor", help="记录当前所有链头的默克尔根（每日锚定）")
        a.add_argument("--json", action="store_true")
        r = sub.add_parser("roots", help="列出所有锚定的日期、时间、默克尔根（即公布的根），保存一份以备日后核对")
        r.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        as_json = options.get("json", False)
        return {"verify": self._verify, "export": self._export, "anchor": self._anchor,
                "roots": self._roots}[action](options, as_json)

    @contextmanager
    def _bar(self, label: str, enabled: bool):
        if not enabled:
            yield None
            return
        bar = tqdm(total=Event.objects.count(), desc=label, unit="事件", unit_scale=True, file=self.stderr._out,
                   leave=True)
        try:
            yield bar.update
        finally:
            bar.close()

    def _published(self, path: str | None) -> list[dict] | None:
        if not path:
            return None
        try:
            return chain.read_published_roots(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取已公布的根：{exc}") from exc
        except ValueError as exc:
            raise CommandError(f"已公布的根格式不对：{exc}") from exc

    def _verify(self, options, as_json):
        published = self._published(options.get("roots_file"))
        with self._bar("校验", not as_json) as progress:
            result = services.verify(progress=progress, published=published)
        if as_json:
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            rate = result.events / result.seconds if result.seconds else 0
            summary = (f"{result.chains:,} 条链、{result.events:,} 个事件、{result.anchors:,} 个锚定，"
                       f"用时 {result.seconds:.1f} 秒（每秒 {rate:,.0f} 个事件）")
            if result.ok:
                self.stdout.write(f"追溯记录校验通过：{summary}")
            else:
                first = result.first
                self.stdout.write(f"追溯记录校验未通过：{summary}；共 {result.failure_count} 处问题")
                self.stdout.write(f"第一处：{first.describe()}")
                for f in result.failures[1:20]:
                    self.stdout.write(f"  {f.describe()}")
                if result.failure_count > 20:
                    self.stdout.write(f"  ……另有 {result.failure_count - 20} 处，用 --json 查看前 100 处")
            if published is not None:
                self.stdout.write(f"已公布的根：核对 {len(published)} 个")
            self.stdout.write(self._unanchored_line(result.unanchored))
        if not result.ok:
            sys.exit(1)

    @staticmethod
    def _unanchored_line(gap: dict) -> str:
        if not gap["events"]:
            return "尚未锚定的事件：无（所有事件都在最近一次锚定之内）"
        more = "等" if gap["chains"] > len(gap["subjects"]) else ""
        return (f"尚未锚定的事件：{gap['events']:,} 个，{gap['chains']:,} 条链（{'、'.join(gap['subjects'])}{more}）；"
                "下一次锚定前，它们被删除或伪造不会被发现")

    def _roots(self, options, as_json):
        roots = services.published_roots()
        if as_json:
            self.stdout.write(json.dumps({"format": "yuebiao-trail-roots", "anchors": roots}, ensure_ascii=False,
                                         indent=1))
            return
        if not roots:
            self.stdout.write("尚无锚定：运行 yuebiao trail anchor（或 yuebiao worker 的每日任务）")
        for r in roots:
            self.stdout.write(f"{r['day']}\t{r['created_at']}\t{r['root']}\t{r['chains']:,} 条链\t{r['events']:,} 个事件")

    def _export(self, options, as_json):
        target = options["file"]
        to_stdout = target == "-"
        if not to_stdout and not Path(target).parent.is_dir():
            raise CommandError(f"目录不存在：{Path(target).parent}")
        with self._bar("导出", not as_json and not to_stdout) as progress:
            count = services.export(self.stdout._out if to_stdout else target, progress=progress)
        if to_stdout:
            return
        if as_json:
            self.stdout.write(json.dumps({"file": str(target), "events": count}, ensure_ascii=False))
        else:
            self.stdout.write(f"已导出 {count:,} 个事件到 {target}；离线校验：python -m trail.chain verify {target}")

    def _anchor(self, options, as_json):
        anchor = services.anchor_today()
        if as_json:
            self.stdout.write(json.dumps({"id": anchor.id, "day": anchor.day.isoformat(), "root": anchor.root,
                                          "prev_root": anchor.prev_root, "chains": anchor.chains,
                                          "events": anchor.events}, ensure_ascii=False))
        else:
            self.stdout.write(f"已锚定 {anchor.day}：{anchor.chains:,} 条链、{anchor.events:,} 个事件")
            self.stdout.write(f"默克尔根：{anchor.root}")
            self.stdout.write("此根已公布于 /trail/anchors/（及其 Atom 订阅）；请另行保存或打印存档，"
                              "日后可用 yuebiao trail verify --root 文件 核对")
