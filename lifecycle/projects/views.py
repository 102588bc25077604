"""Pages of local-standard projects: the list, the work list (待我处理), the proposal form, the project page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organisation
from accounts.permissions import access, can, public, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from catalogue.models import AdminDivision
from lifecycle import access as lifecycle_access
from lifecycle import documents as lifecycle_documents
from lifecycle import errors, web
from lifecycle import menu as lifecycle_menu
from lifecycle import periods as lifecycle_periods
from lifecycle import transitions as rules
from lifecycle.analytics import queries as analytics_queries
from lifecycle.consultation import queries as consultation_queries
from lifecycle.deadlines import UNIT_LABELS
from lifecycle.implementation import queries as implementation_queries
from lifecycle.models import LocalStandardProject, ProjectDocument, StatutoryPeriod
from lifecycle.projects import actions as project_actions
from lifecycle.projects import queries as project_queries
from lifecycle.review import queries as review_queries
from lifecycle.transitions import Action, Doc, Role, State
from yuebiao.bounds import int_param

PAGE_EVENTS = 30  # events the project page shows; the trail page shows them all
PANEL_AREAS = (("consultation", consultation_queries), ("review", review_queries),
               ("implementation", implementation_queries), ("analytics", analytics_queries))


def _cities():
    rows = [("440000", _("全省"))]
    rows += list(AdminDivision.objects.filter(level=AdminDivision.Level.PREFECTURE, code__startswith="44")
                 .values_list("code", "name"))
    return rows


def _cities_for(user) -> list[tuple[str, str]]:
    """The cities this user may propose for: a city officer only his or her own city (the only option)."""
    rows = _cities()
    if AccountRole.CITY_OFFICER in roles_of(user) and not can(user, AccountAction.LIFECYCLE_MANAGE):
        region = getattr(getattr(user, "organisation", None), "region_code", "") or ""
        own = region[:4] + "00"
        mine = [(code, name) for code, name in rows if code == own]
        return mine or [(own, lifecycle_access.city_name(own) or own)]
    return rows


def _orgs(kind):
    return Organisation.objects.filter(kind=kind).order_by("name")


class ProposalForm(forms.Form):
    """The proposal form (立项申请表)."""

    title_zh = forms.CharField(label=gettext_lazy("标准名称"), max_length=300)
    title_en = forms.CharField(label=gettext_lazy("英文名称"), max_length=300, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("制定 / 修订"), choices=LocalStandardProject.Kind.choices)
    revises = forms.CharField(label=gettext_lazy("被修订标准号"), max_length=80, required=False,
                              help_text=gettext_lazy("修订项目填写，例如 DB44/T 1234—2015"))
    nature = forms.ChoiceField(label=gettext_lazy("性质"), choices=LocalStandardProject.Nature.choices)
    mandatory_basis = forms.CharField(label=gettext_lazy("强制性依据"), max_length=300, required=False,
                                      help_text=gettext_lazy("仅环境保护、食品安全等法律授权领域可制定强制性地方标准"))
    city_code = forms.ChoiceField(label=gettext_lazy("所属地市"))
    drafting_organisations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("起草单位"), queryset=Organisation.objects.none(), required=False
    )
    technical_committee = forms.ModelChoiceField(
        label=gettext_lazy("归口技术委员会"), queryset=Organisation.objects.none(), required=False
    )
    ics_code = forms.CharField(label="ICS", max_length=12, required=False)
    scope = forms.CharField(label=gettext_lazy("适用范围"), widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=5000, required=False)
    necessity = forms.CharField(label=gettext_lazy("必要性和可行性"), widget=forms.Textarea(attrs={"rows": 4}),
                                max_length=5000, required=False)

    def __init__(self, *args, cities=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The select offers only the cities this user may choose; any city of the province is still a valid
        # answer, so a city officer who posts another city meets the action's refusal (403, naming the own city)
        # instead of a bare "invalid choice".
        self.fields["city_code"].choices = _cities()
        if cities is not None:
            self.fields["city_code"].widget.choices = cities
        self.fields["drafting_organisations"].queryset = _orgs(Organisation.Kind.DRAFTING_ORGANISATION)
        self.fields["technical_committee"].queryset = _orgs(Organisation.Kind.TECHNICAL_COMMITTEE)

    def clean_revises(self):
        try:
            return project_actions.standard_to_revise(self.cleaned_data.get("revises", ""))
        except errors.LifecycleError as exc:
            raise forms.ValidationError(str(exc)) from exc


@access(AccountAction.LIFECYCLE_PROPOSE)
@require_http_methods(["GET", "POST"])
def propose(request):
    region = getattr(request.user.organisation, "region_code", "") or "440000"
    form = ProposalForm(request.POST or None, initial={"city_code": region[:4] + "00"}, cities=_cities_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = project_actions.propose(
                by=request.user, title_zh=data["title_zh"], title_en=data["title_en"], kind=data["kind"],
                revises=data["revises"], nature=data["nature"], mandatory_basis=data["mandatory_basis"],
                city_code=data["city_code"], drafting_organisations=data["drafting_organisations"],
                technical_committee=data["technical_committee"], ics_code=data["ics_code"], scope=data["scope"],
                necessity=data["necessity"],
            )
        except errors.NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except errors.LifecycleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("立项申请已创建（项目编号 %(code)s）。请上传立项申请书后提交。") % {"code": project.code})
            return redirect(project.get_absolute_url())
    return render(request, "lifecycle/projects/propose.html", {"form": form}, status=400 if form.errors else 200)


def _filtered(request, qs):
    state = request.GET.get("state", "")
    q = request.GET.get("q", "").strip()[:100]
    if state in State._value2member_map_:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title_zh__icontains=q) | Q(number__icontains=q))
    if request.GET.get("overdue"):
        qs = project_queries.overdue(qs)
    city = request.GET.get("city", "")
    if city.isdigit():
        qs = qs.filter(city_code=city)
    return qs, {"state": state, "q": q, "overdue": bool(request.GET.get("overdue")), "city": city}


@access(AccountAction.LIFECYCLE_WORK)
def project_list(request):
    qs, filters = _filtered(request, project_queries.visible_projects(request.user))
    page = Paginator(qs.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(request, "lifecycle/projects/list.html", {
        "page": page, "filters": filters, "states": [(s.value, rules.STATE_LABELS[s][0]) for s in State],
        "may_propose": can(request.user, AccountAction.LIFECYCLE_PROPOSE), "today": timezone.localdate(),
    })


@access(AccountAction.LIFECYCLE_WORK)
def work(request):
    return render(request, "lifecycle/projects/work.html", {"rows": project_queries.work_rows(request.user)})


@access(AccountAction.LIFECYCLE_WORK)
def project_detail(request, code: str):
    project = web.project_or_404(request, code)
    roles = lifecycle_access.project_roles(request.user, project)
    can_manage = can(request.user, AccountAction.LIFECYCLE_MANAGE)
    # The page shows the latest events; the whole chain, with every hash, is on the trail page (like the
    # Datatracker's History tab), so a project with hundreds of events still opens quickly.
    events = [project_queries.describe_event(e) for e in project_queries.project_timeline(project, latest=PAGE_EVENTS)]
    documents = list(project.documents.select_related("uploaded_by").order_by("kind", "-version"))
    context = {
        "project": project, "roles": {r.value for r in roles}, "role_labels": [_(rules.ROLE_LABELS[r][0]) for r in roles],
        "can_manage": can_manage, "events": events, "documents": documents,
        "holders": project_queries.action_holders(project), "actions": project_queries.offered_actions(request.user, project),
        "stages": project_queries.stage_history(project), "main_line": _main_line(project),
        "drafting_months": project_queries.drafting_months(project), "target": lifecycle_periods.period("drafting_cycle.target"),
        "uploadable": _uploadable(roles), "agencies": _orgs(Organisation.Kind.EVALUATION_AGENCY),
        "today": timezone.localdate(), "drafting_organisations": list(project.drafting_organisations.all()),
        "more_events": bool(events) and events[0]["event"].seq > 1,
    }
    for name, area in PANEL_AREAS:
        context[f"{name}_panel"] = area.project_panel_context(project, request.user, roles)
    return render(request, "lifecycle/projects/detail.html", context)


@access(AccountAction.LIFECYCLE_WORK)
def project_trail(request, code: str):
    """全过程记录: every event of the project's chain, oldest first, with its hash and the hash before it."""
    project = web.project_or_404(request, code)
    events = [project_queries.describe_event(e) for e in project_queries.project_timeline(project)]
    return render(request, "lifecycle/projects/trail.html", {"project": project, "events": events})


