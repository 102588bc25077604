"""Lifecycle API: public consultation (征求意见) — open drafts, captcha, comments, and the drafter's answers."""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError

from accounts.api_auth import PUBLIC, RoleAuth, access_extra
from accounts.roles import Action as AccountAction
from lifecycle import errors, web
from lifecycle.consultation import actions as consultation_actions
from lifecycle.consultation import queries as consultation_queries
from lifecycle.consultation import receipts
from lifecycle.models import LocalStandardProject, PublicComment
from lifecycle.personal_data import may_see_comment_contacts
from lifecycle.transitions import DOC_LABELS, Doc, State
from yuebiao.bounds import DbId
from yuebiao.proxy import client_address

router = Router(tags=["征求意见 Public consultation"])
WORK = {"auth": RoleAuth(AccountAction.LIFECYCLE_WORK), "openapi_extra": access_extra(AccountAction.LIFECYCLE_WORK)}


class Problem(Schema):
    detail: str


class DocumentOut(Schema):
    kind: str
    label: str
    filename: str
    version: int
    sha256: str
    size: int
    url: str


class ConsultationOut(Schema):
    code: str
    title_zh: str
    title_en: str
    opened_on: date | None
    closes_on: date | None
    days_left: int | None
    open: bool
    comments: int
    url: str


class ClauseOut(Schema):
    number: str
    title: str
    level: int


class ConsultationDetailOut(ConsultationOut):
    documents: list[DocumentOut]
    clauses: list[ClauseOut] | None = Field(None, description="由征求意见稿识别的条款；无法识别时为 null，可自由填写条款编号")


class CaptchaOut(Schema):
    id: str
    svg: str = Field(..., description="SVG 图片：一道算术题；答案为其结果")
    expires_in: int = Field(..., description="有效秒数；每题只能提交一次")


class CommentIn(Schema):
    # Lengths are checked by the service, so an oversized field gets the same Chinese message as on the page.
    clause: str = Field("", description="章条编号，最多 40 字；对全文的意见留空")
    text: str = Field(..., description="意见内容，最多 5000 字")
    proposal: str = Field("", description="修改建议，最多 5000 字")
    author_name: str = Field(..., description="姓名，最多 100 字")
    author_organisation: str = Field("", description="单位，最多 200 字")
    contact: str = Field("", description="联系方式，最多 100 字，不公开")
    captcha_id: str = Field("", max_length=64, description="未登录时必填：GET …/captcha 返回的 id")
    captcha_answer: str = Field("", max_length=20, description="未登录时必填：验证码图中算式的结果")


class SubmittedOut(Schema):
    id: int
    clause: str
    submitted_at: datetime
    number: int | None = None  # 第 N 条意见, counted within this draft
    receipt_url: str = ""  # the sender's private link to the answer (shown once; only its hash is stored)


class CommentOut(Schema):
    id: int
    number: int | None = None  # 第 N 条意见 within the draft
    clause: str
    text: str
    proposal: str
    author_name: str | None = Field(None, description="提出人姓名；仅有权查看个人信息者可见（见 docs/security.md）")
    author_organisation: str | None = Field(None, description="提出单位；同上")
    contact: str | None = Field(None, description="联系方式；同上")
    sender: str = Field(..., description="提出人：有权者看到“单位／姓名”，其他人看到化名“提出人 N”")
    erased: bool = Field(..., description="提出人的个人信息已按保存期限或申请删除")
    signed_in: bool
    submitted_at: datetime
    resolution: str
    response: str
    answered_by: str
    answered_at: datetime | None
    token: str = Field(..., description="答复时作为 expected 传回，防止覆盖他人刚做的答复")


class AnswerIn(Schema):
    resolution: str = Field(..., description="adopted（采纳）/ partly_adopted（部分采纳）/ not_adopted（未采纳）")
    response: str = Field("", description="理由；部分采纳、未采纳时必填")
    expected: str | None = Field(None, description="读取时的 token（未答复为空字符串）；不传则不检查")


def _summary(project: LocalStandardProject, comments: int) -> dict:
    return {
        "code": project.code, "title_zh": project.title_zh, "title_en": project.title_en,
        "opened_on": project.consultation_opened_on, "closes_on": project.consultation_closes_on,
        "days_left": consultation_queries.days_left(project), "open": consultation_queries.is_open(project), "comments": comments,
        "url": reverse("lifecycle:consultation", args=[project.code]),
    }


