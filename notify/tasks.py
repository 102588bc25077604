"""Background work of notify (run by `yuebiao worker`): mailing notices, one message per notice."""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from notify.models import Notice

logger = logging.getLogger("yuebiao.notify")
SUBJECT_PREFIX = "【粤标】"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """Where people reach the platform, for links in mail: a worker has no request to take the host from."""
    # The setting wins; until settings.py reads the variable itself, the environment is read here.
    url = getattr(settings, "YUEBIAO_SITE_URL", None) or os.environ.get("YUEBIAO_SITE_URL") or DEFAULT_SITE_URL
    return url.rstrip("/")


def message_for(notice: Notice, connection=None) -> EmailMessage:
    site = site_url()
    # The link goes through the inbox so that following it from the mail marks the notice read too.
    context = {
        "notice": notice,
        "name": str(notice.recipient),
        "link": site + reverse("notify:open", args=[notice.pk]),
        "inbox": site + reverse("notify:inbox"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("notify/email/notice.txt", context)
    return EmailMessage(
        subject=SUBJECT_PREFIX + notice.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.recipient.email],
        connection=connection,
    )


@task()
def deliver_notices(notice_ids: list[int]) -> dict[str, int]:
    """Mail each notice not mailed yet; record emailed_at or the error on each, so one bad address loses no other."""
    notices = (
        Notice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    sent = failed = skipped = 0
    connection = get_connection(fail_silently=False)
    try:
        for notice in notices:
            if not notice.recipient.email or not notice.recipient.is_active:
                skipped += 1
                continue
            try:
                message_for(notice, connection).send()
            except Exception as exc:  # noqa: BLE001 - any failure of one message is recorded, the rest go on
                failed += 1
                notice.email_error = f"{type(exc).__name__}: {exc}"[:2000]
                notice.save(update_fields=["email_error"])
                logger.warning("通知 %s 邮件发送失败（%s）：%s", notice.pk, notice.recipient.email, exc)
                # An SMTP session may be unusable after a refusal; start the next message on a fresh one.
                connection.close()
                connection = get_connection(fail_silently=False)
            else:
                sent += 1
                notice.emailed_at = timezone.now()
                notice.email_error = ""
                notice.save(update_fields=["emailed_at", "email_error"])
    finally:
        connection.close()
    return {"sent": sent, "failed": failed, "skipped": skipped}
