"""Cycle-time analytics: the filters a dashboard, API or command reads, and the drafting-cycle target."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Mapping

from django.utils.translation import gettext as _

from lifecycle.deadlines import Period, Unit
from lifecycle.errors import AnalyticsInputError
from lifecycle.models import LocalStandardProject
from lifecycle.periods import period

TARGET_KEY = "drafting_cycle.target"
MONTH_DAYS = 365.25 / 12  # lifecycle.deadlines.months_between's month
PROVINCE = "440000"
GROUPINGS = ("city", "department", "committee")
GROUP_SORTS = ("name", "count", "mean", "median", "over", "in_progress", "in_progress_over")


# ---------------------------------------------------------------------------------------------------------------
# Filters
def _date(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AnalyticsInputError(_("%(what)s格式不正确，应为 YYYY-MM-DD") % {"what": what}) from None


def _year(value: Any, what: str) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 1990 <= int(text) <= 2100):
        raise AnalyticsInputError(_("%(what)s应为四位年份，例如 2024") % {"what": what})
    return int(text)


def _int(value: Any, what: str) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise AnalyticsInputError(_("%(what)s应为编号（整数）") % {"what": what})
    return int(text)


@dataclass(frozen=True)
class Filters:
    """Which projects the figures cover. Dates are inclusive; None or "" means no limit."""

    published_from: date | None = None
    published_to: date | None = None
    plan_from: date | None = None
    plan_to: date | None = None
    nature: str = ""
    kind: str = ""
    city: str = ""  # GB/T 2260 code of a prefecture-level city, or 440000 for province-wide projects
    department: int | None = None  # the proposer (提出单位 / 行业主管部门), an Organisation id
    committee: int | None = None  # an Organisation id; 0 = projects without a technical committee

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Filters:
        """From query parameters, API input or command options; raises AnalyticsInputError with a Chinese message.

        year_from / year_to are shorthand for whole publication years.
        """
        get = data.get
        published_from = _date(get("published_from"), _("发布日期（起）"))
        published_to = _date(get("published_to"), _("发布日期（止）"))
        year_from, year_to = _year(get("year_from"), _("发布年份（起）")), _year(get("year_to"), _("发布年份（止）"))
        if year_from and not published_from:
            published_from = date(year_from, 1, 1)
        if year_to and not published_to:
            published_to = date(year_to, 12, 31)
        plan_from, plan_to = _date(get("plan_from"), _("立项下达（起）")), _date(get("plan_to"), _("立项下达（止）"))
        for lo, hi, what in ((published_from, published_to, _("发布日期")), (plan_from, plan_to, _("立项下达日期"))):
            if lo and hi and lo > hi:
                raise AnalyticsInputError(_("%(what)s的起始日期晚于截止日期") % {"what": what})
        nature = str(get("nature") or "").strip()
        if nature and nature not in LocalStandardProject.Nature.values:
            raise AnalyticsInputError(_("性质应为 recommended（推荐性）或 mandatory（强制性）"))
        kind = str(get("kind") or "").strip()
        if kind and kind not in LocalStandardProject.Kind.values:
            raise AnalyticsInputError(_("制修订应为 new（制定）或 revision（修订）"))
        city = str(get("city") or "").strip()
        if city and not (city.isdigit() and len(city) == 6):
            raise AnalyticsInputError(_("地市应为六位行政区划代码，例如 440100"))
        return cls(published_from, published_to, plan_from, plan_to, nature, kind, city,
                   _int(get("department"), _("部门")), _int(get("committee"), _("技术委员会")))

    def as_params(self) -> dict[str, str]:
        """The non-empty filters as query parameters (what Filters.parse reads back)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == "":
                continue
            out[f.name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    def applies_to_published(self) -> bool:
        return bool(self.published_from or self.published_to)


def target_period() -> Period:
    return period(TARGET_KEY)


def target_days(p: Period | None = None) -> float:
    """The target as days, so it compares with day counts (a month is months_between's 365.25 / 12 days)."""
    p = p or target_period()
    if p.unit == Unit.MONTHS:
        return p.amount * MONTH_DAYS
    if p.unit == Unit.YEARS:
        return p.amount * 365.25
    if p.unit == Unit.WORKING_DAYS:
        return p.amount * 7 / 5  # a working week is five days in seven; the target is not counted this way by default
    return float(p.amount)


def months(days: float | None) -> float | None:
    return None if days is None else round(days / MONTH_DAYS, 1)
