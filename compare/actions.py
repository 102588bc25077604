"""Use-case actions of standards comparison (标准比对): the one way a comparison is asked for and stored.

The page, the API and the command line all call `request_comparison` (or, for two sides already read,
`compare_sides`) and only translate its answer or its refusal. Asking checks the right, reads both sides (an
upload is parsed now, in smart's limited worker), refuses what cannot be compared, and stores the comparison as
queued with its trail event; the comparison itself runs on the worker (`compare.tasks`), or inline when the caller
waits for it (the command line, the demo).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.db import transaction

from accounts.permissions import can
from accounts.roles import Action
from compare import tasks
from compare.models import Comparison
from compare.services import (
    ENGINE, MAX_UPLOAD_BYTES, ComparisonRefused, Side, SideUnreadable, side_from_catalogue, side_from_upload,
    unreadable,
)
from trail.services import record

Progress = Callable[[str, int], None]


class Upload(Protocol):
    """An uploaded file as Django (and so django-ninja) gives it."""

    name: str | None
    size: int | None

    def read(self) -> bytes: ...


@dataclass
class Given:
    """What a person gave for one side: a catalogue number, or a file (the file wins when both are given)."""

    number: str = ""
    upload: Upload | None = None


def side_from_given(given: Given, which: str) -> Side:
    """The side a person asked for; a file over the limit is a side with its problem, without being read."""
    upload = given.upload
    if upload is not None:
        name = upload.name or which
        if upload.size and upload.size > MAX_UPLOAD_BYTES:
            return Side(label=name, source=Comparison.Source.UPLOAD,
                        problem=f"文件超过 {MAX_UPLOAD_BYTES // 2**20} MB 上限")
        return side_from_upload(upload.read(), name)
    if not (given.number or "").strip():
        raise ComparisonRefused(f"标准 {which}：请填写标准号或上传文件")
    return side_from_catalogue(given.number)


def request_comparison(*, a: Given, b: Given, by, inline: bool = False,
                       progress: Progress | None = None) -> Comparison:
    """Compare what a person gave as A and B: the right is checked before any file is read."""
    if not can(by, Action.COMPARE_RUN):
        raise PermissionDenied(_("当前账户无权进行标准比对"))
    return compare_sides(side_from_given(a, "A"), side_from_given(b, "B"), by=by, inline=inline,
                         progress=progress)


def compare_sides(a: Side, b: Side, *, by, inline: bool = True, progress: Progress | None = None) -> Comparison:
    """Compare A with B and keep the result behind a permanent link.

    The same two texts compared again with the same engine give back the stored comparison (queued, running or
    done) instead of a second copy; for uploaded files only the same user's, because an upload is visible only to
    whoever made it. A new comparison is one INSERT and its trail event; the work runs after, outside any
    transaction (SQLite takes its write lock when a transaction begins, and the alignment must not hold up every
    other writer): on the worker, or here when `inline`.
    """
    if not can(by, Action.COMPARE_RUN):
        raise PermissionDenied(_("当前账户无权进行标准比对"))
    failed = unreadable(a, b)
    if failed:
        raise SideUnreadable(failed)
    existing = _stored(a, b, by)
    if existing is not None:
        return existing
    comparison = _queue(a, b, by)
    if inline:
        tasks.run(comparison.pk, progress=progress)
    else:
        tasks.run_comparison.enqueue(comparison.pk)
    comparison.refresh_from_db()
    return comparison


def _stored(a: Side, b: Side, by) -> Comparison | None:
    same = Comparison.objects.filter(a_sha256=a.sha256, b_sha256=b.sha256, engine=ENGINE, a_source=a.source,
                                     b_source=b.source, a_standard=a.standard, b_standard=b.standard)
    if a.source == Comparison.Source.UPLOAD or b.source == Comparison.Source.UPLOAD:
        same = same.filter(created_by=by)
    return same.exclude(status=Comparison.Status.FAILED).first()


def _queue(a: Side, b: Side, by) -> Comparison:
    """The queued comparison with both texts as they are now, and its "created" trail event, in one transaction."""
    assert a.document is not None and b.document is not None
    with transaction.atomic():
        comparison = Comparison.objects.create(
            key=secrets.token_urlsafe(12), a_label=a.label[:300], b_label=b.label[:300], a_number=a.number[:80],
            b_number=b.number[:80], a_source=a.source, b_source=b.source, a_standard=a.standard,
            b_standard=b.standard, a_sha256=a.sha256, b_sha256=b.sha256, a_document=a.document.to_dict(),
            b_document=b.document.to_dict(), report={}, engine=ENGINE, status=Comparison.Status.QUEUED,
            step="排队等候", created_by=by,
        )
        record(comparison, actor=by, kind="created", data=_sides_of(comparison) | {"key": comparison.key,
                                                                                   "engine": ENGINE})
    return comparison


def _sides_of(comparison: Comparison) -> dict[str, Any]:
    return {side: {"label": getattr(comparison, f"{side}_label"), "number": getattr(comparison, f"{side}_number"),
                   "source": str(getattr(comparison, f"{side}_source")),
                   "sha256": getattr(comparison, f"{side}_sha256")}
            for side in ("a", "b")}
