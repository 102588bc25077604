"""Cycle-time analytics: the numbers on a hand-made set, groups, filters, the page, the export, the API, the command."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organisation
from lifecycle import errors
from lifecycle.analytics import export as analytics_export
from lifecycle.analytics import facts as analytics_facts
from lifecycle.analytics import queries as analytics_queries
from lifecycle.analytics import sql as analytics_sql
from lifecycle.analytics.filters import Filters
from lifecycle.models import CycleFact, LocalStandardProject, ProjectStage

TODAY = date(2025, 6, 30)
TARGET = 15 * 365.25 / 12


def at(day: date, hour: int = 1) -> datetime:
    """01:00 UTC is 09:00 in Guangdong: the stage's local date is `day`."""
    return datetime.combine(day, time(hour), tzinfo=dt_timezone.utc)


# (code, city, department, committee, kind, nature, plan issued, published, [(state, days, due in days)])
# Whole-day stays that add up to each project's cycle, so every figure can be worked out by hand below.
D, C, R, T, A = "drafting", "consultation", "resolution", "technical_review", "approval"
SET = [
    ("A", "440100", "d1", "c1", "new", "recommended", date(2023, 1, 1), date(2024, 1, 1),
     [(D, 200, 183), (C, 30, 30), (R, 45, 30), (T, 60, 60), (A, 30, 28), ("published", 90, 20)]),
    ("B", "440100", "d1", "c2", "new", "recommended", date(2023, 1, 1), date(2024, 7, 1),
     [(D, 200, 183), (C, 35, 30), (R, 60, 30), (T, 90, 60), (D, 50, 183), (C, 30, 30), (R, 20, 30), (T, 40, 60),
      (A, 22, 28)]),
    ("C", "440300", "d2", "c1", "new", "recommended", date(2022, 1, 10), date(2023, 5, 10),
     [(D, 300, 183), (C, 31, 30), (R, 50, 30), (T, 64, 60), (A, 40, 28)]),
    ("D", "440300", "d2", None, "revision", "mandatory", date(2023, 2, 1), date(2023, 11, 1),
     [(D, 150, 183), (C, 30, 30), (R, 31, 30), (T, 32, 60), (A, 30, 28)]),
]
# Running: E for 546 days by TODAY (over 15 months), F for 121; G cancelled and H not yet issued count nowhere.
RUNNING = [("E", "440100", "d1", "c1", "technical_review", date(2024, 1, 1)),
           ("F", "440300", "d2", "c2", "drafting", date(2025, 3, 1))]


@pytest.fixture
def orgs(db):
    K = Organisation.Kind
    make = lambda name, kind: Organisation.objects.create(name=name, kind=kind, region_code="440000")  # noqa: E731
    return {
        "d1": make("省农业农村厅（测试）", K.COMPETENT_DEPARTMENT), "d2": make("省工业和信息化厅（测试）", K.COMPETENT_DEPARTMENT),
        "c1": make("农业标准化技术委员会（测试）", K.TECHNICAL_COMMITTEE),
        "c2": make("食品标准化技术委员会（测试）", K.TECHNICAL_COMMITTEE),
    }


@pytest.fixture
def hand_set(orgs, officer):
    """The four completed projects, two running ones, one cancelled and one not yet issued."""
    made = {}

    def project(code, city, dept, committee, state, plan, published=None, **extra):
        return LocalStandardProject.objects.create(
            code=f"T-{code}", title_zh=f"测试项目{code}", city_code=city, proposer=orgs[dept],
            technical_committee=orgs[committee] if committee else None, state=state, plan_issued_on=plan,
            published_on=published, created_by=officer, **extra)

    for code, city, dept, committee, kind, nature, plan, published, stays in SET:
        p = project(code, city, dept, committee, "implementing" if code == "A" else "published", plan, published,
                    kind=kind, nature=nature)
        day = plan
        for state, days, due in stays:
            left = day + timedelta(days=days)
            open_ = state == "published" and code != "A"
            ProjectStage.objects.create(project=p, state=state, entered_at=at(day), left_at=None if open_ else at(left),
                                        due_on=day + timedelta(days=due))
            day = left
        made[code] = p
    for code, city, dept, committee, state, plan in RUNNING:
        p = project(code, city, dept, committee, state, plan)
        ProjectStage.objects.create(project=p, state="drafting", entered_at=at(plan),
                                    due_on=plan + timedelta(days=183))
        made[code] = p
    made["G"] = project("G", "440100", "d1", "c1", "cancelled", date(2024, 5, 1))
    made["H"] = project("H", "440100", "d1", "c1", "application", None)
    return made


