"""Use cases of a local standard's life: propose, advance through the table (one effect handler per action), who
acts now; refusals, periods, access, documents and numbers live in their own modules, re-exported here.

Every change locks the project row, checks the version the user read, asks `transitions.decide()`, writes, and
records its event in the trail in the same transaction; notices go out after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

from accounts.models import Organisation, User
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from accounts.roles import region_within
from lifecycle import deadlines
from lifecycle import transitions as rules
from lifecycle.access import (
    can_view_project,
    current_documents,
    is_city_officer_of,
    local_today,
    project_facts,
    project_for,
    project_roles,
)
from lifecycle.documents import MAX_DOCUMENT_BYTES, UPLOADERS, sniff_document, upload_document
from lifecycle.errors import (
    ConcurrentChange,
    DocumentRefused,
    LifecycleError,
    NotAllowed,
    ProjectNotFound,
    TransitionRefused,
    plain,
)
from lifecycle.models import (
    Extension,
    ImplementationEvaluation,
    LocalStandardProject,
    PeriodicReview,
    ProjectStage,
)
from lifecycle.numbering import assign_number, next_project_code
from lifecycle.periods import STAGE_PERIOD_KEYS, ensure_periods, period, set_period, work_calendar
from lifecycle.transitions import Action, Doc, Role, State
from trail.services import record

Project = LocalStandardProject


# ---------------------------------------------------------------------------------------------------------------
# Proposal.

def standard_to_revise(number_text: str):
    """The catalogue standard a revision project (修订项目) revises, from the number a person typed; None for none."""
    from catalogue.models import Standard
    from catalogue.numbers import StandardNumberError, parse_number

    text = (number_text or "").strip()
    if not text:
        return None
    try:
        number = parse_number(text).canonical
    except StandardNumberError as exc:
        raise LifecycleError(str(exc)) from exc
    standard = Standard.objects.filter(number=number).first()
    if standard is None:
        raise LifecycleError(gettext("目录中没有标准 %(n)s") % {"n": number})
    return standard


@transaction.atomic
def propose(
    *,
    by: User,
    title_zh: str,
    proposer: Organisation | None = None,
    drafting_organisations: Iterable[Organisation] = (),
    technical_committee: Organisation | None = None,
    city_code: str = "440000",
    kind: str = Project.Kind.NEW,
    nature: str = Project.Nature.RECOMMENDED,
    mandatory_basis: str = "",
    title_en: str = "",
    scope: str = "",
    necessity: str = "",
    ics_code: str = "",
    revises=None,
    predecessor: Project | None = None,
    is_demo: bool = False,
) -> Project:
    """Open a proposal (立项申请) in state APPLICATION; the proposer submits it with the application form."""
    if not can(by, AccountAction.LIFECYCLE_PROPOSE):
        raise LifecycleError("当前账户无权提出立项申请")
    title_zh = (title_zh or "").strip()
    if not title_zh:
        raise LifecycleError("请填写标准名称")
    if len(title_zh) > 300:
        raise LifecycleError("标准名称不能超过 300 字")
    proposer = proposer or by.organisation
    if proposer is None:
        raise LifecycleError("提出单位不能为空：当前账户不属于任何机构")
    if nature == Project.Nature.MANDATORY and not mandatory_basis.strip():
        raise LifecycleError("强制性地方标准须写明法律依据（仅环境保护、食品安全等法律授权的领域可制定）")
    if kind == Project.Kind.REVISION and revises is None:
        raise LifecycleError("修订项目须指明被修订的标准")
    if AccountRole.CITY_OFFICER in roles_of(by) and not can(by, AccountAction.LIFECYCLE_MANAGE):
        region = getattr(by.organisation, "region_code", "")
        if not region_within(city_code, region):
            raise NotAllowed("地市局只能为本市提出立项申请")
    now = timezone.now()
    project = Project.objects.create(
        code=next_project_code(now.year), title_zh=title_zh, title_en=title_en.strip(), kind=kind, nature=nature,
        mandatory_basis=mandatory_basis.strip(), proposer=proposer, technical_committee=technical_committee,
        city_code=city_code, scope=scope, necessity=necessity, ics_code=ics_code, revises=revises,
        predecessor=predecessor, created_by=by, stage_entered_at=now, is_demo=is_demo,
    )
    project.drafting_organisations.set(list(drafting_organisations))
    ProjectStage.objects.create(project=project, state=State.APPLICATION, entered_at=now)
    record(project, actor=by, kind="created", data=plain({
        "code": project.code, "title_zh": title_zh, "kind": str(kind), "nature": str(nature),
        "proposer": proposer.name, "drafting_organisations": [o.name for o in drafting_organisations],
        "technical_committee": technical_committee.name if technical_committee else "",
        "city_code": str(city_code), "revises": getattr(revises, "number", ""),
        "predecessor": predecessor.code if predecessor else "",
    }))
    return project


# ---------------------------------------------------------------------------------------------------------------
# Moving through the table.

def _parse_date(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise LifecycleError(f"{what}格式不正确，应为 YYYY-MM-DD") from exc


def _stage_due(state: State, start: date) -> tuple[date | None, bool]:
    key = STAGE_PERIOD_KEYS.get(state)
    if key is None:
        return None, False
    due = deadlines.due_date(start, period(key), work_calendar())
    return due.due, due.estimated


def _enter(project: Project, state: State, now: datetime) -> None:
    ProjectStage.objects.filter(project=project, left_at__isnull=True).update(left_at=now)
    project.state = state
    project.stage_entered_at = now
    due, estimated = _stage_due(state, timezone.localtime(now).date())
    if state == State.PUBLISHED and project.disclosure_due_on:
        due = project.disclosure_due_on
    project.stage_due_on, project.stage_due_estimated = due, estimated
    ProjectStage.objects.create(project=project, state=state, entered_at=now, due_on=due)


def _catalogue_record(project: Project) -> dict:
    return {
        "number": project.number, "title_zh": project.title_zh, "title_en": project.title_en, "status": None,
        "published_on": project.published_on, "implemented_on": project.implementation_on, "withdrawn_on": None,
        "ics_codes": [project.ics_code] if project.ics_code else [], "ccs_code": None,
        "technical_committee": project.technical_committee.name if project.technical_committee else "",
        "issuing_authority": "广东省市场监督管理局",
        "drafting_organisations": [o.name for o in project.drafting_organisations.all()],
        "replaces": [project.revises.number] if project.revises_id else [], "adoption_degree": None,
        "adopted_standard": None, "region_code": "440000", "sectors": [], "scope": project.scope, "notes": "",
    }


# What each action changes besides the state (one handler per action); each returns what the event should say.
# Every handler takes the same arguments so that `_effects` can dispatch through one table.

def _on_submit_application(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    project.submitted_on = today
    return {}


def _on_start_publicity(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    project.publicity_opened_on = today
    return {}


def _on_issue_plan(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    project.plan_issued_on = today
    target = deadlines.due_date(today, period("drafting_cycle.target"))
    project.cycle_due_on = target.due
    return {"cycle_due_on": target.due.isoformat()}


def _on_publish_draft(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    project.consultation_opened_on = today
    closes = _parse_date(data.get("closes_on"), "征求意见截止日期")
    minimum = deadlines.due_date(today, period("consultation.minimum"), work_calendar()).due
    if closes is None:
        closes = minimum
    if closes < minimum:
        raise LifecycleError(
            f"征求意见截止日期不能早于 {minimum.isoformat()}（不少于{period('consultation.minimum')}）"
        )
    project.consultation_closes_on = closes
    return {"closes_on": closes.isoformat()}


def _on_close_consultation(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    return {"comments": project.comments.count()}


def _on_submit_for_approval(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    return {"review_decision": project.review_decision}


def _on_return_for_changes(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    # Returned from technical review, the panel's decision no longer stands; from other stages nothing changes.
    if project.state == State.TECHNICAL_REVIEW:
        project.review_decision = ""
    return {}


def _on_approve_publication(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    published = _parse_date(data.get("published_on"), "发布日期") or today
    implementation = _parse_date(data.get("implementation_on"), "实施日期")
    if implementation is None:
        raise LifecycleError("请填写实施日期")
    earliest = project.stage_entered_at and timezone.localtime(project.stage_entered_at).date()
    if earliest and published < earliest:
        raise LifecycleError(f"发布日期不能早于报批日期 {earliest.isoformat()}")
    if published > today:
        raise LifecycleError("发布日期不能晚于今天")
    if implementation < published:
        raise LifecycleError("实施日期不能早于发布日期")
    project.number = assign_number(project, year=published.year)
    project.published_on = published
    project.implementation_on = implementation
    project.filing_due_on = deadlines.due_date(published, period("filing"), work_calendar()).due
    project.disclosure_due_on = deadlines.due_date(published, period("disclosure"), work_calendar()).due
    from catalogue.models import Standard
    from catalogue.services import upsert_standards

    upsert_standards([_catalogue_record(project)], source="lifecycle", by=by, context={"project": project.code})
    project.standard = Standard.objects.get(number=project.number)
    return {"number": project.number, "published_on": published.isoformat(),
            "implementation_on": implementation.isoformat()}


def _on_record_filing(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    filed = _parse_date(data.get("filed_on"), "备案日期") or today
    if project.published_on and filed < project.published_on:
        raise LifecycleError("备案日期不能早于发布日期")
    if filed > today:
        raise LifecycleError("备案日期不能晚于今天")
    project.filed_on = filed
    project.filing_reference = str(data.get("filing_reference", "")).strip()[:60]
    return {"filed_on": filed.isoformat(), "filing_reference": project.filing_reference,
            "late": bool(project.filing_due_on and filed > project.filing_due_on)}


def _on_record_disclosure(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    disclosed = _parse_date(data.get("disclosed_on"), "公开日期") or today
    if project.published_on and disclosed < project.published_on:
        raise LifecycleError("公开日期不能早于发布日期")
    project.disclosed_on = disclosed
    text = current_documents(project)[Doc.PUBLISHED_TEXT]
    if project.standard_id:
        from catalogue.services import FullTextRefused, attach_full_text

        try:
            attach_full_text(standard=project.standard, data=text.file.open("rb").read(),
                             filename=text.filename, by=by)
        except FullTextRefused as exc:
            raise LifecycleError(f"发布文本无法公开：{exc}") from exc
    return {"disclosed_on": disclosed.isoformat(), "sha256": text.sha256,
            "late": bool(project.disclosure_due_on and disclosed > project.disclosure_due_on)}


def _on_start_implementation(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    start = project.implementation_on or today
    project.review_due_on = deadlines.due_date(start, period("periodic_review.interval")).due
    return {"review_due_on": project.review_due_on.isoformat()}


def _on_commission_evaluation(project: Project, action: Action, *, by, today: date, data: dict,
                              reason: str) -> dict:
    agency = data.get("agency")
    if not isinstance(agency, Organisation) or agency.kind != Organisation.Kind.EVALUATION_AGENCY:
        raise LifecycleError("请选择一家第三方评估机构")
    if agency.id in set(project.drafting_organisations.values_list("id", flat=True)):
        raise LifecycleError("评估机构不能是该标准的起草单位（利益冲突）")
    due = deadlines.due_date(today, period("evaluation.report")).due
    ImplementationEvaluation.objects.create(project=project, agency=agency, commissioned_by=by, due_on=due)
    return {"agency": agency.name, "due_on": due.isoformat()}


def _on_submit_evaluation(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    evaluation = project.evaluations.filter(submitted_at__isnull=True).first()
    evaluation.submitted_at = timezone.now()
    evaluation.report = current_documents(project)[Doc.EVALUATION_REPORT]
    evaluation.save(update_fields=["submitted_at", "report"])
    return {"total_score": str(evaluation.total_score), "agency": evaluation.agency.name}


def _on_start_periodic_review(project: Project, action: Action, *, by, today: date, data: dict,
                              reason: str) -> dict:
    if not project.reviews.filter(conclusion="").exists():
        PeriodicReview.objects.create(
            project=project, reason=PeriodicReview.Reason.FIVE_YEARS, detail="",
            due_on=deadlines.due_date(today, period("periodic_review.stage")).due,
        )
    return {}


def _on_request_extension(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    until = _parse_date(data.get("requested_due_on"), "延期日期")
    current = project.cycle_due_on or project.stage_due_on
    if until is None:
        raise LifecycleError("请填写申请延期至的日期")
    if until <= today or (current and until <= current):
        raise LifecycleError(f"延期日期须晚于当前期限{(' ' + current.isoformat()) if current else ''}")
    Extension.objects.create(project=project, state=project.state, reason=reason.strip(), requested_due_on=until,
                             requested_by=by)
    return {"requested_due_on": until.isoformat()}


def _on_decide_extension(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    ext = project.extensions.select_for_update().get(decision=Extension.Decision.PENDING)
    ext.decision = (Extension.Decision.APPROVED if action == Action.APPROVE_EXTENSION
                    else Extension.Decision.REFUSED)
    ext.decision_note, ext.decided_by, ext.decided_at = reason.strip(), by, timezone.now()
    ext.save()
    if action == Action.APPROVE_EXTENSION:
        project.cycle_due_on = ext.requested_due_on
        project.stage_due_on = max(project.stage_due_on or ext.requested_due_on, ext.requested_due_on)
    return {"requested_due_on": ext.requested_due_on.isoformat(), "decision": ext.decision}


def _on_conclude_review(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    return _conclude_review(project, action, by=by, today=today, reason=reason)


EFFECT_HANDLERS: dict[Action, Callable[..., dict]] = {
    Action.SUBMIT_APPLICATION: _on_submit_application,
    Action.START_PUBLICITY: _on_start_publicity,
    Action.ISSUE_PLAN: _on_issue_plan,
    Action.PUBLISH_DRAFT: _on_publish_draft,
    Action.CLOSE_CONSULTATION: _on_close_consultation,
    Action.SUBMIT_FOR_APPROVAL: _on_submit_for_approval,
    Action.RETURN_FOR_CHANGES: _on_return_for_changes,
    Action.APPROVE_PUBLICATION: _on_approve_publication,
    Action.RECORD_FILING: _on_record_filing,
    Action.RECORD_DISCLOSURE: _on_record_disclosure,
    Action.START_IMPLEMENTATION: _on_start_implementation,
    Action.COMMISSION_EVALUATION: _on_commission_evaluation,
    Action.SUBMIT_EVALUATION: _on_submit_evaluation,
    Action.START_PERIODIC_REVIEW: _on_start_periodic_review,
    Action.CONFIRM: _on_conclude_review,
    Action.REVISE: _on_conclude_review,
    Action.WITHDRAW: _on_conclude_review,
    Action.REQUEST_EXTENSION: _on_request_extension,
    Action.APPROVE_EXTENSION: _on_decide_extension,
    Action.REFUSE_EXTENSION: _on_decide_extension,
}
# The actions that change nothing but the state (the table's target and the event say it all).
NO_EFFECTS = frozenset({Action.REJECT_APPLICATION, Action.SUBMIT_FOR_REVIEW, Action.CANCEL})
_unhandled = set(Action) - set(EFFECT_HANDLERS) - NO_EFFECTS
if _unhandled:  # a new action in lifecycle.transitions must say what it changes (or join NO_EFFECTS)
    raise RuntimeError(f"lifecycle actions without an effect handler: {sorted(_unhandled)}")


def _effects(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    """What an action changes besides the state; returns what the event should say about it."""
    handler = EFFECT_HANDLERS.get(action)
    if handler is None:
        return {}
    return handler(project, action, by=by, today=today, data=data, reason=reason)


def _conclude_review(project: Project, action: Action, *, by, today: date, reason: str) -> dict:
    from catalogue.services import withdraw_standard

    conclusion = {Action.CONFIRM: "confirm", Action.REVISE: "revise", Action.WITHDRAW: "withdraw"}[action]
    reviews = list(project.reviews.filter(conclusion=""))
    out: dict[str, Any] = {"conclusion": conclusion}
    successor = None
    if action == Action.CONFIRM:
        project.review_due_on = deadlines.due_date(today, period("periodic_review.interval")).due
        out["review_due_on"] = project.review_due_on.isoformat()
    elif action == Action.REVISE:
        successor = propose(
            by=by, title_zh=project.title_zh, title_en=project.title_en, proposer=project.proposer,
            drafting_organisations=list(project.drafting_organisations.all()),
            technical_committee=project.technical_committee, city_code=project.city_code,
            kind=Project.Kind.REVISION, nature=project.nature, mandatory_basis=project.mandatory_basis,
            scope=project.scope, necessity=reason, ics_code=project.ics_code, revises=project.standard,
            predecessor=project, is_demo=project.is_demo,
        )
        out["successor"] = successor.code
    elif action == Action.WITHDRAW and project.standard_id:
        from lifecycle import references

        number = project.number
        # Local standards citing the withdrawn one come due for review, as when the catalogue withdraws one.
        transaction.on_commit(lambda: references.references_changed(withdrawn=[number]), robust=True)
        withdraw_standard(project.standard_id, on=today, today=today, by=by, context={"project": project.code})
    now = timezone.now()
    for review in reviews:
        review.conclusion, review.concluded_at, review.successor = conclusion, now, successor
        review.save(update_fields=["conclusion", "concluded_at", "successor"])
    if not reviews:
        PeriodicReview.objects.create(
            project=project, reason=PeriodicReview.Reason.FIVE_YEARS, due_on=today, conclusion=conclusion,
            concluded_at=now, successor=successor,
        )
    return out


# Actions whose events the public may see on the standard's timeline.
PUBLIC_ACTIONS = frozenset({
    Action.ISSUE_PLAN, Action.PUBLISH_DRAFT, Action.CLOSE_CONSULTATION, Action.SUBMIT_FOR_REVIEW,
    Action.SUBMIT_FOR_APPROVAL, Action.APPROVE_PUBLICATION, Action.RECORD_FILING, Action.RECORD_DISCLOSURE,
    Action.START_IMPLEMENTATION, Action.START_PERIODIC_REVIEW, Action.CONFIRM, Action.REVISE, Action.WITHDRAW,
    Action.START_PUBLICITY, Action.CANCEL,
})
_TRACKED_FIELDS = (
    "submitted_on", "publicity_opened_on", "plan_issued_on", "cycle_due_on", "consultation_opened_on",
    "consultation_closes_on", "review_decision", "number", "published_on", "implementation_on", "filing_due_on",
    "filed_on", "filing_reference", "disclosure_due_on", "disclosed_on", "review_due_on", "stage_due_on",
)


def _snapshot(project: Project) -> dict:
    return {f: getattr(project, f) for f in _TRACKED_FIELDS}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


@transaction.atomic
def advance(
    *,
    project: Project,
    action: str,
    by: User | None,
    expected_version: int | None = None,
    reason: str = "",
    data: dict | None = None,
    today: date | None = None,
) -> Project:
    """Do `action` on the project if the table allows it for `by`; one event in the trail, notices after commit.

    `expected_version` is the version the user's page showed: a project changed since is refused (ConcurrentChange),
    so two officials approving at once get one success and one clear message.
    """
    data = data or {}
    reason = (reason or "").strip()
    if len(reason) > 5000:
        raise LifecycleError("理由不能超过 5000 字")
    # of=self: PostgreSQL cannot lock the nullable side of the join to the committee.
    locked = (Project.objects.select_for_update(of=("self",)).select_related("proposer", "technical_committee")
              .get(pk=project.pk))
    if expected_version is not None and locked.version != int(expected_version):
        raise ConcurrentChange(locked)
    try:
        act = Action(action)
    except ValueError as exc:
        raise TransitionRefused(f"未知的操作：{action}") from exc
    today = today or local_today()
    roles = project_roles(by, locked)
    decision = rules.decide(locked.state, act, roles, project_facts(locked, today=today, reason=reason))
    if not decision.allowed:
        raise TransitionRefused(decision.message)
    before_state = State(locked.state)
    before = _snapshot(locked)
    extra = _effects(locked, act, by=by, today=today, data=data, reason=reason)
    now = timezone.now()
    target = decision.transition.target
    if target is not None:
        _enter(locked, target, now)
    locked.version += 1
    locked.save()
    changes = {
        f: [_json_value(before[f]), _json_value(getattr(locked, f))]
        for f in _TRACKED_FIELDS if before[f] != getattr(locked, f)
    }
    docs = current_documents(locked)
    row = decision.transition
    record(locked, actor=by, kind="state_changed" if target else "milestone", public=act in PUBLIC_ACTIONS, data=plain({
        "action": act.value, "from": before_state.value, "to": locked.state, "reason": reason,
        "roles": sorted(r.value for r in roles & row.roles), "changes": changes, **extra,
        "documents": {d.value: docs[d.value].sha256 for d in row.documents if d.value in docs},
    }))
    if target is not None:
        _notify_action_holders(locked, act)
    return locked


def _notify_action_holders(project: Project, act: Action) -> None:
    users = [u for holder in action_holders(project) for u in holder.users]
    if not users:
        return
    from notify.services import send

    label = rules.STATE_LABELS[State(project.state)][0]
    due = f"，期限 {project.stage_due_on.isoformat()}" if project.stage_due_on else ""
    send(users, kind="action_required", subject=f"{project.code}《{project.title_zh[:60]}》进入“{label}”阶段，待您处理",
         body=f"项目 {project.code}《{project.title_zh}》已{rules.ACTION_LABELS[act][0]}，现处于“{label}”阶段{due}。",
         url=project.get_absolute_url())


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
        bureau_states = [s for s in _HOLDER_STATES[Role.BUREAU] if s != State.IMPLEMENTING]
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
    """Projects past their stage's due date (plus filings and disclosures past theirs)."""
    today = today or local_today()
    qs = projects if projects is not None else Project.objects.all()
    stage_late = Q(stage_due_on__lt=today) & ~Q(state__in=[s.value for s in rules.TERMINAL]) & ~Q(
        state__in=[State.IMPLEMENTING, State.CONSULTATION]
    )
    filing_late = Q(filed_on__isnull=True, filing_due_on__lt=today)
    disclosure_late = Q(disclosed_on__isnull=True, disclosure_due_on__lt=today)
    return qs.filter(stage_late | filing_late | disclosure_late)


