"""Reading and checking an uploaded list of standards (标准清单, CSV or Excel), and writing search results back out.

Pure Python: no Django. `read_table` turns the bytes of an official's upload into checked records and row-level
errors in Chinese, before anything is written; `write_xlsx` and `write_csv` export records in the same shape, so
an exported file imports again unchanged.

Decisions:

- Header row: the first of the first 10 non-empty rows that holds a 标准号 column name (exact match after
  normalising spaces, full-width forms, brackets, ``*`` marks, BOM and case). Title rows above it are skipped.
- Merged cells (Excel): a merged range's value is read from its top-left cell and filled *down* the range's first
  column (a 发布单位 merged over five rows applies to each of them); it is never copied sideways. A header merged
  across several columns names its first column only (a warning says so), unless the row below holds sub-headers
  under it (two-row header): then each column is named by its sub-header, tried alone, then as top+sub and sub+top
  (标准名称 over 中文/英文 → 标准名称中文; 日期 over 发布/实施 → 发布日期). Two-row headers are recognised in Excel
  files only, where the merge shows that the top row is a group label.
- Empty rows: a row whose recognised columns are all empty is skipped silently and not counted; total_rows is the
  number of non-empty data rows, so total_rows == len(records) + number of rows with errors.
- Status words follow catalogue.status: 有更新版 is ``current`` (a newer edition exists; this one is in force).
- Region: a 6-digit GB/T 2260 code, or 广东/广东省 (440000) and Guangdong's 21 prefecture-level cities with or
  without 市 (广州 / 广州市 / 广东省广州市). Other names are refused with a message saying so. When the region is
  empty it comes from the number (DB44 → 440000, DB4401 → 440100).
- Columns: unknown columns are ignored with a warning naming them; 序号 and the derived columns this module exports
  (标准级别, 标准性质) are ignored silently. Two columns for one list field (领域 and 产业集群) are merged; for other
  fields the better-ranked alias wins and the other column is ignored with a warning.
- Excel repairs: ICS codes that Excel turned into numbers (67.08, 1.04) are read as 67.080 and 01.040; a CSV value
  that an export protected against formula injection ('=…) loses the leading apostrophe.
- Dates must fall in 1900–2100 (a year like 0202 is a typo, not a date).
- Limits: size is checked before anything is parsed; more than `max_rows` (1,000,000) non-empty rows is refused; an
  xlsx whose parts unpack to more than 1 GiB is refused.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any, Iterable, Iterator

from catalogue.sectors import SECTORS, sector_slug

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_XLSX_UNPACKED = 1 << 30
HEADER_SEARCH_ROWS = 10


class TabularError(ValueError):
    """The whole file cannot be read (message in Chinese, shown to the user as it is)."""


@dataclass
class RowError:
    """One problem in one row: the row number as the user sees it in Excel, the user's column header, a message."""

    row: int
    column: str | None
    message: str


@dataclass
class ParsedTable:
    records: list[tuple[int, dict]]
    errors: list[RowError]
    encoding: str | None
    total_rows: int
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Vocabulary: record keys, header aliases, words for statuses, regions and adoption degrees.

RECORD_KEYS = (
    "number", "title_zh", "title_en", "status", "published_on", "implemented_on", "withdrawn_on", "ics_codes",
    "ccs_code", "technical_committee", "issuing_authority", "drafting_organisations", "replaces", "adoption_degree",
    "adopted_standard", "region_code", "sectors", "scope", "notes",
)
LIST_KEYS = frozenset({"ics_codes", "drafting_organisations", "replaces", "sectors"})
# "adoption" is the combined column 采标情况 ('ISO 712:2009, IDT'); it fills adoption_degree and adopted_standard.
ADOPTION = "adoption"

# Names users know from 全国标准信息公共服务平台 first, then other common names, English and the record keys.
# Earlier aliases rank higher when two columns name the same field.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("标准号", "标准编号", "标准代号及编号", "standard number", "standard no", "number", "编号"),
    "title_zh": ("中文名称", "标准名称", "标准中文名称", "中文标准名称", "标准名称中文", "名称", "chinese title",
                 "title", "title_zh"),
    "title_en": ("英文名称", "标准英文名称", "英文标准名称", "标准名称英文", "english title", "title_en"),
    "status": ("标准状态", "状态", "现行状态", "有效性", "status"),
    "published_on": ("发布日期", "发布时间", "发布日", "published", "publication date", "published_on"),
    "implemented_on": ("实施日期", "实施时间", "实施日", "implemented", "implementation date", "effective date",
                       "implemented_on"),
    "withdrawn_on": ("废止日期", "废止时间", "作废日期", "withdrawn", "withdrawal date", "withdrawn_on"),
    "ics_codes": ("ICS", "ICS分类", "ICS分类号", "ICS号", "国际标准分类号", "国际标准分类", "ics_codes"),
    "ccs_code": ("CCS", "CCS分类", "CCS分类号", "中国标准分类号", "中国标准文献分类号", "中标分类", "中标分类号",
                 "ccs_code"),
    "technical_committee": ("归口单位", "技术委员会", "技术归口单位", "归口", "标委会", "technical committee",
                            "technical_committee"),
    "issuing_authority": ("发布单位", "发布部门", "发布机构", "批准发布部门", "issuing authority", "issuing_authority"),
    "drafting_organisations": ("起草单位", "主要起草单位", "drafting organisations", "drafting organizations",
                               "drafting_organisations"),
    "replaces": ("代替标准", "代替", "代替标准号", "替代标准", "代替以下标准", "replaces"),
    ADOPTION: ("采标情况", "采用国际标准", "采标", "采用国际标准情况", "adoption"),
    "adoption_degree": ("采标程度", "一致性程度", "采用程度", "adoption degree", "adoption_degree"),
    "adopted_standard": ("采用的国际标准", "被采用的国际标准", "国际标准号", "采标号", "adopted standard",
                         "adopted_standard"),
    "region_code": ("地区", "行政区划", "行政区划代码", "地区代码", "所属地区", "区域", "region", "region_code"),
    "sectors": ("领域", "行业", "产业集群", "所属领域", "所属行业", "领域与产业集群", "sectors", "sector"),
    "scope": ("范围", "适用范围", "标准范围", "scope"),
    "notes": ("备注", "说明", "notes", "note", "remarks"),
}
# Columns read without a warning and without effect: row counters and what the number already says.
IGNORED_HEADERS = ("序号", "no", "标准级别", "级别", "标准性质", "性质", "level", "nature")

EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("number", "标准号"),
    ("title_zh", "中文名称"),
    ("title_en", "英文名称"),
    ("level", "标准级别"),
    ("nature", "标准性质"),
    ("status", "标准状态"),
    ("published_on", "发布日期"),
    ("implemented_on", "实施日期"),
    ("withdrawn_on", "废止日期"),
    ("ics_codes", "ICS"),
    ("ccs_code", "CCS"),
    ("technical_committee", "归口单位"),
    ("issuing_authority", "发布单位"),
    ("drafting_organisations", "起草单位"),
    ("replaces", "代替标准"),
    ("adoption_degree", "采标程度"),
    ("adopted_standard", "采用的国际标准"),
    ("region_code", "行政区划代码"),
    ("sectors", "领域"),
    ("scope", "范围"),
    ("notes", "备注"),
]

