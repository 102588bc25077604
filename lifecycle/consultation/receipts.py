"""The sender's receipt for a public comment (意见回执): its number within the draft and a private link to the answer.

A comment gets 第 N 条意见, counted within its draft (project), under the project's row lock that submit_comment
already holds; the unique (project, number) constraint is the last word, and a clash is retried. The private link
carries a random token (secrets.token_urlsafe) that is shown to the sender once; only its SHA-256 is stored. The
answer is shown to the public, and through the link, once the comment resolution table (意见汇总处理表) is final.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_noop

from lifecycle.models import LocalStandardProject, PublicComment
from lifecycle.transitions import Doc

TOKEN_BYTES = 24  # 32 URL-safe characters
NUMBER_ATTEMPTS = 5


def token_digest(token: str) -> str:
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def receipt_url(project: LocalStandardProject, token: str) -> str:
    return reverse("lifecycle:consultation-receipt", args=[project.code, token])


def highest_number(project_id: int) -> int:
    return PublicComment.objects.filter(project_id=project_id).aggregate(n=Max("number"))["n"] or 0


def issue_receipt(comment: PublicComment) -> str:
    """Number the new comment within its draft and give it a private link token; returns the token (shown once).

    Called inside submit_comment's transaction, with the project row locked (select_for_update), so two comments
    sent at the same instant are numbered one after the other; should the unique constraint still refuse a number
    (a database without row locks), the next one is tried in a savepoint.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    LocalStandardProject.objects.select_for_update().filter(pk=comment.project_id).first()
    for _attempt in range(NUMBER_ATTEMPTS):
        highest = highest_number(comment.project_id)
        try:
            with transaction.atomic():
                PublicComment.objects.filter(pk=comment.pk).update(number=highest + 1,
                                                                   receipt_digest=token_digest(token))
        except IntegrityError:
            continue
        comment.number, comment.receipt_digest = highest + 1, token_digest(token)
        comment.receipt_token = token  # type: ignore[attr-defined]  # for the page that answers this submission
        return token
    raise IntegrityError("could not number the comment within its draft")


def comment_for_receipt(code: str, token: str) -> PublicComment | None:
    """The comment whose private link this is, or None (a wrong token and a wrong draft look the same)."""
    if not token or len(token) > 100:
        return None
    return (PublicComment.objects.select_related("project")
            .filter(project__code=code, receipt_digest=token_digest(token)).first())


def final_table_at(project: LocalStandardProject):
    """When the comment resolution table was made final, or None.

    Final: a table is stored on the project (attach_comment_table refuses while any comment is unanswered) and no
    answer was changed after it was stored.
    """
    table = project.documents.filter(kind=Doc.COMMENT_TABLE).order_by("-version").only("uploaded_at").first()
    if table is None:
        return None
    if project.comments.filter(answered_at__gt=table.uploaded_at).exists():
        return None
    return table.uploaded_at


def status_label(comment: PublicComment, *, final: bool) -> str:
    """Where the comment stands, in the sender's words."""
    if final and comment.resolution:
        return gettext_noop("已答复（意见汇总处理表已定稿）")
    if comment.resolution:
        return gettext_noop("起草单位已处理，意见汇总处理表定稿后公布答复")
    return gettext_noop("已收到，等待起草单位处理")


def public_table(project: LocalStandardProject) -> list[dict]:
    """The final table's rows for the draft's public page: number, clause, comment, answer; no sender's name."""
    rows = []
    for c in project.comments.order_by("number", "id"):
        rows.append({"number": c.number, "clause": c.clause, "text": c.text, "proposal": c.proposal,
                     "resolution": c.resolution, "resolution_label": c.get_resolution_display(),
                     "response": c.response})
    return rows


def receipt_fields(comment: PublicComment) -> dict:
    """What the API adds to a submitted comment: its number within the draft and the private link (once)."""
    token = getattr(comment, "receipt_token", "")
    return {"number": comment.number,
            "receipt_url": receipt_url(comment.project, token) if token else ""}
