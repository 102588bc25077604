"""The import checks (导入校验): each data row of an uploaded list of standards becomes a record or row errors in
Chinese, before anything is written (see catalogue.table_reader for the decisions).

Pure Python: no Django.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from catalogue.geography import REGION_NAMES
from catalogue.numbers import StandardNumberError, parse_number
from catalogue.sectors import sector_slug
from catalogue.table_header import Header
from catalogue.table_vocabulary import (
    ADOPTION, ADOPTION_WORDS, FULLWIDTH, RECORD_KEYS, STATUS_WORDS, ParsedTable, RowError, TabularError,
    ascii_forms, cell_text, too_many_rows,
)
from yuebiao.messages import Message as M

# ---------------------------------------------------------------------------------------------------------------
# Value parsers. Each returns the value or raises _Bad with a Chinese message naming the bad value.


class _Bad(Exception):
    pass


def _said(exc: Exception) -> str:
    """An exception's message, as the Message it was raised with when it was (str() would drop its id)."""
    message = getattr(exc, "message", None) or (exc.args[0] if exc.args else "")
    return message if isinstance(message, M) else str(exc)


_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})$")
_DATE_HINT = "请填写如 2024-03-01、2024/3/1、2024.03.01、2024年3月1日 或 20240301"
_OUT_OF_RANGE = "日期“{value}”超出 1900—2100 年的范围"
_DATE_UNREADABLE = "日期“{value}”无法识别，" + _DATE_HINT


def _parse_date(v: Any) -> date | None:
    t = type(v)
    if t is str:
        s = v.strip()
        if not s:
            return None
        if len(s) == 10 and s[4] == "-" and s[7] == "-" and s.isascii():
            try:
                d = date.fromisoformat(s)
            except ValueError:
                d = None
            if d is not None:
                if 1900 <= d.year <= 2100:
                    return d
                raise _Bad(M(_OUT_OF_RANGE, value=s))
        s2 = ascii_forms(s)
        m = _DATE_RE.match(s2) or _COMPACT_DATE_RE.match(s2)
        if m is None:
            raise _Bad(M(_DATE_UNREADABLE, value=s))
        y, mo, d_ = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif t is date:
        if 1900 <= v.year <= 2100:
            return v
        raise _Bad(M(_OUT_OF_RANGE, value=v.isoformat()))
    elif t is datetime:
        if 1900 <= v.year <= 2100:
            return v.date()
        raise _Bad(M(_OUT_OF_RANGE, value=cell_text(v)))
    elif v is None:
        return None
    elif t is int or (t is float and v.is_integer()):
        s = str(int(v))
        m = _COMPACT_DATE_RE.match(s)
        if m is None:
            raise _Bad(M(_DATE_UNREADABLE, value=s))
        y, mo, d_ = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        s = cell_text(v)
        if not s:
            return None
        raise _Bad(M(_DATE_UNREADABLE, value=s))
    if not 1900 <= y <= 2100:
        raise _Bad(M(_OUT_OF_RANGE, value=s))
    try:
        return date(y, mo, d_)
    except ValueError:
        raise _Bad(M("日期“{value}”不存在（{year} 年 {month} 月没有第 {day} 日）", value=s, year=y, month=mo, day=d_)) from None


_ICS_RE = re.compile(r"(\d{2})(?:\.(\d{3})(?:\.(\d{2}))?)?$")
_ICS_EXCEL_RE = re.compile(r"(\d{1,2})(?:\.(\d{1,3}))?$")  # a code Excel stored as a number: 67.08, 1.04, 3
_LIST_SPLIT = re.compile(r"[;；,，、\s]+")
_ORG_SPLIT = re.compile(r"[;；,，、\n\r]+")
_NUMBER_LIST_SPLIT = re.compile(r"[;；,，、\n\r]+")
_SECTOR_SPLIT = re.compile(r"[;；,，、/|\n\r]+")


