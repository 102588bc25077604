"""API of machine-readable standards: a standard's structure, and parsing or checking an uploaded draft."""

from __future__ import annotations

from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from accounts.api_auth import PUBLIC, RoleAuth, access_extra
from accounts.roles import Action
from catalogue.queries import find_standard
from smart.checks import check
from smart.errors import DocumentLimitError, SmartError
from smart.services import catalogue_status, read_untrusted, structured_of

router = Router(tags=["机器可读标准 Machine-readable standards"])
MAX_DRAFT_BYTES = 50 * 1024 * 1024


class Problem(Schema):
    detail: str


class FindingOut(Schema):
    code: str
    severity: str
    clause: str | None
    message: str
    fix: str


class CheckOut(Schema):
    number: str | None
    findings: list[FindingOut]


def _read(file: UploadedFile):
    """The upload read in smart's limited worker (smart.sandbox), never in this process."""
    if file.size and file.size > MAX_DRAFT_BYTES:
        raise DocumentLimitError(f"文件超过 {MAX_DRAFT_BYTES // 2**20} MB 上限", limit="upload_bytes")
    return read_untrusted(file.read(), file.name or "upload")


def _refusal(exc: SmartError):
    """413 for a document over a limit on untrusted documents (docs/security.md), 400 for one that cannot be read."""
    return Status(413 if isinstance(exc, DocumentLimitError) else 400, {"detail": str(exc)})


UNTRUSTED = {400: Problem, 401: Problem, 403: Problem, 413: Problem}


@router.post("/parse", response={200: dict, **UNTRUSTED}, auth=RoleAuth(Action.AUTHENTICATED),
             openapi_extra=access_extra(Action.AUTHENTICATED), summary="解析上传的标准文本（不保存）",
             description="413：文档超过不可信文档的限制（段落数、页数、解压后大小、解析时间或内存等）。")
def parse(request, file: File[UploadedFile]):
    try:
        return _read(file).to_dict()
    except SmartError as exc:
        return _refusal(exc)


@router.post("/check", response={200: CheckOut, **UNTRUSTED}, auth=RoleAuth(Action.AUTHENTICATED),
             openapi_extra=access_extra(Action.AUTHENTICATED), summary="按 GB/T 1.1 检查上传的草案（不保存）",
             description="413：文档超过不可信文档的限制（段落数、页数、解压后大小、解析时间或内存等）。")
def check_draft(request, file: File[UploadedFile]):
    try:
        doc = _read(file)
    except SmartError as exc:
        return _refusal(exc)
    return {"number": doc.metadata.number, "findings": [f.to_dict() for f in check(doc, status_of=catalogue_status)]}


# Last: a slug route defined first would also match /parse and /check.
@router.get("/{slug}", response={200: dict, 404: Problem}, auth=None, openapi_extra=PUBLIC,
            summary="标准的机器可读文本（JSON）")
def structure(request, slug: str):
    std = find_standard(slug)
    structured = structured_of(std) if std else None
    if structured is None or structured.document is None:
        return Status(404, {"detail": f"“{slug}”没有机器可读文本"})
    return structured.document
