"""Finding counterparts, the pure ranking: signals, level and status preferences, pruning, invariants."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from compare import ranking
from compare.align import features, to_simplified
from compare.ranking import Candidate, rank

GLASS_LOCAL = Candidate(
    None, "DB44/ 2159—2019", "玻璃工业大气污染物排放标准", "Emission standard of air pollutants for glass industry",
    "本标准规定了玻璃工业大气污染物排放控制要求、监测和监控要求。", ["13.040.40"], "local", "mandatory", "current",
    {"颗粒物", "二氧化硫", "氮氧化物", "氟化物"},
)
FLAT_GLASS = Candidate(
    1, "GB 26453—2011", "平板玻璃工业大气污染物排放标准", "Emission standard of air pollutants for flat glass industry",
    "本标准规定了平板玻璃制造企业大气污染物排放限值、监测和监控要求。", ["13.040.40"], "national", "mandatory", "current",
    {"颗粒物", "二氧化硫", "氮氧化物", "氟化物", "氯化氢"},
)
DECOYS = [
    Candidate(2, "GB 39726—2020", "铸造工业大气污染物排放标准", "Emission standard of air pollutants for foundry industry",
              "本标准规定了铸造工业大气污染物排放控制要求。", ["13.040.20"], "national", "mandatory", "current",
              {"颗粒物", "二氧化硫", "氮氧化物"}),
    Candidate(3, "GB/T 11614—2009", "平板玻璃", "Flat glass", "本标准规定了平板玻璃的分类、要求和试验方法。",
              ["81.040.20"], "national", "recommended", "current"),
    Candidate(4, "GB 26453—2005", "平板玻璃工业大气污染物排放标准", "", "", ["13.040.40"], "national", "mandatory",
              "withdrawn"),
    Candidate(5, "GB 8978—1996", "污水综合排放标准", "Integrated wastewater discharge standard", "", ["13.060.30"],
              "national", "mandatory", "current", {"化学需氧量", "氨氮"}),
    Candidate(6, "JGJ 113—2015", "建筑玻璃应用技术规程", "", "", [], "industry", "mandatory", "current"),
]


def numbers(matches) -> list[str]:
    return [m.candidate.number for m in matches]


def test_a_signal_the_subject_lacks_is_left_out():
    bare = replace(GLASS_LOCAL, ics=[], scope="", parameters=set(), title_en="")
    match = rank(bare, [FLAT_GLASS])[0]
    assert match.components["base"] == match.components["title"]


def test_the_national_counterpart_ranks_first_with_its_reasons():
    matches = rank(GLASS_LOCAL, [*DECOYS, FLAT_GLASS])
    assert numbers(matches)[0] == "GB 26453—2011"
    best = matches[0]
    assert "同一 ICS 分类 13.040.40" in best.reasons
    assert any(r.startswith("共有参数 4 项：") and "颗粒物" in r for r in best.reasons), best.reasons
    assert any(r.startswith("适用范围相似度") for r in best.reasons)
    assert any(r.startswith("层级：国家标准") for r in best.reasons)
    assert best.components["ics"] == 1.0 and best.components["parameters"] == 0.8
    assert 0.0 < best.score <= 1.0


def test_withdrawn_edition_is_kept_but_lower_and_flagged():
    matches = rank(GLASS_LOCAL, [*DECOYS, FLAT_GLASS])
    by_number = {m.candidate.number: m for m in matches}
    old = by_number["GB 26453—2005"]
    assert "已废止" in old.reasons
    assert old.score < by_number["GB 26453—2011"].score
    same_but_current = rank(GLASS_LOCAL, [replace(DECOYS[2], status="current")])[0]
    assert old.score < same_but_current.score
    assert "已废止" not in same_but_current.reasons


def test_ics_overlap_exact_beats_group_beats_field():
    base = replace(FLAT_GLASS, scope="", parameters=set(), title_en="")
    pool = [replace(base, id=10, number="GB 10—2020", ics=["13.040.40"]),
            replace(base, id=11, number="GB 11—2020", ics=["13.040.99"]),
            replace(base, id=12, number="GB 12—2020", ics=["13.060.30"]),
            replace(base, id=13, number="GB 13—2020", ics=["81.040.20"])]
    matches = rank(replace(GLASS_LOCAL, scope="", parameters=set(), title_en=""), pool)
    assert numbers(matches) == ["GB 10—2020", "GB 11—2020", "GB 12—2020", "GB 13—2020"]
    reasons = [m.reasons[0] for m in matches]
    assert reasons[:3] == ["同一 ICS 分类 13.040.40", "ICS 同属 13.040", "ICS 同属 13 大类"]
    assert [m.components["ics"] for m in matches] == [ranking.ICS_EXACT, ranking.ICS_GROUP, ranking.ICS_FIELD, 0.0]


def test_a_signal_only_the_candidate_lacks_counts_as_neutral():
    no_ics = replace(FLAT_GLASS, ics=[])
    other_ics = replace(FLAT_GLASS, id=9, number="GB 9—2020", ics=["81.040.20"])
    matches = {m.candidate.number: m for m in rank(GLASS_LOCAL, [no_ics, other_ics])}
    assert matches["GB 26453—2011"].components["ics"] is None
    assert matches["GB 26453—2011"].score > matches["GB 9—2020"].score
    # more evidence does not lose: a partial parameter overlap against parameters never parsed
    unparsed = replace(FLAT_GLASS, id=8, number="GB 8—2020", parameters=set())
    partial = replace(FLAT_GLASS, parameters=GLASS_LOCAL.parameters | {"氯化氢", "锡及其化合物", "烟气黑度"})
    matches = {m.candidate.number: m for m in rank(GLASS_LOCAL, [unparsed, partial])}
    assert matches["GB 26453—2011"].components["parameters"] == round(4 / 7, 4)
    assert matches["GB 26453—2011"].score > matches["GB 8—2020"].score
    # unknown is not disjoint: limits never parsed count as weak agreement, regulating other pollutants as none
    water = replace(FLAT_GLASS, id=7, number="GB 7—2020", parameters={"化学需氧量", "氨氮"})
    matches = {m.candidate.number: m for m in rank(GLASS_LOCAL, [unparsed, water])}
    assert matches["GB 7—2020"].components["parameters"] == 0.0
    assert matches["GB 8—2020"].score > matches["GB 7—2020"].score
    c = matches["GB 8—2020"].components
    expected = (ranking.TITLE_WEIGHT * c["title"] + ranking.ICS_WEIGHT * c["ics"] + ranking.SCOPE_WEIGHT * c["scope"]
                + ranking.PARAMETER_WEIGHT * ranking.UNKNOWN_SIGNAL)
    assert abs(c["base"] - expected) < 1e-3


def test_traditional_chinese_title_matches_its_simplified_form():
    macau = Candidate(20, "DB44/ 9—2020", "玻璃工業大氣污染物排放標準", level="local", status="current")
    unrelated = Candidate(21, "GB 21—2020", "食品安全国家标准 食品添加剂使用标准", level="national")
    matches = rank(replace(GLASS_LOCAL, ics=[], scope="", parameters=set(), title_en=""), [macau, unrelated])
    assert numbers(matches)[0] == "DB44/ 9—2020"
    assert matches[0].components["title_zh"] == 1.0
    assert matches[0].candidate.title_zh == "玻璃工業大氣污染物排放標準"  # shown as written


def test_level_preference_local_subject_prefers_national():
    twin = replace(FLAT_GLASS, scope="", parameters=set())
    national = replace(twin, id=30, number="GB 30—2020", level="national")
    local = replace(twin, id=31, number="DB44/ 31—2020", level="local")
    group = replace(twin, id=32, number="T/GDES 032—2020", level="group", nature="")
    matches = rank(GLASS_LOCAL, [local, group, national])
    assert numbers(matches)[0] == "GB 30—2020"
    by_number = {m.candidate.number: m for m in matches}
    assert by_number["DB44/ 31—2020"].components["level"] == ranking.LEVEL_OTHER_FACTOR
    assert "层级：同为地方标准，排序略降" in by_number["DB44/ 31—2020"].reasons


def test_level_preference_national_subject_prefers_international_and_local():
    subject = replace(FLAT_GLASS, parameters=set(), scope="")
    twin = replace(subject, id=None)
    local = replace(twin, id=40, number="DB44/ 40—2020", level="local")
    intl = replace(twin, id=41, number="ISO 41:2020", level="international", nature="")
    industry = replace(twin, id=42, number="HJ 42—2020", level="industry")
    matches = {m.candidate.number: m for m in rank(subject, [industry, local, intl])}
    assert matches["DB44/ 40—2020"].score > matches["HJ 42—2020"].score
    assert "层级：地方标准，其限值不得宽于国家标准" in matches["DB44/ 40—2020"].reasons
    assert matches["ISO 41:2020"].components["level"] == 1.0
    assert any("采标程度" in r for r in matches["ISO 41:2020"].reasons)


def test_another_edition_of_the_subject_is_marked():
    subject = replace(FLAT_GLASS, number="GB 26453—2022", id=None)
    matches = rank(subject, [FLAT_GLASS])
    assert "同一标准的其他版本" in matches[0].reasons
    assert matches[0].components["edition"] == ranking.SAME_SERIES_FACTOR


def test_subject_is_excluded_by_number_however_printed_and_by_id():
    printed_otherwise = replace(GLASS_LOCAL, number="DB44/2159-2019")
    same = replace(GLASS_LOCAL, id=77)
    assert rank(printed_otherwise, [same, FLAT_GLASS]) and "DB44/ 2159—2019" not in numbers(
        rank(printed_otherwise, [same, FLAT_GLASS]))
    by_id = replace(GLASS_LOCAL, id=1, number="")
    assert "GB 26453—2011" not in numbers(rank(by_id, [FLAT_GLASS, *DECOYS]))


def test_unrelated_pool_gives_nothing_or_low_scores():
    pool = [Candidate(i, f"GB/T {100 + i}—2020", title, level="national")
            for i, title in enumerate(["荔枝干", "凉茶饮料", "家用空调器能效限定值", "电梯安装验收规范"])]
    matches = rank(replace(GLASS_LOCAL, ics=[], scope="", parameters=set(), title_en=""), pool)
    assert all(m.score < 0.2 for m in matches)
    assert rank(GLASS_LOCAL, []) == []


def test_cheap_features_are_align_features_without_jieba_words():
    for text in ["玻璃工业大气污染物排放标准", "GB/T 16157 固定污染源排气中颗粒物测定", "水", "pH 值 6～9"]:
        full, cheap = features(text), ranking.cheap_features(text)
        assert cheap <= full
        assert all(f.startswith("w:") for f in full - cheap), full - cheap


def test_traditional_check_gives_what_opencc_gives():
    import opencc

    converter = opencc.OpenCC("t2s")
    for text in ["玻璃工業大氣污染物排放標準", "本標準規定了", "一目瞭然", "答覆", "沈默", "玻璃工业大气污染物排放标准",
                 "Flat glass", "", "澳門特別行政區"]:
        assert ranking.simplified(text) == to_simplified(text) == converter.convert(text), text


def test_large_pool_is_pruned_before_scoring(monkeypatch):
    calls = {"rough": 0, "full": 0}
    real = ranking._Scorer.score

    def counting(self, cand, view, *, explain):
        calls["full" if explain else "rough"] += 1
        return real(self, cand, view, explain=explain)

    monkeypatch.setattr(ranking._Scorer, "score", counting)
    subjects = ["荔枝", "凉茶", "电梯", "家具", "服装", "口罩", "船舶", "民宿", "酱油", "菠萝"]
    aspects = ["通用技术要求", "检验方法", "服务规范", "术语", "安全要求"]
    pool = [Candidate(i, f"DB44/T {i}—2020", subjects[i % 10] + aspects[i // 10 % 5], level="local",
                      ics=[f"{60 + i % 10}.0{i % 7}0"]) for i in range(3000)]
    pool.append(FLAT_GLASS)
    matches = rank(GLASS_LOCAL, pool)
    assert numbers(matches)[0] == "GB 26453—2011"
    assert calls["rough"] < len(pool) // 10
    assert calls["full"] <= ranking.SHORTLIST


def test_progress_is_reported():
    seen = []
    rank(GLASS_LOCAL, [*DECOYS, FLAT_GLASS], progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (len(DECOYS) + 1, len(DECOYS) + 1)


def test_ranking_imports_without_django():
    code = "import sys, compare.ranking; assert 'django' not in sys.modules, 'django imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(Path(__file__).parents[2]))


# ---------------------------------------------------------------------------------------------------------------
# Properties

WORDS = ["玻璃", "陶瓷", "水泥", "电镀", "工业", "大气", "污染物", "排放", "标准", "技术", "规范", "检验", "方法",
         "荔枝", "凉茶", "電梯", "家具", "平板", "铸造", "要求"]
ICS = ["13.040.40", "13.040.20", "13.060.30", "81.040.20", "67.080.10", "91.100.25"]
PARAMS = ["颗粒物", "二氧化硫", "氮氧化物", "氟化物", "化学需氧量", "氨氮"]
LEVELS = ["national", "industry", "local", "group", "international"]

titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map("".join)
candidate_fields = st.fixed_dictionaries({
    "title_zh": titles,
    "scope": st.one_of(st.just(""), titles.map(lambda t: f"本标准规定了{t}的要求。")),
    "ics": st.lists(st.sampled_from(ICS), max_size=2, unique=True),
    "parameters": st.sets(st.sampled_from(PARAMS), max_size=4),
    "level": st.sampled_from(LEVELS),
    "status": st.sampled_from(["current", "withdrawn", "replaced", "upcoming"]),
})


def build(i: int, f: dict) -> Candidate:
    return Candidate(i, f"GB {1000 + i}—2020", f["title_zh"], "", f["scope"], f["ics"], f["level"], "mandatory",
                     f["status"], f["parameters"])


@settings(max_examples=60, deadline=None)
@given(candidate_fields, st.lists(candidate_fields, max_size=30), st.integers(min_value=1, max_value=10))
def test_scores_bounded_sorted_and_subject_never_returned(subject_fields, pool_fields, top):
    subject = build(0, subject_fields)
    pool = [build(i + 1, f) for i, f in enumerate(pool_fields)]
    pool.append(replace(subject, id=999))  # the subject again, under another id but its own number
    matches = rank(subject, pool, top=top)
    assert len(matches) <= top
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert subject.number not in numbers(matches)
    assert all(m.reasons and all(isinstance(r, str) for r in m.reasons) for m in matches)


@settings(max_examples=60, deadline=None)
@given(candidate_fields, st.lists(candidate_fields, max_size=30))
def test_a_candidate_identical_but_for_its_number_ranks_first(subject_fields, pool_fields):
    subject = build(0, subject_fields)
    # Among candidates of the subject's own level and status (the level and status preferences aside), nothing
    # can be more like the subject than its twin.
    pool = [replace(build(i + 1, f), level=subject.level, status=subject.status) for i, f in enumerate(pool_fields)]
    twin = replace(subject, id=500, number="GB 9500—2020")
    pool.insert(len(pool) // 2, twin)
    matches = rank(subject, pool, top=len(pool))
    assert matches, "the twin at least must be found"
    best = matches[0].score
    twin_match = next(m for m in matches if m.candidate.id == 500)
    assert twin_match.score == best
    assert twin_match.components["title"] == 1.0


def test_a_standard_named_in_the_subjects_scope_is_lifted_with_its_reason():
    subject = Candidate(None, "DB44/ 7001—2020", "示例工业大气污染物排放标准", level="local", nature="mandatory",
                        scope="本标准未规定的内容和要求，仍按现行GB 7002执行。")
    named = Candidate(1, "GB 7002—2015", "示例行业污染控制标准", level="national", nature="mandatory")
    similar = Candidate(2, "GB 7003—2015", "示例工业大气污染物排放控制标准", level="national", nature="mandatory")
    plain = {m.candidate.number: m for m in rank(replace(subject, scope="本标准规定了限值。"), [named, similar])}
    lifted = {m.candidate.number: m for m in rank(subject, [named, similar])}
    assert lifted["GB 7002—2015"].score > plain["GB 7002—2015"].score
    assert "标准本身的适用范围中提到了该标准" in lifted["GB 7002—2015"].reasons
    assert lifted["GB 7002—2015"].components["cited"] and not lifted["GB 7003—2015"].components["cited"]
    assert 0 <= lifted["GB 7002—2015"].score <= 1
