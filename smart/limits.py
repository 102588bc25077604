"""Tables and limit values (排放限值) as data — pure, no Django.

Limit tables in environmental standards come in a few shapes:

* rows are pollutants (序号 | 污染物项目 | value columns … | 监控位置), value columns are processes
  (玻璃熔窑 / 在线镀膜尾气处理系统), grades (一级标准 / A 标准), periods or areas, often under a merged
  "排放限值" header;
* rows are pollutants × sources (适用范围 "烧碱工业" / "其他排污单位") with vertically merged pollutant cells;
* transposed: rows are processes, columns are pollutants.

A table arrives as a full grid (merged cells repeat their text). ``fill_table`` splits header, data and note
rows; ``extract_limits`` finds the parameter column, the value columns and the label columns and emits one
``Limit`` per value cell, with the column path, row labels, unit, time basis, period, special limit and the
dates from which the clause text says the table applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .model import Limit, StandardDocument, Table

SUP_LETTERS = "ᵃᵇᶜᵈᵉᶠᵍʰ"
SUP_MAP = dict(zip(SUP_LETTERS, "abcdefgh"))
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
SUP_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

NUM = r"\d+(?:[ ,]\d{3})*(?:\.\d+(?: \d+)*)?"
RE_MARKERS = re.compile(rf"[{SUP_LETTERS}{CIRCLED}]|(?<=[\d{'）)'}\u4e00-\u9fff])\s*[a-h]$")
RE_DASH = re.compile(r"^[-—–－/\\—―_ ]+$|^无$|^不要求$|^—+$")
RE_RANGE = re.compile(rf"^({NUM})\s*(?:[~～\-—–－]+|至)\s*({NUM})$")
RE_CMP = re.compile(rf"^(≤|<=|＜|<|≥|>=|＞|>|小于等于|大于等于|小于|大于)\s*({NUM})\s*(.*)$")
RE_ALT = re.compile(rf"^({NUM})\s*[（(]\s*({NUM})\s*[)）]$")
RE_POW = re.compile(rf"^(?:({NUM})\s*[×xX]\s*)?10([{SUP_DIGITS}]+)$")
RE_NUM_UNIT = re.compile(rf"^({NUM})\s*(.*)$")

PARAM_HDR = re.compile(r"污染物|项目|指标|参数|物质|因子|名称")
SEQ_HDR = re.compile(r"^序\s*号$|^编号$")
LOCATION_HDR = re.compile(r"监控位置|监控点|采样位置|排放口")
GENERIC_HDR = {"排放限值", "标准值", "限值", "最高允许排放浓度", "排放浓度限值", "污染物排放限值", "浓度限值",
               "最高允许排放限值", "排放浓度", "标准限值", "限值要求", "排放标准值", "指标限值", "控制要求",
               "最高允许排水量或最低容许水重复利用率"}
QUANTITY = re.compile(r"排放浓度|排放量|排放速率|浓度|速率|限值|标准值|去除率|效率|单位产品|含量")
LIMIT_CAPTION = re.compile(r"限值|标准值|排放浓度|允许|限量|排水量|控制项目|控制要求|浓度要求|排放标准")
NOT_LIMIT_CAPTION = re.compile(r"方法|测定|采样|监测要求|记录|台账|计划|参考表|信息表|登记")

UNITS = [
    (re.compile(r"^(?:mg|毫克)\s*/\s*(?:N\s*[·.]?\s*)?(?:m3|m³|Nm3|Nm³|立方米|标立方米)$", re.I), "mg/m³"),
    (re.compile(r"^(?:μg|µg|ug|微克)\s*/\s*(?:N\s*)?(?:m3|m³|Nm3|Nm³|立方米)$", re.I), "µg/m³"),
    (re.compile(r"^(?:ng\s*-?\s*TEQ|ngTEQ)\s*/\s*(?:N\s*)?(?:m3|m³)$", re.I), "ng-TEQ/m³"),
    (re.compile(r"^(?:mg\s*/\s*L|毫克每升|毫克/升|mg/l)$"), "mg/L"),
    (re.compile(r"^(?:μg|µg|ug)\s*/\s*L$", re.I), "µg/L"),
    (re.compile(r"^dB\s*[（(]\s*A\s*[)）]$", re.I), "dB(A)"),
    (re.compile(r"^(?:个\s*/\s*[L升]|个/升)$"), "个/L"),
    (re.compile(r"^[%％]$"), "%"),
    (re.compile(r"^(?:kg\s*/\s*h|千克/小时)$"), "kg/h"),
    (re.compile(r"^Bq\s*/\s*L$"), "Bq/L"),
    (re.compile(r"^无量纲$"), "无量纲"),
    (re.compile(r"^g\s*/\s*(?:m2|m²)$"), "g/m²"),
]


def normalize_unit(unit: str | None) -> str | None:
    """Units as printed → one spelling: mg/m³ (also mg/Nm³, standard state), µg/m³, mg/L, dB(A), %, 个/L …"""
    if unit is None:
        return None
    u = unit.strip()
    if len(u) > 2 and u[0] in "（(" and u[-1] in "）)":
        u = u[1:-1].strip()
    u = u.replace("³", "³").replace("m3", "m³") if re.search(r"m3(?!\d)", u) else u
    for rx, canon in UNITS:
        if rx.match(u) or rx.match(u.replace("³", "3")):
            return canon
    u = u.replace("米³", "m³").replace("米3", "m³")
    return u or None


def strip_markers(text: str) -> tuple[str, list[str]]:
    """Remove footnote markers (ᵃ, ①, trailing " b") → (clean text, markers as a, b, ①)."""
    marks: list[str] = []

    def take(m: re.Match) -> str:
        t = m.group(0).strip()
        marks.append(SUP_MAP.get(t, t))
        return ""

    text = re.sub(rf"([{SUP_LETTERS}])\s*[,，]\s*(?=[{SUP_LETTERS}])", r"\1", text)
    clean = RE_MARKERS.sub(take, text)
    return clean.strip(), marks


def _num(text: str) -> float | int:
    t = re.sub(r"[ ,]", "", text)
    v = float(t)
    return int(v) if v.is_integer() and "." not in t else v


def parse_value(cell: str) -> dict[str, Any] | None:
    """One table cell → {comparator, value, unit, marks, note}; None for a dash or text that is no value."""
    if cell is None:
        return None
    raw = cell.strip()
    if not raw:
        return None
    text, marks = strip_markers(raw)
    text = text.replace("，", ",").strip()
    if not text or RE_DASH.match(text):
        return None
    note = None
    mnote = re.match(r"^(.*?\d)\s*[（(]([^）)]*[" + "\u4e00-\u9fff" + r"][^）)]*)[)）]$", text)
    if mnote:
        text, note = mnote.group(1).strip(), mnote.group(2).strip()
    if re.fullmatch(r"不得检出|不得检测出|未检出", text):
        return {"comparator": "not_detected", "value": None, "unit": None, "marks": marks, "note": note}
    m = RE_RANGE.match(text)
    if m:
        return {"comparator": "range", "value": [_num(m.group(1)), _num(m.group(2))], "unit": None,
                "marks": marks, "note": note}
    m = RE_CMP.match(text)
    if m:
        op = {"≤": "<=", "<=": "<=", "＜": "<", "<": "<", "≥": ">=", ">=": ">=", "＞": ">", ">": ">",
              "小于等于": "<=", "大于等于": ">=", "小于": "<", "大于": ">"}[m.group(1)]
        unit = m.group(3).strip() or None
        if unit and re.search(r"\d", unit):
            return None
        return {"comparator": op, "value": _num(m.group(2)), "unit": normalize_unit(unit), "marks": marks,
                "note": note}
    m = RE_ALT.match(text)
    if m:
        return {"comparator": None, "value": _num(m.group(1)), "unit": None, "marks": marks, "note": note,
                "alternative": _num(m.group(2))}
    m = RE_POW.match(text)
    if m:
        power = int("".join(str(SUP_DIGITS.index(ch)) for ch in m.group(2)))
        base = _num(m.group(1)) if m.group(1) else 1
        value = base * 10 ** power
        return {"comparator": None, "value": int(value) if float(value).is_integer() else value, "unit": None,
                "marks": marks, "note": note}
    m = RE_NUM_UNIT.match(text)
    if m:
        unit = m.group(2).strip()
        if unit and (re.search(r"\d\s*[A-Za-z\u4e00-\u9fff]+.*\d", unit) or len(unit) > 16):
            return None  # two values in one cell, or prose
        if unit and not re.match(r"^[A-Za-z%％µμ个米毫微千克吨/³²·\u4e00-\u9fff()（）\-]+", unit):
            return None
        return {"comparator": None, "value": _num(m.group(1)), "unit": normalize_unit(unit) if unit else None,
                "marks": marks, "note": note}
    return None


# ---------------------------------------------------------------------------------------------------------------
# table assembly
# ---------------------------------------------------------------------------------------------------------------


def _is_note_row(row: list[str]) -> bool:
    vals = [c for c in row if c]
    if not vals:
        return True
    distinct = set(vals)
    if len(distinct) == 1 and len(row) > 1 and len(vals) >= max(2, len(row) - 1):
        t = vals[0]
        return bool(re.match(r"^(注|说明|[a-h]\s|[ᵃᵇᶜᵈ①②③])", t)) or len(t) > 30
    return False


def _is_data_row(row: list[str], has_header: bool = False) -> bool:
    first = next((c for c in row if c), "")
    if re.fullmatch(r"\d{1,3}", first.strip()):
        return True
    values = sum(1 for c in row if c and parse_value(c) is not None and not re.fullmatch(r"(19|20)\d{2}", c.strip()))
    return values >= 1 and (values >= len([c for c in row if c]) / 3 or has_header)


def fill_table(table: Table, rows: list[list[str]], spans: list[list[int]] | None = None) -> None:
    header: list[list[str]] = []
    data: list[list[str]] = []
    kept: list[int] = []  # the index in ``rows`` of each header row, then of each data row
    kept_data: list[int] = []
    started = False
    for index, row in enumerate(rows):
        if _is_note_row(row):
            text = next((c for c in row if c), "")
            if text:
                table.notes.extend(_split_notes(text))
            continue
        if not started and not _is_data_row(row, bool(header)) and len(header) < 4:
            header.append(row)
            kept.append(index)
            continue
        started = True
        data.append(row)
        kept_data.append(index)
    if not header and data and not _is_data_row(data[0]):
        header.append(data.pop(0))
        kept.append(kept_data.pop(0))
    if header and header[0] and SEQ_HDR.match(_plain(header[0][0])):
        _merge_split_labels(data)
    table.header = header
    table.rows = data
    table.spans = kept_spans(spans or [], kept + kept_data, len(header))


def kept_spans(spans: list[list[int]], kept: list[int], header_rows: int) -> list[list[int]]:
    """Merged cells of the read grid renumbered over the rows a table kept (``kept[new] = old``); a merged cell
    stops where a dropped row (a note) cuts it, and at the end of the header (a cell never spans from the
    header into the body). Cells that cover one position after that are no longer merged."""
    position = {old: new for new, old in enumerate(kept)}
    out = []
    for r, c, rowspan, colspan in spans:
        top = position.get(r)
        if top is None:
            continue
        height = 1
        while (r + height < r + rowspan and position.get(r + height) == top + height
               and (top + height < header_rows) == (top < header_rows)):
            height += 1
        if height * colspan > 1:
            out.append([top, c, height, colspan])
    return out


def _merge_split_labels(rows: list[list[str]]) -> None:
    """A tall label in the 序号 column that the grid cut into pieces ("单位产品" / "基准排水" / "量（m³/t" …)."""
    i = 0
    while i < len(rows):
        if rows[i] and not re.fullmatch(r"\d{1,3}", (rows[i][0] or "").strip()):
            j = i
            while j < len(rows) and rows[j] and not re.fullmatch(r"\d{1,3}", (rows[j][0] or "").strip()):
                j += 1
            texts = [rows[k][0] for k in range(i, j) if rows[k][0]]
            if len(texts) >= 2:
                merged = ""
                for t in texts:
                    if not merged.endswith(t):
                        merged = merged + t
                for k in range(i, j):
                    rows[k][0] = merged
            i = j
        else:
            i += 1


def _split_notes(text: str) -> list[str]:
    parts = re.split(r"(?<=。)\s*(?=[a-hᵃᵇᶜᵈ①②③④⑤]\s*\S)", text)
    return [p.strip() for p in parts if p.strip()]


def extend_table(table: Table, rows: list[list[str]], spans: list[list[int]] | None = None) -> None:
    """Rows of a table continued on the next page (表 N（续）): repeated header rows are skipped."""
    head_keys = {tuple(_plain(c) for c in r) for r in table.header}
    extra = Table(number=table.number)
    kept = [i for i, r in enumerate(rows) if tuple(_plain(c) for c in r) not in head_keys]
    fill_table(extra, [rows[i] for i in kept], kept_spans(spans or [], kept, 0))
    width = max((len(r) for r in table.header + table.rows), default=0)
    first = len(table.header) + len(table.rows) - len(extra.header)  # where extra's rows land
    realigned = set()
    for index, row in enumerate(extra.rows):
        if width and len(row) != width:
            row = _realign(row, width, table)
            realigned.add(len(extra.header) + index)
        table.rows.append(row)
    table.notes.extend(extra.notes)
    # a continued table keeps the merged cells of its body rows, unless a row had to be realigned
    table.spans.extend([r + first, c, rs, cs] for r, c, rs, cs in extra.spans
                       if r >= len(extra.header) and not realigned & set(range(r, r + rs)))


def _realign(row: list[str], width: int, table: Table) -> list[str]:
    """A continuation page whose grid lost a (merged, empty) column: pad after the label columns."""
    if len(row) > width:
        return row[:width]
    missing = width - len(row)
    # pad by repeating the cell before the first value cell (keeps value columns right-aligned)
    idx = next((i for i, c in enumerate(row) if parse_value(c) is not None and i > 0), len(row))
    return row[:idx] + [row[idx - 1] if idx else ""] * missing + row[idx:]


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


# ---------------------------------------------------------------------------------------------------------------
# limits
# ---------------------------------------------------------------------------------------------------------------

RE_TIME_BASIS = re.compile(r"(日均值|日均|小时均值|小时平均|1\s*h\s*平均(?:浓度)?|1\s*h\s*浓度值?|任何\s*1\s*h|一次(?:浓度)?值?|月均值|年均值|"
                           r"瞬时值|监测点处\s*1\s*h\s*平均浓度值|任意一次浓度值)")
RE_PERIOD = re.compile(r"(第[一二三]时段|现有企业|新建企业|现有和新建企业|新建和现有企业)")


def _column_labels(table: Table, ncols: int) -> list[list[str]]:
    labels = []
    for j in range(ncols):
        parts: list[str] = []
        for row in table.header:
            if j < len(row) and row[j] and (not parts or _plain(parts[-1]) != _plain(row[j])):
                parts.append(row[j])
        labels.append(parts)
    return labels


def _table_unit(table: Table) -> tuple[str | None, list[str]]:
    """Unit from the caption/unit line, and the parameters it excludes ("（烟气黑度除外）")."""
    src = table.unit or ""
    if not src and table.caption:
        m = re.search(r"单\s*位\s*(?:[：:]|为|\s)\s*([A-Za-z%µμ毫微个].*)$", table.caption)
        src = m.group(1) if m else ""
    if not src:
        return None, []
    excluded: list[str] = []
    m = re.search(r"[（(]([^）)]*)除外[)）]?", src)
    if m:
        excluded = [x.strip() for x in re.split(r"[、,，和及]", m.group(1)) if x.strip()]
        src = src[: m.start()]
    return normalize_unit(src.strip()), excluded


RE_INLINE_UNIT = re.compile(r"\s*[，,]\s*((?:mg|µg|μg|ug|ng|g|kg|L|m³|m3|m²|Bq|个)(?:\s*/\s*[A-Za-z0-9²³·]+)+|dB\s*\(A\)|%)\s*")


def _param_unit(param: str) -> tuple[str, str | None]:
    """``粪大肠菌群数（个/L）`` → (粪大肠菌群数, 个/L); ``色度（稀释倍数）`` → (色度, 稀释倍数); pH → 无量纲;
    ``化学需氧量（CODCr，mg/L）`` → (化学需氧量（CODCr）, mg/L)."""
    m = RE_INLINE_UNIT.search(param)
    if m:
        rest = (param[: m.start()] + param[m.end():]).replace("*", "").strip()
        rest = re.sub(r"[（(]\s*[)）]", "", rest)
        return rest, normalize_unit(m.group(1))
    m = re.match(r"^(.*?)\s*[（(]([^）)]+)[)）]$", param)
    if m:
        inner = m.group(2)
        unit = normalize_unit(inner)
        if unit in ("mg/m³", "µg/m³", "mg/L", "µg/L", "dB(A)", "%", "个/L", "kg/h", "Bq/L", "无量纲"):
            return m.group(1).strip(), unit
        if inner in ("稀释倍数", "无量纲") or re.search(r"林格曼", inner):
            return param, ("林格曼级" if "林格曼" in inner else inner)
        if "/" in inner and len(inner) <= 16 and not re.search(r"[，,。]", inner):
            return m.group(1).strip(), unit
    if re.match(r"^pH(值)?$", param, re.I):
        return param, "无量纲"
    return param, None


def _clean_param(text: str) -> tuple[str, list[str]]:
    t, marks = strip_markers(text)
    t = re.sub(r"\s+", " ", t).strip()
    m = re.search(r"(?<=[）)])\s*[（(⁽]?([1-9])[)）⁾]$", t)
    if m:
        marks.append(CIRCLED[int(m.group(1)) - 1])
        t = t[: m.start()].strip()
    t = re.sub(r"\s*([（(])\s*", "（", t)
    t = re.sub(r"\s*([)）])", "）", t)
    t = re.sub(r"(?<=[\u4e00-\u9fff（）]) +| +(?=[\u4e00-\u9fff（）])", "", t)
    return t, marks


def is_limit_table(table: Table) -> bool:
    cap = (table.caption or "") + " " + (table.unit or "")
    if NOT_LIMIT_CAPTION.search(table.caption or ""):
        return False
    return bool(LIMIT_CAPTION.search(cap)) or bool(table.unit)


def _seq_column(table: Table, labels: list[list[str]]) -> int | None:
    seq_col = next((j for j, lab in enumerate(labels) if lab and SEQ_HDR.match(_plain(lab[0]))), None)
    if seq_col is None and all(re.fullmatch(r"\d{1,3}", (r[0] or "").strip()) for r in table.rows if r and r[0]):
        seq_col = 0 if table.rows and table.rows[0] and re.fullmatch(r"\d{1,3}", table.rows[0][0].strip()) else None
    return seq_col


def _value_columns(table: Table, ncols: int, seq_col: int | None) -> list[int]:
    value_cols = []
    for j in range(ncols):
        if j == seq_col:
            continue
        cells = [r[j] for r in table.rows if j < len(r) and r[j]]
        if not cells:
            continue
        good = sum(1 for c in cells if parse_value(c) is not None or RE_DASH.match(strip_markers(c)[0] or "-"))
        numeric = sum(1 for c in cells if parse_value(c) is not None)
        if numeric and good >= 0.6 * len(cells):
            value_cols.append(j)
    return value_cols


def _table_notes(table: Table) -> dict[str, str]:
    notes: dict[str, str] = {}
    for note in table.notes:
        text = re.sub(r"^注\s*\d*\s*[：:]\s*", "", strip_markers_keep(note))
        for m in re.finditer(r"(?:^|\s)([a-h]|[①②③④⑤⑥⑦⑧⑨]|[（(]\d[)）])\s*(.+?)(?=\s*[（(]\d[)）]|$)", text):
            key = m.group(1)
            if key[0] in "（(":
                notes[f"({key[1]})"] = m.group(2).strip()
                notes[CIRCLED[int(key[1]) - 1]] = m.group(2).strip()
            else:
                notes[key] = m.group(2).strip()
    return notes


@dataclass
class _Layout:
    """How one limit table is laid out: which columns hold values, labels, the sequence number and the parameter."""

    labels: list[list[str]]
    flat: list[str]
    seq_col: int | None
    value_cols: list[int]
    label_cols: list[int]
    transposed: bool  # rows are sources/processes; the parameter is the column label


def _layout(table: Table) -> _Layout | None:
    ncols = max(len(r) for r in table.rows + table.header)
    labels = _column_labels(table, ncols)
    flat = [" ".join(p) for p in labels]
    seq_col = _seq_column(table, labels)
    value_cols = _value_columns(table, ncols, seq_col)
    if not value_cols:
        return None
    label_cols = [j for j in range(ncols) if j not in value_cols and j != seq_col]
    param_col = next((j for j in label_cols if PARAM_HDR.search(flat[j]) and not LOCATION_HDR.search(flat[j])), None)
    if param_col is None and label_cols and not table.header:
        param_col = label_cols[0]
    return _Layout(labels, flat, seq_col, value_cols, label_cols, transposed=param_col is None)


def _transposed_cell(lay: _Layout, row: list[str], col_text: list[str], j: int) -> tuple[str, list[str], str | None, str | None, str | None]:
    """A transposed table: the parameter comes from the column label, the source from the row's labels."""
    source_bits = [row[k] for k in lay.label_cols if k < len(row) and row[k]]
    names = [t for t in col_text if not QUANTITY.search(t)]
    param_raw = names[0] if names else (col_text[-1] if col_text else (lay.flat[j] or ""))
    param, pmarks = _clean_param(param_raw)
    column = " / ".join(re.sub(r"\s*/?\s*[（(][^）)]*[)）]\s*$", "", t) for t in col_text if t != param_raw) or None
    source = " / ".join(strip_markers(b)[0] for b in _dedupe(source_bits)) or None
    return param, pmarks, column, source, None


