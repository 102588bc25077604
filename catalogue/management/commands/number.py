"""`yuebiao number TEXT…`: parse standard numbers, one JSON object per input; exit 2 if any is unparseable."""

import json
import sys

from django.core.management.base import BaseCommand

from catalogue.numbers import StandardNumberError, parse_number


class Command(BaseCommand):
    help = "解析并规范化标准号，每个输入输出一行 JSON。Parse and normalise standard numbers."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="+", help="标准号，如 'GB/T 1.1—2020'")

    def handle(self, *args, text, **options):
        failed = False
        for item in text:
            try:
                self.stdout.write(json.dumps(parse_number(item).to_dict(), ensure_ascii=False))
            except StandardNumberError as exc:
                failed = True
                self.stderr.write(f"{item}: {exc}")
        if failed:
            sys.exit(2)
