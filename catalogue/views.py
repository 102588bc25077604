"""Pages of the catalogue: home, search with facets (HTMX), standard detail, import, export, Atom feed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import access, can, public
from accounts.roles import Action
from catalogue import full_text, imports, queries, services
from catalogue.models import CcsCode, IcsCode, ImportBatch, Standard
from catalogue.search import SORTS, SearchInputError
from catalogue.table_vocabulary import TabularError
from yuebiao.bounds import InputRefused, int_param

_MULTI = ("level", "status", "nature")
_SINGLE = ("ics", "ccs", "city", "sector", "year_from", "year_to")


def _params(request) -> dict:
    """Search parameters from the query string; bad numbers are dropped with a message rather than a 500."""
    get = request.GET
    params: dict = {"q": get.get("q", "").strip()[:200], "sort": get.get("sort") or "relevance"}
    for key in _MULTI:
        params[key] = [v for v in get.getlist(key) if v]
    for key in _SINGLE:
        value = get.get(key, "").strip()
        if key.startswith("year"):
            params[key] = _dropping_bad(get, key, None, lo=1900, hi=2100)
        else:
            params[key] = value or None
    params["page"] = _dropping_bad(get, "page", 1, lo=1, hi=100_000)
    return params


def _dropping_bad(get, key: str, default, *, lo: int, hi: int):
    """The search page keeps working on a bad number (it is dropped, like an unknown filter value)."""
    try:
        return int_param(get, key, default, lo=lo, hi=hi)
    except InputRefused:
        return default


def _toggle_url(params: dict, key: str, value: str) -> str:
    """The query string with one facet value switched on or off (and back to page 1)."""
    items: list[tuple[str, str]] = []
    for k, v in params.items():
        if k == "page" or v in (None, "", []):
            continue
        if isinstance(v, list):
            vals = [x for x in v if not (k == key and x == value)]
            if k == key and value not in v:
                vals.append(value)
            items.extend((k, x) for x in vals)
        elif k == key:
            if str(v) != value:
                items.append((k, value))
        else:
            items.append((k, str(v)))
    if key not in params or params.get(key) in (None, "", []):
        items.append((key, value))
    return "?" + urlencode(items)


def _page_url(params: dict, page: int) -> str:
    items = [(k, x) for k, v in params.items() if k != "page" and v not in (None, "", []) for x in
             (v if isinstance(v, list) else [v])]
    return "?" + urlencode(items + [("page", page)])


@public
def home(request):
    counts = queries.search_page(facets=True, page_size=1)
    latest = queries.search_page(sort="published", page_size=8)
    return render(
        request,
        "catalogue/home.html",
        {"counts": counts["facets"].get("level", []), "total": counts["total"], "latest": latest["items"]},
    )


@public
def search(request):
    params = _params(request)
    error = None
    try:
        page = queries.search_page(**params, facets=True)
    except SearchInputError as exc:
        error = str(exc)
        page = {"total": 0, "items": [], "facets": {}, "page": 1, "pages": 1, "interpretation": "nothing"}
    facets = []
    titles = {
        "level": _("层级"), "status": _("状态"), "nature": _("性质"), "city": _("地市"), "sector": _("领域"),
        "ics": _("ICS 大类"), "ccs": _("CCS 大类"), "year": _("年份"),
    }
    facet_param = {"year": "year_from"}
    for name in ("level", "status", "nature", "city", "sector", "ics", "ccs", "year"):
        values = page["facets"].get(name) or []
        key = facet_param.get(name, name)
        current = params.get(key)
        rows = []
        for v in values[:25]:
            selected = v["value"] in current if isinstance(current, list) else str(current or "") == v["value"]
            if name == "year":
                url = _toggle_url({**params, "year_to": None if selected else int(v["value"])}, "year_from", v["value"])
            else:
                url = _toggle_url(params, key, v["value"])
            rows.append({**v, "selected": selected, "url": url})
        if rows:
            facets.append({"name": name, "title": titles[name], "values": rows})
    context = {
        "params": params,
        "page": page,
        "facets": facets,
        "selected_count": sum(len(params[k]) for k in _MULTI) + sum(1 for k in _SINGLE if params.get(k)),
        "error": error,
        "sorts": [(s, {"relevance": _("相关度"), "number": _("标准号"), "published": _("发布日期"),
                       "implemented": _("实施日期")}[s]) for s in SORTS],
        "prev_url": _page_url(params, page["page"] - 1) if page["page"] > 1 else None,
        "next_url": _page_url(params, page["page"] + 1) if page["page"] < page["pages"] else None,
        "export_query": _page_url(params, 1)[1:],
    }
    template = "catalogue/_results.html" if request.htmx else "catalogue/search.html"
    return render(request, template, context)


@public
def standard(request, slug: str):
    std = queries.find_standard(slug)
    if std is None:
        raise Http404(_("目录中没有这个标准"))
    if std.slug != slug:
        return redirect(std.get_absolute_url(), permanent=True)
    detail = queries.standard_detail(std)
    return render(request, "catalogue/standard.html", {
        "std": std, "detail": detail, "may_edit": can(request.user, Action.CATALOGUE_EDIT, std),
    })


@access(Action.CATALOGUE_EDIT)
@require_POST
def standard_full_text(request, slug: str):
    """Upload a full text: checked at once, then read and stored on the worker; the job's page follows it."""
    std = queries.find_standard(slug)
    if std is None:
        raise Http404(_("目录中没有这个标准"))
    upload = request.FILES.get("file")
    try:
        services.check_full_text_rights(standard=std, by=request.user)
        if upload is None:
            raise services.FullTextRefused(_("请选择 PDF 或 Word 文件"))
        if upload.size > services.MAX_FULL_TEXT_BYTES:  # refused before the file is read into memory
            raise services.FullTextRefused(services.full_text_too_large(upload.size))
        job = full_text.request_full_text(standard=std, data=upload.read(), filename=upload.name, by=request.user)
    except services.FullTextNotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.FullTextRefused as exc:
        messages.error(request, str(exc))
        return _go(request, "catalogue:standard", std.slug)
    return _go(request, "catalogue:full-text-job", std.slug, job.pk)


