"""A comparison runs on the worker: the page shows queued → running → done (with the link) or failed (why)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from compare import actions, tasks
from compare.models import Comparison
from compare.tests.conftest import A_NUMBER, B_NUMBER, local_doc, national_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(catalogued):
    return catalogued(A_NUMBER, "示例工业大气污染物排放标准", local_doc(so2=300)), catalogued(
        B_NUMBER, "示例工业大气污染物排放标准", national_doc())


@pytest.fixture
def queue_only(settings):
    """Tasks are queued and not run, as when the worker has not come round to them yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_the_page_shows_the_progress_then_links_the_report(client, pair, enterprise_user, queue_only):
    client.force_login(enterprise_user)
    response = client.post(reverse("compare:home"), {"a_number": A_NUMBER, "b_number": B_NUMBER})
    c = Comparison.objects.get()
    assert response.status_code == 302 and response["Location"] == c.get_absolute_url()
    assert c.status == Comparison.Status.QUEUED and c.report == {}
    page = client.get(c.get_absolute_url()).content.decode()
    assert "排队中" in page and 'hx-trigger="every 2s"' in page and reverse("compare:status", args=[c.key]) in page
    assert client.get(reverse("compare:export-xlsx", args=[c.key])).status_code == 409

    steps = []
    tasks.run(c.pk, progress=lambda step, per_cent: steps.append((step, per_cent)))
    assert [p for _, p in steps] == sorted(p for _, p in steps) and steps[-1] == ("完成", 100)
    fragment = client.get(reverse("compare:status", args=[c.key]), HTTP_HX_REQUEST="true").content.decode()
    assert "比对完成" in fragment and f'href="{c.get_absolute_url()}"' in fragment and "hx-trigger" not in fragment
    assert 'id="unlawful"' in client.get(c.get_absolute_url()).content.decode()


def test_a_running_comparison_shows_its_step_and_per_cent(client, pair, enterprise_user, queue_only):
    client.force_login(enterprise_user)
    client.post(reverse("compare:home"), {"a_number": A_NUMBER, "b_number": B_NUMBER})
    Comparison.objects.update(status=Comparison.Status.RUNNING, step="比对限值", progress=60)
    c = Comparison.objects.get()
    fragment = client.get(reverse("compare:status", args=[c.key])).content.decode()
    assert "比对限值" in fragment and "60%" in fragment and 'value="60"' in fragment and "hx-trigger" in fragment


def test_a_failed_comparison_says_why_in_chinese(client, pair, enterprise_user, queue_only, monkeypatch):
    client.force_login(enterprise_user)
    client.post(reverse("compare:home"), {"a_number": A_NUMBER, "b_number": B_NUMBER})
    c = Comparison.objects.get()

    def broken(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(tasks, "compare_documents", broken)
    assert tasks.run(c.pk)["status"] == "failed"
    c.refresh_from_db()
    assert c.status == Comparison.Status.FAILED and "比对过程中出错" in c.failure and c.report == {}
    fragment = client.get(reverse("compare:status", args=[c.key])).content.decode()
    assert "比对失败" in fragment and "比对过程中出错" in fragment and "hx-trigger" not in fragment
    # asking again does not give back the failed comparison: it is compared anew
    monkeypatch.undo()
    again = actions.compare_sides(*_sides(), by=enterprise_user)
    assert again.pk != c.pk and again.status == Comparison.Status.DONE


def _sides():
    from compare import services

    return services.side_from_catalogue(A_NUMBER), services.side_from_catalogue(B_NUMBER)


def test_the_api_answers_202_with_the_id_and_a_status_url(client, pair, officer, queue_only):
    client.force_login(officer)
    response = client.post("/api/compare/", {"a_number": A_NUMBER, "b_number": B_NUMBER})
    assert response.status_code == 202, response.content
    body = response.json()
    c = Comparison.objects.get()
    assert body["id"] == c.pk and body["status"] == "queued" and body["report"] == {}
    assert body["status_url"] == f"http://testserver/api/compare/{c.key}/status"
    assert client.get(f"/api/compare/{c.key}/export").status_code == 409
    tasks.run(c.pk)
    status = client.get(body["status_url"]).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["url"].endswith(c.get_absolute_url())


def test_the_worker_runs_a_queued_comparison(client, pair, enterprise_user, settings, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # keep the test's transaction
    client.force_login(enterprise_user)
    client.post(reverse("compare:home"), {"a_number": A_NUMBER, "b_number": B_NUMBER})
    assert Comparison.objects.get().status == Comparison.Status.QUEUED
    call_command("worker", "--once", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    c = Comparison.objects.get()
    assert c.status == Comparison.Status.DONE and c.unlawful_count == 1


def test_the_command_line_runs_inline_and_prints_the_steps(pair, officer, capsys):
    from compare.cli import main

    assert main([A_NUMBER, B_NUMBER, "--save", officer.username]) == 0
    err = capsys.readouterr().err
    assert "比对限值" in err and "[100%] 完成" in err
    assert Comparison.objects.get().status == Comparison.Status.DONE
