"""The work list (待我处理) in the officer's words: what is needed and why; one definition of 已超期."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lifecycle import worklist
from lifecycle.implementation import queries as implementation_queries
from lifecycle.models import LocalStandardProject, PublicComment
from lifecycle.projects import queries as project_queries
from lifecycle.tests.test_implementation import quick  # noqa: F401 - a fixture
from lifecycle.transitions import State

TODAY = date(2026, 12, 8)


def test_a_review_92_days_late_says_so():
    f = worklist.Facts(state="implementing", today=TODAY, review_due_on=TODAY - timedelta(days=92),
                       roles=frozenset({"bureau"}))
    assert worklist.late_reasons(f) == [("复审逾期 %(d)s 天", {"d": 92})]
    assert ("待启动：复审", {}) in worklist.needs(f)
    assert worklist.due_words(f) is None


def test_an_open_review_earlier_than_the_five_year_date_counts():
    f = worklist.Facts(state="implementing", today=TODAY, review_due_on=TODAY + timedelta(days=300),
                       open_review_dues=(TODAY - timedelta(days=3),))
    assert worklist.review_due(f) == TODAY - timedelta(days=3) and worklist.review_late(f)


def test_approval_needs_the_bureau_to_review_and_gives_the_date():
    f = worklist.Facts(state="approval", today=TODAY, stage_due_on=TODAY + timedelta(days=12),
                       roles=frozenset({"bureau"}))
    assert worklist.needs(f) == [("待审查：技术审查结论和报批稿", {})]
    assert worklist.late_reasons(f) == []
    assert worklist.due_words(f) == ("期限 %(date)s（还剩 %(d)s 天）", {"date": "2026-12-20", "d": 12})


def test_consultation_dates_are_minimums_not_lateness_and_terminal_projects_are_never_late():
    assert worklist.late_reasons(worklist.Facts(state="consultation", today=TODAY,
                                                stage_due_on=TODAY - timedelta(days=5))) == []
    assert worklist.late_reasons(worklist.Facts(state="cancelled", today=TODAY,
                                                stage_due_on=TODAY - timedelta(days=5))) == []


def test_the_reader_sees_only_the_needs_of_the_parts_they_play():
    f = worklist.Facts(state="technical_review", today=TODAY, roles=frozenset({"expert"}))
    assert worklist.needs(f) == [("待提交：个人审查意见", {})]
    f = worklist.Facts(state="resolution", today=TODAY, roles=frozenset({"drafter"}), unanswered_comments=3)
    assert ("待答复意见 %(n)s 条", {"n": 3}) in worklist.needs(f)


@pytest.mark.django_db
def test_an_unsubmitted_proposal_is_not_in_the_provinces_list(new_project, walk, people):
    draft = new_project("仍在填写的立项申请")
    submitted = walk(new_project("已提交的立项申请"), State.ASSESSMENT)
    bureau_list = list(project_queries.work_list(people["bureau"]))
    assert submitted in bureau_list and draft not in bureau_list
    assert draft in project_queries.work_list(people["dept"])


@pytest.mark.django_db
def test_the_work_page_says_what_is_needed_and_why(client, quick, people):  # noqa: F811
    today = timezone.localdate()
    late = quick(review_due_on=today - timedelta(days=92))
    client.force_login(people["bureau"])
    body = client.get(reverse("lifecycle:work")).content.decode()
    assert late.code in body and "复审逾期 92 天" in body and "待启动：复审" in body and "已等待" not in body


@pytest.mark.django_db
def test_the_work_page_of_a_drafter_counts_the_comments_to_answer(client, new_project, walk, people):
    project = walk(new_project(), State.RESOLUTION)
    PublicComment.objects.create(project=project, text="意见", author_name="李四", number=1)
    client.force_login(people["drafter"])
    body = client.get(reverse("lifecycle:work")).content.decode()
    assert "待处理：答复意见并提交送审稿" in body and "待答复意见 1 条" in body


@pytest.mark.django_db
def test_the_work_page_refuses_the_anonymous_and_those_without_lifecycle_work(client, enterprise_user):
    assert client.get(reverse("lifecycle:work")).status_code == 302
    client.force_login(enterprise_user)
    assert client.get(reverse("lifecycle:work")).status_code == 403


@pytest.mark.django_db
def test_the_overdue_filter_agrees_with_the_review_due_list(client, quick, new_project, walk, people):  # noqa: F811
    today = timezone.localdate()
    late_review = quick(review_due_on=today - timedelta(days=10))
    quick(review_due_on=today + timedelta(days=60))
    late_stage = walk(new_project(), State.ASSESSMENT)
    LocalStandardProject.objects.filter(pk=late_stage.pk).update(stage_due_on=today - timedelta(days=1))
    overdue_ids = set(project_queries.overdue().values_list("id", flat=True))
    assert overdue_ids == {late_review.id, late_stage.id}
    review_rows = implementation_queries.reviews_due(within_months=None)
    assert {r.project.id for r in review_rows if r.overdue} == {late_review.id}
    client.force_login(people["bureau"])
    body = client.get(reverse("lifecycle:projects") + "?overdue=1").content.decode()
    assert late_review.code in body and late_stage.code in body


@pytest.mark.django_db
def test_the_work_page_in_english(client, quick, people):  # noqa: F811
    from django.conf import settings

    quick(review_due_on=timezone.localdate() - timedelta(days=92))
    client.force_login(people["bureau"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("lifecycle:work")).content.decode()
    assert "Periodic review 92 days late" in body and "To start: the periodic review" in body
