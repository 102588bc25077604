"""Consultation (征求意见): reads. Whether a consultation is open, the public documents, the draft's clauses,
the comments and their senders' labels, and the comment resolution table's content."""

from __future__ import annotations

import re
from datetime import date, datetime
from datetime import timezone as dt_timezone
from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from lifecycle.consultation.comment_table import (
    TableContent,
    TableRow,
    build_table_docx,
    build_table_pdf,
    build_table_xlsx,
)
from lifecycle.errors import CommentRefused
from lifecycle.models import LocalStandardProject, ProjectDocument, PublicComment
from lifecycle.transitions import Doc, Role, State

Project = LocalStandardProject
Resolution = PublicComment.Resolution


def _today() -> date:
    return timezone.localdate()


# The only documents the public may download, and only while the project is in consultation.
PUBLIC_DOCS = (Doc.DRAFT_FOR_COMMENT, Doc.EXPLANATORY_REPORT)
# States in which comments may be answered (and re-answered).
ANSWER_STATES = (State.CONSULTATION, State.RESOLUTION)
WHOLE_DRAFT_LABEL = "全文"


def may_answer(roles) -> bool:
    """Only the drafting organisation and the bureau answer comments."""
    return bool({Role.DRAFTER, Role.BUREAU} & set(roles))


def days_left(project: Project, today: date | None = None) -> int | None:
    if project.consultation_closes_on is None:
        return None
    return (project.consultation_closes_on - (today or _today())).days


def is_open(project: Project, today: date | None = None) -> bool:
    """Comments are accepted in CONSULTATION up to and including the closing date."""
    left = days_left(project, today)
    return project.state == State.CONSULTATION and (left is None or left >= 0)


def open_consultations(today: date | None = None):
    """Projects in consultation, soonest closing first, with their comment counts (one query)."""
    return (
        Project.objects.filter(state=State.CONSULTATION)
        .annotate(comment_count=Count("comments"))
        .order_by("consultation_closes_on", "code")
    )


def public_documents(project: Project) -> dict[str, ProjectDocument]:
    """The current draft for comment and explanatory report (the latest version of each)."""
    latest: dict[str, ProjectDocument] = {}
    for doc in project.documents.filter(kind__in=[d.value for d in PUBLIC_DOCS]).order_by("kind", "-version"):
        latest.setdefault(doc.kind, doc)
    return latest


def public_document(project: Project, kind: str) -> ProjectDocument | None:
    """The document the public may download now, or None (wrong kind, or not in consultation)."""
    if kind not in {d.value for d in PUBLIC_DOCS} or project.state != State.CONSULTATION:
        return None
    return project.documents.filter(kind=kind).order_by("-version").first()


def draft_clauses(project: Project, documents: dict[str, ProjectDocument] | None = None) -> list[dict] | None:
    """The clause list of the current draft for comment as read at upload, or None (no draft, or none to offer).

    Never parses: a page anyone can open must not cost more than reading a row (a hostile draft once made it 87 s).
    """
    doc = (documents if documents is not None else public_documents(project)).get(Doc.DRAFT_FOR_COMMENT)
    return (doc.outline or None) if doc is not None else None


def comments_url(project: Project) -> str:
    return reverse("lifecycle:comments", args=[project.code])


# ---------------------------------------------------------------------------------------------------------------
# Answering a comment.
def answer_token(comment: PublicComment) -> str:
    """What a page showed of the comment's answer: compared on save, so two answers at once do not overwrite."""
    if comment.answered_at is None:
        return ""
    return comment.answered_at.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def expected_token(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return str(value).strip()


# ---------------------------------------------------------------------------------------------------------------
# Counts, rows and the comment resolution table (意见汇总处理表).
def comment_counts(project: Project) -> dict[str, int]:
    row = project.comments.aggregate(
        total=Count("id"), unanswered=Count("id", filter=Q(resolution="")),
        adopted=Count("id", filter=Q(resolution=Resolution.ADOPTED)),
        partly_adopted=Count("id", filter=Q(resolution=Resolution.PARTLY_ADOPTED)),
        not_adopted=Count("id", filter=Q(resolution=Resolution.NOT_ADOPTED)),
        last_answer=Max("answered_at"),
    )
    row["answered"] = row["total"] - row["unanswered"]
    return row


def label_of_clause(clause: str) -> str:
    return f"第 {clause} 条" if clause else "全文"


_NATURAL = re.compile(r"(\d+)")


def clause_key(clause: str) -> tuple:
    """Order 章条编号 as a reader does: the whole draft first, then 2 < 4.1 < 4.10 < A.1."""
    if not clause:
        return (0,)
    parts = _NATURAL.split(clause)
    return (1, tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in parts if p))