def _main_line(project) -> list[dict]:
    """The progress strip: the main line with the current state marked; an off-ramp state is shown after it."""
    state = State(project.state)
    line = list(rules.MAIN_LINE)
    reached = {st for st in project.stages.values_list("state", flat=True)}
    rows = [{"state": s.value, "label": rules.STATE_LABELS[s][0], "current": s == state, "done": s.value in reached
             and s != state} for s in line]
    if state not in line:
        rows.append({"state": state.value, "label": rules.STATE_LABELS[state][0], "current": True, "done": False})
    return rows


def _uploadable(roles) -> list[tuple[str, str]]:
    return [(d.value, rules.DOC_LABELS[d][0]) for d in Doc
            if Role.BUREAU in roles or lifecycle_documents.UPLOADERS[d] & set(roles)]


_DATA_FIELDS = ("closes_on", "published_on", "implementation_on", "filed_on", "filing_reference", "disclosed_on",
                "requested_due_on")




# Moves that end a project for good: the form asks for a confirmation before them.
DESTRUCTIVE_ACTIONS = frozenset({Action.CANCEL, Action.REJECT_APPLICATION})


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def act(request, code: str):
    project = web.project_or_404(request, code)
    action = request.POST.get("action", "")
    if action in DESTRUCTIVE_ACTIONS and request.POST.get("confirm") != "yes":
        # A step that cannot be taken back is confirmed on the form (a required box, no script needed).
        return web.respond(request, project, error=_("请先勾选确认框：%(action)s 之后不能恢复") % {
            "action": project_queries.action_label(action)})
    data = {k: request.POST[k] for k in _DATA_FIELDS if request.POST.get(k)}
    agency_id = int_param(request.POST, "agency", lo=1)
    if agency_id is not None:
        data["agency"] = Organisation.objects.filter(pk=agency_id).first()
    try:
        project_actions.advance(
            project=project, action=action, by=request.user, reason=request.POST.get("reason", ""), data=data,
            expected_version=int_param(request.POST, "version"),
        )
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    label = project_queries.action_label(action)
    return web.respond(request, project, ok=_("已完成：%(action)s") % {"action": label})


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def upload(request, code: str):
    project = web.project_or_404(request, code)
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if size > lifecycle_documents.MAX_DOCUMENT_BYTES + 64 * 1024:
        return web.respond(request, project, error=_("文件超过 50 MB 上限"))
    file = request.FILES.get("file")
    if file is None:
        return web.respond(request, project, error=_("请选择要上传的文件"))
    try:
        doc = lifecycle_documents.upload_document(project=project, kind=request.POST.get("kind", ""), data=file.read(),
                                       filename=file.name, by=request.user, note=request.POST.get("note", ""))
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    return web.respond(request, project, ok=_("已上传：%(kind)s 第 %(v)s 版") % {"kind": doc.kind_label, "v": doc.version})


