"""Use cases of a local standard's life: propose, advance through the table, documents, numbers, who acts now.

Every change locks the project row, checks the version the user read, asks `transitions.decide()`, writes, and
records its event in the trail in the same transaction; notices go out after commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

from accounts.models import Organisation, User
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from accounts.roles import region_within
from lifecycle import deadlines
from lifecycle import transitions as rules
from lifecycle.deadlines import Period, Unit, WorkCalendar
from lifecycle.models import (
    CalendarDay,
    Extension,
    ImplementationEvaluation,
    LocalStandardProject,
    NumberCounter,
    PanelMember,
    PeriodicReview,
    ProjectDocument,
    ProjectStage,
    StatutoryPeriod,
)
from lifecycle.transitions import Action, Doc, Facts, Role, State
from trail.services import record

Project = LocalStandardProject


def plain(data: dict) -> dict:
    """Event data as plain JSON values: choices and enums become their strings, dates ISO text (the trail is strict)."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


class LifecycleError(ValueError):
    """A request the rules refuse; str() is the Chinese message shown to the user."""


class TransitionRefused(LifecycleError):
    pass


class NotAllowed(LifecycleError):
    """The user may not do this to this object (another city's project, say): views and the API answer 403."""


class ProjectNotFound(LifecycleError):
    """No project has this code: views and the API answer 404."""


class ConcurrentChange(LifecycleError):
    def __init__(self, project: Project):
        super().__init__(f"项目“{project.code}”已被他人修改（当前第 {project.version} 版），请刷新页面后重试")


class DocumentRefused(LifecycleError):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Configured periods (规定期限) and the working-day calendar.

# key → (amount, unit, 名称, English, 依据, verified). Rows in StatutoryPeriod override these; the defaults are what
# ../docs/lifecycle.md lists and the bureau can change on /lifecycle/periods/.
DEFAULT_PERIODS: dict[str, tuple[int, Unit, str, str, str, bool]] = {
    "stage.assessment": (30, Unit.WORKING_DAYS, "立项评估", "Proposal assessment", "省局工作安排", False),
    "stage.publicity": (30, Unit.CALENDAR_DAYS, "立项公示期", "Plan publicity", "广东省：公示约一个月", False),
    "stage.drafting": (6, Unit.MONTHS, "起草至征求意见", "Drafting to consultation", "项目计划", False),
    "consultation.minimum": (30, Unit.CALENDAR_DAYS, "征求意见期（最短）", "Consultation (minimum)",
                             "地方标准管理办法：征求意见期限一般不少于30日", True),
    "stage.resolution": (30, Unit.CALENDAR_DAYS, "意见处理", "Comment resolution", "项目计划", False),
    "stage.technical_review": (60, Unit.CALENDAR_DAYS, "技术审查", "Technical review", "项目计划", False),
    "stage.approval": (20, Unit.WORKING_DAYS, "报批审核", "Approval", "省局工作安排", False),
    "filing": (60, Unit.CALENDAR_DAYS, "备案期限（发布后）", "Filing after publication",
               "地方标准管理办法：发布后60日内备案（待核对）", False),
    "disclosure": (20, Unit.CALENDAR_DAYS, "文本公开期限（发布后）", "Disclosure after publication",
                   "地方标准管理办法：发布后20日内公开（待核对）", False),
    "evaluation.report": (60, Unit.CALENDAR_DAYS, "评估报告期限", "Evaluation report", "委托合同", False),
    "periodic_review.interval": (5, Unit.YEARS, "复审周期（最长）", "Periodic review interval",
                                 "标准化法 第二十九条：复审周期一般不超过五年", True),
    "periodic_review.stage": (90, Unit.CALENDAR_DAYS, "复审办理期限", "Periodic review", "省局工作安排", False),
    "drafting_cycle.target": (15, Unit.MONTHS, "制定周期目标", "Drafting-cycle target",
                              "试点工作方案：地方标准平均制定周期不超过15个月", True),
}

# The period that sets each state's due date (counted from the day the project entered it).
STAGE_PERIOD_KEYS: dict[State, str] = {
    State.ASSESSMENT: "stage.assessment",
    State.PUBLICITY: "stage.publicity",
    State.DRAFTING: "stage.drafting",
    State.CONSULTATION: "consultation.minimum",
    State.RESOLUTION: "stage.resolution",
    State.TECHNICAL_REVIEW: "stage.technical_review",
    State.APPROVAL: "stage.approval",
    State.PUBLISHED: "disclosure",
    State.EVALUATION: "evaluation.report",
    State.PERIODIC_REVIEW: "periodic_review.stage",
}


def ensure_periods() -> int:
    """Write the default periods the bureau has not set yet (idempotent); returns how many were added."""
    existing = set(StatutoryPeriod.objects.values_list("key", flat=True))
    rows = [
        StatutoryPeriod(key=k, amount=a, unit=u, label_zh=zh, label_en=en, basis=basis, verified=ok)
        for k, (a, u, zh, en, basis, ok) in DEFAULT_PERIODS.items() if k not in existing
    ]
    StatutoryPeriod.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def period(key: str) -> Period:
    row = StatutoryPeriod.objects.filter(key=key).values_list("amount", "unit").first()
    if row:
        return Period(row[0], Unit(row[1]))
    amount, unit, *_ = DEFAULT_PERIODS[key]
    return Period(amount, unit)


@transaction.atomic
def set_period(*, key: str, amount: int, unit: str, by: User) -> StatutoryPeriod:
    """The bureau changes a configured period; the change is an event in the trail."""
    if key not in DEFAULT_PERIODS:
        raise LifecycleError(f"未知的期限：{key}")
    if not (0 < int(amount) <= 3650):
        raise LifecycleError("期限须为 1 至 3650 之间的整数")
    ensure_periods()
    row = StatutoryPeriod.objects.select_for_update().get(key=key)
    before = {"amount": row.amount, "unit": row.unit}
    row.amount, row.unit = int(amount), Unit(unit).value
    row.save()
    record(f"lifecycle.period:{key}", actor=by, kind="period_changed",
           data={"key": key, "from": before, "to": {"amount": row.amount, "unit": row.unit}})
    return row