def figures(**filters):
    return analytics_queries.cycle_time(Filters.parse(filters), today=TODAY, use_cache=False)


def stage(data, state):
    return next(s for s in data["stages"] if s["state"] == state)


def group(data, by, name_part):
    return next(g for g in data["groups"][by] if name_part in g["name"])


@pytest.mark.django_db
def test_headline_by_hand(hand_set):
    data = figures()
    c = data["completed"]
    # Cycles: A 365, B 547, C 485, D 273 days.
    assert c["count"] == 4
    assert c["mean_days"] == (365 + 547 + 485 + 273) / 4 == 417.5
    assert c["median_days"] == (365 + 485) / 2
    assert c["mean_months"] == round(417.5 / (365.25 / 12), 1) == 13.7
    assert c["median_months"] == 14.0
    assert c["over_target"] == 2 and c["over_target_share"] == 0.5  # B and C exceed 456.56 days
    r = data["in_progress"]
    assert (r["count"], r["over_target"]) == (2, 1)  # E 546 days, F 121 days; G cancelled, H not issued
    assert r["max_elapsed_months"] == round(546 / (365.25 / 12), 1)
    assert data["target"]["label"] == "15个月" and data["target"]["days"] == pytest.approx(TARGET)


@pytest.mark.django_db
def test_stages_and_bottleneck_by_hand(hand_set):
    data = figures()
    drafting = stage(data, "drafting")
    # B's two drafting stays add up: 200 + 50.
    assert (drafting["projects"], drafting["total_days"], drafting["mean_days"], drafting["median_days"]) == (
        4, 900, 225.0, 225.0)
    assert (stage(data, "consultation")["mean_days"], stage(data, "consultation")["median_days"]) == (39.0, 30.5)
    assert (stage(data, "resolution")["total_days"], stage(data, "resolution")["median_days"]) == (206, 47.5)
    assert (stage(data, "technical_review")["mean_days"], stage(data, "technical_review")["median_days"]) == (71.5, 62.0)
    assert (stage(data, "approval")["mean_days"], stage(data, "approval")["median_days"]) == (30.5, 30.0)
    assert sum(s["total_days"] for s in data["stages"] if s["in_cycle"]) == 365 + 547 + 485 + 273
    assert data["bottleneck"] == {"state": "drafting", "label": "起草", "share": round(900 / 1670, 4)}
    # Over due: drafting A, B, C (3 of 4); resolution all four (D left a day late); review B, C; approval A, C, D.
    assert (drafting["with_due"], drafting["over_due"]) == (4, 3)
    assert stage(data, "resolution")["over_due_share"] == 1.0
    assert stage(data, "technical_review")["over_due_share"] == 0.5
    assert stage(data, "approval")["over_due_share"] == 0.75
    assert stage(data, "consultation")["over_due_share"] is None  # a minimum period, never "late"
    assert data["most_over_due"]["state"] == "resolution"
    # After the cycle: only A has left 批准发布 (90 days to implementation).
    assert (stage(data, "published")["projects"], stage(data, "published")["mean_days"]) == (1, 90.0)


@pytest.mark.django_db
def test_histogram_and_trend(hand_set):
    data = figures()
    counts = {h["months"]: h["count"] for h in data["histogram"]}
    # 273 d = 8.97 months, 365 d = 11.99, 485 d = 15.93, 547 d = 17.97
    assert {m: n for m, n in counts.items() if n} == {8: 1, 11: 1, 15: 1, 17: 1}
    assert [h["months"] for h in data["histogram"]] == list(range(0, 18))
    trend = {y["year"]: y for y in data["trend"]}
    assert set(trend) == {2023, 2024}
    assert trend[2023]["count"] == 2 and trend[2023]["mean_months"] == round((485 + 273) / 2 / (365.25 / 12), 1)
    assert trend[2024]["over_target"] == 1


