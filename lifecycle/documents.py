"""A project's documents (项目文件): check the upload's type and the uploader's part, store a new version with
its SHA-256, record the hash in the trail.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from lifecycle import transitions as rules
from lifecycle.access import project_roles
from lifecycle.errors import DocumentRefused
from lifecycle.models import (
    LocalStandardProject,
    ProjectDocument,
)
from lifecycle.outline import draft_outline
from lifecycle.transitions import Doc, Role
from trail.services import record
from yuebiao import files

Project = LocalStandardProject


MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def _check_zip_entries(data: bytes, filename: str) -> None:
    """A package of too many entries is refused before zipfile reads its whole directory (smart.guard's limit)."""
    try:
        from smart.errors import DocumentLimitError
        from smart.guard import check_zip_entries
    except ImportError:  # the machine-readable room is optional
        return
    try:
        check_zip_entries(data)
    except DocumentLimitError as exc:
        raise DocumentRefused(f"“{filename}”无法读取：{exc}") from exc


def sniff_document(data: bytes, filename: str) -> str:
    """'pdf', 'docx' or 'xlsx' from the bytes (yuebiao.files); anything else is refused with the reason."""
    if not data:
        raise DocumentRefused("文件为空")
    if data.startswith(files.ZIP_MAGIC):
        _check_zip_entries(data, filename)
    kind = files.sniff(data, filename)
    if kind in (files.PDF, files.DOCX, files.XLSX):
        return kind
    if kind == files.BROKEN_ZIP:
        raise DocumentRefused(f"“{filename}”是损坏的压缩文件")
    if kind == files.ZIP:
        raise DocumentRefused(f"“{filename}”是压缩包，不是 Word（.docx）或 Excel（.xlsx）文件")
    if kind in files.OFFICE_97_KINDS:
        raise DocumentRefused(f"“{filename}”是旧版 Office（.doc/.xls）文件，请另存为 .docx 或 .xlsx 后上传")
    raise DocumentRefused(f"“{filename}”不是 PDF、Word（.docx）或 Excel（.xlsx）文件")


# Who may upload which kind (besides the bureau, which may upload any).
UPLOADERS: dict[Doc, frozenset[Role]] = {
    Doc.APPLICATION: frozenset({Role.PROPOSER}),
    Doc.DRAFT_FOR_COMMENT: frozenset({Role.DRAFTER}),
    Doc.EXPLANATORY_REPORT: frozenset({Role.DRAFTER}),
    Doc.COMMENT_TABLE: frozenset({Role.DRAFTER}),
    Doc.DRAFT_FOR_REVIEW: frozenset({Role.DRAFTER}),
    Doc.REVIEW_MINUTES: frozenset({Role.COMMITTEE}),
    Doc.DRAFT_FOR_APPROVAL: frozenset({Role.DRAFTER}),
    Doc.PUBLISHED_TEXT: frozenset(),
    Doc.EVALUATION_REPORT: frozenset({Role.EVALUATOR}),
    Doc.REVIEW_CONCLUSION: frozenset(),
    Doc.OTHER: frozenset({Role.PROPOSER, Role.DRAFTER, Role.COMMITTEE, Role.EVALUATOR}),
}
# The kinds that must be a PDF or Word text (a spreadsheet is accepted only for the comment table).
_TEXT_ONLY = set(Doc) - {Doc.COMMENT_TABLE, Doc.OTHER}


def upload_document(
    *, project: Project, kind: str, data: bytes, filename: str, by: User | None, note: str = "",
    _roles: frozenset[Role] | None = None,
) -> ProjectDocument:
    """Store a new version of one of the project's documents with its SHA-256; the trail records the hash.

    A draft for comment is read first, in smart's limited worker and before anything is locked or stored, for the
    clause outline the public consultation page shows (the page never parses); one over the limits on untrusted
    documents, or encrypted, is refused and nothing is stored (consultation.draft_outline).
    """
    try:
        doc_kind = Doc(kind)
    except ValueError as exc:
        raise DocumentRefused(f"未知的文件类型：{kind}") from exc
    outline = None
    if doc_kind == Doc.DRAFT_FOR_COMMENT:
        # the same checks as below, without the lock, so that nobody can make the server parse what it would refuse
        _check_upload(project, doc_kind, _roles if _roles is not None else project_roles(by, project), data, filename)
        outline = draft_outline(data, filename)
    return _store_document(project=project, doc_kind=doc_kind, data=data, filename=filename, by=by, note=note,
                           roles=_roles, outline=outline)


def _check_upload(project: Project, doc_kind: Doc, roles: frozenset[Role], data: bytes, filename: str) -> str:
    """The upload's content type ('pdf', 'docx', 'xlsx'), or DocumentRefused with the reason."""
    if Role.BUREAU not in roles and not (UPLOADERS[doc_kind] & roles):
        raise DocumentRefused(f"当前账户不能上传“{rules.DOC_LABELS[doc_kind][0]}”")
    if project.state in rules.TERMINAL:
        raise DocumentRefused("项目已结束，不能再上传文件")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentRefused(f"文件 {len(data) / 2**20:.1f} MB，超过 {MAX_DOCUMENT_BYTES // 2**20} MB 上限")
    content_type = sniff_document(data, filename)
    if doc_kind in _TEXT_ONLY and content_type == "xlsx":
        raise DocumentRefused(f"“{rules.DOC_LABELS[doc_kind][0]}”须为 PDF 或 Word（.docx）文件")
    return content_type


@transaction.atomic
def _store_document(*, project: Project, doc_kind: Doc, data: bytes, filename: str, by: User | None, note: str,
                    roles: frozenset[Role] | None, outline: list[dict] | None) -> ProjectDocument:
    project = Project.objects.select_for_update().get(pk=project.pk)
    roles = roles if roles is not None else project_roles(by, project)
    content_type = _check_upload(project, doc_kind, roles, data, filename)
    digest = hashlib.sha256(data).hexdigest()
    version = (project.documents.filter(kind=doc_kind).aggregate(m=Max("version"))["m"] or 0) + 1
    doc = ProjectDocument(
        project=project, kind=doc_kind, version=version, filename=filename[:255], content_type=content_type,
        size=len(data), sha256=digest, note=note[:300], uploaded_by=by, outline=outline,
    )
    doc.file.save(f"{project.code}-{doc_kind}-v{version}-{digest[:12]}.{content_type}", ContentFile(data), save=False)
    doc.save()
    Project.objects.filter(pk=project.pk).update(version=project.version + 1, updated_at=timezone.now())
    record(project, actor=by, kind="document_uploaded", public=doc_kind in (Doc.DRAFT_FOR_COMMENT, Doc.PUBLISHED_TEXT),
           data={"document": doc_kind.value, "version": version, "filename": doc.filename, "sha256": digest,
                 "size": len(data)})
    return doc
