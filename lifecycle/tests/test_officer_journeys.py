"""Journeys in a browser: a public comment, its receipt and the answer read through the private link; a city
officer's proposal form. Screenshots at 1280 and 390 px go to /tmp/officer-*.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Organisation
from lifecycle.models import LocalStandardProject
from lifecycle.tests.test_browser_walk import _act
from tests.browsing import signed_in

SHOTS = Path("/tmp")

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answers(monkeypatch):
    """Each challenge's answer by id, picture or sentence: what a person reads off it."""
    from lifecycle import captcha

    seen: dict[str, str] = {}
    for name in ("new_challenge", "new_text_challenge"):
        real = getattr(captcha, name)

        def remembering(real=real, **kwargs):
            challenge = real(**kwargs)
            seen[challenge.id] = challenge.answer
            return challenge

        monkeypatch.setattr(captcha, name, remembering)
    return seen


def _shot(page, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(SHOTS / f"officer-{name}-{width}.png"), full_page=True)


def test_public_comment_receipt_and_the_answer_through_the_private_link(browser, live_server, open_project, people,
                                                                       answers):
    site, code = live_server.url, open_project.code
    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    public.goto(f"{site}/consultations/{code}/")
    public.fill("textarea[name=text]", "建议明确干燥温度的测量位置。")
    public.fill("input[name=author_name]", "陈先生")
    # The non-visual alternative: the sum as a sentence, swapped in without leaving the page.
    public.click("a.captcha-alt")
    public.wait_for_selector(".captcha-text")
    assert "等于几" in public.inner_text(".captcha-text")
    challenge = public.locator("input[name=captcha_id]").input_value()
    public.fill("input[name=captcha_answer]", answers[challenge])
    public.click("form.comment-form button[type=submit]")
    public.wait_for_url("**/receipts/**")
    heading = public.locator("#receipt-h")
    assert "第 1 条意见" in heading.inner_text()
    assert public.evaluate("document.activeElement && document.activeElement.id") == "receipt-h"
    link = public.locator("input.receipt-link").input_value()
    assert "已收到，等待起草单位处理" in public.inner_text("main")
    _shot(public, "receipt", 390)
    _shot(public, "receipt", 1280)

    # The drafter signs in (landing on the work list), answers, closes the consultation and finalises the table.
    drafter = signed_in(browser, site, "drafter")
    assert drafter.url.endswith("/lifecycle/work/")
    _shot(drafter, "work", 1280)
    _shot(drafter, "work", 390)
    drafter.set_viewport_size({"width": 1280, "height": 900})
    comment = LocalStandardProject.objects.get(code=code).comments.get()
    drafter.goto(f"{site}/lifecycle/projects/{code}/comments/")
    form = drafter.locator(f"#comment-{comment.pk} form")
    if form.locator("input[name=resolution]").count():
        form.locator("input[name=resolution][value=not_adopted]").check()
    else:
        form.locator("select[name=resolution]").select_option("not_adopted")
    form.locator("[name=response]").fill("测量位置已由 GB/T 1.1 规定，无需重复。")
    form.locator("button[type=submit]").click()
    drafter.wait_for_timeout(500)
    LocalStandardProject.objects.filter(code=code).update(
        consultation_opened_on=timezone.localdate() - timedelta(days=31),
        consultation_closes_on=timezone.localdate() - timedelta(days=1))
    public.goto(link)
    assert "无需重复" not in public.inner_text("main")  # answered, but the table is not final yet
    drafter.goto(f"{site}/lifecycle/projects/{code}/")
    _act(drafter, "close_consultation")
    drafter.click("form[action$='/comments/attach/'] button[type=submit]")
    drafter.wait_for_load_state()

    # Through the private link, without an account, the sender reads the answer; the draft's page shows the table.
    public.goto(link)
    text = public.inner_text("main")
    assert "无需重复" in text and "未采纳" in text and "已答复（意见汇总处理表已定稿）" in text
    _shot(public, "answer", 1280)
    _shot(public, "answer", 390)
    public.goto(f"{site}/consultations/{code}/")
    assert "无需重复" in public.inner_text("#resolution-table") and "陈先生" not in public.inner_text("main")
    _shot(public, "table", 1280)
    _shot(public, "table", 390)


def test_a_city_officer_proposal_form_offers_one_city(browser, live_server, make_user):
    officer = make_user("sz-officer", "city_officer", region="440300", kind=Organisation.Kind.CITY_BUREAU)
    assert officer.pk
    page = signed_in(browser, live_server.url, "sz-officer")
    assert page.url.endswith("/lifecycle/work/")
    page.click("summary:has-text('地方标准')") if page.locator("summary:has-text('地方标准')").count() else None
    _shot(page, "menu", 1280)
    page.goto(f"{live_server.url}/lifecycle/projects/new/")
    options = page.locator("select[name=city_code] option")
    assert options.count() == 1 and options.first.get_attribute("value") == "440300"
    assert page.locator("select[name=city_code]").input_value() == "440300"
    _shot(page, "propose", 1280)
    _shot(page, "propose", 390)