def _row_cell(lay: _Layout, row: list[str], col_text: list[str]) -> tuple[str, list[str], str | None, str | None, str | None]:
    """An ordinary table: the parameter comes from the row's first label, other labels name the source or location."""
    seq_col = lay.seq_col
    order = sorted(set(lay.label_cols) | ({seq_col} if seq_col is not None else set()))
    pcol = next((k for k in order if k < len(row) and row[k] and not re.fullmatch(r"\d{1,3}", row[k].strip())
                 and not LOCATION_HDR.search(lay.flat[k])), None)
    param, pmarks = _clean_param(row[pcol] if pcol is not None else "")
    column = " / ".join(col_text) or None
    row_labels: dict[str, str] = {}
    location = None
    for k in lay.label_cols + ([seq_col] if seq_col is not None and pcol == seq_col else []):
        if k == pcol or k >= len(row) or not row[k]:
            continue
        if _clean_param(row[k])[0] == param:
            continue
        name = _plain(" ".join(lay.labels[k])) or f"列{k + 1}"
        val, mk = strip_markers(row[k])
        pmarks += mk
        if LOCATION_HDR.search(name):
            location = val
        elif _plain(val) != _plain(param) and val not in row_labels.values():
            row_labels[name] = val
    source = " / ".join(_dedupe(list(row_labels.values()))) or None
    return param, pmarks, column, source, location


