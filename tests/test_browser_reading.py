"""A standard read on its page and the site in English, as a browser shows them (Chromium through Playwright):
merged table cells at 1280 and 390 px (the table scrolls inside its frame on a phone), cited standards linked,
and the key pages in English. Screenshots go to /tmp (clause-*.png, en-*.png)."""

from __future__ import annotations

import pytest

from tests.english import CJK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, reference, tmp_path):
    from tests.crawling import load_world

    load_world(str(tmp_path))
    return live_server.url


@pytest.mark.parametrize("width", [1280, 390])
def test_a_clause_page_keeps_merged_cells_and_frames_wide_tables(browser, site, width):
    page = browser.new_page(locale="zh-CN", viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page.goto(site + "/standards/DB44-9901-2024/clauses/#table-1")
    table = page.locator("#table-1 table")
    assert table.locator("th[colspan='2']").inner_text() == "限值"
    assert table.locator("th[rowspan='2']").count() == 3
    frame = page.locator("#table-1 .table-scroll")
    sizes = frame.evaluate("f => [f.clientWidth, f.scrollWidth, getComputedStyle(f).overflowX]")
    assert sizes[2] == "auto"
    # No cell is squeezed to one character a line: each cell's text fits in at most two lines.
    heights = table.evaluate("t => [...t.querySelectorAll('td, th')].map(c => c.getBoundingClientRect().height)")
    line = table.evaluate("t => parseFloat(getComputedStyle(t.querySelector('td')).lineHeight) || 24")
    assert max(heights) <= 2 * line * 2 + 16  # a rowspan-2 cell is two rows tall
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 2, "the page itself scrolls sideways"
    link = page.locator("a.cite").first
    assert link.get_attribute("href") == "/standards/GB-13271-2014/"
    assert page.locator(".unmapped").first.get_attribute("title").startswith("未能识别的字符")
    page.screenshot(path=f"/tmp/clause-{width}.png", full_page=True)
    page.close()


@pytest.mark.parametrize("path,name", [("/", "home"), ("/search/?level=local", "search"),
                                       ("/standards/DB44-9901-2024/clauses/", "clauses")])
def test_key_pages_in_english(browser, site, path, name):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": site}])
    page = context.new_page()
    page.goto(site + path)
    header = page.inner_text("header.site-header")
    assert "Search" in header
    assert not [run for run in CJK.findall(header) if run not in ("粤标", "中文")]
    page.screenshot(path=f"/tmp/en-{name}.png", full_page=True)
    context.close()