def _date_cell(cell: Any, header: str | None, errs: list) -> date | None:
    """A date column's value, or None with the problem added to the row's errors."""
    if not cell:
        return None
    try:
        return _parse_date(cell)
    except _Bad as exc:
        errs.append((header, _said(exc)))
        return None


def _ics_code(piece: str) -> str:
    piece = ascii_forms(piece)
    if _ICS_RE.match(piece):
        return piece
    m = _ICS_EXCEL_RE.match(piece)
    if m:
        return m.group(1).zfill(2) + ("." + m.group(2).ljust(3, "0") if m.group(2) else "")
    raise _Bad(M("ICS 分类号“{code}”格式不正确，应如 67.080.10", code=piece))


def _ics_codes(v: Any) -> list[str]:
    if type(v) is float:  # Excel made 67.080 into 67.08
        whole, frac = divmod(round(v * 1000), 1000)
        return [f"{whole:02d}.{frac:03d}"] if frac else [f"{whole:02d}"]
    s = cell_text(v)
    if not s:
        return []
    return list(dict.fromkeys(_ics_code(p) for p in _LIST_SPLIT.split(s) if p))


_CCS_RE = re.compile(r"[A-Z](?:\d{2})?$")


def _ccs_code(s: str) -> str | None:
    if not s:
        return None
    code = ascii_forms(s).strip().upper()
    if _CCS_RE.match(code):
        return code
    if len(_LIST_SPLIT.split(code)) > 1:
        raise _Bad(M("CCS 分类号只能填写一个，实际为“{value}”", value=s))
    raise _Bad(M("CCS 分类号“{code}”格式不正确，应如 B31", code=s))


# A degree word at the end ('ISO 712:2009, IDT', 'ISO 712:2009（IDT）', 'ISO 712:2009等同采用') or at the start.
_ADOPTION_TAIL = re.compile(
    r"(?:[\s,，;；、/(（]+([A-Za-z]{2,6})|[\s,，;；、/(（]*([\u4e00-\u9fff]{2,6}))\s*[)）]?\s*$"
)
_ADOPTION_HEAD = re.compile(r"\s*(?:([A-Za-z]{2,6})[\s,，;；、:：/]+|([\u4e00-\u9fff]{2,6})[\s,，;；、:：/]*)(?=\S)")
_DEGREE_HINT = "应为 IDT（等同采用）、MOD（修改采用）或 NEQ（非等效采用）"


def _degree_of(word: str) -> str | None:
    return ADOPTION_WORDS.get(word.upper()) or ADOPTION_WORDS.get(word)


def _degree(word: str) -> str:
    d = _degree_of(word)
    if d is None:
        raise _Bad(M("采标程度“{word}”无法识别，" + _DEGREE_HINT, word=word))
    return d


def _split_adoption(s: str) -> tuple[str | None, str, str | None]:
    """'ISO 712:2009, IDT' / 'IDT ISO 712:2009' / 'MOD' / 'ISO 712:2009（IDT）' → (degree, adopted number text,
    a word that looks meant as a degree but is none, such as EQV or 等效采用)."""
    s = ascii_forms(s).strip()
    d = _degree_of(s)
    if d:
        return d, "", None
    if s.isalpha() and (not s.isascii() or (s.isupper() and len(s) <= 6)):
        return None, "", s  # a lone word: meant as a degree
    m = _ADOPTION_TAIL.search(s)
    odd = None
    if m:
        word = m.group(1) or m.group(2)
        d = _degree_of(word)
        if d:
            return d, s[: m.start()].strip(), None
        odd = word
    m = _ADOPTION_HEAD.match(s)
    if m:
        word = m.group(1) or m.group(2)
        d = _degree_of(word)
        if d:
            return d, s[m.end():].strip(), None
        if odd is None and (m.group(2) or word.upper() == "EQV"):
            odd = word
    return None, s, odd


