"""The Content-Security-Policy holds on the main pages: no inline script, no eval, no inline style, in Chromium."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browsing import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Records every violation the page reports, before any of its own scripts run (Playwright injects this itself).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


def test_policy_header_forbids_inline_script(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert "unsafe" not in policy
    docs = client.get("/api/docs")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in dict(p.strip().split(" ", 1) for p in docs.split(";") if p.strip())["script-src"]


@pytest.fixture
def demo_site(live_server, reference):
    from compare.demo import load_compare_demo
    from lifecycle.demo import load_lifecycle_demo
    from yuebiao.demo import load_demo

    load_demo(standards=60)
    load_lifecycle_demo(history=6)
    load_compare_demo()
    return live_server.url


def test_main_pages_raise_no_policy_violation(browser, demo_site):
    from catalogue.models import Standard
    from compare.models import Comparison
    from lifecycle.models import LocalStandardProject
    from yuebiao.demo import DEMO_PASSWORD

    pages = ["/", "/search/?q=%E9%99%B6%E7%93%B7", Standard.objects.order_by("id").first().get_absolute_url(),
             LocalStandardProject.objects.order_by("id").first().get_absolute_url(), reverse("lifecycle:analytics"),
             Comparison.objects.order_by("id").first().get_absolute_url(), "/api/docs"]
    page = signed_in(browser, demo_site, "sheng", password=DEMO_PASSWORD)
    page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text}")
            if m.type == "error" and "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
    for path in pages:
        page.goto(demo_site + path)
        page.wait_for_load_state("networkidle")
        if path == reverse("lifecycle:analytics"):
            # Chart.js drew its chart (it sizes the canvas from script, which the policy allows).
            assert page.locator("canvas").count() >= 1 and page.evaluate(
                "Array.from(document.querySelectorAll('canvas')).some(c => c.width > 0)")
        if path == "/api/docs":
            page.wait_for_selector("#swagger-ui .swagger-ui", timeout=20_000)
        problems += [f"{path}: {v}" for v in page.evaluate("window.__csp || []")]
    assert problems == []


def test_admin_pages_raise_no_policy_violation(browser, live_server, make_user):
    admin = make_user("boss", "provincial_admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    page = browser.new_page(locale="zh-CN")
    page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for path in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{admin.pk}/change/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        problems += [f"{path}: {v}" for v in page.evaluate("window.__csp || []")]
    assert problems == []
