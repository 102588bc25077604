"""Limit values (限值) of two standards matched and judged from A's point of view (pure: no Django).

Limits are matched by normalised parameter name (aliases such as 化学需氧量/COD), compatible conditions (process
or column, grade, special limit, time basis, period or construction date, bracketed alternative) and unit; units
are converted where that is plain arithmetic. Each pair gets a verdict: stricter | looser | equal | only_a |
only_b | not_comparable (always with a reason). A verdict that holds only under an assumption the tool cannot
check (same-named grades of two standards taken to correspond, a bracket whose condition one side does not name,
a looser limit where the titles do not show B applying to A's row) keeps its verdict but carries a ``caveat``,
which is also written into the reason: never a verdict presented as certain when it is not. The rules are in
docs/compare-accuracy.md ("Comparator rules").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Iterable

from yuebiao.messages import Message as M
from yuebiao.messages import joined, stored_fields

VERDICTS = ("stricter", "looser", "equal", "only_a", "only_b", "not_comparable", "expired")

# canonical name ← spellings (after _fold); a closed list so that a guess never merges two different pollutants
_ALIASES = {
    "化学需氧量": ["cod", "codcr", "化学需氧量codcr", "化学需氧量cod"],
    "五日生化需氧量": ["bod5", "bod", "生化需氧量", "五日生化需氧量bod5"],
    "氨氮": ["nh3-n", "氨氮nh3-n", "氨氮以n计"],
    "总氮": ["tn", "总氮以n计"],
    "总磷": ["tp", "总磷以p计"],
    "悬浮物": ["ss"],
    "二氧化硫": ["so2"],
    "氮氧化物": ["nox", "氮氧化物以no2计"],
    "总悬浮颗粒物": ["tsp"],
    "挥发性有机物": ["vocs", "voc", "挥发性有机物vocs"],
    "非甲烷总烃": ["nmhc"],
    "氯化氢": ["hcl"],
    "硫化氢": ["h2s"],
    "一氧化碳": ["co"],
    "ph值": ["ph"],
    "氟化物": ["氟化物以总f计", "氟化物以f计"],
}
_ALIAS = {spelling: canon for canon, spellings in _ALIASES.items() for spelling in spellings + [canon]}

# unit → (quantity, factor to the quantity's base unit, offset); liquid and gas concentrations are kept apart on
# purpose: mg/L against mg/m³ is dimensionally convertible but never a meaningful comparison of two limits
_UNITS: dict[str, tuple[str, float, float]] = {
    "g/L": ("conc_liquid", 1000.0, 0.0), "mg/L": ("conc_liquid", 1.0, 0.0), "µg/L": ("conc_liquid", 1e-3, 0.0),
    "ng/L": ("conc_liquid", 1e-6, 0.0),
    "g/m³": ("conc_gas", 1000.0, 0.0), "mg/m³": ("conc_gas", 1.0, 0.0), "µg/m³": ("conc_gas", 1e-3, 0.0),
    "ng/m³": ("conc_gas", 1e-6, 0.0),
    "%": ("fraction", 1.0, 0.0), "‰": ("fraction", 0.1, 0.0),
    "t/h": ("rate", 1000.0, 0.0), "kg/h": ("rate", 1.0, 0.0), "g/h": ("rate", 1e-3, 0.0),
    "g/kg": ("mass_fraction", 1000.0, 0.0), "mg/kg": ("mass_fraction", 1.0, 0.0),
    "µg/kg": ("mass_fraction", 1e-3, 0.0),
    "℃": ("temperature", 1.0, 273.15), "K": ("temperature", 1.0, 0.0),
}
_SYMBOL = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "=": "="}
_KIND = {"<=": "upper", "<": "upper", ">=": "lower", ">": "lower", "range": "range", "=": "exact",
         "not_detected": "not_detected"}
_KIND_ZH = {"upper": "上限", "lower": "下限", "range": "范围", "exact": "定值", "not_detected": "不得检出"}
_PERIOD_ALL = {"现有和新建企业", "新建和现有企业", "所有企业", "企业", "排污单位"}
_EVERYONE = {"一切排污单位", "所有排污单位", "全部排污单位"}  # a row label that restricts nothing


def fold(text: str | None) -> str:
    """Full-width → half-width, no spaces, lower-case ASCII: the form names are compared in."""
    t = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", t).lower()


def parameter_key(name: str) -> tuple[str, str]:
    """(canonical parameter, qualifier) — ``氮氧化物（以NO2计）`` → ('氮氧化物', '以no2计'); aliases resolved."""
    folded = fold(name)
    if folded in _ALIAS:
        return _ALIAS[folded], ""
    bare = re.sub(r"[(\[{【][^)\]}】]*[)\]}】]", "", folded)
    qualifier = "".join(re.findall(r"[(\[{【]([^)\]}】]*)[)\]}】]", folded))
    no_brackets = re.sub(r"[()\[\]{}【】]", "", folded)
    if no_brackets in _ALIAS:
        return _ALIAS[no_brackets], ""
    base = _ALIAS.get(bare, bare) or folded
    if qualifier in _ALIAS and _ALIAS[qualifier] == base:
        qualifier = ""  # 化学需氧量（COD）: the bracket only repeats the name
    return base, qualifier


def normalize_unit(unit: str | None) -> str | None:
    if not unit:
        return None
    u = unit.strip()
    if len(u) > 2 and u[0] in "（(" and u[-1] in "）)":
        u = u[1:-1].strip()
    u = re.sub(r"\s+", "", u).replace("μ", "µ").replace("％", "%").replace("°C", "℃")
    u = re.sub(r"^ug/", "µg/", u, flags=re.I)
    u = re.sub(r"(?i)/n?m3$|/nm³$", "/m³", u)
    u = {"mg/l": "mg/L", "µg/l": "µg/L", "g/l": "g/L", "ng/l": "ng/L", "毫克/升": "mg/L", "微克/升": "µg/L"}.get(u, u)
    return u or None


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None when the two are not convertible."""
    fu, tu = normalize_unit(from_unit), normalize_unit(to_unit)
    if fu == tu:
        return value
    if fu not in _UNITS or tu not in _UNITS or _UNITS[fu][0] != _UNITS[tu][0]:
        return None
    _, f1, o1 = _UNITS[fu]
    _, f2, o2 = _UNITS[tu]
    return (value * f1 + o1 - o2) / f2


