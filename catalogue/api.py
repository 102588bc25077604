"""Catalogue API: search, detail by number, export, and import for authorised roles."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from accounts.api_auth import PUBLIC, RoleAuth, access_extra
from accounts.roles import Action
from catalogue import full_text, imports, queries
from catalogue.models import FullTextJob
from catalogue.search import SearchInputError
from catalogue.services import (
    MAX_FULL_TEXT_BYTES, FullTextNotAllowed, FullTextRefused, RecordError, check_full_text_rights,
    full_text_too_large,
)
from catalogue.table_vocabulary import TabularError

router = Router(tags=["标准目录 Catalogue"])


class SearchParams(Schema):
    q: str = ""
    level: list[str] = []
    status: list[str] = []
    nature: list[str] = []
    ics: str | None = None
    ccs: str | None = None
    city: str | None = None
    sector: str | None = None
    year_from: int | None = Field(None, ge=1900, le=2100)
    year_to: int | None = Field(None, ge=1900, le=2100)
    sort: str = "relevance"
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)
    facets: bool = False


class StandardSummary(Schema):
    number: str
    slug: str
    title_zh: str
    title_en: str
    level: str
    nature: str | None
    status: str
    published_on: date | None
    implemented_on: date | None
    ics_codes: list[str]
    ccs_code: str | None
    city: str | None
    is_demo: bool
    url: str


class FacetValue(Schema):
    value: str
    label: str
    count: int
    lang: str | None = None  # set when the label is not in the interface's language (ICS titles are English only)


class NearNumber(StandardSummary):
    """A standard whose number is near what was typed, and how it differs."""

    differences: list[str] = Field(description="nature (/T or /Z), year, part, prefix (none typed), region "
                                               "(DB4403 for DB44); empty: the same number written differently")
    difference_labels: list[str]


class SearchOut(Schema):
    total: int
    page: int
    page_size: int
    pages: int
    interpretation: str
    ranked: bool = False  # word matches ordered by relevance (up to 5,000 matches; newest first beyond)
    # No record contains every word: the items contain some of them, those with more of the words first.
    partial: bool = False
    items: list[StandardSummary]
    facets: dict[str, list[FacetValue]]
    # Nothing found for a number, but these numbers are near it ("did you mean"), nearest first.
    did_you_mean: list[NearNumber] = []


class Relation(Schema):
    number: str
    title_zh: str | None
    slug: str | None
    status: str | None


class StandardDetail(StandardSummary):
    withdrawn_on: date | None
    adoption_degree: str | None
    adopted_standard: str | None
    technical_committee: str
    issuing_authority: str
    drafting_organisations: list[str]
    region_code: str | None
    region_name: str | None
    sectors: list[str]
    scope: str
    notes: str
    replaces: list[Relation]
    replaced_by: list[Relation]
    source: str
    updated_at: datetime


class ImportRowError(Schema):
    row: int
    column: str | None
    message: str


class ImportReport(Schema):
    batch_id: int | None
    state: str
    filename: str
    encoding: str | None
    total_rows: int
    valid_rows: int
    error_rows: int
    errors: list[ImportRowError]
    warnings: list[str]
    created: int
    updated: int
    unchanged: int


class Problem(Schema):
    detail: str


class InvalidParameters(Schema):
    """What django-ninja answers (422) for a parameter of the wrong type."""

    detail: list[dict]


@router.get("/", response={200: SearchOut, 400: Problem, 422: InvalidParameters}, auth=None, openapi_extra=PUBLIC, summary="检索标准")
def search_standards(request, params: Query[SearchParams]):
    try:
        return queries.search_page(**params.dict())
    except SearchInputError as exc:
        return Status(400, {"detail": str(exc)})


@router.get(
    "/export", auth=None, openapi_extra=PUBLIC, summary="导出检索结果（Excel 或 CSV）", response={200: None, 400: Problem, 422: InvalidParameters}
)
def export_standards(request, params: Query[SearchParams], format: str = "xlsx"):
    try:
        body, content_type, filename = queries.export_search(format=format, **params.dict())
    except SearchInputError as exc:
        return Status(400, {"detail": str(exc)})
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/by-number", response={200: StandardDetail, 404: Problem, 422: InvalidParameters}, auth=None,
            openapi_extra=PUBLIC, summary="按标准号查询")
def standard_by_number(request, number: str):
    detail = queries.standard_detail_by_number(number)
    if detail is None:
        return Status(404, {"detail": f"目录中没有标准“{number}”"})
    return detail


@router.post(
    "/import",
    response={200: ImportReport, 400: Problem, 401: Problem, 403: Problem, 413: Problem, 422: InvalidParameters},
    auth=RoleAuth(Action.CATALOGUE_IMPORT),
    openapi_extra=access_extra(Action.CATALOGUE_IMPORT),
    summary="批量导入标准（先预览，后确认）",
)
def import_standards(request, file: File[UploadedFile], mode: str = "preview"):
    """mode: `preview` checks every row and writes nothing; `all` writes only if every row is valid;
    `valid_only` writes the valid rows and reports the rest."""
    if mode not in ("preview", "all", "valid_only"):
        raise HttpError(400, "mode 只能是 preview、all 或 valid_only")
    if file.size and file.size > imports.max_import_bytes():
        return Status(413, {"detail": imports.too_large_message(file.size)})
    try:
        report = imports.import_file(
            data=file.read(), filename=file.name or "upload", valid_only=mode == "valid_only", by=request.auth,
            dry_run=mode == "preview",
        )
    except (TabularError, imports.ImportRefused, RecordError) as exc:
        return Status(400, {"detail": str(exc)})
    return report


class FullTextJobOut(Schema):
    id: int
    standard: str
    filename: str
    size: int
    state: str = Field(description="queued、running、done 或 failed")
    state_label: str
    error: str = Field(description="failed 时未保存的原因（中文）")
    status_url: str = Field(description="查询本任务状态的 API 地址")
    page_url: str = Field(description="显示本任务进度的页面")
    standard_url: str


def _job_out(job: FullTextJob) -> dict:
    slug = job.standard.slug
    return {
        "id": job.pk, "standard": job.standard.number, "filename": job.filename, "size": job.size,
        "state": job.state, "state_label": str(job.get_state_display()), "error": job.error,
        "status_url": f"/api/standards/full-text-jobs/{job.pk}",
        "page_url": reverse("catalogue:full-text-job", args=[slug, job.pk]),
        "standard_url": f"/api/standards/{slug}",
    }


@router.post(
    "/{slug}/full-text",
    response={202: FullTextJobOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem},
    auth=RoleAuth(Action.CATALOGUE_EDIT),
    openapi_extra=access_extra(Action.CATALOGUE_EDIT),
    summary="上传标准全文（后台读取并保存）",
    description="文件（PDF 或 Word .docx）先检查类型与大小，再由后台任务读取条款结构并保存；返回 202 与任务状态地址。"
                "无法读取的文件不保存，任务状态为 failed 并给出原因。",
)
def attach_full_text(request, slug: str, file: File[UploadedFile]):
    std = queries.find_standard(slug)
    if std is None:
        return Status(404, {"detail": f"目录中没有标准“{slug}”"})
    try:
        check_full_text_rights(standard=std, by=request.auth)
        if file.size and file.size > MAX_FULL_TEXT_BYTES:  # refused before the file is read into memory
            return Status(413, {"detail": full_text_too_large(file.size)})
        job = full_text.request_full_text(standard=std, data=file.read(), filename=file.name or "upload",
                                          by=request.auth)
    except FullTextNotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    except FullTextRefused as exc:
        return Status(400, {"detail": str(exc)})
    return Status(202, _job_out(job))


@router.get("/full-text-jobs/{job_id}", response={200: FullTextJobOut, 401: Problem, 403: Problem, 404: Problem},
            auth=RoleAuth(Action.CATALOGUE_EDIT), openapi_extra=access_extra(Action.CATALOGUE_EDIT),
            summary="全文上传任务的状态")
def full_text_job(request, job_id: int):
    job = full_text.job_for(request.auth, job_id)
    if job is None:
        return Status(404, {"detail": "没有这个全文处理任务"})
    return _job_out(job)


@router.get("/{slug}", response={200: StandardDetail, 404: Problem}, auth=None, openapi_extra=PUBLIC,
            summary="标准详情")
def standard_detail(request, slug: str):
    detail = queries.standard_detail_by_slug(slug)
    if detail is None:
        return Status(404, {"detail": f"目录中没有标准“{slug}”"})
    return detail
