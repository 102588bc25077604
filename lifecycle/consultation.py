"""Public consultation (征求意见): comments on a draft, the drafter's answers, and the comment resolution table.

The public comments without an account (offline captcha, rate limit per sender); the drafting organisation answers
every comment (采纳 / 部分采纳 / 未采纳, with a reason unless adopted); the 意见汇总处理表 is generated from the
comments as Excel, Word or PDF, and its Word version is attached as the project's COMMENT_TABLE document, which
submit_for_review needs together with every comment answered (transitions.COMMENTS_ANSWERED).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role as AccountRole
from lifecycle import captcha, public_input
from lifecycle.comment_table import (
    TableContent,
    TableRow,
    build_table_docx,
    build_table_pdf,
    build_table_xlsx,
)
from lifecycle.models import LocalStandardProject, ProjectDocument, PublicComment
from lifecycle.services import DocumentRefused, LifecycleError, project_roles, upload_document
from lifecycle.transitions import Doc, Role, State
from trail.services import record

Project = LocalStandardProject
Resolution = PublicComment.Resolution

# Sizes: a comment is a paragraph or a page, not a book (a 100,000-character paste is refused, nothing saved).
MAX_TEXT_CHARS = 5000
MAX_PROPOSAL_CHARS = 5000
MAX_RESPONSE_CHARS = 5000
MAX_NAME_CHARS = 100
MAX_ORGANISATION_CHARS = 200
MAX_CONTACT_CHARS = 100
MAX_CLAUSE_CHARS = 40

# Rate limits per sender (salted hash of the address) per project: (window, most comments in it).
RATE_LIMITS: tuple[tuple[timedelta, int], ...] = ((timedelta(minutes=10), 5), (timedelta(hours=24), 30))
# The drafting organisation gets at most one "new comments" notice per project in this interval.
NOTICE_INTERVAL = timedelta(hours=1)
NOTICE_KIND = "comment_received"
# Captcha challenges: how long one is valid, and how many a session may hold at once (several open tabs).
CAPTCHA_TTL_SECONDS = captcha.TTL_SECONDS
# The only documents the public may download, and only while the project is in consultation.
PUBLIC_DOCS = (Doc.DRAFT_FOR_COMMENT, Doc.EXPLANATORY_REPORT)
# States in which comments may be answered (and re-answered).
ANSWER_STATES = (State.CONSULTATION, State.RESOLUTION)
# The most clauses a draft's outline offers in the clause field.
MAX_OUTLINE_CLAUSES = 500

RESOLUTIONS_NEEDING_REASON = (Resolution.PARTLY_ADOPTED, Resolution.NOT_ADOPTED)
WHOLE_DRAFT_LABEL = "全文"


class CommentRefused(LifecycleError):
    """A comment or answer refused for its content or the project's stage; `field` names the form field."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class RateLimited(CommentRefused):
    """Too many comments from one sender (HTTP 429); `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class CaptchaRefused(CommentRefused):
    def __init__(self, message: str):
        super().__init__(message, "captcha")


class NotAllowed(LifecycleError):
    """The user's part on the project does not allow this (HTTP 403)."""


class StaleAnswer(LifecycleError):
    """The comment was answered by someone else since the page was read (HTTP 409)."""


# ---------------------------------------------------------------------------------------------------------------
# Small helpers.

def _today() -> date:
    return timezone.localdate()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


PURPOSE = "lifecycle.consultation"
clean_text = public_input.clean_text
_one_line = public_input.one_line


def sender_digest(address: str) -> str:
    return public_input.sender_digest(address, purpose=PURPOSE)


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


def ensure_open(project: Project, today: date | None = None) -> None:
    if project.state != State.CONSULTATION:
        raise CommentRefused(f"项目“{project.code}”不在征求意见阶段（当前：{project.state_label}），不能提交意见")
    if not is_open(project, today):
        raise CommentRefused(f"征求意见已截止（截止日期 {project.consultation_closes_on.isoformat()}），不能再提交意见")


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


