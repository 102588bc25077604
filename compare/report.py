"""The comparison of two parsed standards as one JSON-serialisable dict (pure: no Django)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Callable

from catalogue.numbers import try_parse_number
from yuebiao.messages import Message as M
from yuebiao.messages import joined, stored_fields

from .align import align, features, to_simplified
from .correspondence import suggest_degree
from .limits import compare_limits, fold, unlawful

TERM_SAME = 0.9  # definitions this close differ only in punctuation or a word order


def _number(text: str | None):
    return try_parse_number(text) if text else None


def _dice(x: set[str], y: set[str]) -> float:
    if not x and not y:
        return 1.0
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def compare_terms(a_terms: list[Any], b_terms: list[Any]) -> dict[str, Any]:
    def index(terms):
        return {fold(to_simplified(t.zh)): t for t in terms if t.zh}

    ia, ib = index(a_terms), index(b_terms)
    differ = []
    for key in ia.keys() & ib.keys():
        ta, tb = ia[key], ib[key]
        da, db = to_simplified(ta.definition or ""), to_simplified(tb.definition or "")
        score = round(_dice(features(da), features(db)), 4)
        if score < TERM_SAME:
            differ.append({"term": ta.zh, "a": ta.definition, "b": tb.definition, "score": score})
    return {
        "only_a": [ia[k].zh for k in ia if k not in ib],
        "only_b": [ib[k].zh for k in ib if k not in ia],
        "defined_differently": sorted(differ, key=lambda d: d["score"]),
        "same": sum(1 for k in ia.keys() & ib.keys()) - len(differ),
    }


def _ref_key(ref: Any) -> tuple[str, Any]:
    """(key, parsed number): the key ignores the year and a /T that was dropped when HJ/T 57 became HJ 57."""
    parsed = _number(ref.number) if ref.parsed else None
    if parsed is None:
        return "raw:" + fold(ref.raw or ref.number), None
    family = parsed.prefix.split("/")[0] if parsed.prefix.endswith(("/T", "/Z")) else parsed.prefix
    return f"{family} {parsed.sequence}", parsed


def compare_references(a_refs: list[Any], b_refs: list[Any]) -> dict[str, Any]:
    ia = {k: (r, n) for r in a_refs for k, n in [_ref_key(r)]}
    ib = {k: (r, n) for r in b_refs for k, n in [_ref_key(r)]}
    differ = []
    for key in [k for k in ia if k in ib]:
        (_, na), (_, nb) = ia[key], ib[key]
        if na is None or nb is None:
            continue
        notes = []
        kind = None
        if na.year and nb.year and na.year != nb.year:
            kind = "a_cites_older" if na.year < nb.year else "b_cites_older"
            notes.append(M("A 引用 {a} 版，B 引用 {b} 版", a=na.year, b=nb.year))
        elif bool(na.year) != bool(nb.year):
            kind = "dated_vs_undated"
            notes.append(M("一方注日期引用，另一方不注日期（不注日期即适用最新版本）"))
        if na.prefix != nb.prefix:
            kind = kind or "prefix_differs"
            notes.append(M("代号不同：{a} vs {b}", a=na.prefix, b=nb.prefix))
        if kind:
            note = joined(notes, "；")
            differ.append({"a": na.canonical, "b": nb.canonical, "kind": kind, "note": note,
                           **stored_fields("note", note)})
    return {
        "only_a": [ia[k][0].number for k in ia if k not in ib],
        "only_b": [ib[k][0].number for k in ib if k not in ia],
        "differ": differ,
        "same": sum(1 for k in ia if k in ib) - len(differ),
    }


def _describe(doc: Any) -> dict[str, Any]:
    md = doc.metadata
    n = _number(md.number)
    return {"number": md.number, "title": md.title_zh, "level": n.level if n else None,
            "nature": n.nature if n else None}


def compare_documents(a: Any, b: Any, *, today: date | None = None,
                      progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Clauses, terms, normative references and limits of A against B; verdicts are from A's point of view.

    ``today`` is the day against which a transitional limit is judged expired (default: the current day);
    ``progress(step, per_cent)`` is told before each step, for a page or a terminal that shows how far it got.
    """
    tell = progress or (lambda step, per_cent: None)
    da, db = _describe(a), _describe(b)
    tell("对齐条款", 10)
    alignment = align(a, b)
    tell("比对限值", 60)
    pairs = compare_limits(a.limits, b.limits, a_scope=a.metadata.title_zh or "", b_scope=b.metadata.title_zh or "",
                           today=today)
    local_mandatory = da["level"] == "local" and da["nature"] == "mandatory" and db["level"] == "national"
    flagged = unlawful(pairs, local_mandatory)
    tell("比对术语和引用标准", 75)
    report = {
        "status": "ok",
        "a": da,
        "b": db,
        "alignment": alignment.to_dict(),
        "terms": compare_terms(a.terms, b.terms),
        "references": compare_references(a.references, b.references),
        "limits": [p.to_dict() for p in pairs],
        "limit_summary": dict(Counter(p.verdict for p in pairs)),
        "a_is_local_mandatory": local_mandatory,
        "unlawful": [p.to_dict() for p in flagged],
    }
    tell("判断采用程度", 90)
    report["correspondence"] = suggest_degree(a, b, report)
    return report


def unreadable_report(problems: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The report when A or B cannot be read: what failed and why, and deliberately no verdicts at all."""
    lines = [f"无法读取 {side.upper()}（{Path(label).name}）：{why}" for side, (label, why) in problems.items()]
    message = "；".join(lines) + "。未作任何比对，也不给出任何宽严结论。"
    return {"status": "unreadable", "message": message,
            "unreadable": {side: {"file": Path(label).name, "reason": why}
                           for side, (label, why) in problems.items()}}


def export_filename(a_number: str | None, b_number: str | None, fmt: str) -> str:
    """标准比对-DB44_2159_2019-GB_26453_2011.xlsx: the two numbers with anything but letters and digits as _."""
    def safe(text: str | None) -> str:
        return "_".join("".join(ch if ch.isalnum() else " " for ch in text or "").split()) or "std"

    return f"标准比对-{safe(a_number)}-{safe(b_number)}.{fmt}"
