"""Projects: reads. Who must act now (action holders), work lists, the projects a user may see, overdue
projects, the stage history and the timeline's words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

from accounts.models import Organisation, User
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from lifecycle import deadlines, worklist
from lifecycle import transitions as rules
from lifecycle.access import (
    local_today,
    project_facts,
    project_roles,
)
from lifecycle.models import (
    Extension,
    LocalStandardProject,
)
from lifecycle.transitions import Action, Doc, Role, State
from trail.services import timeline

Project = LocalStandardProject


# ---------------------------------------------------------------------------------------------------------------
# Who must act now (action holders), work lists.
@dataclass
class ActionHolder:
    role: Role
    label: str
    users: list[User]
    organisations: list[str]
    since: datetime | None
    due_on: date | None
    what: str = ""

    def days_waiting(self, now: datetime | None = None) -> int:
        if self.since is None:
            return 0
        return ((now or timezone.now()) - self.since).days

    @property
    def overdue(self) -> bool:
        return bool(self.due_on and local_today() > self.due_on)


def _users(q: Q) -> list[User]:
    return list(User.objects.filter(q, is_active=True).select_related("organisation").distinct())


def _bureau_users() -> list[User]:
    return _users(Q(role_assignments__role__in=[AccountRole.PROVINCIAL_OFFICER]))


def action_holders(project: Project) -> list[ActionHolder]:
    """Who must act for the project to move on, since when and by when (the Datatracker's action holders)."""
    state = State(project.state)
    holders: list[ActionHolder] = []
    since, due = project.stage_entered_at, project.stage_due_on
    roles = set(rules.action_holders(state))
    if state == State.IMPLEMENTING:
        today = local_today()
        due_review = (project.review_due_on and today >= project.review_due_on) or project.reviews.filter(
            conclusion="").exists()
        roles = {Role.BUREAU} if due_review else set()
    if project.extensions.filter(decision=Extension.Decision.PENDING).exists():
        roles.add(Role.BUREAU)
    drafting_ids = list(project.drafting_organisations.values_list("id", flat=True))
    for role in sorted(roles):
        label = rules.ROLE_LABELS[role][0]
        if role == Role.BUREAU:
            holders.append(ActionHolder(role, label, _bureau_users(), [gettext("广东省市场监督管理局")], since, due))
        elif role == Role.PROPOSER:
            holders.append(ActionHolder(role, label, _users(Q(organisation_id=project.proposer_id)),
                                        [project.proposer.name], since, due))
        elif role == Role.DRAFTER and drafting_ids:
            users = _users(Q(organisation_id__in=drafting_ids, role_assignments__role=AccountRole.DRAFTER))
            names = list(Organisation.objects.filter(id__in=drafting_ids).values_list("name", flat=True))
            what = ""
            if state == State.CONSULTATION:
                what = gettext("征求意见中，答复收到的意见")
            elif state == State.RESOLUTION:
                what = gettext("待答复意见 %(n)s 条") % {"n": project.comments.filter(resolution="").count()}
            holders.append(ActionHolder(role, label, users, names, since, due, what))
        elif role == Role.COMMITTEE and project.technical_committee_id:
            users = _users(Q(organisation_id=project.technical_committee_id,
                             role_assignments__role=AccountRole.COMMITTEE_SECRETARY))
            holders.append(ActionHolder(role, label, users, [project.technical_committee.name], since, due))
        elif role == Role.EVALUATOR:
            evaluation = project.evaluations.filter(submitted_at__isnull=True).select_related("agency").first()
            if evaluation:
                holders.append(ActionHolder(role, label, _users(Q(organisation_id=evaluation.agency_id)),
                                            [evaluation.agency.name], evaluation.commissioned_at, evaluation.due_on))
    if state == State.TECHNICAL_REVIEW:
        panel = project.panels.order_by("-round").first()
        if panel:
            waiting = list(panel.members.filter(conclusion="").select_related("expert__user"))
            if waiting:
                holders.append(ActionHolder(
                    Role.COMMITTEE, gettext_noop("审查专家"), [m.expert.user for m in waiting if m.expert.user_id],
                    [m.expert.name for m in waiting], panel.created_at, due, gettext("待提交个人审查意见"),
                ))
    return holders


# Which states make each role an action holder: the work list's filter.
_HOLDER_STATES: dict[Role, list[str]] = {
    role: [s.value for s in State if role in rules.action_holders(s)] for role in Role
}


def work_list(user: User):
    """Projects waiting for `user` (待我处理), oldest wait first."""
    held = roles_of(user)
    org_id = getattr(user, "organisation_id", None)
    q = Q(pk__in=[])
    if {AccountRole.PROVINCIAL_OFFICER, AccountRole.PROVINCIAL_ADMIN} & held:
        # A proposal still being written (立项申请, not yet submitted) is its proposer's, not the province's.
        bureau_states = [s for s in _HOLDER_STATES[Role.BUREAU] if s not in (State.IMPLEMENTING, State.APPLICATION)]
        q |= Q(state__in=bureau_states) | Q(extensions__decision=Extension.Decision.PENDING)
        q |= Q(state=State.IMPLEMENTING, review_due_on__lte=local_today())
        q |= Q(state=State.IMPLEMENTING, reviews__conclusion="", reviews__isnull=False)
    if org_id:
        q |= Q(proposer_id=org_id, state__in=_HOLDER_STATES[Role.PROPOSER])
        if AccountRole.DRAFTER in held:
            q |= Q(drafting_organisations__id=org_id, state__in=_HOLDER_STATES[Role.DRAFTER])
        if AccountRole.COMMITTEE_SECRETARY in held:
            q |= Q(technical_committee_id=org_id, state__in=_HOLDER_STATES[Role.COMMITTEE])
        if AccountRole.EVALUATOR in held:
            q |= Q(evaluations__agency_id=org_id, evaluations__submitted_at__isnull=True, state=State.EVALUATION)
    q |= Q(state=State.TECHNICAL_REVIEW, panels__members__expert__user=user, panels__members__conclusion="")
    ids = Project.objects.filter(q).values_list("id", flat=True).distinct()
    return (
        Project.objects.filter(id__in=ids)
        .select_related("proposer", "technical_committee")
        .order_by("stage_entered_at", "id")
    )


def visible_projects(user: User):
    """The projects `user` may open: everything for the bureau, the own city for a city officer, else own ones."""
    qs = Project.objects.select_related("proposer", "technical_committee")
    if can(user, AccountAction.LIFECYCLE_MANAGE):
        return qs
    held = roles_of(user)
    org = getattr(user, "organisation", None)
    q = Q(pk__in=[])
    if org is not None:
        q |= Q(proposer=org) | Q(drafting_organisations=org) | Q(technical_committee=org) | Q(evaluations__agency=org)
        if AccountRole.CITY_OFFICER in held and org.region_code:
            prefix = org.region_code[:4] if not org.region_code.endswith("0000") else org.region_code[:2]
            q |= Q(city_code__startswith=prefix)
    q |= Q(panels__members__expert__user=user)
    return qs.filter(id__in=Project.objects.filter(q).values("id")).distinct()


def overdue(projects=None, *, today: date | None = None):
    """Projects that are late (已超期), as `worklist.late_reasons` defines it: past the stage's due date, the
    filing or disclosure date, or (in force) the review's date, the five-year one or an open review's. The work
    list, this filter and the review due list all read lateness this way."""
    today = today or local_today()
    qs = projects if projects is not None else Project.objects.all()
    stage_late = Q(stage_due_on__lt=today) & ~Q(state__in=worklist.NO_STAGE_DUE)
    filing_late = Q(filed_on__isnull=True, filing_due_on__lt=today)
    disclosure_late = Q(disclosed_on__isnull=True, disclosure_due_on__lt=today)
    review_late = Q(state__in=worklist.IN_FORCE) & (
        Q(review_due_on__lt=today) | Q(reviews__conclusion="", reviews__due_on__lt=today))
    late = Project.objects.filter(stage_late | filing_late | disclosure_late | review_late).exclude(
        state__in=worklist.TERMINAL).values("id")
    return qs.filter(id__in=late)


def work_facts(project: Project, *, today: date, roles: frozenset[str] = frozenset()) -> worklist.Facts:
    """What the work list's words are made from, for one project (a few queries; the list is short)."""
    return worklist.Facts(
        state=project.state, today=today, stage_due_on=project.stage_due_on, review_due_on=project.review_due_on,
        open_review_dues=tuple(project.reviews.filter(conclusion="").values_list("due_on", flat=True)),
        filing_due_on=project.filing_due_on, filed=project.filed_on is not None or not project.filing_due_on,
        disclosure_due_on=project.disclosure_due_on,
        disclosed=project.disclosed_on is not None or not project.disclosure_due_on,
        extension_pending=project.extensions.filter(decision=Extension.Decision.PENDING).exists(),
        unanswered_comments=project.comments.filter(resolution="").count()
        if project.state in (State.CONSULTATION, State.RESOLUTION) else 0,
        roles=roles,
    )


def work_rows(user: User, *, limit: int = 200) -> list[dict]:
    """The work list (待我处理): each project with what it needs from `user` and why; late ones first."""
    today = local_today()
    rows = []
    for project in work_list(user)[:limit]:
        roles = {r.value for r in project_roles(user, project)}
        if project.state == State.TECHNICAL_REVIEW and project.panels.filter(
                members__expert__user=user, members__conclusion="").exists():
            roles.add("expert")
        facts = work_facts(project, today=today, roles=frozenset(roles))
        late = [gettext(msg) % params for msg, params in worklist.late_reasons(facts)]
        due = worklist.due_words(facts)
        rows.append({"project": project, "needs": [gettext(msg) % params for msg, params in worklist.needs(facts)],
                     "late": late, "due": gettext(due[0]) % due[1] if due else ""})
    rows.sort(key=lambda r: not r["late"])  # stable: late first, each part still oldest wait first
    return rows


def project_timeline(project: Project, *, public_only: bool = False, latest: int | None = None):
    return timeline(project, public_only=public_only, latest=latest)


def stage_history(project: Project) -> list[dict]:
    """Each stay in a state with its length in days: the project page's cycle-time strip."""
    now = timezone.now()
    rows = []
    for st in project.stages.all():
        end = st.left_at or now
        rows.append({
            "state": st.state, "label": rules.STATE_LABELS[State(st.state)][0], "entered_at": st.entered_at,
            "left_at": st.left_at, "days": max(0, (end - st.entered_at).days), "due_on": st.due_on,
            "late": bool(st.due_on and timezone.localtime(end).date() > st.due_on),
        })
    return rows


def drafting_months(project: Project, *, today: date | None = None) -> float | None:
    """Months from 立项下达 to 批准发布 (or to today while still being drafted)."""
    if not project.plan_issued_on:
        return None
    end = project.published_on or today or local_today()
    return round(deadlines.months_between(project.plan_issued_on, end), 1)


# Moves made from an area's own form, which uploads the document they need in the same step (the review conclusion
# for this review, the evaluation report): the project page's generic buttons leave them out.
PANEL_ACTIONS = frozenset({Action.CONFIRM, Action.REVISE, Action.WITHDRAW, Action.SUBMIT_EVALUATION})


def offered_actions(user: User | None, project: Project) -> list[dict]:
    """The moves the page offers this user now, each with whether it is allowed and why not."""
    roles = project_roles(user, project)
    facts = project_facts(project, reason="x")  # the reason is typed on the form; do not refuse for it here
    out = []
    for row in rules.available_actions(project.state, roles):
        if row.action in PANEL_ACTIONS:
            continue
        if row.action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION) and not facts.extension_pending:
            continue  # nothing to decide: not a button to show
        decision = rules.decide(project.state, row.action, roles, facts)
        english = (get_language() or "").startswith("en")
        out.append({
            "action": row.action.value, "label": action_label(row.action), "allowed": decision.allowed,
            "refusal": "; ".join(decision.refusals_en) if english else decision.message, "needs_reason": row.needs_reason, "target": row.next_state.value,
        })
    return out