def _region(s: str, known: Any) -> str | None:
    if not s:
        return None
    code = ascii_forms(s).replace(" ", "")
    if len(code) == 6 and code.isdigit():
        if known is not None and code not in known:
            raise _Bad(M("未知的行政区划代码“{code}”", code=s))
        return code
    named = REGION_NAMES.get(code)
    if named is None:
        raise _Bad(M("无法识别的地区“{value}”：请填写 6 位行政区划代码，或“广东省”及省内 21 个地级市的名称（如 广州市）；"
                     "其他地区请填写代码", value=s))
    if known is not None and named not in known:
        raise _Bad(M("地区“{value}”（{code}）不在行政区划表中", value=s, code=named))
    return named

# ---------------------------------------------------------------------------------------------------------------
# Rows into records.


def _number_message(label: str, value: str, exc: Exception) -> str:
    msg = _said(exc) or M("无法识别")
    return msg if value in msg else M("{label}“{value}”无法识别：{reason}", label=label, value=value, reason=msg)


def _unquote(s: str) -> str:
    """Take off the apostrophe an export puts before a value Excel would run as a formula."""
    return s[1:] if len(s) > 1 and s[1] in "=+-@\t\r" else s


class _Columns:
    """Where each field sits among a row's fetched cells, and the user's header for it. One itemgetter call fetches
    a row's mapped cells; a field the file lacks points at the None appended after them."""

    def __init__(self, header: Header):
        present = [(key, i, h) for key in (*RECORD_KEYS, ADOPTION) for i, h, _ in header.columns.get(key, ())]
        self.get = itemgetter(*(i for _, i, _ in present))  # 标准号 and 中文名称 are always there: a tuple
        self.width = max(i for _, i, _ in present) + 1
        self.padding = [None] * self.width
        pos: dict[str, list[tuple[int, str]]] = {}
        for p, (key, _, h) in enumerate(present):
            pos.setdefault(key, []).append((p, h))
        absent = (len(present), None)
        self.number, self.title_zh, self.status = (pos.get(k, [absent])[0] for k in ("number", "title_zh", "status"))
        self.published, self.implemented, self.withdrawn = (
            pos.get(k, [absent])[0] for k in ("published_on", "implemented_on", "withdrawn_on"))
        self.ccs, self.adoption, self.degree, self.adopted, self.region = (
            pos.get(k, [absent])[0] for k in ("ccs_code", ADOPTION, "adoption_degree", "adopted_standard",
                                              "region_code"))
        self.text = [(k, pos[k][0][0]) for k in ("title_en", "technical_committee", "issuing_authority", "scope",
                                                 "notes") if k in pos]
        self.ics = pos.get("ics_codes", [])
        self.organisations = pos.get("drafting_organisations", [])
        self.replaces = pos.get("replaces", [])
        self.sectors = pos.get("sectors", [])


def _text(c: Any) -> str:
    return c.strip() if type(c) is str else cell_text(c)


