"""Consultation (征求意见): the use cases. The public sends a comment (captcha, rate limit, cleaning), the
drafting organisation answers it, and the comment resolution table is attached to the project."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role as AccountRole
from lifecycle import captcha, public_input
from lifecycle.access import project_roles
from lifecycle.consultation import receipts
from lifecycle.consultation.queries import (
    ANSWER_STATES,
    WHOLE_DRAFT_LABEL,
    answer_token,
    comment_table,
    comments_url,
    expected_token,
    is_open,
    may_answer,
)
from lifecycle.documents import upload_document
from lifecycle.errors import CaptchaRefused, CommentRefused, NotAllowed, RateLimited, StaleAnswer
from lifecycle.models import LocalStandardProject, ProjectDocument, PublicComment
from lifecycle.outline import MAX_CLAUSE_CHARS
from lifecycle.transitions import Doc, Role, State
from notify.models import Notice
from notify.services import send
from yuebiao.messages import Message as M
from trail.services import record
from yuebiao import ratelimit

Project = LocalStandardProject
Resolution = PublicComment.Resolution


# Sizes: a comment is a paragraph or a page, not a book (a 100,000-character paste is refused, nothing saved).
MAX_TEXT_CHARS = 5000
MAX_PROPOSAL_CHARS = 5000
MAX_RESPONSE_CHARS = 5000
MAX_NAME_CHARS = 100
MAX_ORGANISATION_CHARS = 200
MAX_CONTACT_CHARS = 100

# Rate limits per sender (salted hash of the address) per project: (window, most comments in it).
RATE_LIMITS: tuple[tuple[timedelta, int], ...] = ((timedelta(minutes=10), 5), (timedelta(hours=24), 30))
_WINDOWS = tuple(ratelimit.Window(span, most) for span, most in RATE_LIMITS)
# The drafting organisation gets at most one "new comments" notice per project in this interval.
NOTICE_INTERVAL = timedelta(hours=1)
NOTICE_KIND = "comment_received"
# Captcha challenges: how long one is valid, and how many a session may hold at once (several open tabs).
CAPTCHA_TTL_SECONDS = captcha.TTL_SECONDS

RESOLUTIONS_NEEDING_REASON = (Resolution.PARTLY_ADOPTED, Resolution.NOT_ADOPTED)


# ---------------------------------------------------------------------------------------------------------------
# Small helpers.
def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


PURPOSE = "lifecycle.consultation"
clean_text = public_input.clean_text
_one_line = public_input.one_line


def sender_digest(address: str) -> str:
    return public_input.sender_digest(address, purpose=PURPOSE)


def ensure_open(project: Project, today: date | None = None) -> None:
    if project.state != State.CONSULTATION:
        raise CommentRefused(f"项目“{project.code}”不在征求意见阶段（当前：{project.state_label}），不能提交意见")
    if not is_open(project, today):
        raise CommentRefused(f"征求意见已截止（截止日期 {project.consultation_closes_on.isoformat()}），不能再提交意见")


# ---------------------------------------------------------------------------------------------------------------
# Captcha: the challenge lives in the session as an HMAC of its answer; each is good for one try, and a solved one
# is used up in the database with the comment it lets in (public_input.consume_captcha).
def issue_captcha(session, *, now: float | None = None, text: bool = False) -> captcha.Challenge:
    return public_input.issue_captcha(session, purpose=PURPOSE, now=now, text=text)


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
    since = now - ratelimit.longest(_WINDOWS)
    times = [
        *PublicComment.objects.filter(project=project, sender_digest=digest, submitted_at__gt=since)
        .values_list("submitted_at", flat=True),
        *public_input.refused_times(purpose=PURPOSE, sender_digest=digest, since=since, scope=project.code),
    ]
    full = ratelimit.exceeded(times, _WINDOWS, now=now)
    if full is None:
        return
    minutes, retry = full.window.minutes, full.retry_after
    span = f"{minutes} 分钟" if minutes < 120 else f"{minutes // 60} 小时"
    wait = f"{-(-retry // 3600)} 小时" if retry > 3600 else f"{max(1, -(-retry // 60))} 分钟"
    raise RateLimited(f"提交过于频繁：同一来源对同一项目每 {span}最多提交 {full.window.most} 条意见，请约 {wait}后再试",
                      retry_after=retry)


def _drafters(project: Project) -> list[User]:
    return list(
        User.objects.filter(organisation__in=project.drafting_organisations.all(), is_active=True,
                            role_assignments__role=AccountRole.DRAFTER).distinct()
    )


def _notify_new_comment(project: Project, *, now: datetime) -> None:
    """One notice per project per NOTICE_INTERVAL to the drafting organisation's users, counting what waits."""

    url = comments_url(project)
    if Notice.objects.filter(kind=NOTICE_KIND, url=url, created_at__gt=now - NOTICE_INTERVAL).exists():
        return
    users = _drafters(project)
    if not users:
        return
    waiting = project.comments.filter(resolution="").count()
    send(users, kind=NOTICE_KIND,
         subject=M("{code}《{title}》收到新的征求意见", code=project.code, title=project.title_zh[:60]),
         body=M("项目 {code}《{title}》在征求意见中收到新的意见，目前共有 {waiting} 条意见待答复。每小时最多提醒一次。",
                code=project.code, title=project.title_zh, waiting=waiting),
         url=url)


