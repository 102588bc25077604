"""Inline differences and the rows of the side-by-side page."""

from __future__ import annotations

import json
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from compare import diff
from compare.align import align
from compare.diff import Segment, inline_diff, side_by_side_rows
from smart.model import Block, Clause, Metadata, StandardDocument

from .helpers import doc


def changed(segments: list[Segment]) -> list[str]:
    return [s.text for s in segments if s.kind == "changed"]


def joined(segments: list[Segment]) -> str:
    return "".join(s.text for s in segments)


def test_a_different_number_is_highlighted_whole():
    a, b = inline_diff("颗粒物排放限值为30 mg/m³。", "颗粒物排放限值为50 mg/m³。")
    assert changed(a) == ["30"] and changed(b) == ["50"]
    a, b = inline_diff("限值为130，时间为3.5 h", "限值为1300，时间为3.7 h")
    assert changed(a) == ["130", "3.5"] and changed(b) == ["1300", "3.7"]


def test_a_full_stop_after_a_number_stays_unchanged():
    a, b = inline_diff("温度为30.", "温度为35.")
    assert changed(a) == ["30"] and changed(b) == ["35"] and a[-1] == Segment(".", "same")


def test_inserted_and_deleted_phrases():
    a, b = inline_diff("企业应建立监测制度。", "企业应建立自行监测制度，并保存原始记录。")
    assert changed(a) == []
    assert changed(b) == ["自行", "，并保存原始记录"]
    assert inline_diff("", "新增条文") == ([], [Segment("新增条文", "changed")])
    assert inline_diff("删除条文", "") == ([Segment("删除条文", "changed")], [])


def test_one_character_islands_are_absorbed_into_the_change():
    a, b = inline_diff("采用甲法乙测定", "采用丙法丁测定")
    assert changed(a) == ["甲法乙"] and changed(b) == ["丙法丁"]


def test_traditional_and_full_width_forms_are_the_same_and_shown_as_printed():
    a, b = inline_diff("本標準規定了排放限值３０", "本标准规定了排放限值30")
    assert a == [Segment("本標準規定了排放限值３０", "same")] and b == [Segment("本标准规定了排放限值30", "same")]
    a, b = inline_diff("本標準規定了排放限值３０", "本标准规定了排放限值50")
    assert changed(a) == ["３０"] and changed(b) == ["50"] and a[0].text == "本標準規定了排放限值"


def test_long_texts_are_diffed_sentence_first():
    sentences = [f"第{k}句规定了企业应执行的排放限值和监测要求。" for k in range(400)]
    a_text = "".join(sentences)
    b_sentences = list(sentences)
    b_sentences[100] = b_sentences[100].replace("排放限值", "特别排放限值")
    b_sentences.insert(300, "新增一句。")
    b_text = "".join(b_sentences)
    assert len(a_text) > diff.LONG_TEXT
    a, b = inline_diff(a_text, b_text)
    assert joined(a) == a_text and joined(b) == b_text
    assert changed(a) == [] and changed(b) == ["特别", "新增一句。"]


def test_a_long_text_without_punctuation_still_joins_back():
    a_text = "排放限值" * 2500
    b_text = a_text[:5000] + "监测" + a_text[5000:]
    a, b = inline_diff(a_text, b_text)
    assert joined(a) == a_text and joined(b) == b_text and changed(b)


ALPHABET = "排放限值監測监测企業企业標准标准0123456789３０.。，,  mg/m³ab\n"
texts = st.text(alphabet=ALPHABET, max_size=60)


def _well_formed(segments: list[Segment]) -> None:
    assert all(s.text for s in segments)
    assert all(s.kind in ("same", "changed") for s in segments)
    assert all(x.kind != y.kind for x, y in zip(segments, segments[1:]))


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_segments_give_back_the_original_texts(a_text, b_text):
    a, b = inline_diff(a_text, b_text)
    assert joined(a) == a_text and joined(b) == b_text
    _well_formed(a)
    _well_formed(b)
    # the "same" parts of both sides are the same text, once compared in the same form
    same_a = "".join(diff._comparable(s.text) for s in a if s.kind == "same")
    same_b = "".join(diff._comparable(s.text) for s in b if s.kind == "same")
    assert same_a == same_b
    if diff._comparable(a_text) != diff._comparable(b_text):
        assert changed(a) or changed(b)