def _cell_condition(table: Table, label: list[str], parsed: dict[str, Any], param: str, marks: list[str],
                    where: tuple[str | None, str | None, str | None], notes: dict[str, str],
                    applies: list[dict] | None) -> dict[str, Any]:
    """The conditions under which one limit applies: table, column, source, location, time basis, period, notes."""
    column, source, location = where
    caption = table.caption or ""
    joined = " ".join(label)
    condition: dict[str, Any] = {"table": table.number or None}
    if column:
        condition["column"] = column
    if source:
        condition["source"] = source
    if location:
        condition["location"] = location
    tb = _time_basis(joined + " " + param + " " + (source or "")) or _time_basis(caption + " " + (table.unit or ""))
    if tb:
        condition["time_basis"] = tb
    per = RE_PERIOD.findall(caption) or RE_PERIOD.findall(joined)
    if per:
        condition["period"] = per[0]
    if "特别排放限值" in caption or "特别排放限值" in joined:
        condition["special"] = True
    if parsed.get("note"):
        condition["note"] = parsed["note"]
    if parsed.get("alternative") is not None:
        condition["alternative"] = parsed["alternative"]
    if marks:
        condition["footnotes"] = [notes.get(m, m) for m in _dedupe(marks)]
    if applies:
        condition["applies"] = applies
    return condition


