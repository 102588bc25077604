"""`yuebiao counterparts A [--top N] [--json]`: the catalogue's likeliest counterparts of a standard (寻找对应标准)."""

from __future__ import annotations

import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from compare import services


class Command(BaseCommand):
    help = "寻找对应标准：按可能性列出标准目录中与 A 对应的标准（同一 ICS、名称与范围相近、限值参数相同）。"

    def add_arguments(self, parser):
        parser.add_argument("standard", help="标准号（目录中的标准）或文件（PDF / Word / 文本，例如尚未发布的草案）")
        parser.add_argument("--top", type=int, default=20, help="列出前几项（默认 20）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, standard: str, top: int, json: bool = False, **options):
        with tqdm(total=1, desc="检索标准目录", unit="项", disable=json, file=self.stderr._out, leave=False) as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                path = Path(standard)
                if path.is_file():
                    matches = services.counterparts_of_upload(path.read_bytes(), path.name, top=top,
                                                              progress=progress)
                else:
                    matches = services.counterparts_of_number(standard, top=top, progress=progress)
            except services.ComparisonRefused as exc:
                raise CommandError(str(exc)) from exc
        rows = [services.counterpart_row(m) for m in matches]
        if json:
            self.stdout.write(jsonlib.dumps({"standard": standard, "counterparts": rows}, ensure_ascii=False,
                                            indent=1))
            return
        if not rows:
            self.stdout.write("标准目录中没有找到可能的对应标准。")
            return
        for i, row in enumerate(rows, 1):
            self.stdout.write(f"{i:>2}. {row['score']:.2f}  {row['number']}  {row['title_zh']}")
            for reason in row["reasons"]:
                self.stdout.write(f"        · {reason}")
