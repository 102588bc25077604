"""Pages as a user sees them, in Debian's Chromium driven by Playwright: search 陶瓷, filter, open the standard."""

from __future__ import annotations

from pathlib import Path

import pytest

SHOTS = Path(__file__).resolve().parent / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, reference):
    from yuebiao.demo import load_demo

    load_demo(standards=120)
    SHOTS.mkdir(exist_ok=True)
    return live_server.url


def test_search_filter_open_standard(browser, site):
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(site + "/")
    page.fill("input[name=q]", "陶瓷")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".result-count")
    assert "陶瓷" in page.inner_text(".results")
    page.screenshot(path=str(SHOTS / "search-ceramics.png"), full_page=True)
    # Filter by level through the facet (an HTMX request that replaces the results and pushes the URL).
    page.click("a.facet-value[data-facet=level][data-value=local]")
    page.wait_for_url("**level=local**")
    page.wait_for_selector("a.facet-value.selected[data-value=local]")
    titles = page.locator(".std .badge.level-local")
    assert titles.count() >= 1
    assert page.locator(".std").count() == titles.count()
    page.click(".std-title >> nth=0")
    page.wait_for_selector("article.standard")
    heading = page.inner_text("h1")
    assert "陶瓷" in heading
    fields = page.inner_text("dl.fields")
    assert "发布日期" in fields and "实施日期" in fields and "ICS" in fields
    page.screenshot(path=str(SHOTS / "standard-detail.png"), full_page=True)
    page.close()


def test_phone_width_and_english(browser, site):
    page = browser.new_page(viewport={"width": 375, "height": 800}, is_mobile=True, locale="en-US")
    page.goto(site + "/search/?q=%E8%8D%94%E6%9E%9D")
    assert "标准检索" in page.inner_text("header"), "an English browser still gets Chinese first"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page is {width}px wide on a 375px phone"
    page.screenshot(path=str(SHOTS / "phone-search.png"), full_page=True)
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Search" in page.inner_text("header")
    page.screenshot(path=str(SHOTS / "phone-search-en.png"), full_page=True)
    page.close()


def test_officer_imports_through_the_page(browser, site, tmp_path):
    from accounts.services import create_user

    create_user(username="importer", password="pass-word-123", roles=["provincial_officer"])
    csv = tmp_path / "list.csv"
    csv.write_text("标准号,中文名称,发布日期,实施日期\nDB44/T 2999—2026,浏览器导入测试规范,2026-01-01,2026-03-01\n"
                   "坏编号,坏,2026-01-01,2026-03-01\n", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site + "/catalogue/import/")
    page.fill("#id_username", "importer")
    page.fill("#id_password", "pass-word-123")
    page.click("form.card button[type=submit]")
    page.set_input_files("input[type=file]", str(csv))
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("#row-errors")
    assert "坏编号" in page.inner_text("#row-errors")
    page.screenshot(path=str(SHOTS / "import-report.png"), full_page=True)
    page.click("button[value=valid_only]")
    page.wait_for_selector(".msg-success")
    page.goto(site + "/search/?q=DB44/T 2999")
    assert "浏览器导入测试规范" in page.inner_text(".results")
    page.close()
