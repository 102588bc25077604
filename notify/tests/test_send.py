"""send() → notices after commit → one queued task → the worker mails them; rollbacks mail nothing."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from notify import services
from notify.models import Notice
from notify.tasks import deliver_notices

pytestmark = pytest.mark.django_db


class BouncingBackend(LocmemBackend):
    """Refuses any address at bounce.example, as an intranet relay refuses an unknown mailbox."""

    def send_messages(self, messages):
        for m in messages:
            if any(to.endswith("@bounce.example") for to in m.to):
                raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"no such user")})
        return super().send_messages(messages)


def _send(users, **extra):
    return services.send(users, kind="action_required", subject="请审核立项申请：荔枝干燥加工技术规程",
                         body="广州市局已提交立项申请，请在 10 个工作日内审核。", url="/projects/12/", **extra)


def test_rollback_leaves_no_notice_and_mails_nothing(person, run_worker, django_capture_on_commit_callbacks):
    wang = person("wang", "wang@gd.example")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _send([wang])
                assert Notice.objects.count() == 1
                raise RuntimeError("the use case failed after sending")
    assert callbacks == []
    assert Notice.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    run_worker()
    assert mail.outbox == []


def test_send_queues_one_task_and_the_worker_mails_each_address(
    person, run_worker, django_capture_on_commit_callbacks, settings
):
    settings.YUEBIAO_SITE_URL = "https://biaozhun.gd.example/"
    wang = person("wang", "wang@gd.example")
    li = person("li", "li@gd.example")
    zhao = person("zhao")  # no address: inbox only
    gone = person("gone", "gone@gd.example", active=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notices = _send([wang, li, zhao, gone, wang, li.pk])
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert sorted(n.recipient_id for n in notices) == sorted([wang.pk, li.pk, zhao.pk])
    assert Notice.objects.count() == 3
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "notify.tasks.deliver_notices"
    assert queued.args_kwargs["args"] == [sorted(n.pk for n in notices if n.recipient_id != zhao.pk)]
    assert mail.outbox == [], "nothing is mailed before the worker runs"

    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == ["li@gd.example", "wang@gd.example"]
    message = next(m for m in mail.outbox if m.to == ["wang@gd.example"])
    assert message.subject == "【粤标】请审核立项申请：荔枝干燥加工技术规程"
    assert message.from_email == "粤标 <noreply@yuebiao.local>"
    to_wang = Notice.objects.get(recipient=wang)
    assert f"https://biaozhun.gd.example/inbox/{to_wang.pk}/open/" in message.body
    assert "10 个工作日内审核" in message.body
    assert to_wang.emailed_at is not None and to_wang.email_error == ""
    assert Notice.objects.get(recipient=zhao).emailed_at is None
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == {"sent": 2, "failed": 0, "skipped": 0}


def test_a_recipient_without_an_address_gets_the_notice_and_no_task(person, django_capture_on_commit_callbacks):
    zhao = person("zhao")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (notice,) = _send([zhao])
    assert callbacks == []
    assert DBTaskResult.objects.count() == 0
    assert notice.recipient == zhao and notice.read_at is None


def test_email_false_keeps_it_in_the_inbox(person, django_capture_on_commit_callbacks):
    wang = person("wang", "wang@gd.example")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _send([wang], email=False)
    assert callbacks == [] and Notice.objects.filter(recipient=wang).count() == 1


def test_one_refused_address_does_not_lose_the_others(person, settings):
    settings.EMAIL_BACKEND = "notify.tests.test_send.BouncingBackend"
    users = [person("a", "a@gd.example"), person("b", "b@bounce.example"), person("c", "c@gd.example")]
    notices = _send(users)
    result = deliver_notices.call([n.pk for n in notices])
    assert result == {"sent": 2, "failed": 1, "skipped": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@gd.example", "c@gd.example"]
    bounced = Notice.objects.get(recipient__username="b")
    assert bounced.emailed_at is None and "SMTPRecipientsRefused" in bounced.email_error
    assert Notice.objects.filter(emailed_at__isnull=False).count() == 2
    # Delivering again (a retry) mails only what was not mailed.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_notices.call([n.pk for n in notices]) == {"sent": 1, "failed": 0, "skipped": 0}
    assert len(mail.outbox) == 3
    bounced.refresh_from_db()
    assert bounced.emailed_at is not None and bounced.email_error == ""


def test_send_refuses_links_off_the_site_and_flattens_subjects(person):
    wang = person("wang")
    for bad in ("https://evil.example/", "//evil.example/", "projects/12/", "/\\evil.example"):
        with pytest.raises(ValueError):
            services.send([wang], kind="deadline", subject="x", body="", url=bad)
    with pytest.raises(ValueError):
        services.send([wang], kind="deadline", subject=" \n ", body="")
    (notice,) = services.send(wang, kind="deadline", subject="征求意见\r\nBcc: x@evil.example 即将截止", body="")
    assert notice.subject == "征求意见 Bcc: x@evil.example 即将截止"
    assert services.send([], kind="deadline", subject="无人", body="") == []


def test_mark_read_unread_count_and_inbox(person):
    wang, li = person("wang"), person("li")
    mine = [services.send([wang], kind="deadline", subject=f"提醒 {i}", body="")[0] for i in range(25)]
    services.send([li], kind="deadline", subject="别人的", body="")
    assert services.unread_count(wang) == 25
    assert services.mark_read(user=wang, notice_ids=[mine[0].pk, mine[1].pk]) == 2
    assert services.mark_read(user=li, notice_ids=[mine[2].pk]) == 0, "someone else's notice is left alone"
    assert services.unread_count(wang) == 23
    first = services.inbox(wang)
    assert first.paginator.count == 25 and len(first.object_list) == 20
    assert list(services.inbox(wang, page=2).object_list)[-1].pk == mine[0].pk
    assert services.inbox(wang, unread_only=True).paginator.count == 23
    assert services.inbox(wang, page="x").number == 1
    assert services.mark_read(user=wang) == 23 and services.unread_count(wang) == 0


@pytest.mark.django_db(transaction=True)
def test_real_commit_and_rollback(person, run_worker):
    """Without a test transaction around it: a commit queues the mail, a rollback does not, and outside any
    transaction send() queues at once."""
    wang = person("wang", "wang@gd.example")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            _send([wang])
            raise RuntimeError
    assert Notice.objects.count() == 0 and DBTaskResult.objects.count() == 0
    with transaction.atomic():
        _send([wang])
        assert DBTaskResult.objects.count() == 0, "queued only once the transaction commits"
    assert DBTaskResult.objects.count() == 1
    _send([wang])
    assert DBTaskResult.objects.count() == 2
    run_worker()
    assert len(mail.outbox) == 2 and Notice.objects.filter(emailed_at__isnull=True).count() == 0
