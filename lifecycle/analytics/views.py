"""Pages of the lifecycle room: the cycle-time dashboard (制定周期统计), its Excel export and the projects behind it."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.permissions import access, can
from accounts.roles import Action
from catalogue.models import AdminDivision
from lifecycle import transitions
from lifecycle.analytics import export as analytics_export
from lifecycle.analytics import filters as analytics_filters
from lifecycle.analytics import queries as analytics_queries
from lifecycle.analytics.filters import Filters
from lifecycle.deadlines import Period, Unit
from lifecycle.errors import AnalyticsInputError
from lifecycle.models import LocalStandardProject
from lifecycle.projects import queries as project_queries

BY_LABELS = {"city": gettext_lazy("按地市"), "department": gettext_lazy("按部门"),
             "committee": gettext_lazy("按技术委员会")}
SORT_COLUMNS = [("name", gettext_lazy("名称")), ("count", gettext_lazy("已发布")), ("mean", gettext_lazy("平均（月）")),
                ("median", gettext_lazy("中位数（月）")), ("over", gettext_lazy("超过目标")),
                ("in_progress", gettext_lazy("在研")), ("in_progress_over", gettext_lazy("在研已超目标"))]
PAGE_SIZE = 50


def _bureau(user) -> bool:
    return can(user, Action.LIFECYCLE_MANAGE)


def _own_city(user) -> str:
    """The prefecture-level city of a city officer's organisation ("" when it has none)."""
    region = getattr(getattr(user, "organisation", None), "region_code", "") or ""
    if len(region) < 4 or region.startswith("4400"):
        return ""
    return region[:4] + "00"


def _all_cities(request, filters: Filters) -> bool:
    return "city" in request.GET and not filters.city and not _bureau(request.user)


def _filters(request) -> tuple[Filters, str, bool]:
    """The filters asked for, the error message if some could not be read, and whether the city was defaulted.

    The bureau sees the province by default. A city officer sees his own city by default and may clear the city
    (city=) or pick another: aggregates are shared figures; the projects behind them stay limited to his own.
    """
    error = ""
    try:
        filters = Filters.parse(request.GET)
    except AnalyticsInputError as exc:
        filters, error = Filters(), str(exc)
    defaulted = False
    if "city" not in request.GET and not _bureau(request.user):
        city = _own_city(request.user)
        if city:
            filters, defaulted = filters.with_(city=city), True
    return filters, error, defaulted


def _project_scope(user):
    """Ids of the projects the reader may open (None: all of them, for the bureau)."""
    if _bureau(user):
        return None
    return project_queries.visible_projects(user).order_by().values("id")


def _query(filters: Filters, all_cities: bool = False, **extra) -> str:
    """A query string for `filters` (plus `extra`); all_cities keeps "city=" so a city officer's choice of the
    whole province is not replaced by his own city on the next page."""
    items = {**filters.as_params(), **{k: v for k, v in extra.items() if v not in (None, "")}}
    if all_cities and "city" not in items:
        items["city"] = ""
    return urlencode(items)


def _choices():
    cities = [("440000", _("省级（全省范围）"))] + list(
        AdminDivision.objects.filter(level=AdminDivision.Level.PREFECTURE, code__startswith="44")
        .values_list("code", "name"))
    K = Organisation.Kind
    departments = list(Organisation.objects.filter(kind__in=[K.COMPETENT_DEPARTMENT, K.CITY_BUREAU, K.PROVINCIAL_BUREAU])
                       .order_by("kind", "name").values_list("id", "name"))
    committees = [(0, _("未指定技术委员会"))] + list(
        Organisation.objects.filter(kind=K.TECHNICAL_COMMITTEE).order_by("name").values_list("id", "name"))
    return cities, departments, committees


def _chart_data(data: dict) -> dict:
    """What analytics.js draws, with its labels in the reader's language."""
    return {
        "stages": [{"label": _(s["label"]), "mean": s["mean_days"], "median": s["median_days"], "in_cycle": s["in_cycle"]}
                   for s in data["stages"]],
        "histogram": data["histogram"],
        "trend": data["trend"],
        "target_months": data["target"]["months"],
        "labels": {
            "mean_days": _("平均天数"), "median_days": _("中位天数"), "projects": _("项目数"),
            "months": _("制定周期（月）"), "mean_months": _("平均制定周期（月）"), "target": _("目标"),
            "in_cycle": _("制定周期内阶段"), "other": _("其他阶段"), "over": _("超过目标"), "within": _("未超过目标"),
            "year": _("发布年份"),
        },
    }


