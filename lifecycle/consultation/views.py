"""Pages of public consultation (征求意见): the open drafts, the comment form, the drafter's answers, the table."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import access, public
from accounts.roles import Action as AccountAction
from lifecycle import access as lifecycle_access
from lifecycle import errors, outline, web
from lifecycle.consultation import actions as consultation_actions
from lifecycle.consultation import queries as consultation_queries
from lifecycle.consultation import receipt_views
from lifecycle.models import LocalStandardProject, PublicComment
from lifecycle.personal_data import may_see_comment_contacts
from lifecycle.transitions import DOC_LABELS, STATE_LABELS, Doc, State
from yuebiao.proxy import client_address

COMMENTS_PER_PAGE = 100
_FIELDS = ("clause", "text", "proposal", "author_name", "author_organisation", "contact")


def _public_project(code: str) -> LocalStandardProject:
    """A project the public may look at: one that is, or was, out for comment."""
    project = LocalStandardProject.objects.filter(code=code, consultation_opened_on__isnull=False).first()
    if project is None:
        project = LocalStandardProject.objects.filter(code=code, state=State.CONSULTATION).first()
    if project is None:
        raise Http404(_("没有这个征求意见项目"))
    return project


@public
@require_GET
def consultations(request):
    today = timezone.localdate()
    rows = [{"project": p, "days_left": consultation_queries.days_left(p, today), "open": consultation_queries.is_open(p, today)}
            for p in consultation_queries.open_consultations(today)]
    return render(request, "lifecycle/consultation/list.html", {"rows": rows, "today": today})


def _captcha_context(request) -> dict:
    # ?captcha=text: the non-visual alternative, the sum written as a Chinese sentence (no picture).
    text = "text" in (request.GET.get("captcha"), request.POST.get("captcha_mode"))
    challenge = consultation_actions.issue_captcha(request.session, text=text)
    return {"captcha_id": challenge.id, "captcha_svg": mark_safe(challenge.svg),  # noqa: S308 - drawn by our code
            "captcha_text": challenge.text, "captcha_text_en": challenge.text_en, "captcha_minutes": consultation_actions.CAPTCHA_TTL_SECONDS // 60}


def _detail_context(request, project, *, values=None, error="", field="") -> dict:
    documents = consultation_queries.public_documents(project) if project.state == State.CONSULTATION else {}
    user = request.user
    values = values or {}
    if user.is_authenticated and not values:
        values = {"author_name": str(user), "author_organisation": getattr(user.organisation, "name", "") or ""}
    mine = []
    if user.is_authenticated:
        own = project.comments.filter(user=user).select_related("answered_by").order_by("-submitted_at")[:50]
        mine = [consultation_queries.comment_view(c, show_contact=True) for c in own]
    context = {
        "project": project, "documents": [
            {"kind": kind, "label": DOC_LABELS[Doc(kind)][0], "doc": documents[kind],
             "url": reverse("lifecycle:consultation-document", args=[project.code, kind])}
            for kind in (d.value for d in consultation_queries.PUBLIC_DOCS) if kind in documents
        ],
        "clauses": consultation_queries.draft_clauses(project, documents) if documents else None,
        "open": consultation_queries.is_open(project), "in_consultation": project.state == State.CONSULTATION,
        "days_left": consultation_queries.days_left(project), "comment_count": project.comments.count(),
        "values": values, "error": error, "error_field": field, "mine": mine,
        "limits": {"text": consultation_actions.MAX_TEXT_CHARS, "proposal": consultation_actions.MAX_PROPOSAL_CHARS, "name": consultation_actions.MAX_NAME_CHARS,
                   "organisation": consultation_actions.MAX_ORGANISATION_CHARS, "contact": consultation_actions.MAX_CONTACT_CHARS,
                   "clause": outline.MAX_CLAUSE_CHARS},
        "rate_limits": [(int(w.total_seconds() // 60), n) for w, n in consultation_actions.RATE_LIMITS],
        "needs_captcha": not user.is_authenticated,
        **receipt_views.public_table_context(project),
    }
    clause = values.get("clause", "")
    numbers = {c["number"] for c in context["clauses"] or ()}
    context["clause_other"] = clause if clause and numbers and clause not in numbers else ""
    if context["open"] and context["needs_captcha"]:
        context.update(_captcha_context(request))
    return context


@public
@require_http_methods(["GET", "POST"])
def consultation(request, code: str):
    project = _public_project(code)
    if request.method == "GET":
        return render(request, "lifecycle/consultation/detail.html", _detail_context(request, project))
    values = {k: request.POST.get(k, "") for k in _FIELDS}
    if values["clause"] == "__other__":
        values["clause"] = request.POST.get("clause_other", "")
    status, error, field, retry_after = 400, "", "", 0
    try:
        comment = consultation_actions.send_comment(
            project=project, fields=values, user=request.user, address=client_address(request),
            session=request.session, captcha_id=request.POST.get("captcha_id"),
            captcha_answer=request.POST.get("captcha_answer"))
    except errors.RateLimited as exc:
        status, error, retry_after = 429, str(exc), exc.retry_after
    except errors.CommentRefused as exc:
        error, field = str(exc), exc.field
    except errors.LifecycleError as exc:
        error = str(exc)
    else:
        return receipt_views.after_submit(request, project, comment)
    # The oversized text is not sent back into the page: what was refused is not worth 100,000 characters again.
    if len(values["text"]) > consultation_actions.MAX_TEXT_CHARS:
        values["text"] = ""
    if len(values["proposal"]) > consultation_actions.MAX_PROPOSAL_CHARS:
        values["proposal"] = ""
    response = render(request, "lifecycle/consultation/detail.html",
                      _detail_context(request, project, values=values, error=error, field=field), status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


@public
@require_GET
def consultation_captcha(request, code: str):
    """A fresh challenge (换一题), as the form's captcha fragment for HTMX."""
    project = _public_project(code)
    return render(request, "lifecycle/consultation/_captcha.html", {"project": project, **_captcha_context(request)})