def table_limits(table: Table, applies: list[dict] | None = None) -> list[Limit]:
    if not table.rows or not is_limit_table(table):
        return []
    lay = _layout(table)
    if lay is None:
        return []
    unit_all, excluded = _table_unit(table)
    caption = table.caption or ""
    notes = _table_notes(table)
    out: list[Limit] = []
    seen_keys: set[str] = set()
    for row in table.rows:
        for j, piece in ((col, piece) for col in lay.value_cols if col < len(row) for piece in row[col].split("\n")):
            parsed = parse_value(_paren_marker(piece, notes))
            if parsed is None:
                continue
            col_marks: list[str] = []
            col_text = []
            for p in (p for p in lay.labels[j] if _plain(strip_markers(p)[0]) not in GENERIC_HDR):
                t, mk = strip_markers(p)
                col_marks += mk
                col_text.append(t)
            if lay.transposed:
                param, pmarks, column, source, location = _transposed_cell(lay, row, col_text, j)
            else:
                param, pmarks, column, source, location = _row_cell(lay, row, col_text)
            if not param:
                continue
            param_name, p_unit = _param_unit(param)
            unit = parsed["unit"] or p_unit
            if unit is None and unit_all and not any(x and (x in param or param in x) for x in excluded):
                unit = unit_all
            if unit is None:
                unit = _unit_from_header(lay.labels[j])
            comparator = parsed["comparator"]
            if comparator is None:
                comparator = ">=" if re.search(r"去除率|去除效率|回收率|利用率|最低|不低于",
                                               caption + " ".join(lay.labels[j]) + param) else "<="
            marks = parsed["marks"] + col_marks + pmarks
            condition = _cell_condition(table, lay.labels[j], parsed, param, marks, (column, source, location),
                                        notes, applies)
            key = repr((param_name, comparator, parsed["value"], unit, sorted(condition.items(), key=str)))
            if key in seen_keys:
                continue  # a merged cell split into two grid rows
            seen_keys.add(key)
            out.append(Limit(parameter=param_name, comparator=comparator, value=parsed["value"], unit=unit,
                             condition=condition))
    return out


