"""Marking notices read: the inbox page and the API both go through `notify.services.mark_read`, and the same bad
requests (somebody else's notice, nobody signed in) change nothing whichever way they come."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notify import services
from notify.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_inboxes(person):
    wang, li = person("wang"), person("li")
    mine = services.send([wang], kind="deadline", subject="王的提醒", body="", url="/inbox/")[0]
    theirs = services.send([li], kind="deadline", subject="李的提醒", body="", url="/inbox/")[0]
    return wang, li, mine, theirs


def _unread(*notices: Notice) -> list[bool]:
    return [Notice.objects.get(pk=n.pk).read_at is None for n in notices]


def test_somebody_elses_notice_stays_unread_through_page_and_api(client, two_inboxes):
    wang, _li, mine, theirs = two_inboxes
    client.force_login(wang)
    page = client.post(reverse("notify:read", args=[theirs.pk]))
    api = client.post("/api/notices/read", {"ids": [theirs.pk]}, content_type="application/json")
    assert page.status_code == 404
    assert api.status_code == 200 and api.json()["marked"] == 0
    assert _unread(mine, theirs) == [True, True]


def test_signed_out_requests_are_refused_by_both_and_change_nothing(client, two_inboxes):
    _wang, _li, mine, theirs = two_inboxes
    page = client.post(reverse("notify:read", args=[mine.pk]))
    api = client.post("/api/notices/read", {"ids": [mine.pk]}, content_type="application/json")
    assert page.status_code == 302 and reverse("accounts:login") in page["Location"]
    assert api.status_code == 401
    assert _unread(mine, theirs) == [True, True]


def test_own_notice_is_marked_the_same_way_by_both(client, two_inboxes):
    wang, _li, mine, _theirs = two_inboxes
    second = services.send([wang], kind="deadline", subject="第二条", body="", url="/inbox/")[0]
    client.force_login(wang)
    assert client.post(reverse("notify:read", args=[mine.pk])).status_code == 302
    assert client.post("/api/notices/read", {"ids": [second.pk]},
                       content_type="application/json").json() == {"marked": 1, "unread": 0}
    assert _unread(mine, second) == [False, False]
