"""``yuebiao compare A B --format json|xlsx|pdf``: compare two standards and print or write the report.

A and B are files (PDF, Word .docx, text) or catalogue numbers (``GB 26453—2011``, ``DB44/ 2159``). Two files
are compared by the pure core alone, with no database and no settings; a catalogue number needs Django, which
is set up only then. Verdicts are from A's point of view.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from compare.report import compare_documents, export_filename, unreadable_report
from smart.documents import read_standard_file
from smart.errors import SmartError

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_UNREADABLE = 2


class Refused(Exception):
    """A comparison the services refused; `report` is the unreadable report when a side could not be read."""

    def __init__(self, message: str, report: dict[str, Any] | None = None):
        super().__init__(message)
        self.report = report


def _read(path: str) -> tuple[Any, str | None]:
    """(document, None) or (None, Chinese reason); smart.documents needs no Django settings."""
    p = Path(path)
    if not p.is_file():
        return None, f"找不到文件“{path}”"
    try:
        return read_standard_file(p), None
    except SmartError as exc:
        return None, str(exc)


def _files_report(a: str, b: str) -> dict[str, Any]:
    docs: dict[str, Any] = {}
    problems: dict[str, tuple[str, str]] = {}
    for side, path in (("a", a), ("b", b)):
        doc, why = _read(path)
        if doc is None:
            problems[side] = (path, why or "未知原因")
        docs[side] = doc
    if problems:
        return unreadable_report(problems)
    report = compare_documents(docs["a"], docs["b"], progress=_show_progress)
    report["a"]["label"], report["b"]["label"] = Path(a).name, Path(b).name
    return report


def _show_progress(step: str, per_cent: int) -> None:
    print(f"[{per_cent:3d}%] {step}", file=sys.stderr)


def _catalogue_report(a: str, b: str, *, save_as: str | None) -> tuple[dict[str, Any], str | None]:
    """The report when A or B is a catalogue number; with `save_as`, also stored, and its link returned.

    Django is set up only here (and its modules imported only after it): two files need no database."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.exceptions import PermissionDenied

    from accounts.models import User
    from compare import actions, services

    try:
        sides = [services.side_from_argument(a), services.side_from_argument(b)]
        if save_as is None:
            return services.report_of(*sides, progress=_show_progress), None
        user = User.objects.filter(username=save_as).first()
        if user is None:
            raise services.ComparisonRefused(f"没有用户“{save_as}”")
        # the same action as the page and the API, run here rather than on the worker: the command line waits
        comparison = actions.compare_sides(*sides, by=user, inline=True, progress=_show_progress)
    except (services.ComparisonRefused, PermissionDenied) as exc:
        raise Refused(str(exc), getattr(exc, "report", None)) from exc
    if comparison.status == comparison.Status.FAILED:
        raise Refused(comparison.failure)
    return comparison.report, settings.YUEBIAO_SITE_URL.rstrip("/") + comparison.get_absolute_url()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="yuebiao compare", description="标准比对：A 与 B 逐条、逐项限值比对（结论从 A 的角度）")
    parser.add_argument("a", help="标准 A：文件（PDF / Word / 文本）或标准目录中的标准号")
    parser.add_argument("b", help="标准 B：文件或标准号")
    parser.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json", help="输出格式")
    parser.add_argument("-o", "--output", help="xlsx / pdf 的输出文件（默认：当前目录下按两个标准命名）")
    parser.add_argument("--save", metavar="USERNAME",
                        help="以该用户身份保存比对并打印永久链接（需要数据库）")
    args = parser.parse_args(argv)
    both_files = Path(args.a).is_file() and Path(args.b).is_file()
    link = None
    try:
        if both_files and not args.save:
            report = _files_report(args.a, args.b)
        else:
            report, link = _catalogue_report(args.a, args.b, save_as=args.save)
    except Refused as exc:
        report = exc.report
        if report is None:
            print(f"无法比对：{exc}", file=sys.stderr)
            return EXIT_REFUSED
    if report.get("status") == "unreadable":
        print(report["message"], file=sys.stderr)
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return EXIT_UNREADABLE
    if args.format == "json":
        if link:
            report = {**report, "link": link}
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return EXIT_OK
    # imported only for a file: ReportLab and the xlsx writer take about 0.5 s to import (measured), which a
    # `--format json` run need not pay
    from compare import exports

    build = exports.report_xlsx if args.format == "xlsx" else exports.report_pdf
    out = Path(args.output or export_filename(report["a"].get("number"), report["b"].get("number"), args.format))
    out.write_bytes(build(report, link=link))
    print(f"已写出 {out}" + (f"；永久链接 {link}" if link else ""), file=sys.stderr)
    print(out)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
