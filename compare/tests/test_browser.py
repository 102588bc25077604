"""The comparison pages as a user clicks them: compare two catalogue standards, read the report, on a phone too."""

from __future__ import annotations

from pathlib import Path

import pytest

from compare.tests.conftest import A_NUMBER, B_NUMBER, local_doc, national_doc

from tests.browsing import signed_in

SHOTS = Path(__file__).resolve().parents[2] / "tests" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_compare_two_catalogue_standards_and_read_the_report(browser, live_server, catalogued, make_user):
    from accounts.models import Organisation

    catalogued(A_NUMBER, "示例工业大气污染物排放标准", local_doc(so2=300))
    catalogued(B_NUMBER, "示例工业大气污染物排放标准", national_doc())
    make_user("qiye", "enterprise_user", region="440600", kind=Organisation.Kind.ENTERPRISE)
    page = signed_in(browser, live_server.url, "qiye")
    page.click("nav.site-nav >> text=标准比对")
    page.fill("input[name=a_number]", A_NUMBER)
    page.fill("input[name=b_number]", B_NUMBER)
    page.click("#compare-submit")
    page.wait_for_url("**/compare/*/")
    assert "A 为强制性地方标准" in page.locator("#unlawful").inner_text()
    row = page.locator(".limits-table tr.row-looser")
    assert row.count() == 1 and "二氧化硫" in row.inner_text()
    link = page.locator("#permalink").input_value()
    assert link.endswith(page.url.split(live_server.url)[1])
    assert page.locator(".sbs-row").count() >= 4  # 3 clauses each side, one pair unmatched on either side
    assert page.locator("mark.chg-a").count() >= 1
    before = page.locator(".sbs-row:visible").count()
    page.check("#only-differences")
    assert page.locator(".sbs-row:visible").count() < before
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "compare-report.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")

    phone = signed_in(browser, live_server.url, "qiye", width=375)
    phone.goto(link)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 380
    phone.screenshot(path=str(SHOTS / "compare-report-phone.png"), full_page=True)


def test_an_unreadable_side_is_said_on_the_page(browser, live_server, catalogued, make_user):
    catalogued(A_NUMBER, "示例", local_doc())
    catalogued("GB 21900—2008", "电镀污染物排放标准", None, error="此PDF没有文字层，需要先OCR")
    make_user("shengju", "provincial_officer")
    page = signed_in(browser, live_server.url, "shengju")
    page.goto(f"{live_server.url}/compare/?a={A_NUMBER}&b=GB 21900—2008")
    page.click("#compare-submit")
    page.wait_for_load_state()
    assert "没有文字层" in page.locator("#unreadable").inner_text()
    assert page.locator(".limits-table").count() == 0


def test_the_progress_page_polls_until_the_report_is_there(browser, live_server, catalogued, make_user, settings):
    from compare import tasks
    from compare.models import Comparison

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the worker is late
    catalogued(A_NUMBER, "示例工业大气污染物排放标准", local_doc(so2=300))
    catalogued(B_NUMBER, "示例工业大气污染物排放标准", national_doc())
    make_user("shengju", "provincial_officer")
    page = signed_in(browser, live_server.url, "shengju")
    page.goto(f"{live_server.url}/compare/?a={A_NUMBER}&b={B_NUMBER}")
    page.click("#compare-submit")
    page.wait_for_url("**/compare/*/")
    assert "排队中" in page.locator("#compare-status").inner_text()
    comparison = Comparison.objects.get()
    Comparison.objects.update(status=Comparison.Status.RUNNING, step="比对限值", progress=60)
    page.wait_for_selector("#compare-status >> text=60%", timeout=10000)  # the fragment polled every 2 s
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "compare-progress.png"), full_page=True)
    phone = signed_in(browser, live_server.url, "shengju", width=390)
    phone.goto(live_server.url + comparison.get_absolute_url())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 395
    phone.screenshot(path=str(SHOTS / "compare-progress-phone.png"), full_page=True)

    Comparison.objects.update(status=Comparison.Status.QUEUED)
    tasks.run(comparison.pk)
    page.wait_for_selector("#compare-status >> text=查看比对报告", timeout=10000)
    page.screenshot(path=str(SHOTS / "compare-progress-done.png"), full_page=True)
    page.click("#compare-status >> text=查看比对报告")
    page.wait_for_selector("#unlawful")