class _RowChecker:
    """The checks of one file, one method per column group; each adds (header, message) pairs to the row's errors.
    Kept lean on purpose (bulk imports target ≥ 20,000 rows/s end to end): common values take inline fast paths."""

    def __init__(self, cols: _Columns, *, known_ics, known_ccs, known_regions):
        self.cols = cols
        self.known_ics, self.known_ccs, self.known_regions = known_ics, known_ccs, known_regions
        self.number_cache: dict[str, tuple[bool, str]] = {}
        self.sector_cache: dict[str, str | None] = {}
        self.first_row: dict[str, int] = {}
        self.duplicates: dict[str, list[int]] = {}

    def canonical(self, text: str, label: str) -> str:
        """A canonical number, or _Bad; cached (a file names the same replaced standards again and again)."""
        hit = self.number_cache.get(text)
        if hit is None:
            try:
                hit = (True, parse_number(text).canonical)
            except StandardNumberError as exc:
                hit = (False, _number_message(label, text, exc))
            self.number_cache[text] = hit
        if hit[0]:
            return hit[1]
        raise _Bad(hit[1])

    def number(self, s: str, rownum: int, errs: list):
        """(parsed number or None, canonical number; the text as typed when empty, None when unreadable)."""
        h_num = self.cols.number[1] or "标准号"  # the number column is always there: the header names it
        if not s:
            errs.append((h_num, M("缺少标准号")))
            return None, s
        try:
            num = parse_number(s if s.isascii() else s.translate(FULLWIDTH))
        except StandardNumberError as exc:
            errs.append((h_num, _number_message(h_num, s, exc)))
            return None, None
        number = num.canonical
        self.number_cache[s] = (True, number)  # a later row's 代替标准 usually names an earlier row's number
        seen = self.first_row.get(number)
        if seen is None:
            self.first_row[number] = rownum
        else:
            self.duplicates.setdefault(number, [seen]).append(rownum)
        return num, number

    def title(self, cells: tuple, errs: list) -> str:
        p, h = self.cols.title_zh
        title_zh = _text(cells[p])
        if not title_zh:
            errs.append((h, M("缺少中文名称")))
        elif title_zh[0] == "'":
            title_zh = _unquote(title_zh)
        return title_zh

    def status(self, cells: tuple, errs: list) -> str | None:
        p, h = self.cols.status
        c = cells[p]
        s = _text(c) if c else ""
        if not s:
            return None
        status = STATUS_WORDS.get(s) or STATUS_WORDS.get(s.replace(" ", "").lower())
        if status is None:
            errs.append((h, M("无法识别的标准状态“{value}”，应为 现行、即将实施、废止 或 被代替", value=s)))
        return status

    def dates(self, cells: tuple, errs: list) -> tuple[date | None, date | None, date | None]:
        (p_pub, h_pub), (p_impl, h_impl), (p_wd, h_wd) = self.cols.published, self.cols.implemented, self.cols.withdrawn
        published = _date_cell(cells[p_pub], h_pub, errs)
        implemented = _date_cell(cells[p_impl], h_impl, errs)
        withdrawn = _date_cell(cells[p_wd], h_wd, errs)
        if published and implemented and published > implemented:
            errs.append((h_pub, M("发布日期 {published} 晚于实施日期 {implemented}", published=str(published),
                                  implemented=str(implemented))))
        if withdrawn:
            if implemented and withdrawn < implemented:
                errs.append((h_wd, M("废止日期 {withdrawn} 早于实施日期 {implemented}", withdrawn=str(withdrawn),
                                       implemented=str(implemented))))
            elif published and withdrawn < published:
                errs.append((h_wd, M("废止日期 {withdrawn} 早于发布日期 {published}", withdrawn=str(withdrawn),
                                       published=str(published))))
        return published, implemented, withdrawn

    def ics(self, cells: tuple, errs: list) -> list[str]:
        ics: list[str] = []
        known = self.known_ics
        for p, h in self.cols.ics:
            c = cells[p]
            if c is None or c == "":
                continue
            if type(c) is str and _ICS_RE.match(c):  # one well-formed code: the common case
                codes = [c]
            else:
                try:
                    codes = _ics_codes(c)
                except _Bad as exc:
                    errs.append((h, _said(exc)))
                    continue
            if known is not None:
                unknown = [x for x in codes if x not in known]
                if unknown:
                    errs.append((h, M("未知的 ICS 分类号“{codes}”", codes='、'.join(unknown))))
            if ics:
                ics.extend(x for x in codes if x not in ics)
            else:
                ics = codes
        return ics

    def ccs(self, cells: tuple, errs: list) -> str | None:
        p, h = self.cols.ccs
        c = cells[p]
        if not c:
            return None
        try:
            ccs = _ccs_code(_text(c))
        except _Bad as exc:
            errs.append((h, _said(exc)))
            return None
        if ccs and self.known_ccs is not None and ccs not in self.known_ccs:
            errs.append((h, M("未知的 CCS 分类号“{code}”", code=ccs)))
        return ccs

    def organisations(self, cells: tuple) -> list[str]:
        orgs: list[str] = []
        for p, _h in self.cols.organisations:
            c = cells[p]
            if c:
                for o in _ORG_SPLIT.split(c if type(c) is str else cell_text(c)):
                    o = o.strip()
                    if o and o not in orgs:
                        orgs.append(_unquote(o) if o[0] == "'" else o)
        return orgs

    def replaces(self, cells: tuple, number: str | None, errs: list) -> list[str]:
        replaces: list[str] = []
        for p, h in self.cols.replaces:
            c = cells[p]
            if not c:
                continue
            for piece in _NUMBER_LIST_SPLIT.split(c if type(c) is str else cell_text(c)):
                piece = piece.strip()
                if not piece:
                    continue
                try:
                    x = self.canonical(piece, M("代替标准号"))
                except _Bad as exc:
                    errs.append((h, _said(exc)))
                    continue
                if x == number:
                    errs.append((h, M("标准不能代替自身（{number}）", number=number)))
                elif x not in replaces:
                    replaces.append(x)
        return replaces

    def adoption(self, cells: tuple, errs: list) -> tuple[str | None, str | None]:
        """(degree, adopted standard) from 采标情况, then 采标程度 and 采用的国际标准, which override it."""
        degree = adopted = None
        (p_adopt, h_adopt), (p_deg, h_deg), (p_astd, h_astd) = self.cols.adoption, self.cols.degree, self.cols.adopted
        c = cells[p_adopt]
        s = _text(c) if c else ""
        if s:
            degree, rest, odd = _split_adoption(s)
            try:
                if rest:
                    adopted = self.canonical(rest, M("采用的国际标准号"))
                elif odd:
                    _degree(odd)
            except _Bad as exc:
                message = _said(exc)
                if odd and rest:  # 'ISO 712:2009, EQV': the word is the problem, not the number
                    message = M("采标情况“{value}”中的采标程度“{word}”无法识别，" + _DEGREE_HINT, value=s, word=odd)
                errs.append((h_adopt, message))
        c = cells[p_deg]
        s = ascii_forms(cell_text(c)) if c else ""
        if s:
            try:
                degree = _degree(s)
            except _Bad as exc:
                errs.append((h_deg, _said(exc)))
        c = cells[p_astd]
        s = cell_text(c) if c else ""
        if s:
            try:
                adopted = self.canonical(s, M("采用的国际标准号"))
            except _Bad as exc:
                errs.append((h_astd, _said(exc)))
        return degree, adopted

    def region(self, cells: tuple, num, errs: list) -> str | None:
        """The region column's code; when it is empty, the code the number carries (DB44 → 440000)."""
        p, h = self.cols.region
        c = cells[p]
        s = _text(c) if c else ""
        if s:
            try:
                return _region(s, self.known_regions)
            except _Bad as exc:
                errs.append((h, _said(exc)))
                return None
        if num is None or not num.region_code:
            return None
        region = num.region_code
        if self.known_regions is not None and region not in self.known_regions:
            errs.append((h or self.cols.number[1], M("标准号对应的行政区划代码“{code}”不在行政区划表中", code=region)))
            return None
        return region

    def sector(self, piece: str) -> list[str]:
        slug = self.sector_cache.get(piece, "")
        if slug == "":
            slug = self.sector_cache[piece] = sector_slug(piece)
        if slug is not None:
            return [slug]
        words = piece.split()
        if len(words) > 1:
            return [s for w in words for s in self.sector(w)]
        raise _Bad(M("无法识别的领域“{value}”，请填写领域或产业集群名称，如 工业、智能家电", value=piece))

    def sectors(self, cells: tuple, errs: list) -> list[str]:
        sectors: list[str] = []
        for p, h in self.cols.sectors:
            c = cells[p]
            if not c:
                continue
            for piece in _SECTOR_SPLIT.split(c if type(c) is str else cell_text(c)):
                piece = piece.strip()
                if not piece:
                    continue
                try:
                    for x in self.sector(piece):
                        if x not in sectors:
                            sectors.append(x)
                except _Bad as exc:
                    errs.append((h, _said(exc)))
        return sectors

    def free_text(self, cells: tuple, rec: dict) -> None:
        """英文名称, 归口单位, 发布单位, 范围, 备注: taken as written (less an export's formula apostrophe)."""
        for key, p in self.cols.text:
            c = cells[p]
            if c:
                s = _text(c)
                rec[key] = _unquote(s) if s and s[0] == "'" else s


