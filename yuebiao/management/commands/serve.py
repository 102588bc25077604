"""`yuebiao serve`: the production web server (gunicorn with the repository's gunicorn.conf.py)."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yuebiao.deployment import serving_refusal


class Command(BaseCommand):
    help = "以生产方式提供服务（gunicorn，进程数见 YUEBIAO_WEB_WORKERS）。Serve with gunicorn (gunicorn.conf.py)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="地址:端口（默认 YUEBIAO_BIND 或 127.0.0.1:8000）")

    def handle(self, *args, bind=None, **options):
        if refusal := serving_refusal():
            raise CommandError(refusal)
        argv = [sys.executable, "-m", "gunicorn", "-c", str(settings.BASE_DIR / "gunicorn.conf.py")]
        if bind:
            argv += ["--bind", bind]
        os.execv(sys.executable, [*argv, "yuebiao.wsgi:application"])
