"""Use cases after publication (实施与复审): implementation feedback, third-party evaluation, reviews due
(normative references are `lifecycle.references`, the public timeline `lifecycle.timeline`).

Feedback (实施信息反馈) comes from anyone; the bureau answers it or opens a periodic review (复审) because of it. A
commissioned agency scores the implementation evaluation (实施效果评估) on a weighted rubric and submits its report.
A review falls due five years after implementation, or earlier when a standard the text cites normatively is
replaced or withdrawn (the catalogue's `standards_superseded` signal); its conclusion closes the loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from accounts.roles import region_within
from lifecycle import captcha, public_input, deadlines, services
from lifecycle import transitions as rules
from lifecycle.models import (
    ImplementationEvaluation,
    ImplementationFeedback,
    LocalStandardProject,
    PeriodicReview,
)
from lifecycle.services import LifecycleError
from lifecycle.transitions import Action, Doc, Role, State
from trail.services import record

log = logging.getLogger("yuebiao.lifecycle")
Project = LocalStandardProject

# A standard is "in force" for these purposes while it is implemented, evaluated or under review.
IN_FORCE = (State.IMPLEMENTING, State.EVALUATION, State.PERIODIC_REVIEW)
# States after publication in which the implementation panel has something to show.
AFTER_PUBLICATION = (State.PUBLISHED, *IN_FORCE, State.REVISED, State.WITHDRAWN)
MAX_TEXT = 5000


class NotAllowed(LifecycleError):
    """The user's role on the project does not allow this (views answer 403)."""


class TooMany(LifecycleError):
    """The sender has sent too much too fast (views answer 429)."""


def _today() -> date:
    return timezone.localdate()


def _region_prefix(code: str | None) -> str | None:
    """The leading digits region_within() compares: 440100 → 4401, 440000 → 44."""
    if not code:
        return None
    significant = code.rstrip("0")
    if len(significant) % 2:
        significant += "0"
    return significant or None