@access(Action.LIFECYCLE_ANALYTICS)
def dashboard(request):
    filters, error, defaulted = _filters(request)
    by = request.GET.get("by", "city")
    by = by if by in analytics_filters.GROUPINGS else "city"
    sort = request.GET.get("sort", "-count")
    every = _all_cities(request, filters)
    data = analytics_queries.cycle_time(filters, groupings=(by,))
    rows = analytics_queries.sort_groups(data["groups"][by], sort)
    province = None
    if filters.city:
        # The same figures without the city: the province's average to compare with (cached like any other view).
        province = analytics_queries.headline(filters.with_(city=""))
    # Each row's links: the same filters with the row's city, department or committee in place of any chosen one.
    base = filters.with_(**{by: "" if by == "city" else None})
    for row in rows:
        row["dashboard_url"] = "?" + _query(base, every, by=by, **{by: row["filter"]}) if row["filter"] != "" else ""
        row["projects_url"] = reverse("lifecycle:analytics_projects") + "?" + _query(base, every, **{by: row["filter"]})
    sort_links = []
    for key, label in SORT_COLUMNS:
        current = sort.lstrip("-") == key
        desc = sort.startswith("-")
        nxt = (key if desc else f"-{key}") if current else (key if key == "name" else f"-{key}")
        sort_links.append({"key": key, "label": label, "url": "?" + _query(filters, every, by=by, sort=nxt),
                           "current": current, "desc": desc})
    cities, departments, committees = _choices()
    if data and data.get("target"):  # the figures are cached in no language: the target's unit is put in words here
        target = data["target"]
        data = {**data, "target": {**target, "label": Period(target["amount"], Unit(target["unit"])).label(_)}}
    context = {
        "data": data, "rows": rows, "by": by, "by_labels": BY_LABELS, "sort": sort, "sort_links": sort_links,
        "by_links": [(k, v, "?" + _query(filters, every, by=k)) for k, v in BY_LABELS.items()],
        "filters": filters, "params": filters.as_params(), "error": error, "defaulted": defaulted,
        "province": province, "chart": _chart_data(data), "query": _query(filters, every),
        "export_url": reverse("lifecycle:analytics_export") + "?" + _query(filters, every),
        "projects_url": reverse("lifecycle:analytics_projects") + "?" + _query(filters, every),
        "own_city": _own_city(request.user), "all_cities": every,
        "cities": cities, "departments": departments, "committees": committees,
        "years": list(range(timezone.localdate().year, 2009, -1)),
        "natures": LocalStandardProject.Nature.choices, "kinds": LocalStandardProject.Kind.choices,
        "bureau": _bureau(request.user),
    }
    return render(request, "lifecycle/analytics/dashboard.html", context, status=400 if error else 200)


@access(Action.LIFECYCLE_ANALYTICS)
def export(request):
    filters, error, _defaulted = _filters(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    today = timezone.localdate()
    body = analytics_export.export_xlsx(filters, today=today, project_ids=_project_scope(request.user))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"制定周期统计-{today:%Y%m%d}.xlsx"

    response["Content-Disposition"] = f"attachment; filename=\"cycle-time-{today:%Y%m%d}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


@access(Action.LIFECYCLE_ANALYTICS)
def projects(request):
    """The projects behind a figure: completed and running ones matching the dashboard's filters."""
    filters, error, defaulted = _filters(request)
    every = _all_cities(request, filters)
    scope = _project_scope(request.user)
    total = analytics_export.count_projects(filters, project_ids=scope)
    paginator = Paginator(range(total), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    offset = (page.number - 1) * PAGE_SIZE
    rows = list(analytics_export.project_rows(filters, project_ids=scope, limit=PAGE_SIZE, offset=offset))
    stage_cols = [(v, label) for v, label in analytics_export.stage_columns() if v in {s.value for s in transitions.DRAFTING_CYCLE_STATES}]
    for row in rows:
        row["cells"] = [row["stage_days"].get(v) for v, _label in stage_cols]
    return render(request, "lifecycle/analytics/projects.html", {
        "rows": rows, "page": page, "total": total, "filters": filters, "error": error, "defaulted": defaulted,
        "query": _query(filters, every), "stage_cols": stage_cols, "limited": scope is not None,
        "target": analytics_filters.target_period().label(_),
        "dashboard_url": reverse("lifecycle:analytics") + "?" + _query(filters, every),
        "export_url": reverse("lifecycle:analytics_export") + "?" + _query(filters, every),
    }, status=400 if error else 200)


urlpatterns = [
    path("lifecycle/analytics/", dashboard, name="analytics"),
    path("lifecycle/analytics/export.xlsx", export, name="analytics_export"),
    path("lifecycle/analytics/projects/", projects, name="analytics_projects"),
]
