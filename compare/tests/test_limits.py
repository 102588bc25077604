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


# --- grades, periods, bracketed alternatives, caveats (the rules the second hand-read pair called for) -----------

_RURAL, _TOWN = "农村生活污水处理排放标准", "城镇污水处理厂污染物排放标准"


def _water(value, column=None, table="1", **condition):
    cond = dict(condition, table=table)
    if column:
        cond["column"] = column
    return limit("化学需氧量", "<=", value, "mg/L", **cond)


@pytest.mark.parametrize("a_column,b_column,paired", [
    ("一级标准", "一级标准 / A 标准", True),  # a sub-grade of the same grade
    ("一级标准", "一级 A 标准", True),
    ("一级", "一级标准", True),
    ("一级标准", "二级标准", False),
    ("Ⅱ类", "II类", True),
    ("Ⅱ类", "二类", True),
    ("Ⅱ类", "Ⅲ类", False),
    ("二类区", "二类", True),
    ("一级标准 / A 标准", "一级标准 / B 标准", False),
    ("A 级", "A 标准", True),
    ("二级", "二类", False),  # a grade and a class are different words
])
def test_grade_labels_are_matched_by_name_and_never_checked_against_the_title(a_column, b_column, paired):
    pairs = compare_limits([_water(60, a_column)], [_water(50, b_column)], a_scope=_RURAL, b_scope=_TOWN)
    assert (pairs[0].verdict != "only_a") == paired, pairs


def test_a_grade_pairs_with_each_sub_grade_of_the_same_name_only():
    b = [_water(50, "一级标准 / A 标准"), _water(60, "一级标准 / B 标准"), _water(100, "二级标准"),
         _water(120, "三级标准")]
    pairs = compare_limits([_water(60, "一级标准")], b, a_scope=_RURAL, b_scope=_TOWN)
    assert [(p.b, p.verdict) for p in pairs] == [("≤50", "looser"), ("≤60", "equal"), ("≤100", "only_b"),
                                                 ("≤120", "only_b")]


def test_construction_dates_are_periods_not_scope_words():
    b = [_water(1, source="2005 年 12 月 31 日前建设的"), _water(0.5, source="2006 年 1 月 1 日起建设的")]
    # A says nothing about the date: it applies to both groups of plants
    assert [p.verdict for p in compare_limits([_water(1)], b, a_scope=_RURAL, b_scope=_TOWN)] == ["equal", "looser"]
    # A names a date: only the group it overlaps
    pairs = compare_limits([_water(1, source="2006年1月1日起建设的")], b, a_scope=_RURAL, b_scope=_TOWN)
    assert [(p.b, p.verdict) for p in pairs] == [("≤0.5", "looser"), ("≤1", "only_b")]
    pairs = compare_limits([_water(1, source="2010年7月1日后新建的")], b)
    assert [(p.b, p.verdict) for p in pairs] == [("≤0.5", "looser"), ("≤1", "only_b")]
    pairs = compare_limits([_water(1, source="2006年1月1日前建设的")], b)
    assert [(p.b, p.verdict) for p in pairs] == [("≤1", "equal"), ("≤0.5", "only_b")]
    # the date a limit applies from is another kind of date than a construction date: no constraint between them
    pairs = compare_limits([_water(1, source="2015年1月1日起执行")], b)
    assert [p.verdict for p in pairs] == ["equal", "looser"]


def test_same_named_grades_keep_the_verdict_but_carry_a_caveat_unless_it_holds_for_every_grade():
    b = [_water(50, "一级标准 / A 标准"), _water(60, "一级标准 / B 标准"), _water(100, "二级标准")]
    pairs = compare_limits([_water(60, "一级标准"), _water(70, "二级标准")], b)
    assert [p.verdict for p in pairs] == ["looser", "equal", "stricter"]
    for p in pairs:
        assert "须核对两标准的分级是否对应" in p.caveat and p.caveat in p.reason
    assert "二级标准 严于" in pairs[0].caveat  # the verdict against each of B's grades, for the reader to pick
    # the same verdict against every grade of B: certain whatever the grades mean
    ph = [limit("pH值", "range", [6, 9], None, table="1", column=c, time_basis="日均值")
          for c in ("一级标准 / A 标准", "二级标准")]
    pairs = compare_limits([limit("pH值", "range", [6, 9], None, table="1", column="二级标准")], ph)
    assert [p.verdict for p in pairs] == ["equal", "only_b"]
    assert pairs[0].caveat is None and "各级均相同" in pairs[0].reason
    # a grade on one side only: that side's single value applies under every grade of the other, so no caveat
    assert [p.caveat for p in compare_limits([_water(60)], b)] == [None, None, None]


def test_self_comparison_with_grades_and_brackets_has_no_caveat():
    lims = [_water(50, "一级标准 / A 标准"), _water(100, "二级标准"),
            limit("氨氮", "<=", 5, "mg/L", table="1", column="一级标准 / A 标准", alternative=8)]
    pairs = compare_limits(lims, lims, a_scope=_TOWN, b_scope=_TOWN)
    assert [p.verdict for p in pairs] == ["equal"] * 4 and not [p for p in pairs if p.caveat]