def work_calendar() -> WorkCalendar:
    rows = list(CalendarDay.objects.values_list("day", "is_workday"))
    return WorkCalendar(
        extra_holidays=frozenset(d for d, w in rows if not w),
        extra_workdays=frozenset(d for d, w in rows if w),
        announced_years=frozenset(d.year for d, _ in rows),
    )


# ---------------------------------------------------------------------------------------------------------------
# Who the user is on a project, and what is true of it.

def project_roles(user: User | None, project: Project) -> frozenset[Role]:
    """The parts `user` plays on `project` (transitions.Role); an account role alone is not enough."""
    if user is None:
        return frozenset({Role.SYSTEM})
    held = roles_of(user)
    if not held:
        return frozenset()
    org_id = getattr(user, "organisation_id", None)
    roles: set[Role] = set()
    if {AccountRole.PROVINCIAL_OFFICER, AccountRole.PROVINCIAL_ADMIN} & held:
        roles.add(Role.BUREAU)
    if org_id and org_id == project.proposer_id and {
        AccountRole.DEPARTMENT_OFFICER, AccountRole.CITY_OFFICER, AccountRole.PROVINCIAL_OFFICER
    } & held:
        roles.add(Role.PROPOSER)
    if org_id and AccountRole.DRAFTER in held and project.drafting_organisations.filter(id=org_id).exists():
        roles.add(Role.DRAFTER)
    if org_id and AccountRole.COMMITTEE_SECRETARY in held and org_id == project.technical_committee_id:
        roles.add(Role.COMMITTEE)
    if org_id and AccountRole.EVALUATOR in held and project.evaluations.filter(
        agency_id=org_id, submitted_at__isnull=True
    ).exists():
        roles.add(Role.EVALUATOR)
    return frozenset(roles)


def is_panel_expert(user: User | None, project: Project) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return PanelMember.objects.filter(panel__project=project, expert__user=user).exists()


def can_view_project(user: User | None, project: Project) -> bool:
    """Participants, panel experts, the bureau, and a city officer for projects of his or her city."""
    if not can(user, AccountAction.LIFECYCLE_WORK):
        return False
    if can(user, AccountAction.LIFECYCLE_MANAGE) or is_city_officer_of(user, project):
        return True
    return bool(project_roles(user, project)) or is_panel_expert(user, project)


def project_for(user: User | None, code: str) -> Project:
    """Find a project by its code and check that `user` may see it: the one way views, the API and commands load
    a project for someone. Raises ProjectNotFound or NotAllowed."""
    project = (
        Project.objects.select_related("proposer", "technical_committee", "standard", "revises", "predecessor")
        .filter(code=code).first()
    )
    if project is None:
        raise ProjectNotFound(gettext("没有这个项目"))
    if not can_view_project(user, project):
        raise NotAllowed(gettext("您不是该项目的参与方"))
    return project


def is_city_officer_of(user: User | None, project: Project) -> bool:
    """Whether `user` is a city officer of the city the project belongs to."""
    if AccountRole.CITY_OFFICER not in roles_of(user):
        return False
    return region_within(project.city_code, getattr(getattr(user, "organisation", None), "region_code", None))


def current_documents(project: Project) -> dict[str, ProjectDocument]:
    """The latest version of each kind of document."""
    latest: dict[str, ProjectDocument] = {}
    for doc in project.documents.order_by("kind", "-version"):
        latest.setdefault(doc.kind, doc)
    return latest


def _today() -> date:
    return timezone.localdate()


def project_facts(project: Project, *, today: date | None = None, reason: str = "") -> Facts:
    today = today or _today()
    cal = work_calendar()
    docs = frozenset(project.documents.values_list("kind", flat=True).distinct())
    panel = project.panels.order_by("-round").first()
    missing = panel.members.filter(conclusion="").count() if panel else 0
    publicity_elapsed = bool(
        project.publicity_opened_on
        and deadlines.has_elapsed(project.publicity_opened_on, period("stage.publicity"), today, cal)
    )
    consultation_elapsed = bool(
        project.consultation_opened_on
        and deadlines.has_elapsed(project.consultation_opened_on, period("consultation.minimum"), today, cal)
    )
    evaluation = project.evaluations.filter(submitted_at__isnull=True).first()
    return Facts(
        documents=docs,
        reason_given=bool(reason.strip()),
        publicity_elapsed=publicity_elapsed,
        consultation_elapsed=consultation_elapsed,
        unanswered_comments=project.comments.filter(resolution="").count(),
        review_decision=(panel.decision or None) if panel else None,
        missing_conclusions=missing,
        filed=project.filed_on is not None,
        disclosed=project.disclosed_on is not None,
        implementation_date_reached=bool(project.implementation_on and today >= project.implementation_on),
        evaluation_scored=bool(evaluation and evaluation.total_score is not None),
        extension_pending=project.extensions.filter(decision=Extension.Decision.PENDING).exists(),
        review_due=bool(
            (project.review_due_on and today >= project.review_due_on)
            or project.reviews.filter(conclusion="").exists()
        ),
    )


# ---------------------------------------------------------------------------------------------------------------
# Proposal.

def _next_code(year: int) -> str:
    """The next project code of `year` (2026-0006), never reused. The year's counter row is locked until the
    proposal commits, so concurrent proposals queue for a moment instead of colliding (SQLite: the write lock taken
    at BEGIN IMMEDIATE does the same); codes already present (imported, or written before the counter) are
    respected. Call inside the proposing transaction."""
    prefix = f"code-{year}"
    NumberCounter.objects.get_or_create(prefix=prefix)
    counter = NumberCounter.objects.select_for_update().get(prefix=prefix)
    last = Project.objects.filter(code__startswith=f"{year}-").aggregate(m=Max("code"))["m"]
    n = max(counter.last, int(last.split("-")[1]) if last else 0) + 1
    counter.last = n
    counter.save(update_fields=["last"])
    return f"{year}-{n:04d}"


