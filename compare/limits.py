"""Limit values of two standards matched and judged from A's point of view (pure: no Django).

Limits are matched by normalised parameter name (aliases such as 化学需氧量/COD), compatible conditions (process
or column, special limit, time basis, period) and unit; units are converted where that is plain arithmetic. Each
pair gets a verdict: stricter | looser | equal | only_a | only_b | not_comparable (always with a reason).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Iterable

VERDICTS = ("stricter", "looser", "equal", "only_a", "only_b", "not_comparable")

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def _parts(limit: Any) -> list[str]:
    cond = _get(limit, "condition") or {}
    out: list[str] = []
    for key in ("column", "source"):
        for piece in str(cond.get(key) or "").split(" / "):
            p = fold(piece)
            if p and p not in out:
                out.append(p)
    return out


def _periods(limit: Any) -> set[str]:
    cond = _get(limit, "condition") or {}
    found: set[str] = set()
    names = [cond.get("period")] + [a.get("who") for a in cond.get("applies") or [] if isinstance(a, dict)]
    for name in names:
        if not name:
            continue
        if name in _PERIOD_ALL:
            return set()  # applies to everyone: no constraint
        found.add(name)
    return found


def condition_label(limit: Any) -> str:
    cond = _get(limit, "condition") or {}
    bits = []
    if cond.get("table"):
        bits.append(f"表{cond['table']}")
    for key in ("column", "source", "period", "time_basis"):
        if cond.get(key):
            bits.append(str(cond[key]))
    if cond.get("special"):
        bits.append("特别排放限值")
    ends = sorted({a["to"] for a in cond.get("applies") or [] if isinstance(a, dict) and a.get("to")})
    if ends:
        bits.append("至 " + ends[-1] + " 止")
    return " / ".join(bits)


def _compatible(a: Any, b: Any, a_scope: str, b_scope: str) -> float | None:
    """How well the conditions of two limits of the same parameter agree (higher is better); None if they clash."""
    ca, cb = _get(a, "condition") or {}, _get(b, "condition") or {}
    if bool(ca.get("special")) != bool(cb.get("special")):
        return None  # 特别排放限值 vs 排放限值: different regimes
    if ca.get("time_basis") and cb.get("time_basis") and ca["time_basis"] != cb["time_basis"]:
        return None
    pa, pb = _periods(a), _periods(b)
    if pa and pb and not pa & pb:
        return None
    sa, sb = _parts(a), _parts(b)
    score = 0.0
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
    if pa == pb:
        score += 0.1
    return score


def _verdict(a: Any, b: Any) -> tuple[str, str | None, str | None]:
    """(verdict, reason, b shown in A's unit) for two matched limits."""
    ua, ub = normalize_unit(_get(a, "unit")), normalize_unit(_get(b, "unit"))
    ka, kb = _KIND.get(_get(a, "comparator")), _KIND.get(_get(b, "comparator"))
    if ka is None or kb is None:
        return "not_comparable", f"未知的比较方式：{_get(a, 'comparator')} / {_get(b, 'comparator')}", None
    if ka == kb == "not_detected":
        return "equal", None, None
    if ka != kb:
        why = f"限值类型不同（{_KIND_ZH[ka]} vs {_KIND_ZH[kb]}）"
        if "not_detected" in (ka, kb):
            why += "：是否更严取决于检出限"
        return "not_comparable", why, None
    if (ua is None) != (ub is None):
        return "not_comparable", f"单位不明：{ua or '未注明'} vs {ub or '未注明'}", None
    va, vb = _get(a, "value"), _get(b, "value")
    if ka == "range":
        try:
            lo_b, hi_b = (convert(float(x), ub, ua) for x in vb)
            lo_a, hi_a = (float(x) for x in va)
        except (TypeError, ValueError):
            return "not_comparable", "范围值无法读取", None
        if lo_b is None or hi_b is None:
            return "not_comparable", f"单位不可换算：{ua} vs {ub}", None
        shown = None if ua == ub else f"{_fmt(lo_b)}~{_fmt(hi_b)} {ua}"
        if math.isclose(lo_a, lo_b) and math.isclose(hi_a, hi_b):
            return "equal", None, shown
        if lo_a >= lo_b - 1e-12 and hi_a <= hi_b + 1e-12:
            return "stricter", "A 的范围包含于 B 的范围内", shown
        if lo_b >= lo_a - 1e-12 and hi_b <= hi_a + 1e-12:
            return "looser", "B 的范围包含于 A 的范围内", shown
        overlap = "部分重叠" if lo_a <= hi_b and lo_b <= hi_a else "互不相交"
        return "not_comparable", f"两个范围{overlap}，不能判定哪个更严", shown
    try:
        fa, fb0 = float(va), float(vb)
    except (TypeError, ValueError):
        return "not_comparable", "限值不是数值", None
    fb = convert(fb0, ub, ua)
    if fb is None:
        return "not_comparable", f"单位不可换算：{ua} vs {ub}", None
    shown = None if ua == ub else f"{_SYMBOL.get(_get(b, 'comparator'), '')}{fb:g} {ua}"
    if ka == "exact":
        return ("equal", None, shown) if math.isclose(fa, fb) else \
            ("not_comparable", "两者要求不同的定值，没有宽严之分", shown)
    if math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-12):
        sa, sb = _get(a, "comparator") in ("<", ">"), _get(b, "comparator") in ("<", ">")
        if sa == sb:
            return "equal", None, shown
        return ("stricter" if sa else "looser"), "数值相同，但一方不含等号", shown
    smaller = fa < fb
    if ka == "upper":
        return ("stricter" if smaller else "looser"), None, shown
    return ("looser" if smaller else "stricter"), None, shown


