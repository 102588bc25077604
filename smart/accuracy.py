"""Score the parser's reading of one standard against an expected reading written by hand (pure, no Django).

``score(expected, document)`` takes an expected file (``smart/tests/expected_unseen/*.json``, or the older
``smart/tests/expected/*.json`` layout) and the parser's document as a dict (``StandardDocument.to_dict()``) and
returns, per category, ``{"tp": …, "fp": …, "fn": …}``: precision = tp / (tp + fp), recall = tp / (tp + fn).

Categories:
* ``metadata`` — the 7 cover fields title_zh, title_en, ics, ccs, published, implemented, issued_by. A field the
  parser filled and got right is a tp; filled and wrong a fp (and a fn when the expected file has a value);
  left empty where the expected file has a value a fn. Empty on both sides counts nowhere.
* ``clauses`` / ``annex_clauses`` — clause numbers as multisets (the body; the annexes' clauses such as A.1, the
  annex letters themselves not counted). An older expected file has no ``annex_clauses``: its ``clauses`` are
  compared with every number, annexes included, and ``annex_clauses`` is not scored.
* ``terms`` — (number, Chinese term) after ``norm_text``, a bracketed abbreviation left out (``term_key``).
* ``references`` — the canonical number (``catalogue.numbers``) of each printed reference; printed references
  the catalogue cannot parse (regulations, ``GHZB 1``) and the parser's unparsed ones are not scored.
* ``limits`` — one parser limit per expected row, see ``match_limits``: a row counts when table, parameter,
  value, unit and comparator agree; a parser limit that matches no row is a fp. An older expected file names one
  ``limits_table``: only the parser's limits of that table are scored.
* ``limit_conditions`` — the same rows when, in addition, the period, facility, special-limit flag and averaging
  time agree (``conditions_agree``). Not scored for older files (they hold no conditions).

Normalisation (modest on purpose, so that it does not hide errors):
* ``norm_text``: Unicode NFKC (full-width letters, digits and brackets become half-width, ``₂``/``³`` become
  ``2``/``3``), every dash kind (— – ‒ ― － ‐) becomes ``-``, ``～``/``〜`` become ``~``, whitespace removed,
  Latin letters lower-cased.
* parameters (``param_key``): footnote marks are stripped — superscript letters and digits, ``⁽¹⁾``/``(1)``/``*``,
  ``注1`` and a trailing ``a``–``f`` mark (``颗粒物a``; only when following a non-Latin character, so ``CODCr``
  keeps its ``r``); what stands in brackets (``（以NO₂计）``, ``（CODCr）``) is compared loosely: the names match
  when the text outside the brackets is equal and the bracketed parts are equal or one side has none.
* units (``norm_unit``): ``norm_text``; empty, ``无量纲``, ``无`` and ``稀释倍数`` (the dilution multiple of
  色度, a pure number) are the same (dimensionless).
* comparators: ``≤``/``≦`` are ``<=``, ``≥``/``≧`` are ``>=``.
* values: numbers compared as floats (``2 300`` read as 2300 by both sides is 2300.0), ranges item by item.
* averaging (``norm_averaging``): a text naming one hour (``1小时``, ``1h``, ``小时均值``) is ``1h``, one naming a
  day (``日均``, ``24h``) is ``日``; otherwise ``任何``/``任意``/``浓度``/``平均``/``均``/``值`` are dropped and the
  rest compared (so ``任何1 h平均`` = ``1小时平均值`` = ``小时均值``; ``昼间`` ≠ ``夜间``).
* period (``period_key``): the classes named (新建, 现有, 在用, 第一/二/三时段 — 新源 counted as 新建, 现有源 as
  现有, Roman Ⅰ Ⅱ Ⅲ as 一 二 三) and the dates written (``2011年10月1日`` → 2011-10-01); the parser's period text
  and its ``applies`` entries (who, from, to) give its side. The classes must be equal; the dates too when the
  expected text names any (an expected period without dates does not judge the parser's dates).
* facility: the expected facility after ``norm_text`` must equal the parser's ``source`` or ``column``, or one of
  their `` / ``-separated parts. An expected row without facility accepts any source/column (they also hold other
  labels).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from catalogue import numbers

METADATA_FIELDS = ("title_zh", "title_en", "ics", "ccs", "published", "implemented", "issued_by")
CATEGORIES = ("metadata", "clauses", "annex_clauses", "terms", "references", "limits", "limit_conditions")

_DASHES = str.maketrans({c: "-" for c in "—–‒―－‐‑"} | {"～": "~", "〜": "~"})
_SUPERSCRIPT_MARKS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠ⁾⁽˒,，、]+$")


def norm_text(text: Any) -> str:
    """NFKC, one dash, no whitespace, Latin lower-case (see the module docstring)."""
    if text is None:
        return ""
    out = unicodedata.normalize("NFKC", str(text)).translate(_DASHES)
    return re.sub(r"\s+", "", out).lower()


def _strip_marks(name: str) -> str:
    """A parameter without its footnote marks (before NFKC: superscripts still tell marks from digits)."""
    name = name.strip()
    for _ in range(3):
        before = name
        name = _SUPERSCRIPT_MARKS.sub("", name).strip()
        name = re.sub(r"(?:\(\d\)|（\d）|\*+|注\s*\d+)$", "", name).strip()
        name = re.sub(r"(?<=[^\x00-\x7f)）])[a-f](?:[,，][a-f])*$", "", name).strip()
        if name == before:
            break
    return name


def param_key(name: Any) -> tuple[str, str]:
    """(text outside brackets, text inside brackets), both normalised, footnote marks removed."""
    plain = norm_text(_strip_marks(str(name or "")))
    inside = "".join(re.findall(r"\(([^()]*)\)", plain))
    outside = re.sub(r"\([^()]*\)", "", plain)
    return outside, inside


def params_agree(a: Any, b: Any) -> bool:
    (out_a, in_a), (out_b, in_b) = param_key(a), param_key(b)
    return out_a == out_b and (not in_a or not in_b or in_a == in_b)


def norm_unit(unit: Any) -> str:
    u = norm_text(unit)
    return "" if u in ("", "无量纲", "无", "none", "稀释倍数") else u


def norm_comparator(op: Any) -> str:
    return {"≤": "<=", "≦": "<=", "≥": ">=", "≧": ">=", "＜": "<", "＞": ">"}.get(str(op), str(op))


def values_agree(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        if not (isinstance(a, list | tuple) and isinstance(b, list | tuple)) or len(a) != len(b):
            return False
        return all(values_agree(x, y) for x, y in zip(a, b, strict=True))
    try:
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    except (TypeError, ValueError):
        return norm_text(a) == norm_text(b)


def norm_table(number: Any) -> str:
    return re.sub(r"^表", "", norm_text(number))


def norm_averaging(text: Any) -> str:
    """One spelling per averaging time: any text naming one hour (任何1 h平均, 1小时平均值, 小时均值, 监控点处1小时
    浓度平均值) is ``1h``; a day (日均值, 24小时平均) ``日``; otherwise the text without 任何/任意/浓度/平均/均/值."""
    t = norm_text(text)
    if re.search(r"日均|24(?:小时|h)|^日$", t):
        return "日"
    if re.search(r"(?<!\d)1(?:小时|h)|^小时|小时均|小时平均", t):
        return "1h"
    return re.sub(r"任何|任意|浓度|平均|均|值", "", t)


_ROMAN = str.maketrans({"Ⅰ": "一", "Ⅱ": "二", "Ⅲ": "三"})
_CLASS = re.compile(r"(新建|现有|在用|新源|第[一二三123]时段)")
_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")


def _period_parts(text: str) -> tuple[set[str], set[str]]:
    t = unicodedata.normalize("NFKC", (text or "").translate(_ROMAN))
    t = re.sub(r"\s+", "", t).replace("第1时段", "第一时段").replace("第2时段", "第二时段").replace("第3时段", "第三时段")
    classes = {"新建" if c == "新源" else c for c in _CLASS.findall(t)}
    dates = {f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in _DATE.findall(t)}
    return classes, dates


def period_key(expected_text: Any = None, parser_condition: dict | None = None) -> tuple[frozenset, frozenset]:
    """(classes, ISO dates) of a period, from the expected text or from the parser's condition."""
    if parser_condition is None:
        classes, dates = _period_parts(str(expected_text or ""))
        return frozenset(classes), frozenset(dates)
    classes, dates = _period_parts(str(parser_condition.get("period") or ""))
    for entry in parser_condition.get("applies") or []:
        more, _ = _period_parts(str(entry.get("who") or ""))
        classes |= more
        dates |= {str(entry[k]) for k in ("from", "to") if entry.get(k)}
    return frozenset(classes), frozenset(dates)


