"""Comparison API: compare two standards (catalogue numbers or uploaded files), read a stored comparison, its
limit verdicts and exports, and find the counterparts of a standard."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from accounts.api_auth import RoleAuth, access_extra
from accounts.roles import Action
from compare import services

router = Router(tags=["标准比对 Standards comparison"])
RUN = {"auth": RoleAuth(Action.COMPARE_RUN), "openapi_extra": access_extra(Action.COMPARE_RUN)}


class Problem(Schema):
    detail: str


class Refused(Schema):
    detail: str
    # When A or B could not be read: which side and why (no verdicts are given then).
    report: dict | None = None


class ComparisonSummary(Schema):
    key: str
    url: str
    a_label: str
    b_label: str
    a_number: str
    b_number: str
    unlawful_count: int
    created_at: datetime
    created_by: str


class ComparisonOut(ComparisonSummary):
    report: dict


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


def _summary(c, request) -> dict:
    return {"key": c.key, "url": request.build_absolute_uri(c.get_absolute_url()), "a_label": c.a_label,
            "b_label": c.b_label, "a_number": c.a_number, "b_number": c.b_number,
            "unlawful_count": c.unlawful_count, "created_at": c.created_at,
            "created_by": str(c.created_by) if c.created_by else ""}


def _side(number: str, upload: UploadedFile | None, which: str) -> services.Side:
    if upload is not None:
        if upload.size and upload.size > services.MAX_UPLOAD_BYTES:
            return services.Side(label=upload.name or which, source="upload",
                                 problem=f"文件超过 {services.MAX_UPLOAD_BYTES // 2**20} MB 上限")
        return services.side_from_upload(upload.read(), upload.name or which)
    if not number.strip():
        raise services.ComparisonRefused(f"请给出标准 {which} 的标准号或上传其文件")
    return services.side_from_catalogue(number)


@router.post("/", response={201: ComparisonOut, 400: Refused}, summary="比对两项标准并保存（A、B 为标准号或上传文件）", **RUN)
def create_comparison(request, form: Form[CompareForm], a_file: File[UploadedFile] = None,
                      b_file: File[UploadedFile] = None):
    try:
        comparison = services.compare_sides(_side(form.a_number, a_file, "A"), _side(form.b_number, b_file, "B"),
                                            by=request.auth)
    except services.SideUnreadable as exc:
        return Status(400, {"detail": str(exc), "report": exc.report})
    except services.ComparisonRefused as exc:
        return Status(400, {"detail": str(exc), "report": None})
    return Status(201, {**_summary(comparison, request), "report": comparison.report})


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


@router.get("/{key}/export", response={200: None, 400: Problem, 403: Problem, 404: Problem},
            summary="导出比对报告（format=xlsx 或 pdf）", **RUN)
def export(request, key: str, format: str = "xlsx"):
    c, refusal = _visible(request, key)
    if refusal:
        return refusal
    try:
        data, content_type, filename = services.export_comparison(
            c, format, link=request.build_absolute_uri(c.get_absolute_url()))
    except services.ComparisonRefused as exc:
        return Status(400, {"detail": str(exc)})
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
