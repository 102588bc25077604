"""Daily jobs (每日任务) run by `yuebiao worker` itself, no cron: each once a day at YUEBIAO_DAILY_AT.

The jobs are a registry, the setting YUEBIAO_DAILY_JOBS ({name: "dotted.path.to.callable"}, run in that order);
a room adds its job with one line there. A run is claimed by inserting its (job, day) row, unique, so two workers
or a restart never run a job twice for a day; a failed run is logged and taken up again at the next tick.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from datetime import date, datetime, time, timedelta
from typing import Callable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from notify.models import DailyRun

logger = logging.getLogger("yuebiao.daily")

# A run still marked running this long after it started belongs to a worker that died: take it up again.
STALE_AFTER = timedelta(hours=1)


def run_at() -> time:
    """The local time (Asia/Shanghai) the daily jobs are due, from YUEBIAO_DAILY_AT ("HH:MM")."""
    text = str(getattr(settings, "YUEBIAO_DAILY_AT", "02:00")).strip()
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"YUEBIAO_DAILY_AT 应为 HH:MM 格式的时间（如 02:00），而不是 {text!r}") from exc


def jobs() -> dict[str, Callable[[], object]]:
    """The registered daily jobs, in the order they run (the anchor last, so it covers the others' events)."""
    out = {}
    for name, path in getattr(settings, "YUEBIAO_DAILY_JOBS", {}).items():
        try:
            out[name] = import_string(path)
        except ImportError as exc:
            raise ValueError(f"每日任务 {name} 的 {path} 无法导入：{exc}") from exc
    return out


def due_day(now: datetime | None = None) -> date:
    """The day whose run is due now: today once the daily time has passed, else yesterday (missed runs are made
    up at start)."""
    local = timezone.localtime(now or timezone.now())
    return local.date() if local.time() >= run_at() else local.date() - timedelta(days=1)


def claim(job: str, day: date, now: datetime) -> DailyRun | None:
    """Take the (job, day) run for this worker, or None when it is done or running elsewhere."""
    try:
        with transaction.atomic():
            return DailyRun.objects.create(job=job, day=day, started_at=now)
    except IntegrityError:
        pass
    # One conditional UPDATE: of two workers retrying at once, only one changes the row.
    retry = Q(status=DailyRun.Status.FAILED) | Q(status=DailyRun.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    taken = DailyRun.objects.filter(retry, job=job, day=day).update(
        status=DailyRun.Status.RUNNING, started_at=now, finished_at=None, attempts=F("attempts") + 1, error="")
    return DailyRun.objects.get(job=job, day=day) if taken else None


def _summary(value: object) -> str:
    if value is None or isinstance(value, (str, int, dict, list, bool)):
        return json.dumps(value, ensure_ascii=False, default=str)[:2000]
    return str(value)[:2000]


def run_due(now: datetime | None = None, *, registry: dict[str, Callable] | None = None) -> list[DailyRun]:
    """Run every daily job whose run for the due day is missing (or failed): the worker calls this each tick."""
    now = now or timezone.now()
    day = due_day(now)
    done = []
    for name, job in (jobs() if registry is None else registry).items():
        run = claim(name, day, now)
        if run is None:
            continue
        try:
            value = job()
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others or the worker
            logger.exception("每日任务 %s（%s）失败，下一轮重试", name, day)
            run.status, run.error = DailyRun.Status.FAILED, "".join(traceback.format_exception_only(exc)).strip()
        else:
            run.status, run.result = DailyRun.Status.DONE, _summary(value)
            logger.info("每日任务 %s（%s）完成：%s", name, day, run.result)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "result", "error", "finished_at"])
        done.append(run)
    return done


class Scheduler(threading.Thread):
    """The worker's daily-job clock: a tick at start, then every `interval` seconds, until stop()."""

    def __init__(self, interval: float = 60.0):
        super().__init__(name="daily-jobs", daemon=True)
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                run_due()
            except Exception:  # noqa: BLE001 - the database may be away for a moment; the next tick tries again
                logger.exception("每日任务调度出错，下一轮重试")
            finally:
                connection.close()  # this thread's own connection; a fresh one next tick
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
