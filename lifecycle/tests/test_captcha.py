"""The offline captcha alone: questions and answers, the picture, and one try per challenge within its time."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle import captcha

SECRET = b"test-secret"


def _store_with(challenge, secret=SECRET):
    store: dict = {}
    captcha.remember(store, challenge, secret)
    return store


def _solve(question: str) -> int:
    a, op, b = re.fullmatch(r"(\d+)([+\-x])(\d+)", question).groups()
    return {"+": int(a) + int(b), "-": int(a) - int(b), "x": int(a) * int(b)}[op]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_every_question_has_its_answer_and_a_picture_without_text(seed):
    challenge = captcha.new_challenge(now=1000.0, rng=random.Random(seed))
    assert int(challenge.answer) == _solve(challenge.question)
    assert 0 <= int(challenge.answer) <= 81
    svg = challenge.svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<text" not in svg and "<script" not in svg.lower() and "href" not in svg
    # The question is drawn, not written: neither it nor the answer appears as characters in an attribute.
    assert f'"{challenge.answer}"' not in re.sub(r'(d|cx|cy|r|width|height|stroke-width|stroke-opacity|'
                                                 r'fill-opacity)="[^"]*"', "", svg)


def test_the_right_answer_passes_once():
    challenge = captcha.new_challenge(now=1000.0, rng=random.Random(7))
    store = _store_with(challenge)
    assert challenge.answer not in str(store.values()).split("'")  # only the digest is kept
    captcha.verify(store, challenge.id, challenge.answer, secret=SECRET, now=1010.0)
    with pytest.raises(captcha.CaptchaError) as reused:
        captcha.verify(store, challenge.id, challenge.answer, secret=SECRET, now=1011.0)
    assert reused.value.code == "unknown" and "已使用" in str(reused.value)


def test_a_wrong_answer_is_refused_and_uses_the_challenge_up():
    challenge = captcha.new_challenge(now=1000.0, rng=random.Random(8))
    store = _store_with(challenge)
    wrong = str(int(challenge.answer) + 1)
    with pytest.raises(captcha.CaptchaError, match="验证码不正确") as exc:
        captcha.verify(store, challenge.id, wrong, secret=SECRET, now=1001.0)
    assert exc.value.code == "wrong"
    with pytest.raises(captcha.CaptchaError, match="已使用"):
        captcha.verify(store, challenge.id, challenge.answer, secret=SECRET, now=1002.0)


def test_an_old_challenge_is_expired():
    challenge = captcha.new_challenge(now=1000.0, rng=random.Random(9))
    store = _store_with(challenge)
    with pytest.raises(captcha.CaptchaError, match="已过期") as exc:
        captcha.verify(store, challenge.id, challenge.answer, secret=SECRET, now=1000.0 + captcha.TTL_SECONDS + 1)
    assert exc.value.code == "expired"


def test_missing_unknown_and_foreign_answers():
    challenge = captcha.new_challenge(now=1000.0, rng=random.Random(10))
    store = _store_with(challenge)
    with pytest.raises(captcha.CaptchaError, match="请填写验证码"):
        captcha.verify(store, challenge.id, "  ", secret=SECRET, now=1001.0)
    with pytest.raises(captcha.CaptchaError) as exc:
        captcha.verify({}, "nope", "12", secret=SECRET, now=1001.0)
    assert exc.value.code == "unknown"
    # A digest made with another secret (another installation) does not verify here.
    other = captcha.new_challenge(now=1000.0, rng=random.Random(11))
    with pytest.raises(captcha.CaptchaError, match="不正确"):
        captcha.verify(_store_with(other, b"another"), other.id, other.answer, secret=SECRET, now=1001.0)


def test_full_width_digits_and_spaces_are_accepted():
    challenge = captcha.new_challenge(now=1000.0, rng=random.Random(12))
    store = _store_with(challenge)
    full_width = "".join(chr(ord(d) - ord("0") + ord("０")) for d in challenge.answer)
    captcha.verify(store, challenge.id, f" {full_width} ", secret=SECRET, now=1001.0)


def test_the_store_keeps_only_the_newest_challenges():
    store: dict = {}
    challenges = [captcha.new_challenge(now=1000.0 + i, rng=random.Random(100 + i)) for i in range(8)]
    for c in challenges:
        captcha.remember(store, c, SECRET, keep=5)
    assert set(store) == {c.id for c in challenges[-5:]}


def test_ids_are_random_without_a_seeded_generator():
    ids = {captcha.new_challenge(now=0.0).id for _ in range(20)}
    assert len(ids) == 20 and all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_a_picture_shows_no_sign_that_can_be_taken_for_another(seed):
    challenge = captcha.new_challenge(now=0, rng=random.Random(seed))
    digits = re.sub(r"[+\-x]", "", challenge.question)
    assert set(digits) <= set(captcha.CLEAR_DIGITS) and not set(digits) & set("01")


@pytest.mark.parametrize("n, words", [(0, "零"), (7, "七"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五")])
def test_numbers_in_chinese_characters(n, words):
    assert captcha.chinese_number(n) == words
    assert captcha.normalise_answer(words) == str(n)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_the_text_challenge_asks_the_same_sum_in_words_and_has_no_picture(seed):
    challenge = captcha.new_text_challenge(now=0, rng=random.Random(seed))
    assert challenge.svg == "" and challenge.text.endswith("等于几？（请用数字作答）")
    assert not re.search(r"\d", challenge.text.replace("（请用数字作答）", ""))
    assert str(_solve(challenge.question)) == challenge.answer


def test_a_text_challenge_is_one_use_and_takes_digits_or_chinese_numerals():
    challenge = captcha.new_text_challenge(now=0, rng=random.Random(5))
    for given_answer in (challenge.answer, captcha.chinese_number(int(challenge.answer))):
        store = _store_with(challenge)
        captcha.verify(store, challenge.id, given_answer, secret=SECRET, now=1)
        with pytest.raises(captcha.CaptchaError, match="已使用或已失效"):
            captcha.verify(store, challenge.id, given_answer, secret=SECRET, now=2)


@pytest.mark.parametrize("n, words", [(7, "seven"), (12, "twelve"), (20, "twenty"), (35, "thirty-five")])
def test_numbers_in_english_words(n, words):
    assert captcha.english_number(n) == words


def test_the_text_challenge_reads_in_english_too():
    challenge = captcha.new_text_challenge(now=0, rng=random.Random(3))
    assert challenge.text_en.startswith("What is ") and challenge.text_en.endswith("? (answer in digits)")
    assert not re.search(r"\d", challenge.text_en)
