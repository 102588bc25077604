"""Importing a list of standards: preview with row errors, all-or-nothing or valid rows only, no duplicates."""

import io

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse

from catalogue.models import ImportBatch, Standard

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "标准号,中文名称,发布日期,实施日期,ICS,地区\n"
    "DB44/T 2479—2024,粤港澳大湾区 示例规范,2024-01-02,2024-04-02,67.080.10,广州\n"
    "DB44/ 2367-2022,示例排放标准,2022/3/1,2022/6/1,13.040.40,\n"
)
BAD_CSV = GOOD_CSV + "GB/T ABC,坏编号,2022-01-01,2022-02-01,,\nGB/T 3—2020,日期颠倒,2020-05-01,2020-01-01,,\n"


def _named(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_preview_writes_nothing_then_commit_writes_all(client, officer):
    client.force_login(officer)
    response = client.post(reverse("catalogue:import"), {"file": _named(GOOD_CSV.encode(), "list.csv")})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("catalogue:import-batch", args=[batch.pk])
    assert not Standard.objects.filter(number="DB44/T 2479—2024").exists()
    page = client.get(response["Location"]).content.decode()
    assert "确认导入全部" in page
    client.post(reverse("catalogue:import-commit", args=[batch.pk]), {"mode": "all"})
    std = Standard.objects.get(number="DB44/T 2479—2024")
    assert std.city_id == "440100"
    assert Standard.objects.filter(number="DB44/ 2367—2022").exists()


def test_row_errors_are_reported_and_all_mode_refuses(client, officer):
    client.force_login(officer)
    response = client.post(reverse("catalogue:import"), {"file": _named(BAD_CSV.encode(), "bad.csv")})
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "逐行错误" in page and "GB/T ABC" in page
    rows = {e["row"] for e in batch.report["errors"]}
    assert rows == {4, 5}
    response = client.post(reverse("catalogue:import-commit", args=[batch.pk]), {"mode": "all"}, follow=True)
    assert "整批未导入" in response.content.decode()
    assert not Standard.objects.filter(source__startswith="import").exists()
    client.post(reverse("catalogue:import-commit", args=[batch.pk]), {"mode": "valid_only"})
    assert Standard.objects.filter(source__startswith="import").count() == 2


def test_same_file_twice_creates_no_duplicates(client, officer):
    client.force_login(officer)
    for _ in range(2):
        client.post(reverse("catalogue:import"), {"file": _named(GOOD_CSV.encode(), "list.csv")})
        batch = ImportBatch.objects.order_by("-id").first()
        client.post(reverse("catalogue:import-commit", args=[batch.pk]), {"mode": "all"})
    assert Standard.objects.filter(source__startswith="import").count() == 2
    assert ImportBatch.objects.order_by("-id").first().report["unchanged"] == 2


def test_a_batch_commits_once(client, officer):
    client.force_login(officer)
    client.post(reverse("catalogue:import"), {"file": _named(GOOD_CSV.encode(), "list.csv")})
    batch = ImportBatch.objects.get()
    client.post(reverse("catalogue:import-commit", args=[batch.pk]), {"mode": "all"})
    response = client.post(reverse("catalogue:import-commit", args=[batch.pk]), {"mode": "all"}, follow=True)
    assert "已处理" in response.content.decode()


def test_gbk_csv_is_detected(client, officer):
    client.force_login(officer)
    client.post(reverse("catalogue:import"), {"file": _named(GOOD_CSV.encode("gbk"), "gbk.csv")})
    batch = ImportBatch.objects.get()
    assert batch.report["encoding"] in ("gb18030", "gbk", "gb2312")
    assert batch.report["valid_rows"] == 2


def test_excel_with_title_row_and_merged_header(client, officer):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024 年度地方标准清单"])
    ws.merge_cells("A1:D1")
    ws.append(["标准号", "中文名称", "发布日期", "实施日期"])
    ws.append(["DB44/T 2479—2024", "示例规范", "2024-01-02", "2024-04-02"])
    buf = io.BytesIO()
    wb.save(buf)
    client.force_login(officer)
    client.post(reverse("catalogue:import"), {"file": _named(buf.getvalue(), "list.xlsx")})
    assert ImportBatch.objects.get().report["valid_rows"] == 1


@override_settings(YUEBIAO_MAX_IMPORT_BYTES=1024)
def test_oversized_upload_is_refused(client, officer):
    client.force_login(officer)
    response = client.post(reverse("catalogue:import"), {"file": _named(b"x" * 200_000, "big.csv")}, follow=True)
    assert "超过导入上限" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_not_a_spreadsheet_is_refused(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("catalogue:import"), {"file": _named(b"<html><body>hi</body></html>", "list.xlsx")}, follow=True
    )
    assert response.status_code == 200
    assert not ImportBatch.objects.exists()
    assert "msg-error" in response.content.decode()


def test_import_api_requires_the_right_role(client, enterprise_user, officer):
    url = "/api/standards/import"
    assert client.post(url, {"file": _named(GOOD_CSV.encode(), "a.csv")}).status_code == 401
    client.force_login(enterprise_user)
    assert client.post(url, {"file": _named(GOOD_CSV.encode(), "a.csv")}).status_code == 403
    client.force_login(officer)
    response = client.post(url + "?mode=all", {"file": _named(GOOD_CSV.encode(), "a.csv")})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["valid_rows"], body["state"]) == (2, 2, "committed")
    response = client.post(url + "?mode=all", {"file": _named(BAD_CSV.encode(), "b.csv")})
    assert response.status_code == 400 and "整批未导入" in response.json()["detail"]


