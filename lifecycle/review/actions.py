"""Technical review (技术审查): the use cases. The expert pool kept, a panel formed, each expert's
conclusion and the panel's decision recorded."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, Iterable

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.permissions import can
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from catalogue.geography import REGION_NAMES
from lifecycle import documents
from lifecycle.errors import ReviewError, ReviewForbidden
from lifecycle.models import Expert, LocalStandardProject, PanelMember, ProjectDocument, ReviewPanel
from lifecycle.review.queries import (
    CONCLUSION_LABELS,
    MAX_LOCATION_CHARS,
    MAX_MEETING_AHEAD,
    MAX_OPINION_CHARS,
    MAX_PANEL_SIZE,
    MIN_PANEL_SIZE,
    SEVERITY,
    conflict_message,
    conflict_of,
    contradicts_majority,
    drafting_organisations_of,
    formation_block,
    is_secretariat,
    latest_panel,
    majority_range,
    may_manage_pool,
    normalise_name,
    secretariat_roles,
    stage_entered_on,
    tally,
)
from lifecycle.transitions import Doc, Role, State
from notify.services import send
from yuebiao.messages import Message as M
from trail.services import record

Project = LocalStandardProject
Decision = LocalStandardProject.ReviewDecision


def _require_secretariat(user, project: Project, what: str) -> frozenset[Role]:
    roles = secretariat_roles(user, project)
    if user is None or not roles:
        raise ReviewForbidden(f"只有归口技术委员会秘书处或省局标准化处可以{what}")
    return roles


def _text(value: Any, what: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ReviewError(f"请填写{what}")
    if len(text) > limit:
        raise ReviewError(f"{what}不能超过 {limit} 字（现为 {len(text)} 字）")
    return text


def _as_date(value: Any, what: str) -> date:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ReviewError(f"请填写{what}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ReviewError(f"{what}格式不正确，应为 YYYY-MM-DD") from exc


# ---------------------------------------------------------------------------------------------------------------
# The expert pool.
def expert_state(expert: Expert) -> dict:
    return {
        "name": expert.name, "organisation": expert.organisation.name if expert.organisation_id else "",
        "organisation_id": expert.organisation_id, "title": expert.title, "speciality": expert.speciality,
        "region_code": expert.region_code, "user": expert.user.username if expert.user_id else "",
        "active": expert.active,
    }


def check_region(code: str) -> str:
    code = (code or "").strip()
    if not code:
        return ""

    folded = unicodedata.normalize("NFKC", code).replace(" ", "")
    if folded.isdigit() and len(folded) == 6:
        return folded
    if folded in REGION_NAMES:
        return REGION_NAMES[folded]
    raise ReviewError(f"无法识别的地区“{code}”：请填写 6 位行政区划代码，或“广东省”及省内地级市名称（如 广州市）")


def _check_user_link(user: User | None, *, expert_id: int | None) -> None:
    if user is None:
        return
    if not can(user, AccountAction.LIFECYCLE_WORK):
        raise ReviewError(f"账号“{user.username}”没有参与地方标准项目的权限，请先为其授予“专家”角色")
    other = Expert.objects.filter(user=user).exclude(pk=expert_id).first()
    if other is not None:
        raise ReviewError(f"账号“{user.username}”已关联专家“{other.name}”")


def _check_duplicate(name: str, organisation: Organisation, *, expert_id: int | None) -> None:
    key = normalise_name(name)
    for other in Expert.objects.filter(organisation=organisation).exclude(pk=expert_id).only("id", "name"):
        if normalise_name(other.name) == key:
            raise ReviewError(f"专家库中已有“{organisation.name}”的专家“{other.name}”（编号 {other.pk}），不能重复添加")


def _clean_expert(*, name, organisation, title, speciality, region_code) -> dict:
    name = _text(name, "姓名", 100, required=True)
    if not isinstance(organisation, Organisation):
        raise ReviewError("请选择专家的工作单位（利益冲突回避按工作单位判断）")
    return {
        "name": name, "organisation": organisation, "title": _text(title, "职称", 60),
        "speciality": _text(speciality, "专业领域", 200), "region_code": check_region(region_code),
    }


@transaction.atomic
def add_expert(
    *, name: str, organisation: Organisation | None, title: str = "", speciality: str = "", region_code: str = "",
    user: User | None = None, by: User | None, via: str = "form",
) -> Expert:
    """Add an expert to the pool; same name at the same employer is refused as a duplicate."""
    if by is not None and not may_manage_pool(by):
        raise ReviewForbidden("只有省局标准化处可以维护专家库")
    values = _clean_expert(name=name, organisation=organisation, title=title, speciality=speciality,
                           region_code=region_code)
    _check_duplicate(values["name"], values["organisation"], expert_id=None)
    _check_user_link(user, expert_id=None)
    expert = Expert.objects.create(user=user, active=True, **values)
    record(f"lifecycle.expert:{expert.pk}", actor=by, kind="expert_added", data={**expert_state(expert), "via": via})
    return expert


@transaction.atomic
def update_expert(
    *, expert: Expert, name: str, organisation: Organisation | None, title: str = "", speciality: str = "",
    region_code: str = "", user: User | None = None, by: User,
) -> Expert:
    """Change an expert's record; the event lists each changed field (before, after). No change, no event."""
    if not may_manage_pool(by):
        raise ReviewForbidden("只有省局标准化处可以维护专家库")
    expert = Expert.objects.select_for_update(of=("self",)).select_related("organisation", "user").get(pk=expert.pk)
    values = _clean_expert(name=name, organisation=organisation, title=title, speciality=speciality,
                           region_code=region_code)
    _check_duplicate(values["name"], values["organisation"], expert_id=expert.pk)
    _check_user_link(user, expert_id=expert.pk)
    before = expert_state(expert)
    for key, value in values.items():
        setattr(expert, key, value)
    expert.user = user
    after = expert_state(expert)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changes:
        return expert
    expert.save()
    record(f"lifecycle.expert:{expert.pk}", actor=by, kind="expert_changed", data={"changes": changes})
    return expert


