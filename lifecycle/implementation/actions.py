"""Implementation: the use cases after publication. Feedback from the public (实施信息反馈) and its
handling, periodic reviews (复审) opened and concluded, and the third-party evaluation (实施效果评估) scored and
submitted."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from lifecycle import access, captcha, documents, errors, public_input
from lifecycle.errors import CaptchaRefused, LifecycleError, NotAllowed, TooMany
from lifecycle.implementation.queries import (
    CONCLUSIONS,
    IN_FORCE,
    MAX_TEXT,
    accepts_feedback,
    iso_or_blank,
    may_handle_feedback,
    next_review_due_on,
    open_evaluation,
    project_of,
    region_prefix,
)
from lifecycle.implementation.rubric import clean_scores, plain_score, weighted_total
from lifecycle.models import (
    ImplementationEvaluation,
    ImplementationFeedback,
    LocalStandardProject,
    PeriodicReview,
)
from lifecycle.projects import actions as project_actions
from lifecycle.projects import queries as project_queries
from lifecycle.transitions import Action, Doc, Role, State
from notify.services import send
from trail.services import record
from yuebiao import ratelimit
from yuebiao.messages import Message as M

Project = LocalStandardProject


def _today() -> date:
    return timezone.localdate()


def bump_version(project: Project) -> None:
    # Forms carry the version they were read at: any change that alters the facts makes them stale.
    Project.objects.filter(pk=project.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _send(users, **kwargs) -> None:
    if users:
        send(users, **kwargs)


def _city_officers(region_code: str) -> list[User]:
    prefix = region_prefix(region_code)
    if not prefix or prefix == "44":
        return []
    return list(
        User.objects.filter(
            is_active=True, role_assignments__role=AccountRole.CITY_OFFICER,
            organisation__region_code__startswith=prefix,
        ).distinct()
    )


# ---------------------------------------------------------------------------------------------------------------
# Implementation feedback (实施信息反馈).

# Per sender (the salted hash of the address, or the account): at most this many in an hour and in a day. Enough
# for a person reporting several problems; too few to flood the bureau's list.
FEEDBACK_PER_HOUR = 5
FEEDBACK_PER_DAY = 20
FEEDBACK_WINDOWS = (ratelimit.Window(timedelta(hours=1), FEEDBACK_PER_HOUR),
                    ratelimit.Window(timedelta(days=1), FEEDBACK_PER_DAY))
# Captcha (lifecycle.captcha, offline): anonymous senders answer one per feedback; a session holds a few at once.

FEEDBACK_LIMITS = {"author_name": 100, "author_organisation": 200, "contact": 100}
FEEDBACK_FIELD_LABELS = {"author_name": "姓名", "author_organisation": "单位", "contact": "联系方式"}
# Kinds that are grounds for a periodic review; "effect" (实施效果) is information only.
REVIEW_GROUNDS = (ImplementationFeedback.Kind.PROBLEM, ImplementationFeedback.Kind.SUGGESTION)


PURPOSE = "lifecycle.feedback"
NOT_ACCEPTED = "本平台受理地方标准的实施信息反馈；其他标准请向其发布或归口部门反馈"
_clean = public_input.clean_text


def sender_digest(address: str) -> str:
    return public_input.sender_digest(address, purpose=PURPOSE)


def issue_captcha(session, *, now: float | None = None, text: bool = False) -> captcha.Challenge:
    """A picture, or with `text` the same sum written as a sentence: the non-visual alternative."""
    return public_input.issue_captcha(session, purpose=PURPOSE, now=now, text=text)


def check_captcha(session, challenge_id: str | None, answer: str | None, *, sender: str = "",
                  now: float | None = None) -> str:
    """The solved challenge's id for submit_feedback(captcha_id=…); a refusal counts against the sender."""
    return public_input.check_captcha(session, challenge_id, answer, purpose=PURPOSE, refused=CaptchaRefused,
                                      sender_digest=sender_digest(sender), now=now)


def check_rate(*, sender: str, user: User | None) -> None:
    """TooMany when this sender (address or account) has sent the most feedback allowed; before the captcha, so a
    limited sender's guesses are not even checked."""
    signed_in = user if user is not None and getattr(user, "is_authenticated", False) else None
    _check_rate(digest=sender_digest(sender), user=signed_in, now=timezone.now())


