"""`yuebiao demo`: load the demo data set (演示数据) and print the demo logins."""


from django.core.management.base import BaseCommand

from yuebiao.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入演示数据（机构、各角色用户、各层级标准），并打印演示账户。"

    def add_arguments(self, parser):
        parser.add_argument("--standards", type=int, default=600)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--no-lifecycle", action="store_true", help="不载入地方标准项目演示数据")

    def handle(self, *args, standards, json: bool = False, **options):
        import json as jsonlib

        result = load_demo(standards=standards)
        projects = {"live": 0, "history": 0}
        if not options.get("no_lifecycle"):
            from lifecycle.demo import load_lifecycle_demo

            projects = load_lifecycle_demo(password=DEMO_PASSWORD)
        from compare.demo import load_compare_demo

        comparisons = load_compare_demo()
        from trail.services import anchor_today

        # The demo ends anchored, as a day on the platform would: its trail is covered and its root published.
        anchor = anchor_today()
        if json:
            self.stdout.write(jsonlib.dumps({"users": [u for u, _ in result.users], "password": DEMO_PASSWORD,
                                             "created": result.created, "updated": result.updated,
                                             "unchanged": result.unchanged, "projects": projects,
                                             "comparisons": comparisons,
                                             "anchor": {"day": anchor.day.isoformat(), "root": anchor.root}},
                                            ensure_ascii=False))
            return
        self.stdout.write(f"演示数据已载入：标准新增 {result.created}，更新 {result.updated}，未变化 {result.unchanged}")
        self.stdout.write(f"地方标准项目：新建 {projects['live']} 个在办项目、{projects['history']} 个历史项目")
        self.stdout.write(f"标准比对：附上全文 {comparisons['attached']} 份，新建比对 {comparisons['compared']} 项")
        self.stdout.write(f"追溯锚定：{anchor.chains} 条链、{anchor.events} 个事件，默克尔根 {anchor.root}"
                          "（公布于 /trail/anchors/）")
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for username, display in result.users:
            self.stdout.write(f"  {username:<12} {display}")