def action_label(action: Action | str) -> str:
    """A move's name in the reader's language. The pure table carries both words, because one Chinese term can
    name a move and the stage it leads to (撤销立项: "Withdraw the project" on a button, "Project withdrawn" as a
    stage), which a single gettext entry cannot tell apart."""
    zh, en = rules.ACTION_LABELS[Action(action)]
    return en if (get_language() or "").startswith("en") else zh


# Event kinds other rooms' areas write on a project, in words.
EVENT_LABELS: dict[str, str] = {
    "created": gettext_noop("创建立项申请"), "document_uploaded": gettext_noop("上传文件"), "comment_received": gettext_noop("收到征求意见"),
    "comment_answered": gettext_noop("答复征求意见"), "panel_formed": gettext_noop("组成审查专家组"), "conclusion_recorded": gettext_noop("专家提交审查意见"),
    "review_decision": gettext_noop("审查组作出结论"), "review_opened": gettext_noop("启动复审"), "evaluation_scored": gettext_noop("评估报告评分"),
    "reference_added": gettext_noop("登记引用标准"), "reference_removed": gettext_noop("删除引用标准"), "history_imported": gettext_noop("导入历史记录"),
    "feedback_received": gettext_noop("收到实施信息反馈"), "feedback_handled": gettext_noop("处理实施信息反馈"),
}


def describe_event(event) -> dict:
    """An event in words for the timeline: what happened, from which stage to which, and the reason."""
    data = event.payload
    action = data.get("action")
    if action in Action._value2member_map_:
        what = action_label(action)
    else:
        what = EVENT_LABELS.get(event.kind, event.kind)
    moved = ""
    if data.get("from") and data.get("to") and data["from"] != data["to"]:
        moved = f"{gettext(rules.STATE_LABELS[State(data['from'])][0])} → {gettext(rules.STATE_LABELS[State(data['to'])][0])}"
    detail = []
    if data.get("document") in Doc._value2member_map_:
        detail.append(f"{gettext(rules.DOC_LABELS[Doc(data['document'])][0])} v{data.get('version', '')}")
    for key, label in (("number", gettext_noop("标准号")), ("closes_on", gettext_noop("截止")),
                       ("published_on", gettext_noop("发布")), ("implementation_on", gettext_noop("实施")),
                       ("successor", gettext_noop("修订项目"))):
        if data.get(key):
            detail.append(f"{gettext(label)} {data[key]}")
    return {"event": event, "what": what, "moved": moved, "detail": "；".join(detail),
            "reason": data.get("reason", ""), "sha256": data.get("sha256", "")}
