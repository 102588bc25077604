"""Excel and PDF exports (导出) of a comparison report, the dict of compare.report.compare_documents (pure: no Django).

Both formats are built from the same rows (`summary_rows`, `limit_rows`, `clause_rows`, `term_rows`,
`reference_rows`), so the workbook and the PDF never disagree; the page can reuse them and the label dicts below.
A report that is not ``ok`` (compare.report.unreadable_report) gives a short file that says what could not be read
and that no verdict was given: never an empty table that would read as "no differences".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from catalogue.table_vocabulary import LEVEL_ZH, NATURE_ZH  # the catalogue's words for level and nature
from catalogue.table_writer import write_workbook
from yuebiao import pdf

from .limits import VERDICTS

# verdict code → Chinese label, from A's point of view; the one mapping the workbook, the PDF and the page share
VERDICT_LABELS = {
    "stricter": "更严",
    "looser": "更宽",
    "equal": "相同",
    "only_a": "仅A有",
    "only_b": "仅B有",
    "not_comparable": "不可比",
    "expired": "已失效",
}
# background of a verdict (PDF cells; the page may use the same)
VERDICT_COLOURS = {
    "stricter": "#D9EAD3",
    "looser": "#F4CCCC",
    "equal": "#EEEEEE",
    "only_a": "#DCE6F4",
    "only_b": "#FFF2CC",
    "not_comparable": "#FCE5CD",
    "expired": "#E0E0E0",
}
UNLAWFUL_COLOUR = "#C00000"
UNLAWFUL_ROW_COLOUR = "#FBE3E3"
KIND_LABELS = {"one_to_one": "一对一", "one_to_many": "一对多", "many_to_one": "多对一"}
REFERENCE_KIND_LABELS = {
    "a_cites_older": "A 引用的版本较旧",
    "b_cites_older": "B 引用的版本较旧",
    "dated_vs_undated": "注日期与不注日期",
    "prefix_differs": "代号不同",
}
# GB/T 20000.2 degrees of correspondence with an international standard
DEGREE_LABELS = {"IDT": "等同采用（IDT）", "MOD": "修改采用（MOD）", "NEQ": "非等效采用（NEQ）"}
GENERATION_NOTE = "结论从 A 的角度：stricter=A 更严（“更严”指 A 的限值比 B 的严，“更宽”指 A 的限值比 B 的宽）"
UNLAWFUL_MARK = "⚠ 违法风险"
DISCLAIMER = "本报告由粤标（Yuebiao）自动比对生成；限值、条件与条款对应均以标准原文为准。"

LIMIT_HEADER = ["参数", "条件A", "A 限值", "条件B", "B 限值", "单位", "结论", "违法风险", "原因"]
CLAUSE_HEADER = ["A 条款号", "A 标题", "B 条款号", "B 标题", "相似度", "对应类型"]
TERM_HEADER = ["术语", "情况", "A 的定义", "B 的定义", "相似度"]
REFERENCE_HEADER = ["A 引用", "B 引用", "情况", "说明"]

SHEET_SUMMARY, SHEET_LIMITS, SHEET_CLAUSES, SHEET_TERMS, SHEET_REFERENCES = (
    "概要", "限值比对", "条款对应", "术语", "规范性引用文件")


def describe(side: dict | None) -> str:
    """``DB44/ 2159—2019《玻璃工业大气污染物排放标准》（地方标准，强制性）``."""
    side = side or {}
    text = side.get("number") or "（未识别标准号）"
    if side.get("title"):
        text += f"《{side['title']}》"
    kinds = [w for w in (LEVEL_ZH.get(side.get("level") or ""), NATURE_ZH.get(side.get("nature") or "")) if w]
    if kinds:
        text += "（" + "，".join(kinds) + "）"
    return text


def is_ok(report: dict) -> bool:
    return report.get("status") == "ok"


def default_title(report: dict) -> str:
    if not is_ok(report):
        return "标准比对报告（未能比对）"
    a, b = report.get("a") or {}, report.get("b") or {}
    return f"标准比对报告：{a.get('number') or 'A'} 与 {b.get('number') or 'B'}"


def _key(pair: dict) -> str:
    return json.dumps(pair, sort_keys=True, ensure_ascii=False, default=str)


def unlawful_keys(report: dict) -> set[str]:
    return {_key(p) for p in report.get("unlawful") or []}


def verdict_label(verdict: str | None) -> str:
    return VERDICT_LABELS.get(verdict or "", verdict or "")


def _value(text: str | None, unit: str | None) -> str:
    return f"{text} {unit}" if text and unit and unit not in text else (text or "")


def pair_sentence(pair: dict) -> str:
    """One unlawful pair in a line: ``颗粒物：A ≤60 mg/m³（表1 / 玻璃熔窑）宽于 B ≤50 mg/m³（表1）``."""
    unit = pair.get("unit")
    a = _value(pair.get("a"), unit) + (f"（{pair['condition_a']}）" if pair.get("condition_a") else "")
    b = _value(pair.get("b"), unit) + (f"（{pair['condition_b']}）" if pair.get("condition_b") else "")
    return f"{pair.get('parameter')}：A {a} 宽于 B {b}"


def unlawful_warning(report: dict) -> str | None:
    """The sentence that must not be missed, or None when no local mandatory limit is looser than the national one."""
    flagged = report.get("unlawful") or []
    if not is_ok(report) or not flagged:
        return None
    a, b = report.get("a") or {}, report.get("b") or {}
    uncertain = sum(1 for p in flagged if p.get("caveat"))
    if uncertain == len(flagged):
        consequence = "这些限值须核对（见各项的说明：比对所依据的适用范围或分级对应尚未确认），确认后须修改。"
    elif uncertain:
        consequence = f"其中 {len(flagged) - uncertain} 项须修改，另 {uncertain} 项须先核对各项说明中的前提。"
    else:
        consequence = "这些限值须修改。"
    return (f"A（{a.get('number') or '标准 A'}）为地方强制性标准，有 {len(flagged)} 项限值宽于国家标准 B"
            f"（{b.get('number') or '标准 B'}）。地方标准的技术要求不得低于强制性国家标准的相关技术要求"
            f"（《标准化法》第二十一条），{consequence}")


def local_check(report: dict) -> str | None:
    """For a local mandatory A against a national B without a looser limit: what was and was not checked."""
    if not is_ok(report) or not report.get("a_is_local_mandatory") or report.get("unlawful"):
        return None
    counts = report.get("limit_summary") or {}
    if not report.get("limits"):
        return "A 为地方强制性标准、B 为国家标准；两份标准中均未识别出限值，未能核查 A 是否宽于 B，请人工核对。"
    text = "A 为地方强制性标准、B 为国家标准；未发现 A 宽于 B 的限值"
    if counts.get("not_comparable"):
        text += f"，但有 {counts['not_comparable']} 项不可比，须人工核对"
    return text + "。"


def correspondence_rows(report: dict) -> list[tuple[str, str]]:
    """The degree-of-correspondence suggestion (GB/T 20000.2) as (label, text); empty when the report has none."""
    c = report.get("correspondence")
    if not isinstance(c, dict):
        return []
    rows: list[tuple[str, str]] = []
    suggested, declared = c.get("suggested"), c.get("declared")
    if not c.get("applicable"):
        reasons = c.get("reasons") or ["仅用于国家标准或地方标准与国际标准的比对"]
        return [("一致性程度（GB/T 20000.2）", f"不适用：{reasons[0]}")]
    rows.append(("一致性程度（建议）", DEGREE_LABELS.get(suggested, suggested) if suggested else "无法判定，须人工判断"))
    if isinstance(declared, dict):
        stated = " ".join(x for x in (declared.get("phrase"), declared.get("number")) if x)
        rows.append(("标准声明的一致性程度", stated or str(declared.get("text") or "")))
        if c.get("agrees_with_declared") is False:
            rows.append(("注意", "标准声明的一致性程度与建议不一致，请核对"))
    for i, reason in enumerate(c.get("reasons") or [], start=1):
        rows.append((f"理由 {i}", str(reason)))
    return rows


def verdict_counts(report: dict) -> list[tuple[str, str, int]]:
    """(verdict, label, count) for all six verdicts, zeros included: "更宽 0" is a finding too."""
    counts = report.get("limit_summary") or {}
    return [(v, VERDICT_LABELS[v], int(counts.get(v, 0))) for v in VERDICTS]


def alignment_sentence(report: dict) -> str:
    s = (report.get("alignment") or {}).get("summary") or {}
    return (f"A 共 {s.get('clauses_a', 0)} 条，B 共 {s.get('clauses_b', 0)} 条；对应 {s.get('pairs', 0)} 对"
            f"（一对一 {s.get('one_to_one', 0)}、一对多 {s.get('one_to_many', 0)}、多对一 {s.get('many_to_one', 0)}），"
            f"平均相似度 {s.get('mean_score', 0):.2f}；A 未对应 {s.get('unmatched_a', 0)} 条，"
            f"B 未对应 {s.get('unmatched_b', 0)} 条")


def terms_sentence(report: dict) -> str:
    t = report.get("terms") or {}
    return (f"仅A有 {len(t.get('only_a') or [])}，仅B有 {len(t.get('only_b') or [])}，"
            f"定义不同 {len(t.get('defined_differently') or [])}，定义相同 {t.get('same', 0)}")


def references_sentence(report: dict) -> str:
    r = report.get("references") or {}
    return (f"仅A有 {len(r.get('only_a') or [])}，仅B有 {len(r.get('only_b') or [])}，"
            f"版本或代号不同 {len(r.get('differ') or [])}，相同 {r.get('same', 0)}")


def unreadable_rows(report: dict) -> list[tuple[str, str]]:
    """What could not be read, side by side, and the statement that nothing was judged."""
    rows = [("状态", "无法读取，未作比对")]
    for side, info in sorted((report.get("unreadable") or {}).items()):
        info = info or {}
        rows.append((f"无法读取 {side.upper()}", f"{info.get('file') or '（未知文件）'}：{info.get('reason') or '未知原因'}"))
    if report.get("message"):
        rows.append(("说明", report["message"]))
    rows.append(("结论", "未作任何比对，也不给出任何宽严结论；本文件不表示两份标准“没有差异”。"))
    return rows


def summary_rows(report: dict, *, title: str | None = None, link: str | None = None) -> list[tuple[str, Any]]:
    """The 概要 as (label, value) rows; the unlawful warning comes right after the title."""
    rows: list[tuple[str, Any]] = [("报告", title or default_title(report))]
    if not is_ok(report):
        rows += unreadable_rows(report)
    else:
        warning = unlawful_warning(report)
        if warning:
            rows.append((UNLAWFUL_MARK, warning))
            for i, pair in enumerate(report.get("unlawful") or [], start=1):
                rows.append((f"{UNLAWFUL_MARK} {i}", pair_sentence(pair)))
        rows += [("标准 A", describe(report.get("a"))), ("标准 B", describe(report.get("b"))),
                 ("结论方向", GENERATION_NOTE)]
        check = local_check(report)
        if check:
            rows.append(("地方强制性标准核查", check))
        rows.append(("限值比对", f"共 {len(report.get('limits') or [])} 对"))
        rows += [(f"结论：{label}", n) for _, label, n in verdict_counts(report)]
        rows += correspondence_rows(report)
        rows += [("条款对应", alignment_sentence(report)), ("术语", terms_sentence(report)),
                 ("规范性引用文件", references_sentence(report))]
    if link:
        rows.append(("永久链接", link))
    rows.append(("备注", DISCLAIMER))
    return rows


def limit_rows(report: dict) -> list[tuple[dict, list[str]]]:
    """(pair, row under LIMIT_HEADER) for each limit pair, in the report's order."""
    flagged = unlawful_keys(report)
    out = []
    for pair in report.get("limits") or []:
        bad = _key(pair) in flagged
        reason = pair.get("reason") or ("地方强制性标准 A 的限值宽于国家标准 B" if bad else "")
        out.append((pair, [pair.get("parameter") or "", pair.get("condition_a") or "", pair.get("a") or "",
                           pair.get("condition_b") or "", pair.get("b") or "", pair.get("unit") or "",
                           verdict_label(pair.get("verdict")), UNLAWFUL_MARK if bad else "", reason]))
    return out