@transaction.atomic
def set_expert_active(*, expert: Expert, active: bool, by: User, reason: str = "") -> Expert:
    """Take an expert out of the pool (停用) or back in; seats already held keep their conclusions."""
    if not may_manage_pool(by):
        raise ReviewForbidden("只有省局标准化处可以维护专家库")
    reason = _text(reason, "理由", 500)
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.active == bool(active):
        return expert
    expert.active = bool(active)
    expert.save(update_fields=["active"])
    record(f"lifecycle.expert:{expert.pk}", actor=by, kind="expert_reactivated" if active else "expert_deactivated",
           data={"name": expert.name, "active": expert.active, "reason": reason})
    return expert


@transaction.atomic
def form_panel(
    *, project: Project, expert_ids: Iterable[int | str], chair_id: int | str | None, meeting_on: date | str,
    location: str = "", by: User, today: date | None = None,
) -> ReviewPanel:
    """Form the review panel (组建审查专家组) for the project's current round; nothing is written if any check fails."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_secretariat(by, project, "组建审查专家组")
    latest = latest_panel(project)
    block = formation_block(project, latest)
    if block:
        raise ReviewError(block)
    try:
        ids = [int(i) for i in expert_ids]
        chair = int(chair_id) if chair_id not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise ReviewError("专家编号不正确") from exc
    if len(set(ids)) != len(ids):
        raise ReviewError("同一位专家不能重复入选")
    if len(ids) < MIN_PANEL_SIZE:
        raise ReviewError(f"审查专家组至少 {MIN_PANEL_SIZE} 人（现选 {len(ids)} 人），一般为单数")
    if len(ids) > MAX_PANEL_SIZE:
        raise ReviewError(f"审查专家组最多 {MAX_PANEL_SIZE} 人（现选 {len(ids)} 人）")
    if chair is None:
        raise ReviewError("请指定专家组组长")
    if chair not in ids:
        raise ReviewError("组长须是专家组成员")
    experts = {e.pk: e for e in Expert.objects.select_related("organisation", "user").filter(pk__in=ids)}
    unknown = [str(i) for i in ids if i not in experts]
    if unknown:
        raise ReviewError("专家库中没有编号为 " + "、".join(unknown) + " 的专家")
    problems = [f"专家“{experts[i].name}”已停用（不在库），不能入选" for i in ids if not experts[i].active]
    drafting = drafting_organisations_of(project)
    for i in ids:
        org = conflict_of(experts[i], drafting)
        if org is not None:
            problems.append(conflict_message(experts[i], org))
    if problems:
        raise ReviewError("；".join(problems))
    meeting = _as_date(meeting_on, "会议日期")
    entered = stage_entered_on(project)
    if entered and meeting < entered:
        raise ReviewError(f"会议日期不能早于项目进入技术审查阶段的日期 {entered.isoformat()}")
    today = today or timezone.localdate()
    if meeting > today + MAX_MEETING_AHEAD:
        raise ReviewError(f"会议日期 {meeting.isoformat()} 距今超过一年，请检查")
    location = _text(location, "会议地点", MAX_LOCATION_CHARS)
    panel = ReviewPanel.objects.create(
        project=project, round=(latest.round + 1) if latest else 1, meeting_on=meeting, location=location,
        created_by=by,
    )
    PanelMember.objects.bulk_create([PanelMember(panel=panel, expert=experts[i], is_chair=(i == chair)) for i in ids])
    Project.objects.filter(pk=project.pk).update(version=F("version") + 1, updated_at=timezone.now())
    record(project, actor=by, kind="panel_formed", data={
        "round": panel.round, "meeting_on": meeting.isoformat(), "location": location,
        "members": [{"expert_id": i, "name": experts[i].name, "organisation": experts[i].organisation.name,
                     "chair": i == chair} for i in ids],
    })
    _notify_seated(project, panel, [experts[i] for i in ids], chair=experts[chair])
    return panel


def _notify_seated(project: Project, panel: ReviewPanel, experts: list[Expert], *, chair: Expert) -> None:
    users = [e.user for e in experts if e.user_id and e.user.is_active]
    if not users:
        return

    where = M("，地点：{place}", place=panel.location) if panel.location else ""
    send(users, kind="action_required",
         subject=M("请参加技术审查：{code}《{title}》", code=project.code, title=project.title_zh),
         body=M("您已入选《{title}》第 {round} 轮技术审查专家组（组长：{chair}）。会议日期：{date}{where}。"
                "请在会后提交个人审查结论和意见。", title=project.title_zh, round=panel.round, chair=chair.name,
                date=panel.meeting_on.isoformat(), where=where),
         url=reverse("lifecycle:review-my"))


# ---------------------------------------------------------------------------------------------------------------
# Conclusions and the decision.
def _check_conclusion(value: str) -> str:
    if value not in SEVERITY:
        raise ReviewError("审查结论须为“通过”“修改后通过”或“不通过”")
    return value


@transaction.atomic
def record_conclusion(*, member: PanelMember, conclusion: str, opinion: str = "", by: User) -> PanelMember:
    """An expert records his or her conclusion and opinion (个人审查意见); the secretariat may enter it on the
    expert's behalf (the event says so). It may be changed until the panel decides."""
    member = PanelMember.objects.select_related("panel", "expert__user").get(pk=member.pk)
    project = Project.objects.select_for_update().get(pk=member.panel.project_id)
    member = PanelMember.objects.select_for_update(of=("self",)).select_related("panel", "expert__user").get(pk=member.pk)
    own = bool(by is not None and member.expert.user_id and member.expert.user_id == by.pk)
    if not own and not is_secretariat(by, project):
        raise ReviewForbidden("只有该专家本人（或秘书处代为录入）可以提交其审查意见")
    if project.state != State.TECHNICAL_REVIEW:
        raise ReviewError(f"项目处于“{project.state_label}”阶段，不能再提交审查意见")
    panel = member.panel
    latest = latest_panel(project)
    if latest is None or latest.pk != panel.pk:
        raise ReviewError(f"第 {panel.round} 轮审查已结束，不能再修改意见")
    if panel.decision:
        raise ReviewError("专家组已作出审查结论，个人意见不能再修改")
    # No meeting-date check here: written opinions sent before the meeting (and 函审) are normal practice.
    conclusion = _check_conclusion(conclusion)
    opinion = _text(opinion, "审查意见", MAX_OPINION_CHARS, required=conclusion != Decision.PASS)
    previous = member.conclusion
    if previous == conclusion and member.opinion == opinion:
        return member
    member.conclusion, member.opinion, member.recorded_at = conclusion, opinion, timezone.now()
    member.save(update_fields=["conclusion", "opinion", "recorded_at"])
    Project.objects.filter(pk=project.pk).update(version=F("version") + 1, updated_at=timezone.now())
    record(project, actor=by, kind="conclusion_recorded", data={
        "round": panel.round, "member_id": member.pk, "expert_id": member.expert_id, "expert": member.expert.name,
        "conclusion": conclusion, "previous": previous, "opinion": opinion,
        "on_behalf": not own,
    })
    if not panel.members.filter(conclusion="").exists():
        _notify_conclusions_complete(project, panel)
    return member


