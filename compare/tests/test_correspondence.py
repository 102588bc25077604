"""Degree of correspondence (IDT/MOD/NEQ, GB/T 20000.2): suggestion, reasons, foreword declaration, languages."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.correspondence import COUNTERPART_MOD, declared_degree, language, suggest_degree
from compare.report import compare_documents
from smart.model import Block, Reference, Section, Term

from .helpers import doc, limit

ISO = "ISO 11111:2015"
GBT = "GB/T 30001—2020"

CLAUSES = [
    ("1", "范围", "本标准规定了玻璃熔窑大气污染物排放限值、监测和监控要求。"),
    ("2", "规范性引用文件", "下列文件对于本文件的应用是必不可少的。"),
    ("3", "术语和定义", "下列术语和定义适用于本文件。"),
    ("4", "排放控制要求", "企业应执行表1规定的大气污染物排放限值。"),
    ("4.1", "有组织排放", "排气筒高度不应低于15 m，并应高出周围200 m半径范围内建筑物3 m以上。"),
    ("4.2", "无组织排放", "企业在原料破碎、筛分、储存等阶段应封闭操作，防止无组织排放。"),
    ("5", "监测要求", "企业应按照有关法律和《环境监测管理办法》的规定，建立企业监测制度。"),
    ("5.1", "采样", "采样点的设置与采样方法按GB/T 16157的规定执行，试验温度为30 ℃。"),
]

ENGLISH = [
    ("1", "Scope", "This document specifies emission limits of air pollutants from glass furnaces, monitoring and "
                   "control requirements."),
    ("2", "Normative references", "The following documents are indispensable for the application of this document."),
    ("3", "Terms and definitions", "For the purposes of this document, the following terms and definitions apply."),
    ("4", "Emission control", "Enterprises shall apply the emission limits given in Table 1."),
    ("4.1", "Stack emissions", "The stack shall be not lower than 15 m and at least 3 m above buildings within a "
                               "radius of 200 m."),
    ("4.2", "Fugitive emissions", "Crushing, screening and storage of raw materials shall be enclosed."),
    ("5", "Monitoring", "Enterprises shall establish a monitoring system according to the relevant laws."),
    ("5.1", "Sampling", "Sampling points and methods shall follow ISO 9096; the test temperature is 30 °C."),
]

LIMITS = [limit("颗粒物", "<=", 30), limit("二氧化硫", "<=", 200), limit("氮氧化物", "<=", 400)]


def foreword(text: str) -> Section:
    return Section("前言", [Block("paragraph", line) for line in text.split("\n")])


def run(a, b) -> dict:
    report = compare_documents(a, b)
    assert json.loads(json.dumps(report, ensure_ascii=False))["correspondence"] == report["correspondence"]
    return report["correspondence"]


def test_identical_content_is_idt_and_says_it_is_a_suggestion():
    a = doc(CLAUSES, number=GBT, limits=LIMITS)
    b = doc(CLAUSES, number=ISO, limits=LIMITS)
    c = run(a, b)
    assert c["applicable"] is True and c["suggested"] == "IDT"
    assert c["deviations"] == [] and c["evidence"]["text_compared"] is True
    assert c["evidence"]["counterpart_share"] == 1.0 and c["evidence"]["structure_identical"] is True
    assert "B 的 8 条中 8 条在 A 中有对应（100%" in c["reasons"][1]
    assert any("3 项限值与 B 相同" in r for r in c["reasons"])
    assert "建议" in c["reasons"][-1] and "起草组" in c["reasons"][-1]
    assert c["declared"] is None and c["agrees_with_declared"] is None


def test_one_different_limit_is_mod_and_the_limit_is_named():
    a = doc(CLAUSES, number=GBT, limits=[limit("颗粒物", "<=", 20)] + LIMITS[1:])
    b = doc(CLAUSES, number=ISO, limits=LIMITS)
    c = run(a, b)
    assert c["suggested"] == "MOD"
    assert [d["what"] for d in c["deviations"]] == ["颗粒物"]
    reason = next(r for r in c["reasons"] if "项限值与 B 不同" in r)
    assert reason.startswith("1 项限值与 B 不同：颗粒物（mg/m³）：A ≤20，B ≤30") and "A 严于 B" in reason
    assert any("前言中逐一指明" in r for r in c["reasons"])


def test_few_corresponding_clauses_is_neq():
    other = [("1", "范围", "本标准规定了陶瓷砖的吸水率、破坏强度和断裂模数的试验方法。"),
             ("2", "术语", "吸水率是指陶瓷砖在规定条件下吸收水分的质量分数。"),
             ("3", "试验设备", "干燥箱能在110 ℃下工作，天平的精度为试样质量的0.01%。"),
             ("4", "试样", "每种类型的砖取10块整砖进行试验。")]
    a = doc(CLAUSES[:2] + other[1:], number=GBT)
    b = doc(CLAUSES, number=ISO)
    c = run(a, b)
    assert c["suggested"] == "NEQ"
    assert c["evidence"]["counterpart_share"] < COUNTERPART_MOD
    assert any(r.startswith("B 的 8 条中 2 条在 A 中有对应（25%") for r in c["reasons"])
    assert {d["kind"] for d in c["deviations"]} >= {"clause_only_a", "clause_only_b"}


def test_national_b_is_not_applicable():
    c = run(doc(CLAUSES, number="DB44/ 2159—2019"), doc(CLAUSES, number="GB 26453—2011"))
    assert c["applicable"] is False and c["suggested"] is None
    assert c["reasons"] == ["B 不是国际标准：GB/T 20000.2 的一致性程度只用于采用国际标准"]
    assert c["evidence"]["b_level"] == "national"


def test_unparsed_b_number_and_international_a_are_not_applicable():
    c = run(doc(CLAUSES, number=GBT), doc(CLAUSES, number="某企业内部规范"))
    assert c["applicable"] is False and "无法识别 B 的标准号" in c["reasons"][0]
    c = run(doc(CLAUSES, number="ISO 22222:2018"), doc(CLAUSES, number=ISO))
    assert c["applicable"] is False and "A 本身是国际或国外标准" in c["reasons"][0]


def test_foreign_b_is_applicable_with_a_note():
    c = run(doc(CLAUSES, number=GBT), doc(CLAUSES, number="ASTM D638-14"))
    assert c["applicable"] is True and c["suggested"] == "IDT" and c["evidence"]["b_level"] == "foreign"
    assert "国外标准" in c["reasons"][0]


def test_declared_degree_disagreeing_with_the_suggestion_is_reported():
    a = doc(CLAUSES, number=GBT, limits=LIMITS)
    a.foreword = foreword("本标准按照GB/T 1.1—2009给出的规则起草。\n本标准使用重新起草法修改采用ISO 11111:2015《玻璃熔窑排放》。")
    c = run(a, doc(CLAUSES, number=ISO, limits=LIMITS))
    assert c["suggested"] == "IDT"
    assert c["declared"]["degree"] == "MOD" and c["declared"]["method"] == "重新起草法"
    assert c["declared"]["number"] == "ISO 11111:2015" and c["declared"]["about_b"] is True
    assert c["agrees_with_declared"] is False
    assert any("修改采用" in r and "不一致" in r for r in c["reasons"])


def test_declared_degree_agreeing():
    a = doc(CLAUSES, number=GBT, limits=[limit("颗粒物", "<=", 20)])
    a.foreword = foreword("本文件使用翻译法等同采用ISO 11111:2015。")
    c = run(a, doc(CLAUSES, number=ISO, limits=[limit("颗粒物", "<=", 30)]))
    assert c["suggested"] == "MOD" and c["agrees_with_declared"] is False
    a.foreword = foreword("本文件修改采用ISO 11111:2015。")
    c = run(a, doc(CLAUSES, number=ISO, limits=[limit("颗粒物", "<=", 30)]))
    assert c["agrees_with_declared"] is True


def test_declaration_of_another_standard_is_not_compared():
    a = doc(CLAUSES, number=GBT)
    a.foreword = foreword("本标准使用翻译法等同采用ISO 9999:2010。")
    c = run(a, doc(CLAUSES, number=ISO))
    assert c["declared"]["about_b"] is False and c["agrees_with_declared"] is None
    assert any("所指标准不是 B" in r for r in c["reasons"])


@pytest.mark.parametrize("text, phrase, degree, number", [
    ("本标准使用翻译法等同采用ISO 12345:2010《塑料 拉伸性能的测定》。", "等同采用", "IDT", "ISO 12345:2010"),
    ("本文件使用重新起草法修改采用IEC 60335-1:2020。", "修改采用", "MOD", "IEC 60335-1:2020"),
    ("本标准与ISO 12345:2010的一致性程度为非等效。", "非等效", "NEQ", "ISO 12345:2010"),
    ("本标准非等效采用ISO/IEC 17025:2005。", "非等效采用", "NEQ", "ISO/IEC 17025:2005"),
    ("本标准等效采用ISO 12345-1990。", "等效采用", None, "ISO 12345:1990"),
    ("本标准参照ISO 12345:2010编制。", "参照", None, "ISO 12345:2010"),
    ("本标准使用翻译法等同采用ＩＳＯ　１２３４５：２０１０。", "等同采用", "IDT", "ISO 12345:2010"),
    ("Plastics (ISO 12345:2010, MOD)", "MOD", "MOD", "ISO 12345:2010"),
])
def test_foreword_declarations_are_read(text, phrase, degree, number):
    a = doc(CLAUSES, number=GBT)
    a.foreword = foreword("本标准由全国塑料标准化技术委员会提出。\n" + text)
    d = declared_degree(a, "ISO 12345:2010")
    assert (d["phrase"], d["degree"], d["number"]) == (phrase, degree, number)


@pytest.mark.parametrize("text", ["本标准按照GB/T 1.1—2009给出的规则起草。", "本标准编制过程中参考了国内外有关资料。",
                                  "本标准的参考文献列出了ISO 9001:2015。", ""])
def test_forewords_without_a_declaration(text):
    a = doc(CLAUSES, number=GBT)
    a.foreword = foreword(text)
    assert declared_degree(a, ISO) is None


def test_obsolete_degree_word_is_named_and_not_compared():
    a = doc(CLAUSES, number=GBT)
    a.foreword = foreword("本标准参照采用ISO 11111:2015。")
    c = run(a, doc(CLAUSES, number=ISO))
    assert c["declared"]["degree"] is None and c["agrees_with_declared"] is None
    assert any("不是现行 GB/T 20000.2 的一致性程度" in r for r in c["reasons"])


def test_chinese_against_english_does_not_compare_text():
    a = doc(CLAUSES, number=GBT)
    b = doc(ENGLISH, number=ISO)
    assert (language(a), language(b)) == ("zh", "latin")
    c = run(a, b)
    assert c["evidence"]["text_compared"] is False and c["evidence"]["mean_pair_score"] is None
    assert "条文文字不可直接比较，未比较" in c["reasons"][0]
    assert any("B 的 8 条中 8 条在 A 中有对应（100%，按条款编号）" in r for r in c["reasons"])
    assert c["suggested"] == "IDT"  # nothing found against it, but the text itself was not checked:
    assert any("人工核对" in r for r in c["reasons"])
    assert c["to_check"] and "条文文字未比较" in c["to_check"][0]


def test_chinese_against_english_with_clauses_dropped_and_numbers_changed():
    a = doc([c for c in CLAUSES if c[0] not in ("4.2", "5.1")], number=GBT)
    english = [(n, t, x.replace("15 m", "25 m")) for n, t, x in ENGLISH]
    c = run(a, doc(english, number=ISO))
    assert c["suggested"] == "MOD"
    assert [d["what"] for d in c["deviations"] if d["kind"] == "clause_only_b"] == ["条款 4.2", "条款 5.1"]
    assert any("数字不同" in t and "4.1" in t for t in c["to_check"])  # a hint, not a deviation across languages
    assert not any(d["kind"] == "number" for d in c["deviations"])


def test_english_limits_not_read_are_to_check_not_deviations():
    c = run(doc(CLAUSES, number=GBT, limits=LIMITS), doc(ENGLISH, number=ISO))
    assert c["evidence"]["limits_compared"] is False
    assert not any(d["kind"] == "limit" for d in c["deviations"])
    assert any("限值未比较" in t for t in c["to_check"])


def test_changed_number_in_a_clause_is_a_deviation():
    b_clauses = [(n, t, x.replace("30 ℃", "50 ℃")) for n, t, x in CLAUSES]
    c = run(doc(CLAUSES, number=GBT), doc(b_clauses, number=ISO))
    assert c["suggested"] == "MOD"
    assert [(d["kind"], d["what"]) for d in c["deviations"]] == [("number", "条款 5.1")]
    assert any("数值不同：5.1（A：30；B：50）" in r for r in c["reasons"])


def test_renumbered_structure_is_mod_with_a_structure_comparison():
    renumbered = [(f"{int(n.split('.')[0]) + 1}" + n[1:], t, x) for n, t, x in CLAUSES]
    c = run(doc(renumbered, number=GBT), doc(CLAUSES, number=ISO))
    assert c["suggested"] == "MOD" and c["evidence"]["structure_identical"] is False
    assert any("结构对照" in r for r in c["reasons"])


def test_terms_and_references():
    terms = [Term("3.1", "玻璃熔窑", definition="熔化玻璃配合料的热工设备。")]
    iso_ref = Reference("ISO 9096:2017", year=2017, dated=True, raw="ISO 9096:2017")
    gb_ref = Reference("GB/T 16157—1996", year=1996, dated=True, raw="GB/T 16157—1996")
    a = doc(CLAUSES, number=GBT, terms=terms, references=[gb_ref])
    b = doc(CLAUSES, number=ISO, terms=terms, references=[iso_ref])
    c = run(a, b)
    # an international reference replaced by a national one is to be checked, not a deviation
    assert c["suggested"] == "IDT" and any("ISO 9096:2017 → GB/T 16157—1996" in t for t in c["to_check"])
    other = [Term("3.1", "玻璃熔窑", definition="以天然气为燃料熔制平板玻璃的设备，不含电熔窑和坩埚窑。")]
    extra = Reference("GB 3095—2012", year=2012, dated=True, raw="GB 3095—2012")
    a = doc(CLAUSES, number=GBT, terms=other, references=[gb_ref, extra])
    c = run(a, b)
    assert c["suggested"] == "MOD"
    kinds = {(d["kind"], d["what"]) for d in c["deviations"]}
    assert ("term", "术语“玻璃熔窑”") in kinds and ("reference", "GB 3095—2012") in kinds


def test_unparsed_b_gives_no_suggestion():
    c = run(doc(CLAUSES, number=GBT), doc([], number=ISO))
    assert c["applicable"] is True and c["suggested"] is None
    assert any("不给出建议" in r for r in c["reasons"])


WORDS = "排放 限值 监测 企业 玻璃 熔窑 颗粒物 二氧化硫 采样 方法 设备 处理 系统 浓度 控制 工艺 原料 记录".split()
clause_lists = st.lists(
    st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map("".join),
              st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map("".join)),
    min_size=1, max_size=12,
).map(lambda cs: [(f"{k + 1}", t, x) for k, (t, x) in enumerate(cs)])
limit_lists = st.lists(
    st.tuples(st.sampled_from(["颗粒物", "二氧化硫", "氮氧化物", "氯化氢"]), st.integers(1, 5).map(lambda v: v * 10)),
    max_size=4, unique_by=lambda t: t[0],
).map(lambda ls: [limit(p, "<=", v) for p, v in ls])


@settings(max_examples=40, deadline=None)
@given(clause_lists, limit_lists)
def test_a_document_adopting_itself_is_always_idt(clauses, limits):
    c = run(doc(clauses, number=GBT, limits=limits), doc(clauses, number=ISO, limits=limits))
    assert c["suggested"] == "IDT", c["reasons"]


@settings(max_examples=40, deadline=None)
@given(clause_lists, limit_lists, limit_lists)
def test_never_idt_when_a_limit_is_not_equal(clauses, limits_a, limits_b):
    a, b = doc(clauses, number=GBT, limits=limits_a), doc(clauses, number=ISO, limits=limits_b)
    report = compare_documents(a, b)
    c = report["correspondence"]
    if any(p["verdict"] != "equal" for p in report["limits"]):
        assert c["suggested"] != "IDT"
        assert c["evidence"]["limits_differing"] == sum(p["verdict"] != "equal" for p in report["limits"])
    else:
        assert c["suggested"] == "IDT"
    assert c["reasons"][-1].endswith("一致性程度最终由起草组确定。")


def test_too_little_text_to_tell_the_language_is_still_compared():
    # found by the property below: a nearly empty clause list was taken for two languages and the limits skipped
    a = doc([("1", "排放", "")], number=GBT, limits=[limit("颗粒物", "<=", 10)])
    c = run(a, doc([("1", "排放", "")], number=ISO))
    assert c["evidence"]["language_a"] is None and c["evidence"]["text_compared"] is True
    assert c["suggested"] == "MOD" and [d["detail"] for d in c["deviations"]] == ["颗粒物（mg/m³）：A ≤10，B 无（仅 A 有）"]


def test_a_not_comparable_limit_in_the_report_is_a_deviation_too():
    a, b = doc(CLAUSES, number=GBT), doc(CLAUSES, number=ISO)
    report = compare_documents(a, b)
    assert suggest_degree(a, b, report)["suggested"] == "IDT"
    report["limits"] = [{"parameter": "烟气黑度", "a": "≤1", "b": "≤1", "unit": "级", "verdict": "not_comparable",
                         "reason": "单位不可换算：mg/m³ vs 级"}]
    c = suggest_degree(a, b, report)
    assert c["suggested"] == "MOD"
    assert c["deviations"] == [{"kind": "limit", "what": "烟气黑度", "detail": "烟气黑度（级）：A ≤1，B ≤1（无法比较）"}]
