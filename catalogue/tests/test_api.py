"""The catalogue API: search, detail by number, export."""

import io
from datetime import date

import openpyxl
import pytest

from catalogue.services import upsert_standards

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_standards(make_record, empty_catalogue):
    upsert_standards([
        make_record("DB44/ 2160—2019", "陶瓷工业大气污染物排放标准", published_on=date(2019, 6, 1),
                    implemented_on=date(2019, 9, 1), ics_codes=["13.040.40"]),
        make_record("HJ/T 364—2007", "废塑料回收与再生利用污染控制技术规范", implemented_on=date(2008, 2, 1)),
        make_record("HJ 364—2022", "废塑料污染控制技术规范", replaces=["HJ/T 364—2007"], implemented_on=date(2022, 12, 30)),
    ], source="test")


def test_search(client, some_standards):
    body = client.get("/api/standards/", {"q": "陶瓷", "facets": "true"}).json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["number"] == "DB44/ 2160—2019" and item["url"] == "/standards/DB44-2160-2019/"
    assert body["facets"]["level"] == [{"value": "local", "label": "地方标准", "count": 1, "lang": None}]


def test_search_filters_and_bad_values(client, some_standards):
    assert client.get("/api/standards/", {"level": "industry"}).json()["total"] == 2
    response = client.get("/api/standards/", {"level": "galactic"})
    assert response.status_code == 400 and "未知的筛选值" in response.json()["detail"]
    assert client.get("/api/standards/", {"sort": "random"}).status_code == 400
    assert client.get("/api/standards/", {"page_size": 1000}).status_code == 422
    assert client.get("/api/standards/", {"year_from": 10**30}).status_code == 422


def test_detail_by_number_and_slug(client, some_standards):
    body = client.get("/api/standards/by-number", {"number": "HJ/T 364-2007"}).json()
    assert body["status"] == "replaced"
    assert body["replaced_by"][0]["number"] == "HJ 364—2022"
    body = client.get("/api/standards/HJ-364-2022").json()
    assert body["replaces"] == [{"number": "HJ/T 364—2007", "title_zh": "废塑料回收与再生利用污染控制技术规范",
                                 "slug": "HJ-T-364-2007", "status": "replaced"}]
    assert client.get("/api/standards/by-number", {"number": "GB 1—1900"}).status_code == 404
    assert client.get("/api/standards/by-number", {"number": "nonsense"}).status_code == 404
    assert client.get("/api/standards/NOPE-1").status_code == 404


def test_export_xlsx_and_csv(client, some_standards):
    response = client.get("/api/standards/export", {"q": "364", "format": "xlsx"})
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert "HJ 364—2022" in values and "HJ/T 364—2007" in values
    response = client.get("/api/standards/export", {"q": "陶瓷", "format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "DB44/ 2160—2019" in text
    assert client.get("/api/standards/export", {"format": "pdf"}).status_code == 400


def test_openapi_docs_are_served_locally(client):
    page = client.get("/api/docs").content.decode()
    assert "cdn." not in page and "/static/ninja/" in page
    assert client.get("/api/openapi.json").json()["info"]["title"].startswith("粤标")