@pytest.mark.django_db
def test_groups(hand_set):
    data = figures()
    gz, sz = group(data, "city", "广州"), group(data, "city", "深圳")
    assert (gz["count"], gz["mean_months"], gz["over_target"], gz["in_progress"], gz["in_progress_over"]) == (
        2, round(456 / (365.25 / 12), 1), 1, 1, 1)
    assert (sz["count"], sz["median_months"], sz["in_progress"], sz["in_progress_over"]) == (
        2, round(379 / (365.25 / 12), 1), 1, 0)
    d1 = group(data, "department", "农业农村厅")
    assert (d1["count"], d1["over_target"], d1["key"]) == (2, 1, str(hand_set["A"].proposer_id))
    c1 = group(data, "committee", "农业标准化")
    assert (c1["count"], c1["mean_months"]) == (2, round(425 / (365.25 / 12), 1))
    none = group(data, "committee", "未指定")
    assert (none["count"], none["filter"]) == (1, "0")
    assert sum(g["count"] for g in data["groups"]["committee"]) == 4
    ordered = analytics_queries.sort_groups(data["groups"]["committee"], "-mean")
    assert [g["mean_months"] for g in ordered] == sorted((g["mean_months"] for g in ordered), reverse=True)
    assert [g["name"] for g in analytics_queries.sort_groups(data["groups"]["city"], "name")] == sorted([gz["name"], sz["name"]])


@pytest.mark.django_db
@pytest.mark.parametrize("params, codes", [
    ({"kind": "revision"}, {"D"}),
    ({"nature": "mandatory"}, {"D"}),
    ({"year_from": "2024"}, {"A", "B"}),
    ({"published_from": "2023-05-10", "published_to": "2023-11-01"}, {"C", "D"}),
    ({"plan_from": "2023-01-01", "plan_to": "2023-01-31"}, {"A", "B"}),
    ({"city": "440300"}, {"C", "D"}),
    ({"committee": "0"}, {"D"}),
])
def test_filters(hand_set, params, codes):
    days = {"A": 365, "B": 547, "C": 485, "D": 273}
    data = figures(**params)
    assert data["completed"]["count"] == len(codes)
    assert data["completed"]["mean_days"] == round(sum(days[c] for c in codes) / len(codes), 1)
    listed = {p["code"][2:] for p in analytics_export.project_rows(Filters.parse(params), today=TODAY) if p["completed"]}
    assert listed == codes


@pytest.mark.django_db
def test_department_and_committee_filters_take_ids(hand_set, orgs):
    assert figures(department=str(orgs["d2"].pk))["completed"]["count"] == 2
    assert figures(committee=str(orgs["c2"].pk))["completed"]["count"] == 1
    assert figures(committee=str(orgs["c2"].pk))["in_progress"]["count"] == 1  # F


@pytest.mark.parametrize("params", [
    {"published_from": "2024-13-01"}, {"year_from": "24"}, {"plan_from": "2024-05-01", "plan_to": "2024-01-01"},
    {"nature": "x"}, {"kind": "old"}, {"city": "guangzhou"}, {"department": "abc"},
])
def test_bad_filters_are_refused_in_chinese(params):
    with pytest.raises(errors.AnalyticsInputError) as exc:
        Filters.parse(params)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


@pytest.mark.django_db
def test_facts_follow_changes(hand_set):
    assert figures()["completed"]["count"] == 4
    assert CycleFact.objects.count() == 4
    # Publishing E (as advance() would: the project is saved) shows at once, without a rebuild.
    e = hand_set["E"]
    ProjectStage.objects.filter(project=e).update(left_at=at(date(2025, 6, 1)))
    e.published_on, e.state = date(2025, 6, 1), "published"
    e.save()
    data = figures()
    assert data["completed"]["count"] == 5 and data["in_progress"]["count"] == 1
    assert stage(data, "drafting")["projects"] == 5
    # A project moved to another city is counted there.
    a = hand_set["A"]
    a.city_code = "440300"
    a.save()
    assert group(figures(), "city", "深圳")["count"] == 3
    # Rows written behind the services' back (no updated_at change) are caught by the count check.
    CycleFact.objects.filter(project=hand_set["C"]).delete()
    assert analytics_facts.ensure_facts(check=True) == 1