def project_timeline(project: Project, *, public_only: bool = False, latest: int | None = None):
    from trail.services import timeline

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
            "action": row.action.value, "label": rules.ACTION_LABELS[row.action][0], "allowed": decision.allowed,
            "refusal": "; ".join(decision.refusals_en) if english else decision.message, "needs_reason": row.needs_reason, "target": row.next_state.value,
        })
    return out


# The room's public use cases and queries. Refusals, periods, access and documents live in their own modules
# (errors, periods, access, documents, numbering) and are re-exported here because views, the API, commands and
# tests call them as services.X in some 150 places.
__all__ = [
    "MAX_DOCUMENT_BYTES", "STAGE_PERIOD_KEYS", "UPLOADERS", "ActionHolder", "ConcurrentChange", "DocumentRefused",
    "LifecycleError", "NotAllowed", "ProjectNotFound", "TransitionRefused", "action_holders", "advance",
    "assign_number", "can_view_project", "current_documents", "drafting_months", "ensure_periods",
    "is_city_officer_of", "offered_actions", "overdue", "period", "project_facts", "project_for", "project_roles",
    "propose", "set_period", "sniff_document", "stage_history", "standard_to_revise", "upload_document",
    "visible_projects", "work_calendar", "work_list",
]


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
        what = rules.ACTION_LABELS[Action(action)][0]
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
