"""Pages of standards comparison: the comparison form and list, a comparison's report, exports, counterparts."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import access, can, public
from accounts.roles import Action
from compare import actions, services

PAGE_SIZE = 20


class CompareForm(forms.Form):
    """A and B: each a catalogue number or an uploaded file (the file wins when both are given). What is missing or
    too large is refused by the action, in the same words as through the API."""

    a_number = forms.CharField(label=gettext_lazy("标准 A 的标准号"), required=False, max_length=80,
                               widget=forms.TextInput(attrs={"placeholder": "DB44/ 2159—2019", "list": "std-numbers"}))
    a_file = forms.FileField(label=gettext_lazy("或上传标准 A（PDF / Word / 文本）"), required=False,
                             allow_empty_file=True)
    b_number = forms.CharField(label=gettext_lazy("标准 B 的标准号"), required=False, max_length=80,
                               widget=forms.TextInput(attrs={"placeholder": "GB 26453—2011"}))
    b_file = forms.FileField(label=gettext_lazy("或上传标准 B"), required=False, allow_empty_file=True)

    def given(self, which: str) -> actions.Given:
        return actions.Given(number=self.cleaned_data.get(f"{which}_number") or "",
                             upload=self.cleaned_data.get(f"{which}_file"))


@access(Action.COMPARE_RUN)
@require_http_methods(["GET", "POST"])
def home(request):
    """The comparison form and the comparisons the user may list. A comparison asked for is queued for the worker,
    and its permanent link shows the progress until the report is there."""
    initial = {"a_number": request.GET.get("a", ""), "b_number": request.GET.get("b", "")}
    form = CompareForm(request.POST or None, request.FILES or None, initial=initial)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            comparison = actions.request_comparison(a=form.given("a"), b=form.given("b"), by=request.user)
        except services.SideUnreadable as exc:
            problem = exc.report
        except services.ComparisonRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(comparison.get_absolute_url())
    everyone = can(request.user, Action.COMPARE_MANAGE) and request.GET.get("mine") != "1"
    page = Paginator(services.visible_comparisons(request.user, mine_only=not everyone), PAGE_SIZE).get_page(
        request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(request, "compare/home.html", {"form": form, "problem": problem, "page": page,
                                                 "everyone": everyone}, status=status)


def _visible(request, key: str):
    """(the comparison, None), or (None, the way to sign in) for an anonymous visitor of a restricted one.

    The permanent link of a comparison of public standards opens for everyone; one with an uploaded document only
    for its maker and the bureau (services.can_view), so these pages are declared public and check the object."""
    try:
        return services.comparison_for(request.user, key), None
    except PermissionDenied:
        if request.user.is_authenticated:
            raise
        return None, redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


@public
@require_GET
def report(request, key: str):
    """A comparison: the verdict summary, the limits table, terms and references, and the texts side by side; while
    it runs on the worker, its progress."""
    comparison, refusal = _visible(request, key)
    if refusal:
        return refusal
    link = request.build_absolute_uri(comparison.get_absolute_url())
    if comparison.status != comparison.Status.DONE:
        return render(request, "compare/progress.html", {"comparison": comparison, "link": link})
    return render(request, "compare/report.html", services.report_page(comparison, link))


@public
@require_GET
def status(request, key: str):
    """The small status fragment the progress page polls: queued, running (step and per cent), done, failed."""
    comparison, refusal = _visible(request, key)
    if refusal:
        return refusal
    return render(request, "compare/_status.html", {"comparison": comparison})


@public
@require_GET
def export(request, key: str, fmt: str):
    comparison, refusal = _visible(request, key)
    if refusal:
        return refusal
    try:
        data, content_type, filename = services.export_comparison(
            comparison, fmt, link=request.build_absolute_uri(comparison.get_absolute_url()))
    except services.ComparisonRefused as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@access(Action.COMPARE_RUN)
@require_GET
def counterparts(request):
    """The catalogue's likeliest counterparts of one standard, each with the reasons and a button to compare."""
    number = (request.GET.get("number") or "").strip()
    matches, problem = [], None
    if number:
        try:
            matches = services.counterpart_rows(number)
        except services.ComparisonRefused as exc:
            problem = str(exc)
    template = "compare/_counterparts.html" if request.htmx else "compare/counterparts.html"
    return render(request, template, {"number": number, "matches": matches, "problem": problem},
                  status=400 if problem else 200)


urlpatterns = [
    path("compare/", home, name="home"),
    path("compare/counterparts/", counterparts, name="counterparts"),
    path("compare/<str:key>/", report, name="report"),
    path("compare/<str:key>/status/", status, name="status"),
    path("compare/<str:key>/export.xlsx", export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("compare/<str:key>/export.pdf", export, {"fmt": "pdf"}, name="export-pdf"),
]
