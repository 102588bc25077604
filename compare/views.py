"""Pages of standards comparison: the comparison form and list, a comparison's report, exports, counterparts."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import access, can
from accounts.roles import Action
from compare import services

PAGE_SIZE = 20


class CompareForm(forms.Form):
    """A and B: each a catalogue number or an uploaded file (the file wins when both are given)."""

    a_number = forms.CharField(label=gettext_lazy("标准 A 的标准号"), required=False, max_length=80,
                               widget=forms.TextInput(attrs={"placeholder": "DB44/ 2159—2019", "list": "std-numbers"}))
    a_file = forms.FileField(label=gettext_lazy("或上传标准 A（PDF / Word / 文本）"), required=False)
    b_number = forms.CharField(label=gettext_lazy("标准 B 的标准号"), required=False, max_length=80,
                               widget=forms.TextInput(attrs={"placeholder": "GB 26453—2011"}))
    b_file = forms.FileField(label=gettext_lazy("或上传标准 B"), required=False)

    def clean(self):
        data = super().clean()
        for side in ("a", "b"):
            upload = data.get(f"{side}_file")
            if not upload and not (data.get(f"{side}_number") or "").strip():
                self.add_error(f"{side}_number", _("请填写标准号或上传文件"))
            if upload and upload.size > services.MAX_UPLOAD_BYTES:
                self.add_error(f"{side}_file", _("文件超过 %(mb)d MB 上限") % {"mb": services.MAX_UPLOAD_BYTES // 2**20})
        return data

    def side(self, which: str) -> services.Side:
        upload = self.cleaned_data.get(f"{which}_file")
        if upload:
            return services.side_from_upload(upload.read(), upload.name)
        return services.side_from_catalogue(self.cleaned_data[f"{which}_number"])


@access(Action.COMPARE_RUN)
@require_http_methods(["GET", "POST"])
def home(request):
    """The comparison form and the comparisons the user may list."""
    initial = {"a_number": request.GET.get("a", ""), "b_number": request.GET.get("b", "")}
    form = CompareForm(request.POST or None, request.FILES or None, initial=initial)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            comparison = services.compare_sides(form.side("a"), form.side("b"), by=request.user)
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


@access(Action.COMPARE_RUN)
@require_GET
def report(request, key: str):
    """A comparison: the verdict summary, the limits table, terms and references, and the texts side by side."""
    comparison = services.comparison_for(request.user, key)
    return render(request, "compare/report.html", services.report_page(comparison, request.build_absolute_uri(
        comparison.get_absolute_url())))


@access(Action.COMPARE_RUN)
@require_GET
def export(request, key: str, fmt: str):
    comparison = services.comparison_for(request.user, key)
    data, content_type, filename = services.export_comparison(
        comparison, fmt, link=request.build_absolute_uri(comparison.get_absolute_url()))
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
    path("compare/<str:key>/export.xlsx", export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("compare/<str:key>/export.pdf", export, {"fmt": "pdf"}, name="export-pdf"),
]