def _secretariat_users(project: Project) -> list[User]:
    if project.technical_committee_id:
        users = list(User.objects.filter(
            organisation_id=project.technical_committee_id, is_active=True,
            role_assignments__role=AccountRole.COMMITTEE_SECRETARY,
        ).distinct())
        if users:
            return users
    return list(User.objects.filter(is_active=True, role_assignments__role=AccountRole.PROVINCIAL_OFFICER).distinct())


def _notify_conclusions_complete(project: Project, panel: ReviewPanel) -> None:
    send(_secretariat_users(project), kind="action_required",
         subject=M("专家意见已齐，请录入审查结论：{code}《{title}》", code=project.code, title=project.title_zh),
         body=M("第 {round} 轮审查专家组的全部专家已提交个人审查意见，请上传会议纪要并录入专家组审查结论。",
                round=panel.round),
         url=project.get_absolute_url())


def _minutes_for(panel: ReviewPanel, minutes_document: ProjectDocument | int | str | None) -> ProjectDocument:
    if minutes_document in (None, ""):
        raise ReviewError("请先上传审查会议纪要（PDF 或 Word），再录入审查结论")
    doc_id = minutes_document.pk if isinstance(minutes_document, ProjectDocument) else minutes_document
    try:
        doc = ProjectDocument.objects.filter(pk=int(doc_id), project_id=panel.project_id).first()
    except (TypeError, ValueError):
        doc = None
    if doc is None or doc.kind != Doc.REVIEW_MINUTES:
        raise ReviewError("所选文件不是本项目的审查会议纪要")
    if doc.uploaded_at < panel.created_at:
        raise ReviewError(f"所选会议纪要（第 {doc.version} 版）上传于本轮专家组组建之前，请上传第 {panel.round} 轮审查的会议纪要")
    return doc


