"""The published anchor roots at phone width, in Chinese and English (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import pytest
from django.db import transaction

from trail import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anchor_roots_fit_a_phone_in_both_languages(browser, live_server):
    for day in range(3):
        with transaction.atomic():
            services.record(f"catalogue.standard:DB44-T-{day}-2026", actor=None, kind="edited", data={})
        services.anchor_today()
    roots = [a["root"] for a in services.published_roots()]
    page = browser.new_page(viewport={"width": 375, "height": 800}, is_mobile=True, locale="zh-CN")
    page.goto(live_server.url + "/trail/anchors/")
    text = page.inner_text("main")
    assert "每日锚定根" in text and all(root in text.replace("\n", "") for root in roots)
    assert page.evaluate("document.documentElement.scrollWidth") <= 380
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Trail: daily anchor roots" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 380
    page.close()
