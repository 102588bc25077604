"""Import rows are checked against the importer's rights, in the preview and again in the commit, and every
standard an import creates, edits or withdraws gets its trail event."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organisation
from catalogue.history import subject
from catalogue.imports import ImportRefused, commit_import, preview_import
from catalogue.models import ImportBatch, Standard
from catalogue.services import RecordError, upsert_standards
from trail.models import Event
from trail.services import verify

pytestmark = pytest.mark.django_db

SHENZHEN, PROVINCIAL, NATIONAL = "DB4403/T 256—2020", "DB44/T 9101—2020", "GB/T 9102—2020"
GUANGZHOU = "DB4401/T 9103—2024"
ATTACK = (
    "标准号,标准名称,状态,废止日期\n"
    f"{SHENZHEN},被改写的标准,废止,2026-01-01\n"
    f"{PROVINCIAL},被改写的标准,废止,2026-01-01\n"
    f"{NATIONAL},被改写的标准,废止,2026-01-01\n"
    f"{GUANGZHOU},广州市自己的标准,,\n"
)


def _named(content: str, name: str = "rows.csv"):
    f = io.BytesIO(content.encode())
    f.name = name
    return f


@pytest.fixture
def others(make_record):
    """Three standards a Guangzhou officer does not maintain, written by the system."""
    upsert_standards([make_record(n, f"原标题 {n}", implemented_on="2021-01-01") for n in (SHENZHEN, PROVINCIAL,
                                                                                        NATIONAL)],
                     source="reference")
    return {s.number: (s.status, s.title_zh, s.updated_at) for s in Standard.objects.filter(
        number__in=[SHENZHEN, PROVINCIAL, NATIONAL])}


@pytest.fixture
def guangzhou(make_user):
    return make_user("gz-officer", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)


def _unchanged(others) -> bool:
    return {s.number: (s.status, s.title_zh, s.updated_at) for s in Standard.objects.filter(number__in=others)} == others


def test_city_officer_valid_only_writes_only_its_own_city(client, guangzhou, others):
    client.force_login(guangzhou)
    response = client.post("/api/standards/import?mode=valid_only", {"file": _named(ATTACK)})
    assert response.status_code == 200, response.content
    report = response.json()
    messages = {(e["row"], e["message"]) for e in report["errors"]}
    assert messages == {
        (2, f"{SHENZHEN} 属于深圳市，无权修改"),
        (3, f"{PROVINCIAL} 属于广东省，无权修改"),
        (4, f"{NATIONAL} 是国家标准，无权修改"),
    }
    assert report["created"] == 1 and report["updated"] == 0
    assert _unchanged(others)
    assert not Event.objects.filter(subject__in=[subject(pk) for pk in Standard.objects.filter(
        number__in=others).values_list("id", flat=True)], actor=guangzhou).exists()
    mine = Standard.objects.get(number=GUANGZHOU)
    event = Event.objects.get(subject=subject(mine.id))
    assert event.kind == "created" and event.actor == guangzhou
    assert event.payload["record"]["title_zh"] == "广州市自己的标准" and "changes" not in event.payload


def test_city_officer_all_mode_refuses_the_whole_file(client, guangzhou, others):
    client.force_login(guangzhou)
    response = client.post("/api/standards/import?mode=all", {"file": _named(ATTACK)})
    assert response.status_code == 400 and "整批未导入" in response.json()["detail"]
    assert _unchanged(others) and not Standard.objects.filter(number=GUANGZHOU).exists()


def test_preview_page_shows_the_rights_errors(client, guangzhou, others):
    client.force_login(guangzhou)
    response = client.post(reverse("catalogue:import"), {"file": _named(ATTACK)})
    page = client.get(response["Location"]).content.decode()
    assert f"{SHENZHEN} 属于深圳市，无权修改" in page
    batch = ImportBatch.objects.get()
    assert batch.report["would_create"] == 1 and batch.report["error_rows"] == 3


def test_commit_checks_again_and_never_trusts_the_preview(guangzhou, others):
    """Rights taken away between preview and commit: the commit refuses the row the preview let through."""
    batch = preview_import(data=f"标准号,标准名称\n{GUANGZHOU},广州市自己的标准\n".encode(), filename="a.csv",
                           by=guangzhou)
    assert batch.report["errors"] == []
    org = guangzhou.organisation
    org.region_code = "440300"
    org.save()
    guangzhou.refresh_from_db()
    with pytest.raises(ImportRefused, match="没有可导入的有效行"):
        commit_import(batch=batch, valid_only=True, by=guangzhou)
    assert not Standard.objects.filter(number=GUANGZHOU).exists()


def test_replaced_standards_and_regions_outside_the_city_are_row_errors(client, guangzhou, others):
    client.force_login(guangzhou)
    body = ("标准号,标准名称,代替标准,地区\n"
            f"DB4401/T 9104—2024,代替深圳的,{SHENZHEN},\n"
            "DB4401/T 9105—2024,放到深圳的,,深圳\n"
            "DB4401/T 9106—2024,正常的,DB4401/T 9000—2010,广州\n")
    report = client.post("/api/standards/import?mode=valid_only", {"file": _named(body)}).json()
    assert {(e["row"], e["column"]) for e in report["errors"]} == {(2, "代替标准"), (3, "地区")}
    assert f"被代替标准 {SHENZHEN} 属于深圳市，无权改变其状态" in {e["message"] for e in report["errors"]}
    assert report["created"] == 1
    assert Standard.objects.get(number=SHENZHEN).status == others[SHENZHEN][0]


def test_the_services_refuse_a_record_outside_the_rights_even_without_the_import(guangzhou, others, make_record):
    with pytest.raises(RecordError, match="属于深圳市"):
        upsert_standards([make_record(SHENZHEN, "绕过导入")], source="x", by=guangzhou)
    assert _unchanged(others)


def test_provincial_officer_withdraws_and_each_change_is_in_the_trail(client, officer, others):
    client.force_login(officer)
    report = client.post("/api/standards/import?mode=valid_only", {"file": _named(ATTACK)}).json()
    assert report["errors"] == [] and report["updated"] == 3 and report["created"] == 1
    std = Standard.objects.get(number=SHENZHEN)
    assert std.status == Standard.Status.WITHDRAWN
    last = Event.objects.filter(subject=subject(std.id)).order_by("-seq").first()
    assert last.kind == "withdrawn" and last.actor == officer
    data = last.payload
    assert data["changes"]["status"] == ["current", "withdrawn"]
    assert data["changes"]["title_zh"] == [f"原标题 {SHENZHEN}", "被改写的标准"]
    assert data["import_batch"] == ImportBatch.objects.get().pk and data["source"] == "import:officer"
    assert verify().ok


def test_command_line_user_is_checked_like_the_web(tmp_path, guangzhou, others, make_user):
    path = tmp_path / "rows.csv"
    path.write_text(ATTACK, encoding="utf-8")
    out = io.StringIO()
    call_command("import_standards", str(path), "--valid-only", "--json", "--as", guangzhou.username, stdout=out)
    report = json.loads(out.getvalue())
    assert report["created"] == 1 and len(report["errors"]) == 3 and _unchanged(others)
    for user in ("nobody-here", make_user("ent-x", "enterprise_user").username):
        with pytest.raises(SystemExit) as exit_:
            call_command("import_standards", str(path), "--user", user, stdout=io.StringIO(),
                         stderr=io.StringIO())
        assert exit_.value.code == 2
    assert _unchanged(others)