def _bump(project: Project) -> None:
    # Forms carry the version they were read at: any change that alters the facts makes them stale.
    Project.objects.filter(pk=project.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _send(users, **kwargs) -> None:
    from notify.services import send

    if users:
        send(users, **kwargs)


def _city_officers(region_code: str) -> list[User]:
    prefix = _region_prefix(region_code)
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
# Captcha (lifecycle.captcha, offline): anonymous senders answer one per feedback; a session holds a few at once.

FEEDBACK_LIMITS = {"author_name": 100, "author_organisation": 200, "contact": 100}
FEEDBACK_FIELD_LABELS = {"author_name": "姓名", "author_organisation": "单位", "contact": "联系方式"}
# Kinds that are grounds for a periodic review; "effect" (实施效果) is information only.
REVIEW_GROUNDS = (ImplementationFeedback.Kind.PROBLEM, ImplementationFeedback.Kind.SUGGESTION)


class CaptchaRefused(LifecycleError):
    """A missing, wrong, expired or used captcha answer (views answer 400 and show a new one)."""


PURPOSE = "lifecycle.feedback"
_clean = public_input.clean_text


def sender_digest(address: str) -> str:
    return public_input.sender_digest(address, purpose=PURPOSE)


def issue_captcha(session, *, now: float | None = None) -> captcha.Challenge:
    return public_input.issue_captcha(session, purpose=PURPOSE, now=now)


def check_captcha(session, challenge_id: str | None, answer: str | None, *, sender: str = "",
                  now: float | None = None) -> str:
    """The solved challenge's id for submit_feedback(captcha_id=…); a refusal counts against the sender."""
    return public_input.check_captcha(session, challenge_id, answer, purpose=PURPOSE, refused=CaptchaRefused,
                                      sender_digest=sender_digest(sender), now=now)


def accepts_feedback(standard) -> bool:
    """Feedback is taken on local standards (the bureau's own) and on any standard with a project here."""
    return standard.level == "local" or Project.objects.filter(standard=standard).exists()


def project_of(standard) -> Project | None:
    return Project.objects.filter(standard=standard).first()


def check_rate(*, sender: str, user: User | None) -> None:
    """TooMany when this sender (address or account) has sent the most feedback allowed; before the captcha, so a
    limited sender's guesses are not even checked."""
    signed_in = user if user is not None and getattr(user, "is_authenticated", False) else None
    _check_rate(digest=sender_digest(sender), user=signed_in, now=timezone.now())


def _check_rate(*, digest: str, user: User | None, now) -> None:
    """Feedback and refused captcha answers from this sender, in the last hour and day, against the limits."""
    who = Q(pk__in=[])
    if digest:
        who |= Q(sender_digest=digest)
    if user is not None and getattr(user, "is_authenticated", False):
        who |= Q(user=user)
    if not (digest or (user is not None and getattr(user, "is_authenticated", False))):
        return
    recent = ImplementationFeedback.objects.filter(who, submitted_at__gte=now - timedelta(days=1))
    refused = public_input.refused_times(purpose=PURPOSE, sender_digest=digest, since=now - timedelta(days=1))
    last_hour = recent.filter(submitted_at__gte=now - timedelta(hours=1)).count()
    if last_hour + sum(t >= now - timedelta(hours=1) for t in refused) >= FEEDBACK_PER_HOUR:
        raise TooMany(f"提交过于频繁：每小时最多 {FEEDBACK_PER_HOUR} 条反馈，请稍后再试")
    if recent.count() + len(refused) >= FEEDBACK_PER_DAY:
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
        raise LifecycleError("本平台受理地方标准的实施信息反馈；其他标准请向其发布或归口部门反馈")
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
    handlers = services._bureau_users() + _city_officers(region)
    _send(handlers, kind="feedback", email=False,
          subject=f"收到实施信息反馈：{standard.number}（{feedback.get_kind_display()}）",
          body=fields["text"][:200], url=f"/lifecycle/feedback/?status=new#feedback-{feedback.pk}")
    return feedback


def feedback_region(feedback: ImplementationFeedback) -> str:
    if feedback.project_id:
        return feedback.project.city_code
    return feedback.standard.region_id or "440000"


def may_handle_feedback(user, feedback: ImplementationFeedback | None = None) -> bool:
    """The bureau for all feedback; a city officer for feedback on standards (or projects) of his or her city."""
    if can(user, AccountAction.LIFECYCLE_MANAGE):
        return True
    if AccountRole.CITY_OFFICER not in roles_of(user):
        return False
    if feedback is None:
        return True
    org = getattr(user, "organisation", None)
    return region_within(feedback_region(feedback), getattr(org, "region_code", None))


def feedback_for(user):
    """The feedback `user` may handle, newest first."""
    qs = ImplementationFeedback.objects.select_related("standard", "project", "handled_by")
    if can(user, AccountAction.LIFECYCLE_MANAGE):
        return qs
    if AccountRole.CITY_OFFICER not in roles_of(user):
        return qs.none()
    prefix = _region_prefix(getattr(getattr(user, "organisation", None), "region_code", None))
    if not prefix:
        return qs.none()
    return qs.filter(Q(project__city_code__startswith=prefix)
                     | Q(project__isnull=True, standard__region__code__startswith=prefix))


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


# ---------------------------------------------------------------------------------------------------------------
# Periodic reviews (复审): opening them, the five-year rule, the due list, concluding.

def _review_due_on(today: date) -> date:
    return deadlines.due_date(today, services.period("periodic_review.stage"), services.work_calendar()).due


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
                                                         due_on=_review_due_on(today))
            created = True
        except IntegrityError:  # opened at the same moment by another transaction
            existing = locked.reviews.get(reason=reason, detail=detail, conclusion="")
    if created:
        _bump(locked)
        record(locked, actor=by, kind="review_opened", public=True, data={
            "review": existing.pk, "reason": reason, "detail": detail, "due_on": existing.due_on.isoformat(),
        })
    if start and locked.state == State.IMPLEMENTING:
        services.advance(project=locked, action=Action.START_PERIODIC_REVIEW, by=by, today=today)
    elif created:
        label = PeriodicReview.Reason(reason).label
        _send(services._bureau_users(), kind="review_due",
              subject=f"{locked.number or locked.code}《{locked.title_zh}》须复审：{label}",
              body=f"{detail or label}。复审期限 {existing.due_on.isoformat()}。", url=locked.get_absolute_url())
    return existing, created


@dataclass
class ReviewDue:
    """One line of the review due list."""

    project: Project
    due_on: date | None  # the earliest of the five-year date and the open reviews' deadlines
    days_left: int | None
    overdue: bool
    open_reviews: list[PeriodicReview]
    city_name: str = ""

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue and self.days_left is not None else 0

    @property
    def reasons(self) -> list[str]:
        return [str(r.get_reason_display()) for r in self.open_reviews]

    def as_dict(self) -> dict:
        p = self.project
        return {
            "code": p.code, "number": p.number, "title_zh": p.title_zh, "state": p.state, "state_label": p.state_label,
            "city_code": p.city_code, "city_name": self.city_name,
            "implementation_on": p.implementation_on.isoformat() if p.implementation_on else None,
            "review_due_on": p.review_due_on.isoformat() if p.review_due_on else None,
            "due_on": self.due_on.isoformat() if self.due_on else None, "days_left": self.days_left,
            "overdue": self.overdue, "url": p.get_absolute_url(),
            "standard_url": p.standard.get_absolute_url() if p.standard_id else None,
            "open_reviews": [{"reason": r.reason, "reason_label": str(r.get_reason_display()), "detail": r.detail,
                              "due_on": r.due_on.isoformat()} for r in self.open_reviews],
        }