@pytest.mark.django_db
def test_sqlite_and_postgresql_give_the_same_days(hand_set):
    """Day arithmetic and local dates are written per database; the fact rows must say the same on both."""
    analytics_facts.ensure_facts()
    b = CycleFact.objects.get(project=hand_set["B"])
    assert (b.cycle_days, b.published_year, b.drafting_days, b.technical_review_days, b.approval_days) == (
        547, 2024, 250, 130, 22)
    late = {st.value for bit, st in enumerate(analytics_sql.LATE_STATES) if b.late_mask >> bit & 1}
    assert late == {"drafting", "resolution", "technical_review"}


@pytest.mark.django_db
def test_cache_follows_the_revision(hand_set):
    first = analytics_queries.cycle_time(Filters(), today=TODAY)
    assert analytics_queries.cycle_time(Filters(), today=TODAY) is not None
    d = hand_set["D"]
    d.published_on = date(2023, 12, 1)  # 303 days now
    d.save()
    assert analytics_queries.cycle_time(Filters(), today=TODAY)["completed"]["mean_days"] == (365 + 547 + 485 + 303) / 4
    assert first["completed"]["mean_days"] == 417.5


@pytest.mark.django_db
def test_panel(hand_set):
    analytics_queries.cycle_time(Filters(), today=TODAY, use_cache=True)
    panel = analytics_queries.project_panel_context(hand_set["B"], None, set())
    assert panel["completed"] and panel["days"] == 547 and panel["over_target"]
    rows = {r["state"]: r for r in panel["stages"]}
    assert rows["drafting"]["days"] == 250.0 and rows["drafting"]["province_mean"] == 225.0
    assert rows["technical_review"]["late"]
    assert analytics_queries.project_panel_context(hand_set["H"], None, set()) == {"started": False}


# ---------------------------------------------------------------------------------------------------------------
# Pages, export, API, command


@pytest.fixture
def city_officer(make_user):
    return make_user("gzcity", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)


@pytest.mark.django_db
def test_page_renders_for_the_bureau_with_chart_data(client, officer, hand_set):
    client.force_login(officer)
    response = client.get(reverse("lifecycle:analytics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="cycle-chart-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "lifecycle/analytics.js" in html and "cdn" not in html.lower()
    start = html.index('<script id="cycle-chart-data" type="application/json">') + len(
        '<script id="cycle-chart-data" type="application/json">')
    chart = json.loads(html[start:html.index("</script>", start)])
    assert [s["label"] for s in chart["stages"]][:5] == ["起草", "征求意见", "意见处理", "技术审查", "报批"]
    assert chart["target_months"] == 15.0
    assert "瓶颈阶段" in html and "起草" in html
    sorted_page = client.get(reverse("lifecycle:analytics"), {"by": "committee", "sort": "-mean"})
    assert sorted_page.status_code == 200
    names = [g["name"] for g in sorted_page.context["rows"]]
    assert names[0] == "食品标准化技术委员会（测试）"  # B alone, 18 months


@pytest.mark.django_db
def test_page_refuses_bad_input_with_400(client, officer, hand_set):
    client.force_login(officer)
    response = client.get(reverse("lifecycle:analytics"), {"plan_from": "2024-99-01"})
    assert response.status_code == 400
    assert "格式不正确" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["lifecycle:analytics", "lifecycle:analytics_export", "lifecycle:analytics_projects"])
def test_wrong_roles_get_403(client, enterprise_user, make_user, name):
    drafter = make_user("drafter9", "drafter", kind=Organisation.Kind.DRAFTING_ORGANISATION)
    for user in (enterprise_user, drafter):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name)).status_code == 302  # to the login page


