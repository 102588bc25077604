"""`yuebiao refresh-status`: recompute statuses that change with the date (即将实施 → 现行, 被代替, 废止)."""

from django.core.management.base import BaseCommand

from catalogue.services import refresh_statuses


class Command(BaseCommand):
    help = "按日期与代替关系更新标准状态（建议每日运行）。"

    def handle(self, *args, **options):
        changed = refresh_statuses()
        self.stdout.write(f"状态已更新：{changed} 项")