def test_row_errors_keep_their_chinese_text_and_read_in_english(client, officer):
    """The report keeps each row error in Chinese (command line, API) with its message id and parameters, and the
    batch's page renders it in the reader's language; an old report without ids shows as stored."""
    client.force_login(officer)
    response = client.post(reverse("catalogue:import"), {"file": _named(BAD_CSV.encode(), "list.csv")})
    batch = ImportBatch.objects.get()
    bad = [e for e in batch.report["errors"] if "GB/T ABC" in e["message"]][0]
    assert bad["message"].startswith("标准号“GB/T ABC”无法识别") or bad["message"].startswith("无法识别标准号")
    assert bad["message_id"] and bad["params"]
    flipped = [e for e in batch.report["errors"] if e["message_id"] == "发布日期 {published} 晚于实施日期 {implemented}"]
    assert flipped[0]["message"] == "发布日期 2020-05-01 晚于实施日期 2020-01-01"
    assert flipped[0]["params"] == {"published": "2020-05-01", "implemented": "2020-01-01"}
    zh = client.get(response["Location"]).content.decode()
    assert "发布日期 2020-05-01 晚于实施日期 2020-01-01" in zh
    client.cookies["django_language"] = "en"
    en = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Publication date 2020-05-01 is later than implementation date 2020-01-01" in en
    assert "晚于" not in en
    batch.report = {**batch.report, "errors": [{"row": 9, "column": "标准号", "message": "旧报告的错误"}]}
    batch.save(update_fields=["report"])
    assert "旧报告的错误" in client.get(response["Location"]).content.decode()


def test_import_warnings_read_in_english(client, officer):
    """A warning about the file (a column not recognised) is kept in Chinese and shown in the reader's language."""
    client.force_login(officer)
    csv = GOOD_CSV.replace("地区\n", "地区,备用栏\n").replace(",广州\n", ",广州,x\n").replace(",13.040.40,\n",
                                                                                            ",13.040.40,,y\n")
    response = client.post(reverse("catalogue:import"), {"file": _named(csv.encode(), "list.csv")})
    batch = ImportBatch.objects.get()
    assert batch.report["warnings"] == ["已忽略无法识别的列：备用栏"]
    assert batch.report["warning_messages"][0]["message_id"] == "已忽略无法识别的列：{columns}"
    client.cookies["django_language"] = "en"
    en = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'Columns not recognised and ignored: <span lang="zh">备用栏</span>' in en
