"""Technical review (技术审查): expert pool and import, panels without conflicts of interest, conclusions, decision."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Organisation
from accounts.services import create_organisation
from lifecycle import access, documents
from lifecycle import errors as lifecycle_errors
from lifecycle.models import Expert, LocalStandardProject, PanelMember, ReviewPanel
from lifecycle.projects import actions as project_actions
from lifecycle.review import actions as review_actions
from lifecycle.review import expert_import
from lifecycle.review import queries as review_queries
from lifecycle.transitions import Action, Doc, State
from notify.models import Notice
from trail.models import Event

Kind = Organisation.Kind
PDF = b"%PDF-1.4\n% review minutes\n"


# ---------------------------------------------------------------------------------------------------------------
# Pure: the majority view.

def _counts(p=0, c=0, f=0):
    return {"pass": p, "pass_with_changes": c, "fail": f}


@pytest.mark.parametrize("counts,expected", [
    (_counts(5), ("pass", "pass")),
    (_counts(3, 2), ("pass", "pass")),
    (_counts(2, 2, 1), ("pass_with_changes", "pass_with_changes")),
    (_counts(2, 1, 2), ("pass_with_changes", "pass_with_changes")),
    (_counts(1, 1, 3), ("fail", "fail")),
    (_counts(3, 0, 3), ("pass", "fail")),
    (_counts(0, 0, 0), None),
])
def test_majority_range(counts, expected):
    assert review_queries.majority_range(counts) == expected


@given(st.lists(st.sampled_from(["pass", "pass_with_changes", "fail"]), min_size=1, max_size=25))
def test_majority_is_the_median(conclusions):
    order = ["pass", "pass_with_changes", "fail"]
    ranked = sorted(conclusions, key=order.index)
    n = len(ranked)
    low, high = review_queries.majority_range(review_queries.tally(conclusions))
    assert (low, high) == (ranked[(n - 1) // 2], ranked[n // 2])
    assert not review_queries.contradicts_majority(ranked[n // 2], review_queries.tally(conclusions))


def test_tokens_drop_words_every_standard_shares():
    words = review_queries.tokens("荔枝干燥加工技术规程")
    assert "荔枝" in words and "技术" not in words and "规程" not in words


# ---------------------------------------------------------------------------------------------------------------
# Fixtures: a project in technical review, its committee and drafters, and a pool of experts.

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db, make_user, officer, media):
    committee_org = create_organisation(name="广东省农产品加工标准化技术委员会", kind=Kind.TECHNICAL_COMMITTEE)
    drafter_org = create_organisation(name="华南农业大学食品学院", kind=Kind.DRAFTING_ORGANISATION, region_code="440100")
    drafter_org2 = create_organisation(name="广州荔枝研究所", kind=Kind.DRAFTING_ORGANISATION, region_code="440100")
    secretary = make_user("secretary", "committee_secretary", kind=Kind.TECHNICAL_COMMITTEE)
    secretary.organisation = committee_org
    secretary.save()
    drafter = make_user("drafter", "drafter", kind=Kind.DRAFTING_ORGANISATION)
    drafter.organisation = drafter_org
    drafter.save()
    project = project_actions.propose(
        by=officer, title_zh="荔枝干燥加工技术规程", drafting_organisations=[drafter_org, drafter_org2],
        technical_committee=committee_org, scope="本文件规定了荔枝干燥加工的原料、工艺和质量要求。",
    )
    entered = timezone.now() - timedelta(days=10)
    LocalStandardProject.objects.filter(pk=project.pk).update(state=State.TECHNICAL_REVIEW, stage_entered_at=entered)
    project.refresh_from_db()
    experts = []
    specialities = ["荔枝 干燥 果蔬加工", "食品安全", "农产品加工", "热带水果 采后", "标准化管理", "食品机械", "荔枝栽培"]
    for i, spec in enumerate(specialities):
        org = create_organisation(name=f"独立单位{i}", kind=Kind.ENTERPRISE)
        user = make_user(f"expert{i}", "expert", kind=Kind.ENTERPRISE)
        experts.append(review_actions.add_expert(name=f"专家{i}", organisation=org, title="研究员", speciality=spec,
                                         user=user, by=officer))
    conflicted = review_actions.add_expert(name="起草方专家", organisation=drafter_org, speciality="荔枝 干燥", by=officer)
    return {
        "officer": officer, "secretary": secretary, "drafter": drafter, "project": project, "experts": experts,
        "conflicted": conflicted, "drafter_org": drafter_org, "committee_org": committee_org,
    }


def _form(world, n=5, **kw):
    ids = kw.pop("expert_ids", [e.pk for e in world["experts"][:n]])
    args = dict(project=world["project"], expert_ids=ids, chair_id=ids[0] if ids else None,
                meeting_on=timezone.localdate(), location="省标准化研究院 301", by=world["secretary"])
    args.update(kw)
    return review_actions.form_panel(**args)


def _conclude_all(panel, conclusions):
    for member, conclusion in zip(panel.members.select_related("expert__user").order_by("id"), conclusions):
        review_actions.record_conclusion(member=member, conclusion=conclusion, opinion="意见" if conclusion != "pass" else "",
                                 by=member.expert.user)


def _minutes(world, by=None):
    return documents.upload_document(project=world["project"], kind=Doc.REVIEW_MINUTES, data=PDF,
                                    filename="纪要.pdf", by=by or world["secretary"])


def _writes():
    return ReviewPanel.objects.count(), PanelMember.objects.count(), Event.objects.count()


# ---------------------------------------------------------------------------------------------------------------
# Forming the panel.

def test_expert_from_a_drafting_organisation_is_refused_and_nothing_is_written(world):
    before = _writes()
    version = LocalStandardProject.objects.get(pk=world["project"].pk).version
    ids = [e.pk for e in world["experts"][:5]] + [world["conflicted"].pk]
    with pytest.raises(lifecycle_errors.ReviewError) as exc:
        _form(world, expert_ids=ids)
    assert "起草方专家" in str(exc.value) and "华南农业大学食品学院" in str(exc.value) and "回避" in str(exc.value)
    assert _writes() == before
    assert LocalStandardProject.objects.get(pk=world["project"].pk).version == version
    assert not Notice.objects.filter(kind="action_required", subject__contains="请参加技术审查").exists()


def test_expert_whose_account_belongs_to_a_drafting_organisation_steps_aside(world):
    moved = world["experts"][0]
    moved.user.organisation = world["drafter_org"]
    moved.user.save()
    with pytest.raises(lifecycle_errors.ReviewError, match="专家0"):
        _form(world)
    ranked, conflicts = review_queries.suggest_experts(world["project"], limit=None)
    assert moved.pk in {e.pk for e, _ in conflicts}
    assert moved.pk not in {s.expert.pk for s in ranked}


@pytest.mark.parametrize("n", [0, 1, 4])
def test_panel_needs_the_minimum_size(world, n):
    before = _writes()
    with pytest.raises(lifecycle_errors.ReviewError, match=f"至少 {review_queries.MIN_PANEL_SIZE} 人"):
        _form(world, n=n, chair_id=world["experts"][0].pk)
    assert _writes() == before


def test_chair_must_be_a_member(world):
    outsider = world["experts"][6].pk
    with pytest.raises(lifecycle_errors.ReviewError, match="组长须是专家组成员"):
        _form(world, chair_id=outsider)
    with pytest.raises(lifecycle_errors.ReviewError, match="请指定专家组组长"):
        _form(world, chair_id=None)


def test_inactive_and_duplicate_experts_are_refused(world):
    review_actions.set_expert_active(expert=world["experts"][1], active=False, by=world["officer"], reason="退休")
    with pytest.raises(lifecycle_errors.ReviewError, match="专家1.*停用"):
        _form(world)
    ids = [e.pk for e in world["experts"][2:7]]
    with pytest.raises(lifecycle_errors.ReviewError, match="重复"):
        _form(world, expert_ids=ids + ids[:1])


def test_wrong_roles_may_not_form_a_panel(world, enterprise_user):
    for user in (world["drafter"], world["experts"][0].user, enterprise_user):
        with pytest.raises(lifecycle_errors.ReviewForbidden):
            _form(world, by=user)
    assert ReviewPanel.objects.count() == 0


def test_meeting_date_not_before_the_stage_and_only_in_technical_review(world):
    entered = timezone.localtime(world["project"].stage_entered_at).date()
    with pytest.raises(lifecycle_errors.ReviewError, match="不能早于项目进入技术审查阶段"):
        _form(world, meeting_on=entered - timedelta(days=1))
    with pytest.raises(lifecycle_errors.ReviewError, match="格式不正确"):
        _form(world, meeting_on="2025-13-40")
    LocalStandardProject.objects.filter(pk=world["project"].pk).update(state=State.RESOLUTION)
    with pytest.raises(lifecycle_errors.ReviewError, match="只有在“技术审查”阶段"):
        _form(world)


def test_forming_a_panel_writes_one_event_bumps_the_version_and_notifies_the_experts(world):
    project = world["project"]
    version = LocalStandardProject.objects.get(pk=project.pk).version
    events = Event.objects.count()
    panel = _form(world, location="线上会议")
    assert panel.round == 1 and panel.members.count() == 5
    assert panel.members.get(is_chair=True).expert == world["experts"][0]
    assert Event.objects.count() == events + 1
    event = Event.objects.filter(kind="panel_formed").get()
    assert event.subject == f"lifecycle.localstandardproject:{project.pk}"
    assert [m["name"] for m in event.payload["members"]] == [f"专家{i}" for i in range(5)]
    assert LocalStandardProject.objects.get(pk=project.pk).version == version + 1
    seated = set(Notice.objects.filter(subject__contains="请参加技术审查").values_list("recipient__username", flat=True))
    assert seated == {f"expert{i}" for i in range(5)}
    with pytest.raises(lifecycle_errors.ReviewError, match="已经组建"):
        _form(world)


def test_suggestions_rank_by_speciality_and_leave_out_conflicts(world):
    ranked, conflicts = review_queries.suggest_experts(world["project"], limit=None)
    assert ranked[0].expert.name == "专家0" and "荔枝" in ranked[0].matched
    assert world["conflicted"].pk in {e.pk for e, _ in conflicts}
    assert len(ranked) == 7
    only, _ = review_queries.suggest_experts(world["project"], q="食品安全")
    assert [s.expert.name for s in only] == ["专家1"]


# ---------------------------------------------------------------------------------------------------------------
# Conclusions.

def test_only_the_expert_or_the_secretariat_records_a_conclusion(world):
    panel = _form(world)
    members = list(panel.members.select_related("expert__user").order_by("id"))
    first, second = members[0], members[1]
    for intruder in (second.expert.user, world["drafter"], world["experts"][6].user):
        with pytest.raises(lifecycle_errors.ReviewForbidden):
            review_actions.record_conclusion(member=first, conclusion="pass", by=intruder)
    assert PanelMember.objects.get(pk=first.pk).conclusion == ""
    events = Event.objects.count()
    review_actions.record_conclusion(member=first, conclusion="pass", opinion="", by=first.expert.user)
    review_actions.record_conclusion(member=second, conclusion="pass_with_changes", opinion="第 5 章术语需统一",
                             by=world["secretary"])
    assert Event.objects.count() == events + 2
    own, behalf = Event.objects.filter(kind="conclusion_recorded").order_by("id")
    assert own.payload["on_behalf"] is False and own.actor == first.expert.user
    assert behalf.payload["on_behalf"] is True and behalf.actor == world["secretary"]
    assert behalf.payload["expert"] == second.expert.name


def test_conclusion_input_is_checked(world):
    panel = _form(world)
    member = panel.members.select_related("expert__user").first()
    user = member.expert.user
    with pytest.raises(lifecycle_errors.ReviewError, match="须为"):
        review_actions.record_conclusion(member=member, conclusion="maybe", by=user)
    with pytest.raises(lifecycle_errors.ReviewError, match="请填写审查意见"):
        review_actions.record_conclusion(member=member, conclusion="fail", opinion="  ", by=user)
    with pytest.raises(lifecycle_errors.ReviewError, match="不能超过 5000 字"):
        review_actions.record_conclusion(member=member, conclusion="fail", opinion="长" * 100_000, by=user)
    assert PanelMember.objects.get(pk=member.pk).conclusion == ""


# ---------------------------------------------------------------------------------------------------------------
# The decision.

def test_decision_refused_while_conclusions_are_missing_naming_who(world):
    panel = _form(world)
    _conclude_all(panel, ["pass", "pass", "pass"])
    doc = _minutes(world)
    with pytest.raises(lifecycle_errors.ReviewError) as exc:
        review_actions.record_decision(panel=panel, decision="pass", minutes_document=doc, by=world["secretary"])
    assert "专家3" in str(exc.value) and "专家4" in str(exc.value) and "专家0" not in str(exc.value)
    assert ReviewPanel.objects.get(pk=panel.pk).decision == ""


def test_decision_needs_the_minutes_of_this_round(world):
    old = _minutes(world)  # uploaded before the panel was formed
    panel = _form(world)
    _conclude_all(panel, ["pass"] * 5)
    with pytest.raises(lifecycle_errors.ReviewError, match="请先上传审查会议纪要"):
        review_actions.record_decision(panel=panel, decision="pass", minutes_document=None, by=world["secretary"])
    with pytest.raises(lifecycle_errors.ReviewError, match="组建之前"):
        review_actions.record_decision(panel=panel, decision="pass", minutes_document=old, by=world["secretary"])
    other = documents.upload_document(project=world["project"], kind=Doc.DRAFT_FOR_REVIEW, data=PDF,
                                     filename="送审稿.pdf", by=world["officer"])
    with pytest.raises(lifecycle_errors.ReviewError, match="不是本项目的审查会议纪要"):
        review_actions.record_decision(panel=panel, decision="pass", minutes_document=other, by=world["secretary"])
    assert LocalStandardProject.objects.get(pk=world["project"].pk).review_decision == ""


def test_decision_against_the_majority_needs_a_note(world):
    panel = _form(world)
    _conclude_all(panel, ["fail", "fail", "fail", "pass", "pass"])
    doc = _minutes(world)
    with pytest.raises(lifecycle_errors.ReviewError, match="与多数专家意见（不通过）不一致，须填写理由"):
        review_actions.record_decision(panel=panel, decision="pass", note="", minutes_document=doc, by=world["secretary"])
    review_actions.record_decision(panel=panel, decision="pass_with_changes", note="问题均可在报批前修改解决，经会议讨论一致同意",
                           minutes_document=doc, by=world["secretary"])
    event = Event.objects.get(kind="review_decision")
    assert event.payload["against_majority"] is True


def test_decision_by_wrong_role_is_refused(world):
    panel = _form(world)
    _conclude_all(panel, ["pass"] * 5)
    doc = _minutes(world)
    for user in (world["drafter"], world["experts"][0].user):
        with pytest.raises(lifecycle_errors.ReviewForbidden):
            review_actions.record_decision(panel=panel, decision="pass", minutes_document=doc, by=user)


def test_passing_decision_then_submit_for_approval_through_advance(world):
    project, secretary = world["project"], world["secretary"]
    panel = _form(world)
    _conclude_all(panel, ["pass", "pass", "pass_with_changes", "pass"])
    assert not Notice.objects.filter(recipient=secretary, subject__contains="专家意见已齐").exists()
    last = panel.members.select_related("expert__user").order_by("id").last()
    review_actions.record_conclusion(member=last, conclusion="pass", by=last.expert.user)
    assert Notice.objects.filter(recipient=secretary, subject__contains="专家意见已齐").count() == 1
    events = Event.objects.count()
    version = LocalStandardProject.objects.get(pk=project.pk).version
    panel = review_actions.record_decision(panel=panel, decision="pass", note="", by=secretary,
                                   minutes_file=(PDF, "第1轮审查会议纪要.pdf"))
    assert Event.objects.count() == events + 2  # the minutes upload and the decision
    project.refresh_from_db()
    assert project.review_decision == "pass" and project.version == version + 2
    event = Event.objects.get(kind="review_decision")
    assert event.payload["tally"] == {"pass": 4, "pass_with_changes": 1, "fail": 0}
    assert event.payload["minutes"]["sha256"] == panel.minutes.sha256 == __import__("hashlib").sha256(PDF).hexdigest()
    assert event.payload["against_majority"] is False
    with pytest.raises(lifecycle_errors.ReviewError, match="不能重复录入"):
        review_actions.record_decision(panel=panel, decision="fail", note="x", minutes_document=panel.minutes, by=secretary)
    member = panel.members.select_related("expert__user").first()
    with pytest.raises(lifecycle_errors.ReviewError, match="已作出审查结论"):
        review_actions.record_conclusion(member=member, conclusion="fail", opinion="x", by=member.expert.user)
    # Without the 报批稿 the table refuses; with it the drafter moves the project on.
    with pytest.raises(lifecycle_errors.TransitionRefused, match="报批稿"):
        project_actions.advance(project=project, action=Action.SUBMIT_FOR_APPROVAL, by=world["drafter"])
    documents.upload_document(project=project, kind=Doc.DRAFT_FOR_APPROVAL, data=PDF, filename="报批稿.pdf",
                             by=world["drafter"])
    project = project_actions.advance(project=project, action=Action.SUBMIT_FOR_APPROVAL, by=world["drafter"])
    assert project.state == State.APPROVAL
    assert Notice.objects.filter(recipient=world["drafter"], subject__contains="技术审查结论").exists()


def test_a_failed_review_goes_back_to_drafting_and_the_next_round_is_a_new_panel(world):
    project, secretary = world["project"], world["secretary"]
    panel = _form(world)
    _conclude_all(panel, ["fail"] * 4 + ["pass_with_changes"])
    review_actions.record_decision(panel=panel, decision="fail", note="", minutes_document=_minutes(world), by=secretary)
    with pytest.raises(lifecycle_errors.ReviewError, match="须先退回起草单位修改"):
        _form(world)
    project = project_actions.advance(project=project, action=Action.RETURN_FOR_CHANGES, by=secretary, reason="按纪要修改")
    assert project.state == State.DRAFTING
    LocalStandardProject.objects.filter(pk=project.pk).update(state=State.TECHNICAL_REVIEW,
                                                              stage_entered_at=timezone.now())
    project.refresh_from_db()
    assert access.project_facts(project).review_decision == "fail"  # until the new panel decides
    second = _form(world, expert_ids=[e.pk for e in world["experts"][2:7]])
    assert second.round == 2
    facts = access.project_facts(project)
    assert facts.review_decision is None and facts.missing_conclusions == 5


# ---------------------------------------------------------------------------------------------------------------
# The expert pool and its import.

def test_pool_changes_are_events_and_duplicates_are_refused(world):
    officer, org = world["officer"], world["experts"][0].organisation
    with pytest.raises(lifecycle_errors.ReviewError, match="不能重复添加"):
        review_actions.add_expert(name="专家 0", organisation=org, by=officer)
    with pytest.raises(lifecycle_errors.ReviewForbidden):
        review_actions.add_expert(name="新专家", organisation=org, by=world["secretary"])
    expert = world["experts"][0]
    before = Event.objects.filter(subject=f"lifecycle.expert:{expert.pk}").count()
    review_actions.update_expert(expert=expert, name=expert.name, organisation=org, title="教授级高工",
                         speciality=expert.speciality, region_code="广州", user=expert.user, by=officer)
    review_actions.update_expert(expert=expert, name=expert.name, organisation=org, title="教授级高工",
                         speciality=expert.speciality, region_code="440100", user=expert.user, by=officer)
    review_actions.set_expert_active(expert=expert, active=False, by=officer)
    kinds = list(Event.objects.filter(subject=f"lifecycle.expert:{expert.pk}").order_by("seq")
                 .values_list("kind", flat=True))
    assert kinds[before:] == ["expert_changed", "expert_deactivated"]  # the second save changed nothing
    changed = Event.objects.get(subject=f"lifecycle.expert:{expert.pk}", kind="expert_changed").payload["changes"]
    assert changed["title"] == ["研究员", "教授级高工"] and changed["region_code"] == ["", "440100"]


def _xlsx(rows, header=expert_import.IMPORT_COLUMNS, title_row=True) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title_row:
        sheet.append(["广东省地方标准技术审查专家名单"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_good_file(world, make_user):
    make_user("newexpert", "expert")
    data = _xlsx([
        ("李四", "独立单位1", "教授", "食品工程", "深圳市", "newexpert"),
        ("王五", "独立单位２", "", "", "440300", ""),  # full-width digit in the organisation name is folded
    ])
    events = Event.objects.count()
    report = expert_import.import_experts(data=data, filename="专家.xlsx", by=world["officer"])
    assert report.ok and report.created == 2
    li = Expert.objects.get(name="李四")
    assert li.organisation.name == "独立单位1" and li.region_code == "440300" and li.user.username == "newexpert"
    assert Expert.objects.get(name="王五").organisation.name == "独立单位2"
    assert Event.objects.count() == events + 2
    assert Event.objects.filter(kind="expert_added", subject=f"lifecycle.expert:{li.pk}").get().payload["via"] == "import"


def test_import_bad_rows_writes_nothing_and_names_each_row(world):
    data = _xlsx([
        ("李四", "独立单位1", "教授", "食品工程", "深圳市", ""),
        ("", "独立单位1", "", "", "", ""),
        ("赵六", "不存在的单位", "", "", "", ""),
        ("钱七", "独立单位3", "", "", "火星", ""),
        ("孙八", "独立单位3", "", "", "", "nobody"),
        ("周九", "独立单位3", "", "", "", "expert0"),  # already linked to 专家0
    ])
    count = Expert.objects.count()
    report = expert_import.import_experts(data=data, filename="专家.xlsx", by=world["officer"])
    assert report.created == 0 and Expert.objects.count() == count
    by_row = {e["row"]: e for e in report.errors}
    assert set(by_row) == {4, 5, 6, 7, 8}  # row 1 is a title, row 2 the header, row 3 is good
    assert by_row[4]["message"] == "姓名不能为空"
    assert "不存在的单位" in by_row[5]["message"] and by_row[5]["column"] == "工作单位"
    assert "火星" in by_row[6]["message"]
    assert "nobody" in by_row[7]["message"]
    assert "已关联专家“专家0”" in by_row[8]["message"]


def test_import_duplicates_in_file_and_in_pool(world):
    data = _xlsx([
        ("李四", "独立单位1", "", "", "", ""),
        ("李 四", "独立单位1", "", "", "", ""),
        ("专家2", "独立单位2", "", "", "", ""),
        ("李四", "独立单位4", "", "", "", ""),  # same name, another employer: a different person
    ], title_row=False)
    report = expert_import.import_experts(data=data, filename="dup.xlsx", by=world["officer"])
    assert {e["row"]: e["message"] for e in report.errors} == {
        3: "与第 2 行重复（同一工作单位的同名专家）",
        4: f"专家库中已有“独立单位2”的专家“专家2”（编号 {world['experts'][2].pk}），重复",
    }
    assert not Expert.objects.filter(name="李四").exists()


@pytest.mark.parametrize("data,message", [
    (PDF, "不是 Excel"),
    ("姓名,工作单位\n李四,独立单位1\n".encode(), "不是 PDF、Word"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Office"),
    (b"PK\x03\x04broken", "损坏"),
    (b"", "文件为空"),
])
def test_import_refuses_wrong_file_types_by_their_bytes(world, data, message):
    with pytest.raises(expert_import.ImportRefused, match=message):
        expert_import.import_experts(data=data, filename="专家.xlsx", by=world["officer"])


def test_import_refuses_a_sheet_without_the_header(world):
    with pytest.raises(expert_import.ImportRefused, match="找不到表头"):
        expert_import.import_experts(data=_xlsx([("a", "b")], header=("名字", "单位")), filename="x.xlsx",
                              by=world["officer"])
    with pytest.raises(expert_import.ImportRefused, match="缺少必填列：工作单位"):
        expert_import.import_experts(data=_xlsx([("李四",)], header=("姓名", "职称")), filename="x.xlsx",
                              by=world["officer"])


def test_experts_command_import_dry_run_and_list(world, tmp_path, capsys):
    path = tmp_path / "experts.xlsx"
    path.write_bytes(_xlsx([("李四", "独立单位1", "教授", "食品工程", "深圳市", "")]))
    call_command("experts", "import", str(path), "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["valid_rows"] == 1 and out["created"] == 0 and out["dry_run"] is True
    assert not Expert.objects.filter(name="李四").exists()
    call_command("experts", "import", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["created"] == 1
    with pytest.raises(SystemExit) as exit_:
        call_command("experts", "import", str(path), "--json")  # now a duplicate
    assert exit_.value.code == 1
    assert json.loads(capsys.readouterr().out)["errors"][0]["message"].startswith("专家库中已有")
    call_command("experts", "list", "--json", "--q", "食品工程")
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["李四"]


# ---------------------------------------------------------------------------------------------------------------
# Pages and API.

def test_pool_pages_access(client, world, enterprise_user):
    url = reverse("lifecycle:experts")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, status in ((enterprise_user, 403), (world["drafter"], 403), (world["experts"][0].user, 403),
                         (world["secretary"], 200), (world["officer"], 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(world["secretary"])
    page = client.get(url + "?q=食品").content.decode()
    assert "专家1" in page and "专家3" not in page and "添加专家" not in page
    for name in ("lifecycle:expert-add", "lifecycle:experts-import", "lifecycle:experts-template"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("lifecycle:expert-active", args=[world["experts"][0].pk]), {"active": "0"}).status_code == 403
    assert Expert.objects.get(pk=world["experts"][0].pk).active


def test_pool_pages_add_edit_deactivate(client, world):
    client.force_login(world["officer"])
    r = client.post(reverse("lifecycle:expert-add"), {"name": "吴十", "organisation": "独立单位5", "title": "高工",
                                                      "speciality": "冷链物流", "region_code": "佛山市"})
    assert r.status_code == 302
    expert = Expert.objects.get(name="吴十")
    assert expert.region_code == "440600"
    r = client.post(reverse("lifecycle:expert-add"), {"name": "吴十", "organisation": "独立单位5"})
    assert r.status_code == 400 and "不能重复添加" in r.content.decode()
    r = client.post(reverse("lifecycle:expert-add"), {"name": "郑十一", "organisation": "没有这个单位"})
    assert r.status_code == 400 and "机构名录中没有" in r.content.decode()
    r = client.post(reverse("lifecycle:expert-edit", args=[expert.pk]),
                    {"name": "吴十", "organisation": "独立单位5", "title": "正高级工程师", "speciality": "冷链物流"})
    assert r.status_code == 302 and Expert.objects.get(pk=expert.pk).title == "正高级工程师"
    page = client.get(reverse("lifecycle:expert-edit", args=[expert.pk])).content.decode()
    assert "修改专家信息" in page and "加入专家库" in page
    client.post(reverse("lifecycle:expert-active", args=[expert.pk]), {"active": "0"})
    assert not Expert.objects.get(pk=expert.pk).active


def test_import_page(client, world):
    client.force_login(world["officer"])
    url = reverse("lifecycle:experts-import")
    assert client.get(url).status_code == 200
    template = client.get(reverse("lifecycle:experts-template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")
    bad = io.BytesIO(PDF)
    bad.name = "experts.xlsx"
    r = client.post(url, {"file": bad})
    assert r.status_code == 400 and "不是 Excel" in r.content.decode()
    rows = io.BytesIO(_xlsx([("李四", "独立单位1", "", "", "", ""), ("", "独立单位1", "", "", "", "")]))
    rows.name = "experts.xlsx"
    r = client.post(url, {"file": rows})
    assert r.status_code == 400 and "姓名不能为空" in r.content.decode() and not Expert.objects.filter(name="李四").exists()
    good = io.BytesIO(_xlsx([("李四", "独立单位1", "", "", "", "")]))
    good.name = "experts.xlsx"
    r = client.post(url, {"file": good})
    assert r.status_code == 302 and Expert.objects.filter(name="李四").exists()


def test_panel_form_page(client, world):
    url = reverse("lifecycle:review-form", args=[world["project"].code])
    client.force_login(world["drafter"])
    assert client.get(url).status_code == 403
    ids = [e.pk for e in world["experts"][:5]]
    assert client.post(url, {"expert": ids, "chair": ids[0], "meeting_on": timezone.localdate().isoformat()}).status_code == 403
    client.force_login(world["secretary"])
    page = client.get(url).content.decode()
    assert "专家0" in page and "起草方专家" in page  # the latter only in the list of those who step aside
    assert page.index("专家0") < page.index("专家5")
    fragment = client.get(url, {"q": "食品安全", "expert": ids[:2]}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="candidates"' in fragment and "专家1" in fragment and "专家0" in fragment and "专家3" not in fragment
    r = client.post(url, {"expert": ids + [world["conflicted"].pk], "chair": ids[0],
                          "meeting_on": timezone.localdate().isoformat()})
    assert r.status_code == 400 and "须回避" in r.content.decode() and ReviewPanel.objects.count() == 0
    r = client.post(url, {"expert": ids, "chair": ids[0], "meeting_on": timezone.localdate().isoformat(),
                          "location": "线上"})
    assert r.status_code == 302 and ReviewPanel.objects.get().members.count() == 5
    page = client.get(url).content.decode()  # the form now says why no second panel may be formed
    assert "第 1 轮审查专家组已经组建" in page and "Node" not in page


def test_project_page_shows_the_panel_and_hides_conclusions_from_drafters(client, world):
    project = world["project"]
    panel = _form(world)
    _conclude_all(panel, ["fail", "pass"])
    client.force_login(world["secretary"])
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'id="review"' in page and "专家0" in page and "个人意见 2/5" in page
    assert "尚未提交个人意见：专家2、专家3、专家4" in page
    assert 'data-conclusion="fail"' in page and "代专家录入意见" in page
    client.force_login(world["drafter"])
    page = client.get(project.get_absolute_url()).content.decode()
    assert "专家0" in page and "个人意见 2/5" in page and 'data-conclusion="fail"' not in page
    client.force_login(world["experts"][3].user)  # a panel expert may open the project and sees his own form
    page = client.get(project.get_absolute_url()).content.decode()
    assert "我的审查意见" in page and 'data-conclusion="fail"' not in page


def test_panel_context_queries_are_bounded(world, django_assert_max_num_queries):
    panel = _form(world, n=7)
    _conclude_all(panel, ["pass"] * 7)
    _minutes(world)
    project = LocalStandardProject.objects.get(pk=world["project"].pk)
    with django_assert_max_num_queries(4):
        context = review_queries.project_panel_context(project, world["secretary"], {"committee"})
    assert context["can_decide"] and len(context["data"]["members"]) == 7 and len(context["minutes_choices"]) == 1


def test_conclusion_and_decision_through_the_pages(client, world):
    project = world["project"]
    panel = _form(world)
    members = list(panel.members.select_related("expert__user").order_by("id"))
    url = reverse("lifecycle:review-conclusion", args=[project.code, members[0].pk])
    client.force_login(members[1].expert.user)
    assert client.post(url, {"conclusion": "pass"}).status_code == 403
    client.force_login(members[0].expert.user)
    my = client.get(reverse("lifecycle:review-my")).content.decode()
    assert project.code in my and "待提交" in my
    r = client.post(url, {"conclusion": "fail", "opinion": "", "from": "my"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400 and "请填写审查意见" in r.content.decode()
    r = client.post(url, {"conclusion": "pass", "from": "my"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="seat-' in r.content.decode()
    for m in members[1:]:
        client.force_login(m.expert.user)
        r = client.post(reverse("lifecycle:review-conclusion", args=[project.code, m.pk]),
                        {"conclusion": "pass"}, HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and r["HX-Refresh"] == "true"
    decision_url = reverse("lifecycle:review-decision", args=[project.code])
    client.force_login(world["drafter"])
    assert client.post(decision_url, {"decision": "pass"}).status_code == 403
    client.force_login(world["secretary"])
    r = client.post(decision_url, {"decision": "pass"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400 and "请先上传审查会议纪要" in r.content.decode()
    minutes = io.BytesIO(b"not a pdf")
    minutes.name = "纪要.pdf"
    r = client.post(decision_url, {"decision": "pass", "minutes_file": minutes}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400 and "不是 PDF" in r.content.decode() and not project.documents.exists()
    minutes = io.BytesIO(PDF)
    minutes.name = "纪要.pdf"
    r = client.post(decision_url, {"decision": "pass", "minutes_file": minutes})
    assert r.status_code == 302
    assert LocalStandardProject.objects.get(pk=project.pk).review_decision == "pass"
    page = client.get(project.get_absolute_url()).content.decode()
    assert "审查会议纪要" in page and "专家组结论" in page


def test_api(client, world):
    project = world["project"]
    base = f"/api/lifecycle/projects/{project.code}/panel"
    client.force_login(world["secretary"])
    assert client.get("/api/lifecycle/experts").status_code == 403
    assert client.get(base).status_code == 404
    ids = [e.pk for e in world["experts"][:4]] + [world["conflicted"].pk]
    r = client.post(base, {"expert_ids": ids, "chair_id": ids[0], "meeting_on": timezone.localdate().isoformat()},
                    content_type="application/json")
    assert r.status_code == 400 and "须回避" in r.json()["detail"]
    ids[-1] = world["experts"][4].pk
    r = client.post(base, {"expert_ids": ids, "chair_id": ids[0], "meeting_on": timezone.localdate().isoformat()},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["size"] == 5
    members = r.json()["members"]
    expert_user = world["experts"][0].user
    client.force_login(expert_user)
    r = client.post(f"{base}/members/{members[1]['id']}/conclusion", {"conclusion": "pass"},
                    content_type="application/json")
    assert r.status_code == 403
    r = client.post(f"{base}/members/{members[0]['id']}/conclusion", {"conclusion": "fail", "opinion": "x" * 100_000},
                    content_type="application/json")
    assert r.status_code == 400 and "5000" in r.json()["detail"]
    r = client.post(f"{base}/members/{members[0]['id']}/conclusion", {"conclusion": "fail", "opinion": "数据不足"},
                    content_type="application/json")
    assert r.status_code == 200
    assert r.json()["members"][0]["conclusion"] == ""  # an expert does not see conclusions before the decision
    client.force_login(world["secretary"])
    r = client.post(f"{base}/decision", {"decision": "fail"}, content_type="application/json")
    assert r.status_code == 400 and "专家1" in r.json()["detail"]
    assert client.get(base).json()["members"][0]["conclusion"] == "fail"
    client.force_login(world["officer"])
    listing = client.get("/api/lifecycle/experts", {"q": "荔枝"}).json()
    assert {e["name"] for e in listing} == {"专家0", "专家6", "起草方专家"}
