"""One project from 立项申请 to 批准发布 through the pages, as the right users, with a public comment answered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from lifecycle.models import LocalStandardProject
from lifecycle.tests.conftest import docx_bytes
from tests.browsing import signed_in

SHOTS = Path(__file__).resolve().parents[2] / "tests" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answers(monkeypatch):
    """The captcha's answers by challenge id: what a person reads off the picture."""
    from lifecycle import captcha

    seen: dict[str, str] = {}
    real = captcha.new_challenge

    def remembering(**kwargs):
        challenge = real(**kwargs)
        seen[challenge.id] = challenge.answer
        return challenge

    monkeypatch.setattr(captcha, "new_challenge", remembering)
    return seen


def _act(page, action, **fields):
    form = page.locator(f"form.action-form[data-action={action}]")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".msg-error").count() == 0, page.locator(".msg-error").all_inner_texts()


def _upload(page, tmp_path, kind, name):
    path = tmp_path / name
    path.write_bytes(docx_bytes(f"{kind} {name}"))
    form = page.locator("form.upload", has=page.locator("select[name=kind]"))
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".msg-error").count() == 0, page.locator(".msg-error").all_inner_texts()


def _state(code):
    return LocalStandardProject.objects.get(code=code).state


def test_proposal_to_publication_through_the_pages(browser, live_server, people, answers, tmp_path):
    site = live_server.url
    SHOTS.mkdir(exist_ok=True)

    # 行业主管部门: the proposal form, the application document, submission.
    dept = signed_in(browser, site, "dept")
    dept.goto(f"{site}/lifecycle/projects/new/")
    dept.fill("input[name=title_zh]", "岭南荔枝干燥加工技术规程")
    dept.select_option("select[name=drafting_organisations]", label=people["drafter"].organisation.name)
    dept.select_option("select[name=technical_committee]", label=people["committee"].organisation.name)
    dept.click("form.form-grid button[type=submit]")
    dept.wait_for_url("**/lifecycle/projects/*/")
    code = dept.url.rstrip("/").rsplit("/", 1)[1]
    _upload(dept, tmp_path, "application", "立项申请书.docx")
    _act(dept, "submit_application")
    assert _state(code) == "assessment"

    # 省局: assessment passed, publicity, and a month later the plan is issued.
    bureau = signed_in(browser, site, "bureau")
    bureau.goto(f"{site}/lifecycle/projects/{code}/")
    _act(bureau, "start_publicity")
    LocalStandardProject.objects.filter(code=code).update(
        publicity_opened_on=timezone.localdate() - timedelta(days=31))  # the publicity month passes
    bureau.reload()
    _act(bureau, "issue_plan")
    assert _state(code) == "drafting"

    # 起草单位: the draft for comment and the explanatory report, then the consultation opens.
    drafter = signed_in(browser, site, "drafter")
    drafter.goto(f"{site}/lifecycle/work/")
    drafter.click(f"text={code}")
    _upload(drafter, tmp_path, "draft_for_comment", "征求意见稿.docx")
    _upload(drafter, tmp_path, "explanatory_report", "编制说明.docx")
    _act(drafter, "publish_draft")
    assert _state(code) == "consultation"

    # The public, without an account, comments on the draft (captcha read off the picture).
    public = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
    public.goto(f"{site}/consultations/")
    public.click("text=岭南荔枝干燥加工技术规程")
    public.fill("textarea[name=text]", "建议第4章明确干燥温度的测量位置。")
    public.fill("input[name=author_name]", "陈先生")
    challenge = public.locator("input[name=captcha_id]").input_value()
    public.fill("input[name=captcha_answer]", answers[challenge])
    public.click("form.comment-form button[type=submit]")
    public.wait_for_load_state()
    public.screenshot(path=str(SHOTS / "lifecycle-public-comment-375.png"), full_page=True)
    comment = LocalStandardProject.objects.get(code=code).comments.get()
    assert comment.author_name == "陈先生"

    # 起草单位 answers it, closes the consultation a month later, attaches the table and submits for review.
    drafter.goto(f"{site}/lifecycle/projects/{code}/comments/")
    form = drafter.locator(f"#comment-{comment.pk} form")
    form.locator("[name=resolution]").first.check() if form.locator("input[name=resolution]").count() else \
        form.locator("select[name=resolution]").select_option("adopted")
    form.locator("[name=response]").fill("已在4.2中补充测量位置。")
    form.locator("button[type=submit]").click()
    drafter.wait_for_timeout(500)
    comment.refresh_from_db()
    assert comment.resolution
    LocalStandardProject.objects.filter(code=code).update(
        consultation_opened_on=timezone.localdate() - timedelta(days=31),
        consultation_closes_on=timezone.localdate() - timedelta(days=1))  # the consultation month passes
    drafter.goto(f"{site}/lifecycle/projects/{code}/")
    _act(drafter, "close_consultation")
    drafter.click("form[action$='/comments/attach/'] button[type=submit]")
    drafter.wait_for_load_state()
    _upload(drafter, tmp_path, "draft_for_review", "送审稿.docx")
    _act(drafter, "submit_for_review")
    assert _state(code) == "technical_review"

    # 技术委员会: the panel (no expert of the drafting organisation), conclusions, minutes and decision.
    tc = signed_in(browser, site, "tc")
    tc.goto(f"{site}/lifecycle/projects/{code}/review/panel/")
    boxes = tc.locator("input[name=expert]")
    for i in range(5):
        boxes.nth(i).check()
    tc.locator("input[name=chair]").first.check()
    tc.fill("input[name=meeting_on]", timezone.localdate().isoformat())
    tc.click("#panel-form button[type=submit]")
    tc.wait_for_load_state()
    for i in range(5):
        expert = signed_in(browser, site, f"expert{i}")
        expert.goto(f"{site}/lifecycle/review/my/")
        form = expert.locator("form", has=expert.locator("[name=conclusion]")).first
        form.locator("input[name=conclusion][value=pass]").check()
        form.locator("[name=opinion]").fill("技术内容可行，同意通过。")
        form.locator("button[type=submit]").click()
        expert.wait_for_selector(".msg-success", timeout=10000)
        expert.context.close()
    tc.goto(f"{site}/lifecycle/projects/{code}/")
    minutes = tmp_path / "审查会议纪要.docx"
    minutes.write_bytes(docx_bytes("审查会议纪要"))
    decision = tc.locator("form", has=tc.locator("[name=decision]"))
    decision.locator("[name=decision]").select_option("pass") if decision.locator("select[name=decision]").count() \
        else decision.locator("input[name=decision][value=pass]").check()
    decision.locator("input[name=minutes_file]").set_input_files(str(minutes))
    with tc.expect_navigation():  # the decision posts with HTMX, then the page reloads
        decision.locator("button[type=submit]").click()
    assert LocalStandardProject.objects.get(code=code).review_decision == "pass"

    # 起草单位 uploads the draft for approval and submits it; 省局 approves, and the number is assigned.
    drafter.goto(f"{site}/lifecycle/projects/{code}/")
    _upload(drafter, tmp_path, "draft_for_approval", "报批稿.docx")
    _act(drafter, "submit_for_approval")
    bureau.goto(f"{site}/lifecycle/projects/{code}/")
    _act(bureau, "approve_publication",
         implementation_on=(timezone.localdate() + timedelta(days=90)).isoformat())
    project = LocalStandardProject.objects.get(code=code)
    assert project.state == "published" and project.number.startswith("DB44/T ")
    assert project.number in bureau.inner_text("article.project")
    bureau.screenshot(path=str(SHOTS / "lifecycle-published.png"), full_page=True)
    # The standard is in the public catalogue, with its timeline.
    public.goto(f"{site}{project.standard.get_absolute_url()}")
    assert project.number in public.inner_text("main")
