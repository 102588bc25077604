"""Batch import of standards (批量导入): preview every row, then write all-or-nothing or only the valid rows.

Every row is checked against the importing user's rights (catalogue.rights) in the preview and again in the
commit, which never trusts the preview: a row touching a standard outside the user's region is a row error.
"""

from __future__ import annotations

import hashlib
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.models import ImportBatch, Standard
from catalogue.rights import restrict_table
from catalogue.services import Progress, _Reference, record_hash, upsert_standards
from catalogue.table_reader import read_table
from yuebiao.messages import stored_fields
from yuebiao.refusals import ImportRefused


def max_import_bytes() -> int:
    return settings.YUEBIAO_MAX_IMPORT_BYTES


def too_large_message(size: int) -> str:
    return f"文件大小 {size / 1024 / 1024:.1f} MB，超过导入上限 {max_import_bytes() / 1024 / 1024:.0f} MB，请拆分后分批导入"


def _read_upload(data: bytes, filename: str):
    ref = _Reference.load()
    return read_table(
        data,
        filename,
        max_bytes=max_import_bytes(),
        known_ics=ref.ics,
        known_ccs=ref.ccs,
        known_regions=set(ref.divisions),
    )


def preview_import(*, data: bytes, filename: str, by) -> "ImportBatch":
    """Check every row of an uploaded list and keep the file for confirmation; nothing reaches the catalogue.

    Raises catalogue.table_vocabulary.TabularError for a file that cannot be read at all (nothing is kept then either)."""
    return _preview(data=data, filename=filename, by=by)[0]


def _row_error(e) -> dict:
    """A row error as the report keeps it: the Chinese text (read by the command line and the API) and, for the
    pages, the message ids and parameters that render it in the reader's language (yuebiao.messages)."""
    return {"row": e.row, "column": e.column, "message": e.message,
            **stored_fields("column", e.column), **stored_fields("message", e.message)}


def _rows_report(table) -> dict:
    """The row counts and row errors of a checked (and rights-restricted) table, as the batch report keeps them."""
    return {
        "encoding": table.encoding,
        "total_rows": table.total_rows,
        "valid_rows": len(table.records),
        "error_rows": len({e.row for e in table.errors}),
        "errors": [_row_error(e) for e in table.errors],
        "warnings": list(table.warnings),
        "warning_messages": [{"message": w, **stored_fields("message", w)} for w in table.warnings],
    }


def _preview(*, data: bytes, filename: str, by):
    table = _read_upload(data, filename)
    restrict_table(table, by)
    numbers = [r["number"] for _, r in table.records]
    existing = dict(Standard.objects.filter(number__in=numbers).values_list("number", "record_hash"))
    source = f"import:{by.username}" if by is not None else "import"
    new = changed = same = 0
    for _, record in table.records:
        digest = existing.get(record["number"])
        if digest is None:
            new += 1
        elif digest == record_hash(record, source=source, is_demo=False):
            same += 1
        else:
            changed += 1
    report = {
        **_rows_report(table),
        "would_create": new,
        "would_update": changed,
        "would_keep": same,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
    }
    batch = ImportBatch.objects.create(
        uploaded_by=by,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        report=report,
    )
    return batch, table


def commit_import(*, batch, valid_only: bool, by, table=None, progress: Progress = None) -> "ImportBatch":
    """Write a previewed batch in one transaction: all rows (refused if any row has an error) or only the valid
    ones. A batch is committed once; importing the same file again creates no duplicates (rows are matched by
    canonical number and unchanged rows are not written). Rows `by` may not write are row errors here too,
    whatever the preview said: rights may have changed since, and a caller may pass any table."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportBatch.State.PREVIEWED:
            raise ImportRefused(f"该批次已处理（{locked.get_state_display()}），请重新上传")
        # The stored file is read again unless the caller has just read it (same request or command).
        if table is None:
            table = _read_upload(bytes(locked.content), locked.filename)
        restrict_table(table, by)
        if table.errors and not valid_only:
            raise ImportRefused(
                f"有 {len({e.row for e in table.errors})} 行存在错误，整批未导入；请修改后重新上传，或选择“仅导入有效行”"
            )
        if not table.records:
            first = f"（第 {table.errors[0].row} 行：{table.errors[0].message}）" if table.errors else ""
            raise ImportRefused(f"没有可导入的有效行{first}")
        source = f"import:{by.username}" if by is not None else "import"
        result = upsert_standards([r for _, r in table.records], source=source, progress=progress, by=by,
                                  context={"import_batch": locked.pk})
        locked.state = ImportBatch.State.COMMITTED
        locked.committed_at = timezone.now()
        locked.report = {
            **locked.report,
            **_rows_report(table),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "valid_only": valid_only,
        }
        locked.save(update_fields=["state", "committed_at", "report"])
    return locked


def import_report(batch) -> dict:
    report = batch.report
    return {
        "batch_id": batch.pk,
        "state": batch.state,
        "filename": batch.filename,
        **{k: report.get(k) for k in ("encoding", "total_rows", "valid_rows", "error_rows", "errors", "warnings")},
        "created": report.get("created", 0),
        "updated": report.get("updated", 0),
        "unchanged": report.get("unchanged", 0),
    }


def import_file(
    *, data: bytes, filename: str, valid_only: bool = False, by=None, dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Preview and, unless dry_run, commit in one go (command line, API). Returns the report.

    `progress(stage, done, total)` is told when the file has been checked and as rows are written."""
    batch, table = _preview(data=data, filename=filename, by=by)
    if progress:
        progress("checked", table.total_rows, table.total_rows)
    if not dry_run:
        written = 0

        def step(n: int) -> None:
            nonlocal written
            written += n
            if progress:
                progress("written", written, len(table.records))

        batch = commit_import(batch=batch, valid_only=valid_only, by=by, table=table, progress=step)
    return import_report(batch) | {
        k: batch.report.get(k) for k in ("would_create", "would_update", "would_keep")
    }