def _city_names(codes: Iterable[str]) -> dict[str, str]:
    from catalogue.models import AdminDivision

    names = dict(AdminDivision.objects.filter(code__in=set(codes)).values_list("code", "name"))
    names.setdefault("440000", "全省")
    return names


def reviews_due(projects=None, *, within_months: int | None = 0, today: date | None = None) -> list[ReviewDue]:
    """Standards in force whose review is due within `within_months` (0: due now; None: any date), or that have
    an open review; overdue first, then by date. Three queries whatever the length."""
    today = today or _today()
    qs = projects if projects is not None else Project.objects.all()
    qs = qs.filter(state__in=[s.value for s in IN_FORCE])
    due = Q(reviews__conclusion="", reviews__isnull=False)
    if within_months is None:
        due |= Q(review_due_on__isnull=False)
    else:
        horizon = deadlines.due_date(today, deadlines.Period(int(within_months), deadlines.Unit.MONTHS)).due
        due |= Q(review_due_on__lte=horizon)
    ids = list(qs.filter(due).values_list("id", flat=True).distinct())
    rows_qs = Project.objects.filter(id__in=ids).select_related("standard")
    open_by_project: dict[int, list[PeriodicReview]] = {}
    for review in PeriodicReview.objects.filter(project_id__in=ids, conclusion="").order_by("due_on", "id"):
        open_by_project.setdefault(review.project_id, []).append(review)
    projects_list = list(rows_qs)
    names = _city_names(p.city_code for p in projects_list)
    rows = []
    for p in projects_list:
        opened = open_by_project.get(p.id, [])
        dates = [d for d in [p.review_due_on, *(r.due_on for r in opened)] if d]
        first = min(dates) if dates else None
        rows.append(ReviewDue(
            project=p, due_on=first, days_left=(first - today).days if first else None,
            overdue=bool(first and first < today), open_reviews=opened, city_name=names.get(p.city_code, p.city_code),
        ))
    rows.sort(key=lambda r: (not r.overdue, r.due_on or date.max, r.project.code))
    return rows


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
                        detail=f"实施日期 {_iso(project.implementation_on)}，复审到期 {project.review_due_on.isoformat()}",
                    )
                project.refresh_from_db(fields=["state", "version"])
                if project.state == State.IMPLEMENTING:
                    services.advance(project=project, action=Action.START_PERIODIC_REVIEW, by=None, today=today)
                project.refresh_from_db(fields=["state", "version"])
                outcome["started"] = before != project.state == State.PERIODIC_REVIEW
        except LifecycleError as exc:
            outcome["error"] = str(exc)
        done.append(outcome)
        if progress:
            progress(1)
    return done


def _iso(value: date | None) -> str:
    return value.isoformat() if value else "—"


CONCLUSIONS = {
    Action.CONFIRM: PeriodicReview.Conclusion.CONFIRM,
    Action.REVISE: PeriodicReview.Conclusion.REVISE,
    Action.WITHDRAW: PeriodicReview.Conclusion.WITHDRAW,
}


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
        raise services.ConcurrentChange(locked)
    if Role.BUREAU not in services.project_roles(by, locked):
        raise NotAllowed("只有省局可以作出复审结论")
    if locked.state != State.PERIODIC_REVIEW:
        raise LifecycleError(f"项目处于“{locked.state_label}”阶段，不在复审中")
    opened = locked.reviews.filter(conclusion="").order_by("opened_at").values_list("opened_at", flat=True).first()
    stored = None
    try:
        if data:
            stored = services.upload_document(project=locked, kind=Doc.REVIEW_CONCLUSION, data=data,
                                              filename=filename or "复审意见.pdf", by=by, note=note)
        since = opened or locked.stage_entered_at
        fresh = locked.documents.filter(kind=Doc.REVIEW_CONCLUSION)
        if since:
            fresh = fresh.filter(uploaded_at__gte=since)
        if not fresh.exists():
            raise LifecycleError("请上传本次复审的复审意见（PDF 或 Word）")
        return services.advance(project=locked, action=act, by=by, reason=reason)
    except Exception:
        if stored is not None:
            stored.file.storage.delete(stored.file.name)
        raise


