"""Pages of implementation and review: feedback, the public timeline and feed, the due list, the panel's forms."""

from __future__ import annotations


from django import forms
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import access, can, public, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from catalogue.queries import find_standard
from lifecycle import documents, errors, web
from lifecycle import references as refs
from lifecycle import timeline as public_trace
from lifecycle.implementation import actions as implementation_actions
from lifecycle.implementation import export as implementation_export
from lifecycle.implementation import queries as implementation_queries
from lifecycle.implementation import rubric as lifecycle_rubric
from lifecycle.models import ImplementationEvaluation, ImplementationFeedback
from lifecycle.projects import queries as project_queries
from lifecycle.transitions import STATE_LABELS, State
from yuebiao.bounds import int_param
from yuebiao.proxy import client_address

REVIEW_WINDOWS = (0, 3, 6, 12)  # months ahead the due list can look (0: due now or overdue)
DEFAULT_WINDOW = 6


def _standard_or_404(slug: str):
    std = find_standard(slug)
    if std is None:
        raise Http404(_("目录中没有这个标准"))
    return std


# ---------------------------------------------------------------------------------------------------------------
# Public feedback (实施信息反馈).

class FeedbackForm(forms.Form):
    """The public feedback form; its content is checked by implementation.actions.send_feedback (the API's path
    too), so the page and the API refuse the same input with the same message."""

    kind = forms.ChoiceField(label=gettext_lazy("反馈类型"), choices=ImplementationFeedback.Kind.choices,
                             widget=forms.RadioSelect, initial=ImplementationFeedback.Kind.PROBLEM)
    # Not required here (the browser still asks for it): an empty text gets the action's own message.
    text = forms.CharField(label=gettext_lazy("反馈内容"), required=False, strip=False, widget=forms.Textarea(
        attrs={"rows": 7, "maxlength": implementation_queries.MAX_TEXT, "required": True}),
        help_text=gettext_lazy("不超过 5000 字"))
    author_name = forms.CharField(label=gettext_lazy("姓名"), required=False, strip=False,
                                  widget=forms.TextInput(attrs={"maxlength": 100, "autocomplete": "name"}))
    author_organisation = forms.CharField(label=gettext_lazy("单位"), required=False, strip=False,
                                          widget=forms.TextInput(attrs={"maxlength": 200,
                                                                        "autocomplete": "organization"}))
    contact = forms.CharField(label=gettext_lazy("联系方式"), required=False, strip=False,
                              widget=forms.TextInput(attrs={"maxlength": 100}),
                              help_text=gettext_lazy("电话或电子邮箱，仅供省局核实情况，不会公开"))


@public
@require_http_methods(["GET", "POST"])
def feedback(request, slug: str):
    std = _standard_or_404(slug)
    if std.slug != slug:
        return redirect("lifecycle:feedback", std.slug)
    accepted = implementation_queries.accepts_feedback(std)
    anonymous = not request.user.is_authenticated
    form = FeedbackForm(request.POST or None)
    status = 200
    captcha_error = ""
    if request.method == "POST":
        if not accepted:
            status = 400
        elif form.is_valid():
            try:
                fb = implementation_actions.send_feedback(
                    standard=std, fields={k: form.cleaned_data[k] for k in implementation_actions.FEEDBACK_FIELDS},
                    user=request.user, address=client_address(request), session=request.session,
                    captcha_id=request.POST.get("captcha_id"), captcha_answer=request.POST.get("captcha_answer"))
            except errors.CaptchaRefused as exc:
                captcha_error, status = str(exc), 400
            except errors.TooMany as exc:
                form.add_error(None, str(exc))
                status = 429
            except errors.LifecycleError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, _("感谢您的反馈（编号 %(n)s），省市场监管局将及时处理。") % {"n": fb.pk})
                return redirect(reverse("lifecycle:feedback", args=[std.slug]) + "?sent=1")
        else:
            status = 400
    challenge = implementation_actions.issue_captcha(request.session, text=_wants_text_captcha(request)) \
        if anonymous and accepted else None
    return render(request, "lifecycle/implementation/feedback.html", {
        "std": std, "form": form, "accepted": accepted, "challenge": challenge, "captcha_error": captcha_error,
        "project": implementation_queries.project_of(std) if accepted else None, "sent": request.GET.get("sent") == "1",
    }, status=status)


def _wants_text_captcha(request) -> bool:
    # ?captcha=text: the non-visual alternative, the sum written as a sentence (no picture).
    return "text" in (request.GET.get("captcha"), request.POST.get("captcha_mode"))


