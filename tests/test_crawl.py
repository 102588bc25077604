"""No page answers a server error: every internal link from the home page and the menus, two levels deep, fetched
by GET as a visitor and as each demo role (tests/crawling.py says how the crawl is bounded)."""

from __future__ import annotations

import pytest

from tests.crawling import ROLES, client_for, crawl, load_world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_no_page_answers_a_server_error(tmp_path):
    load_world(str(tmp_path))
    failures, fetched = [], {}
    for role in ROLES:
        result = crawl(client_for(role), role)
        fetched[role or "anonymous"] = (len(result.pages), round(result.seconds, 1))
        failures += [f"{role or 'anonymous'}: {p.status} {p.url} (linked from {p.referrer}) {p.error}"
                     for p in result.server_errors]
    assert not failures, "\n".join(failures)
    # The crawl reached the site, not only the home page: each role fetched pages beyond its menus.
    assert all(count > 20 for count, _ in fetched.values()), fetched


def test_a_standard_page_leads_to_its_clauses_and_the_menus(tmp_path):
    load_world(str(tmp_path))
    result = crawl(client_for("sheng"), "sheng", start="/standards/DB44-9901-2024/", depth=1)
    urls = [p.url for p in result.pages]
    assert "/standards/DB44-9901-2024/clauses/" in urls
    assert "/search/" in urls or any(u.startswith("/search") for u in urls), urls