def standard_to_revise(number_text: str):
    """The catalogue standard a revision project (修订项目) revises, from the number a person typed; None for none."""
    from catalogue.models import Standard
    from catalogue.numbers import StandardNumberError, parse_number

    text = (number_text or "").strip()
    if not text:
        return None
    try:
        number = parse_number(text).canonical
    except StandardNumberError as exc:
        raise LifecycleError(str(exc)) from exc
    standard = Standard.objects.filter(number=number).first()
    if standard is None:
        raise LifecycleError(gettext("目录中没有标准 %(n)s") % {"n": number})
    return standard


@transaction.atomic
def propose(
    *,
    by: User,
    title_zh: str,
    proposer: Organisation | None = None,
    drafting_organisations: Iterable[Organisation] = (),
    technical_committee: Organisation | None = None,
    city_code: str = "440000",
    kind: str = Project.Kind.NEW,
    nature: str = Project.Nature.RECOMMENDED,
    mandatory_basis: str = "",
    title_en: str = "",
    scope: str = "",
    necessity: str = "",
    ics_code: str = "",
    revises=None,
    predecessor: Project | None = None,
    is_demo: bool = False,
) -> Project:
    """Open a proposal (立项申请) in state APPLICATION; the proposer submits it with the application form."""
    if not can(by, AccountAction.LIFECYCLE_PROPOSE):
        raise LifecycleError("当前账户无权提出立项申请")
    title_zh = (title_zh or "").strip()
    if not title_zh:
        raise LifecycleError("请填写标准名称")
    if len(title_zh) > 300:
        raise LifecycleError("标准名称不能超过 300 字")
    proposer = proposer or by.organisation
    if proposer is None:
        raise LifecycleError("提出单位不能为空：当前账户不属于任何机构")
    if nature == Project.Nature.MANDATORY and not mandatory_basis.strip():
        raise LifecycleError("强制性地方标准须写明法律依据（仅环境保护、食品安全等法律授权的领域可制定）")
    if kind == Project.Kind.REVISION and revises is None:
        raise LifecycleError("修订项目须指明被修订的标准")
    if AccountRole.CITY_OFFICER in roles_of(by) and not can(by, AccountAction.LIFECYCLE_MANAGE):
        region = getattr(by.organisation, "region_code", "")
        if not region_within(city_code, region):
            raise NotAllowed("地市局只能为本市提出立项申请")
    now = timezone.now()
    project = Project.objects.create(
        code=_next_code(now.year), title_zh=title_zh, title_en=title_en.strip(), kind=kind, nature=nature,
        mandatory_basis=mandatory_basis.strip(), proposer=proposer, technical_committee=technical_committee,
        city_code=city_code, scope=scope, necessity=necessity, ics_code=ics_code, revises=revises,
        predecessor=predecessor, created_by=by, stage_entered_at=now, is_demo=is_demo,
    )
    project.drafting_organisations.set(list(drafting_organisations))
    ProjectStage.objects.create(project=project, state=State.APPLICATION, entered_at=now)
    record(project, actor=by, kind="created", data=plain({
        "code": project.code, "title_zh": title_zh, "kind": str(kind), "nature": str(nature),
        "proposer": proposer.name, "drafting_organisations": [o.name for o in drafting_organisations],
        "technical_committee": technical_committee.name if technical_committee else "",
        "city_code": str(city_code), "revises": getattr(revises, "number", ""),
        "predecessor": predecessor.code if predecessor else "",
    }))
    return project


# ---------------------------------------------------------------------------------------------------------------
# Documents.

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
    """'pdf', 'docx' or 'xlsx' from the bytes; anything else is refused with the reason."""
    if not data:
        raise DocumentRefused("文件为空")
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        _check_zip_entries(data, filename)
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile as exc:
            raise DocumentRefused(f"“{filename}”是损坏的压缩文件") from exc
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise DocumentRefused(f"“{filename}”是压缩包，不是 Word（.docx）或 Excel（.xlsx）文件")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
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
        from lifecycle.consultation import draft_outline

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


# ---------------------------------------------------------------------------------------------------------------
# Numbers (编号): DB44/T NNNN—YYYY, or DB44/ NNNN—YYYY for the mandatory ones; one sequence for both.

LOCAL_PREFIX = "DB44"


def _catalogue_high_water(prefix: str) -> int:
    from catalogue.models import Standard

    return Standard.objects.filter(prefix__in=[prefix, f"{prefix}/T"]).aggregate(m=Max("sequence_num"))["m"] or 0


def assign_number(project: Project, *, year: int) -> str:
    """The next number, never reused: the counter row is locked, and the catalogue's highest number is respected
    (standards published before the platform). Call inside the approving transaction."""
    NumberCounter.objects.get_or_create(prefix=LOCAL_PREFIX)
    counter = NumberCounter.objects.select_for_update().get(prefix=LOCAL_PREFIX)
    sequence = max(counter.last, _catalogue_high_water(LOCAL_PREFIX)) + 1
    counter.last = sequence
    counter.save(update_fields=["last"])
    slash = "/" if project.nature == Project.Nature.MANDATORY else "/T"
    return f"{LOCAL_PREFIX}{slash} {sequence}—{year}"


# ---------------------------------------------------------------------------------------------------------------
# Moving through the table.

