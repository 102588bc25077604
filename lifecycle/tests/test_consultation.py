"""Public consultation: comments from anyone (captcha, rate limit), answers by the drafter, the resolution table."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lifecycle import access, documents, errors, public_input
from lifecycle.consultation import actions as consultation_actions
from lifecycle.consultation import comment_table
from lifecycle.consultation import queries as consultation_queries
from lifecycle.models import LocalStandardProject, ProjectDocument, PublicComment
from lifecycle.projects import actions as project_actions
from lifecycle.tests.conftest import docx_bytes, gb_draft
from lifecycle.transitions import State
from notify.models import Notice
from trail.models import Event
from trail.services import subject_key

pytestmark = pytest.mark.django_db
CONTACT = "13800138000-secret@example.org"


def events(project, kind):
    return list(Event.objects.filter(subject=subject_key(project), kind=kind).order_by("seq"))


def close(project, people):
    """结束征求意见 once the statutory period has run, as the drafter would."""
    project = project_actions.advance(project=project, action="close_consultation", by=people["drafter"],
                               today=timezone.localdate() + timedelta(days=31))
    assert project.state == State.RESOLUTION
    return project


def _form(**extra):
    data = {"clause": "", "text": "建议增加对干燥温度上限的规定。", "proposal": "干燥温度不应超过 65 ℃。",
            "author_name": "张三", "author_organisation": "广州某食品公司", "contact": CONTACT}
    data.update(extra)
    return data


def _post_anonymous(client, project, challenges, *, answer=None, **extra):
    url = reverse("lifecycle:consultation", args=[project.code])
    page = client.get(url)
    assert page.status_code == 200
    challenge = challenges[-1]
    data = _form(captcha_id=challenge.id, captcha_answer=challenge.answer if answer is None else answer, **extra)
    return client.post(url, data)


# ---------------------------------------------------------------------------------------------------------------
# Public pages.

def test_open_consultations_are_listed_with_days_left(client, open_project, new_project):
    drafting = new_project("另一项目")  # still an application: not listed
    response = client.get(reverse("lifecycle:consultations"))
    body = response.content.decode()
    assert response.status_code == 200
    assert open_project.title_zh in body and drafting.title_zh not in body
    left = (open_project.consultation_closes_on - timezone.localdate()).days
    assert f"还剩 {left} 天" in body and open_project.consultation_closes_on.isoformat() in body


def test_the_public_page_offers_the_draft_and_explanatory_report_only(client, open_project, people):
    documents.upload_document(project=open_project, kind="other", data=docx_bytes("内部材料"), filename="内部.docx",
                             by=people["drafter"])
    body = client.get(reverse("lifecycle:consultation", args=[open_project.code])).content.decode()
    assert "征求意见稿" in body and "编制说明" in body and "内部.docx" not in body
    assert "<svg" in body and 'name="captcha_id"' in body
    draft = client.get(reverse("lifecycle:consultation-document", args=[open_project.code, "draft_for_comment"]))
    assert draft.status_code == 200 and draft["X-Content-SHA256"] == ProjectDocument.objects.get(
        project=open_project, kind="draft_for_comment").sha256
    assert b"".join(draft.streaming_content).startswith(b"PK")
    for kind in ("other", "application", "comment_table", "nonsense"):
        assert client.get(reverse("lifecycle:consultation-document", args=[open_project.code, kind])).status_code == 404


def test_documents_are_not_public_after_the_consultation(client, open_project):
    LocalStandardProject.objects.filter(pk=open_project.pk).update(state=State.RESOLUTION)
    url = reverse("lifecycle:consultation-document", args=[open_project.code, "draft_for_comment"])
    assert client.get(url).status_code == 404
    page = client.get(reverse("lifecycle:consultation", args=[open_project.code])).content.decode()
    assert "征求意见已经结束" in page and 'name="text"' not in page


def test_a_project_never_out_for_comment_has_no_public_page(client, new_project):
    project = new_project()
    assert client.get(reverse("lifecycle:consultation", args=[project.code])).status_code == 404


def test_anonymous_comment_with_the_right_captcha_is_saved_with_one_public_event(client, open_project, challenges,
                                                                                 people):
    response = _post_anonymous(client, open_project, challenges, clause="4.2")
    assert response.status_code == 302
    comment = PublicComment.objects.get(project=open_project)
    assert (comment.clause, comment.author_name, comment.contact, comment.user) == ("4.2", "张三", CONTACT, None)
    assert comment.sender_digest == consultation_actions.sender_digest("127.0.0.1") and "127.0.0.1" not in comment.sender_digest
    received = events(open_project, "comment_received")
    assert len(received) == 1
    event = received[0]
    assert event.public and event.actor is None and event.actor_label == "匿名用户"
    assert event.payload["comment"] == comment.pk and event.payload["clause"] == "4.2"
    assert event.payload["text_sha256"] == consultation_actions._sha256(comment.text)
    assert CONTACT not in event.data and "张三" not in event.data
    page = client.get(response["Location"]).content.decode()
    assert f"第 {comment.number} 条意见" in page


def test_contact_is_never_on_public_pages(client, open_project, challenges):
    assert _post_anonymous(client, open_project, challenges).status_code == 302
    for url in (reverse("lifecycle:consultation", args=[open_project.code]), reverse("lifecycle:consultations"),
                "/api/lifecycle/consultations", f"/api/lifecycle/consultations/{open_project.code}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert CONTACT not in response.content.decode(), url


@pytest.mark.parametrize("answer, message", [("wrong", "验证码不正确"), ("", "请填写验证码")])
def test_a_wrong_or_missing_captcha_is_refused_and_nothing_saved(client, open_project, challenges, answer, message):
    url = reverse("lifecycle:consultation", args=[open_project.code])
    client.get(url)
    challenge = challenges[-1]
    value = str(int(challenge.answer) + 1) if answer == "wrong" else answer
    response = client.post(url, _form(captcha_id=challenge.id, captcha_answer=value))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PublicComment.objects.exists() and not events(open_project, "comment_received")
    # What was typed is kept, and a new challenge is shown.
    assert "建议增加对干燥温度上限的规定。" in response.content.decode() and challenges[-1].id != challenge.id


def test_another_challenge_on_request(client, open_project, challenges):
    url = reverse("lifecycle:consultation-captcha", args=[open_project.code])
    first = client.get(url)
    second = client.get(url, HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    assert "<svg" in second.content.decode() and challenges[-1].id in second.content.decode()
    assert challenges[-2].id in first.content.decode() and challenges[-1].id != challenges[-2].id


def test_a_captcha_is_good_for_one_comment(client, open_project, challenges):
    assert _post_anonymous(client, open_project, challenges).status_code == 302
    used = challenges[-1]
    url = reverse("lifecycle:consultation", args=[open_project.code])
    response = client.post(url, _form(captcha_id=used.id, captcha_answer=used.answer, text="第二条意见"))
    assert response.status_code == 400 and "已使用" in response.content.decode()
    assert PublicComment.objects.count() == 1


def test_an_expired_captcha_is_refused(client, open_project, challenges, monkeypatch):
    url = reverse("lifecycle:consultation", args=[open_project.code])
    client.get(url)
    challenge = challenges[-1]
    later = challenge.issued_at + consultation_actions.CAPTCHA_TTL_SECONDS + 5
    monkeypatch.setattr(public_input.time, "time", lambda: later)
    response = client.post(url, _form(captcha_id=challenge.id, captcha_answer=challenge.answer))
    assert response.status_code == 400 and "验证码已过期" in response.content.decode()
    assert not PublicComment.objects.exists()


def test_a_signed_in_user_needs_no_captcha_and_gets_the_name_filled_in(client, open_project, enterprise_user):
    enterprise_user.display_name = "李四"
    enterprise_user.save()
    client.force_login(enterprise_user)
    url = reverse("lifecycle:consultation", args=[open_project.code])
    page = client.get(url).content.decode()
    assert 'value="李四"' in page and 'name="captcha_id"' not in page
    response = client.post(url, _form(author_name="李四"))
    assert response.status_code == 302
    comment = PublicComment.objects.get()
    assert comment.user == enterprise_user
    assert events(open_project, "comment_received")[0].actor == enterprise_user


def test_a_100000_character_comment_is_refused_and_nothing_saved(client, open_project, enterprise_user):
    client.force_login(enterprise_user)  # before counting: the sign-in is itself a trail event
    before = Event.objects.count()
    with pytest.raises(errors.CommentRefused, match="意见内容不能超过 5,000 字"):
        consultation_actions.submit_comment(project=open_project, text="长" * 100_000, author_name="王五")
    response = client.post(reverse("lifecycle:consultation", args=[open_project.code]), _form(text="长" * 100_000))
    assert response.status_code == 400
    body = response.content.decode()
    assert "意见内容不能超过 5,000 字（当前 100,000 字）" in body and "长" * 6000 not in body
    assert not PublicComment.objects.exists() and Event.objects.count() == before
    api = client.post(f"/api/lifecycle/consultations/{open_project.code}/comments",
                      {"text": "长" * 100_000, "author_name": "王五"}, content_type="application/json")
    assert api.status_code == 400 and "不能超过 5,000 字" in api.json()["detail"]
    # Exactly at the limit is accepted.
    consultation_actions.submit_comment(project=open_project, text="长" * consultation_actions.MAX_TEXT_CHARS, author_name="王五")
    assert PublicComment.objects.count() == 1


@pytest.mark.parametrize("field, value, message", [
    ("text", "   ", "请填写意见内容"), ("author_name", "", "请填写姓名"), ("proposal", "改" * 5001, "修改建议不能超过"),
    ("contact", "1" * 101, "联系方式不能超过"), ("clause", "5" * 41, "章条编号不能超过"),
])
def test_bad_fields_are_named(open_project, field, value, message):
    values = {"text": "意见", "author_name": "王五", field: value}
    with pytest.raises(errors.CommentRefused, match=message) as exc:
        consultation_actions.submit_comment(project=open_project, **values)
    assert exc.value.field == field
    assert not PublicComment.objects.exists()


def test_control_characters_are_dropped_before_saving(open_project):
    comment = consultation_actions.submit_comment(project=open_project, text="意见\x00内容\x1b", author_name="王\x00五")
    comment.refresh_from_db()
    assert (comment.text, comment.author_name) == ("意见内容", "王五")


def test_after_the_closing_date_comments_are_refused(client, open_project, enterprise_user):
    closes = open_project.consultation_closes_on
    consultation_actions.submit_comment(project=open_project, text="最后一天", author_name="王五", today=closes)  # the last day counts
    with pytest.raises(errors.CommentRefused, match="征求意见已截止"):
        consultation_actions.submit_comment(project=open_project, text="晚了", author_name="王五", today=closes + timedelta(days=1))
    LocalStandardProject.objects.filter(pk=open_project.pk).update(
        consultation_closes_on=timezone.localdate() - timedelta(days=1))
    client.force_login(enterprise_user)
    url = reverse("lifecycle:consultation", args=[open_project.code])
    assert "征求意见已截止" in client.get(url).content.decode()
    response = client.post(url, _form())
    assert response.status_code == 400 and "征求意见已截止" in response.content.decode()
    assert PublicComment.objects.count() == 1


def test_comments_are_refused_outside_consultation(new_project, walk):
    project = walk(new_project(), State.DRAFTING)
    with pytest.raises(errors.CommentRefused, match="不在征求意见阶段"):
        consultation_actions.submit_comment(project=project, text="太早了", author_name="王五")
    assert not PublicComment.objects.exists()


def test_the_rate_limit_answers_429_in_chinese(client, open_project, enterprise_user):
    digest = consultation_actions.sender_digest("127.0.0.1")
    window, most = consultation_actions.RATE_LIMITS[0]
    for i in range(most):
        consultation_actions.submit_comment(project=open_project, text=f"意见 {i}", author_name="王五", sender_digest=digest)
    client.force_login(enterprise_user)  # signed in: no captcha, still limited
    response = client.post(reverse("lifecycle:consultation", args=[open_project.code]), _form())
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode() and int(response["Retry-After"]) > 0
    assert PublicComment.objects.count() == most
    api = client.post(f"/api/lifecycle/consultations/{open_project.code}/comments",
                      {"text": "再来一条", "author_name": "王五"}, content_type="application/json")
    assert api.status_code == 429 and "提交过于频繁" in api.json()["detail"]
    # Another sender is not affected; the same sender may write again once the window has passed.
    consultation_actions.submit_comment(project=open_project, text="别人", author_name="赵六", sender_digest=consultation_actions.sender_digest("10.0.0.9"))
    past = timezone.now() - window - timedelta(minutes=1)
    PublicComment.objects.filter(sender_digest=digest).update(submitted_at=past)
    consultation_actions.check_rate(open_project, digest)


def test_the_daily_limit_counts_the_last_24_hours(open_project):
    digest = consultation_actions.sender_digest("192.0.2.1")
    day, most = consultation_actions.RATE_LIMITS[1]
    now = timezone.now()
    for i in range(most):
        c = PublicComment.objects.create(project=open_project, text=f"意见 {i}", author_name="王五", sender_digest=digest)
        # Spread over the day, so the ten-minute window is not what stops the next one.
        PublicComment.objects.filter(pk=c.pk).update(submitted_at=now - timedelta(hours=23) + timedelta(minutes=40 * i))
    with pytest.raises(errors.RateLimited, match="24 小时最多提交 30 条"):
        consultation_actions.check_rate(open_project, digest, now=now)
    # An hour later the oldest has left the window.
    consultation_actions.check_rate(open_project, digest, now=now + timedelta(hours=1, minutes=1))


# ---------------------------------------------------------------------------------------------------------------
# Answers.

@pytest.fixture
def comment(open_project):
    return consultation_actions.submit_comment(project=open_project, text="建议删去 4.2 中的“宜”。", author_name="王五", clause="4.2",
                              contact=CONTACT)


def test_the_drafter_answers_and_each_answer_is_one_event(comment, people, open_project):
    drafter = people["drafter"]
    answered = consultation_actions.answer_comment(comment=comment, resolution="adopted", response="", by=drafter)
    assert answered.resolution == "adopted" and answered.answered_by == drafter and answered.answered_at
    assert len(events(open_project, "comment_answered")) == 1
    # The same answer again changes nothing and writes nothing.
    consultation_actions.answer_comment(comment=comment, resolution="adopted", response="", by=drafter)
    assert len(events(open_project, "comment_answered")) == 1
    # Re-answering replaces the answer and is recorded with what it was.
    consultation_actions.answer_comment(comment=comment, resolution="not_adopted", response="与 GB 7718 不一致", by=drafter)
    done = events(open_project, "comment_answered")
    assert len(done) == 2
    assert done[-1].payload["previous_resolution"] == "adopted" and done[-1].payload["resolution"] == "not_adopted"
    assert done[-1].payload["response_sha256"] == consultation_actions._sha256("与 GB 7718 不一致")
    assert CONTACT not in done[-1].data


@pytest.mark.parametrize("resolution", ["partly_adopted", "not_adopted"])
def test_partly_or_not_adopted_needs_a_reason(comment, people, resolution):
    with pytest.raises(errors.CommentRefused, match="须填写理由"):
        consultation_actions.answer_comment(comment=comment, resolution=resolution, response="  ", by=people["drafter"])
    comment.refresh_from_db()
    assert comment.resolution == "" and comment.answered_at is None


def test_an_unknown_resolution_or_a_long_reason_is_refused(comment, people):
    with pytest.raises(errors.CommentRefused, match="请选择处理意见"):
        consultation_actions.answer_comment(comment=comment, resolution="maybe", response="", by=people["drafter"])
    with pytest.raises(errors.CommentRefused, match="处理理由不能超过"):
        consultation_actions.answer_comment(comment=comment, resolution="not_adopted", response="因" * 5001, by=people["drafter"])


@pytest.mark.parametrize("who", ["other_drafter", "committee", "dept", "evaluator"])
def test_only_the_drafter_or_the_bureau_may_answer(comment, people, who, open_project):
    with pytest.raises(errors.NotAllowed):
        consultation_actions.answer_comment(comment=comment, resolution="adopted", response="", by=people[who])
    consultation_actions.answer_comment(comment=comment, resolution="adopted", response="", by=people["bureau"])
    assert len(events(open_project, "comment_answered")) == 1


def test_answers_only_in_consultation_and_resolution(comment, people, open_project):
    LocalStandardProject.objects.filter(pk=open_project.pk).update(state=State.RESOLUTION)
    consultation_actions.answer_comment(comment=comment, resolution="adopted", response="", by=people["drafter"])
    LocalStandardProject.objects.filter(pk=open_project.pk).update(state=State.TECHNICAL_REVIEW)
    with pytest.raises(errors.CommentRefused, match="只能在征求意见和意见处理阶段答复"):
        consultation_actions.answer_comment(comment=comment, resolution="not_adopted", response="改主意", by=people["drafter"])


def test_a_stale_page_does_not_overwrite_an_answer(comment, people):
    token = consultation_queries.answer_token(comment)
    assert token == ""
    consultation_actions.answer_comment(comment=comment, resolution="adopted", response="", by=people["bureau"],
                       expected_answered_at=token)
    with pytest.raises(errors.StaleAnswer, match="请刷新页面"):
        consultation_actions.answer_comment(comment=comment, resolution="not_adopted", response="不同意", by=people["drafter"],
                           expected_answered_at=token)
    comment.refresh_from_db()
    assert comment.resolution == "adopted"
    consultation_actions.answer_comment(comment=comment, resolution="not_adopted", response="不同意", by=people["drafter"],
                       expected_answered_at=consultation_queries.answer_token(comment))


def test_a_signed_in_commenter_is_told_of_the_answer(open_project, enterprise_user, people):
    mine = consultation_actions.submit_comment(project=open_project, text="意见", author_name="企业", user=enterprise_user)
    consultation_actions.answer_comment(comment=mine, resolution="partly_adopted", response="部分内容已改", by=people["drafter"])
    notice = Notice.objects.get(recipient=enterprise_user)
    assert notice.kind == "comment_answered" and "部分采纳" in notice.subject and "部分内容已改" in notice.body


def test_the_drafting_organisation_is_notified_at_most_once_an_hour(open_project, people):
    consultation_actions.submit_comment(project=open_project, text="一", author_name="甲")
    consultation_actions.submit_comment(project=open_project, text="二", author_name="乙")
    notices = Notice.objects.filter(kind=consultation_actions.NOTICE_KIND)
    assert [n.recipient for n in notices] == [people["drafter"]]
    assert "待答复" in notices[0].body
    Notice.objects.filter(kind=consultation_actions.NOTICE_KIND).update(created_at=timezone.now() - consultation_actions.NOTICE_INTERVAL - timedelta(1))
    consultation_actions.submit_comment(project=open_project, text="三", author_name="丙")
    assert Notice.objects.filter(kind=consultation_actions.NOTICE_KIND).count() == 2
    assert "共有 3 条意见待答复" in Notice.objects.filter(kind=consultation_actions.NOTICE_KIND).first().body


# ---------------------------------------------------------------------------------------------------------------
# The drafter's page.

def test_the_comments_page_names_the_sender_only_to_those_who_may_see_personal_data(client, comment, people,
                                                                                    open_project, make_user):
    url = reverse("lifecycle:comments", args=[open_project.code])
    client.force_login(people["drafter"])  # answers the text, does not need to know who wrote it
    page = client.get(url).content.decode()
    assert "建议删去 4.2" in page and 'name="resolution"' in page
    assert CONTACT not in page and "王五" not in page and "提出人 1" in page
    city = make_user("gz", "city_officer", region="440100")
    for who in (people["committee"], people["bureau"], city):  # the project's secretariat, the bureau, its city
        client.force_login(who)
        page = client.get(url).content.decode()
        assert CONTACT in page and "王五" in page, who
    client.force_login(people["committee"])
    assert 'name="resolution"' not in client.get(url).content.decode()  # sees who, may not answer
    client.force_login(make_user("sz", "city_officer", region="440300"))  # another city: not even the page
    assert client.get(url).status_code == 403


def test_the_comments_page_is_closed_to_outsiders(client, comment, people, enterprise_user, open_project):
    url = reverse("lifecycle:comments", args=[open_project.code])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(enterprise_user)
    assert client.get(url).status_code == 403
    client.force_login(people["other_drafter"])
    assert client.get(url).status_code == 403
    answer = reverse("lifecycle:comment-answer", args=[open_project.code, comment.pk])
    assert client.post(answer, {"resolution": "adopted"}).status_code == 403
    client.force_login(people["committee"])
    assert client.post(answer, {"resolution": "adopted"}).status_code == 403
    comment.refresh_from_db()
    assert comment.resolution == ""


def test_the_comments_page_has_a_bounded_number_of_queries(client, open_project, people,
                                                          django_assert_max_num_queries):
    for i in range(30):
        c = consultation_actions.submit_comment(project=open_project, text=f"意见 {i}", author_name=f"提出人{i}", clause=f"4.{i}")
        if i % 2:
            consultation_actions.answer_comment(comment=c, resolution="adopted", response="", by=people["drafter"])
    client.force_login(people["drafter"])
    url = reverse("lifecycle:comments", args=[open_project.code])
    with django_assert_max_num_queries(12):  # ten today, whatever the number of comments
        response = client.get(url)
    assert response.content.decode().count('<li class="comment') == 30


def test_filtering_unanswered_and_counts(client, open_project, people):
    first = consultation_actions.submit_comment(project=open_project, text="已处理的意见", author_name="甲")
    consultation_actions.submit_comment(project=open_project, text="还没处理的意见", author_name="乙")
    consultation_actions.answer_comment(comment=first, resolution="adopted", response="", by=people["drafter"])
    client.force_login(people["drafter"])
    url = reverse("lifecycle:comments", args=[open_project.code])
    page = client.get(url + "?show=unanswered").content.decode()
    assert "还没处理的意见" in page and "已处理的意见" not in page
    counts = client.get(url).context["counts"]
    assert (counts["total"], counts["answered"], counts["unanswered"]) == (2, 1, 1)


def test_the_htmx_answer_form(client, comment, people, open_project):
    client.force_login(people["drafter"])
    url = reverse("lifecycle:comment-answer", args=[open_project.code, comment.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    missing = client.post(url, {"resolution": "not_adopted", "response": "", "token": ""}, **htmx)
    assert missing.status_code == 400 and "须填写理由" in missing.content.decode()
    saved = client.post(url, {"resolution": "not_adopted", "response": "不符合上位标准", "token": ""}, **htmx)
    assert saved.status_code == 200
    body = saved.content.decode()
    assert body.lstrip().startswith("<li") and "已保存" in body and "不符合上位标准" in body
    assert 'id="comment-counts" hx-swap-oob="true"' in body  # the counts above the list follow
    stale = client.post(url, {"resolution": "adopted", "response": "", "token": ""}, **htmx)
    assert stale.status_code == 409 and "请刷新页面" in stale.content.decode()
    comment.refresh_from_db()
    assert comment.resolution == "not_adopted"
    assert len(events(open_project, "comment_answered")) == 1


# ---------------------------------------------------------------------------------------------------------------
# The comment resolution table.

@pytest.fixture
def answered_comments(open_project, people):
    rows = [
        ("5.1", "温度限值偏低", "改为 70 ℃", "广州某食品公司", "甲", "not_adopted", "依据试验数据保持 65 ℃"),
        ("", "建议补充术语“干燥”的定义", "", "", "乙", "adopted", ""),
        ("4.10", "=SUM(A1:A9) 应写为公式", "", "某协会", "丙", "partly_adopted", "部分采纳：已修改表述"),
        ("4.2", "第二个意见", "", "", "丁", "adopted", ""),
    ]
    out = []
    for clause, text, proposal, org, name, resolution, response in rows:
        c = consultation_actions.submit_comment(project=open_project, clause=clause, text=text, proposal=proposal,
                               author_organisation=org, author_name=name, contact=CONTACT)
        consultation_actions.answer_comment(comment=c, resolution=resolution, response=response, by=people["drafter"])
        out.append(c)
    return out


def test_the_excel_table(open_project, answered_comments):
    from openpyxl import load_workbook

    data, content_type, filename = consultation_queries.comment_table(open_project, "xlsx")
    assert filename == f"{open_project.code}-意见汇总处理表.xlsx" and "spreadsheet" in content_type
    ws = load_workbook(io.BytesIO(data)).active
    assert open_project.title_zh in ws["A1"].value and open_project.code in ws["A2"].value
    assert "共收到意见 4 条" in ws["A3"].value and "采纳 2 条" in ws["A3"].value
    assert [c.value for c in ws[4]] == list(comment_table.TABLE_HEADER)
    assert ws.freeze_panes == "A5"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    # Ordered by clause (the whole draft first, 4.2 before 4.10), numbered 1…n.
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert [r[1] for r in rows] == ["全文", "4.2", "4.10", "5.1"]
    # Senders are pseudonyms unless the reader may see personal data (numbered by their first comment).
    assert rows[3] == [4, "5.1", "温度限值偏低", "改为 70 ℃", "提出人 1", "未采纳", "依据试验数据保持 65 ℃"]
    named = load_workbook(io.BytesIO(consultation_queries.comment_table(open_project, "xlsx", show_contacts=True)[0])).active
    assert named["E8"].value == "广州某食品公司／甲" and named["E7"].value == "某协会／丙"
    assert rows[2][2] == "=SUM(A1:A9) 应写为公式" and ws["C7"].data_type == "s"  # text, not a formula
    assert ws["C5"].alignment.wrap_text and ws.column_dimensions["C"].width == 50
    assert all(CONTACT not in str(v) for r in rows for v in r)


def test_the_word_table_is_landscape(open_project, answered_comments):
    from docx import Document
    from docx.enum.section import WD_ORIENT

    data, _, _ = consultation_queries.comment_table(open_project, "docx")
    document = Document(io.BytesIO(data))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert document.sections[0].page_width > document.sections[0].page_height
    assert open_project.title_zh in document.paragraphs[0].text
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(comment_table.TABLE_HEADER)
    assert len(table.rows) == 5
    assert [c.text for c in table.rows[4].cells][1:3] == ["5.1", "温度限值偏低"]
    assert table.rows[4].cells[5].text == "未采纳"


def test_the_pdf_table_has_its_text(open_project, answered_comments):
    import pdfplumber

    data, content_type, _ = consultation_queries.comment_table(open_project, "pdf")
    assert data.startswith(b"%PDF") and content_type == "application/pdf"
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "意见汇总处理表" in text and "温度限值偏低" in text and "依据试验数据保持" in text


def test_a_long_comment_spans_pages_in_the_pdf(open_project):
    import pdfplumber

    consultation_actions.submit_comment(project=open_project, text="很长的意见。" * 830, author_name="甲")
    data, _, _ = consultation_queries.comment_table(open_project, "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 2


def test_a_draft_table_is_marked_while_comments_wait(open_project, comment):
    data, _, filename = consultation_queries.comment_table(open_project, "xlsx")
    assert "草稿" in filename
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).active
    assert "草稿" in ws["A2"].value and ws["F5"].value == "（未答复）"


def test_table_downloads_need_a_participant(client, open_project, answered_comments, people, enterprise_user):
    for fmt, magic in (("xlsx", b"PK"), ("docx", b"PK"), ("pdf", b"%PDF")):
        url = reverse("lifecycle:comment-table", args=[open_project.code, fmt])
        client.force_login(people["drafter"])
        response = client.get(url)
        assert response.status_code == 200 and response.content.startswith(magic)
        assert "attachment" in response["Content-Disposition"]
        client.force_login(enterprise_user)
        assert client.get(url).status_code == 403
    client.force_login(people["drafter"])
    assert client.get(reverse("lifecycle:comment-table", args=[open_project.code, "csv"])).status_code == 404


def test_attaching_the_table_is_refused_while_comments_wait(open_project, people, comment):
    with pytest.raises(errors.CommentRefused, match="意见处理阶段"):
        consultation_actions.attach_comment_table(project=open_project, by=people["drafter"])
    project = close(open_project, people)
    PublicComment.objects.create(project=project, text="又一条", author_name="乙")
    with pytest.raises(errors.CommentRefused, match="仍有 2 条意见未答复"):
        consultation_actions.attach_comment_table(project=project, by=people["drafter"])
    with pytest.raises(errors.NotAllowed):
        consultation_actions.attach_comment_table(project=project, by=people["committee"])
    assert not ProjectDocument.objects.filter(project=project, kind="comment_table").exists()


def test_submit_for_review_waits_for_every_answer_and_the_table(client, open_project, people):
    drafter = people["drafter"]
    first = consultation_actions.submit_comment(project=open_project, text="意见一", author_name="甲", clause="3.1")
    second = consultation_actions.submit_comment(project=open_project, text="意见二", author_name="乙")
    project = close(open_project, people)
    documents.upload_document(project=project, kind="draft_for_review", data=docx_bytes("送审稿"),
                             filename="送审稿.docx", by=drafter)
    consultation_actions.answer_comment(comment=first, resolution="adopted", response="", by=drafter)
    with pytest.raises(errors.TransitionRefused, match="仍有未处理的征求意见"):
        project_actions.advance(project=project, action="submit_for_review", by=drafter)
    consultation_actions.answer_comment(comment=second, resolution="not_adopted", response="超出本标准范围", by=drafter)
    with pytest.raises(errors.TransitionRefused, match="缺少文件：意见汇总处理表"):
        project_actions.advance(project=project, action="submit_for_review", by=drafter)
    client.force_login(drafter)
    response = client.post(reverse("lifecycle:comment-table-attach", args=[project.code]))
    assert response.status_code == 302
    doc = ProjectDocument.objects.get(project=project, kind="comment_table")
    assert doc.content_type == "docx" and doc.uploaded_by == drafter and "意见汇总处理表" in doc.filename
    project = project_actions.advance(project=project, action="submit_for_review", by=drafter)
    assert project.state == State.TECHNICAL_REVIEW
    kinds = [e.kind for e in Event.objects.filter(subject=subject_key(project)).order_by("seq")]
    assert kinds.count("comment_received") == 2 and kinds.count("comment_answered") == 2


def test_the_panel_on_the_project_page(open_project, people, comment, django_assert_max_num_queries, new_project):
    roles = access.project_roles(people["drafter"], open_project)
    with django_assert_max_num_queries(4):
        panel = consultation_queries.project_panel_context(open_project, people["drafter"], roles)
    assert panel["show"] and panel["counts"]["unanswered"] == 1 and panel["may_answer"]
    assert panel["waiting"][0]["id"] == comment.pk and panel["public_url"]
    assert not panel["may_attach"]  # only once in resolution
    committee = consultation_queries.project_panel_context(open_project, people["committee"],
                                          access.project_roles(people["committee"], open_project))
    assert not committee["may_answer"] and committee["waiting"] == []
    assert consultation_queries.project_panel_context(new_project("新项目"), people["dept"], set()) == {"show": False}


def test_the_project_page_renders_the_panel(client, open_project, people, comment):
    client.force_login(people["drafter"])
    page = client.get(open_project.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "逐条答复意见" in body and reverse("lifecycle:comments", args=[open_project.code]) in body


# ---------------------------------------------------------------------------------------------------------------
# Clauses of the draft.


def test_the_clause_list_comes_from_the_draft_or_falls_back_to_free_text(client, open_project, people):
    page = client.get(reverse("lifecycle:consultation", args=[open_project.code])).content.decode()
    assert '<input type="text" name="clause"' in page  # the walk's draft is one paragraph: no clauses
    documents.upload_document(project=open_project, kind="draft_for_comment", data=gb_draft(), filename="草案.docx",
                             by=people["drafter"])
    clauses = consultation_queries.draft_clauses(open_project)
    assert clauses is not None
    numbers = [c["number"] for c in clauses]
    assert "4.2" in numbers and "1" in numbers
    page = client.get(reverse("lifecycle:consultation", args=[open_project.code])).content.decode()
    assert '<select name="clause"' in page and '<option value="4.2"' in page
    client.force_login(people["bureau"])
    url = reverse("lifecycle:consultation", args=[open_project.code])
    assert client.post(url, _form(clause="4.2")).status_code == 302
    assert client.post(url, _form(clause="__other__", clause_other="附录 A", text="附录意见")).status_code == 302
    assert list(PublicComment.objects.order_by("id").values_list("clause", flat=True)) == ["4.2", "附录 A"]
    refused = client.post(url, _form(clause="__other__", clause_other="附录 B", text=""))
    assert refused.status_code == 400 and 'value="附录 B"' in refused.content.decode()


# ---------------------------------------------------------------------------------------------------------------
# API and command line.

def test_api_open_consultations_and_anonymous_comment_with_captcha(client, open_project, challenges):
    listed = client.get("/api/lifecycle/consultations").json()
    assert [r["code"] for r in listed] == [open_project.code] and listed[0]["open"] is True
    url = f"/api/lifecycle/consultations/{open_project.code}/comments"
    body = {"text": "接口提交的意见", "author_name": "接口用户", "contact": CONTACT}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "验证码" in refused.json()["detail"]
    got = client.get(f"/api/lifecycle/consultations/{open_project.code}/captcha").json()
    assert got["svg"].startswith("<svg") and got["id"] == challenges[-1].id
    created = client.post(url, {**body, "captcha_id": got["id"], "captcha_answer": challenges[-1].answer},
                          content_type="application/json")
    assert created.status_code == 201
    assert PublicComment.objects.get(pk=created.json()["id"]).contact == CONTACT
    again = client.post(url, {**body, "captcha_id": got["id"], "captcha_answer": challenges[-1].answer},
                        content_type="application/json")
    assert again.status_code == 400 and "已使用" in again.json()["detail"]


def test_api_comments_and_answers(client, open_project, comment, people, enterprise_user):
    url = f"/api/lifecycle/projects/{open_project.code}/comments"
    assert client.get(url).status_code == 401
    client.force_login(enterprise_user)
    assert client.get(url).status_code == 403
    client.force_login(people["committee"])
    rows = client.get(url).json()
    assert rows[0]["id"] == comment.pk and rows[0]["contact"] == CONTACT and rows[0]["author_name"] == "王五"
    answer = f"{url}/{comment.pk}/answer"
    assert client.post(answer, {"resolution": "adopted"}, content_type="application/json").status_code == 403
    client.force_login(people["drafter"])
    row = client.get(url).json()[0]
    assert (row["contact"], row["author_name"], row["author_organisation"], row["sender"]) == (None, None, None,
                                                                                                "提出人 1")
    missing = client.post(answer, {"resolution": "not_adopted", "response": ""}, content_type="application/json")
    assert missing.status_code == 400 and "须填写理由" in missing.json()["detail"]
    ok = client.post(answer, {"resolution": "partly_adopted", "response": "部分采纳", "expected": ""},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["resolution"] == "partly_adopted" and ok.json()["contact"] is None
    stale = client.post(answer, {"resolution": "adopted", "expected": ""}, content_type="application/json")
    assert stale.status_code == 409
    assert client.get(url + "?unanswered=true").json() == []


def test_the_command_line(open_project, answered_comments, tmp_path):
    out = io.StringIO()
    target = tmp_path / "table.xlsx"
    call_command("comments", "export", open_project.code, str(target), stdout=out)
    assert target.read_bytes().startswith(b"PK") and "4 条意见" in out.getvalue()
    pdf = tmp_path / "table.pdf"
    call_command("comments", "export", open_project.code, str(pdf), "--json", stdout=(out := io.StringIO()))
    assert pdf.read_bytes().startswith(b"%PDF") and json.loads(out.getvalue())["total"] == 4
    call_command("comments", "list", open_project.code, "--json", stdout=(out := io.StringIO()))
    rows = json.loads(out.getvalue())
    assert len(rows) == 4 and "contact" not in rows[0] and rows[0]["resolution"]
    call_command("comments", "list", open_project.code, stdout=(out := io.StringIO()))
    assert "共 4 条，已答复 4 条，未答复 0 条" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="后缀"):
        call_command("comments", "export", open_project.code, str(tmp_path / "t.csv"))
    with pytest.raises(CommandError, match="没有项目"):
        call_command("comments", "list", "1999-9999")


def test_a_signed_in_api_comment_needs_the_csrf_token(open_project, enterprise_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = f"/api/lifecycle/consultations/{open_project.code}/comments"
    body = {"text": "意见", "author_name": "企业"}
    anonymous = strict.post(url, body, content_type="application/json")
    assert anonymous.status_code == 400 and "验证码" in anonymous.json()["detail"]  # no cookie to abuse
    strict.force_login(enterprise_user)
    refused = strict.post(url, body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    strict.get(reverse("lifecycle:consultation", args=[open_project.code]))  # sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    ok = strict.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201 and PublicComment.objects.get().user == enterprise_user
