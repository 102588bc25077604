"""Standard numbers (标准号): parse every printed form into one canonical number. Pure Python, no Django."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from yuebiao.messages import Message

# Sector (industry) prefixes (行业标准代号) of the national catalogue: relaton-gb's prefixes.yaml plus the ones it
# lacks (NB energy, XF fire, RB certification, JJF/JJG metrology, CJJ/JGJ construction). A closed list: an unknown
# prefix is an error, so a typo is reported instead of filed as a new industry.
INDUSTRY_PREFIXES = frozenset(
    "NY SC SL QB FZ YY MZ JY YC YB YS SY HG SH JC DZ TD CH JB QC MH WJ CB HB QJ EJ TB JT LD SJ YD GY DY DL JR HY DA "
    "SN WH TY SB WB HJ XB CJ JG CY MT WS GA BB LB QX WM HS YZ GM AQ GH LS TJ ZY CJJ JGJ GJB GSB RB SF JJF JJG NB XF "
    "YBB GC SZ JGT".split()
)
NATIONAL_PREFIXES = ("GB", "GB/T", "GB/Z", "GBZ", "GBZ/T", "GBJ", "GBN")
INTERNATIONAL_PREFIXES = ("ISO/IEC/IEEE", "ISO/IEC", "ISO/TR", "ISO/TS", "ISO/PAS", "IEC/TR", "IEC/TS", "ISO", "IEC")
FOREIGN_PREFIXES = ("ITU-T", "ITU-R", "ASTM", "ANSI", "IEEE", "EN", "BS", "DIN", "JIS", "NF", "UL")

_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63\u2e3a"
_DASH_CLASS = "[" + re.escape(_DASH) + "]"
_ALL_PARTS = re.compile(r"[（(]\s*(?:所有部分|all\s+parts)\s*[)）]", re.IGNORECASE)
_EDITION = re.compile(r"[（(]\s*(\d{4}\s*年版)\s*[)）]")
_CN_PREFIX = r"(?P<prefix>GB[ZJN]?(?:/[TZ])?|DB\d{2}(?:\d{2})?(?:/[TZ])?|[TQ]/[A-Z]+|(?!DB)[A-Z]{1,4}(?:/[TZ])?)"
_SEQ = r"(?P<seq>\d+(?:\.\d+)*)"
_CN_NUMBER = re.compile(
    rf"^{_CN_PREFIX}(?P<slash>/)?\s*{_SEQ}(?:\s*{_DASH_CLASS}\s*(?P<year>\d+))?$"
)
_INTL_NUMBER = re.compile(
    r"^(?P<prefix>" + "|".join(re.escape(p) for p in INTERNATIONAL_PREFIXES + FOREIGN_PREFIXES) + r")"
    r"\s*(?P<seq>[A-Z]?\.?\d+(?:[.\-]\d+)*)(?:\s*:\s*(?P<year>\d{4}|" + _DASH_CLASS + r"))?$"
)
_OLD_DB = re.compile(rf"^DB(?P<prov>\d{{2}})(?P<seq>\d{{1,4}}){_DASH_CLASS}(?P<year>\d{{2}}|\d{{4}})$")


def prefix_region(prefix: str) -> str | None:
    """The GB/T 2260 code of the region that issues a local standard, from its prefix: DB44/T → 440000, DB4403/T →
    440300; None for every other prefix."""
    m = re.match(r"DB(\d{2})(\d{2})?", prefix or "")
    if not m:
        return None
    return f"{m.group(1)}{m.group(2) or '00'}00"


class StandardNumberError(ValueError):
    """An input that is not a standard number; str() names the problem in Chinese."""

    def __init__(self, text: str, reason_zh: str, reason: str):
        self.message = Message("无法识别标准号“{text}”：{reason}", text=text,
                               reason=reason_zh if isinstance(reason_zh, Message) else Message(reason_zh))
        super().__init__(self.message)
        self.text = text
        self.reason = reason


@dataclass(frozen=True)
class StandardNumber:
    prefix: str
    sequence: str
    part: str | None = None
    year: str | None = None
    all_parts: bool = False
    unpublished: bool = False
    edition: str | None = None

    @property
    def level(self) -> str:
        p = self.prefix
        if p in NATIONAL_PREFIXES:
            return "national"
        if p.startswith("DB"):
            return "local"
        if p.startswith("T/"):
            return "group"
        if p.startswith("Q/"):
            return "enterprise"
        if p in INTERNATIONAL_PREFIXES:
            return "international"
        if p in FOREIGN_PREFIXES:
            return "foreign"
        return "industry"

    @property
    def nature(self) -> str | None:
        if self.level not in ("national", "industry", "local"):
            return None
        if self.prefix.endswith("/T"):
            return "recommended"
        if self.prefix.endswith("/Z"):
            return "guidance"
        return "mandatory"

    @property
    def _colon(self) -> bool:
        return self.level in ("international", "foreign")

    @property
    def undated(self) -> str:
        # A mandatory local standard is printed DB44/ 2367: the slash stays where /T would be.
        prefix = f"{self.prefix}/" if self.level == "local" and self.nature == "mandatory" else self.prefix
        return f"{prefix} {self.sequence}"

    @property
    def canonical(self) -> str:
        if self.all_parts:
            return f"{self.undated} (all parts)" if self._colon else f"{self.undated}（所有部分）"
        if self._colon:
            if self.unpublished:
                return f"{self.undated}:—"
            return f"{self.undated}:{self.year}" if self.year else self.undated
        return f"{self.undated}—{self.year}" if self.year else self.undated

    @property
    def region_code(self) -> str | None:
        return prefix_region(self.prefix)

    def to_dict(self) -> dict:
        return {
            "canonical": self.canonical,
            "prefix": self.prefix,
            "level": self.level,
            "nature": self.nature,
            "sequence": self.sequence,
            "part": self.part,
            "year": self.year,
            "all_parts": self.all_parts,
            "unpublished": self.unpublished,
            "edition": self.edition,
            "undated": self.undated,
        }


def _collapse_spaced(text: str) -> str:
    """`G B / T 1 . 1 — 2 0 2 0` → `GB/T1.1—2020`: a run of single characters separated by spaces is one word."""
    tokens = text.split()
    if len(tokens) >= 4 and sum(len(t) == 1 for t in tokens) >= 0.7 * len(tokens):
        return "".join(tokens)
    return text


def normalise(text: str) -> str:
    """Width, case, brackets and dashes folded; spaces kept only where they separate words."""
    t = unicodedata.normalize("NFKC", text).strip().strip("《》<>「」“”\"'")
    t = t.replace("／", "/")
    t = re.sub(r"\s+", " ", t)
    t = _collapse_spaced(t)
    t = t.upper().replace("ALL PARTS", "all parts")
    # 一 (yi) is printed as a dash between sequence and year in some scans.
    t = re.sub(r"(?<=\d)\s*一\s*(?=\d{2,4}\b)", "—", t)
    t = re.sub(r"\s*/\s*", "/", t)
    return t


def _year(raw: str | None, text: str) -> str | None:
    if raw is None:
        return None
    if len(raw) == 2:
        # 两位年代号: 1950–1999 for 50–99, 2000–2049 for 00–49 (two-digit years ended in the late 1990s).
        return ("19" if int(raw) >= 50 else "20") + raw
    if len(raw) != 4 or not 1900 <= int(raw) <= 2099:
        raise StandardNumberError(text, Message("年代号“{year}”不是有效的年份", year=raw), "invalid year")
    return raw


def _part(sequence: str, separator: str) -> str | None:
    head, sep, rest = sequence.partition(separator)
    return rest if sep and rest else None


def parse_number(text: str) -> StandardNumber:
    """Parse a printed standard number; raises StandardNumberError naming the problem."""
    if text is None or not str(text).strip():
        raise StandardNumberError(str(text or ""), "标准号为空", "empty")
    raw = str(text)
    t = normalise(raw)
    all_parts = bool(_ALL_PARTS.search(t))
    t = _ALL_PARTS.sub("", t).strip()
    edition = None
    m = _EDITION.search(t)
    if m:
        edition = m.group(1).replace(" ", "")
        t = (t[: m.start()] + t[m.end():]).strip()
    m = _INTL_NUMBER.match(t)
    if m:
        year_raw = m.group("year")
        unpublished = bool(year_raw) and not year_raw.isdigit()
        sequence = m.group("seq")
        prefix = m.group("prefix")
        year = None if unpublished else _year(year_raw, raw)
        if year is None and not unpublished and prefix != "ASTM":
            # ISO 9001-2015 typed for ISO 9001:2015: a last dash group that is a year is the year, not a part.
            mm = re.match(r"^(\d+(?:-\d{1,3})*)-((?:19[5-9]|20\d)\d)$", sequence)
            if mm:
                sequence, year = mm.group(1), mm.group(2)
        if prefix == "ASTM" and year is None:
            # ASTM D638-14: the two digits after the dash are the year.
            mm = re.match(r"^([A-Z]\d+)-(\d{2})$", sequence)
            if mm:
                sequence, year = mm.group(1), _year(mm.group(2), raw)
        return StandardNumber(prefix, sequence, _part(sequence, "-"), year, all_parts, unpublished, edition)
    compact = t.replace(" ", "")
    m = _OLD_DB.match(compact)
    if m and "/" not in t:
        # DB 4426-1989: before the slash form, the province code ran straight into the sequence number.
        return StandardNumber(f"DB{m.group('prov')}", m.group("seq"), None, _year(m.group("year"), raw),
                              all_parts, False, edition)
    # Group and enterprise codes may contain digits (Q/12GD 3001): the printed space then ends the code.
    m = re.match(r"^([TQ]/[A-Z0-9]+) (\d+(?:\.\d+)*)\s*(?:" + _DASH_CLASS + r"\s*(\d+))?$", t)
    if m:
        seq = m.group(2)
        return StandardNumber(m.group(1), seq, _part(seq, "."), _year(m.group(3), raw), all_parts, False, edition)
    m = _CN_NUMBER.match(compact)
    if not m:
        if re.match(r"^" + _CN_PREFIX + r"/?$", compact) or re.match(r"^(ISO|IEC)", compact):
            raise StandardNumberError(raw, "缺少顺序号", "missing sequence number")
        if not re.search(r"\d", compact):
            raise StandardNumberError(raw, "没有数字，不像标准号", "no digits")
        if not re.match(r"^[A-Z]", compact):
            raise StandardNumberError(raw, "标准号应以标准代号（如 GB、DB44、T/）开头", "no prefix")
        raise StandardNumberError(raw, "格式不符合“代号 顺序号—年代号”", "unrecognised form")
    prefix = m.group("prefix")
    if prefix.startswith(("ISO", "IEC")):
        raise StandardNumberError(raw, "国际标准的年代号应以冒号分隔（如 ISO 712:2009）", "iso without colon")
    if m.group("slash") and not re.match(r"^DB\d+$", prefix):
        raise StandardNumberError(raw, Message("代号“{prefix}/”后缺少 T 或 Z", prefix=prefix), "dangling slash")
    family = prefix.split("/")[0]
    if not (family.startswith(("GB", "DB")) or prefix.startswith(("T/", "Q/")) or family in INDUSTRY_PREFIXES):
        raise StandardNumberError(raw, Message("未知的标准代号“{prefix}”", prefix=prefix), "unknown prefix")
    seq = m.group("seq")
    return StandardNumber(prefix, seq, _part(seq, "."), _year(m.group("year"), raw), all_parts, False, edition)


def try_parse_number(text: str) -> StandardNumber | None:
    try:
        return parse_number(text)
    except StandardNumberError:
        return None


_KNOWN_PREFIX = (
    r"(?:GB[ZJ]?(?:\s*/\s*[TZ])?|DB\s*\d{2}(?:\d{2})?(?:\s*/\s*[TZ])?|[TQ]\s*/\s*[A-Z]{2,10}|"
    r"ISO(?:\s*/\s*IEC)?|IEC|(?:" + "|".join(sorted(INDUSTRY_PREFIXES, key=len, reverse=True)) + r")(?:\s*/\s*[TZ])?)"
)
_FIND = re.compile(
    r"(?<![A-Za-z0-9/])" + _KNOWN_PREFIX + r"\s*/?\s*\d+(?:\.\d+)*"
    r"(?:\s*(?:[:" + re.escape(_DASH) + r"]|一)\s*(?:\d{4}|\d{2}(?!\d)|—))?(?:\s*[（(]\s*(?:所有部分|\d{4}年版)\s*[)）])?",
)


def find_numbers(text: str) -> list[tuple[StandardNumber, int, int]]:
    """Every standard number inside free text, with its span; only known prefixes, so ordinary digits are never
    taken for a number."""
    folded = unicodedata.normalize("NFKC", text or "")
    if len(folded) != len(text or ""):
        folded = "".join(unicodedata.normalize("NFKC", ch)[:1] or ch for ch in text)
    found = []
    for m in _FIND.finditer(folded.upper()):
        number = try_parse_number(m.group(0))
        if number is not None:
            found.append((number, m.start(), m.end()))
    return found


_PARTIAL = re.compile(
    r"^(?P<prefix>" + _KNOWN_PREFIX + r")?\s*/?\s*(?P<seq>\d+(?:\.\d+)*)?\s*(?:[" + re.escape(_DASH) + r":]\s*(?P<year>\d{4}))?$"
)


# Sequence numbers are stored as 64-bit integers from their first 18 digits; a longer run of digits is no standard's
# number (and would overflow the query), so it is searched as text.
MAX_SEQUENCE_DIGITS = 18


def _storable(sequence: str | None) -> bool:
    lead = re.match(r"\d+", sequence or "")
    return lead is None or len(lead.group(0)) <= MAX_SEQUENCE_DIGITS


def parse_partial(text: str) -> tuple[str | None, str | None, str | None]:
    """What a user typed into a search box, read as a (possibly partial) number: (prefix, sequence start, year);
    (None, None, None) when it is not number-like (words such as 陶瓷)."""
    t = normalise(text or "")
    if not t:
        return (None, None, None)
    full = try_parse_number(t)
    if full is not None:
        return (full.prefix, full.sequence, full.year) if _storable(full.sequence) else (None, None, None)
    m = _PARTIAL.match(t)
    if not m or not (m.group("prefix") or m.group("seq")) or not _storable(m.group("seq")):
        return (None, None, None)
    prefix = m.group("prefix")
    if prefix:
        prefix = re.sub(r"\s+", "", prefix)
    return (prefix, m.group("seq"), m.group("year"))


# --- Finding what people type: a number read loosely, and how near two numbers are -------------------------------

_LOOSE_FAMILIES = sorted(
    {"GB", "GBZ", "GBJ", "GBN", *INDUSTRY_PREFIXES, *INTERNATIONAL_PREFIXES, *FOREIGN_PREFIXES}, key=len, reverse=True
)
_LOOSE_NUMBER = re.compile(
    r"^(?:(?P<family>DB\s*\d{2}(?:\d{2})?|[TQ]\s*/\s*[A-Z][A-Z0-9]*|"
    + "|".join(re.escape(f) for f in _LOOSE_FAMILIES)
    + r")\s*(?:(?P<slash>/)\s*(?P<nature>[TZ](?![A-Z]))?|(?P<bare>[TZ])(?=[\s\d-]))?)?"
    r"\s*-?\s*(?P<seq>\d+(?:\.\d+)*)(?:(?:\s*-\s*|\s+)(?P<year>(?:19|20)\d{2}|\d{2}))?$"
)


@dataclass(frozen=True)
class TypedNumber:
    """A standard number as somebody typed it, read loosely: `family` is the prefix without /T or /Z (DB44, GB, HJ,
    T/GZAEPI; None when no prefix was typed), `nature` T or Z, "" for a bare slash (DB44/ 2159: mandatory), None when
    nothing was typed after the family."""

    family: str | None
    nature: str | None
    sequence: str
    year: str | None

    @property
    def lead(self) -> int:
        """The first whole number of the sequence: what the catalogue indexes (`sequence_num`)."""
        return int(re.match(r"\d+", self.sequence).group(0))  # type: ignore[union-attr]


def split_prefix(prefix: str) -> tuple[str, str]:
    """A stored prefix as (family, nature): DB44/T → (DB44, T), GB → (GB, ""), T/GZAEPI → (T/GZAEPI, "")."""
    p = (prefix or "").upper()
    if p.endswith(("/T", "/Z")) and not re.match(r"^[TQ]/[A-Z0-9]+$", p):
        return p[:-2], p[-1]
    return p, ""


def read_typed_number(text: str) -> TypedNumber | None:
    """What a user typed, read as a standard number whatever its spacing, width, case, dash or slash: `DB44/T 2159`,
    `ｄｂ４４／ｔ２１５９`, `DB44T 2159`, `DB 44/2159 2019`, `2159-2019`. None for words."""
    t = normalise(text or "")
    t = re.sub(_DASH_CLASS + "|:", "-", t).strip()
    if not t or not re.search(r"\d", t):
        return None
    if len(re.match(r"^\D*(\d*)", t).group(1)) > MAX_SEQUENCE_DIGITS:  # type: ignore[union-attr]
        return None
    m = _LOOSE_NUMBER.match(t)
    if not m:
        return None
    family = re.sub(r"\s+", "", m.group("family")) if m.group("family") else None
    nature = m.group("nature") or m.group("bare")
    if nature is None and m.group("slash"):
        nature = ""  # a slash with no letter after it: DB44/ 2159, a mandatory local standard
    seq = m.group("seq")
    if len(re.match(r"\d+", seq).group(0)) > MAX_SEQUENCE_DIGITS:  # type: ignore[union-attr]
        return None
    year = m.group("year")
    if year and len(year) == 2:
        year = ("19" if int(year) >= 50 else "20") + year
    return TypedNumber(family, nature, seq, year)


# How far one difference takes a number from what was typed; a different family (GB for HJ) is not near at all.
NEARNESS_COST = {"nature": 1, "year": 1, "part": 2, "prefix": 2, "region": 3}


def number_differences(typed: TypedNumber, prefix: str, sequence: str, year: int | str | None) -> tuple[str, ...] | None:
    """How a catalogue number (its prefix, sequence and year) differs from what was typed: a tuple of `nature` (/T or
    /Z added or missing), `year`, `part` (1.1 for 1), `prefix` (none typed), `region` (DB4403 for DB44); () for the
    same number; None when it is not near (another family or another sequence number)."""
    family, nature = split_prefix(prefix)
    diffs: list[str] = []
    if typed.family is None:
        diffs.append("prefix")
    elif typed.family != family:
        if not (typed.family.startswith("DB") and family.startswith("DB") and typed.family[:4] == family[:4]):
            return None
        diffs.append("region")
    if typed.family is not None and typed.nature is not None and typed.nature != nature:
        diffs.append("nature")
    if sequence != typed.sequence:
        lead = re.match(r"\d+", sequence or "")
        if lead is None or int(lead.group(0)) != typed.lead:
            return None
        diffs.append("part")
    if typed.year is not None and str(year or "") != typed.year:
        diffs.append("year")
    return tuple(diffs)


def nearness(diffs: tuple[str, ...]) -> int:
    """The distance of a set of differences: 0 for the same number; lower is nearer."""
    return sum(NEARNESS_COST[d] for d in diffs)
