"""`yuebiao full-text NUMBER FILE`: attach a standard's full text (PDF or Word .docx), read and stored in this
process with its progress shown; the same job a page or the API puts on the worker."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from accounts.models import User
from catalogue import queries
from catalogue.full_text import request_full_text, run_full_text_job
from catalogue.models import FullTextJob
from catalogue.services import FullTextRefused


class Command(BaseCommand):
    help = "上传标准全文（PDF 或 Word .docx）：在本进程中读取条款结构并保存，显示进度。Attach a standard's full text."

    def add_arguments(self, parser):
        parser.add_argument("number", help="标准号或标识（如 DB44/ 2159—2019、DB44-2159-2019）")
        parser.add_argument("file")
        parser.add_argument("--user", "--as", dest="user", help="以该用户身份上传：按其权限检查，并记入追溯（不填则为系统）")

    def handle(self, *args, number, file, user, **options):
        path = Path(file)
        if not path.is_file():
            self._fail(f"找不到文件：{file}")
        std = queries.find_standard(number)
        if std is None:
            self._fail(f"目录中没有标准“{number}”")
        by = None  # the system, as for imports without --user
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                self._fail(f"没有用户“{user}”")
        started = time.monotonic()
        try:
            job = request_full_text(standard=std, data=path.read_bytes(), filename=path.name, by=by, queue=False)
        except FullTextRefused as exc:
            self._fail(str(exc))
        self.stdout.write(f"{std.number}：已检查文件类型与大小")
        job = run_full_text_job(job.pk, progress=lambda message: self.stdout.write(f"{std.number}：{message}"))
        if job.state != FullTextJob.State.DONE:
            sys.exit(1)
        self.stdout.write(f"{std.number}：全文已保存（{time.monotonic() - started:.1f} 秒）")

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)
