"""The use cases of notify: `send` a notice to users (mailed after commit), read the inbox, mark notices read."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.utils import timezone

from notify.models import Notice
from yuebiao.messages import stored_fields

PAGE_SIZE = 20


def _user_ids(recipients: Iterable[Any]) -> set[int]:
    if hasattr(recipients, "pk"):
        recipients = [recipients]
    ids = set()
    for r in recipients:
        pk = getattr(r, "pk", r)
        if pk is not None:
            ids.add(int(pk))
    return ids


def _one_line(text: str) -> str:
    # A line break in a mail subject is a header injection; Django would refuse the whole message.
    return " ".join(str(text).split())


def send(
    recipients: Iterable[Any], *, kind: str, subject: str, body: str, url: str = "", email: bool = True
) -> list[Notice]:
    """Give each distinct active recipient (users or their ids) a notice; mail it after the transaction commits.

    `subject` and `body` are Chinese text, or yuebiao.messages.Message (Chinese text that keeps its message id and
    parameters): then the notice keeps those too and the inbox shows it in the reader's language.
    Call it inside the use case's transaction: if that rolls back, no notice exists and nothing is mailed.
    """
    message = {**stored_fields("subject", subject), **stored_fields("body", body)}
    limit = Notice._meta.get_field("subject").max_length
    subject = _one_line(subject)[:limit] if message else _one_line(subject)  # a long title in a Message: cut
    if not subject:
        raise ValueError("通知标题不能为空")
    if len(subject) > limit:
        raise ValueError("通知标题过长（最多 200 字）")
    if not kind or len(kind) > Notice._meta.get_field("kind").max_length:
        raise ValueError("通知类型应为不超过 40 个字符的代码")
    # Only a path on this site: the inbox redirects to it, and an absolute URL there would be an open redirect.
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValueError("通知链接应为本站相对路径，例如 /projects/12/")

    ids = _user_ids(recipients)
    if not ids:
        return []
    users = list(get_user_model().objects.filter(pk__in=ids, is_active=True).only("pk", "email").order_by("pk"))
    now = timezone.now()
    notices = Notice.objects.bulk_create(
        [Notice(recipient=u, kind=kind, subject=subject, body=str(body), url=url, created_at=now, message=message) for u in users]
    )
    to_mail = [n.pk for n, u in zip(notices, users) if email and u.email]
    if to_mail:
        from notify.tasks import deliver_notices

        # robust: the notices are already committed; a queue hiccup must not turn the user's request into a 500.
        transaction.on_commit(partial(deliver_notices.enqueue, to_mail), robust=True)
    return notices


def mark_read(*, user, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notices read (all of them when `notice_ids` is None); others' ids are ignored."""
    notices = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=list(notice_ids))
    return notices.update(read_at=timezone.now())


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user, *, unread_only: bool = False, page: int | str = 1) -> Page:
    """One page of the user's notices, newest first; a page number out of range gives the nearest page."""
    notices = Notice.objects.filter(recipient=user).defer("email_error")
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return Paginator(notices.order_by("-created_at", "-id"), PAGE_SIZE).get_page(page)