def _check_rate(*, digest: str, user: User | None, now) -> None:
    """Feedback and refused captcha answers from this sender, in the last hour and day, against the limits."""
    signed_in = user if user is not None and getattr(user, "is_authenticated", False) else None
    if not (digest or signed_in):
        return
    who = Q(pk__in=[])
    if digest:
        who |= Q(sender_digest=digest)
    if signed_in is not None:
        who |= Q(user=signed_in)
    since = now - ratelimit.longest(FEEDBACK_WINDOWS)
    times = [
        *ImplementationFeedback.objects.filter(who, submitted_at__gte=since).values_list("submitted_at", flat=True),
        *public_input.refused_times(purpose=PURPOSE, sender_digest=digest, since=since),
    ]
    full = ratelimit.exceeded(times, FEEDBACK_WINDOWS, now=now)
    if full is None:
        return
    if full.window.span <= timedelta(hours=1):
        raise TooMany(f"提交过于频繁：每小时最多 {FEEDBACK_PER_HOUR} 条反馈，请稍后再试")
    raise TooMany(f"提交过于频繁：每天最多 {FEEDBACK_PER_DAY} 条反馈，请明天再试")


def clean_feedback(*, kind: str, text: str, author_name: str = "", author_organisation: str = "",
                   contact: str = "") -> dict:
    """The fields of a feedback, trimmed and checked; raises LifecycleError naming the first problem."""
    if kind not in ImplementationFeedback.Kind.values:
        raise LifecycleError("请选择反馈类型（实施问题、修改建议或实施效果）")
    text = _clean(text)
    if not text:
        raise LifecycleError("请填写反馈内容")
    if len(text) > MAX_TEXT:
        raise LifecycleError(f"反馈内容不能超过 {MAX_TEXT} 字（现为 {len(text)} 字），请精简后再提交")
    out = {"kind": kind, "text": text}
    for field, value in (("author_name", author_name), ("author_organisation", author_organisation),
                         ("contact", contact)):
        value = " ".join(_clean(value).split())
        if len(value) > FEEDBACK_LIMITS[field]:
            raise LifecycleError(f"{FEEDBACK_FIELD_LABELS[field]}不能超过 {FEEDBACK_LIMITS[field]} 字")
        out[field] = value
    return out


FEEDBACK_FIELDS = ("kind", "text", "author_name", "author_organisation", "contact")


def send_feedback(*, standard, fields: dict, user: User | None, address: str, session,
                  captcha_id: str | None = "", captcha_answer: str | None = "") -> ImplementationFeedback:
    """Feedback as the page and the API both send it: the one write path for implementation feedback.

    In order: the standard takes feedback, the fields are acceptable, the sender is under the rate limit, an
    anonymous sender solved a captcha from this session, and submit_feedback stores it. A signed-in sender needs no
    captcha; the caller has checked that the request is really theirs (the page and the API refuse a signed-in
    request without its CSRF token). Raises TooMany (429), CaptchaRefused or another LifecycleError (400).
    """
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    if not accepts_feedback(standard):
        raise LifecycleError(NOT_ACCEPTED)
    clean_feedback(**fields)
    check_rate(sender=address, user=user)
    solved = ""
    if user is None:
        solved = check_captcha(session, captcha_id, captcha_answer, sender=address)
    return submit_feedback(standard=standard, **fields, user=user, sender=address, captcha_id=solved)


@transaction.atomic
def submit_feedback(
    *, standard, kind: str, text: str, author_name: str = "", author_organisation: str = "", contact: str = "",
    user: User | None = None, sender: str = "", captcha_id: str = "",
) -> ImplementationFeedback:
    """Take one feedback on a standard from anyone (the caller has checked the captcha for anonymous senders).

    `sender` is the sender's address; only its keyed digest is kept. `captcha_id` (from check_captcha) is used up
    in this transaction, so one solved captcha lets in one feedback. The contact is stored for its handlers only.
    """
    if not accepts_feedback(standard):
        raise LifecycleError(NOT_ACCEPTED)
    fields = clean_feedback(kind=kind, text=text, author_name=author_name, author_organisation=author_organisation,
                            contact=contact)
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    digest = sender_digest(sender)
    now = timezone.now()
    _check_rate(digest=digest, user=user, now=now)
    if captcha_id:
        public_input.consume_captcha(captcha_id, purpose=PURPOSE, refused=CaptchaRefused, sender_digest=digest)
    project = project_of(standard)
    feedback = ImplementationFeedback.objects.create(
        standard=standard, project=project, user=user, sender_digest=digest, **fields
    )
    # The project's chain when there is one (its page shows it); the contact and the text stay out of the trail.
    record(project or f"lifecycle.feedback:{feedback.pk}", actor=user, kind="feedback_received",
           data={"feedback": feedback.pk, "kind": kind, "standard": standard.number})
    region = project.city_code if project else (standard.region_id or "440000")
    handlers = project_queries._bureau_users() + _city_officers(region)
    _send(handlers, kind="feedback", email=False,
          subject=M("收到实施信息反馈：{number}（{kind}）", number=standard.number,
                    kind=M(str(feedback.get_kind_display()))),
          body=fields["text"][:200], url=f"/lifecycle/feedback/?status=new#feedback-{feedback.pk}")
    return feedback


