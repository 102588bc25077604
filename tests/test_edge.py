"""The edge of the platform: NUL characters and out-of-range integers refused with 400 before any view or query,
a request id on every answer and log line, every server error logged with its traceback and answered with that id,
and the favicon."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.test import Client

from yuebiao.bounds import MAX_INT64

NUL_PAGES = [
    "/standards/a%00b/", "/standards/a%00b/clauses/", "/standards/a%00b/structure.json",
    "/standards/a%00b/timeline/", "/standards/a%00b/feedback/", "/consultations/a%00b/",
    "/classification/ccs/Z%0010/", "/search/?q=%00", "/search/?q=ok&city=44%0001", "/search/?a%00=1",
]
NUL_API = [
    "/api/standards/a%00b", "/api/smart/a%00b", "/api/lifecycle/consultations/a%00b",
    "/api/lifecycle/standards/a%00b/timeline", "/api/standards/?q=%00", "/api/standards/by-number?number=GB%00",
]


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize("url", NUL_PAGES)
def test_nul_in_a_page_url_is_refused_with_a_page(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 400, url
    assert "text/html" in response["Content-Type"]
    assert "请求中含有不允许的空字符" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", NUL_API)
def test_nul_in_an_api_url_is_refused_with_json(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 400, url
    assert "请求中含有不允许的空字符" in response.json()["detail"]


@pytest.mark.django_db
def test_nul_in_form_and_json_bodies_is_refused(client, officer):
    client.force_login(officer)
    # Form field value and name, multipart field, JSON value and key: each refused before the view.
    assert client.post("/lifecycle/projects/new/", {"title_zh": "a\x00b"}).status_code == 400
    assert client.post("/lifecycle/projects/new/", {"ti\x00tle": "x"}).status_code == 400
    upload = io.BytesIO(b"a,b\n")
    upload.name = "x.csv"
    assert client.post("/compare/", {"a_number": "GB\x00 1", "a_file": upload}).status_code == 400
    for body in ({"title_zh": "a\x00b"}, {"title\x00": "x"}, {"drafting_organisations": ["\x00"]}):
        response = client.post("/api/lifecycle/projects", json.dumps(body), content_type="application/json")
        assert response.status_code == 400, body
        assert "空字符" in response.json()["detail"]


@pytest.mark.django_db
def test_escaped_backslash_is_not_a_nul(client, officer):
    """JSON "\\\\u0000" is a backslash followed by u0000, not a NUL: the edge lets it through to the view."""
    client.force_login(officer)
    body = json.dumps({"title_zh": "a\\u0000b"})
    assert "\\\\u0000" in body
    response = client.post("/api/lifecycle/projects", body, content_type="application/json")
    assert response.status_code != 400 or "空字符" not in response.json()["detail"]
    assert client.get("/search/?q=%2500").status_code == 200


@pytest.mark.django_db
def test_twenty_digits_search_as_text():
    client = Client(raise_request_exception=False)
    digits = "9" * 20
    assert client.get(f"/search/?q={digits}").status_code == 200
    for q in (digits, f"GB {digits}", f"DB44/T {digits}—2020"):
        response = client.get("/api/standards/", {"q": q})
        assert response.status_code == 200, q
        assert response.json()["interpretation"] == "words"
    assert client.get("/api/standards/export", {"q": digits, "format": "csv"}).status_code == 200
    # Eighteen digits are still a number (the longest sequence the catalogue stores).
    assert client.get("/api/standards/", {"q": "9" * 18}).json()["interpretation"] == "number"


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    "page=99999999999999999999", "page=0", "page=%C2%B2", "page=-1", "year_from=99999999999999999999",
    "year_to=%C2%B2%C2%B2%C2%B2%C2%B2",
])
def test_search_page_drops_integers_out_of_range(anonymous, query):
    """The search page keeps its rule (a bad number is dropped and the search runs) and never overflows."""
    response = anonymous.get(f"/search/?{query}")
    assert response.status_code == 200, query


@pytest.mark.django_db
@pytest.mark.parametrize("query", [f"months={MAX_INT64 + 1}", "months=%C2%B2", "months=-3"])
def test_view_integers_out_of_range_are_refused(officer, query):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    response = client.get(f"/lifecycle/reviews/?{query}")
    assert response.status_code == 400, query
    assert "参数 months 应为 0 到" in response.content.decode()
    assert client.get("/lifecycle/reviews/?months=12").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("query", [f"offset={MAX_INT64 + 1}", "offset=-1", "limit=0", f"limit={10**20}"])
def test_api_integers_out_of_range_are_refused(client, officer, query):
    client.force_login(officer)
    for url in ("/api/lifecycle/projects", "/api/lifecycle/experts"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 422, (url, query)
    assert client.get(f"/api/lifecycle/projects?offset={MAX_INT64}").json() == []


@pytest.mark.django_db
def test_api_bounds_are_in_the_schema(client):
    doc = client.get("/api/openapi.json").json()
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/lifecycle/projects"]["get"]["parameters"]}
    assert params["offset"]["minimum"] == 0 and params["offset"]["maximum"] == MAX_INT64
    assert params["limit"]["maximum"] == 500
    answer = doc["paths"]["/api/lifecycle/projects/{code}/comments/{comment_id}/answer"]["post"]
    comment_id = next(p for p in answer["parameters"] if p["name"] == "comment_id")
    assert comment_id["schema"]["maximum"] == MAX_INT64
    # Every operation declares the 400 the edge gives.
    for operations in doc["paths"].values():
        for operation in operations.values():
            assert "400" in operation["responses"], operation["operationId"]


@pytest.mark.django_db
def test_each_request_gets_its_own_id(anonymous):
    first = anonymous.get("/", HTTP_X_REQUEST_ID="chosen-by-client")
    second = anonymous.get("/")
    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    assert ids[0] != ids[1] and "chosen-by-client" not in ids


def _console_handler():
    return next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
                and not isinstance(h, logging.FileHandler) and h.formatter is not None
                and "request_id" in (h.formatter._fmt or ""))


@pytest.mark.django_db
@pytest.mark.urls("tests.edge_urls")
def test_server_error_is_logged_with_traceback_and_id(anonymous, caplog):
    from yuebiao.middleware import RequestIdFilter

    console = _console_handler()
    captured = io.StringIO()
    # Swapped directly, not by setStream: that flushes the old stream first, which under pytest's capture may be a
    # file an earlier test's capture already closed.
    previous, console.stream = console.stream, captured
    caplog.handler.addFilter(RequestIdFilter())
    try:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            response = anonymous.get("/edge-test/fail/")
    finally:
        console.stream = previous
        caplog.handler.filters.clear()
    request_id = response["X-Request-ID"]
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器内部错误" in page and f"请求编号：<code>{request_id}</code>，请将此编号告知管理员" in page
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert errors[0].request_id == request_id
    assert "DeliberateFailure" in caplog.text and "Traceback" in caplog.text
    # What the administrator reads on the console: the id on the line, then the traceback.
    written = captured.getvalue()
    assert f"[{request_id}] django.request: Internal Server Error: /edge-test/fail/" in written
    assert "Traceback (most recent call last)" in written and "DeliberateFailure" in written


@pytest.mark.django_db
@pytest.mark.urls("tests.edge_urls")
def test_api_server_error_answers_json_with_the_id(anonymous, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = anonymous.get("/api/edge-test/fail")
    assert response.status_code == 500
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"]
    assert body["request_id"] in body["detail"] and "服务器内部错误" in body["detail"]
    assert any(r.exc_info for r in caplog.records if r.name == "django.request")


def test_log_file_goes_under_the_log_directory(tmp_path):
    from yuebiao.settings import _log_file_handler

    handler = _log_file_handler(str(tmp_path / "log"))
    assert handler["filename"] == str(tmp_path / "log" / "yuebiao.log")
    assert handler["class"] == "logging.handlers.RotatingFileHandler" and handler["filters"] == ["request_id"]
    assert _log_file_handler("") is None
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert _log_file_handler(str(blocked / "log")) is None


@pytest.mark.django_db
def test_favicon(anonymous):
    response = anonymous.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/yuebiao/favicon.svg")
    icon = anonymous.get(response["Location"])
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)


def test_bounded_integer_helpers():
    from django.http import QueryDict

    from yuebiao.bounds import InputRefused, int_param, int_params

    data = QueryDict("page=7&expert=3&expert=&expert=12&big=9223372036854775808&sup=%C2%B2&neg=-1&empty=")
    assert int_param(data, "page", 1, lo=1, hi=100) == 7
    assert int_param(data, "missing", 5) == 5 and int_param(data, "empty", 5) == 5
    assert int_params(data, "expert") == [3, 12]
    assert int_param(data, "neg", lo=-5) == -1
    for name in ("big", "sup", "neg"):
        with pytest.raises(InputRefused, match=f"参数 {name} 应为"):
            int_param(data, name)
    with pytest.raises(InputRefused):
        int_params(QueryDict("expert=1&expert=x"), "expert")


@pytest.mark.django_db
def test_unreadable_form_body_is_a_400_in_the_api_s_language(anonymous):
    body = b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--y--"
    for url, json_expected in (("/api/compare/", True), ("/accounts/login/", False)):
        response = anonymous.generic("POST", url, body, content_type="multipart/form-data; boundary=")
        assert response.status_code == 400, url
        if json_expected:
            assert response.json()["detail"] == "请求格式不正确，无法读取"
        else:
            assert "请求格式不正确，无法读取" in response.content.decode()