# The same words as catalogue.status.STATUS_WORDS (kept in step by a test); 有更新版 = still in force.
STATUS_WORDS = {
    "现行": "current", "现行有效": "current", "有效": "current", "有更新版": "current", "已发布": "upcoming",
    "即将实施": "upcoming", "废止": "withdrawn", "作废": "withdrawn", "已废止": "withdrawn", "被代替": "replaced",
    "已被代替": "replaced", "被替代": "replaced", "current": "current", "upcoming": "upcoming",
    "withdrawn": "withdrawn", "replaced": "replaced", "activated": "current", "obsoleted": "withdrawn",
}
STATUS_ZH = {"current": "现行", "upcoming": "即将实施", "withdrawn": "废止", "replaced": "被代替"}
LEVEL_ZH = {"national": "国家标准", "industry": "行业标准", "local": "地方标准", "group": "团体标准",
            "enterprise": "企业标准", "international": "国际标准", "foreign": "国外标准"}
NATURE_ZH = {"mandatory": "强制性", "recommended": "推荐性", "guidance": "指导性技术文件"}
SECTOR_NAME_ZH = {s.slug: s.name_zh for s in SECTORS}

# GB/T 20000.2: degrees of correspondence with an international standard. EQV (等效采用) was dropped in 2001.
ADOPTION_WORDS = {
    "IDT": "IDT", "MOD": "MOD", "NEQ": "NEQ", "等同采用": "IDT", "修改采用": "MOD", "非等效采用": "NEQ",
    "等同": "IDT", "修改": "MOD", "非等效": "NEQ",
}

# GB/T 2260: Guangdong and its 21 prefecture-level cities (docs/domain.md).
GUANGDONG = "440000"
GD_CITY_CODES = {
    "广州": "440100", "韶关": "440200", "深圳": "440300", "珠海": "440400", "汕头": "440500", "佛山": "440600",
    "江门": "440700", "湛江": "440800", "茂名": "440900", "肇庆": "441200", "惠州": "441300", "梅州": "441400",
    "汕尾": "441500", "河源": "441600", "阳江": "441700", "清远": "441800", "东莞": "441900", "中山": "442000",
    "潮州": "445100", "揭阳": "445200", "云浮": "445300",
}
REGION_NAMES = {"广东": GUANGDONG, "广东省": GUANGDONG}
for _name, _code in GD_CITY_CODES.items():
    REGION_NAMES[_name] = REGION_NAMES[_name + "市"] = _code
    REGION_NAMES["广东" + _name] = REGION_NAMES["广东省" + _name] = REGION_NAMES["广东省" + _name + "市"] = _code
del _name, _code

# ---------------------------------------------------------------------------------------------------------------
# Text helpers.

# Full-width ASCII forms (０-９, Ａ-Ｚ, ／, －, ．…) and the ideographic space to their ASCII forms; used on codes,
# numbers and dates only, never on titles, where full-width punctuation is correct Chinese.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def _ascii_forms(text: str) -> str:
    return text if text.isascii() else text.translate(_FULLWIDTH)


_BRACKETS = re.compile(r"[(\[【〔<《][^)\]】〕>》]*[)\]】〕>》]")
_HEADER_JUNK = re.compile(r"[\s\u3000\ufeff\u200b*＊:：_\-\.\"'“”‘’]+")
_BRACKET_CHARS = re.compile(r"[()\[\]【】〔〕<>《》]")


def _norm_header(text: str) -> str:
    return _HEADER_JUNK.sub("", unicodedata.normalize("NFKC", text)).lower()


_ALIAS_INDEX: dict[str, tuple[str, int]] = {}
for _key, _aliases in HEADER_ALIASES.items():
    for _rank, _alias in enumerate(_aliases):
        _ALIAS_INDEX.setdefault(_BRACKET_CHARS.sub("", _norm_header(_alias)), (_key, _rank))
del _key, _aliases, _rank, _alias
_IGNORED = frozenset(_norm_header(h) for h in IGNORED_HEADERS)
_NUMBER_ALIASES = frozenset(a for a, (k, _) in _ALIAS_INDEX.items() if k == "number")


def _header_candidates(text: str) -> list[str]:
    """The ways a header may name a field: whole (brackets dropped), without the bracketed part, the bracketed part."""
    norm = _norm_header(text)
    out = [_BRACKET_CHARS.sub("", norm)]
    if _BRACKET_CHARS.search(norm):
        out.append(_BRACKETS.sub("", norm))
        out.extend(m.group(0)[1:-1] for m in _BRACKETS.finditer(norm))
    return out


def header_field(text: str) -> tuple[str, int] | None:
    """The record field a header names and the alias's rank (lower is better), or None."""
    for cand in _header_candidates(text):
        hit = _ALIAS_INDEX.get(cand)
        if hit:
            return hit
    return None


def _is_ignored_header(text: str) -> bool:
    return any(c in _IGNORED for c in _header_candidates(text))


def _cell_text(v: Any) -> str:
    """A cell as stripped text ('' when empty); numbers without a spurious '.0'."""
    if v is None:
        return ""
    t = type(v)
    if t is str:
        return v.strip()
    if t is int:
        return str(v)
    if t is float:
        return str(int(v)) if v.is_integer() else "%.15g" % v
    if t is bool:
        return "TRUE" if v else "FALSE"
    if t is datetime:
        return v.date().isoformat() if v.time() == time() else v.isoformat(sep=" ")
    if t is date or t is time:
        return v.isoformat()
    return str(v).strip()


# ---------------------------------------------------------------------------------------------------------------
# Value parsers. Each returns the value or raises _Bad with a Chinese message naming the bad value.


class _Bad(Exception):
    pass


_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})$")
_DATE_HINT = "请填写如 2024-03-01、2024/3/1、2024.03.01、2024年3月1日 或 20240301"


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
                raise _Bad(f"日期“{s}”超出 1900—2100 年的范围")
        s2 = _ascii_forms(s)
        m = _DATE_RE.match(s2) or _COMPACT_DATE_RE.match(s2)
        if m is None:
            raise _Bad(f"日期“{s}”无法识别，{_DATE_HINT}")
        y, mo, d_ = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif t is date:
        if 1900 <= v.year <= 2100:
            return v
        raise _Bad(f"日期“{v.isoformat()}”超出 1900—2100 年的范围")
    elif t is datetime:
        if 1900 <= v.year <= 2100:
            return v.date()
        raise _Bad(f"日期“{_cell_text(v)}”超出 1900—2100 年的范围")
    elif v is None:
        return None
    elif t is int or (t is float and v.is_integer()):
        s = str(int(v))
        m = _COMPACT_DATE_RE.match(s)
        if m is None:
            raise _Bad(f"日期“{s}”无法识别，{_DATE_HINT}")
        y, mo, d_ = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        s = _cell_text(v)
        if not s:
            return None
        raise _Bad(f"日期“{s}”无法识别，{_DATE_HINT}")
    if not 1900 <= y <= 2100:
        raise _Bad(f"日期“{s}”超出 1900—2100 年的范围")
    try:
        return date(y, mo, d_)
    except ValueError:
        raise _Bad(f"日期“{s}”不存在（{y} 年 {mo} 月没有第 {d_} 日）") from None


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
        errs.append((header, str(exc)))
        return None