@dataclass
class LimitPair:
    parameter: str
    a: str | None
    b: str | None
    unit: str | None
    verdict: str
    reason: str | None = None
    condition_a: str | None = None
    condition_b: str | None = None
    # what the verdict rests on that the tool could not check (also written into reason); None when nothing
    caveat: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The pair as stored: the Chinese texts, plus the message ids and parameters of its sentences."""
        out = asdict(self)
        for key in ("reason", "condition_a", "condition_b", "caveat"):
            out.update(stored_fields(key, getattr(self, key)))
        return out


def _get(limit: Any, name: str, default: Any = None) -> Any:
    if isinstance(limit, dict):
        return limit.get(name, default)
    return getattr(limit, name, default)


def display(limit: Any) -> str:
    comp, value = _get(limit, "comparator"), _get(limit, "value")
    if comp == "range" and isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{_fmt(value[0])}~{_fmt(value[1])}"
    if comp == "not_detected":
        return "不得检出"
    return f"{_SYMBOL.get(comp, comp or '')}{_fmt(value)}"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


# --- condition labels: grade, period / construction date, or a qualifier of what the row is about -------------

_NUMERAL = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
            "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
# 一级标准, 一级A, 一级A标准, Ⅱ类 (NFKC: ii类), 二类区, Ⅲ类水域, 第二级 … (pieces are folded: no spaces, lower case)
_GRADE_RE = re.compile(r"第?(?P<n>[一二三四五六七八九十]|viii|vii|vi|iv|ix|iii|ii|i|v|x|\d{1,2})(?P<kind>级|类|档)"
                       r"(?P<sub>[a-d])?(?:标准值?|排放限值|限值|区|地区|功能区|保护区|水域|海域)?(?P<sub2>[a-d])?(?:标准|级)?")
# A 标准 / B 标准, A级 … : a sub-grade named on its own (a bare letter is too ambiguous to count)
_SUBGRADE_RE = re.compile(r"(?P<sub>[a-d])(?:级标准|级|类|标准值?|限值)")
_PERIOD_NAME_RE = re.compile(r"(?:现有|新建|在建|改扩建|新改扩建|新、改、扩建)(?:企业|设施|项目|源|装置|生产线|排污单位|"
                             r"污水处理厂|锅炉|窑炉)?|第?[一二三四五ivx\d]+时段|时段[一二三四五ivx\d]+")
_DATE_RE = re.compile(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?|(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
_CONSTRUCTION_RE = re.compile(r"建设|建成|投产|投运|新建|改建|扩建|批复|审批|环评|环境影响|设立|竣工")


def _grade(piece: str) -> tuple[str, ...] | None:
    """The grade a (folded) label names, as comparable tokens: 一级标准 → ('1级',), 一级a → ('1级', 'a')."""
    m = _GRADE_RE.fullmatch(piece)
    if m:
        n = m.group("n")
        number = int(n) if n.isdigit() else _NUMERAL[n]
        kind = "级" if m.group("kind") in ("级", "档") else "类"
        sub = m.group("sub") or m.group("sub2")
        return (f"{number}{kind}",) + ((sub,) if sub else ())
    m = _SUBGRADE_RE.fullmatch(piece)
    if m:
        return (m.group("sub"),)
    return None


def _day(m: re.Match, end: bool) -> int | None:
    year = int(m.group(1) or m.group(4))
    month, day = m.group(2) or m.group(5), m.group(3) or m.group(6)
    try:
        if month is None:
            return date(year, 12, 31).toordinal() if end else date(year, 1, 1).toordinal()
        month = int(month)
        if day is None:
            if not end:
                return date(year, month, 1).toordinal()
            nxt = date(year + month // 12, month % 12 + 1, 1)
            return nxt.toordinal() - 1
        return date(year, month, int(day)).toordinal()
    except ValueError:
        return None


def _date_period(piece: str) -> tuple[str, int | None, int | None] | None:
    """A date label as (kind, first day, last day), open ends None: 2006年1月1日起建设的 → ('construction', …, None).

    ``kind`` keeps a construction (or approval) date apart from a date from which a limit applies: two labels of
    different kinds do not constrain each other.
    """
    dates = list(_DATE_RE.finditer(piece))
    if not dates:
        return None
    kind = "construction" if _CONSTRUCTION_RE.search(piece) else "application"
    if len(dates) >= 2 and re.match(r"(至|到|~|—|-)", piece[dates[0].end():]):
        lo, hi = _day(dates[0], False), _day(dates[1], True)
        return (kind, lo, hi) if lo is not None and hi is not None else None
    m = dates[0]
    rest = piece[m.end():]
    if re.match(r"(以前|之前|前|止)", rest):
        hi = _day(m, True)
        return (kind, None, hi) if hi is not None else None
    if re.match(r"(起|以后|之后|后|开始)", rest):
        lo = _day(m, False)
        return (kind, lo, None) if lo is not None else None
    return None


def _overlap(x: tuple[str, int | None, int | None], y: tuple[str, int | None, int | None]) -> bool:
    lo = max((v for v in (x[1], y[1]) if v is not None), default=None)
    hi = min((v for v in (x[2], y[2]) if v is not None), default=None)
    # strict: "2006年1月1日前" and "2006年1月1日起" meet on a day but are meant as two disjoint groups
    return lo is None or hi is None or lo < hi


def _pieces(limit: Any) -> list[tuple[str, str]]:
    """(shown, folded) for each piece of the column path and the row label, without repeats."""
    cond = _get(limit, "condition") or {}
    out: list[tuple[str, str]] = []
    for key in ("column", "source"):
        for piece in str(cond.get(key) or "").split(" / "):
            p = fold(piece)
            if p and p not in [f for _, f in out]:
                out.append((piece.strip(), p))
    return out


# --- bracketed alternative values: 8（15）, the bracket meaning what the table note says --------------------------

_INSIDE_RE = re.compile(r"括号内的?(?:数值|数据|值|限值)?(?:为|是|指|表示|适用于)(.{1,30}?)时?的?"
                        r"(?:控制指标|控制值|控制要求|排放限值|限值|标准值|指标|要求)")
_OUTSIDE_RE = re.compile(_INSIDE_RE.pattern.replace("括号内", "括号外"))


def _when(text: str) -> str:
    """A bracket's condition in the form two notes are compared in: 水温≤12 C (a PDF's text layer) = 水温≤12℃."""
    t = fold(text).replace("<=", "≤").replace(">=", "≥")
    return re.sub(r"(\d)(?:°c|℃|c)", r"\1℃", t)


def _bracket_notes(notes: Iterable[Any]) -> tuple[str | None, str | None]:
    """(what a bracketed value applies to, what the value outside applies to) as a table note says, or None."""
    inside = outside = None
    for note in notes:
        text = re.sub(r"\s+", "", str(note or ""))
        m = _INSIDE_RE.search(text)
        inside = inside or (m.group(1) if m else None)
        m = _OUTSIDE_RE.search(text)
        outside = outside or (m.group(1) if m else None)
    return inside, outside


@dataclass
class _Row:
    """One limit value to match: a parsed limit, or one of the two values of ``8（15）``."""

    parameter: Any
    comparator: Any
    value: Any
    unit: Any
    condition: dict
    key: str = ""
    qualifier: str = ""
    other: tuple[str, ...] = ()  # process, column or scope qualifiers, folded
    other_text: tuple[str, ...] = ()  # the same as printed
    grades: tuple[str, ...] = ()
    grade_text: str = ""
    periods: frozenset = frozenset()
    dates: tuple = ()
    role: str | None = None  # None (one value), "main" (outside the bracket) or "alt" (inside)
    when: str | None = None  # what this standard's note says the bracket means
    note_when: str | None = None  # what the bracket means in this row's table, whether or not the row has one
    base_label: str = ""
    label: str = ""
    ends: int | None = None  # the last day the limit applies (date ordinal): a transitional limit; None: no end


def _rows(limits: Iterable[Any]) -> list[_Row]:
    limits = list(limits)
    by_table: dict[Any, list[Any]] = defaultdict(list)
    for lim in limits:
        cond = _get(lim, "condition") or {}
        by_table[cond.get("table")].extend(cond.get("footnotes") or [])
    rows: list[_Row] = []
    for lim in limits:
        cond = dict(_get(lim, "condition") or {})
        own_in, own_out = _bracket_notes(cond.get("footnotes") or [])
        table_in, table_out = _bracket_notes(by_table[cond.get("table")])
        inside, outside = own_in or table_in, own_out or table_out
        common = dict(parameter=_get(lim, "parameter"), comparator=_get(lim, "comparator"), unit=_get(lim, "unit"))
        alternative = cond.get("alternative")
        if alternative is None:
            rows.append(_Row(value=_get(lim, "value"), condition=cond, note_when=inside, **common))
            continue
        rows.append(_Row(value=_get(lim, "value"), condition=cond, role="main", when=outside, note_when=inside,
                         **common))
        rows.append(_Row(value=alternative, condition={**cond, "bracket": "alt"}, role="alt", when=inside,
                         note_when=inside, **common))
    for row in rows:
        row.key, row.qualifier = parameter_key(row.parameter)
        grades: list[str] = []
        other, other_text, shown, periods, dates = [], [], [], set(), []
        for piece, folded in _pieces(row):
            if folded in _EVERYONE:
                continue
            grade = _grade(folded)
            if grade:
                grades.extend(grade)
                shown.append(piece)
                continue
            period = _date_period(folded)
            if period:
                dates.append(period)
            elif _DATE_RE.search(folded) or _PERIOD_NAME_RE.fullmatch(folded):
                periods.add(folded)
            else:
                other.append(folded)
                other_text.append(piece)
        row.other, row.other_text = tuple(other), tuple(other_text)
        row.grades, row.grade_text = tuple(grades), " ".join(shown)
        row.dates = tuple(sorted(set(dates), key=str))
        row.periods = frozenset(_periods(row, periods))
        row.base_label = condition_label(row)
        row.label = row.base_label
        if row.role == "alt":
            row.label = joined([row.base_label, M("括号内数值：{when}", when=row.when) if row.when
                                else M("括号内数值（适用条件未注明）")], " / ")
        elif row.role == "main" and row.when:
            row.label = joined([row.base_label, M("括号外数值：{when}", when=row.when)], " / ")
    _mark_transitional(rows)
    return rows


# --- transitional limits: a limit that stopped applying on a date (至 2013年12月31日止, or replaced by a later table) --

def _ordinal(text: Any) -> int | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(text or ""))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal()
    except ValueError:
        return None


def _entries(row: _Row) -> list[dict]:
    return [a for a in row.condition.get("applies") or [] if isinstance(a, dict)]


def _mark_transitional(rows: list[_Row]) -> None:
    """Set ``ends`` on each row that stops applying on a known day.

    A clause says when a table applies (smart puts it in ``condition["applies"]``: from, to, who). A table applies
    until its ``to`` (至 2013年12月31日止); one that only has a ``from`` applies until the day before another table
    of the same standard starts for the same plants (现有企业自 2010年7月1日起执行表1，自 2014年1月1日起执行表2:
    table 1 ended on 2013-12-31). A column labelled with an application period (2015年12月31日前) ends with it.
    """
    starts: dict[tuple, list[tuple[int, Any]]] = defaultdict(list)
    for row in rows:
        for entry in _entries(row):
            day = _ordinal(entry.get("from"))
            if day is not None:
                starts[(entry.get("who"), bool(entry.get("special")))].append((day, row.condition.get("table")))
    for row in rows:
        ends: list[int | None] = []
        for entry in _entries(row):
            end = _ordinal(entry.get("to"))
            if end is None and (begin := _ordinal(entry.get("from"))) is not None:
                later = [day for day, table in starts[(entry.get("who"), bool(entry.get("special")))]
                         if day > begin and table != row.condition.get("table")]
                end = min(later) - 1 if later else None
            ends.append(end)
        column = [d[2] for d in row.dates if d[0] == "application"]
        candidates = []
        if ends and None not in ends:
            candidates.append(max(e for e in ends if e is not None))
        if column and None not in column:
            candidates.append(max(column))
        row.ends = min(candidates) if candidates else None


def _expiry(a: _Row | None, b: _Row | None, today: int) -> str | None:
    """Why a pair is not judged because A's or B's limit stopped applying before ``today``, or None."""
    notes = [M("{side} 的此项限值为过渡期限值，已于 {date} 停止执行", side=side,
               date=date.fromordinal(row.ends).isoformat())
             for side, row in (("A", a), ("B", b)) if row is not None and row.ends is not None and row.ends < today]
    return joined(notes, "；") or None


def _periods(limit: Any, labelled: Iterable[str] = ()) -> set[str]:
    cond = _get(limit, "condition") or {}
    found: set[str] = set()
    names = [cond.get("period")] + [a.get("who") for a in cond.get("applies") or [] if isinstance(a, dict)]
    for name in list(names) + list(labelled):
        if not name:
            continue
        if name in _PERIOD_ALL:
            return set()  # applies to everyone: no constraint
        found.add(name)
    return found


def condition_label(limit: Any) -> str:
    cond = _get(limit, "condition") or {}
    bits: list[str] = []
    if cond.get("table"):
        bits.append(M("表{table}", table=str(cond["table"])))
    for key in ("column", "source", "period", "time_basis"):
        if cond.get(key):
            bits.append(str(cond[key]))
    if cond.get("special"):
        bits.append(M("特别排放限值"))
    ends = sorted({a["to"] for a in cond.get("applies") or [] if isinstance(a, dict) and a.get("to")})
    if ends:
        bits.append(M("至 {date} 止", date=ends[-1]))
    return joined(bits, " / ")


def _prefix(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    n = min(len(x), len(y))
    return x[:n] == y[:n]


def _compatible(a: _Row, b: _Row, a_scope: str, b_scope: str) -> float | None:
    """How well the conditions of two limits of the same parameter agree (higher is better); None if they clash.

    Grades are matched by name (一级 against 一级, and against its sub-grades 一级A / 一级B); a label that names a
    grade, a construction date or a period is never taken for a scope word.
    """
    ca, cb = a.condition, b.condition
    if bool(ca.get("special")) != bool(cb.get("special")):
        return None  # 特别排放限值 vs 排放限值: different regimes
    if ca.get("time_basis") and cb.get("time_basis") and ca["time_basis"] != cb["time_basis"]:
        return None
    if a.periods and b.periods and not a.periods & b.periods:
        return None
    for kind in {d[0] for d in a.dates} & {d[0] for d in b.dates}:
        if not any(_overlap(x, y) for x in a.dates if x[0] == kind for y in b.dates if y[0] == kind):
            return None  # built before 2006 vs built from 2006: different plants
    if {a.role, b.role} == {"main", "alt"}:
        return None
    if a.role == b.role == "alt" and a.when and b.when and _when(a.when) != _when(b.when):
        return None  # both say what the bracket is for, and they say different things
    score = 0.0
    sa, sb = a.other, b.other
    if sa and sb:
        common = set(sa) & set(sb)
        if not common:
            return None
        # a qualifier only one side names (平板玻璃) must fit the other's scope, or the rows are about other things
        for extra, scope in ((set(sa) - common, b_scope), (set(sb) - common, a_scope)):
            for p in extra:
                if scope and p not in scope:
                    return None
        score += len(common) / len(set(sa) | set(sb))
    if a.grades and b.grades:
        if not _prefix(a.grades, b.grades):
            return None  # 一级 against 二级
        score += 0.5 if a.grades == b.grades else 0.25
    if a.periods == b.periods:
        score += 0.1
    return score


def _verdict(a: Any, b: Any) -> tuple[str, str | None, str | None]:
    """(verdict, reason, b shown in A's unit) for two matched limits."""
    ua, ub = normalize_unit(_get(a, "unit")), normalize_unit(_get(b, "unit"))
    ka, kb = _KIND.get(_get(a, "comparator")), _KIND.get(_get(b, "comparator"))
    if ka is None or kb is None:
        return "not_comparable", M("未知的比较方式：{a} / {b}", a=str(_get(a, "comparator")),
                                 b=str(_get(b, "comparator"))), None
    if ka == kb == "not_detected":
        return "equal", None, None
    if ka != kb:
        why = M("限值类型不同（{a} vs {b}）", a=M(_KIND_ZH[ka]), b=M(_KIND_ZH[kb]))
        if "not_detected" in (ka, kb):
            why = M("{why}：是否更严取决于检出限", why=why)
        return "not_comparable", why, None
    if (ua is None) != (ub is None):
        return "not_comparable", M("单位不明：{a} vs {b}", a=ua or M("未注明"), b=ub or M("未注明")), None
    va, vb = _get(a, "value"), _get(b, "value")
    if ka == "range":
        try:
            lo_b, hi_b = (convert(float(x), ub, ua) for x in vb)
            lo_a, hi_a = (float(x) for x in va)
        except (TypeError, ValueError):
            return "not_comparable", M("范围值无法读取"), None
        if lo_b is None or hi_b is None:
            return "not_comparable", M("单位不可换算：{a} vs {b}", a=str(ua), b=str(ub)), None
        shown = None if ua == ub else f"{_fmt(lo_b)}~{_fmt(hi_b)} {ua}"
        if math.isclose(lo_a, lo_b) and math.isclose(hi_a, hi_b):
            return "equal", None, shown
        if lo_a >= lo_b - 1e-12 and hi_a <= hi_b + 1e-12:
            return "stricter", M("A 的范围包含于 B 的范围内"), shown
        if lo_b >= lo_a - 1e-12 and hi_b <= hi_a + 1e-12:
            return "looser", M("B 的范围包含于 A 的范围内"), shown
        if lo_a <= hi_b and lo_b <= hi_a:
            return "not_comparable", M("两个范围部分重叠，不能判定哪个更严"), shown
        return "not_comparable", M("两个范围互不相交，不能判定哪个更严"), shown
    try:
        fa, fb0 = float(va), float(vb)
    except (TypeError, ValueError):
        return "not_comparable", M("限值不是数值"), None
    fb = convert(fb0, ub, ua)
    if fb is None:
        return "not_comparable", M("单位不可换算：{a} vs {b}", a=str(ua), b=str(ub)), None
    shown = None if ua == ub else f"{_SYMBOL.get(_get(b, 'comparator'), '')}{fb:g} {ua}"
    if ka == "exact":
        return ("equal", None, shown) if math.isclose(fa, fb) else \
            ("not_comparable", M("两者要求不同的定值，没有宽严之分"), shown)
    if math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-12):
        sa, sb = _get(a, "comparator") in ("<", ">"), _get(b, "comparator") in ("<", ">")
        if sa == sb:
            return "equal", None, shown
        return ("stricter" if sa else "looser"), M("数值相同，但一方不含等号"), shown
    smaller = fa < fb
    if ka == "upper":
        return ("stricter" if smaller else "looser"), None, shown
    return ("looser" if smaller else "stricter"), None, shown


