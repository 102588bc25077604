"""GB/T 1.1—2020 lint over a parsed ``StandardDocument`` (pure: no Django).

``check(doc, status_of=None) -> list[Finding]``. Each finding has a ``code``, a ``severity`` (error | warning |
info), the ``clause`` it is about, a Chinese ``message`` and a Chinese ``fix``. ``status_of(number)`` is
supplied by the catalogue: it returns ``(status, replaced_by)`` for a standard number (status one of current,
upcoming, withdrawn, replaced) or ``None`` when the number is unknown.

Codes:
  SCOPE_MISSING, ORDER, FOREWORD_MISSING      — chapter order and required chapters
  FOREWORD_PROVISION                           — 前言 must not contain requirements, recommendations, permissions
  FORBIDDEN_FORM                               — 必须 / 严禁 / 不可 instead of 应 / 不应 / 不得
  UNDATED_SPECIFIC                             — an undated reference cited with a specific clause or table
  TERM_NO_EN                                   — a term without an English equivalent
  NUMBER_GAP, NUMBER_REPEAT, NUMBER_LEVEL      — clause (or annex) numbering
  TABLE_MISSING                                — "表 N" cited but no table N
  REF_WITHDRAWN, REF_REPLACED                  — a normative reference to a withdrawn or replaced standard
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Callable

from catalogue.numbers import find_numbers

from .model import Clause, StandardDocument, chapter_kind

StatusLookup = Callable[[str], "tuple[str, str | None] | None"]


@dataclass
class Finding:
    code: str
    severity: str
    clause: str | None
    message: str
    fix: str

    def to_dict(self) -> dict:
        return asdict(self)


def _chapter_kind(clause: Clause) -> str | None:
    kind = chapter_kind(clause)
    return "refs" if kind == "norm-refs" else kind


def _order(doc: StandardDocument) -> list[Finding]:
    out = []
    kinds = [(c, _chapter_kind(c)) for c in doc.clauses]
    scope = next((c for c, k in kinds if k == "scope"), None)
    if scope is None:
        out.append(Finding("SCOPE_MISSING", "error", None, "缺少“范围”章。",
                           "在第1章写“范围”（环境标准可用“适用范围”），说明文件的对象和适用界限。"))
    elif doc.clauses and doc.clauses[0] is not scope:
        out.append(Finding("ORDER", "error", scope.number, f"“{scope.title}”应为第1章，现为第{scope.number}章。",
                           "把“范围”调到第1章。"))
    expected = {"refs": "2", "terms": "3"}
    refs = next((c for c, k in kinds if k == "refs"), None)
    terms = next((c for c, k in kinds if k == "terms"), None)
    if refs is not None and refs.number != expected["refs"]:
        out.append(Finding("ORDER", "error", refs.number, f"“{refs.title}”应为第2章，现为第{refs.number}章。",
                           "按GB/T 1.1—2020的顺序：1 范围，2 规范性引用文件，3 术语和定义。"))
    if terms is not None:
        want = "3" if refs is not None else "2"
        if terms.number != want:
            out.append(Finding("ORDER", "error", terms.number,
                               f"“{terms.title}”应为第{want}章，现为第{terms.number}章。",
                               "按GB/T 1.1—2020的顺序：1 范围，2 规范性引用文件，3 术语和定义。"))
    if doc.foreword is None:
        out.append(Finding("FOREWORD_MISSING", "warning", None, "没有找到“前言”。",
                           "补充前言：起草规则、与前一版的变化、提出和归口单位、起草单位等。"))
    return out


def _foreword(doc: StandardDocument) -> list[Finding]:
    out = []
    for p in doc.provisions:
        if p.clause == "foreword" and p.kind in ("requirement", "recommendation", "permission") and (p.forms or p.forbidden):
            word = "、".join(dict.fromkeys(p.forms + p.forbidden))
            out.append(Finding("FOREWORD_PROVISION", "error", "foreword",
                               f"前言中出现了条款（“{word}”）：{p.text[:60]}",
                               "前言不应包含要求、推荐或允许，把这句移到正文相应章条，或改写为陈述。"))
    return out


FIXES = {"必须": "应", "严禁": "不得（或“不应”）", "不可": "不应（或“不得”）"}


def _forbidden(doc: StandardDocument) -> list[Finding]:
    out = []
    for p in doc.provisions:
        for form in dict.fromkeys(p.forbidden):
            out.append(Finding("FORBIDDEN_FORM", "warning", p.clause,
                               f"使用了GB/T 1.1—2020附录C以外的助动词“{form}”：{p.text[:60]}",
                               f"把“{form}”改为“{FIXES.get(form, '应')}”。"))
    return out


RE_SPECIFIC = re.compile(r"^\s*(?:的|中|之)?\s*(?:第?\s*\d+(?:\.\d+)+\s*条?|第\s*\d+\s*[章条]|表\s*[A-Z]?\.?\d+|附录\s*[A-Z]|"
                         r"\d+(?:\.\d+)+)")


def _undated_specific(doc: StandardDocument) -> list[Finding]:
    out: list[Finding] = []
    seen = set()
    for clause in doc.walk():
        for block in clause.blocks:
            if block.kind not in ("paragraph", "list_item", "note"):
                continue
            text = block.text
            for num, _start, end in find_numbers(text):
                if num.year is not None:
                    continue
                m = RE_SPECIFIC.match(text[end:])
                if not m:
                    continue
                key = (clause.number, num.canonical, m.group(0).strip())
                if key in seen:
                    continue
                seen.add(key)
                out.append(Finding("UNDATED_SPECIFIC", "warning", clause.number,
                                   f"不注日期引用 {num.canonical} 时指明了具体内容“{m.group(0).strip()}”。",
                                   f"引用具体章条、表或附录时应注日期，例如“{num.canonical}—年份 的 {m.group(0).strip()}”。"))
    return out


def _terms(doc: StandardDocument) -> list[Finding]:
    return [Finding("TERM_NO_EN", "warning", t.number, f"术语“{t.zh}”没有英文对应词。",
                    "在中文术语后给出英文对应词（缩略语放在“;”后）。") for t in doc.terms if not t.en]


def _numbering(doc: StandardDocument) -> list[Finding]:
    out = []

    def walk(children: list[Clause], parent: str | None) -> None:
        last = 0
        seen: set[str] = set()
        for child in children:
            tail = child.number.rsplit(".", 1)[-1]
            if not tail.isdigit():
                continue
            n = int(tail)
            if child.number in seen:
                out.append(Finding("NUMBER_REPEAT", "error", child.number, f"条号 {child.number} 重复。",
                                   "检查编号，重复的条应顺延编号。"))
            elif n > last + 1:
                missing = ", ".join(
                    (f"{parent}." if parent else "") + str(k) for k in range(last + 1, n))
                out.append(Finding("NUMBER_GAP", "error", child.number,
                                   f"条号不连续：{child.number} 之前缺少 {missing}。", "按顺序连续编号。"))
            if parent is not None and child.number.rsplit(".", 1)[0] != parent:
                out.append(Finding("NUMBER_LEVEL", "error", child.number,
                                   f"条 {child.number} 直接位于 {parent} 之下，跳过了一个层次。",
                                   f"补充中间层次的条（如 {child.number.rsplit('.', 1)[0]}），或改正编号。"))
            seen.add(child.number)
            last = max(last, n)
            walk(child.children, child.number)

    walk(doc.clauses, None)
    for annex in doc.annexes:
        walk(annex.children, annex.number)
    letters = [a.number for a in doc.annexes]
    for i, letter in enumerate(letters):
        want = chr(ord("A") + i)
        if letter != want:
            out.append(Finding("NUMBER_GAP", "error", letter, f"附录编号应为 {want}，现为 {letter}。", "附录按A、B、C……连续编号。"))
            break
    return out


def _tables(doc: StandardDocument) -> list[Finding]:
    have = {t.number for t in doc.tables if t.number}
    out = []
    reported = set()
    texts = [(c.number, b.text) for c in doc.walk() for b in c.blocks if b.kind in ("paragraph", "list_item", "note")]
    for number, text in texts:
        for m in re.finditer(r"表\s*([A-Z]?\.?\d{1,3})(?![\d.])", text):
            ref = m.group(1)
            before = text[max(0, m.start() - 12): m.start()]
            if re.search(r"(GB|HJ|DB|[A-Z]{2,})[/ T\d.—-]*\s*(的|中)?\s*$", before):
                continue  # 表 N of another standard
            if ref not in have and ref not in reported:
                reported.add(ref)
                out.append(Finding("TABLE_MISSING", "error", number, f"正文引用了表 {ref}，但文件中没有表 {ref}。",
                                   f"补充表 {ref}，或更正引用的表号。"))
    return out


def _withdrawn(doc: StandardDocument, status_of: StatusLookup | None) -> list[Finding]:
    out = []
    if status_of is None:
        return out
    chapter = next((c.number for c in doc.clauses if _chapter_kind(c) == "refs"), None)
    for ref in doc.references:
        if not ref.parsed:
            continue
        try:
            found = status_of(ref.number)
        except Exception:  # noqa: BLE001 - a failing lookup must not stop the lint
            found = None
        if not found:
            continue
        status, replaced_by = found
        if status == "withdrawn":
            out.append(Finding("REF_WITHDRAWN", "error", chapter, f"规范性引用文件 {ref.number} 已废止。",
                               "删除该引用，或改为引用现行的替代文件。" + (f"（替代文件：{replaced_by}）" if replaced_by else "")))
        elif status == "replaced":
            target = replaced_by or "新版本"
            out.append(Finding("REF_REPLACED", "warning" if not ref.dated else "error", chapter,
                               f"规范性引用文件 {ref.number} 已被 {target} 代替。",
                               f"核对后改为引用 {target}。" if ref.dated else
                               f"不注日期引用会自动指向最新版本 {target}，请确认其内容仍然适用。"))
    return out


def check(doc: StandardDocument, status_of: StatusLookup | None = None) -> list[Finding]:
    findings: list[Finding] = []
    findings += _order(doc)
    findings += _foreword(doc)
    findings += _forbidden(doc)
    findings += _undated_specific(doc)
    findings += _terms(doc)
    findings += _numbering(doc)
    findings += _tables(doc)
    findings += _withdrawn(doc, status_of)
    return findings