def _paren_marker(cell: str, notes: dict[str, str]) -> str:
    """"20（1）" where the table has a note "（1）…": the bracket is a note reference, written as ⁽¹⁾ → marker."""
    m = re.match(r"^(.*?\d)\s*[（(⁽]\s*([1-9¹²³⁴⁵])\s*[)）⁾]$", cell.strip())
    if m:
        d = m.group(2).translate(str.maketrans("¹²³⁴⁵", "12345"))
        if f"({d})" in notes:
            return f"{m.group(1)}{CIRCLED[int(d) - 1]}"
    return cell


def strip_markers_keep(note: str) -> str:
    t = note.strip()
    if t and t[0] in SUP_MAP:
        return SUP_MAP[t[0]] + " " + t[1:].strip()
    return t


def _dedupe(items: list[str]) -> list[str]:
    seen: list[str] = []
    for x in items:
        if x and x not in seen:
            seen.append(x)
    return seen


def _unit_from_header(parts: list[str]) -> str | None:
    for p in reversed(parts):
        m = re.search(r"[（(]([^）)]+)[)）]\s*$", p)
        if m:
            u = normalize_unit(m.group(1))
            if u and re.search(r"[A-Za-z/%]", u):
                return u
        m = re.search(r"(mg/m³|mg/m3|mg/L|µg/m³|μg/m³|dB\(A\)|kg/h)", p)
        if m:
            return normalize_unit(m.group(1))
    return None