def _locked_feedback(feedback: ImplementationFeedback) -> ImplementationFeedback:
    # of=self: PostgreSQL locks no row through the outer join to the (optional) project.
    return ImplementationFeedback.objects.select_for_update(of=("self",)).select_related("standard", "project").get(
        pk=feedback.pk)


@transaction.atomic
def respond_feedback(*, feedback: ImplementationFeedback, response: str, by: User) -> ImplementationFeedback:
    """The bureau (or the city's officer) records how the feedback was handled; it becomes 已处理."""
    fb = _locked_feedback(feedback)
    if not may_handle_feedback(by, fb):
        raise NotAllowed("只有省局或该标准所在地市的市场监管部门可以处理这条反馈")
    response = _clean(response)
    if not response:
        raise LifecycleError("请填写处理情况")
    if len(response) > MAX_TEXT:
        raise LifecycleError(f"处理情况不能超过 {MAX_TEXT} 字")
    if fb.status == ImplementationFeedback.Status.HANDLED:
        raise LifecycleError("这条反馈已经处理过了（请刷新页面）")
    fb.status, fb.response, fb.handled_by, fb.handled_at = (
        ImplementationFeedback.Status.HANDLED, response, by, timezone.now()
    )
    fb.save(update_fields=["status", "response", "handled_by", "handled_at"])
    record(fb.project or f"lifecycle.feedback:{fb.pk}", actor=by, kind="feedback_handled",
           data={"feedback": fb.pk, "response": response})
    return fb


@transaction.atomic
def review_because_of_feedback(*, feedback: ImplementationFeedback, by: User, response: str = "") -> PeriodicReview:
    """Open a periodic review because of a problem or suggestion sent as feedback, and start it at once."""
    fb = _locked_feedback(feedback)
    if not can(by, AccountAction.LIFECYCLE_MANAGE):
        raise NotAllowed("只有省局可以启动复审")
    if fb.kind not in REVIEW_GROUNDS:
        raise LifecycleError("只有“实施问题”或“修改建议”类反馈可以作为复审理由")
    if fb.project is None:
        raise LifecycleError("该标准没有在本平台的项目记录，无法在此启动复审")
    if fb.project.state not in IN_FORCE:
        raise LifecycleError(f"项目处于“{fb.project.state_label}”阶段，不能启动复审")
    review, _ = open_review(
        project=fb.project, reason=PeriodicReview.Reason.FEEDBACK, by=by, start=True,
        detail=f"实施信息反馈 #{fb.pk}（{fb.get_kind_display()}）：{' '.join(fb.text.split())[:120]}",
    )
    if fb.status != ImplementationFeedback.Status.HANDLED:
        respond_feedback(feedback=fb, by=by,
                         response=(response or "").strip() or f"已据此启动复审，复审期限 {review.due_on.isoformat()}")
    return review


@transaction.atomic
def review_because_of_evaluation(*, evaluation: ImplementationEvaluation, by: User) -> PeriodicReview:
    """Open a periodic review because a submitted evaluation calls for one, and start it at once."""
    if not can(by, AccountAction.LIFECYCLE_MANAGE):
        raise NotAllowed("只有省局可以启动复审")
    ev = ImplementationEvaluation.objects.select_related("project", "agency").get(pk=evaluation.pk)
    if ev.submitted_at is None:
        raise LifecycleError("评估报告尚未提交")
    review, _ = open_review(
        project=ev.project, reason=PeriodicReview.Reason.EVALUATION, by=by, start=True,
        detail=f"{ev.agency.name} 实施效果评估，总分 {ev.total_score}",
    )
    return review


