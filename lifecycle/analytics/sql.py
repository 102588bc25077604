"""Cycle-time analytics: the SQL pieces the figures and the export share (portable across SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from lifecycle.analytics.filters import Filters
from lifecycle.models import CycleFact, LocalStandardProject, ProjectStage
from lifecycle.transitions import DRAFTING_CYCLE_STATES, State

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


def db_vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def date_days(later: str, earlier: str) -> str:
    """Whole days between two date expressions."""
    if db_vendor() == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def stay_days(alias: str = "s", until: str | None = None) -> str:
    """Days (fractional) a stage lasted: entered_at to left_at (or to `until`, a datetime parameter)."""
    end = until or f"{alias}.left_at"
    if db_vendor() == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({end} - {alias}.entered_at)) / 86400.0)"
    return f"(julianday({end}) - julianday({alias}.entered_at))"


def left_late(alias: str = "s") -> str:
    """Whether a stage was left after its due date, the due date being a day in the bureau's time zone."""
    if db_vendor() == "postgresql":
        return f"(({alias}.left_at AT TIME ZONE '{settings.TIME_ZONE}')::date > {alias}.due_on)"
    # Stored as naive UTC text; China has kept one offset since 1991, so a fixed shift is exact.
    offset = datetime(2020, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    return f"(date({alias}.left_at, '{minutes:+d} minutes') > {alias}.due_on)"


def year_sql(column: str) -> str:
    if db_vendor() == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def param_date(value: date) -> Any:
    return value.isoformat() if db_vendor() == "sqlite" else value


def param_dt(value: datetime) -> Any:
    if db_vendor() == "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    return value


def where_clause(f: Filters, alias: str, *, committee_column: str, published: bool) -> tuple[str, list]:
    """" AND …" conditions for `f` on a table aliased `alias`; `published` applies the publication range."""
    sql, params = [], []
    if published and f.published_from:
        sql.append(f"{alias}.published_on >= %s")
        params.append(param_date(f.published_from))
    if published and f.published_to:
        sql.append(f"{alias}.published_on <= %s")
        params.append(param_date(f.published_to))
    if f.plan_from:
        sql.append(f"{alias}.plan_issued_on >= %s")
        params.append(param_date(f.plan_from))
    if f.plan_to:
        sql.append(f"{alias}.plan_issued_on <= %s")
        params.append(param_date(f.plan_to))
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


def fact_where(f: Filters) -> tuple[str, list]:
    where, params = where_clause(f, "f", committee_column="committee_id", published=True)
    # The publication range as years too, which the (published_year, cycle_days) index can seek.
    if f.published_from:
        where += " AND f.published_year >= %s"
        params.append(f.published_from.year)
    if f.published_to:
        where += " AND f.published_year <= %s"
        params.append(f.published_to.year)
    return "1 = 1" + where, params


RUNNING_STATES = [s.value for s in DRAFTING_CYCLE_STATES]


def unindexed(column: str) -> str:
    """The column, kept from driving SQLite's plan (unary +): the state index finds the few running projects; an
    index on the publication date or the grouped column would walk most of the table."""
    return f"+{column}" if db_vendor() == "sqlite" else column


def sql_rows(sql: str, params: Iterable = ()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        return cur.fetchall()
