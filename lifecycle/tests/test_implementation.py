"""Implementation and review: feedback, scores, references that make a review due, the due list, the timeline."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from catalogue.models import Standard
from catalogue.services import upsert_standards
from lifecycle import access, captcha, documents, errors, timeline
from lifecycle import references as refs
from lifecycle.implementation import actions as implementation_actions
from lifecycle.implementation import queries as implementation_queries
from lifecycle.implementation import rubric
from lifecycle.models import (
    ImplementationFeedback,
    LocalStandardProject,
    PeriodicReview,
    ProjectDocument,
    ProjectReference,
)
from lifecycle.projects import actions as project_actions
from lifecycle.tests.conftest import PDF_BYTES, docx_bytes
from lifecycle.transitions import State
from trail.models import Event
from trail.services import subject_key

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------------------------
# Helpers.

def events_of(project):
    return list(Event.objects.filter(subject=subject_key(project)).order_by("seq"))


@pytest.fixture
def implemented(new_project, walk, people):
    """A project walked through the table into 实施 (implementation date reached), its standard in the catalogue."""

    def make(title="荔枝干燥加工技术规程"):
        project = walk(new_project(title), State.PUBLISHED)
        documents.upload_document(project=project, kind="published_text", data=docx_bytes("发布文本"),
                                 filename="text.docx", by=people["bureau"])
        project_actions.advance(project=project, action="record_disclosure", by=people["bureau"])
        project.refresh_from_db()
        project_actions.advance(project=project, action="start_implementation", by=people["bureau"],
                         today=project.implementation_on)
        project.refresh_from_db()
        assert project.state == State.IMPLEMENTING and project.review_due_on
        return project

    return make


@pytest.fixture
def quick(people, make_record):
    """A project put straight into a later state (no walk), for tests about what happens after implementation."""
    counter = {"n": 0}

    def make(state=State.IMPLEMENTING, *, review_due_on=None, city="440100", references=()):
        counter["n"] += 1
        n = counter["n"]
        number = f"DB44/T {9000 + n}—2019"
        today = timezone.localdate()
        upsert_standards([make_record(number, f"测试标准{n}", published_on="2019-01-01",
                                      implemented_on="2019-04-01")], source="lifecycle")
        project = LocalStandardProject.objects.create(
            code=f"2019-{9000 + n}", title_zh=f"测试标准{n}", proposer=people["dept"].organisation, state=state,
            number=number, standard=Standard.objects.get(number=number), city_code=city,
            published_on=today.replace(year=2019, month=1, day=1), implementation_on=today.replace(
                year=2019, month=4, day=1), disclosed_on=today.replace(year=2019, month=1, day=15),
            review_due_on=review_due_on or today + timedelta(days=400), created_by=people["dept"],
            stage_entered_at=timezone.now(),
        )
        project.drafting_organisations.add(people["drafter"].organisation)
        for ref in references:
            canonical, undated = refs.parse_reference(ref)
            ProjectReference.objects.create(project=project, number=canonical, undated_number=undated)
        return project

    return make


@pytest.fixture
def known_captcha(monkeypatch):
    """Remember every challenge drawn, so a test can answer it as a person reading the picture would."""
    drawn = []
    real = captcha.new_challenge

    def spy(**kw):
        challenge = real(**kw)
        drawn.append(challenge)
        return challenge

    monkeypatch.setattr(captcha, "new_challenge", spy)
    return drawn


def _form(std, known, **extra):
    data = {"kind": "problem", "text": "第 5.2 条的限值在小型企业难以执行", "author_name": "张三",
            "author_organisation": "某食品厂", "contact": "13800000000"}
    if known:
        data.update(captcha_id=known[-1].id, captcha_answer=known[-1].answer)
    data.update(extra)
    return data


# ---------------------------------------------------------------------------------------------------------------
# Feedback.

def test_anonymous_feedback_needs_the_captcha_and_keeps_the_address_out(client, quick, known_captcha):
    project = quick()
    std = project.standard
    url = reverse("lifecycle:feedback", args=[std.slug])
    page = client.get(url)
    assert page.status_code == 200 and "<svg" in page.content.decode() and "captcha_id" in page.content.decode()
    wrong = client.post(url, _form(std, known_captcha, captcha_answer="-1"))
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert ImplementationFeedback.objects.count() == 0
    client.get(url)
    # The same challenge answered twice: the second try is refused (one try per challenge).
    ok = client.post(url, _form(std, known_captcha), REMOTE_ADDR="203.0.113.7")
    assert ok.status_code == 302
    again = client.post(url, _form(std, known_captcha), REMOTE_ADDR="203.0.113.7")
    assert again.status_code == 400 and "已使用或已失效" in again.content.decode()
    fb = ImplementationFeedback.objects.get()
    assert fb.project == project and fb.kind == "problem" and fb.contact == "13800000000"
    assert re.fullmatch(r"[0-9a-f]{64}", fb.sender_digest) and "203.0.113.7" not in fb.sender_digest
    assert fb.sender_digest == implementation_actions.sender_digest("203.0.113.7") != implementation_actions.sender_digest("203.0.113.8")
    event = events_of(project)[-1]
    assert event.kind == "feedback_received" and not event.public
    assert "13800000000" not in event.data and fb.text not in event.data


def test_signed_in_sender_needs_no_captcha(client, quick, enterprise_user):
    std = quick().standard
    client.force_login(enterprise_user)
    page = client.get(reverse("lifecycle:feedback", args=[std.slug]))
    assert "captcha_id" not in page.content.decode()
    response = client.post(reverse("lifecycle:feedback", args=[std.slug]), _form(std, None, kind="effect"))
    assert response.status_code == 302
    assert ImplementationFeedback.objects.get().user == enterprise_user


def test_feedback_input_is_checked_and_nothing_half_written(client, quick, known_captcha):
    std = quick().standard
    url = reverse("lifecycle:feedback", args=[std.slug])
    for extra, message in [
        ({"text": "x" * 100_000}, "不能超过 5000 字（现为 100000 字）"),
        ({"text": "   "}, "请填写反馈内容"),
        ({"kind": "praise"}, "反馈类型"),
        ({"author_name": "名" * 101}, "姓名不能超过 100 字"),
        ({"contact": "1" * 101}, "联系方式不能超过 100 字"),
    ]:
        client.get(url)
        response = client.post(url, _form(std, known_captcha, **extra))
        assert response.status_code == 400, extra
        assert message in response.content.decode(), (extra, message)
    assert ImplementationFeedback.objects.count() == 0
    with pytest.raises(errors.LifecycleError, match="不能超过 5000 字"):
        implementation_actions.submit_feedback(standard=std, kind="problem", text="长" * 100_000)
    # Control characters are dropped (PostgreSQL refuses NUL in text), not stored.
    fb = implementation_actions.submit_feedback(standard=std, kind="problem", text="含\x00控制\x07字符", sender="198.51.100.1")
    assert fb.text == "含控制字符"


def test_feedback_is_rate_limited_per_sender(client, quick, known_captcha):
    std = quick().standard
    for i in range(implementation_actions.FEEDBACK_PER_HOUR):
        implementation_actions.submit_feedback(standard=std, kind="problem", text=f"问题 {i}", sender="198.51.100.9")
    with pytest.raises(errors.TooMany, match="每小时最多 5 条"):
        implementation_actions.submit_feedback(standard=std, kind="problem", text="再一条", sender="198.51.100.9")
    implementation_actions.submit_feedback(standard=std, kind="problem", text="另一位", sender="198.51.100.10")
    url = reverse("lifecycle:feedback", args=[std.slug])
    client.get(url)
    response = client.post(url, _form(std, known_captcha), REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert ImplementationFeedback.objects.count() == implementation_actions.FEEDBACK_PER_HOUR + 1


def test_a_day_limit_too(quick):
    std = quick().standard
    hour_ago = timezone.now() - timedelta(hours=2)
    digest = implementation_actions.sender_digest("198.51.100.20")
    for i in range(implementation_actions.FEEDBACK_PER_DAY):
        fb = ImplementationFeedback.objects.create(standard=std, kind="problem", text=f"{i}", author_name="",
                                                   sender_digest=digest)
        ImplementationFeedback.objects.filter(pk=fb.pk).update(submitted_at=hour_ago)
    with pytest.raises(errors.TooMany, match="每天最多 20 条"):
        implementation_actions.submit_feedback(standard=std, kind="problem", text="又一条", sender="198.51.100.20")


def test_feedback_only_on_local_standards_or_projects(client, make_record, known_captcha):
    upsert_standards([make_record("GB 31234—2018", "国家标准示例")], source="test")
    std = Standard.objects.get(number="GB 31234—2018")
    page = client.get(reverse("lifecycle:feedback", args=[std.slug]))
    assert page.status_code == 200 and "不是地方标准" in page.content.decode() and "<textarea" not in page.content.decode()
    with pytest.raises(errors.LifecycleError, match="受理地方标准"):
        implementation_actions.submit_feedback(standard=std, kind="problem", text="问题")
    assert client.get(reverse("lifecycle:feedback", args=["no-such-standard"])).status_code == 404


def test_contact_is_never_public(client, quick, people, make_user):
    project = quick()
    implementation_actions.submit_feedback(standard=project.standard, kind="problem", text="问题", contact="secret@example.cn",
                         author_name="李四", sender="198.51.100.2")
    slug = project.standard.slug
    for url in (reverse("lifecycle:timeline", args=[slug]), reverse("lifecycle:timeline-feed", args=[slug]),
                f"/api/lifecycle/standards/{slug}/timeline"):
        body = client.get(url).content.decode()
        assert "secret@example.cn" not in body and "李四" not in body, url
    # The drafter sees the project page (and its panel) but not who sent the feedback or how to reach them.
    client.force_login(people["drafter"])
    body = client.get(project.get_absolute_url()).content.decode()
    assert "secret@example.cn" not in body
    assert client.get(reverse("lifecycle:feedback-list")).status_code == 403
    client.force_login(people["bureau"])
    listing = client.get(reverse("lifecycle:feedback-list"))
    assert listing.status_code == 200 and "secret@example.cn" in listing.content.decode()


def test_bureau_answers_feedback_and_city_officer_only_his_city(client, quick, people, make_user):
    fb = implementation_actions.submit_feedback(standard=quick(city="440100").standard, kind="suggestion", text="建议", sender="x")
    shenzhen = make_user("sz", "city_officer", region="440300", kind=Organisation.Kind.CITY_BUREAU)
    guangzhou = make_user("gz", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)
    respond = reverse("lifecycle:feedback-respond", args=[fb.pk])
    client.force_login(shenzhen)
    assert fb not in implementation_queries.feedback_for(shenzhen)
    assert client.post(respond, {"response": "已处理"}).status_code == 403
    client.force_login(guangzhou)
    assert list(implementation_queries.feedback_for(guangzhou)) == [fb]
    assert client.post(respond, {"response": ""}).status_code == 302
    fb.refresh_from_db()
    assert fb.status == "new"
    assert client.post(respond, {"response": "已转起草单位研究"}).status_code == 302
    fb.refresh_from_db()
    assert fb.status == "handled" and fb.handled_by == guangzhou and fb.response == "已转起草单位研究"
    assert events_of(fb.project)[-1].kind == "feedback_handled"
    with pytest.raises(errors.LifecycleError, match="已经处理过"):
        implementation_actions.respond_feedback(feedback=fb, response="再答", by=people["bureau"])
    # A city officer may answer but not start a review: that is the bureau's move.
    assert client.post(reverse("lifecycle:feedback-review", args=[fb.pk])).status_code == 403


def test_a_review_because_of_feedback(client, quick, people):
    project = quick()
    problem = implementation_actions.submit_feedback(standard=project.standard, kind="problem", text="限值过严", sender="a")
    effect = implementation_actions.submit_feedback(standard=project.standard, kind="effect", text="效果良好", sender="b")
    with pytest.raises(errors.LifecycleError, match="实施问题"):
        implementation_actions.review_because_of_feedback(feedback=effect, by=people["bureau"])
    client.force_login(people["bureau"])
    response = client.post(reverse("lifecycle:feedback-review", args=[problem.pk]))
    assert response.status_code == 302
    project.refresh_from_db()
    review = project.reviews.get()
    assert project.state == State.PERIODIC_REVIEW
    assert review.reason == PeriodicReview.Reason.FEEDBACK and f"#{problem.pk}" in review.detail
    problem.refresh_from_db()
    assert problem.status == "handled" and "已据此启动复审" in problem.response
    kinds = [e.kind for e in events_of(project)]
    assert kinds[-3:] == ["review_opened", "state_changed", "feedback_handled"]


# ---------------------------------------------------------------------------------------------------------------
# Evaluation.

@pytest.fixture
def commissioned(quick, people):
    project = quick()
    project_actions.advance(project=project, action="commission_evaluation", by=people["bureau"],
                     data={"agency": people["evaluator"].organisation})
    project.refresh_from_db()
    assert project.state == State.EVALUATION
    return project, project.evaluations.get()


SCORES = {"implementation": 85.5, "advancement": 90, "economic": "70", "social": 60, "applicability": 100}


def test_the_rubric_is_a_documented_default_summing_to_100():
    assert sum(d.weight for d in rubric.DEFAULT_RUBRIC) == 100
    assert [d.label_zh for d in rubric.DEFAULT_RUBRIC] == ["实施情况", "技术先进性", "经济效益", "社会效益", "标准适用性"]
    with pytest.raises(ValueError, match="合计 100"):
        rubric.validate_rubric([rubric.Dimension("a", "甲", "A", 60), rubric.Dimension("b", "乙", "B", 30)])
    # Weighted mean, half up to one decimal: (85.5·30 + 90·20 + 70·20 + 60·15 + 100·15) / 100 = 81.65
    # → 81.7 (half up, not to even).
    cleaned = rubric.clean_scores(SCORES)
    assert rubric.weighted_total(cleaned) == Decimal("81.7")


def test_evaluator_scores_and_submits(commissioned, people):
    project, ev = commissioned
    before = ProjectDocument.objects.count()
    with pytest.raises(errors.TransitionRefused, match="评估报告尚未评分"):
        implementation_actions.submit_evaluation_report(project=project, data=PDF_BYTES, filename="report.pdf", by=people["evaluator"])
    assert ProjectDocument.objects.count() == before, "a refused submission leaves no document behind"
    ev = implementation_actions.score_evaluation(evaluation=ev, scores=SCORES, conclusion="实施效果良好，建议继续有效",
                               by=people["evaluator"])
    assert ev.total_score == Decimal("81.7") and ev.scores["implementation"] == 85.5 and ev.scores["economic"] == 70
    assert events_of(project)[-1].kind == "evaluation_scored"
    assert events_of(project)[-1].payload["total_score"] == "81.7"
    implementation_actions.submit_evaluation_report(project=project, data=PDF_BYTES, filename="report.pdf", by=people["evaluator"])
    project.refresh_from_db()
    ev.refresh_from_db()
    assert project.state == State.IMPLEMENTING and ev.submitted_at and ev.report.kind == "evaluation_report"
    with pytest.raises(errors.LifecycleError):
        implementation_actions.score_evaluation(evaluation=ev, scores=SCORES, conclusion="改分", by=people["evaluator"])


@pytest.mark.parametrize("scores, message", [
    ({**SCORES, "implementation": 101}, "0 至 100"),
    ({**SCORES, "social": -1}, "0 至 100"),
    ({**SCORES, "social": "1.25"}, "一位小数"),
    ({**SCORES, "social": "很好"}, "应为数字"),
    ({**SCORES, "social": "NaN"}, "应为数字"),
    ({k: v for k, v in SCORES.items() if k != "economic"}, "缺少评分：经济效益"),
    ({**SCORES, "beauty": 90}, "未知的评分维度"),
])
def test_scores_out_of_the_rules_are_refused(commissioned, people, scores, message):
    project, ev = commissioned
    with pytest.raises(errors.LifecycleError, match=message):
        implementation_actions.score_evaluation(evaluation=ev, scores=scores, conclusion="结论", by=people["evaluator"])
    ev.refresh_from_db()
    assert ev.total_score is None and ev.scores == {}


def test_only_the_commissioned_agency_scores(client, commissioned, people, make_user):
    project, ev = commissioned
    other_agency = make_user("other-agency", "evaluator", kind=Organisation.Kind.EVALUATION_AGENCY)
    for who in (people["bureau"], people["drafter"], other_agency):
        with pytest.raises(errors.NotAllowed):
            implementation_actions.score_evaluation(evaluation=ev, scores=SCORES, conclusion="结论", by=who)
    client.force_login(people["bureau"])
    page = reverse("lifecycle:evaluation-score", args=[project.code])
    form = {f"score_{k}": v for k, v in SCORES.items()} | {"conclusion": "结论"}
    assert client.post(page, form).status_code == 403
    api = f"/api/lifecycle/evaluations/{ev.pk}/scores"
    assert client.post(api, {"scores": SCORES, "conclusion": "结论"}, content_type="application/json").status_code == 403
    client.force_login(people["evaluator"])
    response = client.post(api, {"scores": SCORES, "conclusion": "结论"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["total_score"] == "81.7"
    bad = client.post(api, {"scores": {**SCORES, "social": 300}, "conclusion": "结论"}, content_type="application/json")
    assert bad.status_code == 400 and "0 至 100" in bad.json()["detail"]
    assert client.post(page, form).status_code == 302
    assert client.get(reverse("lifecycle:evaluations")).status_code == 200


def test_a_drafting_organisation_cannot_evaluate_its_own_standard(quick, people):
    project = quick()
    people["drafter"].organisation.kind = Organisation.Kind.EVALUATION_AGENCY
    people["drafter"].organisation.save()
    with pytest.raises(errors.LifecycleError, match="利益冲突"):
        project_actions.advance(project=project, action="commission_evaluation", by=people["bureau"],
                         data={"agency": people["drafter"].organisation})


# ---------------------------------------------------------------------------------------------------------------
# References and the review they trigger.

def test_references_by_hand(client, quick, people):
    project = quick()
    ref = refs.add_reference(project=project, number="gb/t16157", by=people["bureau"])
    assert (ref.number, ref.undated_number) == ("GB/T 16157", "GB/T 16157")
    with pytest.raises(errors.LifecycleError, match="已登记"):
        refs.add_reference(project=project, number="GB/T 16157", by=people["bureau"])
    with pytest.raises(errors.LifecycleError, match="无法识别标准号"):
        refs.add_reference(project=project, number="第五章", by=people["bureau"])
    client.force_login(people["drafter"])
    url = reverse("lifecycle:reference-add", args=[project.code])
    assert client.post(url, {"number": "GB 2762—2022"}).status_code == 403
    client.force_login(people["bureau"])
    assert client.post(url, {"number": "GB 2762-2022"}).status_code == 302
    assert set(project.references.values_list("number", flat=True)) == {"GB/T 16157", "GB 2762—2022"}
    response = client.post(url, {"number": "乱码"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    client.post(reverse("lifecycle:reference-remove", args=[project.code, ref.pk]))
    assert list(project.references.values_list("number", flat=True)) == ["GB 2762—2022"]
    assert [e.kind for e in events_of(project)][-3:] == ["reference_added", "reference_added", "reference_removed"]


def test_references_come_from_the_parsed_text(quick, django_capture_on_commit_callbacks):
    from smart.models import StructuredStandard

    project = quick()
    document = {"references": [
        {"number": "GB 2762—2022", "undated_number": "GB 2762", "dated": True},
        {"number": "GB/T 16157", "undated_number": "GB/T 16157", "dated": False},
        {"number": "不是标准号", "parsed": False},
        {"number": "GB 2762—2022"},
    ]}
    with django_capture_on_commit_callbacks(execute=True):
        StructuredStandard.objects.create(standard=project.standard, source_name="t.docx", source_sha256="0" * 64,
                                          document=document)
    assert sorted(project.references.values_list("number", "undated_number")) == [
        ("GB 2762—2022", "GB 2762"), ("GB/T 16157", "GB/T 16157")]
    assert refs.refresh_references(project=project) == []  # idempotent


def test_a_replaced_reference_opens_a_review_once(quick, people, make_record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upsert_standards([make_record("GB 1234—2010", "食品中污染物限量")], source="test")
    cites = quick(references=["GB 1234—2010"])
    undated = quick(references=["GB 1234"])
    newer = quick(references=["GB 1234—2024"])  # already cites the new edition
    drafting = quick(state=State.DRAFTING, references=["GB 1234—2010"])
    new = make_record("GB 1234—2024", "食品中污染物限量", replaces=["GB 1234—2010"], published_on="2024-03-01",
                      implemented_on="2024-09-01")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upsert_standards([new], source="test")
    assert len(callbacks) == 1, "one signal per import batch"
    review = PeriodicReview.objects.get(project=cites)
    assert review.reason == PeriodicReview.Reason.REFERENCE_CHANGED
    assert review.detail == "GB 1234—2010 被 GB 1234—2024 代替" and review.conclusion == ""
    assert review.due_on == implementation_queries.next_review_due_on(timezone.localdate())
    assert PeriodicReview.objects.filter(project=undated).count() == 1
    assert not PeriodicReview.objects.filter(project__in=[newer, drafting]).exists()
    event = events_of(cites)[-1]
    assert event.kind == "review_opened" and event.public and event.actor is None
    from notify.models import Notice

    assert Notice.objects.filter(recipient=people["bureau"], kind="review_due").count() == 2
    # The same import again, and a corrected record of the new edition: no second review.
    with django_capture_on_commit_callbacks(execute=True):
        upsert_standards([new], source="test")
    with django_capture_on_commit_callbacks(execute=True):
        upsert_standards([{**new, "title_en": "Contaminants in food"}], source="test")
    assert PeriodicReview.objects.filter(project=cites).count() == 1
    # Still due after the bureau concluded it: a rewrite of the same record is not a new trigger.
    PeriodicReview.objects.filter(project=cites).update(conclusion="confirm", concluded_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        upsert_standards([{**new, "title_en": "Contaminants in foods"}], source="test")
    assert PeriodicReview.objects.filter(project=cites).count() == 1
    assert access.project_facts(undated).review_due


def test_a_withdrawn_reference_opens_a_review(quick, make_record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upsert_standards([make_record("GB/T 4321—2008", "旧方法", implemented_on="2008-06-01")], source="test")
    project = quick(references=["GB/T 4321—2008"])
    with django_capture_on_commit_callbacks(execute=True):
        upsert_standards([make_record("GB/T 4321—2008", "旧方法", implemented_on="2008-06-01",
                                      withdrawn_on=timezone.localdate().isoformat(), status="withdrawn")],
                         source="test")
    assert PeriodicReview.objects.get(project=project).detail == "GB/T 4321—2008 已废止"


@pytest.mark.django_db(transaction=True)
def test_the_trigger_after_a_real_commit(quick, make_record):
    upsert_standards([make_record("GB 1234—2010", "食品中污染物限量")], source="test")
    project = quick(references=["GB 1234—2010"])
    for _ in range(2):
        upsert_standards([make_record("GB 1234—2024", "食品中污染物限量", replaces=["GB 1234—2010"])],
                         source="test")
    assert PeriodicReview.objects.filter(project=project).count() == 1


# ---------------------------------------------------------------------------------------------------------------
# Five years, the due list and its command, and the conclusion.

def test_five_year_review_opened_by_the_command(quick):
    today = timezone.localdate()
    due = quick(review_due_on=today - timedelta(days=3))
    later = quick(review_due_on=today + timedelta(days=100))
    listing = io.StringIO()
    call_command("reviews_due", "--json", stdout=listing)
    rows = json.loads(listing.getvalue())["due"]
    assert [r["code"] for r in rows] == [due.code] and rows[0]["overdue"] and rows[0]["days_left"] == -3
    out = io.StringIO()
    call_command("reviews_due", "--open", "--json", stdout=out, stderr=io.StringIO())
    report = json.loads(out.getvalue())
    assert report["opened"] == [{"code": due.code, "number": due.number, "opened": True, "started": True,
                                 "error": ""}]
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.state == State.PERIODIC_REVIEW and later.state == State.IMPLEMENTING
    review = due.reviews.get()
    assert review.reason == PeriodicReview.Reason.FIVE_YEARS and review.conclusion == ""
    moved = [e for e in events_of(due) if e.kind == "state_changed"][-1]
    assert moved.payload["action"] == "start_periodic_review" and moved.actor is None
    assert moved.payload["roles"] == ["system"]
    again = io.StringIO()
    call_command("reviews_due", "--open", stdout=again, stderr=io.StringIO())
    assert due.reviews.count() == 1 and "新开复审 0 项" in again.getvalue()


def test_the_command_starts_a_review_opened_by_a_reference_change(quick):
    project = quick(references=["GB 1234—2010"])
    refs.references_changed(replaced_by={"GB 1234—2010": ["GB 1234—2024"]})
    project.refresh_from_db()
    assert project.state == State.IMPLEMENTING  # opened, not yet started
    call_command("reviews_due", "--open", stdout=io.StringIO(), stderr=io.StringIO())
    project.refresh_from_db()
    assert project.state == State.PERIODIC_REVIEW and project.reviews.count() == 1


def test_review_due_list_page_and_export(client, quick, people, make_user):
    from openpyxl import load_workbook

    today = timezone.localdate()
    overdue = quick(review_due_on=today - timedelta(days=10))
    soon = quick(review_due_on=today + timedelta(days=60), city="440300")
    far = quick(review_due_on=today + timedelta(days=300))
    client.force_login(people["bureau"])
    page = client.get(reverse("lifecycle:reviews") + "?months=3")
    body = page.content.decode()
    assert page.status_code == 200
    assert overdue.number in body and soon.number in body and far.number not in body
    assert body.count('class="impl-overdue"') == 1 and "逾期 10 天" in body
    assert body.index(overdue.number) < body.index(soon.number), "overdue first"
    assert far.number in client.get(reverse("lifecycle:reviews") + "?months=12").content.decode()
    export = client.get(reverse("lifecycle:reviews-export") + "?months=3")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[1]][:2] == ["标准号", "标准名称"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [overdue.number, soon.number]
    shenzhen = make_user("sz", "city_officer", region="440300", kind=Organisation.Kind.CITY_BUREAU)
    client.force_login(shenzhen)
    body = client.get(reverse("lifecycle:reviews") + "?months=12").content.decode()
    assert soon.number in body and overdue.number not in body
    client.force_login(people["drafter"])
    assert client.get(reverse("lifecycle:reviews")).status_code == 403
    assert client.get(reverse("lifecycle:reviews-export")).status_code == 403
    assert client.get("/api/lifecycle/reviews-due").status_code == 403
    client.logout()
    assert client.get(reverse("lifecycle:reviews")).status_code == 302
    client.force_login(people["bureau"])
    api = client.get("/api/lifecycle/reviews-due?months=3").json()
    assert [r["number"] for r in api] == [overdue.number, soon.number] and api[0]["overdue"]


def test_conclude_a_review_with_its_conclusion_document(client, quick, people):
    project = quick(review_due_on=timezone.localdate() - timedelta(days=1))
    implementation_actions.open_due_reviews()
    project.refresh_from_db()
    assert project.state == State.PERIODIC_REVIEW
    url = reverse("lifecycle:review-conclude", args=[project.code])
    client.force_login(people["bureau"])
    client.post(url, {"action": "confirm", "version": project.version})
    project.refresh_from_db()
    assert project.state == State.PERIODIC_REVIEW  # no conclusion document: refused
    zip_not_word = b"PK\x03\x04" + b"\x00" * 40
    response = client.post(url, {"action": "confirm", "file": _upload("x.docx", zip_not_word)},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert not project.documents.filter(kind="review_conclusion").exists()
    response = client.post(url, {"action": "withdraw", "reason": "", "file": _upload("c.pdf", PDF_BYTES)},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400, "withdrawal needs a reason"
    assert not project.documents.filter(kind="review_conclusion").exists(), "nothing half-written"
    client.force_login(people["drafter"])
    assert client.post(url, {"action": "confirm", "file": _upload("c.pdf", PDF_BYTES)}).status_code == 403
    client.force_login(people["bureau"])
    project.refresh_from_db()
    response = client.post(url, {"action": "confirm", "version": project.version,
                                 "file": _upload("c.pdf", PDF_BYTES)})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == State.IMPLEMENTING
    assert project.review_due_on > timezone.localdate() + timedelta(days=4 * 365)
    assert project.reviews.get().conclusion == "confirm"
    # The next review cannot be closed with the previous review's conclusion document.
    implementation_actions.open_review(project=project, reason="feedback", detail="反馈 #1", by=people["bureau"], start=True)
    with pytest.raises(errors.LifecycleError, match="本次复审"):
        implementation_actions.conclude_review(project=project, action="confirm", reason="", by=people["bureau"])


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# ---------------------------------------------------------------------------------------------------------------
# The public timeline and its feed.

def test_public_timeline_shows_only_public_events(client, implemented, people):
    project = implemented()
    implementation_actions.submit_feedback(standard=project.standard, kind="problem", text="私下的问题", sender="z")
    all_events = events_of(project)
    public = [e for e in all_events if e.public]
    assert 0 < len(public) < len(all_events)
    page = client.get(reverse("lifecycle:timeline", args=[project.standard.slug]))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('<li id="e') == len(public)
    for e in all_events:
        assert (f'id="e{e.pk}"' in body) == e.public
    assert "立项下达" in body and "批准发布" in body and "开始实施" in body and project.number in body
    assert "提交立项申请" not in body and "私下的问题" not in body
    text = project.documents.get(kind="published_text")
    assert text.sha256 in body, "the published text's hash is shown"
    catalogue_page = client.get(project.standard.get_absolute_url()).content.decode()
    assert reverse("lifecycle:timeline", args=[project.standard.slug]) in catalogue_page
    assert reverse("lifecycle:feedback", args=[project.standard.slug]) in catalogue_page
    api = client.get(f"/api/lifecycle/standards/{project.standard.slug}/timeline").json()
    assert len(api["events"]) == len(public) and api["standard"] == project.number


def test_atom_feed_parses_and_has_the_entries(client, implemented):
    from lxml import etree

    project = implemented()
    public = [e for e in events_of(project) if e.public]
    response = client.get(reverse("lifecycle:timeline-feed", args=[project.standard.slug]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == len(public)
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:yuebiao:trail:") for i in ids)
    titles = [e.findtext("a:title", namespaces=ns) for e in entries]
    assert titles[0].startswith("开始实施") and any(t.startswith("批准发布") for t in titles)
    assert project.number in root.findtext("a:title", namespaces=ns)
    link = entries[0].find("a:link", ns).get("href")
    assert f"/standards/{project.standard.slug}/timeline/#e" in link


def test_revision_projects_share_the_timeline(implemented, people):
    project = implemented()
    implementation_actions.open_review(project=project, reason="feedback", detail="反馈 #9", by=people["bureau"], start=True)
    project.refresh_from_db()
    documents.upload_document(project=project, kind="review_conclusion", data=PDF_BYTES, filename="c.pdf",
                             by=people["bureau"])
    project_actions.advance(project=project, action="revise", by=people["bureau"], reason="技术指标落后")
    successor = LocalStandardProject.objects.get(predecessor=project)
    projects, rows = timeline.public_timeline(project.standard)
    assert [p.pk for p in projects] == [project.pk, successor.pk]
    assert any(r["what"] == "复审：修订" and r["reason"] == "技术指标落后" for r in rows)
    assert any(r["what"] == "启动复审" for r in rows)


def test_standard_without_a_project_has_a_clear_message(client, make_record):
    upsert_standards([make_record("DB44/T 8888—2015", "早年的地方标准")], source="test")
    std = Standard.objects.get(number="DB44/T 8888—2015")
    body = client.get(reverse("lifecycle:timeline", args=[std.slug])).content.decode()
    assert "没有制定、实施或复审记录" in body
    feed = client.get(reverse("lifecycle:timeline-feed", args=[std.slug]))
    assert feed.status_code == 200 and b"<entry>" not in feed.content
    assert client.get(reverse("lifecycle:timeline", args=["nope-0000"])).status_code == 404
    assert client.get(reverse("lifecycle:timeline-feed", args=["nope-0000"])).status_code == 404
    assert client.get("/api/lifecycle/standards/nope-0000/timeline").status_code == 404


# ---------------------------------------------------------------------------------------------------------------
# The API's feedback, and the panel.

def test_api_feedback_needs_the_captcha_when_anonymous(client, quick, known_captcha, people):
    std = quick().standard
    url = f"/api/lifecycle/standards/{std.slug}/feedback"
    body = {"kind": "problem", "text": "接口反馈", "contact": "x@example.cn"}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "验证码" in refused.json()["detail"]
    challenge = client.get("/api/lifecycle/feedback/captcha").json()
    assert challenge["svg"].startswith("<svg") and challenge["id"] == known_captcha[-1].id
    wrong = client.post(url, {**body, "captcha_id": challenge["id"], "captcha_answer": "999"},
                        content_type="application/json")
    assert wrong.status_code == 400
    client.get("/api/lifecycle/feedback/captcha")
    ok = client.post(url, {**body, "captcha_id": known_captcha[-1].id, "captcha_answer": known_captcha[-1].answer},
                     content_type="application/json")
    assert ok.status_code == 201 and ok.json()["standard"] == std.number and "contact" not in ok.json()
    long = client.post(url, {**body, "text": "长" * 100_000}, content_type="application/json")
    assert long.status_code == 400
    assert ImplementationFeedback.objects.count() == 1


def test_panel_context_queries_are_bounded(quick, people, django_assert_max_num_queries):
    project = quick(references=["GB 1234—2010", "GB/T 16157", "GB 2762—2022"])
    for i in range(8):
        implementation_actions.submit_feedback(standard=project.standard, kind="problem", text=f"问题{i}", sender=f"s{i % 4}")
    implementation_actions.open_review(project=project, reason="feedback", detail="a", by=people["bureau"])
    implementation_actions.open_review(project=project, reason="feedback", detail="b", by=people["bureau"])
    roles = access.project_roles(people["bureau"], project)
    with django_assert_max_num_queries(8):
        ctx = implementation_queries.project_panel_context(project, people["bureau"], roles)
    assert ctx["show"] and len(ctx["references"]) == 3 and len(ctx["open_reviews"]) == 2
    assert ctx["feedback_counts"] == {"new": 8, "total": 8} and len(ctx["feedback"]) == 5
    assert implementation_queries.project_panel_context(LocalStandardProject(state=State.DRAFTING), people["bureau"], roles) == {
        "show": False}


def test_feedback_offers_the_non_visual_captcha_and_takes_its_answer_once(client, quick, monkeypatch):
    import random

    from lifecycle import captcha

    issued: list = []
    rng = random.Random(11)
    real = captcha.new_text_challenge
    monkeypatch.setattr(captcha, "new_text_challenge",
                        lambda *, now, rng_=None: issued.append(real(now=now, rng=rng)) or issued[-1])
    std = quick().standard
    url = reverse("lifecycle:feedback", args=[std.slug])
    picture = client.get(url).content.decode()
    assert "<svg" in picture and "?captcha=text" in picture  # the way to the text question is on the form
    page = client.get(url + "?captcha=text").content.decode()
    assert "文字题：" in page and issued[-1].text in page and "<svg" not in page
    form = _form(std, None, captcha_id=issued[-1].id, captcha_answer=issued[-1].answer, captcha_mode="text")
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 400 and "已使用或已失效" in again.content.decode()
    assert "文字题：" in again.content.decode()  # the refused form keeps the text question
    fragment = client.get(reverse("lifecycle:feedback-captcha", args=[std.slug]) + "?captcha=text").content.decode()
    assert "文字题：" in fragment and "<svg" not in fragment
    assert ImplementationFeedback.objects.count() == 1