def _facility_candidates(cond: dict) -> set[str]:
    out = set()
    for key in ("facility", "source", "column"):
        value = cond.get(key)
        if value:
            out.add(norm_text(value))
            out |= {norm_text(part) for part in str(value).split(" / ")}
    return out


def condition_mismatches(expected: dict, cond: dict) -> list[str]:
    """The condition keys (period, facility, special, averaging) on which the parser's limit disagrees."""
    wrong = []
    (want_classes, want_dates), (got_classes, got_dates) = period_key(expected.get("period")), period_key(
        parser_condition=cond)
    if want_classes != got_classes or (want_dates and want_dates != got_dates):
        wrong.append("period")
    if expected.get("facility") and norm_text(expected["facility"]) not in _facility_candidates(cond):
        wrong.append("facility")
    if bool(expected.get("special")) != bool(cond.get("special")):
        wrong.append("special")
    if norm_averaging(expected.get("averaging")) != norm_averaging(cond.get("time_basis") or cond.get("averaging")):
        wrong.append("averaging")
    return wrong


def conditions_agree(expected: dict, cond: dict) -> bool:
    return not condition_mismatches(expected, cond)


def _key_agrees(exp: dict, got: dict) -> bool:
    return (norm_table(exp.get("table")) == norm_table((got.get("condition") or {}).get("table"))
            and params_agree(exp.get("parameter"), got.get("parameter")) and values_agree(exp.get("value"), got.get("value")))