def _check_row(ck: _RowChecker, cells: tuple, rownum: int, number_text: str) -> tuple[dict | None, list]:
    """One row's record (None when it has errors) and its (header, message) errors, in column order."""
    errs: list[tuple[str | None, str]] = []
    num, number = ck.number(number_text, rownum, errs)
    title_zh = ck.title(cells, errs)
    status = ck.status(cells, errs)
    published, implemented, withdrawn = ck.dates(cells, errs)
    ics = ck.ics(cells, errs)
    ccs = ck.ccs(cells, errs)
    orgs = ck.organisations(cells)
    replaces = ck.replaces(cells, number, errs)
    degree, adopted = ck.adoption(cells, errs)
    region = ck.region(cells, num, errs)
    sectors = ck.sectors(cells, errs)
    if errs:
        return None, errs
    rec = {
        "number": number, "title_zh": title_zh, "title_en": "", "status": status, "published_on": published,
        "implemented_on": implemented, "withdrawn_on": withdrawn, "ics_codes": ics, "ccs_code": ccs,
        "technical_committee": "", "issuing_authority": "", "drafting_organisations": orgs, "replaces": replaces,
        "adoption_degree": degree, "adopted_standard": adopted, "region_code": region, "sectors": sectors,
        "scope": "", "notes": "",
    }
    ck.free_text(cells, rec)
    return rec, errs