def _time_basis(text: str) -> str | None:
    m = RE_TIME_BASIS.search(text or "")
    if not m:
        return None
    t = re.sub(r"\s+", "", m.group(1))
    if t.startswith("日均"):
        return "日均值"
    if t in ("任何1h",) or t.startswith("1h") or t.startswith("小时"):
        return "1 h 平均"
    return t


RE_APPLY_DATE = re.compile(r"自\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起")
RE_UNTIL = re.compile(r"至\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*止")
RE_TABLE_REF = re.compile(r"表\s*([A-Z]?\.?\d{1,2})(?![\d.])")
RE_WHO = re.compile(r"(现有企业|新建企业|现有和新建企业|新建和现有企业|所有企业|新建项目|现有项目|"
                    r"新建、改建、扩建项目|新建设施|现有设施|排污单位|企业)")


def _applies_index(doc: StandardDocument) -> dict[str, list[dict]]:
    """Which clause text says when each table applies: "自 2020 年 1 月 1 日起，现有企业执行表 1 …"."""
    index: dict[str, list[dict]] = {}
    for clause in doc.walk():
        for block in clause.blocks:
            if block.kind not in ("paragraph", "list_item"):
                continue
            for sentence in re.split(r"(?<=[。；])", block.text):
                refs = RE_TABLE_REF.findall(sentence)
                if not refs or not re.search(r"执行|适用|符合|限值", sentence):
                    continue
                entry: dict[str, Any] = {"clause": clause.number}
                m = RE_APPLY_DATE.search(sentence)
                if m:
                    entry["from"] = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                elif re.search(r"自本标准实施之日起|本标准实施之日起", sentence):
                    entry["from"] = doc.metadata.implemented or "实施之日"
                m = RE_UNTIL.search(sentence)
                if m:
                    entry["to"] = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                m = RE_WHO.search(sentence)
                if m:
                    entry["who"] = m.group(1)
                if "特别排放限值" in sentence:
                    entry["special"] = True
                if len(entry) == 1:
                    continue
                for ref in refs:
                    key = ref.replace(" ", "")
                    if entry not in index.setdefault(key, []):
                        index[key].append(entry)
    return index


def extract_limits(doc: StandardDocument) -> None:
    applies = _applies_index(doc)
    for table in doc.tables:
        doc.limits.extend(table_limits(table, applies.get(table.number)))
