"""Every page reads in English when English is chosen: the crawl of tests/test_crawl.py, in English, finds no
Chinese outside the data itself (tests/english.py says what counts as data)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.crawling import ROLES, client_for, crawl, load_world, pattern_of
from tests.english import database_text, untranslated

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Chinese on purpose: the platform's name, and search examples (the catalogue's titles are Chinese, so are
# the words that find them).
DELIBERATE = {"粤标", "陶瓷", "荔枝"}
# Pages not translated yet, each with what it needs. The test fails when one of them is clean (take it off).
KNOWN_PAGES: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _back_to_chinese():
    """The last English request leaves English active in this thread; the tests that follow expect Chinese."""
    yield
    from django.utils import translation

    translation.deactivate()


def english_client(role):
    """A client that chose English as the site lets people do: the language cookie set by /i18n/setlang/."""
    from django.conf import settings

    client = client_for(role, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_every_page_reads_in_english(tmp_path):
    load_world(str(tmp_path))
    data = database_text()
    where: dict[str, set[str]] = defaultdict(set)
    known: dict[str, set[str]] = defaultdict(set)  # a known page's view name → its untranslated runs
    crawled: set[str] = set()
    for role in ROLES:
        for page in crawl(english_client(role), role).pages:
            if not page.html:
                continue
            view = pattern_of(page.url)[1] if len(pattern_of(page.url)) == 3 else ""
            crawled.add(view)
            for run in untranslated(page.html, data):
                if run in DELIBERATE:
                    continue
                if view in KNOWN_PAGES:
                    known[view].add(run)
                else:
                    where[run].add(page.url)
    report = [f"{run!r} on {', '.join(sorted(urls)[:3])}" for run, urls in sorted(where.items())]
    assert not report, f"{len(report)} untranslated strings:\n" + "\n".join(report)
    clean = sorted(view for view in KNOWN_PAGES if view in crawled and not known[view])
    assert not clean, f"translated now, take off KNOWN_PAGES: {clean}"


def test_data_is_told_from_interface_text():
    from tests.english import untranslated

    from tests.english import Data

    html = ('<p>Title: 锅炉标准</p><div lang="zh"><p>本文件规定</p></div><p>状态 · 3 个月</p><p>报批稿</p>'
            '<input type="text" value="锅炉"><button title="提交">Go</button><script>"脚本"</script>')
    data = Data(["锅炉标准", "状态检查", "3个月以上", "报批稿.docx"])
    assert untranslated(html, data) == ["状态 · 3 个月", "提交"]