def _parse_date(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise LifecycleError(f"{what}格式不正确，应为 YYYY-MM-DD") from exc


def _stage_due(state: State, start: date) -> tuple[date | None, bool]:
    key = STAGE_PERIOD_KEYS.get(state)
    if key is None:
        return None, False
    due = deadlines.due_date(start, period(key), work_calendar())
    return due.due, due.estimated


def _enter(project: Project, state: State, now: datetime) -> None:
    ProjectStage.objects.filter(project=project, left_at__isnull=True).update(left_at=now)
    project.state = state
    project.stage_entered_at = now
    due, estimated = _stage_due(state, timezone.localtime(now).date())
    if state == State.PUBLISHED and project.disclosure_due_on:
        due = project.disclosure_due_on
    project.stage_due_on, project.stage_due_estimated = due, estimated
    ProjectStage.objects.create(project=project, state=state, entered_at=now, due_on=due)


def _catalogue_record(project: Project) -> dict:
    return {
        "number": project.number, "title_zh": project.title_zh, "title_en": project.title_en, "status": None,
        "published_on": project.published_on, "implemented_on": project.implementation_on, "withdrawn_on": None,
        "ics_codes": [project.ics_code] if project.ics_code else [], "ccs_code": None,
        "technical_committee": project.technical_committee.name if project.technical_committee else "",
        "issuing_authority": "广东省市场监督管理局",
        "drafting_organisations": [o.name for o in project.drafting_organisations.all()],
        "replaces": [project.revises.number] if project.revises_id else [], "adoption_degree": None,
        "adopted_standard": None, "region_code": "440000", "sectors": [], "scope": project.scope, "notes": "",
    }


# What each action changes besides the state (one handler per action); each returns what the event should say.
# Every handler takes the same arguments so that `_effects` can dispatch through one table.

def _on_submit_application(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    project.submitted_on = today
    return {}


def _on_start_publicity(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    project.publicity_opened_on = today
    return {}


def _on_issue_plan(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    project.plan_issued_on = today
    target = deadlines.due_date(today, period("drafting_cycle.target"))
    project.cycle_due_on = target.due
    return {"cycle_due_on": target.due.isoformat()}


def _on_publish_draft(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    project.consultation_opened_on = today
    closes = _parse_date(data.get("closes_on"), "征求意见截止日期")
    minimum = deadlines.due_date(today, period("consultation.minimum"), work_calendar()).due
    if closes is None:
        closes = minimum
    if closes < minimum:
        raise LifecycleError(
            f"征求意见截止日期不能早于 {minimum.isoformat()}（不少于{period('consultation.minimum')}）"
        )
    project.consultation_closes_on = closes
    return {"closes_on": closes.isoformat()}


def _on_close_consultation(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    return {"comments": project.comments.count()}


def _on_submit_for_approval(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    return {"review_decision": project.review_decision}


def _on_return_for_changes(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    # Returned from technical review, the panel's decision no longer stands; from other stages nothing changes.
    if project.state == State.TECHNICAL_REVIEW:
        project.review_decision = ""
    return {}


def _on_approve_publication(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    published = _parse_date(data.get("published_on"), "发布日期") or today
    implementation = _parse_date(data.get("implementation_on"), "实施日期")
    if implementation is None:
        raise LifecycleError("请填写实施日期")
    earliest = project.stage_entered_at and timezone.localtime(project.stage_entered_at).date()
    if earliest and published < earliest:
        raise LifecycleError(f"发布日期不能早于报批日期 {earliest.isoformat()}")
    if published > today:
        raise LifecycleError("发布日期不能晚于今天")
    if implementation < published:
        raise LifecycleError("实施日期不能早于发布日期")
    project.number = assign_number(project, year=published.year)
    project.published_on = published
    project.implementation_on = implementation
    project.filing_due_on = deadlines.due_date(published, period("filing"), work_calendar()).due
    project.disclosure_due_on = deadlines.due_date(published, period("disclosure"), work_calendar()).due
    from catalogue.models import Standard
    from catalogue.services import upsert_standards

    upsert_standards([_catalogue_record(project)], source="lifecycle", by=by, context={"project": project.code})
    project.standard = Standard.objects.get(number=project.number)
    return {"number": project.number, "published_on": published.isoformat(),
            "implementation_on": implementation.isoformat()}


def _on_record_filing(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    filed = _parse_date(data.get("filed_on"), "备案日期") or today
    if project.published_on and filed < project.published_on:
        raise LifecycleError("备案日期不能早于发布日期")
    if filed > today:
        raise LifecycleError("备案日期不能晚于今天")
    project.filed_on = filed
    project.filing_reference = str(data.get("filing_reference", "")).strip()[:60]
    return {"filed_on": filed.isoformat(), "filing_reference": project.filing_reference,
            "late": bool(project.filing_due_on and filed > project.filing_due_on)}


def _on_record_disclosure(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    disclosed = _parse_date(data.get("disclosed_on"), "公开日期") or today
    if project.published_on and disclosed < project.published_on:
        raise LifecycleError("公开日期不能早于发布日期")
    project.disclosed_on = disclosed
    text = current_documents(project)[Doc.PUBLISHED_TEXT]
    if project.standard_id:
        from catalogue.services import FullTextRefused, attach_full_text

        try:
            attach_full_text(standard=project.standard, data=text.file.open("rb").read(),
                             filename=text.filename, by=by)
        except FullTextRefused as exc:
            raise LifecycleError(f"发布文本无法公开：{exc}") from exc
    return {"disclosed_on": disclosed.isoformat(), "sha256": text.sha256,
            "late": bool(project.disclosure_due_on and disclosed > project.disclosure_due_on)}


def _on_start_implementation(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    start = project.implementation_on or today
    project.review_due_on = deadlines.due_date(start, period("periodic_review.interval")).due
    return {"review_due_on": project.review_due_on.isoformat()}


def _on_commission_evaluation(project: Project, action: Action, *, by, today: date, data: dict,
                              reason: str) -> dict:
    agency = data.get("agency")
    if not isinstance(agency, Organisation) or agency.kind != Organisation.Kind.EVALUATION_AGENCY:
        raise LifecycleError("请选择一家第三方评估机构")
    if agency.id in set(project.drafting_organisations.values_list("id", flat=True)):
        raise LifecycleError("评估机构不能是该标准的起草单位（利益冲突）")
    due = deadlines.due_date(today, period("evaluation.report")).due
    ImplementationEvaluation.objects.create(project=project, agency=agency, commissioned_by=by, due_on=due)
    return {"agency": agency.name, "due_on": due.isoformat()}


def _on_submit_evaluation(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    evaluation = project.evaluations.filter(submitted_at__isnull=True).first()
    evaluation.submitted_at = timezone.now()
    evaluation.report = current_documents(project)[Doc.EVALUATION_REPORT]
    evaluation.save(update_fields=["submitted_at", "report"])
    return {"total_score": str(evaluation.total_score), "agency": evaluation.agency.name}


def _on_start_periodic_review(project: Project, action: Action, *, by, today: date, data: dict,
                              reason: str) -> dict:
    if not project.reviews.filter(conclusion="").exists():
        PeriodicReview.objects.create(
            project=project, reason=PeriodicReview.Reason.FIVE_YEARS, detail="",
            due_on=deadlines.due_date(today, period("periodic_review.stage")).due,
        )
    return {}


def _on_request_extension(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    until = _parse_date(data.get("requested_due_on"), "延期日期")
    current = project.cycle_due_on or project.stage_due_on
    if until is None:
        raise LifecycleError("请填写申请延期至的日期")
    if until <= today or (current and until <= current):
        raise LifecycleError(f"延期日期须晚于当前期限{(' ' + current.isoformat()) if current else ''}")
    Extension.objects.create(project=project, state=project.state, reason=reason.strip(), requested_due_on=until,
                             requested_by=by)
    return {"requested_due_on": until.isoformat()}


def _on_decide_extension(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    ext = project.extensions.select_for_update().get(decision=Extension.Decision.PENDING)
    ext.decision = (Extension.Decision.APPROVED if action == Action.APPROVE_EXTENSION
                    else Extension.Decision.REFUSED)
    ext.decision_note, ext.decided_by, ext.decided_at = reason.strip(), by, timezone.now()
    ext.save()
    if action == Action.APPROVE_EXTENSION:
        project.cycle_due_on = ext.requested_due_on
        project.stage_due_on = max(project.stage_due_on or ext.requested_due_on, ext.requested_due_on)
    return {"requested_due_on": ext.requested_due_on.isoformat(), "decision": ext.decision}


def _on_conclude_review(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    return _conclude_review(project, action, by=by, today=today, reason=reason)


EFFECT_HANDLERS: dict[Action, Callable[..., dict]] = {
    Action.SUBMIT_APPLICATION: _on_submit_application,
    Action.START_PUBLICITY: _on_start_publicity,
    Action.ISSUE_PLAN: _on_issue_plan,
    Action.PUBLISH_DRAFT: _on_publish_draft,
    Action.CLOSE_CONSULTATION: _on_close_consultation,
    Action.SUBMIT_FOR_APPROVAL: _on_submit_for_approval,
    Action.RETURN_FOR_CHANGES: _on_return_for_changes,
    Action.APPROVE_PUBLICATION: _on_approve_publication,
    Action.RECORD_FILING: _on_record_filing,
    Action.RECORD_DISCLOSURE: _on_record_disclosure,
    Action.START_IMPLEMENTATION: _on_start_implementation,
    Action.COMMISSION_EVALUATION: _on_commission_evaluation,
    Action.SUBMIT_EVALUATION: _on_submit_evaluation,
    Action.START_PERIODIC_REVIEW: _on_start_periodic_review,
    Action.CONFIRM: _on_conclude_review,
    Action.REVISE: _on_conclude_review,
    Action.WITHDRAW: _on_conclude_review,
    Action.REQUEST_EXTENSION: _on_request_extension,
    Action.APPROVE_EXTENSION: _on_decide_extension,
    Action.REFUSE_EXTENSION: _on_decide_extension,
}
# The actions that change nothing but the state (the table's target and the event say it all).
NO_EFFECTS = frozenset({Action.REJECT_APPLICATION, Action.SUBMIT_FOR_REVIEW, Action.CANCEL})
_unhandled = set(Action) - set(EFFECT_HANDLERS) - NO_EFFECTS
if _unhandled:  # a new action in lifecycle.transitions must say what it changes (or join NO_EFFECTS)
    raise RuntimeError(f"lifecycle actions without an effect handler: {sorted(_unhandled)}")


def _effects(project: Project, action: Action, *, by, today: date, data: dict, reason: str) -> dict:
    """What an action changes besides the state; returns what the event should say about it."""
    handler = EFFECT_HANDLERS.get(action)
    if handler is None:
        return {}
    return handler(project, action, by=by, today=today, data=data, reason=reason)


def _conclude_review(project: Project, action: Action, *, by, today: date, reason: str) -> dict:
    from catalogue.services import withdraw_standard

    conclusion = {Action.CONFIRM: "confirm", Action.REVISE: "revise", Action.WITHDRAW: "withdraw"}[action]
    reviews = list(project.reviews.filter(conclusion=""))
    out: dict[str, Any] = {"conclusion": conclusion}
    successor = None
    if action == Action.CONFIRM:
        project.review_due_on = deadlines.due_date(today, period("periodic_review.interval")).due
        out["review_due_on"] = project.review_due_on.isoformat()
    elif action == Action.REVISE:
        successor = propose(
            by=by, title_zh=project.title_zh, title_en=project.title_en, proposer=project.proposer,
            drafting_organisations=list(project.drafting_organisations.all()),
            technical_committee=project.technical_committee, city_code=project.city_code,
            kind=Project.Kind.REVISION, nature=project.nature, mandatory_basis=project.mandatory_basis,
            scope=project.scope, necessity=reason, ics_code=project.ics_code, revises=project.standard,
            predecessor=project, is_demo=project.is_demo,
        )
        out["successor"] = successor.code
    elif action == Action.WITHDRAW and project.standard_id:
        from lifecycle import implementation

        number = project.number
        # Local standards citing the withdrawn one come due for review, as when the catalogue withdraws one.
        transaction.on_commit(lambda: implementation.references_changed(withdrawn=[number]), robust=True)
        withdraw_standard(project.standard_id, on=today, today=today, by=by, context={"project": project.code})
    now = timezone.now()
    for review in reviews:
        review.conclusion, review.concluded_at, review.successor = conclusion, now, successor
        review.save(update_fields=["conclusion", "concluded_at", "successor"])
    if not reviews:
        PeriodicReview.objects.create(
            project=project, reason=PeriodicReview.Reason.FIVE_YEARS, due_on=today, conclusion=conclusion,
            concluded_at=now, successor=successor,
        )
    return out


# Actions whose events the public may see on the standard's timeline.
PUBLIC_ACTIONS = frozenset({
    Action.ISSUE_PLAN, Action.PUBLISH_DRAFT, Action.CLOSE_CONSULTATION, Action.SUBMIT_FOR_REVIEW,
    Action.SUBMIT_FOR_APPROVAL, Action.APPROVE_PUBLICATION, Action.RECORD_FILING, Action.RECORD_DISCLOSURE,
    Action.START_IMPLEMENTATION, Action.START_PERIODIC_REVIEW, Action.CONFIRM, Action.REVISE, Action.WITHDRAW,
    Action.START_PUBLICITY, Action.CANCEL,
})
_TRACKED_FIELDS = (
    "submitted_on", "publicity_opened_on", "plan_issued_on", "cycle_due_on", "consultation_opened_on",
    "consultation_closes_on", "review_decision", "number", "published_on", "implementation_on", "filing_due_on",
    "filed_on", "filing_reference", "disclosure_due_on", "disclosed_on", "review_due_on", "stage_due_on",
)


def _snapshot(project: Project) -> dict:
    return {f: getattr(project, f) for f in _TRACKED_FIELDS}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


@transaction.atomic
def advance(
    *,
    project: Project,
    action: str,
    by: User | None,
    expected_version: int | None = None,
    reason: str = "",
    data: dict | None = None,
    today: date | None = None,
) -> Project:
    """Do `action` on the project if the table allows it for `by`; one event in the trail, notices after commit.

    `expected_version` is the version the user's page showed: a project changed since is refused (ConcurrentChange),
    so two officials approving at once get one success and one clear message.
    """
    data = data or {}
    reason = (reason or "").strip()
    if len(reason) > 5000:
        raise LifecycleError("理由不能超过 5000 字")
    # of=self: PostgreSQL cannot lock the nullable side of the join to the committee.
    locked = (Project.objects.select_for_update(of=("self",)).select_related("proposer", "technical_committee")
              .get(pk=project.pk))
    if expected_version is not None and locked.version != int(expected_version):
        raise ConcurrentChange(locked)
    try:
        act = Action(action)
    except ValueError as exc:
        raise TransitionRefused(f"未知的操作：{action}") from exc
    today = today or _today()
    roles = project_roles(by, locked)
    decision = rules.decide(locked.state, act, roles, project_facts(locked, today=today, reason=reason))
    if not decision.allowed:
        raise TransitionRefused(decision.message)
    before_state = State(locked.state)
    before = _snapshot(locked)
    extra = _effects(locked, act, by=by, today=today, data=data, reason=reason)
    now = timezone.now()
    target = decision.transition.target
    if target is not None:
        _enter(locked, target, now)
    locked.version += 1
    locked.save()
    changes = {
        f: [_json_value(before[f]), _json_value(getattr(locked, f))]
        for f in _TRACKED_FIELDS if before[f] != getattr(locked, f)
    }
    docs = current_documents(locked)
    row = decision.transition
    record(locked, actor=by, kind="state_changed" if target else "milestone", public=act in PUBLIC_ACTIONS, data=plain({
        "action": act.value, "from": before_state.value, "to": locked.state, "reason": reason,
        "roles": sorted(r.value for r in roles & row.roles), "changes": changes, **extra,
        "documents": {d.value: docs[d.value].sha256 for d in row.documents if d.value in docs},
    }))
    if target is not None:
        _notify_action_holders(locked, act)
    return locked


def _notify_action_holders(project: Project, act: Action) -> None:
    users = [u for holder in action_holders(project) for u in holder.users]
    if not users:
        return
    from notify.services import send

    label = rules.STATE_LABELS[State(project.state)][0]
    due = f"，期限 {project.stage_due_on.isoformat()}" if project.stage_due_on else ""
    send(users, kind="action_required", subject=f"{project.code}《{project.title_zh[:60]}》进入“{label}”阶段，待您处理",
         body=f"项目 {project.code}《{project.title_zh}》已{rules.ACTION_LABELS[act][0]}，现处于“{label}”阶段{due}。",
         url=project.get_absolute_url())


# ---------------------------------------------------------------------------------------------------------------
# Who must act now (action holders), work lists.

@dataclass
class ActionHolder:
    role: Role
    label: str
    users: list[User]
    organisations: list[str]
    since: datetime | None
    due_on: date | None
    what: str = ""

    def days_waiting(self, now: datetime | None = None) -> int:
        if self.since is None:
            return 0
        return ((now or timezone.now()) - self.since).days

    @property
    def overdue(self) -> bool:
        return bool(self.due_on and _today() > self.due_on)


def _users(q: Q) -> list[User]:
    return list(User.objects.filter(q, is_active=True).select_related("organisation").distinct())


def _bureau_users() -> list[User]:
    return _users(Q(role_assignments__role__in=[AccountRole.PROVINCIAL_OFFICER]))


def action_holders(project: Project) -> list[ActionHolder]:
    """Who must act for the project to move on, since when and by when (the Datatracker's action holders)."""
    state = State(project.state)
    holders: list[ActionHolder] = []
    since, due = project.stage_entered_at, project.stage_due_on
    roles = set(rules.action_holders(state))
    if state == State.IMPLEMENTING:
        today = _today()
        due_review = (project.review_due_on and today >= project.review_due_on) or project.reviews.filter(
            conclusion="").exists()
        roles = {Role.BUREAU} if due_review else set()
    if project.extensions.filter(decision=Extension.Decision.PENDING).exists():
        roles.add(Role.BUREAU)
    drafting_ids = list(project.drafting_organisations.values_list("id", flat=True))
    for role in sorted(roles):
        label = rules.ROLE_LABELS[role][0]
        if role == Role.BUREAU:
            holders.append(ActionHolder(role, label, _bureau_users(), [gettext("广东省市场监督管理局")], since, due))
        elif role == Role.PROPOSER:
            holders.append(ActionHolder(role, label, _users(Q(organisation_id=project.proposer_id)),
                                        [project.proposer.name], since, due))
        elif role == Role.DRAFTER and drafting_ids:
            users = _users(Q(organisation_id__in=drafting_ids, role_assignments__role=AccountRole.DRAFTER))
            names = list(Organisation.objects.filter(id__in=drafting_ids).values_list("name", flat=True))
            what = ""
            if state == State.CONSULTATION:
                what = gettext("征求意见中，答复收到的意见")
            elif state == State.RESOLUTION:
                what = gettext("待答复意见 %(n)s 条") % {"n": project.comments.filter(resolution="").count()}
            holders.append(ActionHolder(role, label, users, names, since, due, what))
        elif role == Role.COMMITTEE and project.technical_committee_id:
            users = _users(Q(organisation_id=project.technical_committee_id,
                             role_assignments__role=AccountRole.COMMITTEE_SECRETARY))
            holders.append(ActionHolder(role, label, users, [project.technical_committee.name], since, due))
        elif role == Role.EVALUATOR:
            evaluation = project.evaluations.filter(submitted_at__isnull=True).select_related("agency").first()
            if evaluation:
                holders.append(ActionHolder(role, label, _users(Q(organisation_id=evaluation.agency_id)),
                                            [evaluation.agency.name], evaluation.commissioned_at, evaluation.due_on))
    if state == State.TECHNICAL_REVIEW:
        panel = project.panels.order_by("-round").first()
        if panel:
            waiting = list(panel.members.filter(conclusion="").select_related("expert__user"))
            if waiting:
                holders.append(ActionHolder(
                    Role.COMMITTEE, gettext_noop("审查专家"), [m.expert.user for m in waiting if m.expert.user_id],
                    [m.expert.name for m in waiting], panel.created_at, due, gettext("待提交个人审查意见"),
                ))
    return holders


# Which states make each role an action holder: the work list's filter.
_HOLDER_STATES: dict[Role, list[str]] = {
    role: [s.value for s in State if role in rules.action_holders(s)] for role in Role
}


def work_list(user: User):
    """Projects waiting for `user` (待我处理), oldest wait first."""
    held = roles_of(user)
    org_id = getattr(user, "organisation_id", None)
    q = Q(pk__in=[])
    if {AccountRole.PROVINCIAL_OFFICER, AccountRole.PROVINCIAL_ADMIN} & held:
        bureau_states = [s for s in _HOLDER_STATES[Role.BUREAU] if s != State.IMPLEMENTING]
        q |= Q(state__in=bureau_states) | Q(extensions__decision=Extension.Decision.PENDING)
        q |= Q(state=State.IMPLEMENTING, review_due_on__lte=_today())
        q |= Q(state=State.IMPLEMENTING, reviews__conclusion="", reviews__isnull=False)
    if org_id:
        q |= Q(proposer_id=org_id, state__in=_HOLDER_STATES[Role.PROPOSER])
        if AccountRole.DRAFTER in held:
            q |= Q(drafting_organisations__id=org_id, state__in=_HOLDER_STATES[Role.DRAFTER])
        if AccountRole.COMMITTEE_SECRETARY in held:
            q |= Q(technical_committee_id=org_id, state__in=_HOLDER_STATES[Role.COMMITTEE])
        if AccountRole.EVALUATOR in held:
            q |= Q(evaluations__agency_id=org_id, evaluations__submitted_at__isnull=True, state=State.EVALUATION)
    q |= Q(state=State.TECHNICAL_REVIEW, panels__members__expert__user=user, panels__members__conclusion="")
    ids = Project.objects.filter(q).values_list("id", flat=True).distinct()
    return (
        Project.objects.filter(id__in=ids)
        .select_related("proposer", "technical_committee")
        .order_by("stage_entered_at", "id")
    )


def visible_projects(user: User):
    """The projects `user` may open: everything for the bureau, the own city for a city officer, else own ones."""
    qs = Project.objects.select_related("proposer", "technical_committee")
    if can(user, AccountAction.LIFECYCLE_MANAGE):
        return qs
    held = roles_of(user)
    org = getattr(user, "organisation", None)
    q = Q(pk__in=[])
    if org is not None:
        q |= Q(proposer=org) | Q(drafting_organisations=org) | Q(technical_committee=org) | Q(evaluations__agency=org)
        if AccountRole.CITY_OFFICER in held and org.region_code:
            prefix = org.region_code[:4] if not org.region_code.endswith("0000") else org.region_code[:2]
            q |= Q(city_code__startswith=prefix)
    q |= Q(panels__members__expert__user=user)
    return qs.filter(id__in=Project.objects.filter(q).values("id")).distinct()


def overdue(projects=None, *, today: date | None = None):
    """Projects past their stage's due date (plus filings and disclosures past theirs)."""
    today = today or _today()
    qs = projects if projects is not None else Project.objects.all()
    stage_late = Q(stage_due_on__lt=today) & ~Q(state__in=[s.value for s in rules.TERMINAL]) & ~Q(
        state__in=[State.IMPLEMENTING, State.CONSULTATION]
    )
    filing_late = Q(filed_on__isnull=True, filing_due_on__lt=today)
    disclosure_late = Q(disclosed_on__isnull=True, disclosure_due_on__lt=today)
    return qs.filter(stage_late | filing_late | disclosure_late)


def project_timeline(project: Project, *, public_only: bool = False, latest: int | None = None):
    from trail.services import timeline

    return timeline(project, public_only=public_only, latest=latest)


def stage_history(project: Project) -> list[dict]:
    """Each stay in a state with its length in days: the project page's cycle-time strip."""
    now = timezone.now()
    rows = []
    for st in project.stages.all():
        end = st.left_at or now
        rows.append({
            "state": st.state, "label": rules.STATE_LABELS[State(st.state)][0], "entered_at": st.entered_at,
            "left_at": st.left_at, "days": max(0, (end - st.entered_at).days), "due_on": st.due_on,
            "late": bool(st.due_on and timezone.localtime(end).date() > st.due_on),
        })
    return rows


def drafting_months(project: Project, *, today: date | None = None) -> float | None:
    """Months from 立项下达 to 批准发布 (or to today while still being drafted)."""
    if not project.plan_issued_on:
        return None
    end = project.published_on or today or _today()
    return round(deadlines.months_between(project.plan_issued_on, end), 1)


# Moves made from an area's own form, which uploads the document they need in the same step (the review conclusion
# for this review, the evaluation report): the project page's generic buttons leave them out.
PANEL_ACTIONS = frozenset({Action.CONFIRM, Action.REVISE, Action.WITHDRAW, Action.SUBMIT_EVALUATION})


def offered_actions(user: User | None, project: Project) -> list[dict]:
    """The moves the page offers this user now, each with whether it is allowed and why not."""
    roles = project_roles(user, project)
    facts = project_facts(project, reason="x")  # the reason is typed on the form; do not refuse for it here
    out = []
    for row in rules.available_actions(project.state, roles):
        if row.action in PANEL_ACTIONS:
            continue
        if row.action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION) and not facts.extension_pending:
            continue  # nothing to decide: not a button to show
        decision = rules.decide(project.state, row.action, roles, facts)
        english = (get_language() or "").startswith("en")
        out.append({
            "action": row.action.value, "label": rules.ACTION_LABELS[row.action][0], "allowed": decision.allowed,
            "refusal": "; ".join(decision.refusals_en) if english else decision.message, "needs_reason": row.needs_reason, "target": row.next_state.value,
        })
    return out


__all__ = [
    "ActionHolder", "ConcurrentChange", "DocumentRefused", "LifecycleError", "TransitionRefused", "action_holders",
    "advance", "assign_number", "can_view_project", "current_documents", "drafting_months", "ensure_periods",
    "offered_actions", "overdue", "period", "project_facts", "project_roles", "propose", "set_period",
    "stage_history", "upload_document", "visible_projects", "work_list",
]


# Event kinds other rooms' areas write on a project, in words.
EVENT_LABELS: dict[str, str] = {
    "created": gettext_noop("创建立项申请"), "document_uploaded": gettext_noop("上传文件"), "comment_received": gettext_noop("收到征求意见"),
    "comment_answered": gettext_noop("答复征求意见"), "panel_formed": gettext_noop("组成审查专家组"), "conclusion_recorded": gettext_noop("专家提交审查意见"),
    "review_decision": gettext_noop("审查组作出结论"), "review_opened": gettext_noop("启动复审"), "evaluation_scored": gettext_noop("评估报告评分"),
    "reference_added": gettext_noop("登记引用标准"), "reference_removed": gettext_noop("删除引用标准"), "history_imported": gettext_noop("导入历史记录"),
    "feedback_received": gettext_noop("收到实施信息反馈"), "feedback_handled": gettext_noop("处理实施信息反馈"),
}


def describe_event(event) -> dict:
    """An event in words for the timeline: what happened, from which stage to which, and the reason."""
    data = event.payload
    action = data.get("action")
    if action in Action._value2member_map_:
        what = rules.ACTION_LABELS[Action(action)][0]
    else:
        what = EVENT_LABELS.get(event.kind, event.kind)
    moved = ""
    if data.get("from") and data.get("to") and data["from"] != data["to"]:
        moved = f"{gettext(rules.STATE_LABELS[State(data['from'])][0])} → {gettext(rules.STATE_LABELS[State(data['to'])][0])}"
    detail = []
    if data.get("document") in Doc._value2member_map_:
        detail.append(f"{gettext(rules.DOC_LABELS[Doc(data['document'])][0])} v{data.get('version', '')}")
    for key, label in (("number", gettext_noop("标准号")), ("closes_on", gettext_noop("截止")),
                       ("published_on", gettext_noop("发布")), ("implementation_on", gettext_noop("实施")),
                       ("successor", gettext_noop("修订项目"))):
        if data.get(key):
            detail.append(f"{gettext(label)} {data[key]}")
    return {"event": event, "what": what, "moved": moved, "detail": "；".join(detail),
            "reason": data.get("reason", ""), "sha256": data.get("sha256", "")}


# ---------------------------------------------------------------------------------------------------------------
# Reminders: run daily (`yuebiao lifecycle remind`, or the worker's schedule).

REMIND_DAYS_AHEAD = 3


@transaction.atomic
def send_deadline_reminders(*, today: date | None = None, days_ahead: int = REMIND_DAYS_AHEAD) -> dict:
    """Tell action holders of stages due within `days_ahead` days, and of overdue ones; once a day per project."""
    from notify.models import Notice
    from notify.services import send

    today = today or _today()
    open_states = [s.value for s in State if s not in rules.TERMINAL and s not in (State.IMPLEMENTING,)]
    soon = Project.objects.filter(state__in=open_states, stage_due_on__gte=today,
                                  stage_due_on__lte=today + timedelta(days=days_ahead))
    late = overdue(Project.objects.filter(state__in=open_states + [State.IMPLEMENTING]), today=today)
    sent = {"deadline": 0, "overdue": 0}
    start_of_day = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    for kind, qs in (("deadline", soon), ("overdue", late)):
        for project in qs.select_related("proposer", "technical_committee").distinct():
            url = project.get_absolute_url()
            already = set(Notice.objects.filter(kind=kind, url=url, created_at__gte=start_of_day)
                          .values_list("recipient_id", flat=True))
            users = [u for h in action_holders(project) for u in h.users if u.pk not in already]
            if not users:
                continue
            due = project.stage_due_on.isoformat() if project.stage_due_on else ""
            if kind == "deadline":
                subject = f"{project.code}《{project.title_zh[:60]}》{project.state_label}阶段将于 {due} 到期"
            else:
                subject = f"{project.code}《{project.title_zh[:60]}》已超期，请尽快处理"
            send(users, kind=kind, subject=subject, url=url,
                 body=f"项目 {project.code} 现处于“{project.state_label}”阶段，期限 {due or '—'}。")
            sent[kind] += len(users)
    return sent
