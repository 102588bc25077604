"""The scorer of smart.accuracy: normalisation and one-to-one limit matching (pure, no corpus)."""

from __future__ import annotations

from smart import accuracy


def _limit(table, parameter, value, unit="mg/m³", comparator="<=", **condition):
    return {"parameter": parameter, "comparator": comparator, "value": value, "unit": unit,
            "condition": {"table": table, **condition}}


def _row(table, parameter, value, unit="mg/m³", comparator="<=", **conditions):
    return {"table": table, "parameter": parameter, "comparator": comparator, "value": value, "unit": unit,
            "conditions": conditions}


def test_text_normalisation_width_dashes_spaces():
    assert accuracy.norm_text("ＧＢ １６２９７—１９９６") == accuracy.norm_text("GB 16297-1996") == "gb16297-1996"
    assert accuracy.norm_text("SO₂") == "so2"


def test_parameter_marks_and_brackets():
    assert accuracy.params_agree("颗粒物ᵃ", "颗粒物")
    assert accuracy.params_agree("苯系物注1", "苯系物")
    assert accuracy.params_agree("氮氧化物（以NO₂计）", "氮氧化物(以NO2计)")
    assert accuracy.params_agree("化学需氧量（CODCr）", "化学需氧量")
    assert accuracy.params_agree("化学需氧量（CODCr）", "化学需氧量(CODcr)")
    assert not accuracy.params_agree("氮氧化物（以NO₂计）", "氮氧化物（以NO计）")
    assert not accuracy.params_agree("二氧化硫", "二氧化氮")


def test_units_comparators_values():
    assert accuracy.norm_unit("") == accuracy.norm_unit("无量纲") == accuracy.norm_unit(None)
    assert accuracy.norm_unit("mg/m³") == accuracy.norm_unit("mg/m3")
    assert accuracy.norm_unit("μmol/mol") != accuracy.norm_unit("mmol/mol")
    assert accuracy.norm_comparator("≤") == "<="
    assert accuracy.values_agree(2300, 2300.0) and accuracy.values_agree([6, 9], [6.0, 9])
    assert not accuracy.values_agree([6, 9], 6) and not accuracy.values_agree(0.5, 0.05)


def test_averaging_spellings():
    one_hour = {accuracy.norm_averaging(t) for t in ("任何1 h平均", "1小时平均值", "小时均值", "1 h 平均")}
    assert one_hour == {"1h"}
    assert accuracy.norm_averaging("日均值") == accuracy.norm_averaging("24小时平均") == "日"
    assert accuracy.norm_averaging("昼间") != accuracy.norm_averaging("夜间")


def test_period_from_text_and_from_the_parser():
    expected = accuracy.period_key("新建企业自2011年3月1日起；现有企业自2013年10月1日起")
    parser = accuracy.period_key(parser_condition={"period": "新建企业", "applies": [
        {"who": "新建企业", "from": "2011-03-01"}, {"who": "现有企业", "from": "2013-10-01"}]})
    assert expected == parser == (frozenset({"新建", "现有"}), frozenset({"2011-03-01", "2013-10-01"}))
    assert accuracy.period_key("第Ⅱ时段") == accuracy.period_key("第二时段")
    assert accuracy.period_key("现有企业") != accuracy.period_key(parser_condition={})


def test_conditions_agree_and_say_what_differs():
    cond = {"table": "3", "special": True, "source": "燃煤锅炉 / 新建", "time_basis": "1 h 平均"}
    assert accuracy.conditions_agree({"special": True, "facility": "燃煤锅炉", "averaging": "1小时平均值"}, cond)
    assert accuracy.condition_mismatches({"facility": "燃油锅炉", "averaging": "1小时平均值"}, cond) == [
        "facility", "special"]


def test_limit_matching_is_one_to_one_and_prefers_full_agreement():
    expected = [_row("1", "pH值", [6, 9], "", "range", other="直接排放"),
                _row("1", "pH值", [6, 9], "", "range", special=True)]
    got = [_limit("1", "pH值", [6, 9], "无量纲", "range"), _limit("1", "pH值", [6, 9], "无量纲", "range", special=True),
           _limit("1", "pH值", [6, 9], "无量纲", "range")]
    assert accuracy.match_limits(expected, got) == [(0, 0), (1, 1)]
    rows, conditions = accuracy.limit_counts(expected, got)
    assert rows == {"tp": 2, "fp": 1, "fn": 0} and conditions == {"tp": 2, "fp": 1, "fn": 0}


def test_a_wrong_unit_or_table_is_not_a_row():
    expected = [_row("1", "二氧化硫", 200), _row("2", "颗粒物", 30)]
    got = [_limit("1", "二氧化硫", 200, unit="kg/h"), _limit("3", "颗粒物", 30)]
    rows, _ = accuracy.limit_counts(expected, got)
    assert rows == {"tp": 0, "fp": 2, "fn": 2}
    kinds = [m["kind"] for m in accuracy.limit_mismatches(expected, got)]
    assert kinds == ["wrong", "missing", "extra"]


def test_score_of_a_small_document():
    expected = {"metadata": {"title_zh": "测试标准", "ics": ["13.040.40"], "ccs": None},
                "clauses": ["1", "2", "2.1"], "annexes": [{"number": "A"}], "annex_clauses": ["A.1"],
                "terms": [{"number": "3.1", "zh": "标准状态"}], "references": ["GB/T 16157", "《某办法》"],
                "limits": [_row("1", "颗粒物", 30)]}
    document = {"metadata": {"title_zh": "测试 标准", "ics": [], "ccs": "Z 60"},
                "clauses": [{"number": "1"}, {"number": "2", "children": [{"number": "2.2"}]}],
                "annexes": [{"number": "A", "children": [{"number": "A.1"}]}],
                "terms": [{"number": "3.1", "zh": "标准状态"}],
                "references": [{"number": "GB/T 16157", "parsed": True}],
                "limits": [_limit("1", "颗粒物ᵃ", 30)]}
    s = accuracy.score(expected, document)
    assert s["metadata"] == {"tp": 1, "fp": 1, "fn": 1}
    assert s["clauses"] == {"tp": 2, "fp": 1, "fn": 1}
    assert s["annex_clauses"] == {"tp": 1, "fp": 0, "fn": 0}
    assert s["references"] == {"tp": 1, "fp": 0, "fn": 0}
    assert s["limits"] == s["limit_conditions"] == {"tp": 1, "fp": 0, "fn": 0}
    assert accuracy.precision_recall(s["clauses"]) == (2 / 3, 2 / 3)


def test_expected_period_without_dates_does_not_judge_the_parsers_dates():
    cond = {"period": "新建企业", "applies": [{"who": "现有企业", "from": "2015-07-01"}]}
    assert accuracy.condition_mismatches({"period": "现有与新建企业"}, cond) == []
    assert accuracy.condition_mismatches({"period": "自2014年1月1日起现有与新建企业"}, cond) == ["period"]
    assert accuracy.condition_mismatches({"period": "现有企业"}, cond) == ["period"]


def test_terms_compare_without_spaces_or_bracketed_abbreviation():
    assert accuracy.term_key({"number": "3.3", "zh": "A 声级"}) == accuracy.term_key({"number": "3.3", "zh": "A声级"})
    assert accuracy.term_key({"number": "3.8", "zh": "二噁英类毒性当量（TEQ）"}) == ("3.8", "二噁英类毒性当量")