def _ics_code(piece: str) -> str:
    piece = _ascii_forms(piece)
    if _ICS_RE.match(piece):
        return piece
    m = _ICS_EXCEL_RE.match(piece)
    if m:
        return m.group(1).zfill(2) + ("." + m.group(2).ljust(3, "0") if m.group(2) else "")
    raise _Bad(f"ICS 分类号“{piece}”格式不正确，应如 67.080.10")


def _ics_codes(v: Any) -> list[str]:
    if type(v) is float:  # Excel made 67.080 into 67.08
        whole, frac = divmod(round(v * 1000), 1000)
        return [f"{whole:02d}.{frac:03d}"] if frac else [f"{whole:02d}"]
    s = _cell_text(v)
    if not s:
        return []
    return list(dict.fromkeys(_ics_code(p) for p in _LIST_SPLIT.split(s) if p))


_CCS_RE = re.compile(r"[A-Z](?:\d{2})?$")


def _ccs_code(s: str) -> str | None:
    if not s:
        return None
    code = _ascii_forms(s).strip().upper()
    if _CCS_RE.match(code):
        return code
    if len(_LIST_SPLIT.split(code)) > 1:
        raise _Bad(f"CCS 分类号只能填写一个，实际为“{s}”")
    raise _Bad(f"CCS 分类号“{s}”格式不正确，应如 B31")


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
        raise _Bad(f"采标程度“{word}”无法识别，{_DEGREE_HINT}")
    return d


def _split_adoption(s: str) -> tuple[str | None, str, str | None]:
    """'ISO 712:2009, IDT' / 'IDT ISO 712:2009' / 'MOD' / 'ISO 712:2009（IDT）' → (degree, adopted number text,
    a word that looks meant as a degree but is none, such as EQV or 等效采用)."""
    s = _ascii_forms(s).strip()
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
    code = _ascii_forms(s).replace(" ", "")
    if len(code) == 6 and code.isdigit():
        if known is not None and code not in known:
            raise _Bad(f"未知的行政区划代码“{s}”")
        return code
    code = REGION_NAMES.get(code)
    if code is None:
        raise _Bad(f"无法识别的地区“{s}”：请填写 6 位行政区划代码，或“广东省”及省内 21 个地级市的名称（如 广州市）；"
                   "其他地区请填写代码")
    if known is not None and code not in known:
        raise _Bad(f"地区“{s}”（{code}）不在行政区划表中")
    return code


# ---------------------------------------------------------------------------------------------------------------
# Reading bytes into rows.

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_XLSX_ERROR = "Excel 文件已损坏或不是有效的 .xlsx 文件，请用 Excel 打开后另存为 .xlsx 再上传"


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f}"


def _limit_text(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:g} MB" if (n / 2**20) == int(n / 2**20) else f"{n / 2**20:.1f} MB"
    return f"{n / 1024:.0f} KB"