def clause_rows(report: dict) -> list[list[Any]]:
    al = report.get("alignment") or {}
    rows: list[list[Any]] = [[p.get("a"), p.get("a_title") or "", p.get("b"), p.get("b_title") or "", p.get("score"),
                              KIND_LABELS.get(p.get("kind"), p.get("kind") or "")] for p in al.get("pairs") or []]
    rows += [[n, "", "", "", None, "仅A有（B 中无对应条款）"] for n in al.get("unmatched_a") or []]
    rows += [["", "", n, "", None, "仅B有（A 中无对应条款）"] for n in al.get("unmatched_b") or []]
    return rows


def term_rows(report: dict) -> list[list[Any]]:
    t = report.get("terms") or {}
    rows: list[list[Any]] = [[d.get("term"), "定义不同", d.get("a") or "", d.get("b") or "", d.get("score")]
                             for d in t.get("defined_differently") or []]
    rows += [[term, "仅A有", "", "", None] for term in t.get("only_a") or []]
    rows += [[term, "仅B有", "", "", None] for term in t.get("only_b") or []]
    return rows


def reference_rows(report: dict) -> list[list[Any]]:
    r = report.get("references") or {}
    rows: list[list[Any]] = [[d.get("a"), d.get("b"), REFERENCE_KIND_LABELS.get(d.get("kind"), d.get("kind") or ""),
                              d.get("note") or ""] for d in r.get("differ") or []]
    rows += [[n, "", "仅A引用", ""] for n in r.get("only_a") or []]
    rows += [["", n, "仅B引用", ""] for n in r.get("only_b") or []]
    return rows