def draft_outline(data: bytes, filename: str) -> list[dict]:
    """The clause numbers and titles of a draft for comment, read once at upload in smart's limited worker.

    A draft with no clause structure (a scan, a text without clause numbers) gets an empty outline: commenters type
    the clause. One over the limits on untrusted documents (or too costly to parse), or encrypted, is refused:
    nothing is stored, because it is hostile or the public could not open it either.
    """
    try:
        from smart.errors import DocumentLimitError, EncryptedDocumentError, SmartError
        from smart.services import read_untrusted
    except ImportError:  # the machine-readable room is optional
        return []
    try:
        parsed = read_untrusted(data, filename)
    except (DocumentLimitError, EncryptedDocumentError) as exc:
        raise DocumentRefused(f"征求意见稿无法读取，未保存：{exc}") from exc
    except SmartError:
        return []
    clauses: list[dict] = []
    for clause in parsed.walk():
        number = str(clause.number or "").strip()[:MAX_CLAUSE_CHARS]
        if number:
            clauses.append({"number": number, "title": (clause.title or "")[:80], "level": clause.level})
    return clauses[:MAX_OUTLINE_CLAUSES]


def draft_clauses(project: Project, documents: dict[str, ProjectDocument] | None = None) -> list[dict] | None:
    """The clause list of the current draft for comment as read at upload, or None (no draft, or none to offer).

    Never parses: a page anyone can open must not cost more than reading a row (a hostile draft once made it 87 s).
    """
    doc = (documents if documents is not None else public_documents(project)).get(Doc.DRAFT_FOR_COMMENT)
    return (doc.outline or None) if doc is not None else None


# ---------------------------------------------------------------------------------------------------------------
# Captcha: the challenge lives in the session as an HMAC of its answer; each is good for one try, and a solved one
# is used up in the database with the comment it lets in (public_input.consume_captcha).

def issue_captcha(session, *, now: float | None = None) -> captcha.Challenge:
    return public_input.issue_captcha(session, purpose=PURPOSE, now=now)


def check_captcha(session, challenge_id: str | None, answer: str | None, *, project: Project, sender_digest: str = "",
                  now: float | None = None) -> str:
    """The solved challenge's id for submit_comment(captcha_id=…); a refusal counts in the sender's bucket."""
    return public_input.check_captcha(session, challenge_id, answer, purpose=PURPOSE, refused=CaptchaRefused,
                                      sender_digest=sender_digest, scope=project.code, now=now)


# ---------------------------------------------------------------------------------------------------------------
# Submitting a comment.

@dataclass(frozen=True)
class CommentInput:
    clause: str
    text: str
    proposal: str
    author_name: str
    author_organisation: str
    contact: str


def _limit(value: str, most: int, label: str, field: str) -> str:
    if len(value) > most:
        raise CommentRefused(f"{label}不能超过 {most:,} 字（当前 {len(value):,} 字），未保存", field)
    return value


def clean_comment(*, text: Any, author_name: Any, clause: Any = "", proposal: Any = "", author_organisation: Any = "",
                  contact: Any = "") -> CommentInput:
    """The comment as it will be stored, or CommentRefused naming the field and the limit."""
    text = clean_text(text)
    if not text:
        raise CommentRefused("请填写意见内容", "text")
    _limit(text, MAX_TEXT_CHARS, "意见内容", "text")
    proposal = _limit(clean_text(proposal), MAX_PROPOSAL_CHARS, "修改建议", "proposal")
    author_name = _one_line(author_name)
    if not author_name:
        raise CommentRefused("请填写姓名（提出人）", "author_name")
    _limit(author_name, MAX_NAME_CHARS, "姓名", "author_name")
    author_organisation = _limit(_one_line(author_organisation), MAX_ORGANISATION_CHARS, "单位", "author_organisation")
    contact = _limit(_one_line(contact), MAX_CONTACT_CHARS, "联系方式", "contact")
    clause = _one_line(clause)
    if clause in (WHOLE_DRAFT_LABEL, "总体", "全部"):
        clause = ""
    _limit(clause, MAX_CLAUSE_CHARS, "章条编号", "clause")
    return CommentInput(clause, text, proposal, author_name, author_organisation, contact)


