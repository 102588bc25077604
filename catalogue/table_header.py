"""Finding the header row of an uploaded list of standards and naming its columns (表头识别), one- or two-row
headers, merged header cells (see catalogue.table_reader for the decisions).

Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.utils.cell import get_column_letter

from catalogue.table_vocabulary import (
    HEADER_SEARCH_ROWS, LIST_KEYS, NUMBER_ALIASES, TabularError, cell_text, header_candidates, header_field,
    is_ignored_header,
)
from yuebiao.messages import Message as M

# ---------------------------------------------------------------------------------------------------------------
# Header.


@dataclass
class Header:
    row_index: int  # index in rows of the last header row; data follow it
    columns: dict[str, list[tuple[int, str, int]]]  # key → [(column index, user's header text, rank)]
    warnings: list[str]


def find_header(rows: list[tuple[int, list]]) -> int | None:
    for i, (_, vals) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for v in vals:
            if type(v) is str and v.strip() and any(c in NUMBER_ALIASES for c in header_candidates(v)):
                return i
    return None


def _label(v: Any) -> str:
    return cell_text(v).replace("\n", "").replace("\r", "") if v is not None else ""


def _sub_header_name(top: str, sub: str) -> str | None:
    """The field name a sub-header gives under a group label: sub alone, top+sub, sub+top."""
    for cand in (sub, top + sub, sub + top):
        if header_field(cand):
            return cand
    return None


def build_header(rows: list[tuple[int, list]], merges: list) -> Header:
    h = find_header(rows)
    if h is None:
        raise TabularError("找不到表头：前 10 行中没有“标准号”列；第一行应包含“标准号”“中文名称”等列名")
    rownum, top_vals = rows[h]
    labels = {i: _label(v) for i, v in enumerate(top_vals)}
    warnings: list[str] = []
    # Horizontal merges touching the header row: (first column, last column) 0-based.
    spans = [(c1 - 1, c2 - 1) for c1, r1, c2, r2 in merges if r1 <= rownum <= r2 and c2 > c1]
    last = h
    if spans and h + 1 < len(rows) and rows[h + 1][0] == rownum + 1:
        sub_vals = rows[h + 1][1]
        under = {}
        for a, b in spans:
            top = labels.get(a, "")
            for ci in range(a, b + 1):
                sub = _label(sub_vals[ci]) if ci < len(sub_vals) else ""
                if sub:
                    name = _sub_header_name(top, sub)
                    under[ci] = name or sub
        number_cols = [i for i, t in labels.items() if t and (field := header_field(t)) and field[0] == "number"]
        number_sub = {_label(sub_vals[i]) if i < len(sub_vals) else "" for i in number_cols}
        if any(header_field(n) for n in under.values()) and number_sub <= {"", *(labels[i] for i in number_cols)}:
            last = h + 1
            covered = {ci for a, b in spans for ci in range(a + 1, b + 1)}
            for ci in range(max(len(top_vals), len(sub_vals))):
                if ci in under:
                    labels[ci] = under[ci]
                elif ci in covered:  # no sub-header under a group label: only its first column keeps the label
                    labels[ci] = ""
                elif not labels.get(ci) and ci < len(sub_vals):
                    labels[ci] = _label(sub_vals[ci])
            spans = []
    for a, b in spans:  # a header merged sideways names its first column only
        for ci in range(a + 1, b + 1):
            labels.pop(ci, None)
        if labels.get(a) and header_field(labels[a]):
            warnings.append(M("表头“{label}”为跨 {first}—{last} 列的合并单元格，按第一列（{first} 列）读取",
                              label=labels[a], first=get_column_letter(a + 1), last=get_column_letter(b + 1)))
    columns: dict[str, list[tuple[int, str, int]]] = {}
    unknown = []
    for ci in sorted(labels):
        text = labels[ci]
        if not text:
            continue
        hit = header_field(text)
        if hit is None:
            if not is_ignored_header(text):
                unknown.append(text)
            continue
        key, rank = hit
        columns.setdefault(key, []).append((ci, text, rank))
    for key, cols in list(columns.items()):
        if len(cols) > 1 and key not in LIST_KEYS:
            best = min(cols, key=lambda c: c[2])
            for c in cols:
                if c is not best:
                    warnings.append(M("列“{other}”与列“{kept}”表示同一项，已忽略“{other}”", other=c[1], kept=best[1]))
            columns[key] = [best]
    missing = [name for key, name in (("number", "标准号"), ("title_zh", "中文名称")) if key not in columns]
    if missing:
        raise TabularError(f"缺少必填列：{'、'.join(missing)}（表头在第 {rownum} 行）")
    if unknown:
        warnings.append(M("已忽略无法识别的列：{columns}", columns="、".join(unknown)))
    return Header(last, columns, warnings)