UNANSWERED_LABEL = "（未答复）"


ERASED_LABEL = "（个人信息已删除）"


def sender_name(c: PublicComment) -> str:
    """Who sent the comment, as the table names a sender: 单位／姓名."""
    if c.contact_erased_at is not None:
        return ERASED_LABEL
    return f"{c.author_organisation}／{c.author_name}" if c.author_organisation else c.author_name


def sender_labels(comments) -> dict[int, str]:
    """Pseudonyms for readers who may not see who commented: 提出人 1, 2, … numbered by each sender's first comment,
    so the drafter still sees that several comments came from one sender (same name, organisation and contact)."""
    numbers: dict[tuple, int] = {}
    out = {}
    for c in sorted(comments, key=lambda c: (c.submitted_at, c.pk)):
        if c.contact_erased_at is not None:
            out[c.pk] = ERASED_LABEL
            continue
        key = (c.author_name, c.author_organisation, c.contact, c.user_id)
        out[c.pk] = f"提出人 {numbers.setdefault(key, len(numbers) + 1)}"
    return out


def project_sender_labels(project: Project) -> dict[int, str]:
    fields = ("id", "project", "submitted_at", "author_name", "author_organisation", "contact", "user",
              "contact_erased_at")
    return sender_labels(project.comments.only(*fields))


def table_rows(project: Project, *, show_contacts: bool = False) -> list[TableRow]:
    """The table's rows: every comment, ordered by clause and then by arrival, numbered 1…n; senders are named
    only with `show_contacts` (personal_data.may_see_comment_contacts), else pseudonyms (sender_labels)."""
    comments = sorted(project.comments.all(), key=lambda c: (clause_key(c.clause), c.submitted_at, c.pk))
    labels = {} if show_contacts else sender_labels(comments)
    rows = []
    for i, c in enumerate(comments, 1):
        sender = sender_name(c) if show_contacts else labels[c.pk]
        rows.append(TableRow(
            i, c.clause or WHOLE_DRAFT_LABEL, c.text, c.proposal, sender,
            str(Resolution(c.resolution).label) if c.resolution else UNANSWERED_LABEL, c.response,
        ))
    return rows


def table_content(project: Project, *, today: date | None = None, show_contacts: bool = False) -> TableContent:
    counts = comment_counts(project)
    rows = table_rows(project, show_contacts=show_contacts)
    senders = len({r.sender for r in rows})
    summary = (
        f"共收到意见 {counts['total']} 条（来自 {senders} 个单位或个人）：采纳 {counts['adopted']} 条，"
        f"部分采纳 {counts['partly_adopted']} 条，未采纳 {counts['not_adopted']} 条"
        + (f"，未答复 {counts['unanswered']} 条。" if counts["unanswered"] else "。")
    ) if counts["total"] else "征求意见期间未收到意见。"
    period = ""
    if project.consultation_opened_on:
        closes = project.consultation_closes_on.isoformat() if project.consultation_closes_on else "—"
        period = f"征求意见期：{project.consultation_opened_on.isoformat()} 至 {closes}；"
    subtitle = (f"项目编号：{project.code}　{period}生成日期：{(today or _today()).isoformat()}"
                + ("　（草稿：尚有意见未答复）" if counts["unanswered"] else ""))
    return TableContent(f"《{project.title_zh}》征求意见汇总处理表", subtitle, summary, rows, bool(counts["unanswered"]))