def compare_limits(a_limits: Iterable[Any], b_limits: Iterable[Any], a_scope: str = "",
                   b_scope: str = "") -> list[LimitPair]:
    """Match the limits of A and B and judge each pair from A's point of view.

    ``a_scope`` / ``b_scope`` (e.g. the titles) let a qualifier that only one side names ("平板玻璃") be checked
    against what the other standard covers; without them such a qualifier is accepted.
    """
    a_list, b_list = list(a_limits), list(b_limits)
    a_scope, b_scope = fold(a_scope), fold(b_scope)
    b_by_key: dict[str, list[int]] = defaultdict(list)
    for j, lim in enumerate(b_list):
        b_by_key[parameter_key(_get(lim, "parameter"))[0]].append(j)
    used_b: set[int] = set()
    out: list[LimitPair] = []
    for a in a_list:
        key, qual_a = parameter_key(_get(a, "parameter"))
        best: dict[Any, tuple[float, list[int]]] = {}
        for j in b_by_key.get(key, ()):
            b = b_list[j]
            score = _compatible(a, b, a_scope, b_scope)
            if score is None:
                continue
            # a limit in a convertible unit beats one in another quantity (kg/h next to mg/m³)
            ua, ub = _get(a, "unit"), _get(b, "unit")
            if ua and ub and convert(1.0, ub, ua) is not None:
                score += 1.0
            group = (_get(b, "condition") or {}).get("table")
            if group not in best or score > best[group][0] + 1e-9:
                best[group] = (score, [j])
            elif abs(score - best[group][0]) <= 1e-9:
                best[group][1].append(j)
        matches = [j for _, js in best.values() for j in js]
        same = [j for j in matches if fold(_get(b_list[j], "parameter")) == fold(_get(a, "parameter"))
                and (_get(b_list[j], "condition") or {}) == (_get(a, "condition") or {})]
        if same:
            matches = same  # the very same row (a standard against itself, or a copied table): nothing else
        if not matches:
            out.append(LimitPair(_get(a, "parameter"), display(a), None, _get(a, "unit"), "only_a",
                                 "B 中没有相同项目和条件的限值", condition_label(a), None))
            continue
        for j in sorted(matches):
            b = b_list[j]
            used_b.add(j)
            verdict, reason, shown = _verdict(a, b)
            qual_b = parameter_key(_get(b, "parameter"))[1]
            if verdict != "not_comparable" and qual_a and qual_b and qual_a != qual_b:
                verdict, reason = "not_comparable", f"计算基准不同：{qual_a} vs {qual_b}"
            b_text = display(b) + (f" {normalize_unit(_get(b, 'unit'))}" if shown else "")
            if shown:
                b_text += f"（= {shown}）"
            out.append(LimitPair(_get(a, "parameter"), display(a), b_text, _get(a, "unit"), verdict, reason,
                                 condition_label(a), condition_label(b)))
    for j, b in enumerate(b_list):
        if j not in used_b:
            out.append(LimitPair(_get(b, "parameter"), None, display(b), _get(b, "unit"), "only_b",
                                 "A 中没有相同项目和条件的限值", None, condition_label(b)))
    return out


def unlawful(pairs: Iterable[LimitPair], a_is_local_mandatory: bool) -> list[LimitPair]:
    """The pairs where a local mandatory A is looser than its national counterpart B: not allowed by law."""
    if not a_is_local_mandatory:
        return []
    return [p for p in pairs if p.verdict == "looser"]