def check_rate(project: Project, digest: str, *, now: datetime | None = None) -> None:
    """Raise RateLimited when this sender already sent the most comments a window allows on this project.

    Refused captcha answers on the project count as comments, so guessing the captcha is limited too.
    """
    if not digest:
        return
    now = now or timezone.now()
    longest = max(window for window, _ in RATE_LIMITS)
    times = sorted([
        *PublicComment.objects.filter(project=project, sender_digest=digest, submitted_at__gt=now - longest)
        .values_list("submitted_at", flat=True),
        *public_input.refused_times(purpose=PURPOSE, sender_digest=digest, since=now - longest, scope=project.code),
    ])
    for window, most in RATE_LIMITS:
        recent = [t for t in times if t > now - window]
        if len(recent) >= most:
            retry = int((recent[-most] + window - now).total_seconds()) + 1
            minutes = int(window.total_seconds() // 60)
            span = f"{minutes} 分钟" if minutes < 120 else f"{minutes // 60} 小时"
            wait = f"{-(-retry // 3600)} 小时" if retry > 3600 else f"{max(1, -(-retry // 60))} 分钟"
            raise RateLimited(
                f"提交过于频繁：同一来源对同一项目每 {span}最多提交 {most} 条意见，请约 {wait}后再试",
                retry_after=max(1, retry),
            )


def _drafters(project: Project) -> list[User]:
    return list(
        User.objects.filter(organisation__in=project.drafting_organisations.all(), is_active=True,
                            role_assignments__role=AccountRole.DRAFTER).distinct()
    )


def comments_url(project: Project) -> str:
    return reverse("lifecycle:comments", args=[project.code])


def _notify_new_comment(project: Project, *, now: datetime) -> None:
    """One notice per project per NOTICE_INTERVAL to the drafting organisation's users, counting what waits."""
    from notify.models import Notice
    from notify.services import send

    url = comments_url(project)
    if Notice.objects.filter(kind=NOTICE_KIND, url=url, created_at__gt=now - NOTICE_INTERVAL).exists():
        return
    users = _drafters(project)
    if not users:
        return
    waiting = project.comments.filter(resolution="").count()
    send(users, kind=NOTICE_KIND, subject=f"{project.code}《{project.title_zh[:60]}》收到新的征求意见",
         body=(f"项目 {project.code}《{project.title_zh}》在征求意见中收到新的意见，目前共有 {waiting} 条意见待答复。"
               f"每小时最多提醒一次。"),
         url=url)


@transaction.atomic
def submit_comment(
    *,
    project: Project,
    text: str,
    author_name: str,
    clause: str = "",
    proposal: str = "",
    author_organisation: str = "",
    contact: str = "",
    user: User | None = None,
    sender_digest: str = "",
    captcha_id: str = "",
    today: date | None = None,
    now: datetime | None = None,
) -> PublicComment:
    """Accept a public comment on the whole draft or one clause while the consultation is open.

    The project row is locked, so the rate limit counts exactly and no comment slips in after the consultation
    is closed. `captcha_id` (from check_captcha) is used up in the same transaction: a second comment with it is
    refused. The trail gets one public event with the text's hash (never the sender's name or contact).
    """
    data = clean_comment(text=text, author_name=author_name, clause=clause, proposal=proposal,
                         author_organisation=author_organisation, contact=contact)
    now = now or timezone.now()
    locked = Project.objects.select_for_update().get(pk=project.pk)
    ensure_open(locked, today or timezone.localdate(now))
    check_rate(locked, sender_digest, now=now)
    if captcha_id:
        public_input.consume_captcha(captcha_id, purpose=PURPOSE, refused=CaptchaRefused,
                                     sender_digest=sender_digest, scope=locked.code)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    comment = PublicComment.objects.create(
        project=locked, clause=data.clause, text=data.text, proposal=data.proposal, author_name=data.author_name,
        author_organisation=data.author_organisation, contact=data.contact, user=user,
        sender_digest=(sender_digest or "")[:64],
    )
    record(locked, actor=user if user is not None else AnonymousUser(), kind="comment_received", public=True, data={
        "comment": comment.pk, "clause": data.clause, "text_sha256": _sha256(data.text),
        "proposal_sha256": _sha256(data.proposal) if data.proposal else "", "signed_in": user is not None,
    })
    _notify_new_comment(locked, now=now)
    return comment


# ---------------------------------------------------------------------------------------------------------------
# Answering a comment.

def answer_token(comment: PublicComment) -> str:
    """What a page showed of the comment's answer: compared on save, so two answers at once do not overwrite."""
    if comment.answered_at is None:
        return ""
    return comment.answered_at.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def _expected_token(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return str(value).strip()


@transaction.atomic
def answer_comment(
    *,
    comment: PublicComment,
    resolution: str,
    response: str,
    by: User,
    expected_answered_at: Any = None,
) -> PublicComment:
    """Record the drafter's (or the bureau's) answer: 采纳, or 部分采纳 / 未采纳 with the reason.

    `expected_answered_at` is what the page showed (answer_token, "" for unanswered, or the datetime): an answer
    changed since is refused (StaleAnswer). Re-answering replaces the answer and writes a new event naming the
    previous resolution; saving the same answer again writes nothing.
    """
    project = Project.objects.select_for_update().get(pk=comment.project_id)
    locked = PublicComment.objects.select_for_update().get(pk=comment.pk)
    roles = project_roles(by, project)
    if not may_answer(roles):
        raise NotAllowed("只有该项目的起草单位或省局标准化处可以答复意见")
    if project.state not in ANSWER_STATES:
        raise CommentRefused(f"项目处于“{project.state_label}”阶段，只能在征求意见和意见处理阶段答复意见")
    if resolution not in Resolution.values:
        raise CommentRefused("请选择处理意见：采纳、部分采纳或未采纳", "resolution")
    response = clean_text(response)
    if resolution in RESOLUTIONS_NEEDING_REASON and not response:
        raise CommentRefused(f"“{str(Resolution(resolution).label)}”须填写理由", "response")
    _limit(response, MAX_RESPONSE_CHARS, "处理理由", "response")
    expected = _expected_token(expected_answered_at)
    if expected is not None and expected != answer_token(locked):
        who = locked.answered_by or "他人"
        raise StaleAnswer(f"第 {locked.pk} 号意见已由{who}答复或修改，请刷新页面后再处理")
    if locked.resolution == resolution and locked.response == response:
        return locked
    previous = locked.resolution
    locked.resolution, locked.response = resolution, response
    locked.answered_by, locked.answered_at = by, timezone.now()
    locked.save(update_fields=["resolution", "response", "answered_by", "answered_at"])
    record(project, actor=by, kind="comment_answered", data={
        "comment": locked.pk, "clause": locked.clause, "resolution": resolution, "previous_resolution": previous,
        "text_sha256": _sha256(locked.text), "response_sha256": _sha256(response) if response else "",
        "roles": sorted(r.value for r in roles & {Role.DRAFTER, Role.BUREAU}),
    })
    if locked.user_id:
        from notify.services import send

        label = str(Resolution(resolution).label)
        send([locked.user_id], kind="comment_answered",
             subject=f"您对《{project.title_zh[:60]}》的意见已答复：{label}",
             body=f"您对 {project.code}《{project.title_zh}》{_clause_label(locked.clause)}的意见（第 {locked.pk} 号）"
                  f"处理意见为“{label}”。" + (f"理由：{response}" if response else ""),
             url=reverse("lifecycle:consultation", args=[project.code]))
    return locked


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


def _clause_label(clause: str) -> str:
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


@transaction.atomic
def attach_comment_table(*, project: Project, by: User) -> ProjectDocument:
    """Generate the Word table and store it as the project's COMMENT_TABLE document (a new version each time).

    Refused while any comment is unanswered: the stored table is the final one that goes to technical review.
    Every participant and panel expert can open the stored copy, so its senders are pseudonyms.
    """
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not may_answer(project_roles(by, locked)):
        raise NotAllowed("只有该项目的起草单位或省局标准化处可以生成意见汇总处理表")
    if locked.state != State.RESOLUTION:
        raise CommentRefused(f"项目处于“{locked.state_label}”阶段：征求意见结束、进入意见处理阶段后才能生成正式的意见汇总处理表")
    waiting = locked.comments.filter(resolution="").count()
    if waiting:
        raise CommentRefused(f"仍有 {waiting} 条意见未答复，全部答复后才能生成正式的意见汇总处理表")
    data, _, filename = comment_table(locked, "docx")
    total = locked.comments.count()
    return upload_document(project=locked, kind=Doc.COMMENT_TABLE, data=data, filename=filename, by=by,
                           note=f"由 {total} 条意见自动生成")


# ---------------------------------------------------------------------------------------------------------------
# What pages show.

def comment_view(c: PublicComment, *, show_contact: bool, labels: dict[int, str] | None = None) -> dict:
    """A comment for a page or the API; without `show_contact`, who sent it is the pseudonym from `labels`."""
    return {
        "id": c.pk, "clause": c.clause, "clause_label": c.clause or WHOLE_DRAFT_LABEL, "text": c.text,
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

