"""Sentences stored for later (yuebiao.messages): the Chinese text as it was, rendered in the reader's language."""

from __future__ import annotations

import json
import pickle

import pytest

from yuebiao.messages import Message, render, render_stored, stored_fields

ENGLISH = {
    "第 {row} 行：{number} 属于{owner}，无权修改": "Row {row}: {number} belongs to {owner}; you may not change it",
    "无法识别标准号“{text}”：{reason}": "Cannot read the standard number “{text}”: {reason}",
    "缺少顺序号": "the sequence number is missing",
    "坏的译文 {nope}": "A broken translation {missing}",
}


def english(msgid: str) -> str:
    return ENGLISH.get(msgid, msgid)


def test_a_message_is_its_chinese_sentence():
    m = Message("第 {row} 行：{number} 属于{owner}，无权修改", row=3, number="DB4403/T 1—2020", owner="深圳市")
    assert m == "第 3 行：DB4403/T 1—2020 属于深圳市，无权修改"
    assert "深圳市" in m and isinstance(m, str)
    assert m.msgid.startswith("第 {row} 行") and m.params["row"] == 3
    assert Message("缺少标准号") == "缺少标准号"
    assert pickle.loads(pickle.dumps(m)).msgid == m.msgid


def test_stored_and_rendered_in_english_nested_reasons_too():
    m = Message("无法识别标准号“{text}”：{reason}", text="DB44/", reason=Message("缺少顺序号"))
    entry = {"message": m, **stored_fields("message", m)}
    entry = json.loads(json.dumps(entry, ensure_ascii=False))  # as a JSON column keeps it
    assert entry["message"] == "无法识别标准号“DB44/”：缺少顺序号"
    assert render_stored(entry, "message", english) == "Cannot read the standard number “DB44/”: the sequence number is missing"
    assert render_stored(entry, "message", lambda s: s) == entry["message"]


def test_an_old_row_without_an_id_shows_as_stored_and_a_plain_text_stores_nothing_more():
    assert render_stored({"message": "旧的错误"}, "message", english) == "旧的错误"
    assert stored_fields("message", "旧的错误") == {}
    m = Message("标准号")
    assert stored_fields("column", m) == {"column_id": "标准号"}
    assert render_stored({"column": "标准号", "column_id": "标准号"}, "column", {"标准号": "Number"}.get) == "Number"


def test_a_translation_that_does_not_fit_falls_back_to_chinese():
    assert render("坏的译文 {nope}", {"nope": 1}, english) == "坏的译文 1"


def test_values_may_be_dressed_for_the_page():
    out = render("第 {row} 行：{number} 属于{owner}，无权修改", {"row": 2, "number": "X 1", "owner": "深圳市"}, english,
                 lambda v: f"[{v}]")
    assert out == "Row [2]: [X 1] belongs to [深圳市]; you may not change it"


@pytest.mark.django_db
def test_the_filter_escapes_and_marks_chinese_values():
    from django.utils import translation

    from yuebiao.templatetags.stored_text import stored_sentence

    m = Message("无法识别标准号“{text}”：{reason}", text="<b>不是</b>", reason=Message("缺少顺序号"))
    entry = {"message": str(m), **stored_fields("message", m)}
    with translation.override("en"):
        html = stored_sentence(entry)
        assert '<span lang="zh">&lt;b&gt;不是&lt;/b&gt;</span>' in html and "<b>" not in html
        assert stored_sentence({"message": "<i>旧</i>"}) == "&lt;i&gt;旧&lt;/i&gt;"
    with translation.override("zh-hans"):
        assert stored_sentence(entry) == "无法识别标准号“&lt;b&gt;不是&lt;/b&gt;”：缺少顺序号"
