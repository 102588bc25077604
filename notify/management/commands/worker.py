"""`yuebiao worker`: run the background tasks (notice mail) queued in the database, through django-tasks-db, and
the daily jobs (anchor, reminders, reviews due, statuses; notify/daily.py) at their time, so no cron is needed."""

from __future__ import annotations

import signal

from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from notify import daily

_SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s is not None]


class Command(DbWorkerCommand):
    help = "运行后台任务（发送通知邮件等）和每日任务（锚定、到期提醒、复审、状态更新）；--once 处理完队列中的任务后退出"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--once", action="store_true", dest="batch",
                            help="处理完当前队列中的任务后退出（同 --batch），适合 cron 与测试")
        # No code reloading by default, even with DEBUG: `make run` serves with --noreload, and a reload
        # interrupts a message half sent. A two-second poll is quick enough for mail and light on SQLite.
        parser.add_argument("--no-daily", action="store_true",
                            help="不运行每日任务（另有 worker 负责时；同一天的任务本来也只会运行一次）")
        parser.add_argument("--daily", action="store_true",
                            help="与 --once 同用：先运行到期而尚未运行的每日任务")
        parser.add_argument("--daily-interval", type=float, default=60.0, help="检查每日任务是否到期的间隔（秒）")

    def handle(self, *args, **options):
        try:
            daily.run_at()
            daily.jobs()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        scheduler = None
        if options["batch"]:
            if options["daily"]:
                for run in daily.run_due():
                    self.stdout.write(f"每日任务 {run.job}（{run.day}）：{run.get_status_display()} "
                                      f"{run.result or run.error}")
        elif not options["no_daily"]:
            scheduler = daily.Scheduler(interval=options["daily_interval"])
            scheduler.start()
        # db_worker takes over SIGINT/SIGTERM; a batch run inside another program (tests, a script) gives them back.
        saved = {s: signal.getsignal(s) for s in _SIGNALS}
        try:
            return super().handle(*args, **options)
        finally:
            if scheduler is not None:
                scheduler.stop()
            for s, handler in saved.items():
                signal.signal(s, handler)