# said in words where a table would be empty, so that an empty table never reads as "no differences"
NONE_FOUND = {"limits": "（两份标准中均未识别出限值，未作限值比对；这不表示限值相同）",
              "clauses": "（未识别出条款，未作条款对应）",
              "terms": "（两份标准中均未识别出术语）",
              "references": "（两份标准中均未识别出规范性引用文件）"}


def _same_note(report: dict, what: str) -> str | None:
    same = (report.get(what) or {}).get("same") or 0
    if not same:
        return None
    return f"（另有 {same} 个术语两者定义相同）" if what == "terms" else f"（另有 {same} 项两者引用相同）"


# ---------------------------------------------------------------------------------------------------------------
# Excel


def report_xlsx(report: dict, *, title: str | None = None, link: str | None = None) -> bytes:
    """The report as an .xlsx: 概要, 限值比对, 条款对应, 术语, 规范性引用文件 (only 概要 when nothing was compared)."""
    summary = [["项目", "内容"]] + [[k, v] for k, v in summary_rows(report, title=title, link=link)]
    sheets: list[tuple[str, Iterable[list], list[int]]] = [(SHEET_SUMMARY, summary, [26, 110])]
    if is_ok(report):
        limits = [LIMIT_HEADER] + [row for _, row in limit_rows(report)]
        if len(limits) == 1:
            limits.append([NONE_FOUND["limits"]])
        clauses = [CLAUSE_HEADER] + clause_rows(report)
        if len(clauses) == 1:
            clauses.append([NONE_FOUND["clauses"]])
        terms = [TERM_HEADER] + term_rows(report)
        references = [REFERENCE_HEADER] + reference_rows(report)
        for rows, what in ((terms, "terms"), (references, "references")):
            note = _same_note(report, what)
            if note:
                rows.append([note])
            elif len(rows) == 1:
                rows.append([NONE_FOUND[what]])
        sheets += [(SHEET_LIMITS, limits, [22, 36, 12, 36, 24, 10, 8, 12, 40]),
                   (SHEET_CLAUSES, clauses, [10, 36, 10, 36, 8, 22]),
                   (SHEET_TERMS, terms, [20, 10, 60, 60, 8]),
                   (SHEET_REFERENCES, references, [22, 22, 18, 60])]
    return write_workbook(sheets)


