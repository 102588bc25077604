"""Limit matching and verdicts: direction of limits, units, aliases, conditions and clear refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.limits import (VERDICTS, compare_limits, convert, normalize_unit, parameter_key, unlawful)

from .helpers import limit


def one(a, b, **kw):
    pairs = compare_limits([a], [b], **kw)
    assert len(pairs) == 1, pairs
    return pairs[0]


@pytest.mark.parametrize("a,b,verdict", [
    (("<=", 30), ("<=", 50), "stricter"),
    (("<=", 60), ("<=", 50), "looser"),
    (("<=", 50), ("<=", 50), "equal"),
    (("<", 50), ("<=", 50), "stricter"),
    ((">=", 90), (">=", 80), "stricter"),
    ((">=", 70), (">=", 80), "looser"),
    (("range", [6.5, 8.5]), ("range", [6, 9]), "stricter"),
    (("range", [6, 9]), ("range", [6.5, 8.5]), "looser"),
    (("range", [6, 9]), ("range", [6, 9]), "equal"),
    (("range", [5, 8]), ("range", [6, 9]), "not_comparable"),
    (("<=", 30), (">=", 30), "not_comparable"),
    (("not_detected", None), ("<=", 0.1), "not_comparable"),
])
def test_verdict_rules(a, b, verdict):
    p = one(limit("颗粒物", a[0], a[1]), limit("颗粒物", b[0], b[1]))
    assert p.verdict == verdict
    if verdict == "not_comparable":
        assert p.reason


def test_units_are_converted_before_judging():
    p = one(limit("总铬", "<=", 500, "µg/L"), limit("总铬", "<=", 1.0, "mg/L"))
    assert p.verdict == "stricter" and p.unit == "µg/L" and "1000" in p.b
    assert one(limit("苯", "<=", 0.05, "g/L"), limit("苯", "<=", 50, "mg/L")).verdict == "equal"
    assert one(limit("苯", "<=", 40, "μg/m3"), limit("苯", "<=", 0.04, "mg/m³")).verdict == "equal"
    assert convert(25, "℃", "K") == pytest.approx(298.15)


def test_units_that_cannot_be_converted_are_not_comparable_with_reason():
    p = one(limit("烟气黑度", "<=", 1, "mg/m³"), limit("烟气黑度", "<=", 1, "级"))
    assert p.verdict == "not_comparable" and "mg/m³ vs 级" in p.reason
    p = one(limit("COD", "<=", 50, "mg/L"), limit("化学需氧量", "<=", 50, "mg/m³"))
    assert p.verdict == "not_comparable"


def test_parameter_names_are_normalised_and_aliased():
    assert parameter_key("化学需氧量（CODCr）")[0] == parameter_key("COD")[0] == "化学需氧量"
    assert parameter_key("氮氧化物 (以 NO₂ 计)")[0] == parameter_key("ＮＯｘ")[0] == "氮氧化物"
    assert parameter_key(" 二氧化硫 ")[0] == "二氧化硫"
    assert one(limit("SO2", "<=", 100), limit("二氧化硫", "<=", 200)).verdict == "stricter"
    assert normalize_unit("mg/Nm3") == "mg/m³"


def test_special_limits_are_not_matched_with_ordinary_ones():
    a = [limit("颗粒物", "<=", 10, special=True), limit("颗粒物", "<=", 20)]
    b = [limit("颗粒物", "<=", 20)]
    pairs = compare_limits(a, b)
    assert [(p.a, p.verdict) for p in pairs] == [("≤10", "only_a"), ("≤20", "equal")]


def test_columns_and_scope_decide_which_rows_are_compared():
    a = [limit("颗粒物", "<=", 30, column="平板玻璃 / 玻璃熔窑", table="1"),
         limit("颗粒物", "<=", 30, column="电子玻璃 / 玻璃熔炉", table="1"),
         limit("颗粒物", "<=", 20, column="电子玻璃 / 配料", table="1")]
    b = [limit("颗粒物", "<=", 50, column="玻璃熔窑", table="2"), limit("颗粒物", "<=", 30, column="配料", table="2")]
    pairs = compare_limits(a, b, a_scope="玻璃工业大气污染物排放标准", b_scope="平板玻璃工业大气污染物排放标准")
    assert [p.verdict for p in pairs] == ["stricter", "only_a", "only_a", "only_b"]


def test_disjoint_periods_are_not_matched():
    a = [limit("颗粒物", "<=", 30, period="现有企业")]
    b = [limit("颗粒物", "<=", 20, period="新建企业")]
    assert [p.verdict for p in compare_limits(a, b)] == ["only_a", "only_b"]


def test_self_comparison_is_all_equal():
    lims = [limit("颗粒物", "<=", 100, table="1", period="现有企业", column="玻璃熔窑"),
            limit("颗粒物", "<=", 50, table="2", period="新建企业", column="玻璃熔窑",
                  applies=[{"who": "现有企业"}, {"who": "新建企业"}]),
            limit("pH值", "range", [6, 9], None)]
    pairs = compare_limits(lims, lims)
    assert [p.verdict for p in pairs] == ["equal"] * 3


def test_unlawful_flags_looser_only_for_local_mandatory():
    pairs = compare_limits([limit("颗粒物", "<=", 60), limit("二氧化硫", "<=", 10)],
                           [limit("颗粒物", "<=", 50), limit("二氧化硫", "<=", 20)])
    assert [p.parameter for p in unlawful(pairs, True)] == ["颗粒物"]
    assert unlawful(pairs, False) == []
    assert {p.verdict for p in pairs} <= set(VERDICTS)


_MIRROR = {"stricter": "looser", "looser": "stricter", "equal": "equal", "not_comparable": "not_comparable"}
_comparators = st.sampled_from(["<=", "<", ">=", ">"])
_values = st.floats(min_value=0.001, max_value=1e5, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(_comparators, _values, _comparators, _values)
def test_swapping_a_and_b_mirrors_the_verdict(ca, va, cb, vb):
    forward = one(limit("颗粒物", ca, va), limit("颗粒物", cb, vb)).verdict
    backward = one(limit("颗粒物", cb, vb), limit("颗粒物", ca, va)).verdict
    assert backward == _MIRROR[forward]


@settings(max_examples=40, deadline=None)
@given(_comparators, _values, _values)
def test_the_unit_of_b_does_not_change_the_verdict(comp, va, vb):
    same = one(limit("苯", comp, va, "mg/L"), limit("苯", comp, vb, "mg/L")).verdict
    scaled = one(limit("苯", comp, va, "mg/L"), limit("苯", comp, vb * 1000, "µg/L")).verdict
    assert same == scaled
