"""The inbox as people use it: own notices only, unread first in the eye, HTMX marking, opening, the header badge."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from notify import services
from notify.models import Notice

pytestmark = pytest.mark.django_db


def _notice(user, subject="请审核立项申请", url="/search/?q=%E8%8D%94%E6%9E%9D", kind="action_required"):
    return services.send([user], kind=kind, subject=subject, body="请在 10 个工作日内处理。", url=url)[0]


def test_inbox_shows_only_my_notices_newest_first(client, person):
    wang, li = person("wang"), person("li")
    older = _notice(wang, "较早的通知")
    newer = _notice(wang, "较新的通知", kind="deadline")
    _notice(li, "李的通知")
    services.mark_read(user=wang, notice_ids=[older.pk])
    client.force_login(wang)
    html = client.get(reverse("notify:inbox")).content.decode()
    assert "李的通知" not in html
    assert html.index("较新的通知") < html.index("较早的通知")
    assert f'id="notice-{newer.pk}" class="inbox-item unread"' in html
    assert f'id="notice-{older.pk}" class="inbox-item"' in html
    assert "期限提醒" in html and "待办" in html
    assert reverse("notify:open", args=[newer.pk]) in html
    unread_only = client.get(reverse("notify:inbox") + "?unread=1").content.decode()
    assert "较新的通知" in unread_only and "较早的通知" not in unread_only


def test_empty_inbox_says_so(client, person):
    client.force_login(person("wang"))
    html = client.get(reverse("notify:inbox")).content.decode()
    assert "暂无通知" in html and "全部标为已读" not in html
    assert "没有未读通知" in client.get(reverse("notify:inbox") + "?unread=1").content.decode()


def test_inbox_pages(client, person):
    wang = person("wang")
    for i in range(23):
        _notice(wang, f"通知第{i:02d}条")
    client.force_login(wang)
    first = client.get(reverse("notify:inbox")).content.decode()
    assert first.count('class="inbox-item') == 20 and "第 1 / 2 页" in first and "?page=2" in first
    second = client.get(reverse("notify:inbox") + "?page=2").content.decode()
    assert second.count('class="inbox-item') == 3 and "通知第00条" in second
    assert client.get(reverse("notify:inbox") + "?page=99").status_code == 200


def test_anonymous_is_sent_to_log_in(client, person):
    notice = _notice(person("wang"))
    login = reverse("accounts:login")
    for url in (reverse("notify:inbox"), reverse("notify:open", args=[notice.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login)
    for url in (reverse("notify:read", args=[notice.pk]), reverse("notify:read-all")):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(login)
    assert Notice.objects.get().read_at is None


def test_nobody_opens_or_marks_someone_elses_notice(client, person):
    theirs = _notice(person("wang"))
    client.force_login(person("li"))
    assert client.get(reverse("notify:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notify:read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notify:read", args=[theirs.pk]), HTTP_HX_REQUEST="true").status_code == 404
    client.post(reverse("notify:read-all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_marks_read_and_goes_to_the_link(client, person):
    wang = person("wang")
    notice = _notice(wang)
    client.force_login(wang)
    response = client.get(reverse("notify:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None
    no_link = _notice(wang, url="")
    assert client.get(reverse("notify:open", args=[no_link.pk]))["Location"] == reverse("notify:inbox")
    # A row written around send() (admin, fixtures) with a link off the site still stays on the site.
    Notice.objects.filter(pk=no_link.pk).update(url="https://evil.example/")
    assert client.get(reverse("notify:open", args=[no_link.pk]))["Location"] == reverse("notify:inbox")


def test_mark_one_read_with_htmx_updates_the_item_and_the_badge(client, person):
    wang = person("wang")
    first, second = _notice(wang, "第一条"), _notice(wang, "第二条")
    client.force_login(wang)
    response = client.post(reverse("notify:read", args=[first.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notice-{first.pk}" class="inbox-item"' in html and "标为已读" not in html
    assert re.search(r'id="inbox-link"[^>]*hx-swap-oob="true"', html)
    assert '<span class="unread-badge"' in html and ">1</span>" in html
    assert '<span id="inbox-unread-total" class="count" hx-swap-oob="true">1</span>' in html
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    # Without JavaScript the same form posts and comes back to the inbox.
    response = client.post(reverse("notify:read", args=[second.pk]), {"unread": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("notify:inbox") + "?unread=1"
    assert services.unread_count(wang) == 0


def test_mark_all_read(client, person):
    wang = person("wang")
    for i in range(3):
        _notice(wang, f"通知{i}")
    client.force_login(wang)
    response = client.post(reverse("notify:read-all"), {"unread": "1", "page": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="inbox"')
    assert "没有未读通知" in html and 'hx-swap-oob="true"' in html and "unread-badge" not in html
    assert services.unread_count(wang) == 0
    _notice(wang)
    response = client.post(reverse("notify:read-all"))
    assert response.status_code == 302 and response["Location"] == reverse("notify:inbox")
    assert services.unread_count(wang) == 0
    assert client.get(reverse("notify:read-all")).status_code == 405


def test_header_shows_the_unread_count_to_signed_in_users_only(client, person):
    wang = person("wang")
    home = reverse("catalogue:home")
    assert 'id="inbox-link"' not in client.get(home).content.decode()
    client.force_login(wang)
    html = client.get(home).content.decode()
    assert 'id="inbox-link"' in html and "unread-badge" not in html
    for i in range(3):
        _notice(wang, f"通知{i}")
    html = client.get(home).content.decode()
    assert re.search(r'id="inbox-link"[^>]*>通知 <span class="unread-badge" title="3 条未读">3</span>', html)
    Notice.objects.bulk_create([Notice(recipient=wang, kind="deadline", subject=f"批量{i}") for i in range(100)])
    assert ">99+</span>" in client.get(home).content.decode()



def test_inbox_queries_do_not_grow_with_the_page(client, person, django_assert_max_num_queries):
    wang = person("wang")
    for i in range(20):
        _notice(wang, f"通知{i}")
    client.force_login(wang)
    client.get(reverse("notify:inbox"))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("notify:inbox")).status_code == 200


def test_a_notice_sent_as_a_message_reads_in_the_readers_language(client, person):
    """Subject and body given as Messages keep their Chinese text (mail, API, admin) and their message ids; the
    inbox renders them in the reader's language, the project's title marked as Chinese data. A notice stored as
    text only (older rows, other senders) shows as stored."""
    from yuebiao.messages import Message

    wang = person("wang")
    subject = Message("{code}《{title}》已超期，请尽快处理", code="DB-2026-001", title="荔枝种植规范")
    body = Message("项目 {code} 现处于“{state}”阶段，期限 {date}。", code="DB-2026-001", state=Message("起草"),
                   date="2026-12-31")
    notice = services.send([wang], kind="overdue", subject=subject, body=body, url="/")[0]
    notice.refresh_from_db()
    assert notice.subject == "DB-2026-001《荔枝种植规范》已超期，请尽快处理"
    assert notice.body == "项目 DB-2026-001 现处于“起草”阶段，期限 2026-12-31。"
    assert notice.message["subject_id"] == "{code}《{title}》已超期，请尽快处理"
    assert notice.message["body_params"]["state"]["message_id"] == "起草"
    _notice(wang, "旧式的通知")
    client.force_login(wang)
    assert "DB-2026-001《荔枝种植规范》已超期" in client.get(reverse("notify:inbox")).content.decode()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("notify:inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'DB-2026-001 “<span lang="zh">荔枝种植规范</span>” is overdue; please deal with it soon' in html
    assert "已超期" not in html and "旧式的通知" in html