# ---------------------------------------------------------------------------------------------------------------
# PDF

def report_pdf(report: dict, *, title: str | None = None, link: str | None = None) -> bytes:
    """The report as an A4 landscape PDF: header, the unlawful warning in red, summary, then the tables."""
    s = _styles()
    title = title or default_title(report)
    story: list[Any] = [pdf.para(title, s.title)]
    story += _pdf_compared(report, s) if is_ok(report) else _pdf_unreadable(report, s)
    tail: list[Any] = [Spacer(1, 10)]
    if link:
        tail.append(pdf.para(f"永久链接：{link}", s.note))
    tail.append(pdf.para(DISCLAIMER, s.small))
    story.append(KeepTogether(tail))
    return pdf.build(story, title=title, subject="标准比对报告", footer_left=link or "粤标 Yuebiao 标准比对")


@dataclass(frozen=True)
class _ReportStyles(pdf.Styles):
    """The shared styles, and the report's red ones."""

    unlawful_cell: ParagraphStyle
    warn_head: ParagraphStyle
    warn: ParagraphStyle


def _styles() -> _ReportStyles:
    s = pdf.paragraph_styles(body=(8.5, 11.5), note=(9.5, 13.5), title_space_after=8)
    red = colors.HexColor(UNLAWFUL_COLOUR)
    return _ReportStyles(
        **vars(s),
        unlawful_cell=ParagraphStyle("unlawful_cell", parent=s.centre, textColor=colors.white),
        warn_head=ParagraphStyle("warn_head", fontName=pdf.FONT, fontSize=13, leading=18, textColor=red,
                                 wordWrap="CJK"),
        warn=ParagraphStyle("warn", parent=s.note, textColor=red),
    )


