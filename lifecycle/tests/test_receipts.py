"""The sender's receipt: 第 N 条意见 within the draft, the private link, the answer once the table is final."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from lifecycle.consultation import actions as consultation_actions
from lifecycle.consultation import receipts
from lifecycle.models import PublicComment
from lifecycle.projects import actions as project_actions
from lifecycle.tests.test_consultation import _post_anonymous
from lifecycle.transitions import State

pytestmark = pytest.mark.django_db


def _submit(project, text="意见", clause=""):
    return consultation_actions.submit_comment(project=project, text=text, author_name="李四", clause=clause)


def test_comments_are_numbered_within_their_draft(open_project, new_project, walk):
    other = walk(new_project("另一草案"), State.CONSULTATION)
    first, second = _submit(open_project), _submit(open_project)
    elsewhere = _submit(other)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicComment.objects.filter(pk=second.pk).update(number=1)


def test_a_clashing_number_is_retried_with_the_next(open_project, monkeypatch):
    _submit(open_project)
    real = receipts.highest_number
    looks = []

    def stale_then_real(project_id):
        # The first look sees no comment, as a racing transaction on a database without row locks would.
        looks.append(project_id)
        return 0 if len(looks) == 1 else real(project_id)

    monkeypatch.setattr(receipts, "highest_number", stale_then_real)
    comment = _submit(open_project)
    assert comment.number == 2 and len(looks) == 2


def test_the_token_is_random_shown_once_and_stored_as_its_hash(open_project):
    comment = _submit(open_project)
    token = comment.receipt_token
    assert len(token) >= 32 and comment.receipt_digest == hashlib.sha256(token.encode()).hexdigest()
    stored = PublicComment.objects.get(pk=comment.pk)
    assert token not in {stored.receipt_digest, stored.text, stored.sender_digest}
    assert _submit(open_project).receipt_token != token


def test_after_sending_the_sender_lands_on_the_receipt(client, open_project, challenges):
    response = _post_anonymous(client, open_project, challenges, clause="4.2")
    assert response.status_code == 302 and "/receipts/" in response["Location"]
    page = client.get(response["Location"])
    body = page.content.decode()
    comment = PublicComment.objects.get(project=open_project)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert "您的意见已提交：第 1 条意见" in body and "data-focus-on-load" in body
    assert open_project.title_zh in body and "第 4.2 条" in body and comment.text in body
    assert "已收到，等待起草单位处理" in body and "http://testserver/consultations/" in body
    assert comment.contact not in body


def test_a_wrong_token_or_another_draft_answers_404(client, open_project, new_project, walk):
    comment = _submit(open_project)
    other = walk(new_project("另一草案"), State.CONSULTATION)
    ok = reverse("lifecycle:consultation-receipt", args=[open_project.code, comment.receipt_token])
    assert client.get(ok).status_code == 200
    assert client.get(reverse("lifecycle:consultation-receipt", args=[open_project.code, "x" * 32])).status_code == 404
    assert client.get(reverse("lifecycle:consultation-receipt", args=[other.code, comment.receipt_token])).status_code == 404
    assert client.get(ok.replace(comment.receipt_token, comment.receipt_digest)).status_code == 404


def test_the_answer_shows_through_the_link_and_on_the_draft_page_once_the_table_is_final(client, open_project, people):
    comment = _submit(open_project, text="建议删除第 5 条", clause="5")
    link = reverse("lifecycle:consultation-receipt", args=[open_project.code, comment.receipt_token])
    project = project_actions.advance(project=open_project, action="close_consultation", by=people["drafter"],
                                      today=timezone.localdate() + timedelta(days=31))
    consultation_actions.answer_comment(comment=comment, resolution="not_adopted", response="第 5 条为强制性要求",
                                        by=people["drafter"])
    body = client.get(link).content.decode()
    assert "第 5 条为强制性要求" not in body and "意见汇总处理表定稿后公布答复" in body
    public = reverse("lifecycle:consultation", args=[project.code])
    assert "第 5 条为强制性要求" not in client.get(public).content.decode()
    consultation_actions.attach_comment_table(project=project, by=people["drafter"])
    body = client.get(link).content.decode()
    assert "第 5 条为强制性要求" in body and "未采纳" in body and "已答复（意见汇总处理表已定稿）" in body
    page = client.get(public).content.decode()
    assert 'id="resolution-table"' in page and "第 5 条为强制性要求" in page and "李四" not in page


def test_an_answer_changed_after_the_table_is_no_longer_final(open_project, people):
    comment = _submit(open_project)
    project = project_actions.advance(project=open_project, action="close_consultation", by=people["drafter"],
                                      today=timezone.localdate() + timedelta(days=31))
    consultation_actions.answer_comment(comment=comment, resolution="adopted", response="", by=people["drafter"])
    consultation_actions.attach_comment_table(project=project, by=people["drafter"])
    assert receipts.final_table_at(project) is not None
    consultation_actions.answer_comment(comment=comment, resolution="not_adopted", response="重新考虑",
                                        by=people["drafter"])
    assert receipts.final_table_at(project) is None


def test_the_api_returns_the_number_and_the_private_link(client, open_project, challenges):
    got = client.get(f"/api/lifecycle/consultations/{open_project.code}/captcha").json()
    created = client.post(f"/api/lifecycle/consultations/{open_project.code}/comments",
                          {"text": "接口意见", "author_name": "接口用户", "captcha_id": got["id"],
                           "captcha_answer": challenges[-1].answer}, content_type="application/json")
    assert created.status_code == 201
    data = created.json()
    assert data["number"] == 1 and data["receipt_url"].startswith(f"/consultations/{open_project.code}/receipts/")
    assert client.get(data["receipt_url"]).status_code == 200


@pytest.fixture
def text_challenges(monkeypatch):
    """Every text challenge the pages issue, with its answer."""
    import random

    from lifecycle import captcha

    issued: list = []
    rng = random.Random(7)
    real = captcha.new_text_challenge
    monkeypatch.setattr(captcha, "new_text_challenge",
                        lambda *, now, rng_=None: issued.append(real(now=now, rng=rng)) or issued[-1])
    return issued


def test_the_non_visual_captcha_lets_a_comment_in_once(client, open_project, text_challenges):
    url = reverse("lifecycle:consultation", args=[open_project.code])
    page = client.get(url + "?captcha=text").content.decode()
    assert "文字题：" in page and text_challenges[-1].text in page and 'class="captcha-image"' not in page
    challenge = text_challenges[-1]
    form = {"text": "文字验证码提交的意见", "author_name": "王五", "captcha_id": challenge.id,
            "captcha_answer": challenge.answer, "captcha_mode": "text"}
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 400 and "已使用或已失效" in again.content.decode()
    assert "文字题：" in again.content.decode()  # the refused form keeps the text challenge
    fragment = client.get(reverse("lifecycle:consultation-captcha", args=[open_project.code]) + "?captcha=text")
    assert "文字题：" in fragment.content.decode()


@pytest.mark.django_db(transaction=True)
def test_comments_sent_at_the_same_moment_get_consecutive_numbers(open_project):
    """Four senders at once: numbers 1–4, none twice, none lost (the project row is locked while numbering)."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(4)
    outcomes: list = []

    def send(i):
        try:
            barrier.wait()
            comment = consultation_actions.submit_comment(project=open_project, text=f"同时提交的意见 {i}",
                                                          author_name=f"提出人{i}")
            outcomes.append(comment.number)
        except Exception as exc:  # noqa: BLE001 - a lock error or a duplicate number would fail this test
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == [1, 2, 3, 4], outcomes
    assert sorted(PublicComment.objects.filter(project=open_project).values_list("number", flat=True)) == [1, 2, 3, 4]
