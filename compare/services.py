"""Reading for standards comparison (标准比对): the two sides, who may see a comparison, its page and its exports.

A side is a catalogue standard (its stored machine-readable text) or an uploaded file (parsed on the spot).
The comparison itself is the pure core (`compare.report`); storing it and running it on the worker are the
use-case actions (`compare.actions`); this module reads: the sides, who may see what, the report page, exports.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.permissions import can
from accounts.roles import Action
from catalogue.models import Standard
from catalogue.numbers import try_parse_number
from catalogue.services import MAX_FULL_TEXT_BYTES
from compare import counterparts, exports
from compare.diff import side_by_side_rows
from compare.models import Comparison
from compare.report import compare_documents, export_filename, unreadable_report
from smart.errors import SmartError
from smart.model import StandardDocument
from smart.services import read_untrusted

# Bump when the core's output changes meaning: stored reports of an older engine are not reused.
ENGINE = "2"
MAX_UPLOAD_BYTES = MAX_FULL_TEXT_BYTES


class ComparisonRefused(Exception):
    """A comparison that cannot be made as asked; str() is the Chinese message for the user."""


class SideUnreadable(ComparisonRefused):
    """A or B could not be read: nothing is compared, and `report` says which side and why (no verdicts)."""

    def __init__(self, report: dict[str, Any]):
        super().__init__(report["message"])
        self.report = report


@dataclass
class Side:
    """One side of a comparison: what it is called, where it came from, and its parsed text (or why not)."""

    label: str
    source: str  # Comparison.Source
    sha256: str = ""
    number: str = ""
    standard: Standard | None = None
    document: StandardDocument | None = None
    problem: str | None = None


def find_standard(text: str) -> Standard | None:
    """The catalogue standard a typed number means; an undated number means the newest edition in force."""
    parsed = try_parse_number(text.strip())
    if parsed is None:
        return None
    exact = Standard.objects.filter(number=parsed.canonical).first()
    if exact is not None or parsed.year:
        return exact
    editions = Standard.objects.filter(prefix=parsed.prefix, sequence=parsed.sequence, part=parsed.part or "")
    return (editions.filter(status=Standard.Status.CURRENT).order_by("-year").first()
            or editions.order_by("-year").first())


def side_from_catalogue(text: str) -> Side:
    """A catalogue standard by number; a standard without a readable text is a side with its `problem` said."""
    std = find_standard(text)
    if std is None:
        if try_parse_number(text.strip()) is None:
            raise ComparisonRefused(f"“{text.strip()}”不是可识别的标准号")
        raise ComparisonRefused(f"标准目录中没有“{text.strip()}”")
    side = Side(label=f"{std.number} {std.title_zh}", source=Comparison.Source.CATALOGUE, number=std.number,
                standard=std)
    structured = getattr(std, "structured", None) if std.full_text else None
    if not std.full_text:
        side.problem = "目录中尚无该标准的全文，请先上传全文"
    elif structured is None:
        side.problem = "该标准的全文尚未结构化"
    elif structured.error:
        side.problem = structured.error
    else:
        side.sha256 = structured.source_sha256
        side.document = StandardDocument.from_dict(structured.document)
        # the catalogue record is the authority for number and title; the cover parse may have missed them
        side.document.metadata.number = side.document.metadata.number or std.number
        side.document.metadata.title_zh = side.document.metadata.title_zh or std.title_zh
    return side


def side_from_upload(data: bytes, filename: str) -> Side:
    """An uploaded PDF, Word or text file, parsed now in smart's limited worker; a file that cannot be read (or is
    over the limits on untrusted documents) is a side with its problem."""
    name = Path(filename or "upload").name[:200]
    side = Side(label=name, source=Comparison.Source.UPLOAD, sha256=hashlib.sha256(data).hexdigest())
    if not data:
        side.problem = "文件为空"
    elif len(data) > MAX_UPLOAD_BYTES:
        side.problem = f"文件 {len(data) / 2**20:.1f} MB，超过 {MAX_UPLOAD_BYTES // 2**20} MB 上限"
    else:
        try:
            side.document = read_untrusted(data, name)
        except SmartError as exc:
            side.problem = str(exc)
    if side.document is not None:
        side.number = side.document.metadata.number or ""
        if side.number:
            side.label = f"{side.number}（{name}）"
    return side


def side_from_argument(text: str) -> Side:
    """For the command line: an existing file path, otherwise a catalogue number."""
    path = Path(text)
    if path.is_file():
        return side_from_upload(path.read_bytes(), path.name)
    if try_parse_number(text) is None:
        return Side(label=text, source=Comparison.Source.UPLOAD, problem=f"找不到文件“{text}”，它也不是可识别的标准号")
    return side_from_catalogue(text)


def unreadable(a: Side, b: Side) -> dict[str, Any] | None:
    """The report that says which side could not be read, or None when both were read."""
    problems = {k: (s.label, s.problem) for k, s in (("a", a), ("b", b)) if s.document is None}
    return unreadable_report(problems) if problems else None


def report_of(a: Side, b: Side, *, progress=None) -> dict[str, Any]:
    """The comparison report of two sides, without storing anything (the command line's `--format json`)."""
    failed = unreadable(a, b)
    if failed:
        raise SideUnreadable(failed)
    report = compare_documents(a.document, b.document, progress=progress)
    report["a"]["label"], report["b"]["label"] = a.label, b.label
    return report


def can_view(user, comparison: Comparison) -> bool:
    """A comparison of two catalogue texts compares published standards, whose texts anyone may read on their
    pages: its permanent link opens for everyone, signed in or not. One with an upload only for its maker and the
    provincial bureau, because a draft uploaded for comparison is not public."""
    if comparison.public_texts:
        return True
    if not can(user, Action.COMPARE_RUN):
        return False
    return comparison.created_by_id == user.pk or can(user, Action.COMPARE_MANAGE)


def comparison_for(user, key: str) -> Comparison:
    comparison = Comparison.objects.select_related("created_by").filter(key=key).first()
    if comparison is None:
        raise Http404("没有这个比对记录")
    if not can_view(user, comparison):
        raise PermissionDenied(_("该比对包含他人上传的文件，只有比对人和省局可以查看"))
    return comparison


def visible_comparisons(user, *, mine_only: bool = False) -> QuerySet[Comparison]:
    """The comparisons a user may list: their own; the bureau sees everyone's."""
    qs = Comparison.objects.select_related("created_by").defer("a_document", "b_document", "report")
    if not can(user, Action.COMPARE_RUN):
        return qs.none()
    if mine_only or not can(user, Action.COMPARE_MANAGE):
        return qs.filter(Q(created_by=user))
    return qs


def documents_of(comparison: Comparison) -> tuple[StandardDocument, StandardDocument]:
    return StandardDocument.from_dict(comparison.a_document), StandardDocument.from_dict(comparison.b_document)


def _catalogued(text: str) -> Standard:
    std = find_standard(text)
    if std is None:
        if try_parse_number(text.strip()) is None:
            raise ComparisonRefused(f"“{text.strip()}”不是可识别的标准号")
        raise ComparisonRefused(f"标准目录中没有“{text.strip()}”")
    return std


def counterparts_of_number(text: str, *, top: int = 20, progress=None) -> list:
    """The catalogue standards most likely to be the counterparts of the standard numbered `text`."""
    std = _catalogued(text)
    return counterparts.find_counterparts(counterparts.candidate_of_standard(std), top=top, progress=progress)


def counterpart_rows(text: str, *, top: int = 20) -> list[dict[str, Any]]:
    """The counterparts of a catalogue standard as the page lists them, each with the A and B to compare: a local
    standard is judged against the national one, never the other way round, so a local counterpart goes in as A."""
    subject = _catalogued(text)
    rows = []
    for match in counterparts_of_number(text, top=top):
        row = counterpart_row(match)
        local_first = row["level"] == "local" and subject.level != "local"
        row["a"], row["b"] = (row["number"], subject.number) if local_first else (subject.number, row["number"])
        rows.append(row)
    return rows


def counterparts_of_upload(data: bytes, filename: str, *, top: int = 20, progress=None) -> list:
    """Counterparts of an uploaded text (a draft not yet in the catalogue)."""
    side = side_from_upload(data, filename)
    if side.document is None:
        raise ComparisonRefused(f"无法读取“{side.label}”：{side.problem}")
    return counterparts.find_counterparts(counterparts.candidate_of_document(side.document), top=top,
                                          progress=progress)


def counterpart_row(match) -> dict[str, Any]:
    c = match.candidate
    levels, statuses = dict(Standard.Level.choices), dict(Standard.Status.choices)
    return {"number": c.number, "title_zh": c.title_zh, "level": c.level or "", "status": c.status or "",
            "level_label": str(levels.get(c.level, c.level or "")),
            "status_label": str(statuses.get(c.status, c.status or "")),
            "score": round(match.score, 4), "reasons": list(match.reasons)}


VERDICT_ORDER = ("looser", "stricter", "equal", "not_comparable", "only_a", "only_b", "expired")


def report_page(comparison: Comparison, link: str) -> dict[str, Any]:
    """What the report page shows: the stored report, and the two texts laid out side by side with the
    differences of each pair marked (computed from the stored texts, so the page never needs the files)."""
    report = comparison.report
    a_doc, b_doc = documents_of(comparison)
    counts = report.get("limit_summary", {})
    limits = sorted(report.get("limits", []), key=lambda p: VERDICT_ORDER.index(p["verdict"])
                    if p["verdict"] in VERDICT_ORDER else len(VERDICT_ORDER))
    return {
        "comparison": comparison, "report": report, "link": link,
        "verdict_counts": [(v, counts.get(v, 0)) for v in VERDICT_ORDER],
        "limits": limits if report.get("a_is_local_mandatory") else report.get("limits", []),
        "rows": [_page_row(row.to_dict()) for row in side_by_side_rows(a_doc, b_doc, report["alignment"])],
    }


def _page_row(row: dict[str, Any]) -> dict[str, Any]:
    # "only the differences" hides a pair whose texts match exactly
    row["identical"] = row["kind"] == "one_to_one" and all(
        s["kind"] == "same" for s in row["a_segments"] + row["b_segments"])
    return row


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def export_report(report: dict[str, Any], fmt: str, *, link: str | None = None) -> tuple[bytes, str]:
    """(bytes, content type) of a report as Excel or PDF."""
    if fmt not in EXPORT_TYPES:
        raise ComparisonRefused("比对报告只能导出为 xlsx 或 pdf")
    build = exports.report_xlsx if fmt == "xlsx" else exports.report_pdf
    return build(report, link=link), EXPORT_TYPES[fmt]


def export_comparison(comparison: Comparison, fmt: str, *, link: str | None = None) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of a stored comparison; one still running has no report to export."""
    if comparison.status != Comparison.Status.DONE:
        raise ComparisonRefused("比对尚未完成，完成后才能导出报告")
    data, content_type = export_report(comparison.report, fmt, link=link)
    return data, content_type, export_filename(comparison.a_number, comparison.b_number, fmt)