def _pdf_unreadable(report: dict, s: _ReportStyles) -> list[Any]:
    rows = unreadable_rows(report)
    lines = [pdf.para("未作比对", s.warn_head)] + [pdf.para(f"{k}：{v}", s.warn) for k, v in rows[1:]]
    return [pdf.boxed(lines, border=UNLAWFUL_COLOUR, fill=UNLAWFUL_ROW_COLOUR)]


def _pdf_compared(report: dict, s: _ReportStyles) -> list[Any]:
    story: list[Any] = [pdf.key_values([("标准 A", describe(report.get("a"))), ("标准 B", describe(report.get("b")))],
                                       s), Spacer(1, 6)]
    warning = unlawful_warning(report)
    if warning:
        lines = [pdf.para("违法风险：地方强制性标准宽于国家标准", s.warn_head), pdf.para(warning, s.warn)]
        lines += [pdf.para(f"{i}. {pair_sentence(p)}", s.warn) for i, p in enumerate(report["unlawful"], start=1)]
        story += [pdf.boxed(lines, border=UNLAWFUL_COLOUR, fill=UNLAWFUL_ROW_COLOUR), Spacer(1, 6)]
    story += [pdf.para(GENERATION_NOTE, s.small), Spacer(1, 4)]
    story += [pdf.para("限值结论汇总", s.h2), _pdf_counts(report, s)]
    overview = []
    check = local_check(report)
    if check:
        overview.append(("地方强制性标准核查", check))
    overview += correspondence_rows(report)
    overview += [("条款对应", alignment_sentence(report)), ("术语", terms_sentence(report)),
                 ("规范性引用文件", references_sentence(report))]
    story += [Spacer(1, 6), pdf.key_values(overview, s)]
    return story + _pdf_limits(report, s) + _pdf_clauses(report, s) + _pdf_terms_and_references(report, s)