def _sniff_binary(data: bytes) -> str:
    """'xlsx', 'text', or raise TabularError for a format we cannot read."""
    head = data[:8]
    if head.startswith(_ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return "xlsx"
    if head == _OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise TabularError("文件已加密（设置了打开密码），请在 Excel 中取消密码后另存为 .xlsx 再上传")
        raise TabularError("不支持旧版 .xls 格式，请在 Excel 中“另存为” .xlsx（Excel 工作簿）后上传")
    sample = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    if sample.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
            raise TabularError("文件是 XML 电子表格（Excel 2003 XML）格式，请在 Excel 中“另存为” .xlsx 后上传")
        raise TabularError("文件实际是网页（HTML/XML）格式，不是 Excel 文件（常见于从网站下载的 .xls）；"
                           "请用 Excel 打开后“另存为” .xlsx 或 CSV 再上传")
    if sample.startswith(b"%pdf"):
        raise TabularError("无法识别文件格式：这是 PDF 文件，请上传 CSV 或 Excel（.xlsx）文件")
    if head.startswith(b"\x1f\x8b") or head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf"):
        raise TabularError("无法识别文件格式：请上传 CSV 或 Excel（.xlsx）文件，不要压缩")
    return "text"


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text, the encoding used, warnings. UTF-8 strictly first, then GB18030 (Chinese Windows' 'Save as CSV'),
    charset-normalizer last."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise TabularError(_bad_utf8_message(data[3:], exc)) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            raise TabularError("文件编码为 UTF-16，但内容已损坏，无法读取") from None
    head = data[:4000]
    if len(head) >= 4 and head.count(0) * 3 > len(head):  # UTF-16 without a byte-order mark
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(enc), enc, []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Mostly-valid UTF-8 with a few bad bytes is a damaged UTF-8 file, not GB18030: decoding it as GB18030 would
    # silently turn every Chinese character into mojibake.
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    non_ascii = len(replaced) - len(replaced.encode("ascii", "ignore"))
    if non_ascii - bad > 10 * bad:
        raise TabularError(_bad_utf8_message(data, utf8_error))
    try:
        return data.decode("gb18030"), "gb18030", []
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - a detector failure means "unknown encoding"
        best = None
    if best is None or not best.encoding:
        raise TabularError("无法识别文件编码：请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后重新上传")
    return str(best), best.encoding, [f"文件编码由自动检测判断为 {best.encoding}，请核对导入内容是否有乱码"]


def _bad_utf8_message(data: bytes, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return (f"文件是 UTF-8 编码，但第 {line} 行附近有无法识别的字节；请检查该行，"
            "或在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后重新上传")


_DELIMITERS = (",", "\t", ";")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into a 标准号 column; else the commonest in the first lines."""
    lines = [ln for ln in text[:65536].splitlines()[:50] if ln.strip()][:HEADER_SEARCH_ROWS]
    best, best_fields = None, 0
    for line in lines:
        for d in _DELIMITERS:
            parts = line.split(d)
            if len(parts) > best_fields and any(
                c in _NUMBER_ALIASES for p in parts for c in _header_candidates(p)
            ):
                best, best_fields = d, len(parts)
        if best:
            return best
    counts = {d: sum(ln.count(d) for ln in lines) for d in _DELIMITERS}
    d = max(_DELIMITERS, key=lambda x: counts[x])
    return d if counts[d] else ","


def _read_text(data: bytes, max_rows: int) -> tuple[list[tuple[int, list]], str, list[str]]:
    text, encoding, warnings = _decode(data)
    if "\x00" in text:
        text = text.replace("\x00", "")
    delimiter = _sniff_delimiter(text)
    rows: list[tuple[int, list]] = []
    limit = max_rows + HEADER_SEARCH_ROWS
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    n = 0
    try:
        for n, row in enumerate(reader, 1):
            if row:
                rows.append((n, row))
                if len(rows) > limit:
                    raise TabularError(_too_many_rows(max_rows))
    except csv.Error as exc:
        raise TabularError(f"第 {n + 1} 行无法解析（{exc}），请检查引号是否成对或单元格是否过长") from None
    return rows, encoding, warnings


def _too_many_rows(max_rows: int) -> str:
    return f"文件超过 {max_rows:,} 行的上限，请拆分后分批导入"


# --- xlsx: a streaming reader (lxml iterparse) that is about three times faster than openpyxl's read-only mode
# and, unlike it, sees merged cells.

_REL_NS_IDS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
               "http://purl.oclc.org/ooxml/officeDocument/relationships")
# Built-in number formats that show a date (ECMA-376 18.8.30, with the CJK locale ids 27–36 and 50–58).
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_XESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape_x(s: str) -> str:
    return _XESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s) if "_x" in s else s


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _Xlsx:
    def __init__(self, data: bytes):
        from lxml import etree

        self.etree = etree
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise TabularError(_XLSX_ERROR) from None
        self.names = {i.filename.lower(): i.filename for i in infos}
        if sum(i.file_size for i in infos) > MAX_XLSX_UNPACKED:
            raise TabularError("Excel 文件解压后超过 1 GB，无法读取；请拆分后分批导入")
        if "mimetype" in self.names and b"opendocument" in self.zip.read(self.names["mimetype"])[:100]:
            raise TabularError("不支持 ODS（WPS/LibreOffice）格式，请另存为 .xlsx 后上传")
        if "word/document.xml" in self.names or "ppt/presentation.xml" in self.names:
            raise TabularError("无法识别文件格式：这是 Word 或 PowerPoint 文件，请上传 CSV 或 Excel（.xlsx）文件")

    def _part(self, name: str) -> str | None:
        return self.names.get(name.lower())

    def _xml(self, name: str):
        return self.etree.fromstring(self.zip.read(name), self.parser)

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type suffix, part name) for a part."""
        base, leaf = posixpath.split(part)
        rels_name = self._part(posixpath.join(base, "_rels", leaf + ".rels"))
        out: dict[str, tuple[str, str]] = {}
        if rels_name is None:
            return out
        for rel in self._xml(rels_name):
            target = rel.get("Target") or ""
            if rel.get("TargetMode") == "External" or not target:
                continue
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            out[rel.get("Id")] = ((rel.get("Type") or "").rsplit("/", 1)[-1], path)
        return out

    def sheets(self) -> list[tuple[str, str]]:
        """(name, part) of each visible worksheet, in workbook order; sets up shared strings and styles."""
        root_rels = self._rels("")
        workbook = next((p for t, p in root_rels.values() if t == "officeDocument"), "xl/workbook.xml")
        workbook = self._part(workbook)
        if workbook is None:
            raise TabularError("无法识别文件格式：压缩包中没有 Excel 工作簿，请上传 CSV 或 Excel（.xlsx）文件")
        wb = self._xml(workbook)
        rels = self._rels(workbook)
        self.epoch_1904 = any(
            _local(el.tag) == "workbookPr" and (el.get("date1904") or "").lower() in ("1", "true") for el in wb
        )
        sst = next((p for t, p in rels.values() if t == "sharedStrings"), None)
        styles = next((p for t, p in rels.values() if t == "styles"), None)
        self.shared = self._shared_strings(self._part(sst)) if sst and self._part(sst) else []
        self.date_styles = self._date_styles(self._part(styles)) if styles and self._part(styles) else frozenset()
        out = []
        for el in wb.iter():
            if _local(el.tag) != "sheet" or el.get("state") in ("hidden", "veryHidden"):
                continue
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id") and k[1:].split("}")[0] in _REL_NS_IDS),
                       None)
            kind, part = rels.get(rid, ("", ""))
            if kind == "worksheet" and self._part(part):
                out.append((el.get("name") or "", self._part(part)))
        return out

    def _shared_strings(self, name: str) -> list[str]:
        out = []
        with self.zip.open(name) as f:
            for _, si in self.etree.iterparse(f, events=("end",), tag="{*}si", resolve_entities=False,
                                              no_network=True, load_dtd=False):
                parts = []
                for child in si:
                    tag = _local(child.tag)
                    if tag == "t":
                        parts.append(child.text or "")
                    elif tag == "r":  # a rich-text run; phonetic runs (rPh) are left out
                        for t in child:
                            if _local(t.tag) == "t":
                                parts.append(t.text or "")
                out.append(_unescape_x("".join(parts)))
                si.clear(keep_tail=True)
                while si.getprevious() is not None:
                    del si.getparent()[0]
        return out

    def _date_styles(self, name: str) -> frozenset[int]:
        from openpyxl.styles.numbers import is_date_format

        root = self._xml(name)
        custom = {}
        xfs: list[int] = []
        for el in root:
            tag = _local(el.tag)
            if tag == "numFmts":
                for fmt in el:
                    try:
                        custom[int(fmt.get("numFmtId"))] = fmt.get("formatCode") or ""
                    except (TypeError, ValueError):
                        pass
            elif tag == "cellXfs":
                for xf in el:
                    try:
                        xfs.append(int(xf.get("numFmtId") or 0))
                    except ValueError:
                        xfs.append(0)
        dates = set()
        for i, fmt_id in enumerate(xfs):
            if fmt_id in custom:
                if is_date_format(custom[fmt_id]):
                    dates.add(i)
            elif fmt_id in _BUILTIN_DATE_FORMATS:
                dates.add(i)
        return frozenset(dates)

    def rows(self, part: str, max_rows: int, merges: list) -> Iterable[tuple[int, list]]:
        """(row number, values) of each non-empty row; merged ranges are appended to `merges` as they are met
        (after the last row). Values: str, int, float, bool, date (whole-day date cells), datetime."""
        from openpyxl.utils.cell import column_index_from_string, range_boundaries
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

        epoch = CALENDAR_MAC_1904 if self.epoch_1904 else CALENDAR_WINDOWS_1900
        # Serial day numbers to dates without going through datetime; 1900 system: serials from 61 (1900-03-01) on,
        # past Excel's phantom 1900-02-29.
        epoch_ord = date(1904, 1, 1).toordinal() if self.epoch_1904 else date(1899, 12, 30).toordinal()
        first_plain = 0 if self.epoch_1904 else 61
        shared, date_styles = self.shared, self.date_styles
        col_of: dict[str, int] = {}
        style_is_date: dict[str, bool] = {}
        limit = max_rows + HEADER_SEARCH_ROWS
        count = 0
        prev_row = 0
        V = IS = T = None
        digits = "0123456789"
        with self.zip.open(part) as f:
            for _, el in self.etree.iterparse(f, events=("end",), tag=("{*}row", "{*}mergeCell"),
                                              resolve_entities=False, no_network=True, load_dtd=False):
                tag = el.tag
                if tag[-1] == "l":  # mergeCell
                    try:
                        merges.append(range_boundaries(el.get("ref") or ""))
                    except (ValueError, TypeError):
                        pass
                    continue
                if V is None:
                    ns = tag[:-3]
                    V, IS, T = ns + "v", ns + "is", ns + "t"
                r = el.get("r")
                rownum = int(r) if r and r.isdigit() else prev_row + 1
                prev_row = rownum
                vals: list = []
                ci = -1
                for c in el:
                    if not len(c):
                        continue  # a cell with a style and no value
                    ref = c.get("r")
                    if ref:
                        letters = ref.rstrip(digits)
                        ci = col_of.get(letters, -2)
                        if ci == -2:
                            try:
                                ci = column_index_from_string(letters) - 1
                            except ValueError:
                                ci = len(vals)
                            col_of[letters] = ci
                    else:
                        ci += 1
                    last = c[-1]  # <v> comes after any <f>; inline strings have <is>
                    ltag = last.tag
                    t = c.get("t")
                    if ltag == V:
                        x = last.text
                        if not x:
                            continue
                        if t == "s":
                            try:
                                v = shared[int(x)]
                            except (ValueError, IndexError):
                                continue
                        elif t is None or t == "n":
                            try:
                                v = int(x)
                            except ValueError:
                                try:
                                    v = float(x)
                                except ValueError:
                                    v = x
                            s = c.get("s")
                            if s and type(v) is not str:
                                is_date = style_is_date.get(s)
                                if is_date is None:
                                    is_date = style_is_date[s] = s.isdigit() and int(s) in date_styles
                                if is_date:
                                    if type(v) is int and v >= first_plain and v < 2958466:
                                        v = date.fromordinal(epoch_ord + v)
                                    else:
                                        try:
                                            v = from_excel(v, epoch)
                                        except (ValueError, OverflowError, TypeError):
                                            pass
                        elif t == "str":
                            v = _unescape_x(x)
                        elif t == "b":
                            v = x.strip() == "1"
                        elif t == "d":
                            try:
                                v = datetime.fromisoformat(x.rstrip("Z"))
                            except ValueError:
                                v = x
                        else:  # "e": an error such as #N/A, shown as it is
                            v = x
                    elif ltag == IS:
                        if len(last) == 1 and last[0].tag == T:
                            v = last[0].text
                            if v and "_x" in v:
                                v = _unescape_x(v)
                        else:  # rich text runs; phonetic runs (rPh) are left out
                            v = _unescape_x("".join(
                                t_.text or "" for t_ in last.iter(T) if _local(t_.getparent().tag) != "rPh"
                            ))
                    else:
                        continue
                    if v is None or v == "":
                        continue
                    if ci >= len(vals):
                        if ci > len(vals):
                            vals.extend([None] * (ci - len(vals)))
                        vals.append(v)
                    elif ci >= 0:
                        vals[ci] = v
                el.clear(keep_tail=True)
                while el.getprevious() is not None:
                    del el.getparent()[0]
                if vals:
                    count += 1
                    if count > limit:
                        raise TabularError(_too_many_rows(max_rows))
                    yield rownum, vals


def _fill_merges(rows: list[tuple[int, list]], merges: list) -> list[tuple[int, list]]:
    """Fill each merged range's value down its first column (see the module docstring)."""
    by_row = dict(rows)
    added = False
    budget = 5_000_000
    for c1, r1, _c2, r2 in merges:
        if r2 <= r1:
            continue
        top = by_row.get(r1)
        ci = c1 - 1
        v = top[ci] if top is not None and ci < len(top) else None
        if v is None:
            continue
        budget -= r2 - r1
        if budget < 0:
            break
        for rn in range(r1 + 1, r2 + 1):
            vals = by_row.get(rn)
            if vals is None:
                vals = by_row[rn] = []
                added = True
            if ci >= len(vals):
                vals.extend([None] * (ci + 1 - len(vals)))
            vals[ci] = v
    return sorted(by_row.items()) if added else rows


# ---------------------------------------------------------------------------------------------------------------
# Header.


@dataclass
class _Header:
    row_index: int  # index in rows of the last header row; data follow it
    columns: dict[str, list[tuple[int, str, int]]]  # key → [(column index, user's header text, rank)]
    warnings: list[str]


def _find_header(rows: list[tuple[int, list]]) -> int | None:
    for i, (_, vals) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for v in vals:
            if type(v) is str and v.strip() and any(c in _NUMBER_ALIASES for c in _header_candidates(v)):
                return i
    return None


def _label(v: Any) -> str:
    return _cell_text(v).replace("\n", "").replace("\r", "") if v is not None else ""


def _sub_header_name(top: str, sub: str) -> str | None:
    """The field name a sub-header gives under a group label: sub alone, top+sub, sub+top."""
    for cand in (sub, top + sub, sub + top):
        if header_field(cand):
            return cand
    return None


def _build_header(rows: list[tuple[int, list]], merges: list) -> _Header:
    from openpyxl.utils.cell import get_column_letter

    h = _find_header(rows)
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
        number_cols = [i for i, t in labels.items() if t and header_field(t) and header_field(t)[0] == "number"]
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
            warnings.append(f"表头“{labels[a]}”为跨 {get_column_letter(a + 1)}—{get_column_letter(b + 1)} 列的合并单元格，"
                            f"按第一列（{get_column_letter(a + 1)} 列）读取")
    columns: dict[str, list[tuple[int, str, int]]] = {}
    unknown = []
    for ci in sorted(labels):
        text = labels[ci]
        if not text:
            continue
        hit = header_field(text)
        if hit is None:
            if not _is_ignored_header(text):
                unknown.append(text)
            continue
        key, rank = hit
        columns.setdefault(key, []).append((ci, text, rank))
    for key, cols in list(columns.items()):
        if len(cols) > 1 and key not in LIST_KEYS:
            best = min(cols, key=lambda c: c[2])
            for c in cols:
                if c is not best:
                    warnings.append(f"列“{c[1]}”与列“{best[1]}”表示同一项，已忽略“{c[1]}”")
            columns[key] = [best]
    missing = [name for key, name in (("number", "标准号"), ("title_zh", "中文名称")) if key not in columns]
    if missing:
        raise TabularError(f"缺少必填列：{'、'.join(missing)}（表头在第 {rownum} 行）")
    if unknown:
        warnings.append(f"已忽略无法识别的列：{'、'.join(unknown)}")
    return _Header(last, columns, warnings)


# ---------------------------------------------------------------------------------------------------------------
# Rows into records.


def _number_message(label: str, value: str, exc: Exception) -> str:
    msg = str(exc) or "无法识别"
    return msg if value in msg else f"{label}“{value}”无法识别：{msg}"


def _unquote(s: str) -> str:
    """Take off the apostrophe an export puts before a value Excel would run as a formula."""
    return s[1:] if len(s) > 1 and s[1] in "=+-@\t\r" else s


def _check_rows(rows, header: _Header, *, max_rows, known_ics, known_ccs, known_regions) -> ParsedTable:
    """Records and row errors for the data rows. Kept lean on purpose (bulk imports target ≥ 20,000 rows/s end to
    end): one itemgetter call fetches a row's mapped cells, common values take inline fast paths."""
    from catalogue.numbers import StandardNumberError, parse_number

    cols = header.columns
    order = [*RECORD_KEYS, ADOPTION]
    present = [(key, i, h) for key in order for i, h, _ in cols.get(key, ())]
    get = itemgetter(*(i for _, i, _ in present))  # 标准号 and 中文名称 are always there: a tuple
    width = max(i for _, i, _ in present) + 1
    pos: dict[str, list[tuple[int, str]]] = {}
    for p, (key, _, h) in enumerate(present):
        pos.setdefault(key, []).append((p, h))
    absent = len(present)  # position of the None appended to each row's cells

    def one(key):
        return pos[key][0] if key in pos else (absent, None)

    p_num, h_num = one("number")
    p_tzh, h_tzh = one("title_zh")
    p_status, h_status = one("status")
    p_pub, h_pub = one("published_on")
    p_impl, h_impl = one("implemented_on")
    p_wd, h_wd = one("withdrawn_on")
    p_ccs, h_ccs = one("ccs_code")
    p_adopt, h_adopt = one(ADOPTION)
    p_deg, h_deg = one("adoption_degree")
    p_astd, h_astd = one("adopted_standard")
    p_reg, h_reg = one("region_code")
    text_pos = [(k, pos[k][0][0]) for k in ("title_en", "technical_committee", "issuing_authority", "scope", "notes")
                if k in pos]
    ics_pos = pos.get("ics_codes", [])
    org_pos = pos.get("drafting_organisations", [])
    rep_pos = pos.get("replaces", [])
    sec_pos = pos.get("sectors", [])
    padding = [None] * width

    number_cache: dict[str, tuple[bool, str]] = {}
    sector_cache: dict[str, str | None] = {}

    def canonical(text: str, label: str) -> str:
        """A canonical number, or _Bad; cached (a file names the same replaced standards again and again)."""
        hit = number_cache.get(text)
        if hit is None:
            try:
                hit = (True, parse_number(text).canonical)
            except StandardNumberError as exc:
                hit = (False, _number_message(label, text, exc))
            number_cache[text] = hit
        if hit[0]:
            return hit[1]
        raise _Bad(hit[1])

    def sector(piece: str) -> list[str]:
        slug = sector_cache.get(piece, "")
        if slug == "":
            slug = sector_cache[piece] = sector_slug(piece)
        if slug is not None:
            return [slug]
        words = piece.split()
        if len(words) > 1:
            return [s for w in words for s in sector(w)]
        raise _Bad(f"无法识别的领域“{piece}”，请填写领域或产业集群名称，如 工业、智能家电")

    records: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    total = 0
    txt = _cell_text
    str_ = str
    ics_re = _ICS_RE.match
    for rownum, vals in rows:
        if len(vals) < width:
            vals = vals + padding[: width - len(vals)]
        cells = get(vals) + (None,)
        if not any(cells):
            continue
        c = cells[p_num]
        number = s = c.strip() if type(c) is str_ else txt(c)
        if not s and not any(x.strip() if type(x) is str_ else x is not None for x in cells):
            continue  # only spaces
        total += 1
        if total > max_rows:
            raise TabularError(_too_many_rows(max_rows))
        errs: list[tuple[str | None, str]] = []

        # 标准号
        num = None
        if not s:
            errs.append((h_num, "缺少标准号"))
        else:
            try:
                num = parse_number(s if s.isascii() else s.translate(_FULLWIDTH))
            except StandardNumberError as exc:
                errs.append((h_num, _number_message(h_num, s, exc)))
                number = None
            else:
                number = num.canonical
                number_cache[s] = (True, number)  # a later row's 代替标准 usually names an earlier row's number
                seen = first_row.get(number)
                if seen is None:
                    first_row[number] = rownum
                else:
                    duplicates.setdefault(number, [seen]).append(rownum)
        c = cells[p_tzh]
        title_zh = c.strip() if type(c) is str_ else txt(c)
        if not title_zh:
            errs.append((h_tzh, "缺少中文名称"))
        elif title_zh[0] == "'":
            title_zh = _unquote(title_zh)

        status = None
        c = cells[p_status]
        if c:
            s = c.strip() if type(c) is str_ else txt(c)
            if s:
                status = STATUS_WORDS.get(s) or STATUS_WORDS.get(s.replace(" ", "").lower())
                if status is None:
                    errs.append((h_status, f"无法识别的标准状态“{s}”，应为 现行、即将实施、废止 或 被代替"))

        published = _date_cell(cells[p_pub], h_pub, errs)
        implemented = _date_cell(cells[p_impl], h_impl, errs)
        withdrawn = _date_cell(cells[p_wd], h_wd, errs)
        if published and implemented and published > implemented:
            errs.append((h_pub, f"发布日期 {published} 晚于实施日期 {implemented}"))
        if withdrawn:
            if implemented and withdrawn < implemented:
                errs.append((h_wd, f"废止日期 {withdrawn} 早于实施日期 {implemented}"))
            elif published and withdrawn < published:
                errs.append((h_wd, f"废止日期 {withdrawn} 早于发布日期 {published}"))

        ics: list[str] = []
        for p, h in ics_pos:
            c = cells[p]
            if c is None or c == "":
                continue
            if type(c) is str_ and ics_re(c):  # one well-formed code: the common case
                codes = [c]
            else:
                try:
                    codes = _ics_codes(c)
                except _Bad as exc:
                    errs.append((h, str(exc)))
                    continue
            if known_ics is not None:
                unknown = [x for x in codes if x not in known_ics]
                if unknown:
                    errs.append((h, f"未知的 ICS 分类号“{'、'.join(unknown)}”"))
            if ics:
                ics.extend(x for x in codes if x not in ics)
            else:
                ics = codes

        ccs = None
        c = cells[p_ccs]
        if c:
            try:
                ccs = _ccs_code(c.strip() if type(c) is str_ else txt(c))
            except _Bad as exc:
                errs.append((h_ccs, str(exc)))
            else:
                if ccs and known_ccs is not None and ccs not in known_ccs:
                    errs.append((h_ccs, f"未知的 CCS 分类号“{ccs}”"))

        orgs: list[str] = []
        for p, _h in org_pos:
            c = cells[p]
            if c:
                for o in _ORG_SPLIT.split(c if type(c) is str_ else txt(c)):
                    o = o.strip()
                    if o and o not in orgs:
                        orgs.append(_unquote(o) if o[0] == "'" else o)

        replaces: list[str] = []
        for p, h in rep_pos:
            c = cells[p]
            if not c:
                continue
            for piece in _NUMBER_LIST_SPLIT.split(c if type(c) is str_ else txt(c)):
                piece = piece.strip()
                if not piece:
                    continue
                try:
                    x = canonical(piece, "代替标准号")
                except _Bad as exc:
                    errs.append((h, str(exc)))
                    continue
                if x == number:
                    errs.append((h, f"标准不能代替自身（{number}）"))
                elif x not in replaces:
                    replaces.append(x)

        degree = adopted = None
        c = cells[p_adopt]
        if c:
            s = c.strip() if type(c) is str_ else txt(c)
            if s:
                degree, rest, odd = _split_adoption(s)
                try:
                    if rest:
                        adopted = canonical(rest, "采用的国际标准号")
                    elif odd:
                        _degree(odd)
                except _Bad as exc:
                    message = str(exc)
                    if odd and rest:  # 'ISO 712:2009, EQV': the word is the problem, not the number
                        message = f"采标情况“{s}”中的采标程度“{odd}”无法识别，{_DEGREE_HINT}"
                    errs.append((h_adopt, message))
        c = cells[p_deg]
        if c:
            s = _ascii_forms(txt(c))
            if s:
                try:
                    degree = _degree(s)
                except _Bad as exc:
                    errs.append((h_deg, str(exc)))
        c = cells[p_astd]
        if c:
            s = txt(c)
            if s:
                try:
                    adopted = canonical(s, "采用的国际标准号")
                except _Bad as exc:
                    errs.append((h_astd, str(exc)))

        region = None
        c = cells[p_reg]
        s = (c.strip() if type(c) is str_ else txt(c)) if c else ""
        if s:
            try:
                region = _region(s, known_regions)
            except _Bad as exc:
                errs.append((h_reg, str(exc)))
        elif num is not None and num.region_code:
            region = num.region_code
            if known_regions is not None and region not in known_regions:
                errs.append((h_reg or h_num, f"标准号对应的行政区划代码“{region}”不在行政区划表中"))
                region = None

        sectors: list[str] = []
        for p, h in sec_pos:
            c = cells[p]
            if not c:
                continue
            for piece in _SECTOR_SPLIT.split(c if type(c) is str_ else txt(c)):
                piece = piece.strip()
                if not piece:
                    continue
                try:
                    for x in sector(piece):
                        if x not in sectors:
                            sectors.append(x)
                except _Bad as exc:
                    errs.append((h, str(exc)))

        if errs:
            errors.extend([RowError(rownum, h, m) for h, m in errs])
            continue
        rec = {
            "number": number,
            "title_zh": title_zh,
            "title_en": "",
            "status": status,
            "published_on": published,
            "implemented_on": implemented,
            "withdrawn_on": withdrawn,
            "ics_codes": ics,
            "ccs_code": ccs,
            "technical_committee": "",
            "issuing_authority": "",
            "drafting_organisations": orgs,
            "replaces": replaces,
            "adoption_degree": degree,
            "adopted_standard": adopted,
            "region_code": region,
            "sectors": sectors,
            "scope": "",
            "notes": "",
        }
        for key, p in text_pos:
            c = cells[p]
            if c:
                s = c.strip() if type(c) is str_ else txt(c)
                rec[key] = _unquote(s) if s and s[0] == "'" else s
        records.append((rownum, rec))

    if duplicates:
        dup_rows = set()
        for number, where in duplicates.items():
            dup_rows.update(where)
            for r in where:
                others = "、".join(str(x) for x in where if x != r)
                errors.append(RowError(r, h_num, f"与第 {others} 行标准号重复（{number}）"))
        records = [(r, rec) for r, rec in records if r not in dup_rows]
        errors.sort(key=lambda e: e.row)
    return ParsedTable(records=records, errors=errors, encoding=None, total_rows=total, warnings=list(header.warnings))


# ---------------------------------------------------------------------------------------------------------------
# Public API.


def read_table(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    known_ics=None,
    known_ccs=None,
    known_regions=None,
    max_rows: int = MAX_ROWS,
) -> ParsedTable:
    """Check every row of an uploaded CSV or .xlsx list of standards; nothing is written anywhere.

    Raises TabularError (Chinese message) when the file as a whole cannot be read: too large, not CSV/xlsx,
    undecodable, no header, required columns missing, too many rows. Problems in single rows become RowErrors, and
    a row with any error gives no record. `known_*` are containers of valid codes, or None to skip that check."""
    data = bytes(data)
    if len(data) > max_bytes:
        raise TabularError(f"文件超过 {_limit_text(max_bytes)} 上限（实际 {_mb(len(data))} MB）")
    if not data[:65536].strip() and not data.strip():
        raise TabularError("文件为空")
    # Reading builds millions of small lists and dicts and no reference cycles: the cyclic collector would rescan
    # them again and again (measured: it nearly halves the rows/s), so it is paused while the file is read.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_table(data, filename, max_rows, known_ics, known_ccs, known_regions)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read_table(data, filename, max_rows, known_ics, known_ccs, known_regions) -> ParsedTable:
    kind = _sniff_binary(data)
    warnings: list[str] = []
    encoding = None
    if kind == "xlsx":
        sheet, sheet_warnings = _read_xlsx(data, max_rows)
        warnings.extend(sheet_warnings)
        rows, merges = sheet.rows, sheet.merges
    else:
        ext = posixpath.splitext((filename or "").lower())[1]
        rows, encoding, text_warnings = _read_text(data, max_rows)
        warnings.extend(text_warnings)
        if ext in (".xls", ".xlsx", ".xlsm", ".et"):
            warnings.append(f"文件扩展名为 {ext}，但内容是文本表格，已按 CSV 读取")
        merges = []
    header = _build_header(rows, merges)
    table = _check_rows(
        rows[header.row_index + 1:], header, max_rows=max_rows, known_ics=known_ics, known_ccs=known_ccs,
        known_regions=known_regions,
    )
    table.encoding = encoding
    table.warnings = warnings + table.warnings
    return table


@dataclass
class _SheetRows:
    rows: list
    merges: list


def _read_xlsx(data: bytes, max_rows: int) -> tuple[_SheetRows, list[str]]:
    try:
        book = _Xlsx(data)
        sheets = book.sheets()
        if not sheets:
            raise TabularError("Excel 文件中没有可见的工作表")
        first_name = sheets[0][0]
        for name, part in sheets:
            merges: list = []
            it = iter(book.rows(part, max_rows, merges))
            head = []
            for item in it:
                head.append(item)
                if len(head) >= HEADER_SEARCH_ROWS:
                    break
            if _find_header(head) is None and (name, part) != sheets[-1]:
                continue  # try the next visible sheet (a first sheet of instructions, 填表说明)
            rows = head + list(it)
            warnings = []
            if name != first_name:
                warnings.append(f"第一个工作表“{first_name}”中没有找到表头，已读取工作表“{name}”")
            if merges:
                rows = _fill_merges(rows, merges)
            return _SheetRows(rows, merges), warnings
        raise AssertionError("unreachable")
    except TabularError:
        raise
    except Exception as exc:  # noqa: BLE001 - damage anywhere in an archive (bad XML, zlib, unknown compression,
        # encrypted members, missing parts) means the same to the user; the cause stays chained for the log.
        raise TabularError(_XLSX_ERROR) from exc


# --- Writing.


def _export_text(key: str, value: Any) -> Any:
    """A record value as an export cell: Chinese words for coded values, lists joined; dates stay dates."""
    if value is None:
        return None
    if key == "status":
        return STATUS_ZH.get(value, value)
    if key == "level":
        return LEVEL_ZH.get(value, value)
    if key == "nature":
        return NATURE_ZH.get(value, value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [str(v) for v in value if v not in (None, "")]
        if key == "sectors":
            return "、".join(SECTOR_NAME_ZH.get(v, v) for v in items)
        if key == "drafting_organisations":
            return "、".join(items)
        return "; ".join(items)
    return value


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LITERAL_X = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _xml_text(s: str) -> str:
    if _ILLEGAL_XML.search(s):
        s = _ILLEGAL_XML.sub("", s)
    if "_x" in s:
        s = _LITERAL_X.sub(r"_x005F_\1", s)
    if len(s) > 32767:  # Excel's limit for one cell
        s = s[:32767]
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("\r", "&#13;") if "\r" in s else s  # a bare CR would come back as LF


def _column_letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        name = chr(65 + rem) + name
    return name


def _sheet_parts(rows: Iterable[list], widths: list[int], size: list[int]) -> Iterator[str]:
    """One worksheet's XML in pieces; the first row is the header (bold). `size` gets [rows, columns] at the end."""
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN_NS}" '
           f'xmlns:r="{_REL_NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
           'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
           '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if widths:
        yield "<cols>" + "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                                 for i, w in enumerate(widths)) + "</cols>"
    yield "<sheetData>"
    letters: list[str] = []
    n = 0
    for n, row in enumerate(rows, start=1):
        while len(letters) < len(row):
            letters.append(_column_letter(len(letters)))
        cells = []
        for i, v in enumerate(row):
            if v is None or v == "":
                continue
            ref = f"{letters[i]}{n}"
            t = type(v)
            if t is datetime:
                v, t = v.date(), date
            if n == 1:
                cells.append(f'<c r="{ref}" s="2" t="inlineStr"><is><t>{_xml_text(str(v))}</t></is></c>')
            elif t is date:
                cells.append(f'<c r="{ref}" s="1"><v>{v.toordinal() - _EXCEL_EPOCH}</v></c>')
            elif t is bool:
                cells.append(f'<c r="{ref}" t="b"><v>{int(v)}</v></c>')
            elif t is int or t is float:
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                text = str(v)
                space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>')
        yield f'<row r="{n}">{"".join(cells)}</row>'
    size[:] = [n, len(letters)]
    yield "</sheetData>"
    if n:
        yield f'<autoFilter ref="A1:{letters[-1] if letters else "A"}{n}"/>'
    yield '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'


_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def write_workbook(sheets: Iterable[tuple[str, Iterable[list], list[int]]]) -> bytes:
    """An .xlsx of (name, rows, column widths) sheets, each streamed into the zip as its rows come: the first row is
    a bold, frozen, filterable header; dates are Excel dates, numbers numbers, booleans booleans, the rest text
    (inline strings, so a million rows need no shared-string table in memory)."""
    from xml.sax.saxutils import quoteattr

    buf = io.BytesIO()
    names: list[str] = []
    sizes: list[list[int]] = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, rows, widths in sheets:
            names.append(name)
            size: list[int] = [0, 0]
            sizes.append(size)
            with z.open(f"xl/worksheets/sheet{len(names)}.xml", "w", force_zip64=True) as out:
                chunk: list[str] = []
                for part in _sheet_parts(rows, widths, size):
                    chunk.append(part)
                    if len(chunk) >= 2000:
                        out.write("".join(chunk).encode())
                        chunk = []
                out.write("".join(chunk).encode())
        n = len(names)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(n)
        )
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f'{overrides}<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
        ))
        z.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL_NS}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ))
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{name}'!$A$1:${_column_letter(max(cols, 1) - 1)}${rows}</definedName>"
            for i, (name, (rows, cols)) in enumerate(zip(names, sizes)) if rows
        )
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN_NS}" '
            f'xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews><sheets>'
            + "".join(f'<sheet name={quoteattr(name)} sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                      for i, name in enumerate(names))
            + "</sheets>" + (f"<definedNames>{filters}</definedNames>" if filters else "") + "</workbook>"
        ))
        z.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL_NS}">'
            + "".join('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (i + 1, i + 1) for i in range(n))
            + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/></Relationships>'
        ))
        z.writestr("xl/styles.xml", _STYLES)
    return buf.getvalue()


