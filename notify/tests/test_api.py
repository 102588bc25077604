"""The notices API: only the caller's own notices, marking read, and every operation declaring its access."""

from __future__ import annotations

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from notify import services
from notify.api import router

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return TestClient(router)


def test_list_and_mark_read(api, person):
    wang, li = person("wang"), person("li")
    mine = [services.send([wang], kind="deadline", subject=f"提醒{i}", body="", url="/inbox/")[0] for i in range(3)]
    theirs = services.send([li], kind="deadline", subject="李的", body="")[0]
    body = api.get("/", user=wang).json()
    assert body["total"] == 3 and body["unread"] == 3 and body["pages"] == 1
    assert [n["subject"] for n in body["items"]] == ["提醒2", "提醒1", "提醒0"]
    assert body["items"][0]["kind_label"] == "期限提醒" and body["items"][0]["read_at"] is None
    response = api.post("/read", json={"ids": [mine[0].pk, theirs.pk]}, user=wang)
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 2}
    assert api.get("/?unread_only=true", user=wang).json()["total"] == 2
    assert api.post("/read", json={}, user=wang).json() == {"marked": 2, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_signed_out_callers_get_401(api):
    assert api.get("/").status_code == 401
    assert api.post("/read", json={}).status_code == 401


def test_every_operation_declares_its_access():
    # A throwaway API, so this holds whether or not yuebiao/api.py has mounted the router yet.
    probe = NinjaAPI(urls_namespace="notify-probe")
    probe.add_router("/notices", router)
    schema = probe.get_openapi_schema(path_prefix="")
    ops = [op for methods in schema["paths"].values() for op in methods.values()]
    assert len(ops) == 2
    assert all(op["x-yuebiao-access"] == "authenticated" for op in ops)
