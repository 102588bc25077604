"""Excel and PDF exports (导出) of a comparison report, the dict of compare.report.compare_documents (pure: no Django).

Both formats are built from the same rows (`summary_rows`, `limit_rows`, `clause_rows`, `term_rows`,
`reference_rows`), so the workbook and the PDF never disagree; the page can reuse them and the label dicts below.
A report that is not ``ok`` (compare.cli.unreadable_report) gives a short file that says what could not be read
and that no verdict was given: never an empty table that would read as "no differences".
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, Iterable

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


def _level_labels() -> tuple[dict[str, str], dict[str, str]]:
    from catalogue.table_vocabulary import LEVEL_ZH, NATURE_ZH  # pure module; the catalogue's words for level and nature

    return LEVEL_ZH, NATURE_ZH


def describe(side: dict | None) -> str:
    """``DB44/ 2159—2019《玻璃工业大气污染物排放标准》（地方标准，强制性）``."""
    side = side or {}
    level_zh, nature_zh = _level_labels()
    text = side.get("number") or "（未识别标准号）"
    if side.get("title"):
        text += f"《{side['title']}》"
    kinds = [w for w in (level_zh.get(side.get("level") or ""), nature_zh.get(side.get("nature") or "")) if w]
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
    from catalogue.table_writer import write_workbook

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

_PDF_FONT = "STSong-Light"  # Adobe-GB1 CID font: no font file, offline, text extractable (as lifecycle.consultation)
# characters Adobe-GB1 (UniGB-UCS2-H) has no glyph for, as they occur in standards: a viewer would draw a box
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿ", "0123456789-+n"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
_SWAP = {"µ": "μ", "·": "・", "•": "・", "⩽": "≤", "⩾": "≥", "⚠": "！", "✓": "√", "✗": "×", "Å": "A"}


def pdf_markup(text: str) -> str:
    """Escaped Paragraph markup in which every character is one STSong-Light can show."""
    from xml.sax.saxutils import escape

    def fix(m: re.Match) -> str:
        run = m.group(0)
        if run[0] in _SUPER:
            return "<super>" + "".join(_SUPER.get(c, c) for c in run) + "</super>"
        if run[0] in _SUB:
            return "<sub>" + "".join(_SUB.get(c, c) for c in run) + "</sub>"
        return "".join(_SWAP.get(c, c) for c in run)

    # runs are split by kind so that a superscript run never swallows a subscript
    out = escape(str(text))
    out = re.sub("[" + "".join(_SUPER) + "]+|[" + "".join(_SUB) + "]+|[" + "".join(_SWAP) + "]", fix, out)
    return out.replace("\n", "<br/>")


def report_pdf(report: dict, *, title: str | None = None, link: str | None = None) -> bytes:
    """The report as an A4 landscape PDF: header, the unlawful warning in red, summary, then the tables."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if _PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_PDF_FONT))
    body = ParagraphStyle("cell", fontName=_PDF_FONT, fontSize=8.5, leading=11.5, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, alignment=1)
    centre = ParagraphStyle("centre", parent=body, alignment=1)
    unlawful_cell = ParagraphStyle("unlawful_cell", parent=centre, textColor=colors.white)
    title_style = ParagraphStyle("title", fontName=_PDF_FONT, fontSize=16, leading=22, alignment=1, spaceAfter=8)
    h2 = ParagraphStyle("h2", fontName=_PDF_FONT, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    note = ParagraphStyle("note", fontName=_PDF_FONT, fontSize=9.5, leading=13.5, wordWrap="CJK", spaceBefore=3)
    small = ParagraphStyle("small", parent=note, fontSize=8.5, leading=12, textColor=colors.HexColor("#555555"))
    warn_head = ParagraphStyle("warn_head", fontName=_PDF_FONT, fontSize=13, leading=18,
                               textColor=colors.HexColor(UNLAWFUL_COLOUR), wordWrap="CJK")
    warn = ParagraphStyle("warn", parent=note, textColor=colors.HexColor(UNLAWFUL_COLOUR))

    def para(text: Any, style=body) -> Paragraph:
        return Paragraph(pdf_markup("" if text is None else text), style)

    grid = [("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#808080")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EDF3")),
            ("VALIGN", (0, 0), (-1, -1), "TOP")]
    width = landscape(A4)[0] - 72

    def table(header: list[str], rows: list[list[Any]], widths: list[float], extra: list | None = None) -> Table:
        data = [[para(h, head) for h in header]] + [
            [c if isinstance(c, Paragraph) else para(c) for c in row] for row in rows]
        scale = width / sum(widths)
        t = Table(data, colWidths=[w * scale for w in widths], repeatRows=1, splitInRow=1)
        t.setStyle(TableStyle(grid + (extra or [])))
        return t

    def boxed(paragraphs: list[Paragraph], border: str, fill: str) -> Table:
        t = Table([[p] for p in paragraphs], colWidths=[width])
        t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor(border)),
                               ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(fill)),
                               ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8)]))
        return t

    def key_values(rows: list[tuple[str, Any]]) -> Table:
        t = Table([[para(k), para(v)] for k, v in rows], colWidths=[width * 0.16, width * 0.84])
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#B0B0B0")),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F3F5F8")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    title = title or default_title(report)
    story: list[Any] = [para(title, title_style)]
    if not is_ok(report):
        rows = unreadable_rows(report)
        story += [boxed([para("未作比对", warn_head)] + [para(f"{k}：{v}", warn) for k, v in rows[1:]],
                        UNLAWFUL_COLOUR, UNLAWFUL_ROW_COLOUR)]
    else:
        story.append(key_values([("标准 A", describe(report.get("a"))), ("标准 B", describe(report.get("b")))]))
        story.append(Spacer(1, 6))
        warning = unlawful_warning(report)
        if warning:
            lines = [para("违法风险：地方强制性标准宽于国家标准", warn_head), para(warning, warn)]
            lines += [para(f"{i}. {pair_sentence(p)}", warn) for i, p in enumerate(report["unlawful"], start=1)]
            story += [boxed(lines, UNLAWFUL_COLOUR, UNLAWFUL_ROW_COLOUR), Spacer(1, 6)]
        story.append(para(GENERATION_NOTE, small))
        story.append(Spacer(1, 4))
        counts = verdict_counts(report)
        total = len(report.get("limits") or [])
        ct = Table([[para(label, centre) for _, label, _ in counts] + [para("合计", centre)],
                    [para(str(n), centre) for _, _, n in counts] + [para(str(total), centre)]],
                   colWidths=[width / 7] * 7)
        ct.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#808080"))] + [
            ("BACKGROUND", (i, 0), (i, 1), colors.HexColor(VERDICT_COLOURS[v])) for i, (v, _, _) in enumerate(counts)]))
        story += [para("限值结论汇总", h2), ct]
        overview = []
        check = local_check(report)
        if check:
            overview.append(("地方强制性标准核查", check))
        overview += correspondence_rows(report)
        overview += [("条款对应", alignment_sentence(report)), ("术语", terms_sentence(report)),
                     ("规范性引用文件", references_sentence(report))]
        story += [Spacer(1, 6), key_values(overview)]

        story.append(para("一、限值比对", h2))
        flagged = unlawful_keys(report)
        rows, extra = [], []
        for i, (pair, row) in enumerate(limit_rows(report), start=1):
            verdict = pair.get("verdict")
            bad = _key(pair) in flagged
            cells: list[Any] = row[:6] + [para(row[6] + ("\n违法风险" if bad else ""),
                                              unlawful_cell if bad else centre), row[8]]
            rows.append(cells)
            if bad:
                extra += [("BACKGROUND", (0, i), (-1, i), colors.HexColor(UNLAWFUL_ROW_COLOUR)),
                          ("BACKGROUND", (6, i), (6, i), colors.HexColor(UNLAWFUL_COLOUR))]
            elif verdict in VERDICT_COLOURS:
                extra.append(("BACKGROUND", (6, i), (6, i), colors.HexColor(VERDICT_COLOURS[verdict])))
        if rows:
            story.append(table([h for h in LIMIT_HEADER if h != "违法风险"], rows,
                               [95, 145, 55, 145, 85, 45, 50, 130], extra))
        else:
            story.append(para(NONE_FOUND["limits"], note))

        story.append(para("二、条款对应", h2))
        story.append(para(alignment_sentence(report), small))
        crows = [[r[0], r[1], r[2], r[3], "" if r[4] is None else f"{r[4]:.2f}", r[5]] for r in clause_rows(report)]
        if crows:
            story.append(table(CLAUSE_HEADER, crows, [50, 230, 50, 230, 45, 110]))
        else:
            story.append(para(NONE_FOUND["clauses"], note))

        for heading, header, rows_of, what, widths in (
                ("三、术语", TERM_HEADER, term_rows, "terms", [80, 50, 270, 270, 40]),
                ("四、规范性引用文件", REFERENCE_HEADER, reference_rows, "references", [110, 110, 100, 330])):
            story.append(para(heading, h2))
            trows = [["" if c is None else (f"{c:.2f}" if isinstance(c, float) else c) for c in r]
                     for r in rows_of(report)]
            if trows:
                story.append(table(header, trows, widths))
            same = _same_note(report, what)
            if same or not trows:
                story.append(para(same or NONE_FOUND[what], note))

    tail = [Spacer(1, 10)]
    if link:
        tail.append(para(f"永久链接：{link}", note))
    tail.append(para(DISCLAIMER, small))
    story.append(KeepTogether(tail))

    footer_left = "".join(_SWAP.get(c, c) for c in (link or "粤标 Yuebiao 标准比对"))[:120]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(_PDF_FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(36, 20, footer_left)
        canvas.drawRightString(doc.pagesize[0] - 36, 20, f"第 {doc.page} 页")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=36, rightMargin=36, topMargin=36,
                            bottomMargin=36, title=title, author="粤标 Yuebiao", subject="标准比对报告")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
