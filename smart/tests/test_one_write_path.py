"""One write path: a standard's machine-readable text is written only by reading its full text, on the worker,
through the one action the page and the API both call; the same unreadable file is refused alike through either,
and no structure is stored."""

from __future__ import annotations

import html
import io

import pytest

from catalogue.models import FullTextJob, Standard
from catalogue.services import upsert_standards
from smart.models import StructuredStandard
from smart.tests import hostile

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(make_record, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upsert_standards([make_record("DB44/ 1989—2017", "工业废水铊污染物排放标准")], source="test")
    return Standard.objects.get(number="DB44/ 1989—2017")


def _file(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.mark.parametrize("data, name, why", [
    (hostile.empty_paragraphs(), "x.docx", "文档段落数超过上限"),
    (hostile.blank_pdf(2), "scan.pdf", "没有文字层"),
], ids=["over a limit", "a scan"])
def test_the_page_and_the_api_refuse_an_unreadable_text_alike(client, officer, standard, run_tasks, data, name,
                                                                why):
    client.force_login(officer)
    with run_tasks():
        page = client.post(f"/standards/{standard.slug}/full-text/", {"file": _file(data, name)})
    with run_tasks():
        api = client.post(f"/api/standards/{standard.slug}/full-text", {"file": _file(data, name)})
    assert page.status_code == 302 and api.status_code == 202
    status = client.get(api.json()["status_url"]).json()
    assert status["state"] == "failed" and why in status["error"]
    page_text = client.get(page["Location"]).content.decode()
    assert html.escape(status["error"]) in page_text
    assert [job.error for job in FullTextJob.objects.all()] == [status["error"]] * 2
    standard.refresh_from_db()
    assert not standard.full_text
    assert not StructuredStandard.objects.exists()
    assert client.get(f"/api/smart/{standard.slug}").status_code == 404


def test_parsing_an_upload_through_the_api_stores_nothing(client, officer, standard):
    client.force_login(officer)
    text = "DB44/T 1—2026\n示例\n1 范围\n本文件规定了示例。\n".encode()
    assert client.post("/api/smart/parse", {"file": _file(text, "d.txt")}).status_code == 200
    assert not StructuredStandard.objects.exists() and not FullTextJob.objects.exists()
