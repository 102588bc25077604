"""The second hand-read pair: DB44/ 2208—2019 (rural sewage, A) against GB 18918—2002 (municipal plants, B).

Not tuned on: the expected answers (expected/sewage.json, expected/sewage_clauses.json) were read from the rendered
pages before the parser or the aligner was run on this pair, and no threshold was changed after. The figures are
printed, not asserted; the asserts are only what must hold whatever the accuracy (see docs/compare-accuracy.md).
Reads PDFs through smart.documents (no Django needed); skipped when the shared corpus is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from compare.limits import VERDICTS, compare_limits, normalize_unit, parameter_key

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "standards"
EXPECTED = Path(__file__).parent / "expected"
A_FILE, B_FILE = "DB-44-2208-2019.pdf", "GB-18918-2002.pdf"

pytestmark = pytest.mark.skipif(not (CORPUS / A_FILE).exists() or not (CORPUS / B_FILE).exists(),
                                reason="shared corpus not present")

# A 表1 and B 表1 split 氨氮 by water temperature; the value outside the brackets is the one for > 12 ℃
_TEMPERATURE_SPLIT = {"氨氮"}
_HOT, _COLD = "水温>12℃", "水温≤12℃"


@pytest.fixture(scope="module")
def sewage():
    from smart.documents import read_standard_file

    return read_standard_file(CORPUS / A_FILE), read_standard_file(CORPUS / B_FILE)


@pytest.fixture(scope="module")
def limit_pairs(sewage):
    a, b = sewage
    return compare_limits(a.limits, b.limits, a.metadata.title_zh, b.metadata.title_zh)


def _value(text):
    m = re.search(r"\d+(?:\.\d+)?(?:e-?\d+)?", text or "")
    return float(m.group(0)) if m else ("不得检出" if text and "不得检出" in text else None)


def _unit(unit):
    u = normalize_unit(unit)
    return None if u in (None, "无量纲") else u


def _pieces(label):
    return [re.sub(r"\s+", "", p) for p in (label or "").split(" / ") if p]


def _table(pieces):
    return pieces[0][1:] if pieces and pieces[0].startswith("表") else None


def _class(pieces, side):
    if "特别排放限值" in pieces:
        return "特别排放限值"
    for p in pieces:
        m = re.fullmatch(r"([一二三])级(?:标准)?", p)
        if m:
            if side == "a":
                return p
            grade = next((q[0] for q in pieces if re.fullmatch(r"[AB]标准", q)), "")
            return f"{m.group(1)}级{grade}"
    return None


def _condition(pieces):
    """The condition the expected rows are keyed by: construction date, soil, sludge method, or any other label."""
    for p in pieces:
        if p.startswith("表") or p in ("日均值", "特别排放限值") or re.fullmatch(r"[一二三]级(标准)?|[AB]标准", p):
            continue
        if "酸性" in p and "中性" not in p:
            return "酸性土壤(pH<6.5)"
        if "中性" in p:
            return "中性和碱性土壤(pH≥6.5)"
        if "水温" in p:
            return _COLD if "≤" in p or "<=" in p else _HOT
        return p  # e.g. 2005年12月31日前建设的, or a wrong label the parser attached (then the key cannot match)
    return None


def produced_key(pair):
    pa, pb = _pieces(pair.condition_a), _pieces(pair.condition_b)
    parameter = parameter_key(pair.parameter)[0]
    return (parameter, _class(pa, "a") if pair.condition_a else None, _class(pb, "b") if pair.condition_b else None,
            _condition(pb) or _condition(pa), _table(pa), _table(pb))


def expected_key(row):
    return (parameter_key(row["parameter"])[0], row["a_class"], row["b_class"], row["condition"], row["a_table"],
            row["b_table"])


def _numeric_verdict(a, b):
    x, y = _value(a), _value(b)
    return "equal" if x == y else ("stricter" if x < y else "looser")  # both upper limits on the same effluent


def _answer(verdict, a, b, unit):
    return verdict, _value(a), _value(b), _unit(unit)


def score_limits(pairs, expected):
    """(got, want, correct keys): a produced pair is correct when its key, verdict, both values and unit agree."""
    want = {expected_key(r): _answer(r["verdict"], r["a"], r["b"], r["unit"]) for r in expected}
    assert len(want) == len(expected), "two expected rows share a key"
    got = {}
    for p in pairs:
        key = produced_key(p)
        hot = key[:3] + (_HOT,) + key[4:]
        if key[0] in _TEMPERATURE_SPLIT and key[3] is None and key not in want and hot in want:
            key = hot  # no temperature in the labels: the value compared is the one outside the brackets (> 12 ℃)
        got[key] = _answer(p.verdict, p.a, p.b, p.unit)
    assert len(got) == len(pairs), "two produced pairs fell on one key: the scoring would hide one"
    return got, want, {k for k, v in got.items() if want.get(k) == v}


def _figures(name, got, want, correct):
    precision = len(correct) / len(got) if got else 0.0
    recall = len(correct) / len(want) if want else 0.0
    print(f"{name}: {len(want)} expected, {len(got)} produced, {len(correct)} correct, "
          f"precision {precision:.3f}, recall {recall:.3f}")
    return precision, recall


def test_sewage_limit_verdicts_against_the_hand_read_table(limit_pairs):
    expected = json.loads((EXPECTED / "sewage.json").read_text(encoding="utf-8"))["pairs"]
    got, want, correct = score_limits(limit_pairs, expected)
    print()
    _figures("sewage limits, all", got, want, correct)
    both = lambda d: {k: v for k, v in d.items() if v[1] is not None and v[2] is not None}  # noqa: E731
    _figures("sewage limits, both sides", both(got), both(want), correct & set(both(got)))
    # A 表1-2 and B 表1-2 are the tables the parser read in full (bar the bracketed ≤ 12 ℃ values): the comparator alone
    water = lambda d: {k: v for k, v in d.items() if k[5] in (None, "1", "2")}  # noqa: E731
    _figures("sewage limits, A 表1-2 × B 表1-2", water(got), water(want), correct & set(water(got)))
    # how much the both-sides figure owes to the grade judgement: B's same-named class taken as the counterpart
    by_name = [dict(r, verdict=_numeric_verdict(r["a"], r["b"]))
               if r["verdict"] == "not_comparable" and r["a_class"] in ("二级标准", "三级标准") else r for r in expected]
    got_n, want_n, correct_n = score_limits(limit_pairs, by_name)
    _figures("  (if A 二级/三级 were B's same-named class: both sides)", both(got_n), both(want_n),
             correct_n & set(both(got_n)))
    for k in sorted(set(got) | set(want), key=str):
        if got.get(k) != want.get(k):
            print("  differs:", k, "got", got.get(k), "want", want.get(k))

    assert limit_pairs, "no limit pairs at all"
    assert {p.verdict for p in limit_pairs} <= set(VERDICTS)
    assert all(p.reason for p in limit_pairs if p.verdict == "not_comparable")
    # a floor, not a target: the parser read A's two tables completely, so every A value must come out in some pair:
    # 24 limits, two of them with a bracketed ≤ 12 ℃ value (8（15）, 5（8）) that is compared as a row of its own
    a_rows = {(parameter_key(p.parameter)[0], p.a, p.condition_a) for p in limit_pairs if p.a}
    assert len(a_rows) == 26
    # GB 18918 has no 特别排放限值: A 表2 can only ever be only_a
    assert all(p.verdict == "only_a" for p in limit_pairs if "特别排放限值" in (p.condition_a or ""))


def _where_the_classes_are_not_comparable(limit_pairs):
    expected = json.loads((EXPECTED / "sewage.json").read_text(encoding="utf-8"))["pairs"]
    not_comparable = {expected_key(r) for r in expected if r["verdict"] == "not_comparable"}
    return [p for p in limit_pairs if p.verdict in ("stricter", "looser", "equal")
            and {produced_key(p), produced_key(p)[:3] + (_HOT,) + produced_key(p)[4:]} & not_comparable]


@pytest.mark.xfail(strict=True, reason="A 二级/三级 (by scale, undefined receiving water) are judged against B's "
                                        "same-named classes (by receiving water); the tool cannot read what a grade "
                                        "is based on, so it keeps the verdict with a caveat: see "
                                        "docs/compare-accuracy.md")
def test_sewage_no_verdict_where_the_classes_are_not_comparable(limit_pairs):
    wrong = _where_the_classes_are_not_comparable(limit_pairs)
    assert not wrong, [(p.parameter, p.a, p.b, p.verdict, p.condition_a, p.condition_b) for p in wrong]


def test_sewage_no_uncertain_verdict_is_presented_as_certain(limit_pairs):
    """Where the hand-read table says the classes do not correspond, any verdict the tool gives carries a caveat."""
    uncaveated = [p for p in _where_the_classes_are_not_comparable(limit_pairs)
                  if not (p.caveat and "须核对两标准的分级是否对应" in p.caveat and p.caveat in p.reason)]
    assert _where_the_classes_are_not_comparable(limit_pairs)  # the case this test is about is still there
    assert not uncaveated, [(p.parameter, p.a, p.b, p.verdict, p.condition_a, p.condition_b) for p in uncaveated]


def test_sewage_full_report(sewage):
    from compare.report import compare_documents

    report = compare_documents(*sewage)
    assert report["status"] == "ok"
    assert report["a_is_local_mandatory"] is True
    assert {p["verdict"] for p in report["limits"]} <= set(VERDICTS)
    assert sum(report["limit_summary"].values()) == len(report["limits"])
    # GB 18918 does not bind A's facilities (A 1), so a looser limit is flagged only as something to check
    assert report["unlawful"], "the looser A 一级 limits are listed"
    for pair in report["unlawful"]:
        assert pair["verdict"] == "looser" and pair["caveat"] and pair["caveat"] in pair["reason"]
        assert "须先核对适用范围" in pair["caveat"]
        assert pair in report["limits"]  # the same pair, so an export can mark its row
    json.dumps(report, ensure_ascii=False)
    print(f"\nsewage report: limit_summary {report['limit_summary']}, unlawful {len(report['unlawful'])}, "
          f"mean clause score {report['alignment']['summary']['mean_score']:.3f}")


def test_sewage_clause_pairs_against_the_hand_read_pairs(sewage):
    from compare.align import align

    gold = json.loads((EXPECTED / "sewage_clauses.json").read_text(encoding="utf-8"))
    want = {tuple(p) for p in gold["pairs"]}
    debatable = {tuple(p) for p in gold["debatable"]}
    result = align(*sewage)
    produced = {(p.a, p.b) for p in result.pairs}
    got = produced - debatable  # a debatable pair counts neither for nor against the tool
    correct = got & want
    print()
    precision, _ = _figures("sewage clauses", got, want, correct)
    print("  debatable pairs produced:", sorted(produced & debatable))
    score = {(p.a, p.b): p.score for p in result.pairs}
    print(f"  mean score {result.summary()['mean_score']:.3f}; unmatched A {len(result.unmatched_a)} of "
          f"{result.clauses_a}, B {len(result.unmatched_b)} of {result.clauses_b}")
    print("  wrong:", sorted((pair, score[pair]) for pair in got - want))
    print("  missed:", sorted(want - got))
    numbers_a = {c.number.rstrip(".") for c in sewage[0].walk()}
    numbers_b = {c.number.rstrip(".") for c in sewage[1].walk()}
    print("  expected clauses the parser did not find: A", sorted({a for a, _ in want | debatable} - numbers_a),
          " B", sorted({b for _, b in want | debatable} - numbers_b))

    assert result.pairs
    # the boilerplate chapters are the floor: they correspond in any two standards of this kind
    assert {("1", "1"), ("2", "2")} <= produced
    # a loose floor set after the first measurement (0.875), not a target: below it the pairs mislead more than help
    assert precision >= 0.5


@pytest.mark.skipif(not (CORPUS / "DB-44-2159-2019.pdf").exists(), reason="shared corpus not present")
def test_unrelated_pair_gets_few_clause_pairs(sewage):
    """DB44/ 2159 (glass, air) against GB 18918 (municipal sewage): only the boilerplate chapters and the air-emission
    headings have counterparts, so the aligner must not find many pairs (docs/compare-accuracy.md, sanity check)."""
    from compare.align import align
    from smart.documents import read_standard_file

    glass = read_standard_file(CORPUS / "DB-44-2159-2019.pdf")
    result = align(glass, sewage[1])
    print(f"\nunrelated pair (DB44/ 2159 × GB 18918): {len(result.pairs)} clause pairs of {result.clauses_a} × "
          f"{result.clauses_b} clauses:", [(p.a, p.b, p.score) for p in result.pairs])
    # a ceiling, not a target: 7 pairs at the first measurement (one of them wrong), 6 after the structural context
    assert len(result.pairs) <= 7
    assert all(p.score < 0.8 for p in result.pairs)