def _row_agrees(exp: dict, got: dict) -> bool:
    return (_key_agrees(exp, got) and norm_unit(exp.get("unit")) == norm_unit(got.get("unit"))
            and norm_comparator(exp.get("comparator")) == norm_comparator(got.get("comparator")))


def _full_agrees(exp: dict, got: dict) -> bool:
    return _row_agrees(exp, got) and conditions_agree(exp.get("conditions") or {}, got.get("condition") or {})


def match_limits(expected: list[dict], got: list[dict]) -> list[tuple[int, int | None]]:
    """One-to-one greedy pairing of expected rows with parser limits, in tiers: first pairs that agree on
    everything (conditions too), then on table, parameter, value, unit and comparator, then on table, parameter
    and value only. Returns (expected index, parser index or None) for every expected row."""
    pair: dict[int, int] = {}
    used: set[int] = set()
    for agrees in (_full_agrees, _row_agrees, _key_agrees):
        for i, exp in enumerate(expected):
            if i in pair:
                continue
            j = next((j for j, g in enumerate(got) if j not in used and agrees(exp, g)), None)
            if j is not None:
                pair[i] = j
                used.add(j)
    return [(i, pair.get(i)) for i in range(len(expected))]


def limit_mismatches(expected: list[dict], got: list[dict]) -> list[dict]:
    """For reading the failures: every expected row not fully right, with what went wrong, then every parser
    limit left unpaired (a false positive)."""
    out: list[dict] = []
    pairs = match_limits(expected, got)
    for i, j in pairs:
        exp = expected[i]
        if j is None:
            out.append({"kind": "missing", "expected": exp})
            continue
        g = got[j]
        wrong = [k for k, ok in (("unit", norm_unit(exp.get("unit")) == norm_unit(g.get("unit"))),
                                 ("comparator", norm_comparator(exp.get("comparator")) == norm_comparator(g.get("comparator"))))
                 if not ok]
        if "conditions" in exp:
            wrong += condition_mismatches(exp["conditions"], g.get("condition") or {})
        if wrong:
            out.append({"kind": "wrong", "wrong": wrong, "expected": exp, "got": g})
    paired = {j for _, j in pairs if j is not None}
    out += [{"kind": "extra", "got": g} for j, g in enumerate(got) if j not in paired]
    return out


def counts(tp: int = 0, fp: int = 0, fn: int = 0) -> dict[str, int]:
    return {"tp": tp, "fp": fp, "fn": fn}