@public
def feedback_captcha(request, slug: str):
    """A fresh captcha for the feedback form (HTMX swaps it in when the picture is hard to read, or to change to
    the text question and back)."""
    _standard_or_404(slug)
    challenge = implementation_actions.issue_captcha(request.session, text=_wants_text_captcha(request))
    return render(request, "lifecycle/implementation/_captcha.html", {"challenge": challenge, "slug": slug})


# ---------------------------------------------------------------------------------------------------------------
# The public timeline and its Atom feed.

@public
def timeline(request, slug: str):
    std = _standard_or_404(slug)
    if std.slug != slug:
        return redirect("lifecycle:timeline", std.slug)
    projects, rows = public_trace.public_timeline(std)
    return render(request, "lifecycle/implementation/timeline.html", {
        "std": std, "projects": [{"project": p, "state_label": STATE_LABELS[State(p.state)][0]} for p in projects],
        "rows": rows, "accepts_feedback": implementation_queries.accepts_feedback(std),
    })


class TimelineFeed(Feed):
    """Atom feed of a standard's public lifecycle events (标准全生命周期动态), newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, slug: str):
        return _standard_or_404(slug)

    def title(self, obj):
        return _("%(number)s %(title)s：全生命周期记录") % {"number": obj.number, "title": obj.title_zh}

    def subtitle(self, obj):
        return _("立项、征求意见、发布、实施与复审等公开事件（粤标全过程追溯）")

    def link(self, obj):
        return reverse("lifecycle:timeline", args=[obj.slug])

    def items(self, obj):
        _projects, rows = public_trace.public_timeline(obj)
        return [{**row, "slug": obj.slug} for row in reversed(rows)][:200]

    def item_title(self, item):
        parts = [_(item["what"])]
        if item["moved"]:
            parts.append(item["moved"])
        return " · ".join(parts)

    def item_description(self, item):
        lines = [f"{item['project'].number or item['project'].code}《{item['project'].title_zh}》"]
        if item["detail"]:
            lines.append(item["detail"])
        if item["reason"]:
            lines.append(_("理由：") + item["reason"])
        for label, digest in item["hashes"]:
            lines.append(f"{_(label)} SHA-256 {digest}")
        lines.append(_("事件哈希") + f" {item['event'].hash}")
        return "\n".join(lines)

    def item_link(self, item):
        return reverse("lifecycle:timeline", args=[item["slug"]]) + f"#{item['anchor']}"

    def item_guid(self, item):
        return f"urn:yuebiao:trail:{item['event'].subject}:{item['event'].seq}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item["event"].at

    def item_updateddate(self, item):
        return item["event"].at



timeline_feed = public(TimelineFeed())


# ---------------------------------------------------------------------------------------------------------------
# The bureau's feedback list.

def _handler_or_403(request) -> None:
    if not implementation_queries.may_handle_feedback(request.user):
        raise PermissionDenied(_("只有省局和地市市场监管部门可以处理实施信息反馈"))


@access(AccountAction.LIFECYCLE_WORK)
def feedback_list(request):
    _handler_or_403(request)
    status = request.GET.get("status", "new")
    qs = implementation_queries.feedback_for(request.user)
    if status in ImplementationFeedback.Status.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    slug = request.GET.get("standard", "").strip()[:100]
    if slug:
        qs = qs.filter(standard__slug=slug)
    page = Paginator(qs.order_by("-submitted_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(request, "lifecycle/implementation/feedback_list.html", {
        "page": page, "status": status, "standard": slug, "statuses": [
            ("new", _("待处理")), ("handled", _("已处理")), ("all", _("全部"))],
        "may_review": can(request.user, AccountAction.LIFECYCLE_MANAGE), "review_grounds": implementation_actions.REVIEW_GROUNDS,
        "in_force": [s.value for s in implementation_queries.IN_FORCE],
    })


def _feedback_or_404(request, pk: int) -> ImplementationFeedback:
    fb = get_object_or_404(ImplementationFeedback.objects.select_related("standard", "project"), pk=pk)
    if not implementation_queries.may_handle_feedback(request.user, fb):
        raise PermissionDenied(_("这条反馈不属于您所在地区"))
    return fb


def _back_to_feedback(request, fb):
    url = reverse("lifecycle:feedback-list") + f"?status={request.POST.get('back_status', 'new')}#feedback-{fb.pk}"
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _refused(request, exc, fallback):
    """A refused request: 403 for a wrong role, else the message and 400 for HTMX (redirect for a plain form)."""
    if isinstance(exc, errors.NotAllowed):
        raise PermissionDenied(str(exc))
    messages.error(request, str(exc))
    if request.htmx:
        response = HttpResponse(str(exc), status=400)
        response["HX-Redirect"] = fallback
        return response
    return redirect(fallback)


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def feedback_respond(request, pk: int):
    _handler_or_403(request)
    fb = _feedback_or_404(request, pk)
    try:
        implementation_actions.respond_feedback(feedback=fb, response=request.POST.get("response", ""), by=request.user)
    except errors.LifecycleError as exc:
        return _refused(request, exc, reverse("lifecycle:feedback-list") + f"#feedback-{fb.pk}")
    messages.success(request, _("已记录处理情况"))
    return _back_to_feedback(request, fb)


@access(AccountAction.LIFECYCLE_MANAGE)
@require_POST
def feedback_review(request, pk: int):
    fb = _feedback_or_404(request, pk)
    try:
        review = implementation_actions.review_because_of_feedback(feedback=fb, by=request.user,
                                                 response=request.POST.get("response", ""))
    except errors.LifecycleError as exc:
        return _refused(request, exc, reverse("lifecycle:feedback-list") + f"#feedback-{fb.pk}")
    messages.success(request, _("已据此反馈启动复审（期限 %(d)s）") % {"d": review.due_on.isoformat()})
    return redirect(fb.project.get_absolute_url())


# ---------------------------------------------------------------------------------------------------------------
# The review due list (复审到期清单) and its Excel export.

def _review_viewer_or_403(request) -> None:
    if not (can(request.user, AccountAction.LIFECYCLE_MANAGE) or AccountRole.CITY_OFFICER in roles_of(request.user)):
        raise PermissionDenied(_("复审到期清单仅供省局和地市市场监管部门查看"))


def _window(request) -> int:
    months = int_param(request.GET, "months", DEFAULT_WINDOW, lo=0, hi=max(REVIEW_WINDOWS))
    return months if months in REVIEW_WINDOWS else DEFAULT_WINDOW


@access(AccountAction.LIFECYCLE_WORK)
def reviews(request):
    _review_viewer_or_403(request)
    months = _window(request)
    rows = implementation_queries.reviews_due(project_queries.visible_projects(request.user), within_months=months)
    return render(request, "lifecycle/implementation/reviews.html", {
        "rows": rows, "months": months, "windows": REVIEW_WINDOWS, "today": timezone.localdate(),
        "overdue_count": sum(r.overdue for r in rows),
    })


@access(AccountAction.LIFECYCLE_WORK)
def reviews_export(request):
    _review_viewer_or_403(request)
    months = _window(request)
    rows = implementation_queries.reviews_due(project_queries.visible_projects(request.user), within_months=months)
    response = HttpResponse(implementation_export.reviews_due_xlsx(rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="reviews-due-{months}m-{stamp}.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------------------------
# Evaluations (实施效果评估): the evaluator's list and the panel's forms.

@access(AccountAction.LIFECYCLE_WORK)
def evaluations(request):
    if can(request.user, AccountAction.LIFECYCLE_MANAGE):
        qs = ImplementationEvaluation.objects.select_related("project", "agency", "report").order_by(
            "submitted_at", "-commissioned_at")
    elif AccountRole.EVALUATOR in roles_of(request.user):
        qs = implementation_queries.evaluations_for(request.user)
    else:
        raise PermissionDenied(_("只有第三方评估机构和省局可以查看评估委托"))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "lifecycle/implementation/evaluations.html", {
        "page": page, "today": timezone.localdate(), "rubric": lifecycle_rubric.rubric(),
    })


def _scores_from(post) -> dict:
    return {d.key: post.get(f"score_{d.key}", "").strip() for d in lifecycle_rubric.rubric()}


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def evaluation_score(request, code: str):
    project = web.project_or_404(request, code)
    evaluation = implementation_queries.open_evaluation(project)
    if evaluation is None:
        return web.respond(request, project, error=_("没有待评分的评估委托"))
    try:
        ev = implementation_actions.score_evaluation(evaluation=evaluation, scores=_scores_from(request.POST),
                                   conclusion=request.POST.get("conclusion", ""), by=request.user)
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    return web.respond(request, project, ok=_("评分已保存，总分 %(t)s") % {"t": ev.total_score})


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def evaluation_submit(request, code: str):
    project = web.project_or_404(request, code)
    file = request.FILES.get("file")
    if file is not None and file.size > documents.MAX_DOCUMENT_BYTES:
        return web.respond(request, project, error=_("文件超过 50 MB 上限"))
    try:
        implementation_actions.submit_evaluation_report(project=project, data=file.read() if file else None,
                                      filename=file.name if file else "", by=request.user,
                                      note=request.POST.get("note", ""))
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    return web.respond(request, project, ok=_("评估报告已提交"))


@access(AccountAction.LIFECYCLE_MANAGE)
@require_POST
def evaluation_review(request, code: str):
    project = web.project_or_404(request, code)
    evaluation = project.evaluations.filter(submitted_at__isnull=False).order_by("-submitted_at").first()
    if evaluation is None:
        return web.respond(request, project, error=_("没有已提交的评估报告"))
    try:
        review = implementation_actions.review_because_of_evaluation(evaluation=evaluation, by=request.user)
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    return web.respond(request, project, ok=_("已据评估结论启动复审（期限 %(d)s）") % {"d": review.due_on.isoformat()})


# ---------------------------------------------------------------------------------------------------------------
# References and the review conclusion (panel forms).

@access(AccountAction.LIFECYCLE_MANAGE)
@require_POST
def reference_add(request, code: str):
    project = web.project_or_404(request, code)
    try:
        ref = refs.add_reference(project=project, number=request.POST.get("number", ""), by=request.user)
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    return web.respond(request, project, ok=_("已登记引用标准 %(n)s") % {"n": ref.number})


@access(AccountAction.LIFECYCLE_MANAGE)
@require_POST
def reference_remove(request, code: str, pk: int):
    project = web.project_or_404(request, code)
    try:
        refs.remove_reference(project=project, reference_id=pk, by=request.user)
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    return web.respond(request, project, ok=_("已删除引用标准"))


@access(AccountAction.LIFECYCLE_MANAGE)
@require_POST
def references_refresh(request, code: str):
    project = web.project_or_404(request, code)
    try:
        added = refs.refresh_references(project=project, by=request.user, strict=True)
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    if added:
        return web.respond(request, project, ok=_("从标准全文登记了 %(n)s 项引用标准") % {"n": len(added)})
    return web.respond(request, project, ok=_("标准全文中没有新的引用标准"))


@access(AccountAction.LIFECYCLE_MANAGE)
@require_POST
def review_conclude(request, code: str):
    project = web.project_or_404(request, code)
    file = request.FILES.get("file")
    if file is not None and file.size > documents.MAX_DOCUMENT_BYTES:
        return web.respond(request, project, error=_("文件超过 50 MB 上限"))
    try:
        implementation_actions.conclude_review(
            project=project, action=request.POST.get("action", ""), reason=request.POST.get("reason", ""),
            by=request.user, data=file.read() if file else None, filename=file.name if file else "",
            expected_version=int_param(request.POST, "version"),
        )
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        return web.respond(request, project, error=str(exc))
    return web.respond(request, project, ok=_("复审结论已记录"))


urlpatterns = [
    path("standards/<str:slug>/feedback/", feedback, name="feedback"),
    path("standards/<str:slug>/feedback/captcha/", feedback_captcha, name="feedback-captcha"),
    path("standards/<str:slug>/timeline/", timeline, name="timeline"),
    path("standards/<str:slug>/timeline.atom", timeline_feed, name="timeline-feed"),
    path("lifecycle/feedback/", feedback_list, name="feedback-list"),
    path("lifecycle/feedback/<int:pk>/respond/", feedback_respond, name="feedback-respond"),
    path("lifecycle/feedback/<int:pk>/review/", feedback_review, name="feedback-review"),
    path("lifecycle/reviews/", reviews, name="reviews"),
    path("lifecycle/reviews/export.xlsx", reviews_export, name="reviews-export"),
    path("lifecycle/evaluations/", evaluations, name="evaluations"),
    path("lifecycle/projects/<str:code>/evaluation/score/", evaluation_score, name="evaluation-score"),
    path("lifecycle/projects/<str:code>/evaluation/submit/", evaluation_submit, name="evaluation-submit"),
    path("lifecycle/projects/<str:code>/evaluation/review/", evaluation_review, name="evaluation-review"),
    path("lifecycle/projects/<str:code>/references/", reference_add, name="reference-add"),
    path("lifecycle/projects/<str:code>/references/refresh/", references_refresh, name="references-refresh"),
    path("lifecycle/projects/<str:code>/references/<int:pk>/delete/", reference_remove, name="reference-remove"),
    path("lifecycle/projects/<str:code>/review/conclude/", review_conclude, name="review-conclude"),
]