@settings(max_examples=150, deadline=None)
@given(texts, texts)
def test_the_sentence_path_gives_back_the_original_texts(a_text, b_text):
    with mock.patch.object(diff, "LONG_TEXT", 3):
        a, b = inline_diff(a_text, b_text)
    assert joined(a) == a_text and joined(b) == b_text
    _well_formed(a)
    _well_formed(b)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_identical_texts_give_one_same_segment(text):
    assert inline_diff(text, text) == ([Segment(text, "same")], [Segment(text, "same")])


# ---------------------------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------------------------

A = doc([("1", "范围", "本标准规定了排放限值。"), ("2", "要求", "应执行表1。"), ("3", "监测", "应按规定监测。"),
         ("4", "附加", "仅A有的条款。")])
B = doc([("0", "前置", "仅B有的开头。"), ("1", "范围", "本标准规定了排放限值。"), ("2a", "要求一", "应执行表1。"),
         ("2b", "要求二", "应执行表2。"), ("2c", "新增", "仅B有的条款。"), ("3", "监测", "应按规定监测50次。")])
ALIGNMENT = {"pairs": [
    {"a": "1", "b": "1", "score": 1.0, "kind": "one_to_one"},
    {"a": "2", "b": "2b", "score": 0.6, "kind": "one_to_many"},
    {"a": "2", "b": "2a", "score": 0.8, "kind": "one_to_one"},
    {"a": "3", "b": "3", "score": 0.9, "kind": "one_to_one"},
    {"a": "9", "b": "1", "score": 0.5, "kind": "many_to_one"},  # a clause neither document has: ignored
]}


def layout(rows):
    return [(r.a_clause.number if r.a_clause else None, r.b_clause.number if r.b_clause else None, r.kind)
            for r in rows]


def test_rows_follow_a_and_place_b_only_clauses_after_their_predecessor():
    rows = side_by_side_rows(A, B, ALIGNMENT)
    assert layout(rows) == [
        (None, "0", "only_b"),  # nothing of B precedes it: at the top
        ("1", "1", "one_to_one"),
        ("2", "2a", "one_to_one"),  # the best pair of a clause first
        ("2", "2b", "one_to_many"),
        (None, "2c", "only_b"),  # after 2b, its predecessor in B
        ("3", "3", "one_to_one"),
        ("4", None, "only_a"),
    ]
    assert [r.a_repeated for r in rows] == [False, False, False, True, False, False, False]
    assert rows[1].a_segments == [Segment("范围\n本标准规定了排放限值。", "same")]
    assert changed(rows[5].b_segments) == ["50次"]
    assert rows[6].a_segments == [Segment("附加\n仅A有的条款。", "changed")] and rows[6].b_segments == []
    data = json.loads(json.dumps([r.to_dict() for r in rows], ensure_ascii=False))
    assert data[2]["a"]["number"] == "2" and data[2]["b"]["title"] == "要求一" and data[2]["score"] == 0.8
    assert data[5]["b_segments"] == [{"text": "监测\n应按规定监测", "kind": "same"}, {"text": "50次", "kind": "changed"},
                                     {"text": "。", "kind": "same"}]


def test_rows_carry_depth_and_annexes():
    child = Clause("4.1", "有组织排放", level=2, blocks=[Block("paragraph", "排气筒高度不低于15 m。")])
    d = StandardDocument(metadata=Metadata(number="DB44/ 1—2020"),
                         clauses=[Clause("4", "排放控制要求", children=[child])],
                         annexes=[Clause("A", "监测方法", kind="annex", annex_type="normative")])
    rows = side_by_side_rows(d, d, align(d, d).to_dict())
    shown = [(r.a_clause.number, r.a_clause.depth, r.b_clause.number) for r in rows]
    assert shown == [("4", 0, "4"), ("4.1", 1, "4.1"), ("A", 0, "A")]
    assert rows[2].a_clause.anchor == "annex-A" and rows[1].a_clause.level == 2


