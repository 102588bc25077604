"""Every page reads in English when English is chosen: the crawl of tests/test_crawl.py, in English, finds no
Chinese outside the data itself (tests/english.py says what counts as data)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.crawling import ROLES, client_for, crawl, load_world
from tests.english import database_text, untranslated

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Chinese on purpose: the platform's name, and search examples (the catalogue's titles are Chinese, so are
# the words that find them).
DELIBERATE = {"粤标", "陶瓷", "荔枝"}
# Not translated yet, each with what it needs; the test fails when one of them is gone (take it off the list).
KNOWN = {
    # Notices are stored as Chinese sentences; they need a message id and parameters, rendered when read.
    "项目", "起草", "报批", "进入",
    # CCS titles and notes have only a Chinese source; the catalogue is to mark them as Chinese data.
    "抽样",
}


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
    for role in ROLES:
        for page in crawl(english_client(role), role).pages:
            if page.html:
                for run in untranslated(page.html, data):
                    where[run].add(page.url)
    report = [f"{run!r} on {', '.join(sorted(urls)[:3])}" for run, urls in sorted(where.items())
              if run not in DELIBERATE | KNOWN]
    assert not report, f"{len(report)} untranslated strings:\n" + "\n".join(report)
    assert KNOWN <= set(where), f"translated now, take off KNOWN: {sorted(KNOWN - set(where))}"


def test_data_is_told_from_interface_text():
    from tests.english import untranslated

    html = ('<p>Title: 锅炉标准</p><div lang="zh"><p>本文件规定</p></div><p>状态</p>'
            '<input type="text" value="锅炉"><button title="提交">Go</button><script>"脚本"</script>')
    assert untranslated(html, "\x00锅炉标准\x00其他\x00") == ["状态", "提交"]
