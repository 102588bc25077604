"""One write path: the catalogue's page and its API call the same action for each write, so the same bad input
gets the same refusal through either, and nothing is written."""

from __future__ import annotations

import html
import io

import pytest

from accounts.models import Organisation
from catalogue import full_text
from catalogue.models import FullTextJob, ImportBatch, Standard
from catalogue.services import upsert_standards
from trail.models import Event

pytestmark = pytest.mark.django_db
PAGE = "/standards/DB44-2160-2019/full-text/"
API = "/api/standards/DB44-2160-2019/full-text"


@pytest.fixture
def standards(make_record, empty_catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upsert_standards([make_record("DB44/ 2160—2019", "陶瓷工业大气污染物排放标准"),
                      make_record("DB4406/T 12—2020", "佛山市的标准")], source="test")


@pytest.fixture
def calls(monkeypatch):
    """Every call of the full-text action, whoever makes it."""
    seen: list[str] = []
    action = full_text.request_full_text

    def spy(**kwargs):
        seen.append(kwargs["filename"])
        return action(**kwargs)

    monkeypatch.setattr(full_text, "request_full_text", spy)
    return seen


def _file(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


def _nothing_written() -> None:
    std = Standard.objects.get(number="DB44/ 2160—2019")
    assert not std.full_text
    assert not FullTextJob.objects.filter(state=FullTextJob.State.DONE).exists()
    assert not Event.objects.filter(kind="full_text_attached").exists()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_file_of_the_wrong_kind_is_refused_alike_and_stored_nowhere(client, officer, standards, calls):
    client.force_login(officer)
    page = client.post(PAGE, {"file": _file(b"<html>not a pdf</html>", "a.pdf")}, follow=True)
    api = client.post(API, {"file": _file(b"<html>not a pdf</html>", "a.pdf")})
    assert api.status_code == 400
    assert _messages(page) == [api.json()["detail"]] == ["“a.pdf”不是 PDF 或 Word（.docx）文件"]
    assert calls == ["a.pdf", "a.pdf"]  # the same action, from the page and from the API
    assert not FullTextJob.objects.exists()
    _nothing_written()


def test_an_unreadable_pdf_fails_alike_on_the_worker(client, officer, standards, calls, run_tasks):
    broken = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    client.force_login(officer)
    with run_tasks():
        page = client.post(PAGE, {"file": _file(broken, "a.pdf")})
    with run_tasks():
        api = client.post(API, {"file": _file(broken, "a.pdf")})
    assert api.status_code == 202
    status = client.get(api.json()["status_url"]).json()
    assert status["state"] == "failed" and status["error"].startswith("全文无法读取，未保存")
    assert "/full-text/jobs/" in page["Location"] and "/full-text/jobs/" in status["page_url"]
    assert html.escape(status["error"]) in client.get(page["Location"]).content.decode()
    assert list(FullTextJob.objects.values_list("state", "error")) == [("failed", status["error"])] * 2
    assert calls == ["a.pdf", "a.pdf"]
    _nothing_written()


def test_another_citys_standard_is_refused_alike(client, make_user, standards, calls):
    guangzhou = make_user("gz", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)
    client.force_login(guangzhou)
    page = client.post("/standards/DB4406-T-12-2020/full-text/", {"file": _file(b"%PDF-1.4\n%%EOF", "a.pdf")})
    api = client.post("/api/standards/DB4406-T-12-2020/full-text", {"file": _file(b"%PDF-1.4\n%%EOF", "a.pdf")})
    assert page.status_code == api.status_code == 403
    assert "佛山市" in api.json()["detail"]
    assert calls == []  # refused before the file is even read
    assert not FullTextJob.objects.exists()


def test_an_import_with_a_bad_row_is_refused_alike(client, officer, standards):
    rows = "标准号,标准名称\nDB44/T 9001—2024,好的一行\n不是标准号,坏的一行\n".encode()
    client.force_login(officer)
    preview = client.post("/catalogue/import/", {"file": _file(rows, "rows.csv")})
    batch = ImportBatch.objects.get()
    page = client.post(f"/catalogue/import/{batch.pk}/commit/", {"mode": "all"}, follow=True)
    api = client.post("/api/standards/import?mode=all", {"file": _file(rows, "rows.csv")})
    assert preview.status_code == 302 and api.status_code == 400
    assert _messages(page) == [api.json()["detail"]]
    assert "整批未导入" in api.json()["detail"]
    assert not Standard.objects.filter(number="DB44/T 9001—2024").exists()


def test_a_file_that_is_no_table_is_refused_alike(client, officer, standards):
    word = b"PK\x05\x06" + bytes(18)  # an empty zip: no workbook in it
    client.force_login(officer)
    page = client.post("/catalogue/import/", {"file": _file(word, "rows.xlsx")}, follow=True)
    api = client.post("/api/standards/import?mode=all", {"file": _file(word, "rows.xlsx")})
    assert api.status_code == 400
    assert _messages(page) == [api.json()["detail"]]
    assert not ImportBatch.objects.exists()
