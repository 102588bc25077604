"""`yuebiao smart parse|check`: read real standards (PDF, Word, text) into structure, or lint them (GB/T 1.1)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from smart.documents import SUFFIXES, read_standard_file
from smart.errors import SmartError


def _status_of(number: str):
    """What the catalogue knows of a referenced standard: (status, number that replaces it) or None."""
    from catalogue.models import Replacement, Standard
    from catalogue.numbers import try_parse_number

    parsed = try_parse_number(number)
    if parsed is None:
        return None
    std = Standard.objects.filter(number=parsed.canonical).first()
    if std is None:
        return None
    successor = Replacement.objects.filter(replaced=std).select_related("standard").first()
    return std.status, successor.standard.number if successor else None


class Command(BaseCommand):
    help = "机器可读标准：解析（parse）与编写规则检查（check）。Parse or check standards."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("parse", help="解析为 JSON、NISO STS 或 HTML")
        p.add_argument("path", help="文件或文件夹（PDF、.docx、.txt、.md）")
        p.add_argument("--format", choices=["json", "sts", "html"], default="json")
        p.add_argument("--out", help="输出文件（单个文件）或文件夹（文件夹输入时）")
        c = sub.add_parser("check", help="按 GB/T 1.1 检查")
        c.add_argument("path")
        c.add_argument("--json", action="store_true")

    def _files(self, path: Path) -> list[Path]:
        if path.is_dir():
            return sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        return [path]

    def _render(self, doc, fmt: str) -> bytes:
        if fmt == "json":
            return doc.to_json().encode("utf-8")
        if fmt == "sts":
            from smart.sts import to_sts

            return to_sts(doc)
        from smart.html import to_html

        return to_html(doc).encode("utf-8")

    def handle(self, *args, action, path, **options):
        files = self._files(Path(path))
        if action == "parse":
            return self._parse(files, options["format"], options.get("out"), folder=Path(path).is_dir())
        return self._check(files, options.get("json", False))

    def _parse(self, files, fmt, out, folder):
        failed = 0
        bar = tqdm(files, desc="解析", unit="份", file=self.stderr._out, disable=len(files) < 2)
        for f in bar:
            bar.set_postfix_str(f.name)
            try:
                body = self._render(read_standard_file(f), fmt)
            except SmartError as exc:
                failed += 1
                self.stderr.write(f"{f.name}：{exc}")
                continue
            if folder:
                target = Path(out or ".") / f"{f.stem}.{ {'json': 'json', 'sts': 'xml', 'html': 'html'}[fmt] }"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
            elif out:
                Path(out).write_bytes(body)
            else:
                sys.stdout.buffer.write(body)
                sys.stdout.buffer.write(b"\n")
        if failed:
            sys.exit(2)

    def _check(self, files, as_json):
        from smart.checks import check

        report, failed = [], 0
        for f in files:
            try:
                findings = check(read_standard_file(f), status_of=_status_of)
            except SmartError as exc:
                failed += 1
                self.stderr.write(f"{f.name}：{exc}")
                continue
            report.append({"file": f.name, "findings": [x.to_dict() for x in findings]})
        if as_json:
            self.stdout.write(json.dumps(report if len(files) > 1 else (report[0] if report else {}), ensure_ascii=False))
        else:
            for item in report:
                self.stdout.write(f"{item['file']}：{len(item['findings'])} 项问题")
                for x in item["findings"]:
                    self.stdout.write(f"  [{x['severity']}] {x['clause'] or '—'} {x['message']} → {x['fix']}")
        if failed:
            sys.exit(2)