def _judge(a: _Row, b: _Row) -> tuple[str, str | None, str | None]:
    verdict, reason, shown = _verdict(a, b)
    if verdict != "not_comparable" and a.qualifier and b.qualifier and a.qualifier != b.qualifier:
        verdict, reason = "not_comparable", M("计算基准不同：{a} vs {b}", a=a.qualifier, b=b.qualifier)
    return verdict, reason, shown


_VERDICT_ZH = {"stricter": "严于", "looser": "宽于", "equal": "相同", "not_comparable": "不可比"}
# words of a title that say what kind of document it is, or which pollutants, rather than whom it applies to
_GENERIC_TITLE = ("挥发性有机化合物", "挥发性有机物", "大气污染物", "水污染物", "污染物", "排放标准", "排放限值", "控制标准",
                  "标准", "限值", "综合", "工业", "行业", "排放", "控制", "要求", "大气", "废水", "废气", "污水", "及其", "和",
                  "与", "及", "的", "、", "，", ",")
_GENERIC_RE = re.compile("|".join(map(re.escape, _GENERIC_TITLE)))


def _subject(title: str) -> list[str]:
    """The words of a title that say whom it applies to: 城镇污水处理厂污染物排放标准 → ['城镇', '处理厂']."""
    return [t for t in _GENERIC_RE.split(fold(title)) if t]