TABLE_FORMATS = {
    "xlsx": (build_table_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": (build_table_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": (build_table_pdf, "application/pdf"),
}


def comment_table(project: Project, fmt: str, *, show_contacts: bool = False) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of the table in `fmt` (xlsx / docx / pdf); a draft while comments wait.
    Senders are named only with `show_contacts` (for a reader personal_data.may_see_comment_contacts allows)."""
    if fmt not in TABLE_FORMATS:
        raise CommentRefused("意见汇总处理表只能导出为 xlsx、docx 或 pdf")
    build, content_type = TABLE_FORMATS[fmt]
    content = table_content(project, show_contacts=show_contacts)
    suffix = "（草稿）" if content.draft else ""
    return build(content), content_type, f"{project.code}-意见汇总处理表{suffix}.{fmt}"


# ---------------------------------------------------------------------------------------------------------------
# What pages show.
def comment_view(c: PublicComment, *, show_contact: bool, labels: dict[int, str] | None = None) -> dict:
    """A comment for a page or the API; without `show_contact`, who sent it is the pseudonym from `labels`."""
    return {
        "id": c.pk, "number": c.number, "clause": c.clause, "clause_label": c.clause or WHOLE_DRAFT_LABEL, "text": c.text,
        "proposal": c.proposal, "author_name": c.author_name if show_contact else None,
        "author_organisation": c.author_organisation if show_contact else None,
        "contact": c.contact if show_contact else None,
        "sender": sender_name(c) if show_contact else (labels or {}).get(c.pk, "提出人"),
        "signed_in": bool(c.user_id), "erased": c.contact_erased_at is not None,
        "submitted_at": c.submitted_at, "resolution": c.resolution,
        "resolution_label": str(Resolution(c.resolution).label) if c.resolution else "",
        "response": c.response, "answered_by": str(c.answered_by) if c.answered_by_id else "",
        "answered_at": c.answered_at, "token": answer_token(c),
    }


def project_comments(project: Project, *, unanswered_only: bool = False, clause: str = ""):
    qs = project.comments.select_related("answered_by").order_by("submitted_at", "id")
    if unanswered_only:
        qs = qs.filter(resolution="")
    if clause:
        qs = qs.filter(clause="" if clause == WHOLE_DRAFT_LABEL else clause)
    return qs


def project_panel_context(project, user, roles) -> dict:
    """What the project page's consultation panel needs (lifecycle/templates/lifecycle/consultation/_panel.html).

    Three queries at most: the counts, the latest stored table, and the first few waiting comments.
    """
    counts = comment_counts(project)
    state = State(project.state)
    if not counts["total"] and state not in ANSWER_STATES and not project.consultation_opened_on:
        return {"show": False}
    answerer = may_answer(roles)
    table_doc = project.documents.filter(kind=Doc.COMMENT_TABLE).order_by("-version").first()
    stale = bool(table_doc and counts["last_answer"] and counts["last_answer"] > table_doc.uploaded_at)
    waiting = []
    if counts["unanswered"] and answerer:
        # The panel lists the clause and the text only: who sent them is on the comments page, for those who may.
        waiting = [comment_view(c, show_contact=False)
                   for c in project.comments.filter(resolution="").order_by("submitted_at", "id")[:3]]
    return {
        "show": True, "counts": counts, "state": state.value,
        "open": is_open(project), "in_consultation": state == State.CONSULTATION,
        "closes_on": project.consultation_closes_on, "opened_on": project.consultation_opened_on,
        "days_left": days_left(project), "may_answer": answerer,
        "may_attach": answerer and state == State.RESOLUTION,
        "attach_blocked": (f"仍有 {counts['unanswered']} 条意见未答复" if counts["unanswered"] else ""),
        "table_doc": table_doc, "table_stale": stale, "waiting": waiting,
        "public_url": reverse("lifecycle:consultation", args=[project.code]) if state == State.CONSULTATION else "",
        "comments_url": comments_url(project),
        "table_urls": [(fmt, reverse("lifecycle:comment-table", args=[project.code, fmt])) for fmt in TABLE_FORMATS],
    }