@access(AccountAction.LIFECYCLE_WORK)
def document(request, code: str, pk: int):
    project = web.project_or_404(request, code)
    doc = get_object_or_404(ProjectDocument, pk=pk, project=project)
    response = FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.filename)
    response["X-Content-SHA256"] = doc.sha256
    return response


@access(AccountAction.LIFECYCLE_MANAGE)
@require_http_methods(["GET", "POST"])
def periods(request):
    lifecycle_periods.ensure_periods()
    if request.method == "POST":
        try:
            lifecycle_periods.set_period(key=request.POST.get("key", ""), amount=int(request.POST.get("amount", "0") or 0),
                                unit=request.POST.get("unit", ""), by=request.user)
        except (errors.LifecycleError, ValueError) as exc:
            messages.error(request, str(exc) if isinstance(exc, errors.LifecycleError) else _("期限须为整数"))
        else:
            messages.success(request, _("期限已更新"))
        return redirect("lifecycle:periods")

    return render(request, "lifecycle/projects/periods.html", {
        "periods": lifecycle_periods.in_process_order(StatutoryPeriod.objects.all()), "units": [(u.value, lbl[0]) for u, lbl in UNIT_LABELS.items()],
    })


@public
@require_GET
def landing(request):
    """Where signing in leads (LOGIN_REDIRECT_URL): officers and participants to their work list, others home."""
    target = lifecycle_menu.landing(roles_of(request.user)) if request.user.is_authenticated else None
    return redirect(target or "catalogue:home")


urlpatterns = [
    path("lifecycle/start/", landing, name="landing"),
    path("lifecycle/", project_list, name="projects"),
    path("lifecycle/work/", work, name="work"),
    path("lifecycle/projects/new/", propose, name="propose"),
    path("lifecycle/projects/<str:code>/", project_detail, name="project"),
    path("lifecycle/projects/<str:code>/act/", act, name="act"),
    path("lifecycle/projects/<str:code>/trail/", project_trail, name="project-trail"),
    path("lifecycle/projects/<str:code>/documents/", upload, name="upload"),
    path("lifecycle/projects/<str:code>/documents/<int:pk>/", document, name="document"),
    path("lifecycle/periods/", periods, name="periods"),
]