def _scope_caveat(a: _Row, a_title: str, b_title: str) -> str | None:
    """For a looser pair: a warning when nothing shows that B applies to what A's row regulates, else None.

    B is taken to apply when every subject word of B's title is in A's title or in the row's own qualifiers: 电镀
    against 电镀 (B covers all of A), 平板玻璃 against a 玻璃 row labelled 平板玻璃 (B covers that row). Not for
    农村生活污水 against 城镇污水处理厂: B may not bind A's facilities at all. Only a signal from the titles: a B title
    with no subject words (污水综合排放标准) counts as covering everything.
    """
    if not a_title or not b_title:
        return None
    known = fold(a_title) + "".join(a.other)
    if all(word in known for word in _subject(b_title)):
        return None
    row = M("，此行：{items}", items="、".join(a.other_text)) if a.other_text else ""
    return M("B（{b}）的适用对象未必包括 A 此行所管的对象（A：{a}{row}），宽于 B 是否违反强制性国家标准须先核对适用范围",
             b=b_title.strip(), a=a_title.strip(), row=row)


def _grade_siblings(b: _Row, candidates: Iterable[_Row]) -> list[_Row]:
    """B's rows that differ from ``b`` only by grade: what A would be held against under each of B's grades."""
    def signature(r: _Row) -> tuple:
        c = r.condition
        return (c.get("table"), r.other, r.periods, r.dates, bool(c.get("special")), c.get("time_basis"), r.role,
                r.when)
    sig = signature(b)
    return [r for r in candidates if r.grades and signature(r) == sig]