@pytest.mark.django_db
def test_city_officer_defaults_to_his_city_and_compares(client, city_officer, hand_set):
    client.force_login(city_officer)
    response = client.get(reverse("lifecycle:analytics"))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["filters"].city == "440100" and ctx["defaulted"]
    assert ctx["data"]["completed"]["count"] == 2 and ctx["province"]["completed"]["count"] == 4
    everything = client.get(reverse("lifecycle:analytics"), {"city": ""})
    assert everything.context["data"]["completed"]["count"] == 4 and not everything.context["defaulted"]
    # The projects behind the figures stay limited to what he may open (his city's).
    listed = client.get(reverse("lifecycle:analytics_projects"), {"city": ""})
    codes = {r["code"] for r in listed.context["rows"]}
    assert codes == {"T-A", "T-B", "T-E"}


@pytest.mark.django_db
def test_project_list_links_and_pages(client, officer, hand_set):
    client.force_login(officer)
    response = client.get(reverse("lifecycle:analytics_projects"), {"city": "440300"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["code"] for r in rows] == ["T-F", "T-D", "T-C"]  # newest plan first, running ones included
    assert reverse("lifecycle:project", args=["T-C"]) in response.content.decode()
    assert rows[2]["cells"][0] == 300


@pytest.mark.django_db
def test_excel_export_matches(client, officer, hand_set):
    from openpyxl import load_workbook

    client.force_login(officer)
    response = client.get(reverse("lifecycle:analytics_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["概览", "分阶段", "按地市", "按部门", "按技术委员会", "项目明细"]
    overview = {row[0]: row[1] for row in book["概览"].iter_rows(min_row=2, values_only=True)}
    assert overview["已发布项目数"] == 4 and overview["超过目标的项目数"] == 2
    assert overview["平均制定周期（月）"] == 13.7 and overview["在研项目数"] == 2
    stages = {row[0]: row for row in book["分阶段"].iter_rows(min_row=2, values_only=True)}
    assert stages["起草"][3] == 225 and stages["意见处理"][9] == 1
    cities = {row[0]: row for row in book["按地市"].iter_rows(min_row=2, values_only=True)}
    assert cities["广州市"][1] == 2
    detail = list(book["项目明细"].iter_rows(values_only=True))
    head, rows = detail[0], {r[0]: r for r in detail[1:]}
    assert set(rows) == {"T-A", "T-B", "T-C", "T-D", "T-E", "T-F"}
    b = rows["T-B"]
    assert b[head.index("立项下达")].date() == date(2023, 1, 1) and b[head.index("批准发布")].date() == date(2024, 7, 1)
    assert b[head.index("超过目标")] == "是" and b[head.index("起草（天）")] == 250
    assert b[head.index("制定周期（月）")] == round(547 / (365.25 / 12), 1)


@pytest.mark.django_db
def test_api(client, officer, enterprise_user, hand_set):
    url = "/api/lifecycle/analytics/cycle-time"
    client.force_login(enterprise_user)
    assert client.get(url).status_code == 403
    client.force_login(officer)
    response = client.get(url, {"by": "city", "kind": "new"})
    assert response.status_code == 200
    body = response.json()
    assert body["completed"]["count"] == 3 and list(body["groups"]) == ["city"]
    assert client.get(url, {"published_from": "yesterday"}).status_code == 400


@pytest.mark.django_db
def test_command_json_matches_the_service(hand_set, tmp_path):
    out = io.StringIO()
    call_command("cycle_time", "--json", "--by", "department", "--from", "2023-01-01", stdout=out)
    expected = analytics_queries.cycle_time(Filters.parse({"published_from": "2023-01-01"}), groupings=("department",),
                                    use_cache=False)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(expected))
    text = io.StringIO()
    target = tmp_path / "cycle.xlsx"
    call_command("cycle_time", "--xlsx", str(target), stdout=text)
    assert "已发布项目 4 个" in text.getvalue() and target.stat().st_size > 1000


def test_command_refuses_bad_dates():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("cycle_time", "--from", "2024-02-30")
