"""The worker's daily jobs: once per (job, day), made up at start, failures logged and retried, no double runs."""

from __future__ import annotations

import io
import threading
import time as clock
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from notify import daily
from notify.models import DailyRun

PROBE_RUNS: list[str] = []


def probe_job() -> dict:
    """A job added by one line of YUEBIAO_DAILY_JOBS, as the personal-data purge would be."""
    PROBE_RUNS.append("probe")
    return {"purged": 0}


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 12, day, hour, minute))


@pytest.mark.django_db
@override_settings(YUEBIAO_DAILY_AT="02:00")
def test_the_due_day_turns_at_the_daily_time():
    assert daily.due_day(_at(7, 1, 59)).isoformat() == "2026-12-06"
    assert daily.due_day(_at(7, 2, 0)).isoformat() == "2026-12-07"
    with override_settings(YUEBIAO_DAILY_AT="25:00"), pytest.raises(ValueError, match="YUEBIAO_DAILY_AT"):
        daily.due_day(_at(7, 3))


@pytest.mark.django_db
@override_settings(YUEBIAO_DAILY_AT="02:00")
def test_each_job_runs_once_a_day_in_the_registry_order():
    ran = []
    registry = {"first": lambda: ran.append("first") or 1, "second": lambda: ran.append("second") or {"n": 2}}
    runs = daily.run_due(_at(7, 3), registry=registry)
    assert ran == ["first", "second"] and [r.job for r in runs] == ["first", "second"]
    assert {(r.job, r.status, r.result) for r in DailyRun.objects.all()} == {
        ("first", "done", "1"), ("second", "done", '{"n": 2}')}
    assert daily.run_due(_at(7, 23), registry=registry) == [] and len(ran) == 2  # a restart the same day
    daily.run_due(_at(8, 1), registry=registry)  # before 02:00 the 7th's runs are the due ones: done
    assert len(ran) == 2
    daily.run_due(_at(8, 2, 1), registry=registry)
    assert ran == ["first", "second"] * 2 and DailyRun.objects.filter(day="2026-12-08").count() == 2


@pytest.mark.django_db
@override_settings(YUEBIAO_DAILY_AT="02:00")
def test_a_failed_job_is_logged_does_not_stop_the_others_and_is_retried_next_tick(caplog):
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("数据库暂时不可用")
        return "ok"

    registry = {"flaky": flaky, "steady": lambda: "fine"}
    daily.run_due(_at(7, 3), registry=registry)
    failed = DailyRun.objects.get(job="flaky")
    assert failed.status == "failed" and "数据库暂时不可用" in failed.error and failed.finished_at is not None
    assert DailyRun.objects.get(job="steady").status == "done"
    assert "每日任务 flaky（2026-12-07）失败" in caplog.text
    runs = daily.run_due(_at(7, 3, 1), registry=registry)
    assert [r.job for r in runs] == ["flaky"]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error, failed.result) == ("done", 2, "", '"ok"')


@pytest.mark.django_db
@override_settings(YUEBIAO_DAILY_AT="02:00")
def test_a_run_left_running_by_a_dead_worker_is_taken_up_after_an_hour():
    ran = []
    DailyRun.objects.create(job="late", day="2026-12-07", started_at=_at(7, 2, 30))
    assert daily.run_due(_at(7, 3), registry={"late": lambda: ran.append(1)}) == []
    assert [r.attempts for r in daily.run_due(_at(7, 3, 31), registry={"late": lambda: ran.append(1)})] == [2]
    assert ran == [1]


@pytest.mark.django_db(transaction=True)
@override_settings(YUEBIAO_DAILY_AT="02:00")
def test_workers_ticking_at_the_same_moment_run_each_job_once():
    ran, errors = [], []
    registry = {"slow": lambda: clock.sleep(0.2) or ran.append("slow"), "quick": lambda: ran.append("quick")}
    barrier = threading.Barrier(4)

    def tick():
        try:
            barrier.wait()
            daily.run_due(_at(7, 3), registry=registry)
        except Exception as exc:  # noqa: BLE001 - a lock error would be this test's failure
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and sorted(ran) == ["quick", "slow"]
    assert DailyRun.objects.filter(status="done").count() == 2


@pytest.fixture
def worker(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(*extra: str) -> str:
        out = io.StringIO()
        call_command("worker", "--once", "--no-startup-delay", *extra, stdout=out, stderr=out)
        return out.getvalue()

    return run


@pytest.mark.django_db
def test_worker_once_daily_runs_the_registered_jobs_and_ends_with_an_anchor(worker):
    from trail.models import Anchor
    from trail.services import record

    assert "每日任务" not in worker() and not DailyRun.objects.exists()  # a plain batch run is the queue only
    from django.db import transaction

    with transaction.atomic():
        record("catalogue.standard:DB44-T-9-2026", actor=None, kind="edited", data={})
    out = worker("--daily")
    for job in ("refresh-status", "reviews-due", "remind", "personal-data-purge", "anchor"):
        assert f"每日任务 {job}" in out
    assert DailyRun.objects.filter(status="done").count() == 5
    anchor = Anchor.objects.get()
    from trail.models import Event

    # The anchor, last, covers every event there is, the one above and those the other jobs and fixtures wrote.
    assert anchor.events == Event.objects.count() >= 1 and anchor.root in out
    assert "每日任务" not in worker("--daily")  # the same day again: nothing runs twice
    assert Anchor.objects.count() == 1


@pytest.mark.django_db
def test_worker_refuses_a_bad_daily_configuration(worker):
    with override_settings(YUEBIAO_DAILY_AT="两点"), pytest.raises(CommandError, match="HH:MM"):
        worker("--daily")
    with override_settings(YUEBIAO_DAILY_JOBS={"purge": "notify.tests.test_daily.no_such_job"}), pytest.raises(
            CommandError, match="purge"):
        worker("--daily")


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_runs_a_job_added_by_one_setting_line():
    PROBE_RUNS.clear()
    jobs = {"personal-data-purge": "notify.tests.test_daily.probe_job"}
    with override_settings(YUEBIAO_DAILY_JOBS=jobs):
        scheduler = daily.Scheduler(interval=0.05)
        scheduler.start()
        deadline = clock.monotonic() + 20
        while not DailyRun.objects.filter(status="done").exists() and clock.monotonic() < deadline:
            clock.sleep(0.05)
        clock.sleep(0.3)  # several more ticks: none may run it again
        scheduler.stop()
        scheduler.join(10)
    assert not scheduler.is_alive()
    assert PROBE_RUNS == ["probe"]
    run = DailyRun.objects.get()
    assert (run.job, run.day, run.result) == ("personal-data-purge", daily.due_day(), '{"purged": 0}')
    assert run.day <= timezone.localdate() and run.day >= timezone.localdate() - timedelta(days=1)