# ---------------------------------------------------------------------------------------------------------------
# Third-party evaluation (实施效果评估): the rubric and the scores.

@dataclass(frozen=True)
class Dimension:
    key: str
    label_zh: str
    label_en: str
    weight: int
    hint: str = ""


# The default rubric. Weights are percentages and sum to 100; each score is 0–100 and the total is the weighted
# mean, one decimal. The bureau may set its own in settings.LIFECYCLE_EVALUATION_RUBRIC (a list of dicts with the
# same keys); no national rubric was found (see docs/lifecycle-implementation.md).
DEFAULT_RUBRIC: tuple[Dimension, ...] = (
    Dimension("implementation", "实施情况", "Implementation", 30, "宣贯培训、采用和执行的范围与程度"),
    Dimension("advancement", "技术先进性", "Technical advancement", 20, "技术指标与国内外同类标准相比的水平"),
    Dimension("economic", "经济效益", "Economic benefit", 20, "降低成本、提高质量、扩大市场等"),
    Dimension("social", "社会效益", "Social benefit", 15, "安全、健康、环境保护、公共服务等"),
    Dimension("applicability", "标准适用性", "Applicability", 15, "内容是否适应当前技术和管理需要，是否便于执行"),
)
SCORE_MIN, SCORE_MAX = Decimal(0), Decimal(100)
_TENTH = Decimal("0.1")


def validate_rubric(rows: Iterable[Dimension]) -> tuple[Dimension, ...]:
    rows = tuple(rows)
    keys = [d.key for d in rows]
    if not rows or len(set(keys)) != len(keys):
        raise ValueError("评分维度不能为空，也不能重复")
    if any(d.weight <= 0 for d in rows) or sum(d.weight for d in rows) != 100:
        raise ValueError("各评分维度的权重须为正数，合计 100")
    return rows


def rubric() -> tuple[Dimension, ...]:
    custom = getattr(settings, "LIFECYCLE_EVALUATION_RUBRIC", None)
    if not custom:
        return DEFAULT_RUBRIC
    return validate_rubric(Dimension(**row) if isinstance(row, dict) else row for row in custom)


def _score(value: Any, label: str) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise LifecycleError(f"请填写“{label}”的得分")
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise LifecycleError(f"“{label}”的得分应为数字") from exc
    if not score.is_finite():
        raise LifecycleError(f"“{label}”的得分应为数字")
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise LifecycleError(f"“{label}”的得分应在 0 至 100 之间")
    if score != score.quantize(_TENTH):
        raise LifecycleError(f"“{label}”的得分最多保留一位小数")
    return score.quantize(_TENTH)


def weighted_total(scores: dict[str, Decimal], dimensions: Iterable[Dimension] | None = None) -> Decimal:
    """The weighted mean of the scores, rounded half up to one decimal."""
    dims = tuple(dimensions or rubric())
    total = sum((scores[d.key] * d.weight for d in dims), Decimal(0)) / sum(d.weight for d in dims)
    return total.quantize(_TENTH, rounding=ROUND_HALF_UP)


def clean_scores(scores: dict) -> dict[str, Decimal]:
    if not isinstance(scores, dict):
        raise LifecycleError("评分格式不正确")
    dims = rubric()
    known = {d.key for d in dims}
    unknown = [str(k) for k in scores if k not in known]
    if unknown:
        raise LifecycleError("未知的评分维度：" + "、".join(unknown))
    missing = [d.label_zh for d in dims if scores.get(d.key) in (None, "")]
    if missing:
        raise LifecycleError("缺少评分：" + "、".join(missing))
    return {d.key: _score(scores[d.key], d.label_zh) for d in dims}


def _plain(score: Decimal) -> int | float:
    return int(score) if score == score.to_integral_value() else float(score)


def _evaluator_check(by: User, project: Project, evaluation: ImplementationEvaluation) -> None:
    if Role.EVALUATOR not in services.project_roles(by, project) or by.organisation_id != evaluation.agency_id:
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
    ev.scores = {k: _plain(v) for k, v in cleaned.items()}
    ev.total_score = weighted_total(cleaned)
    ev.conclusion = conclusion
    ev.save(update_fields=["scores", "total_score", "conclusion"])
    _bump(project)
    record(project, actor=by, kind="evaluation_scored", data={
        "evaluation": ev.pk, "agency": ev.agency.name, "scores": {k: str(v) for k, v in cleaned.items()},
        "total_score": str(ev.total_score),
    })
    return ev


