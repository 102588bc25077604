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
from dataclasses import asdict, dataclass, field
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
    # The message and fix before their values were put in (%(name)s), and the values: a page translates the
    # templates (they are message ids of the English catalogue) and fills them in the reader's language.
    message_id: str = ""
    fix_id: str = ""
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _f(code: str, severity: str, clause: str | None, message: str, fix: str, **params) -> Finding:
    return Finding(code, severity, clause, message % params, fix % params, message, fix, params)


_ORDER_FIX = "按GB/T 1.1—2020的顺序：1 范围，2 规范性引用文件，3 术语和定义。"


def _chapter_kind(clause: Clause) -> str | None:
    kind = chapter_kind(clause)
    return "refs" if kind == "norm-refs" else kind


def _order(doc: StandardDocument) -> list[Finding]:
    out = []
    kinds = [(c, _chapter_kind(c)) for c in doc.clauses]
    scope = next((c for c, k in kinds if k == "scope"), None)
    if scope is None:
        out.append(_f("SCOPE_MISSING", "error", None, "缺少“范围”章。",
                      "在第1章写“范围”（环境标准可用“适用范围”），说明文件的对象和适用界限。"))
    elif doc.clauses and doc.clauses[0] is not scope:
        out.append(_f("ORDER", "error", scope.number, "“%(title)s”应为第1章，现为第%(number)s章。",
                      "把“范围”调到第1章。", title=scope.title, number=scope.number))
    expected = {"refs": "2", "terms": "3"}
    refs = next((c for c, k in kinds if k == "refs"), None)
    terms = next((c for c, k in kinds if k == "terms"), None)
    if refs is not None and refs.number != expected["refs"]:
        out.append(_f("ORDER", "error", refs.number, "“%(title)s”应为第2章，现为第%(number)s章。", _ORDER_FIX,
                      title=refs.title, number=refs.number))
    if terms is not None:
        want = "3" if refs is not None else "2"
        if terms.number != want:
            out.append(_f("ORDER", "error", terms.number, "“%(title)s”应为第%(want)s章，现为第%(number)s章。",
                          _ORDER_FIX, title=terms.title, want=want, number=terms.number))
    if doc.foreword is None:
        out.append(_f("FOREWORD_MISSING", "warning", None, "没有找到“前言”。",
                      "补充前言：起草规则、与前一版的变化、提出和归口单位、起草单位等。"))
    return out


def _foreword(doc: StandardDocument) -> list[Finding]:
    out = []
    for p in doc.provisions:
        if p.clause == "foreword" and p.kind in ("requirement", "recommendation", "permission") and (p.forms or p.forbidden):
            word = "、".join(dict.fromkeys(p.forms + p.forbidden))
            out.append(_f("FOREWORD_PROVISION", "error", "foreword", "前言中出现了条款（“%(word)s”）：%(text)s",
                          "前言不应包含要求、推荐或允许，把这句移到正文相应章条，或改写为陈述。",
                          word=word, text=p.text[:60]))
    return out


FIXES = {"必须": "应", "严禁": "不得（或“不应”）", "不可": "不应（或“不得”）"}


def _forbidden(doc: StandardDocument) -> list[Finding]:
    out = []
    for p in doc.provisions:
        for form in dict.fromkeys(p.forbidden):
            out.append(_f("FORBIDDEN_FORM", "warning", p.clause, "使用了GB/T 1.1—2020附录C以外的助动词“%(form)s”：%(text)s",
                          "把“%(form)s”改为“%(better)s”。", form=form, text=p.text[:60], better=FIXES.get(form, "应")))
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
                out.append(_f("UNDATED_SPECIFIC", "warning", clause.number,
                              "不注日期引用 %(number)s 时指明了具体内容“%(part)s”。",
                              "引用具体章条、表或附录时应注日期，例如“%(number)s—年份 的 %(part)s”。",
                              number=num.canonical, part=m.group(0).strip()))
    return out


def _terms(doc: StandardDocument) -> list[Finding]:
    return [_f("TERM_NO_EN", "warning", t.number, "术语“%(term)s”没有英文对应词。",
               "在中文术语后给出英文对应词（缩略语放在“;”后）。", term=t.zh) for t in doc.terms if not t.en]


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
                out.append(_f("NUMBER_REPEAT", "error", child.number, "条号 %(number)s 重复。",
                              "检查编号，重复的条应顺延编号。", number=child.number))
            elif n > last + 1:
                missing = ", ".join(
                    (f"{parent}." if parent else "") + str(k) for k in range(last + 1, n))
                out.append(_f("NUMBER_GAP", "error", child.number, "条号不连续：%(number)s 之前缺少 %(missing)s。",
                              "按顺序连续编号。", number=child.number, missing=missing))
            if parent is not None and child.number.rsplit(".", 1)[0] != parent:
                out.append(_f("NUMBER_LEVEL", "error", child.number, "条 %(number)s 直接位于 %(parent)s 之下，跳过了一个层次。",
                              "补充中间层次的条（如 %(middle)s），或改正编号。", number=child.number, parent=parent,
                              middle=child.number.rsplit(".", 1)[0]))
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
            out.append(_f("NUMBER_GAP", "error", letter, "附录编号应为 %(want)s，现为 %(letter)s。", "附录按A、B、C……连续编号。",
                          want=want, letter=letter))
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
                out.append(_f("TABLE_MISSING", "error", number, "正文引用了表 %(table)s，但文件中没有表 %(table)s。",
                              "补充表 %(table)s，或更正引用的表号。", table=ref))
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
            out.append(_f("REF_WITHDRAWN", "error", chapter, "规范性引用文件 %(number)s 已废止。",
                          "删除该引用，或改为引用现行的替代文件（替代文件：%(by)s）。" if replaced_by else
                          "删除该引用，或改为引用现行的替代文件。", number=ref.number, by=replaced_by))
        elif status == "replaced":
            severity = "warning" if not ref.dated else "error"
            if replaced_by:
                out.append(_f("REF_REPLACED", severity, chapter, "规范性引用文件 %(number)s 已被 %(by)s 代替。",
                              "核对后改为引用 %(by)s。" if ref.dated else
                              "不注日期引用会自动指向最新版本 %(by)s，请确认其内容仍然适用。",
                              number=ref.number, by=replaced_by))
            else:
                out.append(_f("REF_REPLACED", severity, chapter, "规范性引用文件 %(number)s 已被新版本代替。",
                              "核对后改为引用新版本。" if ref.dated else
                              "不注日期引用会自动指向最新版本，请确认其内容仍然适用。", number=ref.number))
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