def _drop_duplicates(records: list, errors: list[RowError], duplicates: dict[str, list[int]], h_num) -> list:
    """Every row of a number given twice gets an error naming the others, and no record."""
    dup_rows = set()
    for number, where in duplicates.items():
        dup_rows.update(where)
        for r in where:
            others = "、".join(str(x) for x in where if x != r)
            errors.append(RowError(r, h_num, M("与第 {rows} 行标准号重复（{number}）", rows=others, number=number)))
    errors.sort(key=lambda e: e.row)
    return [(r, rec) for r, rec in records if r not in dup_rows]


def check_rows(rows, header: Header, *, max_rows, known_ics, known_ccs, known_regions) -> ParsedTable:
    """Records and row errors for the data rows: empty rows skipped, each other row checked column group by column
    group, numbers given twice refused on every row that gives them."""
    cols = _Columns(header)
    ck = _RowChecker(cols, known_ics=known_ics, known_ccs=known_ccs, known_regions=known_regions)
    get, width, padding, p_num = cols.get, cols.width, cols.padding, cols.number[0]
    records: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    total = 0
    for rownum, vals in rows:
        if len(vals) < width:
            vals = vals + padding[: width - len(vals)]
        cells = get(vals) + (None,)
        if not any(cells):
            continue
        s = _text(cells[p_num])
        if not s and not any(x.strip() if type(x) is str else x is not None for x in cells):
            continue  # only spaces
        total += 1
        if total > max_rows:
            raise TabularError(too_many_rows(max_rows))
        rec, errs = _check_row(ck, cells, rownum, s)
        if rec is None:
            errors.extend([RowError(rownum, h, m) for h, m in errs])
        else:
            records.append((rownum, rec))
    if ck.duplicates:
        records = _drop_duplicates(records, errors, ck.duplicates, cols.number[1])
    return ParsedTable(records=records, errors=errors, encoding=None, total_rows=total, warnings=list(header.warnings))
