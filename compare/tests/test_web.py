"""The comparison room with a database: services, pages, API and the command line on catalogue numbers."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from compare import actions, services
from compare.models import Comparison
from compare.tests.conftest import A_NUMBER, B_NUMBER, local_doc as _local_doc, national_doc as _national_doc

pytestmark = pytest.mark.django_db

@pytest.fixture
def pair(catalogued):
    return catalogued(A_NUMBER, "示例工业大气污染物排放标准", _local_doc(so2=300)), catalogued(
        B_NUMBER, "示例工业大气污染物排放标准", _national_doc())


def test_catalogue_pair_is_compared_stored_and_flags_the_looser_local_limit(pair, officer):
    c = actions.compare_sides(services.side_from_catalogue(A_NUMBER), services.side_from_catalogue(B_NUMBER),
                               by=officer)
    assert c.public_texts and c.unlawful_count == 1
    assert c.report["a_is_local_mandatory"] is True
    looser = [p for p in c.report["limits"] if p["verdict"] == "looser"]
    assert [p["parameter"] for p in looser] == ["二氧化硫"]
    assert {p["parameter"]: p["verdict"] for p in c.report["limits"]}["颗粒物"] == "equal"


def test_the_same_texts_compared_again_reuse_the_stored_comparison(pair, officer, enterprise_user):
    first = actions.compare_sides(services.side_from_catalogue(A_NUMBER),
                                   services.side_from_catalogue(B_NUMBER), by=officer)
    again = actions.compare_sides(services.side_from_catalogue("DB44/ 9001"),
                                   services.side_from_catalogue(B_NUMBER), by=enterprise_user)
    assert again.pk == first.pk and Comparison.objects.count() == 1


def test_an_undated_number_means_the_newest_edition(catalogued):
    catalogued("GB 9002—2010", "旧版", _national_doc())
    catalogued("GB 9002—2020", "新版", _national_doc())
    assert services.find_standard("GB 9002").number == "GB 9002—2020"


def test_sides_that_cannot_be_read_say_why_and_nothing_is_stored(catalogued, officer, make_record):
    from catalogue.models import Standard
    from catalogue.services import upsert_standards

    catalogued(A_NUMBER, "示例", _local_doc())
    catalogued("GB 21900—2008", "电镀污染物排放标准", None, error="此PDF没有文字层，需要先OCR")
    with pytest.raises(services.SideUnreadable) as caught:
        actions.compare_sides(services.side_from_catalogue(A_NUMBER),
                               services.side_from_catalogue("GB 21900—2008"), by=officer)
    assert "此PDF没有文字层" in str(caught.value) and "未作任何比对" in str(caught.value)
    assert "limits" not in caught.value.report
    upsert_standards([make_record("GB 9100—2020", "无全文")], source="test")
    assert Standard.objects.get(number="GB 9100—2020").full_text.name in ("", None)
    assert "尚无该标准的全文" in services.side_from_catalogue("GB 9100—2020").problem
    with pytest.raises(services.ComparisonRefused, match="标准目录中没有"):
        services.side_from_catalogue("GB 99999—2020")
    with pytest.raises(services.ComparisonRefused, match="不是可识别的标准号"):
        services.side_from_catalogue("不是标准号")
    assert Comparison.objects.count() == 0


@pytest.mark.parametrize("data, why", [(b"", "文件为空"), (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "旧版 Word"),
                                       (b"<html><body>x</body></html>", "网页")])
def test_bad_uploads_are_sides_with_a_reason(data, why):
    side = services.side_from_upload(data, "草案.doc")
    assert side.document is None and why in side.problem


def test_an_uploaded_text_is_parsed_and_compared(pair, officer):
    text = ("DB44/ 9001—2024\n示例工业大气污染物排放标准\n1 范围\n本标准规定了示例工业大气污染物排放限值。\n"
            "2 排放限值\n企业执行表1规定的限值。\n").encode("gb18030")
    side = services.side_from_upload(text, "草案.txt")
    assert side.document is not None, side.problem
    c = actions.compare_sides(side, services.side_from_catalogue(B_NUMBER), by=officer)
    assert not c.public_texts and c.report["alignment"]["summary"]["pairs"] >= 1


def test_who_may_see_a_comparison_with_an_upload(pair, officer, enterprise_user, make_user):
    from accounts.models import Organisation

    text = "1 范围\n本标准规定了示例工业大气污染物排放限值。\n".encode()
    mine = actions.compare_sides(services.side_from_upload(text, "企业草案.txt"),
                                  services.side_from_catalogue(B_NUMBER), by=enterprise_user)
    other = make_user("other", "enterprise_user", region="440300", kind=Organisation.Kind.ENTERPRISE)
    city = make_user("city", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)
    assert services.can_view(enterprise_user, mine) and services.can_view(officer, mine)
    assert not services.can_view(other, mine) and not services.can_view(city, mine)
    public = actions.compare_sides(services.side_from_catalogue(A_NUMBER), services.side_from_catalogue(B_NUMBER),
                                    by=officer)
    assert services.can_view(other, public)
    assert list(services.visible_comparisons(other)) == []
    assert set(services.visible_comparisons(officer)) == {mine, public}


# --- pages -------------------------------------------------------------------------------------------------------

def _upload_comparison(by):
    text = "1 范围\n本标准规定了示例工业大气污染物排放限值。\n".encode()
    return actions.compare_sides(services.side_from_upload(text, "企业草案.txt"),
                                 services.side_from_catalogue(B_NUMBER), by=by)


def test_pages_refuse_anonymous_and_people_without_the_right(client, pair, officer, make_user):
    c = _upload_comparison(officer)
    for url in (reverse("compare:home"), c.get_absolute_url(), reverse("compare:status", args=[c.key]),
                reverse("compare:export-xlsx", args=[c.key]), reverse("compare:counterparts")):
        assert client.get(url).status_code == 302  # to the login page
    nobody = make_user("nobody")  # an account with no role
    client.force_login(nobody)
    for url in (reverse("compare:home"), c.get_absolute_url(), reverse("compare:status", args=[c.key]),
                reverse("compare:export-pdf", args=[c.key])):
        assert client.get(url).status_code == 403


def test_the_permanent_link_of_public_standards_opens_without_signing_in(client, pair, officer, make_user):
    c = actions.compare_sides(services.side_from_catalogue(A_NUMBER), services.side_from_catalogue(B_NUMBER),
                              by=officer)
    page = client.get(c.get_absolute_url())
    assert page.status_code == 200 and 'id="unlawful"' in page.content.decode()
    assert client.get(reverse("compare:export-pdf", args=[c.key])).content.startswith(b"%PDF")
    assert client.get(reverse("compare:status", args=[c.key])).status_code == 200
    client.force_login(make_user("nobody"))
    assert client.get(c.get_absolute_url()).status_code == 200
    # the form and the list stay for those who may compare
    assert client.get(reverse("compare:home")).status_code == 403


def test_form_compares_and_redirects_to_the_permanent_link(client, pair, enterprise_user):
    client.force_login(enterprise_user)
    response = client.post(reverse("compare:home"), {"a_number": A_NUMBER, "b_number": B_NUMBER})
    c = Comparison.objects.get()
    assert response.status_code == 302 and response["Location"] == c.get_absolute_url()
    page = client.get(c.get_absolute_url()).content.decode()
    assert 'id="unlawful"' in page and "二氧化硫" in page and "A 更宽" in page
    assert 'class="sbs-row' in page and "http://testserver" + c.get_absolute_url() in page
    assert "记录" in page  # B's clause 4.3 has no counterpart in A, and is shown


def test_form_says_what_is_missing_and_what_cannot_be_read(client, catalogued, enterprise_user):
    catalogued(A_NUMBER, "示例", _local_doc())
    catalogued("GB 21900—2008", "电镀", None, error="此PDF没有文字层，需要先OCR")
    client.force_login(enterprise_user)
    response = client.post(reverse("compare:home"), {"a_number": A_NUMBER})
    assert response.status_code == 400 and "请填写标准号或上传文件" in response.content.decode()
    response = client.post(reverse("compare:home"), {"a_number": A_NUMBER, "b_number": "GB 21900—2008"})
    body = response.content.decode()
    assert response.status_code == 400 and 'id="unreadable"' in body and "没有文字层" in body
    assert Comparison.objects.count() == 0


def test_form_upload_of_a_scan_is_refused_with_the_reason(client, pair, enterprise_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(enterprise_user)
    broken = SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4\n%broken\n", content_type="application/pdf")
    response = client.post(reverse("compare:home"), {"a_file": broken, "b_number": B_NUMBER})
    assert response.status_code == 400 and "无法读取 A" in response.content.decode()


def test_exports_download_as_excel_and_pdf(client, pair, officer):
    import openpyxl

    c = actions.compare_sides(services.side_from_catalogue(A_NUMBER), services.side_from_catalogue(B_NUMBER),
                               by=officer)
    client.force_login(officer)
    xlsx = client.get(reverse("compare:export-xlsx", args=[c.key]))
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    assert "attachment" in xlsx["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) >= 3
    pdf = client.get(reverse("compare:export-pdf", args=[c.key]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- API ---------------------------------------------------------------------------------------------------------

def test_api_compares_lists_and_reads_limits(client, pair, officer):
    client.force_login(officer)
    response = client.post("/api/compare/", {"a_number": A_NUMBER, "b_number": B_NUMBER})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unlawful_count"] == 1 and body["url"].endswith(f"/compare/{body['key']}/")
    limits = client.get(f"/api/compare/{body['key']}/limits", {"verdict": "looser"}).json()
    assert [(p["parameter"], p["verdict"]) for p in limits] == [("二氧化硫", "looser")]
    assert {"parameter", "a", "b", "unit", "verdict"} <= set(limits[0])
    assert [c["key"] for c in client.get("/api/compare/").json()] == [body["key"]]
    export = client.get(f"/api/compare/{body['key']}/export", {"format": "pdf"})
    assert export.status_code == 200 and export.content.startswith(b"%PDF")
    assert client.get(f"/api/compare/{body['key']}/export", {"format": "doc"}).status_code == 400
    assert client.get("/api/compare/nosuchkey").status_code == 404


def test_api_refuses_wrong_roles_and_unreadable_sides(client, catalogued, make_user, officer):
    catalogued(A_NUMBER, "示例", _local_doc())
    catalogued("GB 21900—2008", "电镀", None, error="此PDF没有文字层，需要先OCR")
    assert client.post("/api/compare/", {"a_number": A_NUMBER, "b_number": A_NUMBER}).status_code == 401
    client.force_login(make_user("nobody"))
    assert client.post("/api/compare/", {"a_number": A_NUMBER, "b_number": A_NUMBER}).status_code == 403
    assert client.get("/api/compare/").status_code == 403
    client.force_login(officer)
    response = client.post("/api/compare/", {"a_number": A_NUMBER, "b_number": "GB 21900—2008"})
    assert response.status_code == 400
    assert response.json()["report"]["unreadable"]["b"]["reason"].startswith("此PDF没有文字层")
    assert client.post("/api/compare/", {"a_number": A_NUMBER}).status_code == 400


def test_api_hides_someone_elses_upload(client, pair, enterprise_user, make_user):
    from accounts.models import Organisation

    text = "1 范围\n本标准规定了示例工业大气污染物排放限值。\n".encode()
    c = actions.compare_sides(services.side_from_upload(text, "企业草案.txt"),
                               services.side_from_catalogue(B_NUMBER), by=enterprise_user)
    client.force_login(make_user("other", "enterprise_user", region="440300", kind=Organisation.Kind.ENTERPRISE))
    assert client.get(f"/api/compare/{c.key}").status_code == 403
    assert client.get(f"/api/compare/{c.key}/limits").status_code == 403


# --- command line ------------------------------------------------------------------------------------------------

def test_cli_compares_catalogue_numbers_as_json_and_writes_xlsx(pair, capsys, tmp_path):
    from compare.cli import main

    assert main([A_NUMBER, B_NUMBER, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {(p["parameter"], p["verdict"]) for p in report["limits"]} == {("二氧化硫", "looser"),
                                                                          ("颗粒物", "equal")}
    out = tmp_path / "r.xlsx"
    assert main([A_NUMBER, B_NUMBER, "--format", "xlsx", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"PK")
    assert Comparison.objects.count() == 0  # without --save nothing is stored


def test_cli_save_prints_the_permanent_link(pair, officer, capsys):
    from compare.cli import main

    assert main([A_NUMBER, B_NUMBER, "--save", officer.username]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["link"].endswith(Comparison.objects.get().get_absolute_url())


def test_cli_unknown_number_and_unreadable_side(catalogued, capsys):
    from compare.cli import main

    catalogued(A_NUMBER, "示例", _local_doc())
    catalogued("GB 21900—2008", "电镀", None, error="此PDF没有文字层，需要先OCR")
    assert main([A_NUMBER, "GB 99999—2020"]) == 1
    assert "标准目录中没有" in capsys.readouterr().err
    assert main([A_NUMBER, "GB 21900—2008"]) == 2
    captured = capsys.readouterr()
    assert "没有文字层" in captured.err and json.loads(captured.out)["status"] == "unreadable"


# --- counterparts ------------------------------------------------------------------------------------------------

def test_counterparts_page_api_and_command(client, pair, enterprise_user, capsys):
    from django.core.management import call_command

    client.force_login(enterprise_user)
    page = client.get(reverse("compare:counterparts"), {"number": A_NUMBER})
    body = page.content.decode()
    assert page.status_code == 200 and body.index(B_NUMBER) < body.index("与之比对")
    partial = client.get(reverse("compare:counterparts"), {"number": A_NUMBER}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and B_NUMBER in partial.content.decode()
    missing = client.get(reverse("compare:counterparts"), {"number": "GB 99999—2020"})
    assert missing.status_code == 400 and "标准目录中没有" in missing.content.decode()
    rows = client.get("/api/compare/counterparts", {"number": A_NUMBER, "top": 5}).json()
    assert rows[0]["number"] == B_NUMBER and rows[0]["reasons"] and A_NUMBER not in [r["number"] for r in rows]
    assert rows[0]["level_label"] == "国家标准"
    call_command("counterparts", A_NUMBER, "--top", "3", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["counterparts"][0]["number"] == B_NUMBER and len(out["counterparts"]) <= 3


def test_counterparts_refuse_people_without_the_right(client, pair, make_user):
    assert client.get("/api/compare/counterparts", {"number": A_NUMBER}).status_code == 401
    client.force_login(make_user("nobody"))
    assert client.get("/api/compare/counterparts", {"number": A_NUMBER}).status_code == 403
    assert client.get(reverse("compare:counterparts"), {"number": A_NUMBER}).status_code == 403


def test_from_a_national_standard_a_local_counterpart_goes_in_as_a(client, pair, enterprise_user):
    from urllib.parse import quote

    client.force_login(enterprise_user)
    body = client.get(reverse("compare:counterparts"), {"number": B_NUMBER}).content.decode()
    assert f"?a={quote(A_NUMBER)}&b={quote(B_NUMBER)}" in body
