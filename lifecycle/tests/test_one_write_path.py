"""One write path: a public comment and implementation feedback go through the same action from the page and from
the API (consultation.actions.send_comment, implementation.actions.send_feedback), so the same bad input gets the
same refusal through both (the same status, and the API's message on the page) and writes nothing either way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Standard
from catalogue.services import upsert_standards
from lifecycle.consultation import actions as consultation_actions
from lifecycle.implementation import actions as implementation_actions
from lifecycle.models import ImplementationFeedback, LocalStandardProject, PublicComment
from trail.models import Event

pytestmark = pytest.mark.django_db

ADDRESS = "127.0.0.1"  # the test client's REMOTE_ADDR
COMMENT = {"clause": "", "text": "建议增加对干燥温度上限的规定。", "proposal": "", "author_name": "张三",
           "author_organisation": "广州某食品公司", "contact": ""}
FEEDBACK = {"kind": "problem", "text": "第 5.2 条的限值在小型企业难以执行", "author_name": "张三",
            "author_organisation": "某食品厂", "contact": ""}


def _written() -> tuple[int, int, int]:
    return PublicComment.objects.count(), ImplementationFeedback.objects.count(), Event.objects.count()


def _solved(challenges, answer):
    if not challenges:
        return {}
    return {"captcha_id": challenges[-1].id, "captcha_answer": challenges[-1].answer if answer is None else answer}


def _comment_by_page(client, project, challenges, answer=None, **extra) -> tuple[int, str]:
    url = reverse("lifecycle:consultation", args=[project.code])
    challenges.clear()
    client.get(url)
    response = client.post(url, {**COMMENT, **_solved(challenges, answer), **extra})
    return response.status_code, response.content.decode()


def _comment_by_api(client, project, challenges, answer=None, **extra) -> tuple[int, str]:
    challenges.clear()
    client.get(f"/api/lifecycle/consultations/{project.code}/captcha")
    response = client.post(f"/api/lifecycle/consultations/{project.code}/comments",
                           {**COMMENT, **_solved(challenges, answer), **extra}, content_type="application/json")
    return response.status_code, response.json().get("detail", "")


def _close(project) -> None:
    LocalStandardProject.objects.filter(pk=project.pk).update(
        consultation_closes_on=timezone.localdate() - timedelta(days=1))


def _flood_comments(project) -> None:
    digest = consultation_actions.sender_digest(ADDRESS)
    for i in range(consultation_actions.RATE_LIMITS[0][1]):
        PublicComment.objects.create(project=project, text=f"意见 {i}", author_name="王五", sender_digest=digest)


COMMENT_CASES = {
    "closed consultation": (_close, {}, None, 400, "征求意见已截止"),
    "empty text": (None, {"text": "   "}, None, 400, "请填写意见内容"),
    "text too long": (None, {"text": "长" * 5001}, None, 400, "意见内容不能超过"),
    "wrong captcha": (None, {}, "0000", 400, "验证码"),
    "over the rate limit": (_flood_comments, {}, None, 429, "提交过于频繁"),
}


@pytest.mark.parametrize("case", COMMENT_CASES)
def test_a_bad_comment_is_refused_alike_by_the_page_and_the_api(client, open_project, challenges, case):
    prepare, extra, answer, status, message = COMMENT_CASES[case]
    if prepare:
        prepare(open_project)
    before = _written()
    page_status, page = _comment_by_page(client, open_project, challenges, answer, **extra)
    api_status, detail = _comment_by_api(client, open_project, challenges, answer, **extra)
    assert (page_status, api_status) == (status, status)
    assert message in detail and message in page
    # The page words a closed consultation in its own notice (no form is shown), and the wait in a rate-limit
    # message counts down between the two requests; otherwise the page shows the API's very message.
    if case not in ("closed consultation", "over the rate limit"):
        assert detail in page
    assert _written() == before


def test_a_good_comment_is_taken_alike_by_the_page_and_the_api(client, open_project, challenges):
    page_status, _ = _comment_by_page(client, open_project, challenges)
    api_status, _ = _comment_by_api(client, open_project, challenges)
    assert (page_status, api_status) == (302, 201)
    assert PublicComment.objects.filter(project=open_project).count() == 2


def test_a_signed_in_comment_without_its_csrf_token_is_refused_by_both(open_project, enterprise_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(enterprise_user)
    before = _written()
    page = strict.post(reverse("lifecycle:consultation", args=[open_project.code]), COMMENT)
    api = strict.post(f"/api/lifecycle/consultations/{open_project.code}/comments", COMMENT,
                      content_type="application/json")
    assert (page.status_code, api.status_code) == (403, 403)
    assert "CSRF" in api.json()["detail"]
    assert _written() == before


def test_an_answer_by_the_wrong_role_is_refused_by_both(client, open_project, people):
    comment = consultation_actions.submit_comment(project=open_project, text="意见", author_name="王五")
    client.force_login(people["committee"])  # sees the project, may not answer its comments
    before = _written()
    page = client.post(reverse("lifecycle:comment-answer", args=[open_project.code, comment.pk]),
                       {"resolution": "adopted", "response": ""})
    api = client.post(f"/api/lifecycle/projects/{open_project.code}/comments/{comment.pk}/answer",
                      {"resolution": "adopted", "response": ""}, content_type="application/json")
    assert (page.status_code, api.status_code) == (403, 403)
    comment.refresh_from_db()
    assert comment.resolution == "" and _written() == before


# ---------------------------------------------------------------------------------------------------------------
# Implementation feedback.

@pytest.fixture
def in_force(people, make_record):
    """A local standard in force with its project: it takes feedback."""
    number = "DB44/T 9100—2019"
    upsert_standards([make_record(number, "测试标准", published_on="2019-01-01", implemented_on="2019-04-01")],
                     source="lifecycle")
    standard = Standard.objects.get(number=number)
    LocalStandardProject.objects.create(
        code="2019-9100", title_zh="测试标准", proposer=people["dept"].organisation, state="implementing",
        number=number, standard=standard, city_code="440100", created_by=people["dept"],
        stage_entered_at=timezone.now())
    return standard


def _feedback_by_page(client, standard, challenges, answer=None, **extra) -> tuple[int, str]:
    url = reverse("lifecycle:feedback", args=[standard.slug])
    challenges.clear()
    client.get(url)
    response = client.post(url, {**FEEDBACK, **_solved(challenges, answer), **extra})
    return response.status_code, response.content.decode()


def _feedback_by_api(client, standard, challenges, answer=None, **extra) -> tuple[int, str]:
    challenges.clear()
    client.get("/api/lifecycle/feedback/captcha")
    fields = {**FEEDBACK, **extra}
    body = {"kind": fields["kind"], "text": fields["text"], "name": fields["author_name"],
            "organisation": fields["author_organisation"], "contact": fields["contact"],
            **_solved(challenges, answer)}
    response = client.post(f"/api/lifecycle/standards/{standard.slug}/feedback", body,
                           content_type="application/json")
    return response.status_code, response.json().get("detail", "")


def _flood_feedback(standard) -> None:
    digest = implementation_actions.sender_digest(ADDRESS)
    for i in range(implementation_actions.FEEDBACK_PER_HOUR):
        ImplementationFeedback.objects.create(standard=standard, kind="problem", text=f"{i}", author_name="",
                                              sender_digest=digest)


FEEDBACK_CASES = {
    "empty text": (None, {"text": "   "}, None, 400, "请填写反馈内容"),
    "text too long": (None, {"text": "长" * 5001}, None, 400, "反馈内容不能超过 5000 字"),
    "name too long": (None, {"author_name": "名" * 101}, None, 400, "姓名不能超过 100 字"),
    "wrong captcha": (None, {}, "0000", 400, "验证码"),
    "over the rate limit": (_flood_feedback, {}, None, 429, "每小时最多 5 条"),
}


@pytest.mark.parametrize("case", FEEDBACK_CASES)
def test_bad_feedback_is_refused_alike_by_the_page_and_the_api(client, in_force, challenges, case):
    prepare, extra, answer, status, message = FEEDBACK_CASES[case]
    if prepare:
        prepare(in_force)
    before = _written()
    page_status, page = _feedback_by_page(client, in_force, challenges, answer, **extra)
    api_status, detail = _feedback_by_api(client, in_force, challenges, answer, **extra)
    assert (page_status, api_status) == (status, status)
    assert message in detail and detail in page
    assert _written() == before


def test_feedback_on_a_standard_that_takes_none_is_refused_by_both(client, make_record, challenges):
    upsert_standards([make_record("GB/T 9101—2019", "国家标准")], source="test")
    standard = Standard.objects.get(number="GB/T 9101—2019")
    before = _written()
    page_status, _ = _feedback_by_page(client, standard, challenges)
    api_status, detail = _feedback_by_api(client, standard, challenges)
    assert (page_status, api_status) == (400, 400)
    assert detail == implementation_actions.NOT_ACCEPTED
    assert _written() == before


def test_good_feedback_is_taken_alike_by_the_page_and_the_api(client, in_force, challenges):
    page_status, _ = _feedback_by_page(client, in_force, challenges)
    api_status, _ = _feedback_by_api(client, in_force, challenges)
    assert (page_status, api_status) == (302, 201)
    assert ImplementationFeedback.objects.filter(standard=in_force).count() == 2


def test_signed_in_feedback_without_its_csrf_token_is_refused_by_both(in_force, enterprise_user):
    """Before, the API took such a request as anonymous while the page refused it: now both refuse it (403)."""
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(enterprise_user)
    before = _written()
    page = strict.post(reverse("lifecycle:feedback", args=[in_force.slug]), FEEDBACK)
    api = strict.post(f"/api/lifecycle/standards/{in_force.slug}/feedback",
                      {"kind": "problem", "text": FEEDBACK["text"]}, content_type="application/json")
    assert (page.status_code, api.status_code) == (403, 403)
    assert "CSRF" in api.json()["detail"]
    assert _written() == before
