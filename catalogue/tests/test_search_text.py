"""Index words and query terms (pure): two-character Chinese words must find titles whatever jieba does."""

import re

from hypothesis import given
from hypothesis import strategies as st

from catalogue.search_text import index_words, parse_words


def _matches(query: str, title: str) -> bool:
    """Evaluate a parsed query against indexed words the way FTS5 / tsquery would."""
    words = set(index_words(title).split())
    for term in parse_words(query).terms:
        if term.prefix:
            ok = any(w.startswith(term.word) for w in words)
        else:
            ok = term.word in words or (term.pairs and all(p in words for p in term.pairs))
        if not ok:
            return False
    return True


def test_two_character_words_match_inside_longer_words():
    assert _matches("陶瓷", "陶瓷工业大气污染物排放标准")
    assert _matches("荔枝", "岭南荔枝干燥加工技术规程")
    assert _matches("污染物", "陶瓷工业大气污染物排放标准")  # jieba cuts this title as …大气污染 / 物排放…
    assert _matches("排放标准", "水泥工业大气污染物排放标准")


def test_unrelated_words_do_not_match():
    assert not _matches("荔枝", "陶瓷工业大气污染物排放标准")
    assert not _matches("陶瓷 荔枝", "陶瓷砖")


def test_english_words_are_prefix_matched_and_case_folded():
    assert _matches("Ceramic", "Emission standard of air pollutants for ceramics industry")
    assert not _matches("glass", "Emission standard of air pollutants for ceramics industry")


def test_full_width_text_is_folded():
    assert _matches("５g", "5G基站技术规范")


def test_single_character_is_a_prefix_term():
    terms = parse_words("陶").terms
    assert len(terms) == 1 and terms[0].prefix


def test_punctuation_only_gives_no_terms():
    assert not parse_words("！！ —— ，，")


@given(st.text(max_size=60))
def test_any_text_gives_safe_query_syntax(text):
    q = parse_words(text)
    # Only word characters reach the query languages: no quote or operator can be injected.
    for term in q.terms:
        for w in (term.word, *term.pairs):
            assert re.fullmatch(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", w)
    index_words(text)
