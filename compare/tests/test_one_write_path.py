"""The page and the API ask for a comparison through the same action: the same bad input gets the same refusal
through both, and nothing is written (no comparison, no trail event)."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compare import actions
from compare.models import Comparison
from compare.tests.conftest import B_NUMBER, national_doc
from trail.models import Event

pytestmark = pytest.mark.django_db

BAD = {
    "wrong file type": ("程序.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
    "garbled PDF": ("草案.pdf", b"%PDF-1.4\n\x00\x01garbled\xff\xfe not a PDF at all"),
    "garbled Word file": ("草案.docx", b"PK\x03\x04 this is not a zip archive"),
    "empty file": ("空.txt", b""),
    "oversized": ("大文件.txt", "1 范围\n本文件适用于试验。\n".encode() * 200),
}


@pytest.fixture
def national(catalogued):
    return catalogued(B_NUMBER, "示例工业大气污染物排放标准", national_doc())


def _nothing_written() -> None:
    assert Comparison.objects.count() == 0 and not Event.objects.filter(subject__startswith="compare.").exists()


def _page_refusal(client, data) -> str:
    response = client.post(reverse("compare:home"), data)
    assert response.status_code == 400
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_upload_is_refused_alike_by_the_page_and_the_api(client, national, enterprise_user, monkeypatch,
                                                                 case):
    monkeypatch.setattr(actions, "MAX_UPLOAD_BYTES", 1024)  # the limit is 50 MB; a small one keeps the test light
    name, data = BAD[case]
    client.force_login(enterprise_user)
    api = client.post("/api/compare/", {"b_number": B_NUMBER, "a_file": SimpleUploadedFile(name, data)})
    assert api.status_code == 400
    detail = api.json()["detail"]
    reason = api.json()["report"]["unreadable"]["a"]["reason"]
    if case == "oversized":
        assert "1 MB 上限" not in reason and "上限" in reason
    page = _page_refusal(client, {"b_number": B_NUMBER, "a_file": SimpleUploadedFile(name, data)})
    assert 'id="unreadable"' in page and reason in page and "未作任何比对" in detail
    _nothing_written()


def test_a_missing_side_is_refused_alike(client, national, enterprise_user):
    client.force_login(enterprise_user)
    api = client.post("/api/compare/", {"b_number": B_NUMBER})
    assert api.status_code == 400 and api.json()["detail"] == "标准 A：请填写标准号或上传文件"
    assert api.json()["detail"] in _page_refusal(client, {"b_number": B_NUMBER})
    for number in ("不是标准号", "GB 1234—2099"):
        detail = client.post("/api/compare/", {"a_number": number, "b_number": B_NUMBER}).json()["detail"]
        assert detail in _page_refusal(client, {"a_number": number, "b_number": B_NUMBER})
    _nothing_written()


def test_people_who_may_not_compare_are_refused_by_both_before_anything_is_read(client, national, make_user,
                                                                                 monkeypatch):
    read = []
    monkeypatch.setattr(actions, "side_from_upload", lambda *a, **k: read.append(a))

    def post_both():
        upload = {"b_number": B_NUMBER, "a_file": SimpleUploadedFile("a.txt", b"1 scope")}
        page = client.post(reverse("compare:home"), upload)
        upload = {"b_number": B_NUMBER, "a_file": SimpleUploadedFile("a.txt", b"1 scope")}
        return page, client.post("/api/compare/", upload)

    page, api = post_both()  # anonymous: the page sends to sign in, the API asks for credentials
    assert page.status_code == 302 and "/login/" in page["Location"] and api.status_code == 401
    client.force_login(make_user("nobody"))  # signed in without the right to compare
    page, api = post_both()
    assert page.status_code == 403 and api.status_code == 403
    assert read == []
    _nothing_written()


def test_the_action_itself_refuses_a_user_without_the_right(national, make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.request_comparison(a=actions.Given(B_NUMBER), b=actions.Given(B_NUMBER), by=make_user("nobody"))
    assert Comparison.objects.count() == 0
