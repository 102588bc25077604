"""Cycle-time analytics (制定周期统计): months from 立项下达 to 批准发布, per stage, by city, department and committee.

Every figure is aggregated by the database (GROUP BY and window functions that SQLite and PostgreSQL share); Python
only walks distinct values and groups, never the projects, so the dashboard stays fast at 100,000 projects.
Results are cached per lifecycle revision (see `revision()`); ../docs/lifecycle-analytics.md gives the definitions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecycle import transitions as rules
from lifecycle.deadlines import Period, Unit
from lifecycle.models import CycleFact, LocalStandardProject, ProjectStage
from lifecycle.services import LifecycleError, period
from lifecycle.transitions import DRAFTING_CYCLE_STATES, State

TARGET_KEY = "drafting_cycle.target"
MONTH_DAYS = 365.25 / 12  # lifecycle.deadlines.months_between's month
PROVINCE = "440000"
GROUPINGS = ("city", "department", "committee")
GROUP_SORTS = ("name", "count", "mean", "median", "over", "in_progress", "in_progress_over")
CACHE_SECONDS = 600


class AnalyticsInputError(LifecycleError):
    """A filter the dashboard, API or command cannot read; str() is the Chinese message."""


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


# ---------------------------------------------------------------------------------------------------------------
# SQL shared by SQLite and PostgreSQL: only day arithmetic, years and local dates differ.

P = LocalStandardProject._meta.db_table
S = ProjectStage._meta.db_table
F = CycleFact._meta.db_table
# The states a fact row keeps days for (before, inside and just after the drafting cycle), and those whose due date
# is a deadline for leaving. 立项公示 and 征求意见 run for at least their period, so staying longer is not late;
# 批准发布's due date is the disclosure deadline, not one for starting implementation.
FACT_STATES = (State.APPLICATION, State.ASSESSMENT, State.PUBLICITY, *DRAFTING_CYCLE_STATES, State.PUBLISHED)
LATE_STATES = (State.ASSESSMENT, State.DRAFTING, State.RESOLUTION, State.TECHNICAL_REVIEW, State.APPROVAL)
# Rows changed this long before the newest summarised one are looked at again: a transaction that saved a project
# earlier but committed later must not be missed.
FACT_MARGIN_SECONDS = 600


def _vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _date_days(later: str, earlier: str) -> str:
    """Whole days between two date expressions."""
    if _vendor() == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _stay_days(alias: str = "s", until: str | None = None) -> str:
    """Days (fractional) a stage lasted: entered_at to left_at (or to `until`, a datetime parameter)."""
    end = until or f"{alias}.left_at"
    if _vendor() == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({end} - {alias}.entered_at)) / 86400.0)"
    return f"(julianday({end}) - julianday({alias}.entered_at))"


def _left_late(alias: str = "s") -> str:
    """Whether a stage was left after its due date, the due date being a day in the bureau's time zone."""
    if _vendor() == "postgresql":
        return f"(({alias}.left_at AT TIME ZONE '{settings.TIME_ZONE}')::date > {alias}.due_on)"
    # Stored as naive UTC text; China has kept one offset since 1991, so a fixed shift is exact.
    offset = datetime(2020, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    return f"(date({alias}.left_at, '{minutes:+d} minutes') > {alias}.due_on)"


def _year_sql(column: str) -> str:
    if _vendor() == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _param_date(value: date) -> Any:
    return value.isoformat() if _vendor() == "sqlite" else value


def _param_dt(value: datetime) -> Any:
    if _vendor() == "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _where(f: Filters, alias: str, *, committee_column: str, published: bool) -> tuple[str, list]:
    """" AND …" conditions for `f` on a table aliased `alias`; `published` applies the publication range."""
    sql, params = [], []
    if published and f.published_from:
        sql.append(f"{alias}.published_on >= %s")
        params.append(_param_date(f.published_from))
    if published and f.published_to:
        sql.append(f"{alias}.published_on <= %s")
        params.append(_param_date(f.published_to))
    if f.plan_from:
        sql.append(f"{alias}.plan_issued_on >= %s")
        params.append(_param_date(f.plan_from))
    if f.plan_to:
        sql.append(f"{alias}.plan_issued_on <= %s")
        params.append(_param_date(f.plan_to))
    for column, value in (("nature", f.nature), ("kind", f.kind), ("city_code", f.city)):
        if value:
            sql.append(f"{alias}.{column} = %s")
            params.append(value)
    if f.department is not None:
        sql.append(f"{alias}.proposer_id = %s")
        params.append(f.department)
    if f.committee == 0:
        sql.append(f"{alias}.{committee_column} IS NULL")
    elif f.committee is not None:
        sql.append(f"{alias}.{committee_column} = %s")
        params.append(f.committee)
    return "".join(f" AND {s}" for s in sql), params


def _fact_where(f: Filters) -> tuple[str, list]:
    where, params = _where(f, "f", committee_column="committee_id", published=True)
    # The publication range as years too, which the (published_year, cycle_days) index can seek.
    if f.published_from:
        where += " AND f.published_year >= %s"
        params.append(f.published_from.year)
    if f.published_to:
        where += " AND f.published_year <= %s"
        params.append(f.published_to.year)
    return "1 = 1" + where, params


_RUNNING_STATES = [s.value for s in DRAFTING_CYCLE_STATES]


def _in_progress(f: Filters, today: date, columns: str = "") -> tuple[str, list]:
    """Projects inside the drafting cycle now (立项下达 given, not yet published, not cancelled), with e = days so far."""
    where, params = _where(f, "p", committee_column="technical_committee_id", published=False)
    states = ", ".join("%s" for _s in _RUNNING_STATES)
    extra = f", {columns}" if columns else ""
    today_sql = "CAST(%s AS DATE)" if _vendor() == "postgresql" else "%s"
    return (
        f"SELECT p.id, {_date_days(today_sql, 'p.plan_issued_on')} AS e{extra} FROM {P} p "
        f"WHERE p.state IN ({states}) AND p.plan_issued_on IS NOT NULL AND {_unindexed('p.published_on')} IS NULL"
        f"{where}",
        [_param_date(today), *_RUNNING_STATES, *params],
    )


def _unindexed(column: str) -> str:
    """The column, kept from driving SQLite's plan (unary +): the state index finds the few running projects; an
    index on the publication date or the grouped column would walk most of the table."""
    return f"+{column}" if _vendor() == "sqlite" else column


def _running(f: Filters, today: date, target: float, by: str | None) -> dict:
    """Running projects per group (or all under None): {key: (count, over target, days so far summed, longest)}."""
    g = _unindexed(_group_column(by, fact=False)) if by else "NULL"
    running, params = _in_progress(f, today, f"{g} AS g")
    return {row[0]: row[1:] for row in _rows(
        f"SELECT g, COUNT(*), SUM(CASE WHEN e > %s THEN 1 ELSE 0 END), SUM(e), MAX(e) FROM ({running}) r GROUP BY g",
        [target, *params],
    )}


def _rows(sql: str, params: Iterable = ()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        return cur.fetchall()


# ---------------------------------------------------------------------------------------------------------------
# The summary table (CycleFact), kept in step with the projects


def _fact_insert_sql(where: str) -> str:
    stay, late = _stay_days(), _left_late()
    cols = ["project_id", "source_updated_at", "city_code", "proposer_id", "committee_id", "nature", "kind",
            "plan_issued_on", "published_on", "published_year", "cycle_days"]
    values = ["p.id", "p.updated_at", "p.city_code", "p.proposer_id", "p.technical_committee_id", "p.nature",
              "p.kind", "p.plan_issued_on", "p.published_on", _year_sql("p.published_on"),
              _date_days("p.published_on", "p.plan_issued_on")]
    for st in FACT_STATES:
        cols.append(f"{st.value}_days")
        values.append(f"ROUND(SUM(CASE WHEN s.state = '{st.value}' THEN {stay} END))")
    due_bits, late_bits = [], []
    for bit, st in enumerate(LATE_STATES):
        due_bits.append(f"{1 << bit} * MAX(CASE WHEN s.state = '{st.value}' AND s.due_on IS NOT NULL THEN 1 ELSE 0 END)")
        late_bits.append(f"{1 << bit} * MAX(CASE WHEN s.state = '{st.value}' AND s.due_on IS NOT NULL AND {late} "
                         f"THEN 1 ELSE 0 END)")
    cols += ["due_mask", "late_mask"]
    values += [" + ".join(due_bits), " + ".join(late_bits)]
    return (
        f"INSERT INTO {F} ({', '.join(cols)}) SELECT {', '.join(values)} FROM {P} p "
        f"LEFT JOIN {S} s ON s.project_id = p.id AND s.left_at IS NOT NULL "
        f"WHERE p.plan_issued_on IS NOT NULL AND p.published_on IS NOT NULL{where} "
        f"GROUP BY p.id, p.updated_at, p.city_code, p.proposer_id, p.technical_committee_id, p.nature, p.kind, "
        f"p.plan_issued_on, p.published_on"
    )


def refresh_facts(project_ids: Iterable[int] | None = None) -> int:
    """Summarise the given projects (every published one when None) into CycleFact; returns the rows written.

    Set-based SQL: one DELETE and one INSERT … SELECT … GROUP BY per slice of ids, in one transaction. A project
    that is no longer published (or gone) just loses its row.
    """
    with transaction.atomic():
        if project_ids is None:
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM {F}", [])
                cur.execute(_fact_insert_sql(""), [])  # with params, so "%%" reaches the database as "%"
                return cur.rowcount
        ids = sorted(set(project_ids))
        written = 0
        with connection.cursor() as cur:
            for start in range(0, len(ids), 1000):
                part = ids[start:start + 1000]
                marks = ", ".join("%s" for _i in part)
                cur.execute(f"DELETE FROM {F} WHERE project_id IN ({marks})", part)
                cur.execute(_fact_insert_sql(f" AND p.id IN ({marks})"), part)
                written += max(cur.rowcount, 0)
        return written


def ensure_facts(*, check: bool | None = None) -> int:
    """Bring CycleFact up to date with the projects saved since its newest row; returns the rows re-summarised.

    Cheap when nothing changed (index look-ups only): every lifecycle change saves its project, so updated_at finds
    what moved. Every ten minutes (or when `check`) the counts are compared too, and projects written behind the
    services' back (a bulk load, a restore) are summarised then.
    """
    newest = _rows(f"SELECT MAX(source_updated_at) FROM {F}")[0][0]
    if newest is None:
        return refresh_facts() if _rows(
            f"SELECT 1 FROM {P} p WHERE p.published_on IS NOT NULL AND p.plan_issued_on IS NOT NULL LIMIT 1") else 0
    if isinstance(newest, str):
        newest = datetime.fromisoformat(newest)
    if timezone.is_naive(newest):
        newest = timezone.make_aware(newest, dt_timezone.utc)
    # Never from the future: a row stamped ahead of this clock must not hide the changes saved now.
    since = min(newest, timezone.now()) - timedelta(seconds=FACT_MARGIN_SECONDS)
    stale = {pid for pid, in _rows(
        f"SELECT p.id FROM {P} p LEFT JOIN {F} f ON f.project_id = p.id WHERE p.updated_at > %s AND "
        f"((f.project_id IS NULL AND p.published_on IS NOT NULL AND p.plan_issued_on IS NOT NULL) OR "
        f"(f.project_id IS NOT NULL AND f.source_updated_at <> p.updated_at))",
        [_param_dt(since)],
    )}
    if check is None:
        check = cache.add(_CHECKED_KEY, True, FACT_CHECK_SECONDS)
    if check:
        facts = _rows(f"SELECT COUNT(*) FROM {F}")[0][0]
        published = _rows(
            f"SELECT COUNT(*) FROM {P} p WHERE p.published_on IS NOT NULL AND p.plan_issued_on IS NOT NULL")[0][0]
        if facts != published:
            stale |= {r[0] for r in _rows(
                f"SELECT p.id FROM {P} p WHERE p.published_on IS NOT NULL AND p.plan_issued_on IS NOT NULL AND "
                f"NOT EXISTS (SELECT 1 FROM {F} f WHERE f.project_id = p.id)"
            )}
            stale |= {r[0] for r in _rows(
                f"SELECT f.project_id FROM {F} f JOIN {P} p ON p.id = f.project_id WHERE p.published_on IS NULL "
                f"OR p.plan_issued_on IS NULL"
            )}
    return refresh_facts(stale) if stale else 0


_CHECKED_KEY = "lifecycle-cycle-time:facts-checked"
FACT_CHECK_SECONDS = 600


# ---------------------------------------------------------------------------------------------------------------
# The figures


def _median(values: list[tuple[float, int]]) -> float | None:
    """The median of a frequency table [(value, how many)] in ascending value order."""
    count = sum(n for _v, n in values)
    if not count:
        return None
    lo_rank, hi_rank = (count + 1) // 2, (count + 2) // 2
    seen, lo = 0, None
    for v, n in values:
        seen += n
        if lo is None and seen >= lo_rank:
            lo = v
        if seen >= hi_rank:
            return (lo + v) / 2
    return lo


def _summary(values: list[tuple[int, int]], target: float) -> dict:
    """count, mean, median and over-target figures of a frequency table of cycle days in ascending order."""
    count = sum(n for _d, n in values)
    if not count:
        return {"count": 0, "mean_days": None, "median_days": None, "mean_months": None, "median_months": None,
                "over_target": 0, "over_target_share": None}
    total = sum(d * n for d, n in values)
    median = _median(values)
    over = sum(n for d, n in values if d > target)
    return {"count": count, "mean_days": round(total / count, 1), "median_days": median,
            "mean_months": months(total / count), "median_months": months(median), "over_target": over,
            "over_target_share": round(over / count, 4)}


def _histogram(values: list[tuple[int, int]]) -> list[dict]:
    """Completed projects per whole month of drafting cycle (bin m holds m ≤ months < m + 1)."""
    bins: dict[int, int] = {}
    for d, n in values:
        b = int(max(d, 0) // MONTH_DAYS)
        bins[b] = bins.get(b, 0) + n
    if not bins:
        return []
    return [{"months": b, "count": bins.get(b, 0)} for b in range(0, max(bins) + 1)]


def _stages(f: Filters) -> list[dict]:
    """Days per state for the completed projects: per project (its stays in the state added up), then per state.

    Counts, sums and medians come from each state's frequency table, read off its index in order; lateness from
    the (due_mask, late_mask) combinations, a few dozen rows.
    """
    where, params = _fact_where(f)
    # Unfiltered, each state's index gives its frequency table in order, no sort. Filtered, the matching rows are
    # read once into a materialised set and each state grouped from there (walking every state's index and looking
    # up each row for the filter would cost far more).
    filtered = bool(f.as_params())
    parts = []
    source = "sel" if filtered else f"{F} f"
    for st in FACT_STATES:
        col = f"{st.value}_days"
        test = "" if filtered else f" AND {where}"
        parts.append(f"SELECT '{st.value}', {col}, COUNT(*) FROM {source} WHERE {col} IS NOT NULL{test} GROUP BY {col}")
    sql = " UNION ALL ".join(parts)
    if filtered:
        cols = ", ".join(f"{st.value}_days" for st in FACT_STATES)
        sql = f"WITH sel AS MATERIALIZED (SELECT {cols} FROM {F} f WHERE {where}) {sql}"
        mparams = list(params)
    else:
        mparams = params * len(FACT_STATES)
    freq: dict[str, list[tuple[int, int]]] = {}
    for state, v, n in _rows(sql, mparams):
        freq.setdefault(state, []).append((int(v), int(n)))
    with_due = dict.fromkeys((s.value for s in LATE_STATES), 0)
    late = dict(with_due)
    for due_mask, late_mask, n in _rows(
        f"SELECT due_mask, late_mask, COUNT(*) FROM {F} f WHERE {where} GROUP BY due_mask, late_mask", params
    ):
        for bit, st in enumerate(LATE_STATES):
            if due_mask >> bit & 1:
                with_due[st.value] += n
                if late_mask >> bit & 1:
                    late[st.value] += n
    totals = {state: (sum(n for _v, n in cells), sum(v * n for v, n in cells)) for state, cells in freq.items()}
    cycle_total = sum(totals.get(s, (0, 0))[1] for s in _RUNNING_STATES)
    out = []
    for st in FACT_STATES:
        n, total = totals.get(st.value, (0, 0))
        if not n:
            continue
        due_n, late_n = with_due.get(st.value, 0), late.get(st.value, 0)
        in_cycle = st.value in _RUNNING_STATES
        out.append({
            "state": st.value, "label": rules.STATE_LABELS[st][0], "in_cycle": in_cycle, "projects": n,
            "mean_days": round(total / n, 1), "median_days": _median(sorted(freq[st.value])), "total_days": total,
            "share": round(total / cycle_total, 4) if in_cycle and cycle_total else None,
            "with_due": due_n, "over_due": late_n, "over_due_share": round(late_n / due_n, 4) if due_n else None,
        })
    return out


def _group_column(by: str, *, fact: bool) -> str:
    if fact:
        return {"city": "f.city_code", "department": "f.proposer_id", "committee": "f.committee_id"}[by]
    return {"city": "p.city_code", "department": "p.proposer_id", "committee": "p.technical_committee_id"}[by]


def _group_names(by: str, keys: Iterable) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "city":
        from catalogue.models import AdminDivision

        names = dict(AdminDivision.objects.filter(code__in=keys).values_list("code", "name"))
        names[PROVINCE] = _("省级（全省范围）")
        return names
    from accounts.models import Organisation

    return dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name"))


def _groups(f: Filters, by: str, target: float, progress: dict) -> list[dict]:
    """One row per city, department or committee: completed projects' cycle and the ones still running."""
    g = _group_column(by, fact=True)
    where, params = _fact_where(f)
    cells: dict[Any, list[tuple[int, int]]] = {}
    for key, d, n in _rows(f"SELECT {g}, cycle_days, COUNT(*) FROM {F} f WHERE {where} GROUP BY {g}, cycle_days",
                           params):
        cells.setdefault(key, []).append((int(d), int(n)))
    keys = set(cells) | set(progress)
    names = _group_names(by, keys)
    none_label = {"city": _("未填地市"), "department": _("未填部门"), "committee": _("未指定技术委员会")}[by]
    out = []
    for key in keys:
        summary = _summary(sorted(cells.get(key, [])), target)
        in_progress, in_progress_over = progress.get(key, (0, 0, 0, 0))[:2]
        out.append({
            "key": "" if key is None else str(key),
            "filter": "0" if key is None and by == "committee" else ("" if key is None else str(key)),
            "name": names.get(key, none_label if key is None else str(key)),
            "count": summary["count"], "mean_months": summary["mean_months"],
            "median_months": summary["median_months"], "over_target": summary["over_target"],
            "over_target_share": summary["over_target_share"],
            "in_progress": int(in_progress or 0), "in_progress_over": int(in_progress_over or 0),
        })
    return sort_groups(out, "-count")


def sort_groups(rows: list[dict], sort: str) -> list[dict]:
    """Rows of a group table ordered by `sort` (name, count, mean, median, over, in_progress[_over]; "-" = descending)."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in GROUP_SORTS:
        key, desc = "count", True
    field = {"mean": "mean_months", "median": "median_months", "over": "over_target_share"}.get(key, key)
    present = [r for r in rows if r[field] is not None]
    missing = [r for r in rows if r[field] is None]
    present.sort(key=lambda r: (r[field], r["name"]), reverse=desc)
    return present + sorted(missing, key=lambda r: r["name"])


def revision() -> str:
    """What cached figures depend on: every lifecycle change saves its project, so the newest updated_at (and the
    newest id, for a new project) change with it. A deleted project shows once the cache expires."""
    # Two scalar subqueries: each MAX is then one index look-up (a combined SELECT would scan the table).
    newest, last_id = _rows(f"SELECT (SELECT MAX(updated_at) FROM {P}), (SELECT MAX(id) FROM {P})")[0]
    return f"{last_id}|{newest}"


def cycle_time(filters: Filters | None = None, *, today: date | None = None, groupings: Iterable[str] = GROUPINGS,
               use_cache: bool = True) -> dict:
    """The dashboard's figures for `filters`, JSON-ready; cached per lifecycle revision, day and target.

    `groupings` picks the tables by city, department and committee to compute (the page shows one at a time).
    """
    filters = filters or Filters()
    today = today or timezone.localdate()
    groupings = [g for g in GROUPINGS if g in set(groupings)]
    target = target_period()
    key = None
    if use_cache:
        body = json.dumps([revision(), filters.as_params(), today.isoformat(), target.amount, str(target.unit),
                           groupings], sort_keys=True)
        key = "lifecycle-cycle-time:" + hashlib.sha256(body.encode()).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            return hit
    ensure_facts()
    result = _compute(filters, today, target, groupings)
    if key:
        cache.set(key, result, CACHE_SECONDS)
    if filters == Filters():
        # The project page's panel compares with these; it reads them from here rather than computing them.
        cache.set(_STAGE_MEANS_KEY, {r["state"]: r["mean_days"] for r in result["stages"]}, 24 * 3600)
    return result


_STAGE_MEANS_KEY = "lifecycle-cycle-time:province-stage-means"


def headline(filters: Filters | None = None) -> dict:
    """Only the completed projects' count, mean, median and share over the target (one grouped query): what a city
    officer's page shows of the province beside his city's figures. Cached like cycle_time()."""
    filters = filters or Filters()
    target = target_period()
    body = json.dumps(["headline", revision(), filters.as_params(), target.amount, str(target.unit)], sort_keys=True)
    key = "lifecycle-cycle-time:" + hashlib.sha256(body.encode()).hexdigest()
    hit = cache.get(key)
    if hit is None:
        ensure_facts()
        where, params = _fact_where(filters)
        values = [(int(d), int(n)) for d, n in _rows(
            f"SELECT cycle_days, COUNT(*) FROM {F} f WHERE {where} GROUP BY cycle_days ORDER BY cycle_days", params)]
        hit = {"filters": filters.as_params(), "completed": _summary(values, target_days(target))}
        cache.set(key, hit, CACHE_SECONDS)
    return hit


def _compute(f: Filters, today: date, target_p: Period, groupings: list[str]) -> dict:
    target = target_days(target_p)
    where, params = _fact_where(f)
    by_year: dict[int, list[tuple[int, int]]] = {}
    overall: dict[int, int] = {}
    for y, d, n in _rows(
        f"SELECT published_year, cycle_days, COUNT(*) FROM {F} f WHERE {where} GROUP BY published_year, cycle_days",
        params,
    ):
        by_year.setdefault(int(y), []).append((int(d), int(n)))
        overall[int(d)] = overall.get(int(d), 0) + int(n)
    values = sorted(overall.items())
    summary = _summary(values, target)
    trend = []
    for y in sorted(by_year):
        s = _summary(sorted(by_year[y]), target)
        trend.append({"year": y, "count": s["count"], "mean_months": s["mean_months"],
                      "median_months": s["median_months"], "over_target": s["over_target"],
                      "over_target_share": s["over_target_share"]})
    # Running projects: one query per grouping, whose rows also add up to the headline.
    progress = {by: _running(f, today, target, by) for by in groupings} or {None: _running(f, today, target, None)}
    per_group = next(iter(progress.values())).values()
    n_running = sum(int(r[0]) for r in per_group)
    over_running = sum(int(r[1] or 0) for r in per_group)
    sum_running = sum(float(r[2] or 0) for r in per_group)
    max_running = max((r[3] for r in per_group if r[3] is not None), default=None)
    stages = _stages(f)
    cycle = [s for s in stages if s["in_cycle"]]
    bottleneck = max(cycle, key=lambda s: s["share"] or 0, default=None)
    late = [s for s in stages if s["over_due_share"] is not None]
    most_late = max(late, key=lambda s: s["over_due_share"], default=None)
    return {
        "filters": f.as_params(),
        "today": today.isoformat(),
        "target": {"amount": target_p.amount, "unit": str(target_p.unit), "label": str(target_p),
                   "days": round(target, 4), "months": round(target / MONTH_DAYS, 2)},
        "completed": summary,
        "in_progress": {
            "count": n_running, "over_target": int(over_running or 0),
            "mean_elapsed_months": months(float(sum_running) / n_running) if n_running else None,
            "max_elapsed_months": months(float(max_running)) if max_running is not None else None,
            "published_range_ignored": f.applies_to_published(),
        },
        "histogram": _histogram(values),
        "trend": trend,
        "stages": stages,
        "bottleneck": _pick(bottleneck, "share"),
        "most_over_due": _pick(most_late, "over_due_share"),
        "groups": {by: _groups(f, by, target, progress[by]) for by in groupings},
    }


def _pick(row: dict | None, key: str) -> dict | None:
    return None if row is None else {"state": row["state"], "label": row["label"], key: row[key]}


def province_stage_means() -> dict[str, float]:
    """The province's mean days per state: from the cache the dashboard fills, else one query over CycleFact."""
    means = cache.get(_STAGE_MEANS_KEY)
    if means is None:
        cols = ", ".join(f"AVG({st.value}_days)" for st in FACT_STATES)
        row = _rows(f"SELECT {cols} FROM {F}")[0]
        means = {st.value: round(float(v), 1) for st, v in zip(FACT_STATES, row) if v is not None}
        cache.set(_STAGE_MEANS_KEY, means, 3600)
    return means


# ---------------------------------------------------------------------------------------------------------------
# The project page's panel


def project_panel_context(project, user, roles) -> dict:
    """This project's drafting cycle so far against the target, and its days per stage against the province's.

    Two small queries (the target period, the project's stages); the province's means come from the cache the
    dashboard fills (or one query over CycleFact an hour), so the project page stays fast at 100,000 projects.
    """
    if not project.plan_issued_on:
        return {"started": False}
    target_p = target_period()
    target = target_days(target_p)
    end = project.published_on or timezone.localdate()
    days = (end - project.plan_issued_on).days
    now = timezone.now()
    per_state: dict[str, float] = {}
    late: dict[str, bool] = {}
    late_states = {s.value for s in LATE_STATES}
    for state, entered_at, left_at, due_on in project.stages.filter(state__in=_RUNNING_STATES).values_list(
        "state", "entered_at", "left_at", "due_on"
    ):
        stop = left_at or now
        per_state[state] = per_state.get(state, 0.0) + (stop - entered_at).total_seconds() / 86400
        if due_on and state in late_states and timezone.localtime(stop).date() > due_on:
            late[state] = True
    means = province_stage_means()
    rows = []
    for s in DRAFTING_CYCLE_STATES:
        mine = per_state.get(s.value)
        mean = means.get(s.value)
        if mine is None and mean is None:
            continue
        rows.append({"state": s.value, "label": rules.STATE_LABELS[s][0],
                     "days": round(mine, 1) if mine is not None else None, "province_mean": mean,
                     "late": late.get(s.value, False), "slower": bool(mine is not None and mean and mine > mean),
                     "current": s.value == project.state})
    return {
        "started": True, "completed": project.published_on is not None, "days": days, "months": months(days),
        "target_label": target_p.label(_), "target_months": round(target / MONTH_DAYS, 1), "over_target": days > target,
        "remaining_months": months(max(0.0, target - days)),
        "percent_of_target": min(100, round(100 * days / target)) if target else None,
        "stages": rows, "has_province": bool(means),
    }


__all__ = [
    "AnalyticsInputError", "FACT_STATES", "Filters", "GROUPINGS", "LATE_STATES", "cycle_time",
    "ensure_facts", "headline", "months", "project_panel_context", "province_stage_means",
    "refresh_facts", "revision", "sort_groups", "target_days", "target_period",
]