def send_comment(*, project: Project, fields: dict, user: User | None, address: str, session,
                 captcha_id: str | None = "", captcha_answer: str | None = "") -> PublicComment:
    """The public's comment as the page and the API both send it: the one write path for a comment.

    In order: the consultation is open, the sender is under the rate limit, the fields are acceptable, an anonymous
    sender solved a captcha from this session, and submit_comment stores it. A signed-in sender (`user`) needs no
    captcha; the caller has checked that the request is really theirs (the page and the API refuse a signed-in
    request without its CSRF token). Raises RateLimited (429), CaptchaRefused or CommentRefused naming the field, or
    another LifecycleError (400).
    """
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    digest = sender_digest(address)
    ensure_open(project)
    check_rate(project, digest)
    clean_comment(**fields)
    solved = ""
    if user is None:
        solved = check_captcha(session, captcha_id, captcha_answer, project=project, sender_digest=digest)
    return submit_comment(project=project, **fields, user=user, sender_digest=digest, captcha_id=solved)


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
    receipts.issue_receipt(comment)
    record(locked, actor=user if user is not None else AnonymousUser(), kind="comment_received", public=True, data={
        "comment": comment.pk, "clause": data.clause, "text_sha256": _sha256(data.text),
        "proposal_sha256": _sha256(data.proposal) if data.proposal else "", "signed_in": user is not None,
    })
    _notify_new_comment(locked, now=now)
    return comment


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
    expected = expected_token(expected_answered_at)
    if expected is not None and expected != answer_token(locked):
        who = locked.answered_by or "他人"
        raise StaleAnswer(f"第 {locked.number or locked.pk} 条意见已由{who}答复或修改，请刷新页面后再处理")
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

        label = str(Resolution(resolution).label)
        send([locked.user_id], kind="comment_answered",
             subject=M("您对《{title}》的意见已答复：{label}", title=project.title_zh[:60], label=M(label)),
             body=M("您对 {code}《{title}》{clause}的意见（本草案第 {number} 条）处理意见为“{label}”。{why}", code=project.code,
                    title=project.title_zh, clause=M("第 {clause} 条", clause=locked.clause) if locked.clause
                    else M("全文"), number=locked.number or locked.pk, label=M(label),
                    why=M("理由：{response}", response=response) if response else ""),
             url=reverse("lifecycle:consultation", args=[project.code]))
    return locked


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
