"""Projects: what each move in the transition table changes besides the state, one handler per action.

A new action in `transitions.Action` needs a handler in `EFFECT_HANDLERS`, or a place in `NO_EFFECTS`; the module
refuses to import otherwise.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import Organisation
from catalogue.models import Standard
from catalogue.services import FullTextRefused, attach_full_text, upsert_standards, withdraw_standard
from lifecycle import deadlines
from lifecycle.access import (
    current_documents,
)
from lifecycle.errors import (
    LifecycleError,
)
from lifecycle.models import (
    Extension,
    ImplementationEvaluation,
    LocalStandardProject,
    PeriodicReview,
)
from lifecycle.numbering import assign_number
from lifecycle.periods import period, work_calendar
from lifecycle.projects.proposal import propose
from lifecycle.transitions import Action, Doc, State

Project = LocalStandardProject

# Sent after commit when a periodic review withdraws the project's standard (`number=`): the standards citing it
# come due for review (lifecycle.signals connects the receiver, as for a standard the catalogue withdraws).
standard_withdrawn = Signal()


# ---------------------------------------------------------------------------------------------------------------
# What a move's form sends, and what the catalogue is told.

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
# Every handler takes the same arguments so that `apply_effects` can dispatch through one table.

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


def apply_effects(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    """What an action changes besides the state; returns what the event should say about it."""
    handler = EFFECT_HANDLERS.get(action)
    if handler is None:
        return {}
    return handler(project, action, by=by, today=today, data=data, reason=reason)


def _conclude_review(project: Project, action: Action, *, by, today: date, reason: str) -> dict:
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

        number = project.number
        # Local standards citing the withdrawn one come due for review, as when the catalogue withdraws one.
        transaction.on_commit(lambda: standard_withdrawn.send(sender=Project, number=number), robust=True)
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