@public
@require_GET
def consultation_document(request, code: str, kind: str):
    """The draft for comment or the explanatory report, for anyone, only while the project is in consultation."""
    project = get_object_or_404(LocalStandardProject, code=code)
    doc = consultation_queries.public_document(project, kind)
    if doc is None:
        raise Http404(_("这份文件不公开，或征求意见已结束"))
    response = FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.filename)
    response["X-Content-SHA256"] = doc.sha256
    return response


# ---------------------------------------------------------------------------------------------------------------
# The drafter's side.


@access(AccountAction.LIFECYCLE_WORK)
@require_GET
def comments(request, code: str):
    project = web.project_or_404(request, code)
    roles = lifecycle_access.project_roles(request.user, project)
    show = request.GET.get("show", "")
    qs = consultation_queries.project_comments(project, unanswered_only=show == "unanswered")
    page = Paginator(qs, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    answerer = consultation_queries.may_answer(roles)
    show = may_see_comment_contacts(request.user, project)
    labels = {} if show else consultation_queries.project_sender_labels(project)
    rows = [consultation_queries.comment_view(c, show_contact=show, labels=labels) for c in page.object_list]
    return render(request, "lifecycle/consultation/comments.html", {
        "project": project, "rows": rows, "page": page, "show": show, "counts": consultation_queries.comment_counts(project),
        "may_answer": answerer and project.state in consultation_queries.ANSWER_STATES, "may_attach": answerer
        and project.state == State.RESOLUTION, "resolutions": PublicComment.Resolution.choices,
        "table_urls": [(fmt, reverse("lifecycle:comment-table", args=[project.code, fmt]))
                       for fmt in consultation_queries.TABLE_FORMATS],
        "answer_states": "、".join(STATE_LABELS[s][0] for s in consultation_queries.ANSWER_STATES),
    })


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def answer(request, code: str, pk: int):
    project = web.project_or_404(request, code)
    comment = get_object_or_404(PublicComment.objects.select_related("answered_by"), pk=pk, project=project)
    roles = lifecycle_access.project_roles(request.user, project)
    if not consultation_queries.may_answer(roles):
        raise PermissionDenied(_("只有该项目的起草单位或省局标准化处可以答复意见"))
    error, status = "", 200
    try:
        comment = consultation_actions.answer_comment(comment=comment, resolution=request.POST.get("resolution", ""),
                                     response=request.POST.get("response", ""), by=request.user,
                                     expected_answered_at=request.POST.get("token"))
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.StaleAnswer as exc:
        error, status = str(exc), 409
        comment.refresh_from_db()
    except errors.LifecycleError as exc:
        error, status = str(exc), 400
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("第 %(n)s 条意见已答复") % {"n": comment.number or comment.pk})
        return redirect(reverse("lifecycle:comments", args=[project.code]) + f"#comment-{comment.pk}")
    show = may_see_comment_contacts(request.user, project)
    row = consultation_queries.comment_view(comment, show_contact=show, labels={} if show else consultation_queries.project_sender_labels(project))
    if error and status == 400:
        # Keep what the drafter typed so the reason is not lost with the error.
        row = {**row, "draft_resolution": request.POST.get("resolution", ""),
               "draft_response": request.POST.get("response", "")[: consultation_actions.MAX_RESPONSE_CHARS]}
    return render(request, "lifecycle/consultation/_comment.html", {
        "project": project, "c": row, "may_answer": project.state in consultation_queries.ANSWER_STATES, "error": error,
        "resolutions": PublicComment.Resolution.choices, "just_saved": not error,
        "oob_counts": consultation_queries.comment_counts(project),
    }, status=status)


