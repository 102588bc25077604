"""Pages of the sender's receipt (意见回执): the confirmation after sending a comment, and the private link page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import public
from lifecycle.consultation import receipts
from lifecycle.models import LocalStandardProject, PublicComment


def after_submit(request, project: LocalStandardProject, comment: PublicComment):
    """Send the sender to the receipt, where the confirmation is the first thing on the page (and takes focus)."""
    token = getattr(comment, "receipt_token", "")
    return redirect(receipts.receipt_url(project, token) + "?sent=1")


def public_table_context(project: LocalStandardProject) -> dict:
    """The final comment resolution table for the draft's public page (empty until it is final)."""
    final_at = receipts.final_table_at(project) if project.consultation_opened_on else None
    return {"final_table_at": final_at, "final_table": receipts.public_table(project) if final_at else []}


@public
@require_GET
def receipt(request, code: str, token: str):
    """The comment, where it stands, and the answer once the resolution table is final; no account needed.

    Anyone with the link may read it (it is the sender's receipt); a wrong token answers 404, like a wrong draft.
    """
    comment = receipts.comment_for_receipt(code, token)
    if comment is None:
        raise Http404(_("没有这份意见回执：链接不完整或有误"))
    project = comment.project
    final = receipts.final_table_at(project) is not None
    response = render(request, "lifecycle/consultation/receipt.html", {
        "project": project, "comment": comment, "final": final, "sent": request.GET.get("sent") == "1",
        "status": _(receipts.status_label(comment, final=final)),
        "link": request.build_absolute_uri(receipts.receipt_url(project, token)),
    })
    # The link is the key: keep it out of caches, search engines and other sites' Referer headers.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("consultations/<str:code>/receipts/<str:token>/", receipt, name="consultation-receipt"),
]
