"""Configured periods (规定期限) the bureau may change, and the working-day calendar they are counted in.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from lifecycle.deadlines import Period, Unit, WorkCalendar
from lifecycle.errors import LifecycleError
from lifecycle.models import (
    CalendarDay,
    LocalStandardProject,
    StatutoryPeriod,
)
from lifecycle.transitions import State
from trail.services import record

Project = LocalStandardProject


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

# The order of the process (立项 → 起草 → 征求意见 → 审查 → 报批 → 发布 → 实施 → 复审), in which lists show the periods.
PROCESS_ORDER: tuple[str, ...] = (
    "stage.assessment", "stage.publicity", "stage.drafting", "consultation.minimum", "stage.resolution",
    "stage.technical_review", "stage.approval", "disclosure", "filing", "evaluation.report",
    "periodic_review.interval", "periodic_review.stage", "drafting_cycle.target",
)


def in_process_order(rows) -> list:
    """Period rows (anything with a `key`) sorted by PROCESS_ORDER; unknown keys last, by key."""
    rank = {key: i for i, key in enumerate(PROCESS_ORDER)}
    return sorted(rows, key=lambda r: (rank.get(r.key, len(rank)), r.key))


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
