"""``python -m compare.cli A B --format json``: compare two standard files and print the report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_UNREADABLE = 2


def _read(path: str) -> tuple[Any, str | None]:
    """(document, None) or (None, Chinese reason); smart.documents needs no Django settings."""
    from smart.documents import read_standard_file
    from smart.errors import SmartError

    p = Path(path)
    if not p.is_file():
        return None, f"找不到文件“{path}”"
    try:
        return read_standard_file(p), None
    except SmartError as exc:
        return None, str(exc)


def unreadable_report(problems: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The report when A or B cannot be read: what failed and why, and deliberately no verdicts at all."""
    lines = [f"无法读取 {side.upper()}（{Path(path).name}）：{why}" for side, (path, why) in problems.items()]
    message = "；".join(lines) + "。未作任何比对，也不给出任何宽严结论。"
    return {"status": "unreadable", "message": message,
            "unreadable": {side: {"file": Path(path).name, "reason": why} for side, (path, why) in problems.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compare.cli", description="标准比对：A 与 B（结论从 A 的角度）")
    parser.add_argument("a", help="标准 A 的文件（PDF / Word / 文本）")
    parser.add_argument("b", help="标准 B 的文件")
    parser.add_argument("--format", choices=["json"], default="json",
                        help="输出格式（xlsx / pdf 尚未实现）")
    args = parser.parse_args(argv)
    docs: dict[str, Any] = {}
    problems: dict[str, tuple[str, str]] = {}
    for side, path in (("a", args.a), ("b", args.b)):
        doc, why = _read(path)
        if doc is None:
            problems[side] = (path, why or "未知原因")
        docs[side] = doc
    if problems:
        report = unreadable_report(problems)
        print(report["message"], file=sys.stderr)
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return EXIT_UNREADABLE
    from .report import compare_documents

    print(json.dumps(compare_documents(docs["a"], docs["b"]), ensure_ascii=False, indent=1))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
