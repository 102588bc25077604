"""Cycle-time analytics (制定周期统计): the figures per stage and per group, the headline and the project
page's panel."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Iterable

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from catalogue.models import AdminDivision
from lifecycle import transitions as rules
from lifecycle.analytics.facts import ensure_facts
from lifecycle.analytics.filters import (
    GROUP_SORTS,
    GROUPINGS,
    MONTH_DAYS,
    PROVINCE,
    Filters,
    months,
    target_days,
    target_period,
)
from lifecycle.analytics.sql import (
    FACT_STATES,
    LATE_STATES,
    RUNNING_STATES,
    F,
    P,
    date_days,
    db_vendor,
    fact_where,
    param_date,
    sql_rows,
    unindexed,
    where_clause,
)
from lifecycle.deadlines import Period
from lifecycle.transitions import DRAFTING_CYCLE_STATES

CACHE_SECONDS = 600


def _in_progress(f: Filters, today: date, columns: str = "") -> tuple[str, list]:
    """Projects inside the drafting cycle now (立项下达 given, not yet published, not cancelled), with e = days so far."""
    where, params = where_clause(f, "p", committee_column="technical_committee_id", published=False)
    states = ", ".join("%s" for _s in RUNNING_STATES)
    extra = f", {columns}" if columns else ""
    today_sql = "CAST(%s AS DATE)" if db_vendor() == "postgresql" else "%s"
    return (
        f"SELECT p.id, {date_days(today_sql, 'p.plan_issued_on')} AS e{extra} FROM {P} p "
        f"WHERE p.state IN ({states}) AND p.plan_issued_on IS NOT NULL AND {unindexed('p.published_on')} IS NULL"
        f"{where}",
        [param_date(today), *RUNNING_STATES, *params],
    )


def _running(f: Filters, today: date, target: float, by: str | None) -> dict:
    """Running projects per group (or all under None): {key: (count, over target, days so far summed, longest)}."""
    g = unindexed(_group_column(by, fact=False)) if by else "NULL"
    running, params = _in_progress(f, today, f"{g} AS g")
    return {row[0]: row[1:] for row in sql_rows(
        f"SELECT g, COUNT(*), SUM(CASE WHEN e > %s THEN 1 ELSE 0 END), SUM(e), MAX(e) FROM ({running}) r GROUP BY g",
        [target, *params],
    )}


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
    where, params = fact_where(f)
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
    for state, v, n in sql_rows(sql, mparams):
        freq.setdefault(state, []).append((int(v), int(n)))
    with_due = dict.fromkeys((s.value for s in LATE_STATES), 0)
    late = dict(with_due)
    for due_mask, late_mask, n in sql_rows(
        f"SELECT due_mask, late_mask, COUNT(*) FROM {F} f WHERE {where} GROUP BY due_mask, late_mask", params
    ):
        for bit, st in enumerate(LATE_STATES):
            if due_mask >> bit & 1:
                with_due[st.value] += n
                if late_mask >> bit & 1:
                    late[st.value] += n
    totals = {state: (sum(n for _v, n in cells), sum(v * n for v, n in cells)) for state, cells in freq.items()}
    cycle_total = sum(totals.get(s, (0, 0))[1] for s in RUNNING_STATES)
    out = []
    for st in FACT_STATES:
        n, total = totals.get(st.value, (0, 0))
        if not n:
            continue
        due_n, late_n = with_due.get(st.value, 0), late.get(st.value, 0)
        in_cycle = st.value in RUNNING_STATES
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


def group_names(by: str, keys: Iterable) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "city":

        names = dict(AdminDivision.objects.filter(code__in=keys).values_list("code", "name"))
        names[PROVINCE] = _("省级（全省范围）")
        return names

    return dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name"))


def _groups(f: Filters, by: str, target: float, progress: dict) -> list[dict]:
    """One row per city, department or committee: completed projects' cycle and the ones still running."""
    g = _group_column(by, fact=True)
    where, params = fact_where(f)
    cells: dict[Any, list[tuple[int, int]]] = {}
    for key, d, n in sql_rows(f"SELECT {g}, cycle_days, COUNT(*) FROM {F} f WHERE {where} GROUP BY {g}, cycle_days",
                           params):
        cells.setdefault(key, []).append((int(d), int(n)))
    keys = set(cells) | set(progress)
    names = group_names(by, keys)
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
    newest, last_id = sql_rows(f"SELECT (SELECT MAX(updated_at) FROM {P}), (SELECT MAX(id) FROM {P})")[0]
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
        where, params = fact_where(filters)
        values = [(int(d), int(n)) for d, n in sql_rows(
            f"SELECT cycle_days, COUNT(*) FROM {F} f WHERE {where} GROUP BY cycle_days ORDER BY cycle_days", params)]
        hit = {"filters": filters.as_params(), "completed": _summary(values, target_days(target))}
        cache.set(key, hit, CACHE_SECONDS)
    return hit


def _compute(f: Filters, today: date, target_p: Period, groupings: list[str]) -> dict:
    target = target_days(target_p)
    where, params = fact_where(f)
    by_year: dict[int, list[tuple[int, int]]] = {}
    overall: dict[int, int] = {}
    for y, d, n in sql_rows(
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
        row = sql_rows(f"SELECT {cols} FROM {F}")[0]
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
    for state, entered_at, left_at, due_on in project.stages.filter(state__in=RUNNING_STATES).values_list(
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