_COLD_NOTE = ["氨氮指标括号内的数值为水温≤12℃的控制指标"]


def test_a_bracketed_alternative_is_compared_as_its_own_pair():
    a = [limit("氨氮", "<=", 8, "mg/L", table="1", alternative=15, footnotes=_COLD_NOTE)]
    b = [limit("氨氮", "<=", 5, "mg/L", table="1", alternative=8, footnotes=["②"])]
    main, alt = compare_limits(a, b)
    assert (main.a, main.b, main.verdict, main.caveat) == ("≤8", "≤5", "looser", None)
    assert (alt.a, alt.b, alt.verdict) == ("≤15", "≤8", "looser")
    assert "括号内数值：水温≤12℃" in alt.condition_a and "水温≤12℃" in alt.condition_b
    assert "B 未注明括号内数值的适用条件" in alt.caveat  # B's note is not read: pairing the brackets is an assumption
    # both notes say the same thing (here as a PDF's text layer has it: ℃ became C): no caveat
    b[0].condition["footnotes"] = ["括号外数值为水温>12 C 时的控制指标，括号内数值为水温≤12 C 时的控制指标。"]
    main, alt = compare_limits(a, b)
    assert alt.verdict == "looser" and alt.caveat is None and "括号外数值：水温>12C" in main.condition_b


def test_a_single_value_meets_both_values_of_a_bracket():
    a = [limit("氨氮", "<=", 15, "mg/L", table="1", footnotes=_COLD_NOTE)]
    b = [limit("氨氮", "<=", 25, "mg/L", table="1", alternative=30)]
    pairs = compare_limits(a, b)
    assert [(p.b, p.verdict, p.caveat) for p in pairs] == [("≤25", "stricter", None), ("≤30", "stricter", None)]
    assert "括号内数值" in pairs[1].condition_b and "水温≤12℃" in pairs[1].condition_b  # A's table note, shown as such


def test_brackets_that_mean_different_things_are_reported_not_paired():
    a = [limit("氨氮", "<=", 8, "mg/L", table="1", alternative=15, footnotes=_COLD_NOTE)]
    b = [limit("氨氮", "<=", 5, "mg/L", table="1", alternative=3, footnotes=["括号内数值为现有企业的限值"])]
    pairs = compare_limits(a, b)
    assert [(p.a, p.b, p.verdict) for p in pairs] == [("≤8", "≤5", "looser"), ("≤15", None, "only_a"),
                                                      (None, "≤3", "only_b")]
    assert "水温≤12℃" in pairs[1].condition_a and "现有企业" in pairs[2].condition_b
    # and a bracket without a counterpart is a row of its own
    special = [limit("氨氮", "<=", 5, "mg/L", table="2", special=True, alternative=8, footnotes=_COLD_NOTE)]
    assert [(p.a, p.verdict) for p in compare_limits(special, b)][:2] == [("≤5", "only_a"), ("≤8", "only_a")]


def test_unlawful_pairs_carry_the_caveat_when_the_titles_name_different_subjects():
    a, b = [_water(60, "一级标准")], [_water(50, "一级标准 / A 标准")]
    flagged = unlawful(compare_limits(a, b, a_scope=_RURAL, b_scope=_TOWN), True)
    assert len(flagged) == 1
    assert "须先核对适用范围" in flagged[0].caveat and flagged[0].caveat in flagged[0].reason
    # a stricter pair is not a breach: no scope caveat on it
    assert compare_limits([_water(40)], [_water(50)], a_scope=_RURAL, b_scope=_TOWN)[0].caveat is None


@pytest.mark.parametrize("a_title,a_column,b_title,b_column,caveat", [
    # B (flat glass) covers the A row that names flat glass, not a row of A's that could be any glass
    ("玻璃工业大气污染物排放标准", "平板玻璃 / 玻璃熔窑", "平板玻璃工业大气污染物排放标准", "玻璃熔窑", False),
    ("玻璃工业大气污染物排放标准", None, "平板玻璃工业大气污染物排放标准", None, True),
    # the same subject: B binds every row of A, whatever process the row names
    ("电镀水污染物排放标准", "镀铬", "电镀污染物排放标准", None, False),
    # a title with no subject words applies to everyone
    ("工业废水铊污染物排放标准", None, "污水综合排放标准", None, False),
    ("水污染物排放限值", "城镇二级污水处理厂", _TOWN, None, False),
    ("水污染物排放限值", "采矿、选矿、选煤工业", _TOWN, None, True),
    (_RURAL, None, _TOWN, None, True),
])
def test_the_scope_caveat_says_when_the_titles_do_not_show_b_applying_to_the_row(a_title, a_column, b_title, b_column,
                                                                                 caveat):
    a = limit("颗粒物", "<=", 60, column=a_column) if a_column else limit("颗粒物", "<=", 60)
    b = limit("颗粒物", "<=", 50, column=b_column) if b_column else limit("颗粒物", "<=", 50)
    flagged = unlawful([one(a, b, a_scope=a_title, b_scope=b_title)], True)
    assert len(flagged) == 1
    assert bool(flagged[0].caveat) == caveat, flagged[0]
    if caveat:
        assert "须先核对适用范围" in flagged[0].reason