@transaction.atomic
def record_decision(
    *, panel: ReviewPanel, decision: str, note: str = "", minutes_document: ProjectDocument | int | None = None,
    by: User, minutes_file: tuple[bytes, str] | None = None, today: date | None = None,
) -> ReviewPanel:
    """Record the panel's decision (审查结论) once every expert has concluded and the minutes are uploaded.

    `minutes_file` (bytes, filename) uploads the minutes in the same transaction, so a refused decision leaves no
    upload behind. A decision against the majority of conclusions must say why in `note`.
    """
    project = Project.objects.select_for_update().get(pk=panel.project_id)
    _require_secretariat(by, project, "录入审查结论")
    panel = ReviewPanel.objects.select_for_update().get(pk=panel.pk)
    if project.state != State.TECHNICAL_REVIEW:
        raise ReviewError(f"项目处于“{project.state_label}”阶段，不能录入审查结论")
    latest = latest_panel(project)
    if latest is None or latest.pk != panel.pk:
        raise ReviewError(f"第 {panel.round} 轮审查已被新一轮取代")
    if panel.decision:
        raise ReviewError(f"第 {panel.round} 轮审查已作出结论“{CONCLUSION_LABELS[Decision(panel.decision)]}”，不能重复录入")
    today = today or timezone.localdate()
    if panel.meeting_on and today < panel.meeting_on:
        raise ReviewError(f"审查会议定于 {panel.meeting_on.isoformat()}，会议召开后才能录入审查结论")
    members = list(panel.members.select_related("expert"))
    missing = [m.expert.name for m in members if not m.conclusion]
    if missing:
        raise ReviewError("以下专家尚未提交个人审查意见：" + "、".join(missing))
    decision = _check_conclusion(decision)
    note = _text(note, "审查意见", MAX_OPINION_CHARS)
    counts = tally(m.conclusion for m in members)
    against = contradicts_majority(decision, counts)
    if against and not note:
        span = majority_range(counts)
        view = "或".join(dict.fromkeys(CONCLUSION_LABELS[Decision(s)] for s in span))
        raise ReviewError(f"审查结论“{CONCLUSION_LABELS[Decision(decision)]}”与多数专家意见（{view}）不一致，须填写理由")
    if minutes_file is not None:
        data, filename = minutes_file
        minutes_document = documents.upload_document(project=project, kind=Doc.REVIEW_MINUTES, data=data,
                                                    filename=filename, by=by, note=f"第 {panel.round} 轮审查会议纪要")
    minutes = _minutes_for(panel, minutes_document)
    now = timezone.now()
    panel.decision, panel.decision_note, panel.minutes, panel.decided_at = decision, note, minutes, now
    panel.save(update_fields=["decision", "decision_note", "minutes", "decided_at"])
    Project.objects.filter(pk=project.pk).update(review_decision=decision, version=F("version") + 1, updated_at=now)
    record(project, actor=by, kind="review_decision", data={
        "round": panel.round, "decision": decision, "note": note, "tally": counts,
        "against_majority": against,
        "members": [{"expert": m.expert.name, "conclusion": m.conclusion, "chair": m.is_chair} for m in members],
        "minutes": {"document_id": minutes.pk, "version": minutes.version, "filename": minutes.filename,
                    "sha256": minutes.sha256},
        "sha256": minutes.sha256,
    })
    _notify_decided(project, panel, members)
    return panel


def _notify_decided(project: Project, panel: ReviewPanel, members: list[PanelMember]) -> None:
    label = CONCLUSION_LABELS[Decision(panel.decision)]
    drafters = list(User.objects.filter(
        organisation__in=project.drafting_organisations.all(), is_active=True,
        role_assignments__role=AccountRole.DRAFTER,
    ).distinct())
    if panel.decision == Decision.FAIL:
        body = M("第 {round} 轮技术审查结论为“不通过”，项目将退回起草单位修改。", round=panel.round)
    else:
        body = M("第 {round} 轮技术审查结论为“{decision}”，请按审查意见完善后上传报批稿并报批。", round=panel.round,
                 decision=M(label))
    subject = M("技术审查结论：{decision}：{code}《{title}》", decision=M(label), code=project.code,
                title=project.title_zh)
    send(drafters, kind="action_required", subject=subject, body=body, url=project.get_absolute_url())
    experts = [m.expert.user_id for m in members if m.expert.user_id]
    send(experts, kind="review_decision", subject=subject, body=body, url=project.get_absolute_url(), email=False)
