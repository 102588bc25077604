"""Technical review (技术审查): the expert pool (专家库), panels without conflicts of interest, conclusions, decision."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from lifecycle import services
from lifecycle.models import Expert, LocalStandardProject, PanelMember, ProjectDocument, ReviewPanel
from lifecycle.services import LifecycleError
from lifecycle.transitions import Doc, Role, State
from trail.services import record

Project = LocalStandardProject
Decision = LocalStandardProject.ReviewDecision

# 技术审查 is held by an odd-numbered panel of at least five experts in Guangdong's practice (and GB/T 1.1's
# companion rules for committees); five is the floor enforced, an odd size is recommended on the form, not forced.
MIN_PANEL_SIZE = 5
MAX_PANEL_SIZE = 25
# The longest opinion, decision note or location accepted; a 100,000-character paste is refused, not cut.
MAX_OPINION_CHARS = 5000
MAX_LOCATION_CHARS = 200
# How far ahead a meeting may be set: a year typed as 2205 is a typo, not a plan.
MAX_MEETING_AHEAD = timedelta(days=366)

CONCLUSION_LABELS = {Decision.PASS: "通过", Decision.PASS_WITH_CHANGES: "修改后通过", Decision.FAIL: "不通过"}
# Strictness order of conclusions; the majority view is read along it (see majority_range).
_SEVERITY = {Decision.PASS.value: 0, Decision.PASS_WITH_CHANGES.value: 1, Decision.FAIL.value: 2}
_BY_SEVERITY = [Decision.PASS.value, Decision.PASS_WITH_CHANGES.value, Decision.FAIL.value]



class ReviewError(LifecycleError):
    """A technical-review request the rules refuse; str() is the Chinese message."""


class ReviewForbidden(ReviewError):
    """The user may not do this (a view answers 403, the API 403)."""


# ---------------------------------------------------------------------------------------------------------------
# Who may do what.

def may_manage_pool(user) -> bool:
    return can(user, AccountAction.LIFECYCLE_MANAGE)


def may_view_pool(user) -> bool:
    """The bureau, and committee secretariats (they form panels); LIFECYCLE_WORK alone (drafters, experts) is not enough."""
    if may_manage_pool(user):
        return True
    return can(user, AccountAction.LIFECYCLE_WORK) and AccountRole.COMMITTEE_SECRETARY in roles_of(user)


def _secretariat_roles(user, project: Project) -> frozenset[Role]:
    return services.project_roles(user, project) & {Role.COMMITTEE, Role.BUREAU}


def is_secretariat(user, project: Project) -> bool:
    """The responsible committee's secretariat or the bureau: they form the panel and record its decision."""
    return bool(user is not None and _secretariat_roles(user, project))


def _require_secretariat(user, project: Project, what: str) -> frozenset[Role]:
    roles = _secretariat_roles(user, project)
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


