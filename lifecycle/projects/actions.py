"""Projects: the use cases that change a project (propose, advance through the transition table).

Every move locks the project row, checks the version the user read, asks `transitions.decide()`, writes, and
records its event in the trail in the same transaction; notices go out after commit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from lifecycle import deadlines
from lifecycle import transitions as rules
from lifecycle.access import (
    current_documents,
    local_today,
    project_facts,
    project_roles,
)
from lifecycle.errors import (
    ConcurrentChange,
    LifecycleError,
    TransitionRefused,
    plain,
)
from lifecycle.models import (
    LocalStandardProject,
    ProjectStage,
)
from lifecycle.periods import STAGE_PERIOD_KEYS, period, work_calendar
from lifecycle.projects.effects import apply_effects
from lifecycle.projects.proposal import propose, standard_to_revise
from lifecycle.projects.queries import action_holders
from lifecycle.transitions import Action, State
from notify.services import send
from yuebiao.messages import Message as M
from trail.services import record

Project = LocalStandardProject
# Proposing is a use case of its own module (a periodic review's revision proposes too, from the effects).
__all__ = ["advance", "propose", "standard_to_revise"]


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
    extra = apply_effects(locked, act, by=by, today=today, data=data, reason=reason)
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

    label = rules.STATE_LABELS[State(project.state)][0]
    due = M("，期限 {date}", date=project.stage_due_on.isoformat()) if project.stage_due_on else ""
    send(users, kind="action_required", subject=M("{code}《{title}》进入“{state}”阶段，待您处理", code=project.code,
                                                  title=project.title_zh[:60], state=M(label)),
         body=M("项目 {code}《{title}》已{action}，现处于“{state}”阶段{due}。", code=project.code, title=project.title_zh,
                action=M(rules.ACTION_LABELS[act][0]), state=M(label), due=due),
         url=project.get_absolute_url())