_EXPORT_WIDTHS = {"number": 22, "title_zh": 40, "title_en": 40, "scope": 60, "notes": 30, "drafting_organisations": 40,
                  "issuing_authority": 30, "technical_committee": 30, "replaces": 24, "adopted_standard": 20}


def write_xlsx(records: Iterable[dict], columns=EXPORT_COLUMNS) -> bytes:
    """An .xlsx workbook with one sheet (标准清单): a bold, frozen, filterable header row, one row per record; dates
    are real Excel dates, codes are text."""
    columns = list(columns)

    def rows() -> Iterator[list]:
        yield [h for _, h in columns]
        for record in records:
            row = []
            for key, _ in columns:
                v = _export_text(key, record.get(key))
                # Codes and numbers alike stay text, as they were typed; only dates and booleans keep a type.
                row.append(v if v is None or isinstance(v, (date, bool)) else str(v))
            yield row

    return write_workbook([("标准清单", rows(), [_EXPORT_WIDTHS.get(key, 14) for key, _ in columns])])


_FORMULA_START = frozenset("=+-@\t\r")


def write_csv(records: Iterable[dict], columns=EXPORT_COLUMNS) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel shows Chinese correctly), comma-separated, CRLF line ends. A value that
    Excel would run as a formula (=, +, -, @) gets a leading apostrophe; read_table takes it off again."""
    columns = list(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h for _, h in columns])
    for record in records:
        row = []
        for key, _ in columns:
            v = _export_text(key, record.get(key))
            if v is None:
                row.append("")
                continue
            t = type(v)
            if t is datetime:
                v = v.date().isoformat()
            elif t is date:
                v = v.isoformat()
            else:
                v = str(v)
                if v and v[0] in _FORMULA_START:
                    v = "'" + v
            row.append(v)
        writer.writerow(row)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