def _norm(text: str) -> str:
    """Names compared for duplicates: full-width folded, spaces dropped, case folded."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def find_organisation(name: str) -> Organisation | None:
    """The registered organisation of that name (exact after folding spaces and full-width forms), or None.

    No fuzzy match and no creation: a misspelt employer would silently defeat the conflict-of-interest check.
    """
    name = (name or "").strip()
    if not name:
        return None
    exact = Organisation.objects.filter(name=name).first()
    if exact is not None:
        return exact
    key = _norm(name)
    return next((o for o in Organisation.objects.only("id", "name").iterator() if _norm(o.name) == key), None)


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



def _expert_state(expert: Expert) -> dict:
    return {
        "name": expert.name, "organisation": expert.organisation.name if expert.organisation_id else "",
        "organisation_id": expert.organisation_id, "title": expert.title, "speciality": expert.speciality,
        "region_code": expert.region_code, "user": expert.user.username if expert.user_id else "",
        "active": expert.active,
    }


def _check_region(code: str) -> str:
    code = (code or "").strip()
    if not code:
        return ""
    from catalogue.geography import REGION_NAMES

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
    key = _norm(name)
    for other in Expert.objects.filter(organisation=organisation).exclude(pk=expert_id).only("id", "name"):
        if _norm(other.name) == key:
            raise ReviewError(f"专家库中已有“{organisation.name}”的专家“{other.name}”（编号 {other.pk}），不能重复添加")


def _clean_expert(*, name, organisation, title, speciality, region_code) -> dict:
    name = _text(name, "姓名", 100, required=True)
    if not isinstance(organisation, Organisation):
        raise ReviewError("请选择专家的工作单位（利益冲突回避按工作单位判断）")
    return {
        "name": name, "organisation": organisation, "title": _text(title, "职称", 60),
        "speciality": _text(speciality, "专业领域", 200), "region_code": _check_region(region_code),
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
    record(f"lifecycle.expert:{expert.pk}", actor=by, kind="expert_added", data={**_expert_state(expert), "via": via})
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
    before = _expert_state(expert)
    for key, value in values.items():
        setattr(expert, key, value)
    expert.user = user
    after = _expert_state(expert)
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


EXPERT_EVENT_LABELS = {
    "expert_added": "加入专家库", "expert_changed": "修改专家信息", "expert_deactivated": "停用",
    "expert_reactivated": "恢复入库",
}


def search_experts(q: str = "", *, include_inactive: bool = True):
    """The pool filtered by name, speciality or organisation (the pool page, the API, `yuebiao experts list`)."""
    qs = Expert.objects.select_related("organisation", "user")
    if not include_inactive:
        qs = qs.filter(active=True)
    q = (q or "").strip()[:100]
    for word in q.split():
        qs = qs.filter(Q(name__icontains=word) | Q(speciality__icontains=word) | Q(organisation__name__icontains=word)
                       | Q(title__icontains=word))
    return qs.order_by("-active", "name", "id")


# ---------------------------------------------------------------------------------------------------------------
# Conflicts of interest and suggestions.

def _drafting(project: Project) -> dict[int, str]:
    return dict(project.drafting_organisations.values_list("id", "name"))


def conflict_of(expert: Expert, drafting: dict[int, str]) -> str | None:
    """Why the expert must step aside from a project drafted by `drafting` ({org id: name}), or None.

    The employer on the pool record counts, and so does the organisation of the expert's linked account: an expert
    who moved to a drafting organisation without the pool being updated still steps aside.
    """
    if expert.organisation_id in drafting:
        return drafting[expert.organisation_id]
    user_org = getattr(expert.user, "organisation_id", None) if expert.user_id else None
    if user_org in drafting:
        return drafting[user_org]
    return None


def _conflict_message(expert: Expert, org_name: str) -> str:
    return (f"专家“{expert.name}”的工作单位“{org_name}”是本项目的起草单位，须回避"
            "（标准化法 第十六条：与起草单位有利害关系的专家不得参加审查）")


_STOPWORDS = frozenset({
    "技术", "规范", "规程", "标准", "要求", "指南", "通则", "方法", "地方", "广东", "广东省", "以及", "有关", "相关",
    "领域", "专业", "研究", "应用",
})


@lru_cache(maxsize=20_000)
def tokens(text: str) -> frozenset[str]:
    """The words of a title, scope or speciality (jieba, search mode), less the words every standard shares."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return frozenset(w for w in jieba.cut_for_search(folded, HMM=False)
                     if len(w) > 1 and w not in _STOPWORDS and not w.isspace() and any(c.isalnum() for c in w))


@dataclass
class Suggestion:
    expert: Expert
    score: int
    matched: list[str]


