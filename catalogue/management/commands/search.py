"""`yuebiao search QUERY [filters] [--json]`: the catalogue search, as on the page and in the API (with the same
`partial` flag and `did_you_mean` near numbers)."""

import json
import sys

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from catalogue import queries
from catalogue.search import SearchInputError


class Command(BaseCommand):
    help = "检索标准目录。Search the catalogue."

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="?", default="", help="标准号或关键词")
        parser.add_argument("--level", action="append", default=[], help="national/industry/local/group/enterprise/international")
        parser.add_argument("--status", action="append", default=[], help="current/upcoming/withdrawn/replaced")
        parser.add_argument("--nature", action="append", default=[], help="mandatory/recommended/guidance")
        parser.add_argument("--ics")
        parser.add_argument("--ccs")
        parser.add_argument("--city", help="GB/T 2260 代码，如 440100")
        parser.add_argument("--sector")
        parser.add_argument("--year-from", type=int)
        parser.add_argument("--year-to", type=int)
        parser.add_argument("--sort", default="relevance")
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--page-size", type=int, default=20)
        parser.add_argument("--facets", action="store_true")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **o):
        try:
            page = queries.search_page(
                q=o["query"], level=o["level"], status=o["status"], nature=o["nature"], ics=o["ics"], ccs=o["ccs"],
                city=o["city"], sector=o["sector"], year_from=o["year_from"], year_to=o["year_to"], sort=o["sort"],
                page=o["page"], page_size=o["page_size"], facets=o["facets"],
            )
        except SearchInputError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        if o["json"]:
            self.stdout.write(json.dumps(page, ensure_ascii=False, cls=DjangoJSONEncoder))
            return
        self.stdout.write(f"共 {page['total']} 项（第 {page['page']}/{page['pages']} 页）")
        if page["partial"]:
            self.stdout.write("没有同时包含全部词语的结果，以下为包含部分词语的标准")
        for item in page["items"]:
            self.stdout.write(f"{item['number']}\t{item['title_zh']}\t{item['status_label']}")
        if page["did_you_mean"]:
            self.stdout.write("我们找到了相近的标准号：")
            for item in page["did_you_mean"]:
                why = "、".join(item["difference_labels"])
                self.stdout.write(f"{item['number']}\t{item['title_zh']}\t{why}")