@access(AccountAction.LIFECYCLE_WORK)
@require_GET
def comment_table(request, code: str, fmt: str):
    project = web.project_or_404(request, code)
    if fmt not in consultation_queries.TABLE_FORMATS:
        raise Http404(_("只能导出为 xlsx、docx 或 pdf"))
    data, content_type, filename = consultation_queries.comment_table(project, fmt,
                                                     show_contacts=may_see_comment_contacts(request.user, project))
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@access(AccountAction.LIFECYCLE_WORK)
@require_POST
def attach_table(request, code: str):
    project = web.project_or_404(request, code)
    try:
        doc = consultation_actions.attach_comment_table(project=project, by=request.user)
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except errors.LifecycleError as exc:
        messages.error(request, str(exc))
        status = 400
    else:
        messages.success(request, _("意见汇总处理表已生成并附于项目文件（第 %(v)s 版）") % {"v": doc.version})
        status = 200
    target = request.POST.get("next") or project.get_absolute_url()
    if not target.startswith("/") or target.startswith("//"):
        target = project.get_absolute_url()
    if request.htmx:
        response = HttpResponse(status=status)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


urlpatterns = [
    path("consultations/", consultations, name="consultations"),
    path("consultations/<str:code>/", consultation, name="consultation"),
    *receipt_views.urlpatterns,
    path("consultations/<str:code>/captcha/", consultation_captcha, name="consultation-captcha"),
    path("consultations/<str:code>/documents/<str:kind>/", consultation_document, name="consultation-document"),
    path("lifecycle/projects/<str:code>/comments/", comments, name="comments"),
    path("lifecycle/projects/<str:code>/comments/<int:pk>/answer/", answer, name="comment-answer"),
    path("lifecycle/projects/<str:code>/comments/table.<str:fmt>", comment_table, name="comment-table"),
    path("lifecycle/projects/<str:code>/comments/attach/", attach_table, name="comment-table-attach"),
]
