"""`yuebiao load-reference`: load the real reference data shipped with the project (idempotent)."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from catalogue.services import load_reference


class Command(BaseCommand):
    help = "载入真实参考数据：ICS、CCS、行政区划、HS、领域与标准题录。Load reference data."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json: bool = False, **options):
        import json as jsonlib

        started = time.perf_counter()
        with tqdm(total=6, desc="参考数据", unit="步", disable=json, file=self.stderr._out) as bar:

            def progress(name, done, total):
                bar.set_postfix_str(name)
                bar.n = done
                bar.refresh()

            result = load_reference(progress=progress)
        elapsed = time.perf_counter() - started
        summary = {
            "counts": result.counts,
            "standards": {"created": result.standards.created, "updated": result.standards.updated,
                          "unchanged": result.standards.unchanged},
            "seconds": round(elapsed, 2),
        }
        if json:
            self.stdout.write(jsonlib.dumps(summary, ensure_ascii=False))
        else:
            counts = "，".join(f"{k} {v}" for k, v in result.counts.items())
            self.stdout.write(f"参考数据已载入（{elapsed:.1f} 秒）：{counts}；标准新增 {result.standards.created}，"
                              f"更新 {result.standards.updated}，未变化 {result.standards.unchanged}")