def suggest_experts(project: Project, *, q: str = "", limit: int | None = 50,
                    exclude_ids: Iterable[int] = ()) -> tuple[list[Suggestion], list[tuple[Expert, str]]]:
    """Eligible experts ranked by how their speciality matches the project's title and scope, and those excluded
    for a conflict of interest (with the drafting organisation's name). Title words count double."""
    drafting = _drafting(project)
    title_words = tokens(project.title_zh)
    scope_words = tokens(project.scope[:2000]) - title_words
    eligible: list[Suggestion] = []
    conflicts: list[tuple[Expert, str]] = []
    excluded = set(exclude_ids)
    for expert in search_experts(q, include_inactive=False):
        if expert.pk in excluded:
            continue
        org = conflict_of(expert, drafting)
        if org is not None:
            conflicts.append((expert, org))
            continue
        words = tokens(expert.speciality)
        hit_title, hit_scope = words & title_words, words & scope_words
        eligible.append(Suggestion(expert, 2 * len(hit_title) + len(hit_scope), sorted(hit_title | hit_scope)))
    eligible.sort(key=lambda s: (-s.score, s.expert.name, s.expert.pk))
    return (eligible[:limit] if limit else eligible), conflicts


# ---------------------------------------------------------------------------------------------------------------
# Panels.

def latest_panel(project: Project) -> ReviewPanel | None:
    return project.panels.order_by("-round").first()


def _stage_entered_on(project: Project) -> date | None:
    if project.stage_entered_at is None:
        return None
    return timezone.localtime(project.stage_entered_at).date()


def formation_block(project: Project, latest: ReviewPanel | None) -> str | None:
    """Why no panel may be formed now, or None. A new round follows a decided panel only once the project has
    re-entered technical review after that decision (back from drafting after 不通过, or back from 报批)."""
    if project.state != State.TECHNICAL_REVIEW:
        return f"项目处于“{project.state_label}”阶段，只有在“技术审查”阶段才能组建审查专家组"
    if latest is None:
        return None
    if not latest.decision:
        return f"第 {latest.round} 轮审查专家组已经组建，尚未作出审查结论"
    if latest.decided_at and project.stage_entered_at and latest.decided_at < project.stage_entered_at:
        return None
    if latest.decision == Decision.FAIL:
        return f"第 {latest.round} 轮审查结论为“不通过”：须先退回起草单位修改，再次提交送审稿后组建新一轮专家组"
    return f"第 {latest.round} 轮审查已作出结论“{CONCLUSION_LABELS[Decision(latest.decision)]}”，可以报批"


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
    drafting = _drafting(project)
    for i in ids:
        org = conflict_of(experts[i], drafting)
        if org is not None:
            problems.append(_conflict_message(experts[i], org))
    if problems:
        raise ReviewError("；".join(problems))
    meeting = _as_date(meeting_on, "会议日期")
    entered = _stage_entered_on(project)
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
    from django.urls import reverse
    from notify.services import send

    where = f"，地点：{panel.location}" if panel.location else ""
    send(users, kind="action_required", subject=f"请参加技术审查：{project.code}《{project.title_zh}》"[:200],
         body=(f"您已入选《{project.title_zh}》第 {panel.round} 轮技术审查专家组（组长：{chair.name}）。"
               f"会议日期：{panel.meeting_on.isoformat()}{where}。请在会后提交个人审查结论和意见。"),
         url=reverse("lifecycle:review-my"))


# ---------------------------------------------------------------------------------------------------------------
# Conclusions and the decision.

def _check_conclusion(value: str) -> str:
    if value not in _SEVERITY:
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
    from notify.services import send

    send(_secretariat_users(project), kind="action_required",
         subject=f"专家意见已齐，请录入审查结论：{project.code}《{project.title_zh}》"[:200],
         body=f"第 {panel.round} 轮审查专家组的全部专家已提交个人审查意见，请上传会议纪要并录入专家组审查结论。",
         url=project.get_absolute_url())


def tally(conclusions: Iterable[str]) -> dict[str, int]:
    counts = {key: 0 for key in _BY_SEVERITY}
    for c in conclusions:
        if c in counts:
            counts[c] += 1
    return counts