@transaction.atomic
def open_review(
    *, project: Project, reason: str, detail: str = "", by: User | None, start: bool = False,
    today: date | None = None,
) -> tuple[PeriodicReview, bool]:
    """Open a periodic review for a reason (idempotent: the same reason and detail never opens two); returns
    (review, created). With `start`, a project in force moves to 复审 at once through the table."""
    if reason not in PeriodicReview.Reason.values:
        raise LifecycleError(f"未知的复审原因：{reason}")
    reason = PeriodicReview.Reason(reason).value  # a plain string: the trail takes no enums
    today = today or _today()
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.state not in IN_FORCE:
        raise LifecycleError(f"项目处于“{locked.state_label}”阶段，只有实施中的标准才能启动复审")
    detail = detail.strip()[:300]
    same = locked.reviews.filter(reason=reason, detail=detail)
    # A referenced standard is replaced once: a later rewrite of the same catalogue record is not a new trigger.
    if reason != PeriodicReview.Reason.REFERENCE_CHANGED:
        same = same.filter(conclusion="")
    existing = same.first()
    created = False
    if existing is None:
        try:
            with transaction.atomic():
                existing = PeriodicReview.objects.create(project=locked, reason=reason, detail=detail,
                                                         due_on=next_review_due_on(today))
            created = True
        except IntegrityError:  # opened at the same moment by another transaction
            existing = locked.reviews.get(reason=reason, detail=detail, conclusion="")
    if created:
        bump_version(locked)
        record(locked, actor=by, kind="review_opened", public=True, data={
            "review": existing.pk, "reason": reason, "detail": detail, "due_on": existing.due_on.isoformat(),
        })
    if start and locked.state == State.IMPLEMENTING:
        project_actions.advance(project=locked, action=Action.START_PERIODIC_REVIEW, by=by, today=today)
    elif created:
        label = PeriodicReview.Reason(reason).label
        _send(project_queries._bureau_users(), kind="review_due",
              subject=M("{number}《{title}》须复审：{reason}", number=locked.number or locked.code, title=locked.title_zh,
                        reason=M(str(label))),
              body=M("{detail}。复审期限 {date}。", detail=detail or M(str(label)), date=existing.due_on.isoformat()),
              url=locked.get_absolute_url())
    return existing, created


def open_due_reviews(*, today: date | None = None, progress=None) -> list[dict]:
    """`reviews-due --open`: for each standard in force whose five years have run, open its five-year review;
    move every implemented project with a review due into 复审 (by the system). Returns what was done."""
    today = today or _today()
    done = []
    candidates = list(
        Project.objects.filter(state__in=[s.value for s in IN_FORCE])
        .filter(Q(review_due_on__lte=today) | Q(reviews__conclusion="", reviews__isnull=False))
        .distinct().order_by("review_due_on", "id")
    )
    for project in candidates:
        outcome = {"code": project.code, "number": project.number, "opened": False, "started": False, "error": ""}
        before = project.state
        try:
            with transaction.atomic():
                if project.review_due_on and project.review_due_on <= today:
                    _, outcome["opened"] = open_review(
                        project=project, reason=PeriodicReview.Reason.FIVE_YEARS, by=None, today=today, start=True,
                        detail=f"实施日期 {iso_or_blank(project.implementation_on)}，复审到期 {project.review_due_on.isoformat()}",
                    )
                project.refresh_from_db(fields=["state", "version"])
                if project.state == State.IMPLEMENTING:
                    project_actions.advance(project=project, action=Action.START_PERIODIC_REVIEW, by=None, today=today)
                project.refresh_from_db(fields=["state", "version"])
                outcome["started"] = before != project.state == State.PERIODIC_REVIEW
        except LifecycleError as exc:
            outcome["error"] = str(exc)
        done.append(outcome)
        if progress:
            progress(1)
    return done