@access(Action.CATALOGUE_EDIT)
def full_text_job(request, slug: str, pk: int):
    """A full-text job's progress: the page, or (HTMX, polled until it ends) its status fragment."""
    job = full_text.job_for(request.user, pk)
    if job is None or job.standard.slug != slug:
        raise Http404(_("没有这个全文处理任务"))
    context = {"job": job, "std": job.standard}
    return render(request, "catalogue/_full_text_job.html" if request.htmx else "catalogue/full_text_job.html", context)


@public
def export(request, fmt: str):
    params = _params(request)
    try:
        body, content_type, filename = queries.export_search(format=fmt, **params)
    except SearchInputError as exc:
        messages.error(request, str(exc))
        return redirect(f"{request.path.rsplit('/', 1)[0]}/search/?{request.GET.urlencode()}")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _go(request, to: str, *args):
    """Redirect; an HTMX upload (which shows its progress bar) is told where to go with HX-Redirect instead."""
    url = reverse(to, args=args)
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@access(Action.CATALOGUE_IMPORT)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if request.method == "POST":
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        # Refuse an oversized upload before Django reads its body into a temporary file.
        if size > imports.max_import_bytes() + 64 * 1024:
            messages.error(request, imports.too_large_message(size))
            return _go(request, "catalogue:import")
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的 CSV 或 Excel 文件"))
            return _go(request, "catalogue:import")
        if upload.size > imports.max_import_bytes():
            messages.error(request, imports.too_large_message(upload.size))
            return _go(request, "catalogue:import")
        try:
            batch = imports.preview_import(data=upload.read(), filename=upload.name, by=request.user)
        except TabularError as exc:
            messages.error(request, str(exc))
            return _go(request, "catalogue:import")
        return _go(request, "catalogue:import-batch", batch.pk)
    recent = ImportBatch.objects.filter(uploaded_by=request.user).defer("content")[:10]
    return render(request, "catalogue/import.html", {"recent": recent, "max_mb": imports.max_import_bytes() // 2**20})


@access(Action.CATALOGUE_IMPORT)
def import_batch(request, pk: int):
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk, uploaded_by=request.user)
    return render(request, "catalogue/import_batch.html", {"batch": batch, "report": batch.report})


@access(Action.CATALOGUE_IMPORT)
@require_POST
def import_commit(request, pk: int):
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk, uploaded_by=request.user)
    try:
        batch = imports.commit_import(batch=batch, valid_only=request.POST.get("mode") == "valid_only",
                                       by=request.user)
    except imports.ImportRefused as exc:
        messages.error(request, str(exc))
    except services.RecordError as exc:
        messages.error(request, _("导入失败，未写入任何数据：") + str(exc))
    else:
        r = batch.report
        messages.success(
            request,
            _("导入完成：新增 %(c)s 条，更新 %(u)s 条，未变化 %(n)s 条")
            % {"c": r.get("created"), "u": r.get("updated"), "n": r.get("unchanged")},
        )
    return redirect("catalogue:import-batch", batch.pk)


class StandardsFeed(Feed):
    """Atom feed of new and changed standards (标准动态)."""

    feed_type = Atom1Feed
    title = gettext_lazy("粤标：标准目录动态")
    subtitle = gettext_lazy("新增与变更的标准")

    def link(self):
        return "/search/?sort=published"

    def items(self):
        return Standard.objects.select_related("city").order_by("-updated_at", "-id")[:50]

    def item_title(self, item):
        return f"{item.number} {item.title_zh}"

    def item_description(self, item):
        return " · ".join(
            x for x in [item.get_level_display(), item.get_status_display(),
                        f"发布 {item.published_on}" if item.published_on else "",
                        f"实施 {item.implemented_on}" if item.implemented_on else ""] if x
        )

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at


standards_feed = public(StandardsFeed())


@public
def classification(request, kind: str, code: str):
    """A classification code's page: its title, parents and the standards filed under it."""
    model = {"ics": IcsCode, "ccs": CcsCode}.get(kind)
    if model is None:
        raise Http404
    node = get_object_or_404(model, code=code)
    chain = []
    parent = node.parent
    while parent is not None:
        chain.insert(0, parent)
        parent = parent.parent
    query = {"ics": code} if kind == "ics" else {"ccs": code}
    page = queries.search_page(**query, sort="number", page_size=20)
    return render(request, "catalogue/classification.html", {
        "kind": kind, "node": node, "chain": chain, "children": node.children.all()[:200], "page": page,
        "search_url": "/search/?" + urlencode(query),
    })


@public
def standard_full_text_download(request, slug: str):
    """The published text, free to read (公开): served by the application, so no media directory is exposed."""
    std = queries.find_standard(slug)
    if std is None or not std.full_text:
        raise Http404(_("该标准没有全文"))
    return FileResponse(std.full_text.open("rb"), as_attachment=False, filename=std.full_text.name.rsplit("/", 1)[-1])
