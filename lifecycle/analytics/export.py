"""Cycle-time analytics per project: the drill-down list of projects and the Excel workbook (概览 / 分阶段 /
按地市 / 按部门 / 按技术委员会 / 项目明细); the figures themselves are `lifecycle.analytics`.
"""

from __future__ import annotations

from datetime import date
from typing import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.table_writer import write_workbook
from lifecycle import transitions as rules
from lifecycle.analytics.facts import ensure_facts
from lifecycle.analytics.filters import GROUPINGS, Filters, months, target_days
from lifecycle.analytics.queries import cycle_time, group_names

# The SQL helpers are shared with the figures so that the list and the workbook count exactly what the page shows.
from lifecycle.analytics.sql import (
    FACT_STATES,
    RUNNING_STATES,
    F,
    P,
    S,
    db_vendor,
    fact_where,
    param_dt,
    sql_rows,
    stay_days,
    where_clause,
)
from lifecycle.transitions import State


def _project_union(f: Filters, project_ids=None) -> tuple[str, list]:
    """Completed projects (from CycleFact) and running ones (from the projects), one row shape for both."""
    fwhere, fparams = fact_where(f)
    rwhere, rparams = where_clause(f, "p", committee_column="technical_committee_id", published=False)
    states = ", ".join("%s" for _s in RUNNING_STATES)
    scope_f = scope_p = ""
    scope_params: list = []
    if project_ids is not None:
        ids_sql, ids_params = project_ids.query.sql_with_params()
        scope_f, scope_p, scope_params = f" AND f.project_id IN ({ids_sql})", f" AND p.id IN ({ids_sql})", list(ids_params)
    stage_cols = ", ".join(f"f.{st.value}_days" for st in FACT_STATES)
    nulls = ", ".join("NULL" for _st in FACT_STATES)
    sql = (
        f"SELECT p.id, p.code, p.title_zh, f.city_code, f.proposer_id, f.committee_id, f.plan_issued_on, "
        f"f.published_on, p.state, f.cycle_days, {stage_cols} FROM {F} f JOIN {P} p ON p.id = f.project_id "
        f"WHERE {fwhere}{scope_f} "
        f"UNION ALL SELECT p.id, p.code, p.title_zh, p.city_code, p.proposer_id, p.technical_committee_id, "
        f"p.plan_issued_on, p.published_on, p.state, NULL, {nulls} FROM {P} p WHERE p.state IN ({states}) "
        f"AND p.plan_issued_on IS NOT NULL AND p.published_on IS NULL{rwhere}{scope_p}"
    )
    return sql, [*fparams, *scope_params, *RUNNING_STATES, *rparams, *scope_params]


def count_projects(f: Filters, *, project_ids=None) -> int:
    ensure_facts()
    sql, params = _project_union(f, project_ids)
    return sql_rows(f"SELECT COUNT(*) FROM ({sql}) u", params)[0][0]


def project_rows(f: Filters, *, today: date | None = None, project_ids=None, limit: int | None = None,
                 offset: int = 0) -> Iterator[dict]:
    """Completed and running projects matching `f`, newest plan first, with months and days per stage.

    `project_ids` (a queryset of ids) limits the rows to what the reader may open. Completed projects' stage days
    come from CycleFact; a running project's (its open stay counted to now) from its stages, a slice at a time.
    """
    ensure_facts()
    today = today or timezone.localdate()
    target = target_days()
    sql, params = _project_union(f, project_ids)
    sql = f"SELECT * FROM ({sql}) u ORDER BY 7 DESC, 1 DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    rows = sql_rows(sql, params)
    for start in range(0, len(rows), 5000):
        yield from _detail_slice(rows[start:start + 5000], today, target)


def _detail_slice(rows: list[tuple], today: date, target: float) -> Iterator[dict]:
    cities = group_names("city", {r[3] for r in rows})
    orgs = group_names("department", {r[4] for r in rows} | {r[5] for r in rows})
    running = [r[0] for r in rows if r[7] is None]
    live: dict[int, dict[str, float]] = {}
    if running:
        marks = ", ".join("%s" for _i in running)
        now = param_dt(timezone.now())
        stay = stay_days(until="COALESCE(s.left_at, %s)")
        if db_vendor() == "postgresql":
            stay = stay.replace("%s", "CAST(%s AS TIMESTAMPTZ)")
        for pid, state, t in sql_rows(
            f"SELECT s.project_id, s.state, SUM({stay}) FROM {S} s WHERE s.project_id IN ({marks}) "
            f"GROUP BY s.project_id, s.state", [now, *running]
        ):
            live.setdefault(pid, {})[state] = round(float(t), 1)
    for pid, code, title, city, proposer, committee, plan, published, state, cycle_days, *stage_days in rows:
        plan, published = _as_date(plan), _as_date(published)
        days = cycle_days if cycle_days is not None else (today - plan).days
        if published is None:
            per_state = live.get(pid, {})
        else:
            per_state = {st.value: v for st, v in zip(FACT_STATES, stage_days) if v is not None}
        yield {
            "id": pid, "code": code, "title_zh": title, "city_code": city, "city": cities.get(city, city),
            "department": orgs.get(proposer, ""), "committee": orgs.get(committee, "") if committee else "",
            "plan_issued_on": plan, "published_on": published, "state": state,
            "state_label": rules.STATE_LABELS[State(state)][0], "completed": published is not None, "days": days,
            "months": months(days), "over_target": days > target, "stage_days": per_state,
        }


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# ---------------------------------------------------------------------------------------------------------------
# Excel: 概览 / 分阶段 / 按地市 / 按部门 / 按技术委员会 / 项目明细