def open_evaluation(project: Project) -> ImplementationEvaluation | None:
    return project.evaluations.filter(submitted_at__isnull=True).select_related("agency").first()


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
            stored = services.upload_document(project=locked, kind=Doc.EVALUATION_REPORT, data=data,
                                              filename=filename or "评估报告.pdf", by=by, note=note)
        elif not locked.documents.filter(kind=Doc.EVALUATION_REPORT, uploaded_at__gte=ev.commissioned_at).exists():
            raise LifecycleError("请上传评估报告（PDF 或 Word）")
        return services.advance(project=locked, action=Action.SUBMIT_EVALUATION, by=by)
    except Exception:
        if stored is not None:
            stored.file.storage.delete(stored.file.name)
        raise


def evaluations_for(user: User):
    """The evaluations commissioned from the user's agency (the evaluator's list), open ones first."""
    org_id = getattr(user, "organisation_id", None)
    if not org_id or AccountRole.EVALUATOR not in roles_of(user):
        return ImplementationEvaluation.objects.none()
    return (ImplementationEvaluation.objects.filter(agency_id=org_id)
            .select_related("project", "agency", "report").order_by(F("submitted_at").asc(nulls_first=True),
                                                                     "-commissioned_at"))


def score_rows(evaluation: ImplementationEvaluation | None) -> list[dict]:
    scores = (evaluation.scores or {}) if evaluation else {}
    return [{"key": d.key, "label": d.label_zh, "weight": d.weight, "hint": d.hint, "score": scores.get(d.key)}
            for d in rubric()]


# ---------------------------------------------------------------------------------------------------------------
# The project page's panel.

def project_panel_context(project, user, roles) -> dict:
    """What the project page's implementation panel needs (lifecycle/templates/lifecycle/implementation/_panel.html).

    Six queries at most, whatever the number of references, reviews, evaluations or feedback.
    """
    state = State(project.state)
    if state not in AFTER_PUBLICATION:
        return {"show": False}
    roles = {Role(r) for r in roles}
    can_manage = can(user, AccountAction.LIFECYCLE_MANAGE)
    evaluations = list(project.evaluations.select_related("agency", "report").order_by("-commissioned_at"))
    current = next((e for e in evaluations if e.submitted_at is None), None)
    reviews = list(project.reviews.order_by("-opened_at", "-id"))
    feedback = list(project.feedback.order_by("-submitted_at", "-id")[:5])
    counts = {"new": 0, "total": 0}
    for status in project.feedback.values_list("status", flat=True):
        counts["total"] += 1
        counts["new"] += status == ImplementationFeedback.Status.NEW
    today = _today()
    return {
        "show": True,
        "today": today,
        "in_force": state in IN_FORCE,
        "review_due_on": project.review_due_on,
        "review_days_left": (project.review_due_on - today).days if project.review_due_on else None,
        "review_overdue": bool(project.review_due_on and project.review_due_on < today and state in IN_FORCE),
        "references": list(project.references.order_by("number")),
        "may_edit_references": can_manage and state in (State.PUBLISHED, *IN_FORCE),
        "reviews": reviews,
        "open_reviews": [r for r in reviews if not r.conclusion],
        "may_conclude": Role.BUREAU in roles and state == State.PERIODIC_REVIEW,
        "conclusions": [(a.value, rules.ACTION_LABELS[a][0]) for a in CONCLUSIONS],
        "evaluations": evaluations,
        "evaluation": current,
        "score_rows": score_rows(current or (evaluations[0] if evaluations else None)),
        "may_score": bool(current and Role.EVALUATOR in roles and state == State.EVALUATION
                          and getattr(user, "organisation_id", None) == current.agency_id),
        "may_open_review": Role.BUREAU in roles and state == State.IMPLEMENTING,
        "feedback": feedback,
        "feedback_counts": counts,
        "may_handle_feedback": may_handle_feedback(user),
        # All of them concern this project, so one check covers the list (the officers of another city see none).
        "may_see_feedback_contacts": bool(feedback) and may_handle_feedback(user, feedback[0]),
    }


__all__ = [
    "DEFAULT_RUBRIC", "FEEDBACK_PER_DAY", "FEEDBACK_PER_HOUR", "IN_FORCE", "NotAllowed", "TooMany",
    "conclude_review", "feedback_for", "open_due_reviews", "open_review", "project_panel_context",
    "respond_feedback", "review_because_of_feedback",
    "reviews_due", "score_evaluation", "submit_evaluation_report", "submit_feedback",
]
