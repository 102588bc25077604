"""Machine-readable text on the platform: attaching a full text structures it; clause links, downloads, errors."""

import io
from pathlib import Path

import pytest

from catalogue.services import upsert_standards

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "standards"
pytestmark = pytest.mark.django_db


def _file(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.fixture
def glass(make_record, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upsert_standards([make_record("DB44/ 2159—2019", "玻璃工业大气污染物排放标准")], source="test")


def _attach(client, officer, path: Path, run_tasks) -> str:
    """Upload as an officer (the worker structures the text before anything is stored); then read the job's page
    and the standard's."""
    client.force_login(officer)
    with run_tasks(), path.open("rb") as fh:
        response = client.post("/standards/DB44-2159-2019/full-text/", {"file": _file(fh.read(), path.name)})
    job_page = client.get(response["Location"]).content.decode()
    return job_page + client.get("/standards/DB44-2159-2019/").content.decode()


def test_attached_pdf_is_structured_with_clause_links(client, officer, glass, run_tasks):
    pdf = CORPUS / "DB-44-2159-2019.pdf"
    if not pdf.exists():
        pytest.skip("corpus not here")
    page = _attach(client, officer, pdf, run_tasks)
    assert "个条款" in page and "个限值" in page
    client.logout()
    view = client.get("/standards/DB44-2159-2019/clauses/").content.decode()
    assert 'id="clause-4.1"' in view or 'id="clause-4"' in view
    response = client.get("/standards/DB44-2159-2019/clauses/4")
    assert response.status_code == 302 and response["Location"].endswith("/clauses/#clause-4")
    assert client.get("/standards/DB44-2159-2019/clauses/99.9").status_code == 404
    body = client.get("/standards/DB44-2159-2019/structure.json").json()
    assert body["metadata"]["number"] == "DB44/ 2159—2019"
    assert all({"parameter", "comparator", "value", "unit", "condition"} <= set(x) for x in body["limits"])
    assert b"<standard" in client.get("/standards/DB44-2159-2019/structure.sts.xml").content


@pytest.mark.parametrize("name, why", [("GB-21900-2008.pdf", "此PDF没有文字层，需要先OCR"),
                                       ("GB-16889-2008.pdf", "文字层是乱码")])
def test_a_scanned_or_garbled_pdf_is_refused_as_full_text_and_nothing_is_published(
        client, officer, glass, run_tasks, name, why):
    from catalogue.models import Standard
    from smart.models import StructuredStandard

    path = CORPUS / name
    if not path.exists():
        pytest.skip("corpus not here")
    page = _attach(client, officer, path, run_tasks)
    assert "全文无法读取，未保存" in page and why in page
    assert not Standard.objects.get(number="DB44/ 2159—2019").full_text
    assert not StructuredStandard.objects.exists()
    assert client.get("/standards/DB44-2159-2019/full-text/download/").status_code == 404
    assert client.get("/standards/DB44-2159-2019/structure.json").status_code == 404


def test_no_full_text_yet(client, glass):
    page = client.get("/standards/DB44-2159-2019/clauses/").content.decode()
    assert "尚未上传全文" in page
    assert client.get("/standards/NOPE-1/clauses/").status_code == 404


def test_api_parse_and_check_need_an_account(client, officer):
    text = "DB44/T 1—2026\n示例\n1 范围\n本文件必须适用于示例。\n".encode()
    assert client.post("/api/smart/check", {"file": _file(text, "d.txt")}).status_code == 401
    client.force_login(officer)
    body = client.post("/api/smart/check", {"file": _file(text, "d.txt")}).json()
    assert any("必须" in f["message"] for f in body["findings"])
    response = client.post("/api/smart/parse", {"file": _file(b"<html><body>x</body></html>", "a.pdf")})
    assert response.status_code == 400 and "HTML" in response.json()["detail"]
    assert client.get("/api/smart/NOPE-1").status_code == 404
