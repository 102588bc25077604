"""Lifecycle API of implementation and review: public feedback, public timeline, reviews due, evaluation scores."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError

from accounts.api_auth import PUBLIC, RoleAuth, access_extra
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from catalogue.queries import find_standard
from lifecycle import access, captcha, errors, timeline
from lifecycle.implementation import actions as implementation_actions
from lifecycle.implementation import queries as implementation_queries
from lifecycle import web
from lifecycle.models import ImplementationEvaluation
from lifecycle.projects import queries as project_queries
from yuebiao.bounds import DbId
from yuebiao.proxy import client_address

router = Router(tags=["实施与复审 Implementation and review"])
WORK = {"auth": RoleAuth(AccountAction.LIFECYCLE_WORK), "openapi_extra": access_extra(AccountAction.LIFECYCLE_WORK)}
OPEN = {"auth": None, "openapi_extra": PUBLIC}


class Problem(Schema):
    detail: str


class CaptchaOut(Schema):
    id: str
    svg: str
    expires_in: int


class FeedbackIn(Schema):
    kind: str = Field(..., description="problem（实施问题）/ suggestion（修改建议）/ effect（实施效果）")
    text: str = Field(..., description="反馈内容，不超过 5000 字")
    name: str = ""
    organisation: str = ""
    contact: str = Field("", description="联系方式，仅供省局核实，不公开")
    captcha_id: str = Field("", description="匿名提交时必填：GET /feedback/captcha 返回的 id（同一会话 cookie）")
    captcha_answer: str = Field("", description="匿名提交时必填：图中算式的结果")


class FeedbackOut(Schema):
    id: int
    standard: str
    kind: str
    status: str
    submitted_at: datetime


class HashOut(Schema):
    document: str
    sha256: str


class TimelineEventOut(Schema):
    at: datetime
    project: str
    what: str
    moved: str
    stage: str
    detail: str
    reason: str
    documents: list[HashOut]
    subject: str
    seq: int
    hash: str


class TimelineOut(Schema):
    standard: str
    title_zh: str
    projects: list[dict]
    events: list[TimelineEventOut]


class ReviewDueOut(Schema):
    code: str
    number: str | None
    title_zh: str
    state: str
    state_label: str
    city_code: str
    city_name: str
    implementation_on: date | None
    review_due_on: date | None
    due_on: date | None
    days_left: int | None
    overdue: bool
    url: str
    standard_url: str | None
    open_reviews: list[dict]


class ScoresIn(Schema):
    scores: dict[str, float | int | str] = Field(..., description="每个评分维度的得分（0–100，最多一位小数）")
    conclusion: str


class ScoresOut(Schema):
    evaluation: int
    project: str
    scores: dict
    total_score: str
    conclusion: str


CAPTCHA_HOW = "（匿名提交须先 GET /api/lifecycle/feedback/captcha 取得验证码，并在同一会话中提交 captcha_id 与 captcha_answer；或登录后提交）"


def _standard(slug: str):
    std = find_standard(slug)
    if std is None:
        raise HttpError(404, "目录中没有这个标准")
    return std


@router.get("/feedback/captcha", response=CaptchaOut, summary="取得反馈验证码（匿名提交反馈前调用，保留会话 cookie）",
            **OPEN)
def feedback_captcha(request):
    challenge = implementation_actions.issue_captcha(request.session)
    return {"id": challenge.id, "svg": challenge.svg, "expires_in": captcha.TTL_SECONDS}


@router.post("/standards/{slug}/feedback", response={201: FeedbackOut, 400: Problem, 403: Problem, 404: Problem, 429: Problem},
             summary="提交实施信息反馈（任何人；匿名须带验证码；按来源限频）", **OPEN)
def post_feedback(request, slug: str, body: FeedbackIn):
    std = _standard(slug)
    user = web.api_public_sender(request)
    fields = {"kind": body.kind, "text": body.text, "author_name": body.name, "author_organisation": body.organisation,
              "contact": body.contact}
    try:
        fb = implementation_actions.send_feedback(
            standard=std, fields=fields, user=user, address=client_address(request), session=request.session,
            captcha_id=body.captcha_id, captcha_answer=body.captcha_answer)
    except errors.TooMany as exc:
        raise HttpError(429, str(exc)) from exc
    except errors.CaptchaRefused as exc:
        how = "" if body.captcha_id else CAPTCHA_HOW
        raise HttpError(400, f"{exc}{how}") from exc
    except errors.LifecycleError as exc:
        raise HttpError(400, str(exc)) from exc
    return Status(201, {"id": fb.pk, "standard": std.number, "kind": fb.kind, "status": fb.status,
                        "submitted_at": fb.submitted_at})


@router.get("/standards/{slug}/timeline", response={200: TimelineOut, 404: Problem},
            summary="标准的公开全生命周期记录", **OPEN)
def standard_timeline(request, slug: str):
    std = _standard(slug)
    projects, rows = timeline.public_timeline(std)
    return {
        "standard": std.number, "title_zh": std.title_zh,
        "projects": [{"number": p.number, "kind": p.kind, "state": p.state, "state_label": p.state_label}
                     for p in projects],
        "events": [{
            "at": r["event"].at, "project": r["project"].number or r["project"].code, "what": r["what"],
            "moved": r["moved"], "stage": r["stage"], "detail": r["detail"], "reason": r["reason"],
            "documents": [{"document": label, "sha256": digest} for label, digest in r["hashes"]],
            "subject": r["event"].subject, "seq": r["event"].seq, "hash": r["event"].hash,
        } for r in rows],
    }


@router.get("/reviews-due", response={200: list[ReviewDueOut], 400: Problem, 403: Problem}, summary="复审到期清单", **WORK)
def reviews_due(request, months: int = 6):
    """`months`: how many months ahead (0: due now or overdue), 0–120."""
    if not 0 <= months <= 120:
        raise HttpError(400, "months 应在 0 到 120 之间（0：已到期）")
    user = request.auth
    if not (can(user, AccountAction.LIFECYCLE_MANAGE) or AccountRole.CITY_OFFICER in roles_of(user)):
        raise HttpError(403, "复审到期清单仅供省局和地市市场监管部门查看")
    return [r.as_dict() for r in implementation_queries.reviews_due(project_queries.visible_projects(user), within_months=months)]


@router.post("/evaluations/{evaluation_id}/scores", response={200: ScoresOut, 400: Problem, 403: Problem, 404: Problem},
             summary="评估机构录入评分与评估结论", **WORK)
def score(request, evaluation_id: Path[DbId], body: ScoresIn):
    ev = ImplementationEvaluation.objects.select_related("project").filter(pk=evaluation_id).first()
    if ev is None or not access.can_view_project(request.auth, ev.project):
        raise HttpError(404, "没有这项评估委托")
    try:
        ev = implementation_actions.score_evaluation(evaluation=ev, scores=body.scores, conclusion=body.conclusion, by=request.auth)
    except errors.NotAllowed as exc:
        raise HttpError(403, str(exc)) from exc
    except errors.LifecycleError as exc:
        raise HttpError(400, str(exc)) from exc
    return {"evaluation": ev.pk, "project": ev.project.code, "scores": ev.scores, "total_score": str(ev.total_score),
            "conclusion": ev.conclusion}