def test_a_number_printed_twice_still_shows_both_clauses():
    a = doc([("1", "范围", "甲"), ("1", "范围", "乙")])
    b = doc([("1", "范围", "甲"), ("1", "范围", "丙")])
    rows = side_by_side_rows(a, b, {"pairs": [{"a": "1", "b": "1", "score": 1.0, "kind": "one_to_one"}]})
    assert layout(rows) == [("1", "1", "one_to_one"), (None, "1", "only_b"), ("1", None, "only_a")]


WORDS = "排放 限值 监测 企业 玻璃 熔窑 颗粒物 采样 方法 设备".split()
clause_lists = st.lists(
    st.tuples(st.sampled_from(["1", "2", "3", "3.1", "4", "5", "A", "A.1"]),
              st.lists(st.sampled_from(WORDS), max_size=6).map("".join)),
    max_size=8,
).map(lambda cs: [(n, "", x) for n, x in cs])


def _every_clause_appears(a, b, rows):
    ids_a = {id(r.a_clause) for r in rows if r.a_clause}
    ids_b = {id(r.b_clause) for r in rows if r.b_clause}
    shown_a = [(r.a_clause.number, r.a_clause.text) for r in rows if r.a_clause]
    shown_b = [(r.b_clause.number, r.b_clause.text) for r in rows if r.b_clause]
    assert len(ids_a) == len(list(a.walk())) and len(ids_b) == len(list(b.walk()))
    assert {(c.number, c.text()) for c in a.walk()} == set(shown_a)
    assert {(c.number, c.text()) for c in b.walk()} == set(shown_b)
    # A is read in its order: the first showing of each clause of A follows A's walk, and only repeats are marked
    first = [r.a_clause for r in rows if r.a_clause and not r.a_repeated]
    assert [(s.number, s.text) for s in first] == [(c.number, c.text()) for c in a.walk()]
    assert len({id(s) for s in first}) == len(first)
    # a clause only in B comes right after the row showing the clause before it in B (or first of all)
    for k, r in enumerate(rows):
        if r.kind == "only_b":
            j = r.b_clause.position
            if j == 0:
                assert k == 0
            else:
                assert rows[k - 1].b_clause is not None and rows[k - 1].b_clause.position == j - 1


@settings(max_examples=120, deadline=None)
@given(clause_lists, clause_lists)
def test_every_clause_appears_with_the_real_alignment(ca, cb):
    a, b = doc(ca), doc(cb)
    rows = side_by_side_rows(a, b, align(a, b).to_dict())
    _every_clause_appears(a, b, rows)
    for r in rows:
        if r.a_clause:
            assert joined(r.a_segments) == r.a_clause.display_text
        if r.b_clause:
            assert joined(r.b_segments) == r.b_clause.display_text


@settings(max_examples=120, deadline=None)
@given(clause_lists, clause_lists, st.data())
def test_every_clause_appears_with_any_alignment(ca, cb, data):
    a, b = doc(ca), doc(cb)
    numbers = ["1", "2", "3", "3.1", "4", "5", "A", "A.1", "9"]
    pairs = data.draw(st.lists(st.fixed_dictionaries({
        "a": st.sampled_from(numbers), "b": st.sampled_from(numbers), "score": st.floats(0, 1),
        "kind": st.sampled_from(["one_to_one", "one_to_many", "many_to_one"])}), max_size=10))
    rows = side_by_side_rows(a, b, {"pairs": pairs})
    _every_clause_appears(a, b, rows)
    json.dumps([r.to_dict() for r in rows], ensure_ascii=False)


def test_diff_and_correspondence_import_without_django():
    import pathlib
    import subprocess
    import sys

    code = ("import sys, compare.diff, compare.correspondence; "
            "assert 'django' not in sys.modules, 'django imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(pathlib.Path(__file__).parents[2]))
