"""Searching as people type, in Debian's Chromium: a number with a /T it does not have is offered as "did you mean";
on a phone the filters fold into one control above the results."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

SHOTS = Path(os.environ.get("YUEBIAO_SCREENSHOTS", tempfile.gettempdir()))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, reference):
    return live_server.url


def test_a_number_typed_with_a_wrong_t_is_found(browser, site):
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(site + "/search/")
    # The reference data holds the mandatory DB44/ 2159—2019; people type it as a recommended standard.
    page.fill("input[name=q]", "DB44/T 2159")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".did-you-mean")
    suggestion = page.inner_text(".did-you-mean")
    assert "我们找到了相近的标准号" in suggestion and "DB44/ 2159—2019" in suggestion
    assert "共找到 0 项标准" not in page.inner_text(".results")
    page.screenshot(path=str(SHOTS / "search-did-you-mean-1280.png"), full_page=True)
    page.click(".did-you-mean .std-title")
    page.wait_for_selector("article.standard")
    assert "玻璃工业大气污染物排放标准" in page.inner_text("h1")
    page.close()


def test_phone_filters_open_from_the_top_of_the_results(browser, site):
    page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(site + "/search/?q=%E6%8E%92%E6%94%BE%E6%A0%87%E5%87%86")  # 排放标准
    page.wait_for_selector(".std")
    toggle = page.locator("summary.filters-toggle")
    first_result = page.locator(".results .std").first
    assert toggle.is_visible()
    assert toggle.bounding_box()["y"] < first_result.bounding_box()["y"], "the filters' control is above the results"
    assert not page.locator(".facets").is_visible(), "folded on a phone until asked for"
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    page.screenshot(path=str(SHOTS / "search-phone-390.png"), full_page=True)
    toggle.click()
    page.wait_for_selector(".facets a.facet-value")
    facet_top = page.locator(".facets").bounding_box()["y"]
    assert facet_top < page.locator(".results .std").first.bounding_box()["y"]
    page.screenshot(path=str(SHOTS / "search-phone-390-filters.png"), full_page=False)
    # Choosing a filter replaces the results (HTMX); the filters fold again over the new results.
    page.click("a.facet-value[data-facet=level] >> nth=0")
    page.wait_for_url("**level=**")
    page.wait_for_selector("summary.filters-toggle .count")
    assert not page.locator(".facets").is_visible()
    page.close()


def test_wide_screen_keeps_the_filters_beside_the_results(browser, site):
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(site + "/search/?q=%E9%94%85%E7%82%89%20%E5%A4%A7%E6%B0%94%E6%B1%A1%E6%9F%93%E7%89%A9")  # 锅炉 大气污染物
    page.wait_for_selector(".std")
    assert page.locator(".facets").is_visible() and not page.locator("summary.filters-toggle").is_visible()
    assert "没有同时包含全部词语的结果" in page.inner_text(".results")
    page.screenshot(path=str(SHOTS / "search-partial-1280.png"), full_page=True)
    page.close()