def test_unlawful_writes_a_caveat_into_the_reason_if_it_is_missing():
    from compare.limits import LimitPair

    p = LimitPair("颗粒物", "≤60", "≤50", "mg/m³", "looser", None, caveat="须核对")
    assert unlawful([p], True)[0].reason == "须核对"
    assert unlawful([p], True)[0].reason == "须核对"  # idempotent: the report lists the same pair twice


# --- transitional limits ------------------------------------------------------------------------------------------

def _transitional_b(*, until: bool):
    """GB-style: 现有企业 执行表1 (至 2013年12月31日止, or only until table 2 starts); 自 2014年1月1日起 执行表2."""
    first = {"who": "现有企业", "from": "2011-10-01"} | ({"to": "2013-12-31"} if until else {})
    return [limit("二氧化硫", "<=", 600, table="1", applies=[first]),
            limit("二氧化硫", "<=", 400, table="2", applies=[{"who": "现有企业", "from": "2014-01-01"}])]


@pytest.mark.parametrize("until", [True, False])
def test_a_limit_that_stopped_applying_is_expired_and_not_counted_as_stricter(until):
    from datetime import date

    a = [limit("二氧化硫", "<=", 500, table="1")]
    pairs = compare_limits(a, _transitional_b(until=until), today=date(2026, 1, 1))
    by_table = {p.condition_b.split(" / ")[0]: p for p in pairs}
    assert by_table["表1"].verdict == "expired"
    assert "2013-12-31 停止执行" in by_table["表1"].reason and "不计入宽严结论" in by_table["表1"].reason
    assert by_table["表2"].verdict == "looser"
    assert [p.condition_b for p in unlawful(pairs, True)] == [by_table["表2"].condition_b]
    # while table 1 still applied, it counted like any other limit
    before = compare_limits(a, _transitional_b(until=until), today=date(2012, 6, 1))
    assert sorted(p.verdict for p in before) == ["looser", "stricter"]


def test_an_expired_limit_without_a_counterpart_says_so():
    from datetime import date

    pairs = compare_limits([], _transitional_b(until=True)[:1], today=date(2026, 1, 1))
    assert [p.verdict for p in pairs] == ["only_b"] and "停止执行" in pairs[0].reason


def test_a_report_does_not_count_an_expired_limit_in_a_stricter():
    from datetime import date

    from compare.report import compare_documents
    from compare.tests.helpers import doc

    a = doc([("1", "范围", "示例")], number="DB44/ 9001—2024", title="示例", limits=[limit("二氧化硫", "<=", 500)])
    b = doc([("1", "范围", "示例")], number="GB 9002—2011", title="示例", limits=_transitional_b(until=True))
    report = compare_documents(a, b, today=date(2026, 1, 1))
    assert report["limit_summary"] == {"expired": 1, "looser": 1}


def test_notes_are_stored_with_their_message_ids_and_read_in_english():
    """A pair's reason and conditions keep their Chinese text and carry message ids and parameters, so the report
    page renders them in the reader's language (yuebiao.messages)."""
    import json
    from datetime import date

    from yuebiao.messages import render_stored

    english = {"{expiry}，不计入宽严结论（按数值：A {verdict} B）": "{expiry}; not counted (A {verdict} B)",
               "{side} 的此项限值为过渡期限值，已于 {date} 停止执行": "{side}'s limit stopped on {date}",
               "表{table}": "Table {table}", "严于": "stricter than", "至 {date} 止": "until {date}"}
    a = [limit("二氧化硫", "<=", 500, table="1")]
    pairs = compare_limits(a, _transitional_b(until=True), today=date(2026, 1, 1))
    stored = json.loads(json.dumps([p.to_dict() for p in pairs], ensure_ascii=False))
    expired = [p for p in stored if p["verdict"] == "expired"][0]
    assert expired["reason"] == "B 的此项限值为过渡期限值，已于 2013-12-31 停止执行，不计入宽严结论（按数值：A 严于 B）"
    assert expired["reason_id"] == "{expiry}，不计入宽严结论（按数值：A {verdict} B）"
    assert render_stored(expired, "reason", lambda s: english.get(s, s)) == \
        "B's limit stopped on 2013-12-31; not counted (A stricter than B)"
    assert render_stored(expired, "condition_b", lambda s: english.get(s, s)).startswith("Table 1 / ")
    assert render_stored(expired, "condition_b", lambda s: s) == expired["condition_b"]