def stage_columns() -> list[tuple[str, str]]:
    """The states the detail sheet has a column for, in the main line's order."""
    return [(s.value, rules.STATE_LABELS[s][0]) for s in FACT_STATES]


def export_xlsx(filters: Filters | None = None, *, today: date | None = None, project_ids=None,
                figures: dict | None = None) -> bytes:
    """The workbook: the dashboard's figures on five sheets and one row per project on 项目明细."""
    filters = filters or Filters()
    today = today or timezone.localdate()
    data = figures or cycle_time(filters, today=today)
    target_label = data["target"]["label"]
    c, r = data["completed"], data["in_progress"]
    overview = [
        [_("指标"), _("数值")],
        [_("统计日期"), today],
        [_("筛选条件"), _filters_text(filters) or _("全部")],
        [_("制定周期目标"), target_label],
        [_("已发布项目数"), c["count"]],
        [_("平均制定周期（月）"), c["mean_months"]],
        [_("制定周期中位数（月）"), c["median_months"]],
        [_("平均制定周期（天）"), c["mean_days"]],
        [_("制定周期中位数（天）"), c["median_days"]],
        [_("超过目标的项目数"), c["over_target"]],
        [_("超过目标的比例"), c["over_target_share"]],
        [_("在研项目数"), r["count"]],
        [_("在研且已超过目标"), r["over_target"]],
        [_("在研项目平均已用（月）"), r["mean_elapsed_months"]],
        [_("瓶颈阶段（用时占比最大）"), _pick_text(data["bottleneck"], "share")],
        [_("最常超期的阶段"), _pick_text(data["most_over_due"], "over_due_share")],
    ]
    stage_rows = [[_("阶段"), _("属于制定周期"), _("项目数"), _("平均天数"), _("中位天数"), _("合计天数"),
                   _("占制定周期用时"), _("计期限的项目数"), _("超期项目数"), _("超期比例")]]
    for s in data["stages"]:
        stage_rows.append([s["label"], _("是") if s["in_cycle"] else _("否"), s["projects"], s["mean_days"],
                           s["median_days"], s["total_days"], s["share"], s["with_due"] or None,
                           s["over_due"] if s["with_due"] else None, s["over_due_share"]])
    sheets = [(_("概览"), overview, [28, 40]), (_("分阶段"), stage_rows, [14, 12, 10, 10, 10, 12, 14, 16, 10, 10])]
    titles = {"city": _("按地市"), "department": _("按部门"), "committee": _("按技术委员会")}
    heads = {"city": _("地市"), "department": _("提出部门"), "committee": _("技术委员会")}
    for by in GROUPINGS:
        rows = [[heads[by], _("已发布项目数"), _("平均制定周期（月）"), _("中位数（月）"), _("超过目标"),
                 _("超过目标比例"), _("在研"), _("在研已超目标")]]
        for g in data["groups"][by]:
            rows.append([g["name"], g["count"], g["mean_months"], g["median_months"], g["over_target"],
                         g["over_target_share"], g["in_progress"], g["in_progress_over"]])
        sheets.append((titles[by], rows, [36, 12, 16, 12, 10, 12, 8, 12]))
    cols = stage_columns()
    detail_head = [_("项目编号"), _("标准名称"), _("地市"), _("提出部门"), _("技术委员会"), _("当前阶段"),
                   _("立项下达"), _("批准发布"), _("制定周期（月）"), _("超过目标"),
                   *[_("%(stage)s（天）") % {"stage": label} for _v, label in cols]]

    def detail() -> Iterator[list]:
        yield detail_head
        for p in project_rows(filters, today=today, project_ids=project_ids):
            yield [p["code"], p["title_zh"], p["city"], p["department"], p["committee"],
                   p["state_label"] if not p["completed"] else _("已发布"), p["plan_issued_on"], p["published_on"],
                   p["months"], _("是") if p["over_target"] else _("否"),
                   *[p["stage_days"].get(v) for v, _l in cols]]

    sheets.append((_("项目明细"), detail(), [14, 40, 10, 28, 30, 10, 12, 12, 14, 8, *[10] * len(cols)]))

    return write_workbook(sheets)


def _filters_text(f: Filters) -> str:
    return "；".join(f"{k}={v}" for k, v in f.as_params().items())


def _pick_text(pick: dict | None, key: str) -> str:
    if not pick:
        return "—"
    return f"{pick['label']}（{pick[key] * 100:.1f}%）"