def _bracket_caveat(a: _Row, b: _Row) -> tuple[str, str, str | None]:
    """(label of A, label of B, caveat) when a bracketed value is compared."""
    label_a, label_b, caveat = a.label, b.label, None
    for row, other, side, other_side in ((a, b, "A", "B"), (b, a, "B", "A")):
        if row.role != "alt" or row.when:
            continue
        hint = other.when if other.role == "alt" else other.note_when
        if hint:
            text = joined([row.base_label, M("括号内数值（{side} 未注明适用条件；{other} 的表注：{hint}）", side=side,
                                              other=other_side, hint=hint)], " / ")
            label_a, label_b = (text, label_b) if side == "A" else (label_a, text)
    if a.role == b.role == "alt" and not (a.when and b.when):
        who = M("两标准均") if not a.when and not b.when else ("A " if not a.when else "B ")
        caveat = M("{who}未注明括号内数值的适用条件，按同一条件比较，须核对", who=who)
    return label_a, label_b, caveat


def compare_limits(a_limits: Iterable[Any], b_limits: Iterable[Any], a_scope: str = "",
                   b_scope: str = "", today: date | None = None) -> list[LimitPair]:
    """Match the limits of A and B and judge each pair from A's point of view.

    ``a_scope`` / ``b_scope`` (e.g. the titles) let a qualifier that only one side names ("平板玻璃") be checked
    against what the other standard covers; without them such a qualifier is accepted. Given both, a ``looser``
    pair carries a caveat when the titles do not show that B applies to what A's row regulates.

    A limit that stopped applying before ``today`` (default: the current day; a transitional limit) gives the
    verdict ``expired``: it is shown with the day it ended, and it is neither stricter nor looser.
    """
    day = (today or date.today()).toordinal()
    a_list, b_list = _rows(a_limits), _rows(b_limits)
    titles = (a_scope, b_scope)
    a_scope, b_scope = fold(a_scope), fold(b_scope)
    b_by_key: dict[str, list[int]] = defaultdict(list)
    for j, lim in enumerate(b_list):
        b_by_key[lim.key].append(j)
    used_b: set[int] = set()
    out: list[LimitPair] = []
    for a in a_list:
        matches, same = _matches(a, b_list, b_by_key, a_scope, b_scope)
        if not matches:
            out.append(LimitPair(a.parameter, display(a), None, a.unit, "only_a",
                                 _with_expiry(M("B 中没有相同项目和条件的限值"), _expiry(a, None, day)), a.label, None))
            continue
        for j in sorted(matches):
            used_b.add(j)
            siblings = [b_list[k] for k in b_by_key[a.key]]
            out.append(_pair(a, b_list[j], twin_row=j in same, siblings=siblings, titles=titles, day=day))
    for j, b in enumerate(b_list):
        if j not in used_b:
            out.append(LimitPair(b.parameter, None, display(b), b.unit, "only_b",
                                 _with_expiry(M("A 中没有相同项目和条件的限值"), _expiry(None, b, day)), None, b.label))
    return out


