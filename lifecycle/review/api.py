"""Technical review API (技术审查): the expert pool, a project's panel, an expert's conclusion, the panel's decision."""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from accounts.api_auth import RoleAuth, access_extra
from accounts.roles import Action as AccountAction
from lifecycle import errors, web
from lifecycle.models import LocalStandardProject, PanelMember
from lifecycle.review import actions as review_actions
from lifecycle.review import queries as review_queries
from yuebiao.bounds import DbId, Offset

router = Router(tags=["技术审查 Technical review"])
MANAGE = {"auth": RoleAuth(AccountAction.LIFECYCLE_MANAGE),
          "openapi_extra": access_extra(AccountAction.LIFECYCLE_MANAGE)}
WORK = {"auth": RoleAuth(AccountAction.LIFECYCLE_WORK), "openapi_extra": access_extra(AccountAction.LIFECYCLE_WORK)}


class Problem(Schema):
    detail: str


class ExpertOut(Schema):
    id: int
    name: str
    organisation: str
    title: str
    speciality: str
    region_code: str
    active: bool
    username: str

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name if obj.organisation_id else ""

    @staticmethod
    def resolve_username(obj):
        return obj.user.username if obj.user_id else ""


class MemberOut(Schema):
    id: int
    expert_id: int
    name: str
    organisation: str
    title: str
    chair: bool
    has_concluded: bool
    conclusion: str
    conclusion_label: str
    opinion: str
    recorded_at: datetime | None


class MinutesOut(Schema):
    id: int
    version: int
    filename: str
    sha256: str


class PanelOut(Schema):
    round: int
    meeting_on: date | None
    location: str
    decision: str
    decision_label: str
    decision_note: str
    decided_at: datetime | None
    minutes: MinutesOut | None
    concluded: int
    size: int
    tally: dict[str, int] | None
    members: list[MemberOut]


class PanelIn(Schema):
    expert_ids: list[DbId]
    chair_id: DbId
    meeting_on: date
    location: str = ""


class ConclusionIn(Schema):
    conclusion: str
    # No max_length here: the service refuses an oversized opinion with a Chinese message (400), not a 422.
    opinion: str = ""


class DecisionIn(Schema):
    decision: str
    note: str = ""
    minutes_document_id: DbId | None = None


def _panel_out(request, project: LocalStandardProject) -> dict:
    panel = review_queries.latest_panel(project)
    if panel is None:
        raise HttpError(404, "尚未组建审查专家组")
    members = list(panel.members.select_related("expert__organisation"))
    return review_queries.panel_data(panel, members=members, full=review_queries.is_secretariat(request.auth, project))


def _refuse(exc: Exception):
    status = 403 if isinstance(exc, errors.ReviewForbidden) else 400
    raise HttpError(status, str(exc)) from exc


@router.get("/experts", response=list[ExpertOut], summary="专家库（按姓名、专业领域、工作单位查找）", **MANAGE)
def list_experts(request, q: str = "", active: bool | None = None, limit: int = Query(100, ge=1, le=500),
                 offset: Offset = 0):
    qs = review_queries.search_experts(q)
    if active is not None:
        qs = qs.filter(active=active)
    return list(qs[offset:offset + limit])


@router.get("/projects/{code}/panel", response={200: PanelOut, 403: Problem, 404: Problem},
            summary="项目当前的审查专家组", **WORK)
def project_panel(request, code: str):
    return _panel_out(request, web.api_project(request, code))


@router.post("/projects/{code}/panel", response={201: PanelOut, 400: Problem, 403: Problem, 404: Problem},
             summary="组建审查专家组（秘书处或省局）", **WORK)
def form_panel(request, code: str, body: PanelIn):
    project = web.api_project(request, code)
    try:
        review_actions.form_panel(project=project, expert_ids=body.expert_ids, chair_id=body.chair_id,
                          meeting_on=body.meeting_on, location=body.location, by=request.auth)
    except errors.LifecycleError as exc:
        _refuse(exc)
    return Status(201, _panel_out(request, project))


@router.post("/projects/{code}/panel/members/{member_id}/conclusion",
             response={200: PanelOut, 400: Problem, 403: Problem, 404: Problem},
             summary="专家提交个人审查结论（本人，或秘书处代为录入）", **WORK)
def record_conclusion(request, code: str, member_id: Path[DbId], body: ConclusionIn):
    project = web.api_project(request, code)
    member = get_object_or_404(PanelMember, pk=member_id, panel__project=project)
    try:
        review_actions.record_conclusion(member=member, conclusion=body.conclusion, opinion=body.opinion, by=request.auth)
    except errors.LifecycleError as exc:
        _refuse(exc)
    return _panel_out(request, project)


@router.post("/projects/{code}/panel/decision", response={200: PanelOut, 400: Problem, 403: Problem, 404: Problem},
             summary="录入专家组审查结论（须全部专家已提交、已上传会议纪要）", **WORK)
def record_decision(request, code: str, body: DecisionIn):
    project = web.api_project(request, code)
    panel = review_queries.latest_panel(project)
    if panel is None:
        raise HttpError(404, "尚未组建审查专家组")
    try:
        review_actions.record_decision(panel=panel, decision=body.decision, note=body.note,
                               minutes_document=body.minutes_document_id, by=request.auth)
    except errors.LifecycleError as exc:
        _refuse(exc)
    return _panel_out(request, project)
