"""Lifecycle API: cycle-time analytics (制定周期统计), the dashboard's figures as JSON."""

from __future__ import annotations

from typing import Literal

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from accounts.api_auth import RoleAuth, access_extra
from accounts.roles import Action
from lifecycle import errors
from lifecycle.analytics import filters as analytics_filters
from lifecycle.analytics import queries as analytics_queries

router = Router(tags=["制定周期统计 Cycle-time analytics"])


class CycleTimeQuery(Schema):
    """The dashboard's filters; dates are YYYY-MM-DD and inclusive, year_from / year_to whole publication years."""

    published_from: str | None = None
    published_to: str | None = None
    year_from: str | None = None
    year_to: str | None = None
    plan_from: str | None = None
    plan_to: str | None = None
    nature: str | None = None
    kind: str | None = None
    city: str | None = None
    department: str | None = None
    committee: str | None = None
    by: Literal["city", "department", "committee"] | None = None


class Problem(Schema):
    detail: str


@router.get(
    "/analytics/cycle-time", auth=RoleAuth(Action.LIFECYCLE_ANALYTICS),
    openapi_extra=access_extra(Action.LIFECYCLE_ANALYTICS), response={200: dict, 400: Problem, 401: Problem, 403: Problem},
    summary="制定周期统计 Cycle time from 立项下达 to 批准发布",
)
def cycle_time(request, q: Query[CycleTimeQuery]):
    """Completed projects' drafting cycle (count, mean, median, share over the target), running projects, days per
    stage with the bottleneck, histogram, trend by publication year, and tables by city, department and committee
    (`by` picks one; all three when omitted). Same figures as /lifecycle/analytics/ and `yuebiao cycle-time --json`."""
    params = q.dict(exclude_none=True)
    by = params.pop("by", None)
    try:
        filters = analytics_filters.Filters.parse(params)
    except errors.AnalyticsInputError as exc:
        raise HttpError(400, str(exc)) from exc
    return analytics_queries.cycle_time(filters, groupings=(by,) if by else analytics_filters.GROUPINGS)