def _with_expiry(reason: str, expiry: str | None) -> str:
    return joined([reason, expiry], "；")


def _matches(a: _Row, b_list: list[_Row], b_by_key: dict[str, list[int]], a_scope: str,
             b_scope: str) -> tuple[list[int], list[int]]:
    """(B's rows A is compared with: the best of each of B's tables, B's rows that are A's very row)."""
    best: dict[Any, tuple[float, list[int]]] = {}
    for j in b_by_key.get(a.key, ()):
        b = b_list[j]
        score = _compatible(a, b, a_scope, b_scope)
        if score is None:
            continue
        # a limit in a convertible unit beats one in another quantity (kg/h next to mg/m³)
        ua, ub = a.unit, b.unit
        if ua and ub and convert(1.0, ub, ua) is not None:
            score += 1.0
        group = b.condition.get("table")
        if group not in best or score > best[group][0] + 1e-9:
            best[group] = (score, [j])
        elif abs(score - best[group][0]) <= 1e-9:
            best[group][1].append(j)
    matches = [j for _, js in best.values() for j in js]
    same = [j for j in matches if fold(b_list[j].parameter) == fold(a.parameter)
            and b_list[j].condition == a.condition]
    # the very same row (a standard against itself, or a copied table): nothing else
    return (same or matches), same


