"""Implementation: reads. Which standards take feedback, who may handle a feedback, the reviews due, the
evaluations a user sees and the project page's implementation panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from accounts.roles import region_within
from catalogue.models import AdminDivision
from lifecycle import deadlines, periods, worklist
from lifecycle import transitions as rules
from lifecycle.implementation.rubric import rubric
from lifecycle.models import (
    ImplementationEvaluation,
    ImplementationFeedback,
    LocalStandardProject,
    PeriodicReview,
)
from lifecycle.transitions import Action, Role, State

CONCLUSIONS = {
    Action.CONFIRM: PeriodicReview.Conclusion.CONFIRM,
    Action.REVISE: PeriodicReview.Conclusion.REVISE,
    Action.WITHDRAW: PeriodicReview.Conclusion.WITHDRAW,
}


Project = LocalStandardProject


def _today() -> date:
    return timezone.localdate()


# A standard is "in force" for these purposes while it is implemented, evaluated or under review.
IN_FORCE = (State.IMPLEMENTING, State.EVALUATION, State.PERIODIC_REVIEW)
# States after publication in which the implementation panel has something to show.
AFTER_PUBLICATION = (State.PUBLISHED, *IN_FORCE, State.REVISED, State.WITHDRAWN)
MAX_TEXT = 5000


def region_prefix(code: str | None) -> str | None:
    """The leading digits region_within() compares: 440100 → 4401, 440000 → 44."""
    if not code:
        return None
    significant = code.rstrip("0")
    if len(significant) % 2:
        significant += "0"
    return significant or None


def accepts_feedback(standard) -> bool:
    """Feedback is taken on local standards (the bureau's own) and on any standard with a project here."""
    return standard.level == "local" or Project.objects.filter(standard=standard).exists()


def project_of(standard) -> Project | None:
    return Project.objects.filter(standard=standard).first()


def feedback_region(feedback: ImplementationFeedback) -> str:
    if feedback.project_id:
        return feedback.project.city_code
    return feedback.standard.region_id or "440000"


def may_handle_feedback(user, feedback: ImplementationFeedback | None = None) -> bool:
    """The bureau for all feedback; a city officer for feedback on standards (or projects) of his or her city."""
    if can(user, AccountAction.LIFECYCLE_MANAGE):
        return True
    if AccountRole.CITY_OFFICER not in roles_of(user):
        return False
    if feedback is None:
        return True
    org = getattr(user, "organisation", None)
    return region_within(feedback_region(feedback), getattr(org, "region_code", None))


def feedback_for(user):
    """The feedback `user` may handle, newest first."""
    qs = ImplementationFeedback.objects.select_related("standard", "project", "handled_by")
    if can(user, AccountAction.LIFECYCLE_MANAGE):
        return qs
    if AccountRole.CITY_OFFICER not in roles_of(user):
        return qs.none()
    prefix = region_prefix(getattr(getattr(user, "organisation", None), "region_code", None))
    if not prefix:
        return qs.none()
    return qs.filter(Q(project__city_code__startswith=prefix)
                     | Q(project__isnull=True, standard__region__code__startswith=prefix))


# ---------------------------------------------------------------------------------------------------------------
# Periodic reviews (复审): opening them, the five-year rule, the due list, concluding.
def next_review_due_on(today: date) -> date:
    return deadlines.due_date(today, periods.period("periodic_review.stage"), periods.work_calendar()).due


@dataclass
class ReviewDue:
    """One line of the review due list."""

    project: Project
    due_on: date | None  # the earliest of the five-year date and the open reviews' deadlines
    days_left: int | None
    overdue: bool
    open_reviews: list[PeriodicReview]
    city_name: str = ""

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue and self.days_left is not None else 0

    @property
    def reasons(self) -> list[str]:
        return [str(r.get_reason_display()) for r in self.open_reviews]

    def as_dict(self) -> dict:
        p = self.project
        return {
            "code": p.code, "number": p.number, "title_zh": p.title_zh, "state": p.state, "state_label": p.state_label,
            "city_code": p.city_code, "city_name": self.city_name,
            "implementation_on": p.implementation_on.isoformat() if p.implementation_on else None,
            "review_due_on": p.review_due_on.isoformat() if p.review_due_on else None,
            "due_on": self.due_on.isoformat() if self.due_on else None, "days_left": self.days_left,
            "overdue": self.overdue, "url": p.get_absolute_url(),
            "standard_url": p.standard.get_absolute_url() if p.standard_id else None,
            "open_reviews": [{"reason": r.reason, "reason_label": str(r.get_reason_display()), "detail": r.detail,
                              "due_on": r.due_on.isoformat()} for r in self.open_reviews],
        }


def _city_names(codes: Iterable[str]) -> dict[str, str]:
    names = dict(AdminDivision.objects.filter(code__in=set(codes)).values_list("code", "name"))
    names.setdefault("440000", "全省")
    return names


def reviews_due(projects=None, *, within_months: int | None = 0, today: date | None = None) -> list[ReviewDue]:
    """Standards in force whose review is due within `within_months` (0: due now; None: any date), or that have
    an open review; overdue first, then by date. Three queries whatever the length."""
    today = today or _today()
    qs = projects if projects is not None else Project.objects.all()
    qs = qs.filter(state__in=[s.value for s in IN_FORCE])
    due = Q(reviews__conclusion="", reviews__isnull=False)
    if within_months is None:
        due |= Q(review_due_on__isnull=False)
    else:
        horizon = deadlines.due_date(today, deadlines.Period(int(within_months), deadlines.Unit.MONTHS)).due
        due |= Q(review_due_on__lte=horizon)
    ids = list(qs.filter(due).values_list("id", flat=True).distinct())
    rows_qs = Project.objects.filter(id__in=ids).select_related("standard")
    open_by_project: dict[int, list[PeriodicReview]] = {}
    for review in PeriodicReview.objects.filter(project_id__in=ids, conclusion="").order_by("due_on", "id"):
        open_by_project.setdefault(review.project_id, []).append(review)
    projects_list = list(rows_qs)
    names = _city_names(p.city_code for p in projects_list)
    rows = []
    for p in projects_list:
        opened = open_by_project.get(p.id, [])
        # Lateness as the work list and the project list's 已超期 filter read it (lifecycle.worklist).
        facts = worklist.Facts(state=p.state, today=today, review_due_on=p.review_due_on,
                               open_review_dues=tuple(r.due_on for r in opened))
        first = worklist.review_due(facts)
        rows.append(ReviewDue(
            project=p, due_on=first, days_left=(first - today).days if first else None,
            overdue=worklist.review_late(facts), open_reviews=opened, city_name=names.get(p.city_code, p.city_code),
        ))
    rows.sort(key=lambda r: (not r.overdue, r.due_on or date.max, r.project.code))
    return rows


def iso_or_blank(value: date | None) -> str:
    return value.isoformat() if value else "—"


def open_evaluation(project: Project) -> ImplementationEvaluation | None:
    return project.evaluations.filter(submitted_at__isnull=True).select_related("agency").first()


def evaluations_for(user: User):
    """The evaluations commissioned from the user's agency (the evaluator's list), open ones first."""
    org_id = getattr(user, "organisation_id", None)
    if not org_id or AccountRole.EVALUATOR not in roles_of(user):
        return ImplementationEvaluation.objects.none()
    return (ImplementationEvaluation.objects.filter(agency_id=org_id)
            .select_related("project", "agency", "report").order_by(F("submitted_at").asc(nulls_first=True),
                                                                     "-commissioned_at"))


def score_rows(evaluation: ImplementationEvaluation | None) -> list[dict]:
    scores = (evaluation.scores or {}) if evaluation else {}
    return [{"key": d.key, "label": d.label_zh, "weight": d.weight, "hint": d.hint, "score": scores.get(d.key)}
            for d in rubric()]


# ---------------------------------------------------------------------------------------------------------------
# The project page's panel.
def project_panel_context(project, user, roles) -> dict:
    """What the project page's implementation panel needs (lifecycle/templates/lifecycle/implementation/_panel.html).

    Six queries at most, whatever the number of references, reviews, evaluations or feedback.
    """
    state = State(project.state)
    if state not in AFTER_PUBLICATION:
        return {"show": False}
    roles = {Role(r) for r in roles}
    can_manage = can(user, AccountAction.LIFECYCLE_MANAGE)
    evaluations = list(project.evaluations.select_related("agency", "report").order_by("-commissioned_at"))
    current = next((e for e in evaluations if e.submitted_at is None), None)
    reviews = list(project.reviews.order_by("-opened_at", "-id"))
    feedback = list(project.feedback.order_by("-submitted_at", "-id")[:5])
    counts = {"new": 0, "total": 0}
    for status in project.feedback.values_list("status", flat=True):
        counts["total"] += 1
        counts["new"] += status == ImplementationFeedback.Status.NEW
    today = _today()
    return {
        "show": True,
        "today": today,
        "in_force": state in IN_FORCE,
        "review_due_on": project.review_due_on,
        "review_days_left": (project.review_due_on - today).days if project.review_due_on else None,
        "review_overdue": bool(project.review_due_on and project.review_due_on < today and state in IN_FORCE),
        "references": list(project.references.order_by("number")),
        "may_edit_references": can_manage and state in (State.PUBLISHED, *IN_FORCE),
        "reviews": reviews,
        "open_reviews": [r for r in reviews if not r.conclusion],
        "may_conclude": Role.BUREAU in roles and state == State.PERIODIC_REVIEW,
        "conclusions": [(a.value, rules.ACTION_LABELS[a][0]) for a in CONCLUSIONS],
        "evaluations": evaluations,
        "evaluation": current,
        "score_rows": score_rows(current or (evaluations[0] if evaluations else None)),
        "may_score": bool(current and Role.EVALUATOR in roles and state == State.EVALUATION
                          and getattr(user, "organisation_id", None) == current.agency_id),
        "may_open_review": Role.BUREAU in roles and state == State.IMPLEMENTING,
        "feedback": feedback,
        "feedback_counts": counts,
        "may_handle_feedback": may_handle_feedback(user),
        # All of them concern this project, so one check covers the list (the officers of another city see none).
        "may_see_feedback_contacts": bool(feedback) and may_handle_feedback(user, feedback[0]),
    }
