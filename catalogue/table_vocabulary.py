"""The words of a list of standards (标准清单) as users write it: record keys, header aliases, the words for status,
level, nature and adoption degree, the limits, and the text helpers the reader, the import checks and the writer
share.

Pure Python: no Django.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from catalogue.sectors import SECTORS

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
# Vocabulary: record keys, header aliases, words for statuses and adoption degrees.

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
# ---------------------------------------------------------------------------------------------------------------
# Text helpers.

# Full-width ASCII forms (０-９, Ａ-Ｚ, ／, －, ．…) and the ideographic space to their ASCII forms; used on codes,
# numbers and dates only, never on titles, where full-width punctuation is correct Chinese.
FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
FULLWIDTH[0x3000] = 0x20


def ascii_forms(text: str) -> str:
    return text if text.isascii() else text.translate(FULLWIDTH)


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
NUMBER_ALIASES = frozenset(a for a, (k, _) in _ALIAS_INDEX.items() if k == "number")


def header_candidates(text: str) -> list[str]:
    """The ways a header may name a field: whole (brackets dropped), without the bracketed part, the bracketed part."""
    norm = _norm_header(text)
    out = [_BRACKET_CHARS.sub("", norm)]
    if _BRACKET_CHARS.search(norm):
        out.append(_BRACKETS.sub("", norm))
        out.extend(m.group(0)[1:-1] for m in _BRACKETS.finditer(norm))
    return out


def header_field(text: str) -> tuple[str, int] | None:
    """The record field a header names and the alias's rank (lower is better), or None."""
    for cand in header_candidates(text):
        hit = _ALIAS_INDEX.get(cand)
        if hit:
            return hit
    return None


def is_ignored_header(text: str) -> bool:
    return any(c in _IGNORED for c in header_candidates(text))


def cell_text(v: Any) -> str:
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

def too_many_rows(max_rows: int) -> str:
    return f"文件超过 {max_rows:,} 行的上限，请拆分后分批导入"