def _pair(a: _Row, b: _Row, *, twin_row: bool, siblings: list[_Row], titles: tuple[str, str],
          day: int) -> LimitPair:
    """The judged pair of A's row and one of B's, with its reason and what it rests on."""
    verdict, reason, shown = _judge(a, b)
    # the very same row, value and all (a standard against itself): its grades and brackets are one thing
    twin = twin_row and (a.comparator, a.value, a.unit) == (b.comparator, b.value, b.unit)
    label_a, label_b, bracket = _bracket_caveat(a, b)
    caveats = [bracket] if bracket and not twin else []
    notes = [reason] if reason else []
    expiry = _expiry(a, b, day)
    if expiry:
        # a transitional limit no longer in force: shown, but neither stricter nor looser
        notes = [M("{expiry}，不计入宽严结论（按数值：A {verdict} B）", expiry=expiry, verdict=M(_VERDICT_ZH[verdict]))
                 if verdict in _VERDICT_ZH else M("{expiry}，不计入宽严结论", expiry=expiry)]
        verdict = "expired"
    if a.grades and b.grades and not twin and verdict not in ("not_comparable", "expired"):
        each = [(s, _judge(a, s)[0]) for s in _grade_siblings(b, siblings)]
        if len({v for _, v in each}) > 1:
            caveats.append(M("分级按名称对应（A {a} ↔ B {b}）：两标准各自规定分级，依据可能不同，须核对两标准的分级是否"
                             "对应；A 对 B 各级：{each}", a=a.grade_text, b=b.grade_text,
                             each=joined([M("{grade} {verdict}", grade=s.grade_text, verdict=M(_VERDICT_ZH[v]))
                                          for s, v in each], "、")))
        elif len(each) > 1:
            notes.append(M("A 对 B 各级均{verdict}，与分级是否对应无关", verdict=M(_VERDICT_ZH[verdict])))
    scope = _scope_caveat(a, *titles) if verdict == "looser" else None
    if scope:
        caveats.append(scope)
    caveat = joined(caveats, "；") or None
    reason = joined(notes + caveats, "；") or None
    b_text = display(b) + (f" {normalize_unit(b.unit)}" if shown else "")
    if shown:
        b_text += f"（= {shown}）"
    return LimitPair(a.parameter, display(a), b_text, a.unit, verdict, reason, label_a, label_b, caveat)


def unlawful(pairs: Iterable[LimitPair], a_is_local_mandatory: bool) -> list[LimitPair]:
    """The pairs where a local mandatory A is looser than its national counterpart B: not allowed by law.

    Every looser pair is listed; one whose verdict rests on an assumption (``caveat``: grades matched by name,
    titles that do not show B applying to A's row, a bracket's condition not stated) keeps that caveat in its
    reason, so it reads as "to be checked", not as a certain breach.
    """
    if not a_is_local_mandatory:
        return []
    flagged = [p for p in pairs if p.verdict == "looser"]
    for p in flagged:
        if p.caveat and p.caveat not in (p.reason or ""):
            p.reason = joined([p.reason, p.caveat], "；")
    return flagged