def _consultation(code: str) -> LocalStandardProject:
    project = LocalStandardProject.objects.filter(code=code, state=State.CONSULTATION).first()
    if project is None:
        raise HttpError(404, "没有正在征求意见的这个项目")
    return project


@router.get("/consultations", response=list[ConsultationOut], summary="正在征求意见的地方标准", openapi_extra=PUBLIC)
def consultations(request):
    return [_summary(p, p.comment_count) for p in consultation_queries.open_consultations()]


@router.get("/consultations/{code}", response={200: ConsultationDetailOut, 404: Problem}, summary="征求意见详情",
            openapi_extra=PUBLIC)
def consultation(request, code: str):
    project = _consultation(code)
    documents = consultation_queries.public_documents(project)
    docs = [
        {"kind": kind, "label": DOC_LABELS[Doc(kind)][0], "filename": d.filename, "version": d.version,
         "sha256": d.sha256, "size": d.size,
         "url": reverse("lifecycle:consultation-document", args=[project.code, kind])}
        for kind, d in sorted(documents.items())
    ]
    return {**_summary(project, project.comments.count()), "documents": docs,
            "clauses": consultation_queries.draft_clauses(project, documents)}


@router.get("/consultations/{code}/captcha", response={200: CaptchaOut, 404: Problem},
            summary="取一道验证码（未登录提交意见时需要；须保留会话 Cookie）", openapi_extra=PUBLIC)
def captcha(request, code: str):
    _consultation(code)
    challenge = consultation_actions.issue_captcha(request.session)
    return {"id": challenge.id, "svg": challenge.svg, "expires_in": consultation_actions.CAPTCHA_TTL_SECONDS}


@router.post("/consultations/{code}/comments", response={201: SubmittedOut, 400: Problem, 403: Problem, 404: Problem,
                                                         429: Problem},
             summary="提交意见（未登录须带验证码；同一来源限频）", openapi_extra=PUBLIC)
def submit(request, code: str, body: CommentIn):
    project = _consultation(code)
    user = web.api_public_sender(request)
    values = body.dict(exclude={"captcha_id", "captcha_answer"})
    try:
        comment = consultation_actions.send_comment(
            project=project, fields=values, user=user, address=client_address(request), session=request.session,
            captcha_id=body.captcha_id, captcha_answer=body.captcha_answer)
    except errors.RateLimited as exc:
        raise HttpError(429, str(exc)) from exc
    except errors.LifecycleError as exc:
        raise HttpError(400, str(exc)) from exc
    return Status(201, {"id": comment.pk, "clause": comment.clause, "submitted_at": comment.submitted_at, **receipts.receipt_fields(comment)})


@router.get("/projects/{code}/comments", response={200: list[CommentOut], 403: Problem, 404: Problem},
            summary="项目收到的意见（提出人的个人信息仅省局、本市市场监管局和技术委员会秘书处可见）", **WORK)
def project_comments(request, code: str, unanswered: bool = False):
    project = web.api_project(request, code)
    show = may_see_comment_contacts(request.auth, project)
    labels = {} if show else consultation_queries.project_sender_labels(project)
    return [consultation_queries.comment_view(c, show_contact=show, labels=labels)
            for c in consultation_queries.project_comments(project, unanswered_only=unanswered)]


@router.post("/projects/{code}/comments/{comment_id}/answer",
             response={200: CommentOut, 400: Problem, 403: Problem, 404: Problem, 409: Problem},
             summary="答复意见：采纳 / 部分采纳 / 未采纳（起草单位或省局）", **WORK)
def answer(request, code: str, comment_id: Path[DbId], body: AnswerIn):
    project = web.api_project(request, code)
    comment = get_object_or_404(PublicComment, pk=comment_id, project=project)
    try:
        comment = consultation_actions.answer_comment(comment=comment, resolution=body.resolution, response=body.response,
                                     by=request.auth, expected_answered_at=body.expected)
    except errors.NotAllowed as exc:
        raise HttpError(403, str(exc)) from exc
    except errors.StaleAnswer as exc:
        raise HttpError(409, str(exc)) from exc
    except errors.LifecycleError as exc:
        raise HttpError(400, str(exc)) from exc
    show = may_see_comment_contacts(request.auth, project)
    return consultation_queries.comment_view(comment, show_contact=show, labels={} if show else consultation_queries.project_sender_labels(project))