def multiset_counts(expected: list, got: list) -> dict[str, int]:
    """Items compared as a multiset: each expected item consumes one equal item found."""
    remaining = list(got)
    tp = 0
    for item in expected:
        if item in remaining:
            remaining.remove(item)
            tp += 1
    return counts(tp, len(remaining), len(expected) - tp)


def term_key(term: dict) -> tuple[str, str]:
    """(number, Chinese term) normalised; a bracketed abbreviation (``二噁英类毒性当量（TEQ）``) is left out, since
    the parser keeps it apart in ``abbreviation``."""
    return norm_text(term.get("number")), re.sub(r"\([^()]*\)", "", norm_text(term.get("zh")))


def _meta_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [norm_text(v) for v in value]
    return norm_text(value) if value not in (None, "") else ""


def metadata_counts(expected: dict, got: dict) -> dict[str, int]:
    tp = fp = fn = 0
    for key in METADATA_FIELDS:
        want, have = _meta_value(expected.get(key)), _meta_value(got.get(key))
        if have and have == want:
            tp += 1
            continue
        fp += bool(have)
        fn += bool(want)
    return counts(tp, fp, fn)


def _numbers(clauses: list[dict], *, skip_top: bool = False) -> list[str]:
    out: list[str] = []
    for clause in clauses:
        if not skip_top:
            out.append(str(clause.get("number")))
        out += _numbers(clause.get("children") or [])
    return out


def _canonical(printed: str) -> str | None:
    parsed = numbers.try_parse_number(printed.strip())
    return parsed.canonical if parsed is not None else None


def reference_counts(expected: list[str], got: list[dict]) -> dict[str, int]:
    want = [c for c in (_canonical(p) for p in expected) if c is not None]
    return multiset_counts(want, [r["number"] for r in got if r.get("parsed", True)])


def limit_counts(expected: list[dict], got: list[dict]) -> tuple[dict[str, int], dict[str, int] | None]:
    """(limit rows, limit rows with conditions); the second is None when the expected rows hold no conditions."""
    pairs = match_limits(expected, got)
    rows = sum(1 for i, j in pairs if j is not None and _row_agrees(expected[i], got[j]))
    row_counts = counts(rows, len(got) - rows, len(expected) - rows)
    if not any("conditions" in e for e in expected):
        return row_counts, None
    full = sum(1 for i, j in pairs if j is not None and _full_agrees(expected[i], got[j]))
    return row_counts, counts(full, len(got) - full, len(expected) - full)


def score(expected: dict, document: dict) -> dict[str, dict[str, int]]:
    """Per category tp/fp/fn of the parser's document (a ``to_dict()``) against an expected file."""
    out = {"metadata": metadata_counts(expected.get("metadata") or {}, document.get("metadata") or {})}
    body, annexes = document.get("clauses") or [], document.get("annexes") or []
    if "annex_clauses" in expected:
        out["clauses"] = multiset_counts(list(expected["clauses"]), _numbers(body))
        out["annex_clauses"] = multiset_counts(list(expected["annex_clauses"]), _numbers(annexes, skip_top=True))
    else:
        out["clauses"] = multiset_counts(list(expected["clauses"]), _numbers(body) + _numbers(annexes))
    out["terms"] = multiset_counts([term_key(t) for t in expected.get("terms", [])],
                                   [term_key(t) for t in document.get("terms") or []])
    out["references"] = reference_counts(expected.get("references") or [], document.get("references") or [])
    want, got = list(expected.get("limits") or []), list(document.get("limits") or [])
    if "limits_table" in expected:
        table = norm_table(expected["limits_table"])
        want = [{**w, "table": table} for w in want]
        got = [g for g in got if norm_table((g.get("condition") or {}).get("table")) == table]
    out["limits"], conditions = limit_counts(want, got)
    if conditions is not None:
        out["limit_conditions"] = conditions
    return out


def add(total: dict[str, dict[str, int]], one: dict[str, dict[str, int]]) -> None:
    """Add one document's counts into a running total (in place)."""
    for category, c in one.items():
        slot = total.setdefault(category, counts())
        for key in ("tp", "fp", "fn"):
            slot[key] += c[key]


def precision_recall(c: dict[str, int]) -> tuple[float | None, float | None]:
    found, wanted = c["tp"] + c["fp"], c["tp"] + c["fn"]
    return (c["tp"] / found if found else None), (c["tp"] / wanted if wanted else None)
