"""The catalogue's pages: Chinese first, English on request, HTMX partials, feed, bounded queries."""

import hashlib
import io
from datetime import date

import pytest

from catalogue.services import upsert_standards

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_standards(make_record, empty_catalogue):
    upsert_standards([
        make_record("DB44/ 2160—2019", "陶瓷工业大气污染物排放标准", published_on=date(2019, 6, 1),
                    implemented_on=date(2019, 9, 1), ics_codes=["13.040.40"], ccs_code="Z60",
                    sectors=["safety-environment"]),
        make_record("DB44/T 1234—2013", "日用陶瓷包装规范", region_code="440600"),
    ], source="test")


def test_home(client, some_standards):
    page = client.get("/").content.decode()
    assert "标准检索" in page and "地方标准" in page and "chart.umd.min.js" in page


def test_search_page_and_htmx_partial(client, some_standards):
    page = client.get("/search/", {"q": "陶瓷"}).content.decode()
    assert "共找到 2 项标准" in page and "<html" in page
    partial = client.get("/search/", {"q": "陶瓷", "level": "local"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "DB44/ 2160—2019" in partial
    assert 'data-facet="city"' in partial


def test_search_page_survives_bad_parameters(client, some_standards):
    response = client.get("/search/", {"page": "abc", "year_from": "20x", "level": "nonsense", "sort": "zzz"})
    assert response.status_code == 200
    assert "error" in response.content.decode()


def test_standard_page(client, some_standards):
    page = client.get("/standards/DB44-2160-2019/").content.decode()
    assert "陶瓷工业大气污染物排放标准" in page and "13.040.40" in page and "Z60" in page
    assert client.get("/standards/DB44-9999-2019/").status_code == 404


def test_standard_page_query_count_is_bounded(client, some_standards, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get("/standards/DB44-2160-2019/")


def test_english_switch(client, some_standards):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/search/?q=陶瓷"})
    assert response.status_code == 302
    page = client.get("/search/", {"q": "陶瓷"}).content.decode()
    assert "Search" in page and "Local standard" in page


def test_atom_feed(client, some_standards):
    response = client.get("/feeds/standards.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "DB44/ 2160—2019" in response.content.decode()


def test_classification_page(client, some_standards):
    page = client.get("/classification/ics/13.040.40/").content.decode()
    assert "DB44/ 2160—2019" in page
    assert client.get("/classification/ics/99.99/").status_code == 404
    assert client.get("/classification/xyz/1/").status_code == 404


def test_export_page_link(client, some_standards):
    response = client.get("/export.csv", {"q": "陶瓷"})
    assert response.status_code == 200 and "DB44/T 1234—2013" in response.content.decode("utf-8-sig")


def _file(content: bytes, name: str):
    import io

    f = io.BytesIO(content)
    f.name = name
    return f


def _docx(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_full_text_upload_and_download(client, some_standards, officer, enterprise_user, settings, tmp_path,
                                      run_tasks):
    settings.MEDIA_ROOT = tmp_path
    url = "/standards/DB44-2160-2019/full-text/"
    text = _docx("DB44/ 2160—2019", "陶瓷工业大气污染物排放标准", "1 范围", "本标准规定了陶瓷工业大气污染物排放限值。")
    assert client.post(url, {"file": _file(text, "a.docx")}).status_code == 302  # to the login page
    client.force_login(enterprise_user)
    assert client.post(url, {"file": _file(text, "a.docx")}).status_code == 403
    client.force_login(officer)
    # refused at once: not a PDF or Word file
    page = client.post(url, {"file": _file(b"<html>not a pdf</html>", "a.pdf")}, follow=True).content.decode()
    assert "不是 PDF 或 Word" in page
    # a PDF that cannot be read is refused by the worker, and nothing is stored
    broken = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    with run_tasks():
        response = client.post(url, {"file": _file(broken, "a.pdf")})
    assert "/full-text/jobs/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "全文无法读取，未保存" in page and "未保存" in page
    assert client.get("/standards/DB44-2160-2019/full-text/download/").status_code == 404
    from catalogue.models import FullTextJob, Standard
    from trail.models import Event

    std = Standard.objects.get(slug="DB44-2160-2019")
    refused_events = Event.objects.filter(subject=f"catalogue.standard:{std.pk}", kind="full_text_attached")
    assert not refused_events.exists()  # the refused files left no trace either
    assert FullTextJob.objects.get().content == b""  # nor their bytes
    with run_tasks():
        response = client.post(url, {"file": _file(text, "a.docx")})
    page = client.get(response["Location"]).content.decode()
    assert "全文已上传" in page
    (event,) = Event.objects.filter(subject=f"catalogue.standard:{std.pk}", kind="full_text_attached")
    assert event.actor == officer and event.payload["sha256"] == hashlib.sha256(text).hexdigest()
    assert event.payload["changes"]["full_text"][0] is None
    response = client.get("/standards/DB44-2160-2019/full-text/download/")
    assert b"".join(response.streaming_content) == text
    assert client.get("/standards/DB44-T-1234-2013/full-text/download/").status_code == 404


def test_city_officer_edits_only_its_own_city(client, some_standards, make_user, settings, tmp_path):
    from accounts.models import Organisation

    settings.MEDIA_ROOT = tmp_path
    sz = make_user("sz", "city_officer", region="440300", kind=Organisation.Kind.CITY_BUREAU)
    client.force_login(sz)
    pdf = b"%PDF-1.4\n%%EOF"
    # DB44/T 1234—2013 is a Foshan (440600) standard in this fixture.
    assert client.post("/standards/DB44-T-1234-2013/full-text/", {"file": _file(pdf, "a.pdf")}).status_code == 403