@transaction.atomic
def conclude_review(
    *, project: Project, action: str, reason: str, by: User, data: bytes | None = None, filename: str = "",
    expected_version: int | None = None, note: str = "",
) -> Project:
    """Upload the review conclusion (复审意见) and conclude: 继续有效 / 修订 / 废止, all or nothing.

    The table asks for a conclusion document; this also asks that it was uploaded for *this* review (after it
    opened), so an earlier review's conclusion cannot close a new one.
    """
    try:
        act = Action(action)
    except ValueError as exc:
        raise LifecycleError(f"未知的复审结论：{action}") from exc
    if act not in CONCLUSIONS:
        raise LifecycleError("复审结论应为继续有效、修订或废止")
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise errors.ConcurrentChange(locked)
    if Role.BUREAU not in access.project_roles(by, locked):
        raise NotAllowed("只有省局可以作出复审结论")
    if locked.state != State.PERIODIC_REVIEW:
        raise LifecycleError(f"项目处于“{locked.state_label}”阶段，不在复审中")
    opened = locked.reviews.filter(conclusion="").order_by("opened_at").values_list("opened_at", flat=True).first()
    stored = None
    try:
        if data:
            stored = documents.upload_document(project=locked, kind=Doc.REVIEW_CONCLUSION, data=data,
                                              filename=filename or "复审意见.pdf", by=by, note=note)
        since = opened or locked.stage_entered_at
        fresh = locked.documents.filter(kind=Doc.REVIEW_CONCLUSION)
        if since:
            fresh = fresh.filter(uploaded_at__gte=since)
        if not fresh.exists():
            raise LifecycleError("请上传本次复审的复审意见（PDF 或 Word）")
        return project_actions.advance(project=locked, action=act, by=by, reason=reason)
    except Exception:
        if stored is not None:
            stored.file.storage.delete(stored.file.name)
        raise


def _evaluator_check(by: User, project: Project, evaluation: ImplementationEvaluation) -> None:
    if Role.EVALUATOR not in access.project_roles(by, project) or by.organisation_id != evaluation.agency_id:
        raise NotAllowed("只有受委托的第三方评估机构可以评分和提交评估报告")


@transaction.atomic
def score_evaluation(*, evaluation: ImplementationEvaluation, scores: dict, conclusion: str,
                     by: User) -> ImplementationEvaluation:
    """The evaluator records a score per dimension and the conclusion; the total is computed, not typed."""
    project = Project.objects.select_for_update().get(pk=evaluation.project_id)
    ev = ImplementationEvaluation.objects.select_for_update().select_related("agency").get(pk=evaluation.pk)
    _evaluator_check(by, project, ev)
    if ev.submitted_at is not None:
        raise LifecycleError("评估报告已提交，评分不能再修改")
    if project.state != State.EVALUATION:
        raise LifecycleError(f"项目处于“{project.state_label}”阶段，不在实施效果评估中")
    cleaned = clean_scores(scores)
    conclusion = _clean(conclusion)
    if not conclusion:
        raise LifecycleError("请填写评估结论")
    if len(conclusion) > MAX_TEXT:
        raise LifecycleError(f"评估结论不能超过 {MAX_TEXT} 字")
    ev.scores = {k: plain_score(v) for k, v in cleaned.items()}
    ev.total_score = weighted_total(cleaned)
    ev.conclusion = conclusion
    ev.save(update_fields=["scores", "total_score", "conclusion"])
    bump_version(project)
    record(project, actor=by, kind="evaluation_scored", data={
        "evaluation": ev.pk, "agency": ev.agency.name, "scores": {k: str(v) for k, v in cleaned.items()},
        "total_score": str(ev.total_score),
    })
    return ev


@transaction.atomic
def submit_evaluation_report(*, project: Project, data: bytes | None, filename: str, by: User,
                             note: str = "") -> Project:
    """Upload the evaluation report (实施效果评估报告) and submit it, all or nothing; the project returns to 实施."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    ev = open_evaluation(locked)
    if ev is None:
        raise LifecycleError("没有待提交的评估委托")
    _evaluator_check(by, locked, ev)
    stored = None
    try:
        if data:
            stored = documents.upload_document(project=locked, kind=Doc.EVALUATION_REPORT, data=data,
                                              filename=filename or "评估报告.pdf", by=by, note=note)
        elif not locked.documents.filter(kind=Doc.EVALUATION_REPORT, uploaded_at__gte=ev.commissioned_at).exists():
            raise LifecycleError("请上传评估报告（PDF 或 Word）")
        return project_actions.advance(project=locked, action=Action.SUBMIT_EVALUATION, by=by)
    except Exception:
        if stored is not None:
            stored.file.storage.delete(stored.file.name)
        raise
