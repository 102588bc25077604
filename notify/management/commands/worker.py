"""`yuebiao worker`: run the background tasks (notice mail) queued in the database, through django-tasks-db."""

from __future__ import annotations

import signal

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

_SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s is not None]


class Command(DbWorkerCommand):
    help = "运行后台任务（发送通知邮件等）；--once 处理完队列中的任务后退出"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--once", action="store_true", dest="batch",
                            help="处理完当前队列中的任务后退出（同 --batch），适合 cron 与测试")
        # No code reloading by default, even with DEBUG: `make run` serves with --noreload, and a reload
        # interrupts a message half sent. A two-second poll is quick enough for mail and light on SQLite.
        parser.set_defaults(reload=False, interval=2.0)

    def handle(self, *args, **options):
        # db_worker takes over SIGINT/SIGTERM; a batch run inside another program (tests, a script) gives them back.
        saved = {s: signal.getsignal(s) for s in _SIGNALS}
        try:
            return super().handle(*args, **options)
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
