"""`yuebiao personal-data purge|export|erase`: the public's personal data past its retention period, or on request."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lifecycle import personal_data as pd

UNNAMED_REQUEST = "命令行（未注明申请依据）"


class Command(BaseCommand):
    help = ("公众个人信息：删除过期的（purge，每日任务）、按申请导出（export）或删除（erase）。"
            "Purge expired personal data, or export or erase one person's on request.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("purge", help="删除超过保存期限的提出人个人信息，并清理过期的验证码记录（可重复执行）")
        p.add_argument("--json", action="store_true")
        for name, text in (("export", "导出使用该联系方式的意见和反馈（含个人信息），记入追溯记录"),
                           ("erase", "删除使用该联系方式的意见和反馈中的个人信息（保留内容和答复），记入追溯记录")):
            q = sub.add_parser(name, help=text)
            q.add_argument("--contact", required=True, help="电子邮箱或电话号码")
            q.add_argument("--request", default=UNNAMED_REQUEST, help="申请依据：来函编号、工单号等（记入追溯记录）")
            q.add_argument("--by", default="", help="操作人的用户名（记入追溯记录；不填则记为系统）")
            q.add_argument("--json", action="store_true")
        sub.choices["erase"].add_argument("--dry-run", action="store_true", help="只显示将删除哪些记录，不删除")

    def handle(self, *args, action, **options):
        try:
            return {"purge": self._purge, "export": self._export, "erase": self._erase}[action](options)
        except pd.PersonalDataError as exc:
            raise CommandError(str(exc)) from exc

    def _by(self, options):
        if not options["by"]:
            return None
        user = get_user_model().objects.filter(username=options["by"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['by']}")
        return user

    def _purge(self, options):
        counts = pd.erase_expired_contacts()
        if options["json"]:
            self.stdout.write(json.dumps({**counts, "retention_days": pd.retention().days}, ensure_ascii=False))
            return
        self.stdout.write(f"已删除保存期（{pd.retention().days} 天）已过的个人信息：意见 {counts['comments']} 条，"
                          f"反馈 {counts['feedback']} 条；清理验证码记录 {counts['captcha_uses']} 条")

    def _export(self, options):
        data = pd.export_personal_data(contact=options["contact"], by=self._by(options), request=options["request"],
                                       via="command")
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"联系方式 {data['contact']}：意见 {len(data['comments'])} 条，反馈 {len(data['feedback'])} 条"
                          f"（导出于 {data['exported_at']}）")
        for kind, rows in (("意见", data["comments"]), ("反馈", data["feedback"])):
            for row in rows:
                where = row.get("project") or row.get("standard")
                who = "／".join(x for x in (row["author_organisation"], row["author_name"]) if x)
                self.stdout.write(f"{kind} #{row['id']}  {where}  {row['submitted_at'][:10]}  {who}  {row['contact']}")
                self.stdout.write("    " + " ".join(row["text"].split())[:200])

    def _erase(self, options):
        if options["dry_run"]:
            comments, feedback = pd.find_records(options["contact"])
            result = {"comments": len(comments), "feedback": len(feedback), "dry_run": True}
        else:
            result = pd.erase_personal_data(contact=options["contact"], by=self._by(options),
                                            request=options["request"], via="command")
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        verb = "将删除" if options["dry_run"] else "已删除"
        self.stdout.write(f"{verb}个人信息：意见 {result['comments']} 条，反馈 {result['feedback']} 条"
                          "（内容和答复保留）")
