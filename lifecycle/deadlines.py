"""Due dates in calendar days, working days, months or years, on China's official working-day calendar.

Pure: chinese-calendar supplies the State Council's holiday arrangements for the years it knows; the bureau adds
later years' arrangements as data (`extra_holidays`, `extra_workdays`) when they are announced. Beyond what either
knows, Saturdays and Sundays are the rest days and the result is marked estimated, never silently exact.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"  # 自然日
    WORKING_DAYS = "working_days"  # 工作日
    MONTHS = "months"  # 个月
    YEARS = "years"  # 年


UNIT_LABELS = {
    Unit.CALENDAR_DAYS: ("日", "days"),
    Unit.WORKING_DAYS: ("个工作日", "working days"),
    Unit.MONTHS: ("个月", "months"),
    Unit.YEARS: ("年", "years"),
}


@dataclass(frozen=True)
class Period:
    """A statutory or configured period: so many units."""

    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount}{UNIT_LABELS[self.unit][0]}"

    def label(self, translate=None) -> str:
        """The period in the reader's words: ``translate`` is gettext (the unit's Chinese is its message id)."""
        unit = UNIT_LABELS[self.unit][0]
        shown = translate(unit) if translate else unit
        return f"{self.amount}{unit}" if shown == unit else f"{self.amount} {shown}"


def _known_years() -> tuple[int, int]:
    # chinese-calendar raises NotImplementedError outside the years it has data for; find them once.
    years = [y for y in range(2004, 2101) if _has_data(y)]
    return (min(years), max(years)) if years else (0, -1)


def _has_data(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


_FIRST_YEAR, _LAST_YEAR = _known_years()


@dataclass(frozen=True)
class WorkCalendar:
    """China's working days: chinese-calendar's data, the bureau's additions for later years, then weekends."""

    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)  # 调休上班 (a Saturday made a workday)
    announced_years: frozenset[int] = field(default_factory=frozenset)  # years the bureau has entered in full

    def knows(self, day: date) -> bool:
        return _FIRST_YEAR <= day.year <= _LAST_YEAR or day.year in self.announced_years

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if _FIRST_YEAR <= day.year <= _LAST_YEAR:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5


@dataclass(frozen=True)
class DueDate:
    """A due date, and whether it rests on a year whose holidays are not yet known (estimated)."""

    due: date
    estimated: bool = False

    def days_left(self, today: date) -> int:
        return (self.due - today).days


def _add_months(start: date, months: int) -> date:
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    # 31 January + 1 month is the end of February, as a person counting months would say.
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def due_date(start: date, period: Period, cal: WorkCalendar = WorkCalendar()) -> DueDate:
    """The last day of `period` counted from `start` (the day after `start` is day one, as statutes count)."""
    if period.amount < 0:
        raise ValueError("期限不能为负数")
    if period.unit == Unit.CALENDAR_DAYS:
        return DueDate(start + timedelta(days=period.amount))
    if period.unit == Unit.MONTHS:
        return DueDate(_add_months(start, period.amount))
    if period.unit == Unit.YEARS:
        return DueDate(_add_months(start, 12 * period.amount))
    day, counted, estimated = start, 0, False
    while counted < period.amount:
        day += timedelta(days=1)
        estimated |= not cal.knows(day)
        if cal.is_workday(day):
            counted += 1
    return DueDate(day, estimated)


def working_days_between(start: date, end: date, cal: WorkCalendar = WorkCalendar()) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += cal.is_workday(day)
    return count


def has_elapsed(start: date, period: Period, today: date, cal: WorkCalendar = WorkCalendar()) -> bool:
    """Whether a minimum period (e.g. 30 days of public comment) has fully run by `today`."""
    return today >= due_date(start, period, cal).due


def months_between(start: date, end: date) -> float:
    """Elapsed calendar months, as a person counts them (1 Jan → 1 Apr is 3.0), days as a share of the month."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    anchor = _add_months(start, months)
    if anchor > end:
        months -= 1
        anchor = _add_months(start, months)
    following = _add_months(start, months + 1)
    return months + (end - anchor).days / max(1, (following - anchor).days)