def majority_range(counts: dict[str, int]) -> tuple[str, str] | None:
    """The decisions consistent with the experts' majority: conclusions are ordered 通过 < 修改后通过 < 不通过 and
    the majority view is their median. With an odd number of experts it is one conclusion — the strictest that more
    than half of them reached or went beyond (3 通过 + 2 修改后通过 → 通过; 2 + 2 + 1 不通过 → 修改后通过). With an
    even number it may span two (3 通过 + 3 不通过: anything between). None when nobody has concluded."""
    n = sum(counts.values())
    if n == 0:
        return None
    low = high = None
    for level in reversed(_BY_SEVERITY):  # strictest level that more than half reached or exceeded
        if sum(counts[c] for c in _BY_SEVERITY if _SEVERITY[c] >= _SEVERITY[level]) * 2 > n:
            low = level
            break
    for level in _BY_SEVERITY:  # most lenient level that more than half reached or stayed under
        if sum(counts[c] for c in _BY_SEVERITY if _SEVERITY[c] <= _SEVERITY[level]) * 2 > n:
            high = level
            break
    low = low or _BY_SEVERITY[0]
    high = high or _BY_SEVERITY[-1]
    return (low, high) if _SEVERITY[low] <= _SEVERITY[high] else (high, low)


def contradicts_majority(decision: str, counts: dict[str, int]) -> bool:
    span = majority_range(counts)
    if span is None:
        return False
    return not (_SEVERITY[span[0]] <= _SEVERITY[decision] <= _SEVERITY[span[1]])


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
        minutes_document = services.upload_document(project=project, kind=Doc.REVIEW_MINUTES, data=data,
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
    from notify.services import send

    label = CONCLUSION_LABELS[Decision(panel.decision)]
    drafters = list(User.objects.filter(
        organisation__in=project.drafting_organisations.all(), is_active=True,
        role_assignments__role=AccountRole.DRAFTER,
    ).distinct())
    if panel.decision == Decision.FAIL:
        body = f"第 {panel.round} 轮技术审查结论为“不通过”，项目将退回起草单位修改。"
    else:
        body = f"第 {panel.round} 轮技术审查结论为“{label}”，请按审查意见完善后上传报批稿并报批。"
    subject = f"技术审查结论：{label}：{project.code}《{project.title_zh}》"[:200]
    send(drafters, kind="action_required", subject=subject, body=body, url=project.get_absolute_url())
    experts = [m.expert.user_id for m in members if m.expert.user_id]
    send(experts, kind="review_decision", subject=subject, body=body, url=project.get_absolute_url(), email=False)


# ---------------------------------------------------------------------------------------------------------------
# What the pages show.

def seats_of(user) -> list[PanelMember]:
    """The user's seats on panels (as the expert linked to the account), open ones first."""
    if not getattr(user, "is_authenticated", False):
        return []
    seats = list(
        PanelMember.objects.filter(expert__user=user)
        .select_related("panel__project", "expert")
        .order_by("-panel__created_at", "-id")[:200]
    )
    latest = dict(
        ReviewPanel.objects.filter(project_id__in={s.panel.project_id for s in seats})
        .order_by("project_id", "round").values_list("project_id", "id")
    )  # the last value per project wins: its latest round
    for s in seats:
        s.is_open = (not s.panel.decision and latest.get(s.panel.project_id) == s.panel_id
                     and s.panel.project.state == State.TECHNICAL_REVIEW)
    seats.sort(key=lambda s: (not (s.is_open and not s.conclusion), not s.is_open))
    return seats


def panel_data(panel: ReviewPanel | None, *, members: list[PanelMember], full: bool) -> dict | None:
    """The panel as plain values (API, templates). `full` shows each expert's conclusion and opinion: the
    secretariat always; anyone who may see the project only once the panel has decided (experts conclude
    independently of one another)."""
    if panel is None:
        return None
    counts = tally(m.conclusion for m in members)
    show = full or bool(panel.decision)
    return {
        "round": panel.round, "meeting_on": panel.meeting_on, "location": panel.location,
        "decision": panel.decision, "decision_label": CONCLUSION_LABELS[Decision(panel.decision)] if panel.decision else "",
        "decision_note": panel.decision_note if show else "", "decided_at": panel.decided_at,
        "minutes": ({"id": panel.minutes.pk, "version": panel.minutes.version, "filename": panel.minutes.filename,
                     "sha256": panel.minutes.sha256} if panel.minutes_id else None),
        "concluded": sum(1 for m in members if m.conclusion), "size": len(members),
        "tally": counts if show else None,
        "members": [{
            "id": m.pk, "expert_id": m.expert_id, "name": m.expert.name,
            "organisation": m.expert.organisation.name if m.expert.organisation_id else "",
            "title": m.expert.title, "chair": m.is_chair, "has_concluded": bool(m.conclusion),
            "conclusion": m.conclusion if show else "",
            "conclusion_label": CONCLUSION_LABELS[Decision(m.conclusion)] if show and m.conclusion else "",
            "opinion": m.opinion if show else "", "recorded_at": m.recorded_at if show else None,
        } for m in members],
    }


def _majority_text(span: tuple[str, str] | None) -> str:
    from django.utils.translation import gettext

    if span is None:
        return ""
    low, high = (gettext(CONCLUSION_LABELS[Decision(s)]) for s in span)
    return low if low == high else gettext("%(low)s 至 %(high)s 之间") % {"low": low, "high": high}


def project_panel_context(project, user, roles) -> dict:
    """What the project page's review panel needs (lifecycle/templates/lifecycle/review/_panel.html).

    Four queries at most: the panels, the latest panel's members, and — for the secretariat — the minutes versions.
    """
    panels = list(project.panels.select_related("minutes").order_by("-round"))
    if not panels and project.state != State.TECHNICAL_REVIEW:
        return {"visible": False}
    roles = {Role(r) for r in roles if r in Role._value2member_map_}
    secretariat = bool(roles & {Role.COMMITTEE, Role.BUREAU})
    current = panels[0] if panels else None
    members = list(current.members.select_related("expert__organisation")) if current else []
    uid = getattr(user, "pk", None)
    my_seat = next((m for m in members if uid and m.expert.user_id == uid), None)
    open_round = bool(current and not current.decision and project.state == State.TECHNICAL_REVIEW)
    block = formation_block(project, current) if secretariat else None
    minutes_choices = []
    if secretariat and open_round:
        minutes_choices = list(project.documents.filter(kind=Doc.REVIEW_MINUTES, uploaded_at__gte=current.created_at)
                               .order_by("-version"))
    data = panel_data(current, members=members, full=secretariat)
    missing = [m["name"] for m in data["members"] if not m["has_concluded"]] if data else []
    counts = tally(m.conclusion for m in members)
    return {
        "visible": True,
        "current": current,
        "data": data,
        "earlier": [{"round": p.round, "decision": p.decision,
                     "decision_label": CONCLUSION_LABELS[Decision(p.decision)] if p.decision else "",
                     "decided_at": p.decided_at, "minutes": p.minutes} for p in panels[1:]],
        "secretariat": secretariat,
        "can_form": secretariat and block is None,
        "form_block": block or "",
        "my_seat": my_seat,
        "can_conclude": bool(open_round and (my_seat or secretariat)),
        "meeting_held": bool(current and (not current.meeting_on or timezone.localdate() >= current.meeting_on)),
        "missing": missing,
        "can_decide": bool(secretariat and open_round and members and not missing),
        "majority_text": _majority_text(majority_range(counts)) if members and not missing else "",
        "minutes_choices": minutes_choices,
        "conclusion_choices": [(k.value, v) for k, v in CONCLUSION_LABELS.items()],
        "min_size": MIN_PANEL_SIZE,
        "max_chars": MAX_OPINION_CHARS,
    }
