"""Cycle-time analytics: the per-project facts table (CycleFact), refreshed from the stages."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Iterable

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from lifecycle.analytics.sql import (
    FACT_MARGIN_SECONDS,
    FACT_STATES,
    LATE_STATES,
    F,
    P,
    S,
    date_days,
    left_late,
    param_dt,
    sql_rows,
    stay_days,
    year_sql,
)


# ---------------------------------------------------------------------------------------------------------------
# The summary table (CycleFact), kept in step with the projects
def _fact_insert_sql(where: str) -> str:
    stay, late = stay_days(), left_late()
    cols = ["project_id", "source_updated_at", "city_code", "proposer_id", "committee_id", "nature", "kind",
            "plan_issued_on", "published_on", "published_year", "cycle_days"]
    values = ["p.id", "p.updated_at", "p.city_code", "p.proposer_id", "p.technical_committee_id", "p.nature",
              "p.kind", "p.plan_issued_on", "p.published_on", year_sql("p.published_on"),
              date_days("p.published_on", "p.plan_issued_on")]
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
    newest = sql_rows(f"SELECT MAX(source_updated_at) FROM {F}")[0][0]
    if newest is None:
        return refresh_facts() if sql_rows(
            f"SELECT 1 FROM {P} p WHERE p.published_on IS NOT NULL AND p.plan_issued_on IS NOT NULL LIMIT 1") else 0
    if isinstance(newest, str):
        newest = datetime.fromisoformat(newest)
    if timezone.is_naive(newest):
        newest = timezone.make_aware(newest, dt_timezone.utc)
    # Never from the future: a row stamped ahead of this clock must not hide the changes saved now.
    since = min(newest, timezone.now()) - timedelta(seconds=FACT_MARGIN_SECONDS)
    stale = {pid for pid, in sql_rows(
        f"SELECT p.id FROM {P} p LEFT JOIN {F} f ON f.project_id = p.id WHERE p.updated_at > %s AND "
        f"((f.project_id IS NULL AND p.published_on IS NOT NULL AND p.plan_issued_on IS NOT NULL) OR "
        f"(f.project_id IS NOT NULL AND f.source_updated_at <> p.updated_at))",
        [param_dt(since)],
    )}
    if check is None:
        check = cache.add(_CHECKED_KEY, True, FACT_CHECK_SECONDS)
    if check:
        facts = sql_rows(f"SELECT COUNT(*) FROM {F}")[0][0]
        published = sql_rows(
            f"SELECT COUNT(*) FROM {P} p WHERE p.published_on IS NOT NULL AND p.plan_issued_on IS NOT NULL")[0][0]
        if facts != published:
            stale |= {r[0] for r in sql_rows(
                f"SELECT p.id FROM {P} p WHERE p.published_on IS NOT NULL AND p.plan_issued_on IS NOT NULL AND "
                f"NOT EXISTS (SELECT 1 FROM {F} f WHERE f.project_id = p.id)"
            )}
            stale |= {r[0] for r in sql_rows(
                f"SELECT f.project_id FROM {F} f JOIN {P} p ON p.id = f.project_id WHERE p.published_on IS NULL "
                f"OR p.plan_issued_on IS NULL"
            )}
    return refresh_facts(stale) if stale else 0


_CHECKED_KEY = "lifecycle-cycle-time:facts-checked"
FACT_CHECK_SECONDS = 600