def _pdf_counts(report: dict, s: _ReportStyles) -> Table:
    counts = verdict_counts(report)
    total = len(report.get("limits") or [])
    columns = len(counts) + 1
    table = Table([[pdf.para(label, s.centre) for _, label, _ in counts] + [pdf.para("合计", s.centre)],
                   [pdf.para(str(n), s.centre) for _, _, n in counts] + [pdf.para(str(total), s.centre)]],
                  colWidths=[pdf.WIDTH / columns] * columns)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(pdf.GRID))] + [
        ("BACKGROUND", (i, 0), (i, 1), colors.HexColor(VERDICT_COLOURS[v])) for i, (v, _, _) in enumerate(counts)]))
    return table


def _pdf_limits(report: dict, s: _ReportStyles) -> list[Any]:
    story: list[Any] = [pdf.para("一、限值比对", s.h2)]
    flagged = unlawful_keys(report)
    rows, extra = [], []
    for i, (pair, row) in enumerate(limit_rows(report), start=1):
        verdict = pair.get("verdict")
        bad = _key(pair) in flagged
        rows.append(row[:6] + [pdf.para(row[6] + ("\n违法风险" if bad else ""), s.unlawful_cell if bad else s.centre),
                               row[8]])
        if bad:
            extra += [("BACKGROUND", (0, i), (-1, i), colors.HexColor(UNLAWFUL_ROW_COLOUR)),
                      ("BACKGROUND", (6, i), (6, i), colors.HexColor(UNLAWFUL_COLOUR))]
        elif verdict in VERDICT_COLOURS:
            extra.append(("BACKGROUND", (6, i), (6, i), colors.HexColor(VERDICT_COLOURS[verdict])))
    if rows:
        story.append(pdf.table([h for h in LIMIT_HEADER if h != "违法风险"], rows, [95, 145, 55, 145, 85, 45, 50, 130],
                               s, extra))
    else:
        story.append(pdf.para(NONE_FOUND["limits"], s.note))
    return story


def _pdf_clauses(report: dict, s: _ReportStyles) -> list[Any]:
    story: list[Any] = [pdf.para("二、条款对应", s.h2), pdf.para(alignment_sentence(report), s.small)]
    rows = [[r[0], r[1], r[2], r[3], "" if r[4] is None else f"{r[4]:.2f}", r[5]] for r in clause_rows(report)]
    if rows:
        story.append(pdf.table(CLAUSE_HEADER, rows, [50, 230, 50, 230, 45, 110], s))
    else:
        story.append(pdf.para(NONE_FOUND["clauses"], s.note))
    return story


def _pdf_terms_and_references(report: dict, s: _ReportStyles) -> list[Any]:
    story: list[Any] = []
    for heading, header, rows_of, what, widths in (
            ("三、术语", TERM_HEADER, term_rows, "terms", [80, 50, 270, 270, 40]),
            ("四、规范性引用文件", REFERENCE_HEADER, reference_rows, "references", [110, 110, 100, 330])):
        story.append(pdf.para(heading, s.h2))
        rows = [["" if c is None else (f"{c:.2f}" if isinstance(c, float) else c) for c in r] for r in rows_of(report)]
        if rows:
            story.append(pdf.table(header, rows, widths, s))
        same = _same_note(report, what)
        if same or not rows:
            story.append(pdf.para(same or NONE_FOUND[what], s.note))
    return story
