"""Who the user is on a project (the transition table's roles), who may see it, and what is true of it.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from accounts.roles import region_within
from catalogue.geography import GD_CITY_CODES, GUANGDONG
from lifecycle import deadlines
from lifecycle.errors import NotAllowed, ProjectNotFound
from lifecycle.models import (
    Extension,
    LocalStandardProject,
    PanelMember,
    ProjectDocument,
)
from lifecycle.periods import period, work_calendar
from lifecycle.transitions import Facts, Role

Project = LocalStandardProject


def project_roles(user: User | None, project: Project) -> frozenset[Role]:
    """The parts `user` plays on `project` (transitions.Role); an account role alone is not enough."""
    if user is None:
        return frozenset({Role.SYSTEM})
    held = roles_of(user)
    if not held:
        return frozenset()
    org_id = getattr(user, "organisation_id", None)
    roles: set[Role] = set()
    if {AccountRole.PROVINCIAL_OFFICER, AccountRole.PROVINCIAL_ADMIN} & held:
        roles.add(Role.BUREAU)
    if org_id and org_id == project.proposer_id and {
        AccountRole.DEPARTMENT_OFFICER, AccountRole.CITY_OFFICER, AccountRole.PROVINCIAL_OFFICER
    } & held:
        roles.add(Role.PROPOSER)
    if org_id and AccountRole.DRAFTER in held and project.drafting_organisations.filter(id=org_id).exists():
        roles.add(Role.DRAFTER)
    if org_id and AccountRole.COMMITTEE_SECRETARY in held and org_id == project.technical_committee_id:
        roles.add(Role.COMMITTEE)
    if org_id and AccountRole.EVALUATOR in held and project.evaluations.filter(
        agency_id=org_id, submitted_at__isnull=True
    ).exists():
        roles.add(Role.EVALUATOR)
    return frozenset(roles)


def is_panel_expert(user: User | None, project: Project) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return PanelMember.objects.filter(panel__project=project, expert__user=user).exists()


def can_view_project(user: User | None, project: Project) -> bool:
    """Participants, panel experts, the bureau, and a city officer for projects of his or her city."""
    if not can(user, AccountAction.LIFECYCLE_WORK):
        return False
    if can(user, AccountAction.LIFECYCLE_MANAGE) or is_city_officer_of(user, project):
        return True
    return bool(project_roles(user, project)) or is_panel_expert(user, project)


def project_for(user: User | None, code: str) -> Project:
    """Find a project by its code and check that `user` may see it: the one way views, the API and commands load
    a project for someone. Raises ProjectNotFound or NotAllowed."""
    project = (
        Project.objects.select_related("proposer", "technical_committee", "standard", "revises", "predecessor")
        .filter(code=code).first()
    )
    if project is None:
        raise ProjectNotFound(gettext("没有这个项目"))
    if not can_view_project(user, project):
        raise NotAllowed(refusal(user, project))
    return project


def city_name(code: str | None) -> str:
    names = {c: f"{n}市" for n, c in GD_CITY_CODES.items()}
    return names.get((code or "")[:4] + "00", "") if code and code != GUANGDONG else ""


def refusal(user: User | None, project: Project) -> str:
    """Why `user` may not open `project`, naming whose project it is and the user's unit:
    「该项目属于深圳市，广州市市场监管局无权查看」, not a bare "no access"."""
    unit = getattr(getattr(user, "organisation", None), "name", "") or gettext("您的账户")
    city = city_name(project.city_code)
    if city and AccountRole.CITY_OFFICER in roles_of(user):
        return gettext("该项目属于%(owner)s，%(unit)s无权查看") % {"owner": city, "unit": unit}
    owner = project.proposer.name if project.proposer_id else (city or gettext("广东省市场监督管理局"))
    return gettext("该项目由%(owner)s提出，%(unit)s不是它的起草、审查或主管单位，无权查看") % {
        "owner": owner, "unit": unit}


def is_city_officer_of(user: User | None, project: Project) -> bool:
    """Whether `user` is a city officer of the city the project belongs to."""
    if AccountRole.CITY_OFFICER not in roles_of(user):
        return False
    return region_within(project.city_code, getattr(getattr(user, "organisation", None), "region_code", None))


def current_documents(project: Project) -> dict[str, ProjectDocument]:
    """The latest version of each kind of document."""
    latest: dict[str, ProjectDocument] = {}
    for doc in project.documents.order_by("kind", "-version"):
        latest.setdefault(doc.kind, doc)
    return latest


def local_today() -> date:
    return timezone.localdate()


def project_facts(project: Project, *, today: date | None = None, reason: str = "") -> Facts:
    today = today or local_today()
    cal = work_calendar()
    docs = frozenset(project.documents.values_list("kind", flat=True).distinct())
    panel = project.panels.order_by("-round").first()
    missing = panel.members.filter(conclusion="").count() if panel else 0
    publicity_elapsed = bool(
        project.publicity_opened_on
        and deadlines.has_elapsed(project.publicity_opened_on, period("stage.publicity"), today, cal)
    )
    consultation_elapsed = bool(
        project.consultation_opened_on
        and deadlines.has_elapsed(project.consultation_opened_on, period("consultation.minimum"), today, cal)
    )
    evaluation = project.evaluations.filter(submitted_at__isnull=True).first()
    return Facts(
        documents=docs,
        reason_given=bool(reason.strip()),
        publicity_elapsed=publicity_elapsed,
        consultation_elapsed=consultation_elapsed,
        unanswered_comments=project.comments.filter(resolution="").count(),
        review_decision=(panel.decision or None) if panel else None,
        missing_conclusions=missing,
        filed=project.filed_on is not None,
        disclosed=project.disclosed_on is not None,
        implementation_date_reached=bool(project.implementation_on and today >= project.implementation_on),
        evaluation_scored=bool(evaluation and evaluation.total_score is not None),
        extension_pending=project.extensions.filter(decision=Extension.Decision.PENDING).exists(),
        review_due=bool(
            (project.review_due_on and today >= project.review_due_on)
            or project.reviews.filter(conclusion="").exists()
        ),
    )
