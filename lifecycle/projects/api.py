"""Lifecycle API: projects, the moves the transition table allows, documents, the work list and the trail."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from accounts.api_auth import RoleAuth, access_extra
from accounts.models import Organisation
from accounts.roles import Action as AccountAction
from lifecycle import documents as lifecycle_documents
from lifecycle import errors, web
from lifecycle.projects import actions as project_actions
from lifecycle.projects import queries as project_queries
from yuebiao.bounds import MAX_INT64, Offset

router = Router(tags=["地方标准项目 Local-standard projects"])
WORK = {"auth": RoleAuth(AccountAction.LIFECYCLE_WORK), "openapi_extra": access_extra(AccountAction.LIFECYCLE_WORK)}
PROPOSE = {
    "auth": RoleAuth(AccountAction.LIFECYCLE_PROPOSE), "openapi_extra": access_extra(AccountAction.LIFECYCLE_PROPOSE)
}


class Problem(Schema):
    detail: str


class ProjectOut(Schema):
    code: str
    title_zh: str
    title_en: str
    kind: str
    nature: str
    state: str
    state_label: str
    version: int
    proposer: str
    city_code: str
    number: str | None
    plan_issued_on: date | None
    published_on: date | None
    implementation_on: date | None
    stage_entered_at: datetime | None
    stage_due_on: date | None
    review_due_on: date | None
    url: str

    @staticmethod
    def resolve_proposer(obj):
        return obj.proposer.name

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class HolderOut(Schema):
    role: str
    label: str
    organisations: list[str]
    since: datetime | None
    due_on: date | None
    overdue: bool


class ActionOut(Schema):
    action: str
    label: str
    allowed: bool
    refusal: str
    needs_reason: bool
    target: str


class ProjectDetailOut(ProjectOut):
    """Read from the project itself, so ProjectOut's resolvers (proposer, url) apply; who acts comes from the
    request."""

    holders: list[HolderOut]
    actions: list[ActionOut]
    documents: list[dict]

    @staticmethod
    def resolve_holders(obj):
        return [
            {"role": h.role.value, "label": h.label, "organisations": h.organisations, "since": h.since,
             "due_on": h.due_on, "overdue": h.overdue} for h in project_queries.action_holders(obj)
        ]

    @staticmethod
    def resolve_actions(obj, context):
        return project_queries.offered_actions(context["request"].auth, obj)

    @staticmethod
    def resolve_documents(obj):
        return [
            {"kind": d.kind, "version": d.version, "filename": d.filename, "sha256": d.sha256, "size": d.size,
             "uploaded_at": d.uploaded_at.isoformat()} for d in obj.documents.order_by("kind", "-version")
        ]


class ProposalIn(Schema):
    title_zh: str = Field(..., max_length=300)
    title_en: str = Field("", max_length=300)
    kind: str = "new"
    nature: str = "recommended"
    mandatory_basis: str = Field("", max_length=300)
    city_code: str = Field("440000", pattern=r"^44[0-9]{4}$")
    drafting_organisations: list[str] = Field([], description="起草单位名称")
    technical_committee: str | None = None
    scope: str = Field("", max_length=5000)
    necessity: str = Field("", max_length=5000)
    revises: str = Field("", max_length=80, description="被修订标准号（kind=revision 时必填），如 DB44/T 1041—2017")


class MoveIn(Schema):
    action: str
    version: int | None = Field(None, ge=0, le=MAX_INT64, description="页面显示的项目版本；项目已被他人修改时拒绝（409）")
    reason: str = Field("", max_length=5000)
    data: dict[str, str] = {}


class EventOut(Schema):
    seq: int
    at: datetime
    actor: str
    kind: str
    public: bool
    data: dict
    prev_hash: str
    hash: str


def _orgs(names: list[str], kind: str) -> list[Organisation]:
    found = {o.name: o for o in Organisation.objects.filter(name__in=names, kind=kind)}
    missing = [n for n in names if n not in found]
    if missing:
        raise HttpError(400, "没有这些机构：" + "、".join(missing))
    return [found[n] for n in names]


@router.get("/projects", response=list[ProjectOut], summary="我可查看的项目", **WORK)
def list_projects(request, state: str = "", limit: int = Query(50, ge=1, le=500), offset: Offset = 0):
    qs = project_queries.visible_projects(request.auth)
    if state:
        qs = qs.filter(state=state)
    return list(qs.order_by("-created_at", "-id")[offset:offset + limit])


@router.get("/work", response=list[ProjectOut], summary="待我处理", **WORK)
def my_work(request):
    return list(project_queries.work_list(request.auth)[:500])


@router.post("/projects", response={201: ProjectOut, 400: Problem, 403: Problem}, summary="提出立项申请", **PROPOSE)
def create_project(request, body: ProposalIn):
    committee = _orgs([body.technical_committee], Organisation.Kind.TECHNICAL_COMMITTEE)[0] \
        if body.technical_committee else None
    try:
        project = project_actions.propose(
            by=request.auth, title_zh=body.title_zh, title_en=body.title_en, kind=body.kind, nature=body.nature,
            mandatory_basis=body.mandatory_basis, city_code=body.city_code, scope=body.scope,
            necessity=body.necessity, technical_committee=committee, revises=project_actions.standard_to_revise(body.revises),
            drafting_organisations=_orgs(body.drafting_organisations, Organisation.Kind.DRAFTING_ORGANISATION),
        )
    except errors.NotAllowed as exc:
        raise HttpError(403, str(exc)) from exc
    except errors.LifecycleError as exc:
        raise HttpError(400, str(exc)) from exc
    return 201, project


@router.get("/projects/{code}", response={200: ProjectDetailOut, 404: Problem}, summary="项目详情",
            **WORK)
def project_detail(request, code: str):
    return web.api_project(request, code)


@router.post("/projects/{code}/moves", response={200: ProjectOut, 400: Problem, 404: Problem, 409: Problem},
             summary="执行操作（按转换规则表）", **WORK)
def move(request, code: str, body: MoveIn):
    project = web.api_project(request, code)
    data: dict = dict(body.data)
    if "agency" in data:
        agency = Organisation.objects.filter(name=data["agency"], kind=Organisation.Kind.EVALUATION_AGENCY).first()
        if agency is None:
            raise HttpError(400, f"没有评估机构“{data['agency']}”")
        data["agency"] = agency
    try:
        return project_actions.advance(project=project, action=body.action, by=request.auth, reason=body.reason, data=data,
                                expected_version=body.version)
    except errors.ConcurrentChange as exc:
        raise HttpError(409, str(exc)) from exc
    except errors.LifecycleError as exc:
        raise HttpError(400, str(exc)) from exc


@router.post("/projects/{code}/documents", response={201: dict, 400: Problem, 404: Problem},
             summary="上传项目文件（PDF、Word 或 Excel）", **WORK)
def upload_document(request, code: str, kind: Form[str], file: File[UploadedFile]):
    project = web.api_project(request, code)
    if file.size > lifecycle_documents.MAX_DOCUMENT_BYTES:
        raise HttpError(400, "文件超过 50 MB 上限")
    try:
        doc = lifecycle_documents.upload_document(project=project, kind=kind, data=file.read(), filename=file.name or "",
                                       by=request.auth)
    except errors.LifecycleError as exc:
        raise HttpError(400, str(exc)) from exc
    return 201, {"kind": doc.kind, "version": doc.version, "sha256": doc.sha256, "size": doc.size}


@router.get("/projects/{code}/events", response={200: list[EventOut], 404: Problem},
            summary="项目的全过程记录（含哈希链）", **WORK)
def project_events(request, code: str):
    project = web.api_project(request, code)
    return [
        {"seq": e.seq, "at": e.at, "actor": e.actor_label, "kind": e.kind, "public": e.public, "data": e.payload,
         "prev_hash": e.prev_hash, "hash": e.hash} for e in project_queries.project_timeline(project)
    ]
