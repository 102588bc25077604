"""Comparison API: compare two standards (catalogue numbers or uploaded files), read a stored comparison, its
limit verdicts and exports, and find the counterparts of a standard."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from accounts.api_auth import RoleAuth, access_extra
from accounts.roles import Action
from compare import actions, services

router = Router(tags=["标准比对 Standards comparison"])
RUN = {"auth": RoleAuth(Action.COMPARE_RUN), "openapi_extra": access_extra(Action.COMPARE_RUN)}


class Problem(Schema):
    detail: str


class Refused(Schema):
    detail: str
    # When A or B could not be read: which side and why (no verdicts are given then).
    report: dict | None = None


class ComparisonStatus(Schema):
    id: int
    key: str
    # queued | running | done | failed: a comparison runs on the worker; poll status_url until done or failed
    status: str
    progress: int  # per cent
    step: str  # what the worker is doing now (Chinese)
    failure: str  # why it failed (Chinese), empty otherwise
    url: str  # the permanent link: the progress page while it runs, then the report
    status_url: str


class ComparisonSummary(ComparisonStatus):
    a_label: str
    b_label: str
    a_number: str
    b_number: str
    unlawful_count: int
    created_at: datetime
    created_by: str


class ComparisonOut(ComparisonSummary):
    report: dict  # empty until the comparison is done


class LimitPairOut(Schema):
    parameter: str
    a: str | None
    b: str | None
    unit: str | None
    verdict: str
    reason: str | None = None
    # what the verdict rests on that could not be checked (grades matched by name, B's scope not covering A's)
    caveat: str | None = None
    condition_a: str | None = None
    condition_b: str | None = None


class CounterpartOut(Schema):
    number: str
    title_zh: str
    level: str
    level_label: str
    status: str
    status_label: str
    score: float
    reasons: list[str]


class CompareForm(Schema):
    a_number: str = ""
    b_number: str = ""


def _status(c, request) -> dict:
    return {"id": c.pk, "key": c.key, "status": c.status, "progress": c.progress, "step": c.step,
            "failure": c.failure, "url": request.build_absolute_uri(c.get_absolute_url()),
            "status_url": request.build_absolute_uri(reverse("api:comparison_status", args=[c.key]))}


def _summary(c, request) -> dict:
    return _status(c, request) | {
        "a_label": c.a_label, "b_label": c.b_label, "a_number": c.a_number, "b_number": c.b_number,
        "unlawful_count": c.unlawful_count, "created_at": c.created_at,
        "created_by": str(c.created_by) if c.created_by else ""}


@router.post("/", response={201: ComparisonOut, 202: ComparisonOut, 400: Refused},
             summary="比对两项标准并保存（A、B 为标准号或上传文件）：202 表示已排队，按 status_url 查询进度；201 表示已有结果", **RUN)
def create_comparison(request, form: Form[CompareForm], a_file: File[UploadedFile] = None,
                      b_file: File[UploadedFile] = None):
    try:
        comparison = actions.request_comparison(a=actions.Given(form.a_number, a_file),
                                                b=actions.Given(form.b_number, b_file), by=request.auth)
    except services.SideUnreadable as exc:
        return Status(400, {"detail": str(exc), "report": exc.report})
    except services.ComparisonRefused as exc:
        return Status(400, {"detail": str(exc), "report": None})
    code = 201 if comparison.status == comparison.Status.DONE else 202
    return Status(code, {**_summary(comparison, request), "report": comparison.report})


@router.get("/", response=list[ComparisonSummary], summary="我的比对记录（省局可见全部）", **RUN)
def list_comparisons(request, mine: bool = False, limit: int = Query(50, ge=1, le=500)):
    rows = services.visible_comparisons(request.auth, mine_only=mine)[:limit]
    return [_summary(c, request) for c in rows]


@router.get("/counterparts", response={200: list[CounterpartOut], 400: Problem},
            summary="寻找对应标准：按可能性排列目录中的标准", **RUN)
def counterparts(request, number: str, top: int = Query(20, ge=1, le=100)):
    try:
        matches = services.counterparts_of_number(number, top=top)
    except services.ComparisonRefused as exc:
        return Status(400, {"detail": str(exc)})
    return [services.counterpart_row(m) for m in matches]


def _visible(request, key: str):
    """(the comparison, None), or (None, the 404 or 403 answer to give instead)."""
    try:
        return services.comparison_for(request.auth, key), None
    except Http404 as exc:
        return None, Status(404, {"detail": str(exc)})
    except PermissionDenied as exc:
        return None, Status(403, {"detail": str(exc)})


@router.get("/{key}/status", response={200: ComparisonStatus, 403: Problem, 404: Problem},
            summary="一项比对的进度（queued|running|done|failed）", url_name="comparison_status", **RUN)
def comparison_status(request, key: str):
    c, refusal = _visible(request, key)
    if refusal:
        return refusal
    return _status(c, request)


@router.get("/{key}", response={200: ComparisonOut, 403: Problem, 404: Problem}, summary="一项比对的完整报告", **RUN)
def comparison(request, key: str):
    c, refusal = _visible(request, key)
    if refusal:
        return refusal
    return {**_summary(c, request), "report": c.report}


@router.get("/{key}/limits", response={200: list[LimitPairOut], 403: Problem, 404: Problem},
            summary="限值比对结论（从 A 的角度：stricter|looser|equal|only_a|only_b|not_comparable|expired）", **RUN)
def comparison_limits(request, key: str, verdict: str | None = None):
    c, refusal = _visible(request, key)
    if refusal:
        return refusal
    return [p for p in c.report.get("limits", []) if verdict is None or p["verdict"] == verdict]


@router.get("/{key}/export", response={200: None, 400: Problem, 403: Problem, 404: Problem, 409: Problem},
            summary="导出比对报告（format=xlsx 或 pdf）", **RUN)
def export(request, key: str, format: str = "xlsx"):
    c, refusal = _visible(request, key)
    if refusal:
        return refusal
    if c.status != c.Status.DONE:
        return Status(409, {"detail": "比对尚未完成，完成后才能导出报告"})
    try:
        data, content_type, filename = services.export_comparison(
            c, format, link=request.build_absolute_uri(c.get_absolute_url()))
    except services.ComparisonRefused as exc:
        return Status(400, {"detail": str(exc)})
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
