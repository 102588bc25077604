"""Pages of technical review (技术审查): the expert pool and its import, forming a panel, conclusions, the decision."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organisation, User
from accounts.permissions import access, can
from accounts.roles import Action as AccountAction
from catalogue.geography import GD_CITY_CODES
from catalogue.models import AdminDivision
from lifecycle import access as lifecycle_access
from lifecycle import documents, errors, web
from lifecycle.models import Expert, PanelMember
from lifecycle.review import actions as review_actions
from lifecycle.review import expert_import as pool_import
from lifecycle.review import queries as review_queries
from trail.services import timeline
from yuebiao.bounds import int_param, int_params

PAGE_SIZE = 30


def _region_names(codes) -> dict[str, str]:
    codes = {c for c in codes if c}
    return dict(AdminDivision.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


# ---------------------------------------------------------------------------------------------------------------
# The expert pool.

class ExpertForm(forms.Form):
    """One expert of the pool (专家)."""

    name = forms.CharField(label=gettext_lazy("姓名"), max_length=100)
    organisation = forms.CharField(label=gettext_lazy("工作单位"), max_length=200,
                                   help_text=gettext_lazy("机构名录中的全称；起草单位的专家在审查时回避"))
    title = forms.CharField(label=gettext_lazy("职称"), max_length=60, required=False)
    speciality = forms.CharField(label=gettext_lazy("专业领域"), max_length=200, required=False,
                                 help_text=gettext_lazy("用于推荐审查专家，例如：食品安全；农产品加工"))
    region_code = forms.CharField(label=gettext_lazy("所在地区"), max_length=20, required=False,
                                  help_text=gettext_lazy("地级市名称或 6 位行政区划代码"))
    username = forms.CharField(label=gettext_lazy("平台账号（可选）"), max_length=150, required=False,
                               help_text=gettext_lazy("关联后专家可在“我的审查”中自行提交审查意见"))

    def clean_organisation(self):
        text = self.cleaned_data["organisation"].strip()
        org = review_queries.find_organisation(text)
        if org is not None:
            return org
        raise forms.ValidationError(_("机构名录中没有“%(name)s”，请填写名录中的全称") % {"name": text})

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not name:
            return None
        user = User.objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(_("没有账号“%(name)s”") % {"name": name})
        return user


def _pool_form_context(form, expert=None) -> dict:
    return {
        "form": form, "expert": expert,
        "organisations": Organisation.objects.order_by("name").values_list("name", flat=True)[:3000],
        "cities": ["广东省", *[f"{name}市" for name in GD_CITY_CODES]],
    }


@access(AccountAction.LIFECYCLE_WORK)
@require_GET
def expert_list(request):
    # The pool is the bureau's (LIFECYCLE_MANAGE); committee secretariats also read it because they form the
    # panels. Both hold LIFECYCLE_WORK, which the URL declares; drafters and experts hold it too and are refused here.
    if not review_queries.may_view_pool(request.user):
        raise PermissionDenied(_("只有省局标准化处和技术委员会秘书处可以查看专家库"))
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    qs = review_queries.search_experts(q).annotate(seats=Count("panel_seats"))
    if status == "active":
        qs = qs.filter(active=True)
    elif status == "inactive":
        qs = qs.filter(active=False)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    regions = _region_names(e.region_code for e in page)
    for e in page:
        e.region_name = regions.get(e.region_code, e.region_code)
    context = {"page": page, "q": q, "status": status, "may_manage": review_queries.may_manage_pool(request.user),
               "total": Expert.objects.count()}
    template = "lifecycle/review/_expert_rows.html" if request.htmx else "lifecycle/review/experts.html"
    return render(request, template, context)


@access(AccountAction.LIFECYCLE_MANAGE)
@require_http_methods(["GET", "POST"])
def expert_add(request):
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expert = review_actions.add_expert(
                name=data["name"], organisation=data["organisation"], title=data["title"],
                speciality=data["speciality"], region_code=data["region_code"], user=data["username"], by=request.user,
            )
        except errors.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已添加专家：%(name)s") % {"name": expert.name})
            return redirect("lifecycle:experts")
    return render(request, "lifecycle/review/expert_form.html", _pool_form_context(form),
                  status=400 if form.errors else 200)


@access(AccountAction.LIFECYCLE_MANAGE)
@require_http_methods(["GET", "POST"])
def expert_edit(request, pk: int):
    expert = get_object_or_404(Expert.objects.select_related("organisation", "user"), pk=pk)
    initial = {"name": expert.name, "organisation": expert.organisation.name if expert.organisation_id else "",
               "title": expert.title, "speciality": expert.speciality, "region_code": expert.region_code,
               "username": expert.user.username if expert.user_id else ""}
    form = ExpertForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review_actions.update_expert(
                expert=expert, name=data["name"], organisation=data["organisation"], title=data["title"],
                speciality=data["speciality"], region_code=data["region_code"], user=data["username"], by=request.user,
            )
        except errors.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存专家：%(name)s") % {"name": data["name"]})
            return redirect("lifecycle:experts")

    context = _pool_form_context(form, expert)
    context["events"] = [(e, _(review_queries.EXPERT_EVENT_LABELS.get(e.kind, e.kind)))
                         for e in timeline(f"lifecycle.expert:{expert.pk}")]
    return render(request, "lifecycle/review/expert_form.html", context, status=400 if form.errors else 200)


@access(AccountAction.LIFECYCLE_MANAGE)
@require_POST
def expert_active(request, pk: int):
    expert = get_object_or_404(Expert, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        review_actions.set_expert_active(expert=expert, active=active, by=request.user, reason=request.POST.get("reason", ""))
    except errors.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, (_("已恢复：%(name)s") if active else _("已停用：%(name)s")) % {"name": expert.name})
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/lifecycle/experts")
                    else reverse("lifecycle:experts"))


@access(AccountAction.LIFECYCLE_MANAGE)
@require_http_methods(["GET", "POST"])
def expert_import(request):
    context: dict = {"columns": pool_import.IMPORT_COLUMNS, "max_mb": pool_import.MAX_IMPORT_BYTES // 2**20,
                     "max_rows": pool_import.MAX_IMPORT_ROWS}
    status = 200
    if request.method == "POST":
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        upload = request.FILES.get("file") if size <= pool_import.MAX_IMPORT_BYTES + 64 * 1024 else None
        dry_run = request.POST.get("dry_run") == "1"
        if size > pool_import.MAX_IMPORT_BYTES + 64 * 1024:
            context["error"] = _("文件超过 %(mb)s MB 上限") % {"mb": context["max_mb"]}
        elif upload is None:
            context["error"] = _("请选择要导入的 Excel（.xlsx）文件")
        else:
            try:
                report = pool_import.import_experts(data=upload.read(), filename=upload.name, by=request.user,
                                               dry_run=dry_run)
            except errors.ReviewError as exc:
                context["error"] = str(exc)
            else:
                context["report"] = report
                if report.created:
                    messages.success(request, _("已导入 %(n)s 位专家") % {"n": report.created})
                    return redirect("lifecycle:experts")
        status = 400 if context.get("error") or (context.get("report") and context["report"].errors) else 200
    return render(request, "lifecycle/review/import.html", context, status=status)


@access(AccountAction.LIFECYCLE_MANAGE)
@require_GET
def expert_template(request):
    response = HttpResponse(
        pool_import.import_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename=\"experts-template.xlsx\"; filename*=UTF-8''%E4%B8%93%E5%AE%B6%E5%90%8D%E5%8D%95.xlsx"
    return response


# ---------------------------------------------------------------------------------------------------------------
# The panel of a project.

def _panel_context(request, project) -> dict:
    roles = lifecycle_access.project_roles(request.user, project)
    return {
        "project": project, "user": request.user, "roles": {r.value for r in roles},
        "can_manage": can(request.user, AccountAction.LIFECYCLE_MANAGE),
        "panel": review_queries.project_panel_context(project, request.user, roles),
    }


def _after_write(request, project, *, error: str | None = None, ok: str | None = None, status: int = 400):
    """HTMX: a refused write re-renders the panel with the error inline (400); a done one reloads the project page
    (the version, the action holders and the offered moves all changed). Without JavaScript: message + redirect."""
    url = project.get_absolute_url() + "#review"
    if error and request.htmx:
        context = _panel_context(request, project)
        context["panel_error"] = error
        return render(request, "lifecycle/review/_panel.html", context, status=status)
    if error:
        messages.error(request, error)
    if ok:
        messages.success(request, ok)
    if request.htmx:
        # A refresh, not HX-Redirect: redirecting to the page the user is on, differing only by #review, is a
        # fragment jump and would not reload anything.
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    return redirect(url)


@access(AccountAction.LIFECYCLE_WORK)
@require_GET
def panel_fragment(request, code: str):
    project = web.project_or_404(request, code)
    return render(request, "lifecycle/review/_panel.html", _panel_context(request, project))


@access(AccountAction.LIFECYCLE_WORK)
@require_http_methods(["GET", "POST"])
def panel_form(request, code: str):
    project = web.project_or_404(request, code)
    if not review_queries.is_secretariat(request.user, project):
        raise PermissionDenied(_("只有归口技术委员会秘书处或省局标准化处可以组建审查专家组"))
    selected = int_params(request.POST, "expert") or int_params(request.GET, "expert")
    chair = int_param(request.POST, "chair", lo=1) or int_param(request.GET, "chair", lo=1)
    values = {"meeting_on": request.POST.get("meeting_on", ""), "location": request.POST.get("location", "")[:200]}
    error = None
    if request.method == "POST":
        try:
            panel = review_actions.form_panel(project=project, expert_ids=selected, chair_id=chair,
                                      meeting_on=values["meeting_on"], location=values["location"], by=request.user)
        except errors.ReviewForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except errors.ReviewError as exc:
            error = str(exc)
        else:
            messages.success(request, _("已组建第 %(r)s 轮审查专家组（%(n)s 人），已通知关联账号的专家") % {
                "r": panel.round, "n": len(selected)})
            return redirect(project.get_absolute_url() + "#review")
    q = request.GET.get("q", "").strip()[:100]
    ranked, conflicts = review_queries.suggest_experts(project, q=q, limit=60, exclude_ids=selected)
    chosen = {e.pk: e for e in Expert.objects.select_related("organisation").filter(pk__in=selected)}
    context = {
        "project": project, "ranked": ranked, "conflicts": conflicts, "q": q,
        "chosen": [chosen[i] for i in selected if i in chosen], "chair": chair, "values": values, "error": error,
        "form_block": review_queries.formation_block(project, review_queries.latest_panel(project)),
        "min_size": review_queries.MIN_PANEL_SIZE, "max_size": review_queries.MAX_PANEL_SIZE,
        "earliest": review_queries.stage_entered_on(project), "drafting": list(project.drafting_organisations.all()),
    }
    if request.htmx and request.method == "GET":
        return render(request, "lifecycle/review/_candidates.html", context)
    return render(request, "lifecycle/review/panel_form.html", context, status=400 if error else 200)


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def conclusion(request, code: str, member_id: int):
    project = web.project_or_404(request, code)
    member = get_object_or_404(PanelMember.objects.select_related("panel", "expert"), pk=member_id,
                               panel__project=project)
    from_seats = request.POST.get("from") == "my"
    try:
        review_actions.record_conclusion(member=member, conclusion=request.POST.get("conclusion", ""),
                                 opinion=request.POST.get("opinion", ""), by=request.user)
    except errors.ReviewForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.ReviewError as exc:
        if from_seats:
            return _seat_response(request, member_id, error=str(exc))
        return _after_write(request, project, error=str(exc))
    if from_seats:
        return _seat_response(request, member_id, ok=_("审查意见已提交"))
    return _after_write(request, project, ok=_("已记录 %(name)s 的审查意见") % {"name": member.expert.name})


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def decision(request, code: str):
    project = web.project_or_404(request, code)
    if not review_queries.is_secretariat(request.user, project):
        raise PermissionDenied(_("只有归口技术委员会秘书处或省局标准化处可以录入审查结论"))
    panel = review_queries.latest_panel(project)
    if panel is None:
        return _after_write(request, project, error=_("尚未组建审查专家组"))
    upload = request.FILES.get("minutes_file")
    if upload is not None and upload.size > documents.MAX_DOCUMENT_BYTES:
        return _after_write(request, project, error=_("文件超过 50 MB 上限"))
    try:
        review_actions.record_decision(
            panel=panel, decision=request.POST.get("decision", ""), note=request.POST.get("note", ""),
            minutes_document=request.POST.get("minutes") or None, by=request.user,
            minutes_file=(upload.read(), upload.name) if upload is not None else None,
        )
    except errors.ReviewForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        return _after_write(request, project, error=str(exc))
    return _after_write(request, project, ok=_("已录入第 %(r)s 轮审查结论") % {"r": panel.round})


# ---------------------------------------------------------------------------------------------------------------
# An expert's own seats (我的审查).

def _seat_response(request, member_id: int, *, error: str | None = None, ok: str | None = None):
    if not request.htmx:
        if error:
            messages.error(request, error)
        if ok:
            messages.success(request, ok)
        return redirect("lifecycle:review-my")
    seat = next((s for s in review_queries.seats_of(request.user) if s.pk == member_id), None)
    if seat is None:  # the secretariat answering from this page for someone else: back to the list
        response = HttpResponse(status=400 if error else 200)
        response["HX-Redirect"] = reverse("lifecycle:review-my")
        return response
    return render(request, "lifecycle/review/_seat.html", {
        "seat": seat, "seat_error": error, "seat_ok": ok, "conclusion_choices": list(review_queries.CONCLUSION_LABELS.items()),
        "max_chars": review_queries.MAX_OPINION_CHARS,
    }, status=400 if error else 200)


@access(AccountAction.LIFECYCLE_WORK)
@require_GET
def my_seats(request):
    seats = review_queries.seats_of(request.user)
    return render(request, "lifecycle/review/my.html", {
        "seats": seats, "open": [s for s in seats if s.is_open], "closed": [s for s in seats if not s.is_open],
        "is_expert": Expert.objects.filter(user=request.user).exists(),
        "conclusion_choices": list(review_queries.CONCLUSION_LABELS.items()), "max_chars": review_queries.MAX_OPINION_CHARS,
        "today": timezone.localdate(),
    })


urlpatterns = [
    path("lifecycle/experts/", expert_list, name="experts"),
    path("lifecycle/experts/new/", expert_add, name="expert-add"),
    path("lifecycle/experts/import/", expert_import, name="experts-import"),
    path("lifecycle/experts/template.xlsx", expert_template, name="experts-template"),
    path("lifecycle/experts/<int:pk>/", expert_edit, name="expert-edit"),
    path("lifecycle/experts/<int:pk>/active/", expert_active, name="expert-active"),
    path("lifecycle/review/my/", my_seats, name="review-my"),
    path("lifecycle/projects/<str:code>/review/", panel_fragment, name="review-panel"),
    path("lifecycle/projects/<str:code>/review/panel/", panel_form, name="review-form"),
    path("lifecycle/projects/<str:code>/review/seats/<int:member_id>/", conclusion, name="review-conclusion"),
    path("lifecycle/projects/<str:code>/review/decision/", decision, name="review-decision"),
]
