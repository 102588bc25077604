"""`yuebiao lifecycle …`: local-standard projects on the command line (list, show, advance, work, remind, rules)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation, User
from lifecycle import errors, reminders
from lifecycle import transitions as rules
from lifecycle.models import LocalStandardProject
from lifecycle.projects import actions as project_actions
from lifecycle.projects import queries as project_queries


def _project_row(p: LocalStandardProject) -> dict:
    return {
        "code": p.code, "title_zh": p.title_zh, "state": p.state, "state_label": p.state_label, "version": p.version,
        "number": p.number, "proposer": p.proposer.name, "city_code": p.city_code,
        "plan_issued_on": p.plan_issued_on.isoformat() if p.plan_issued_on else None,
        "published_on": p.published_on.isoformat() if p.published_on else None,
        "stage_due_on": p.stage_due_on.isoformat() if p.stage_due_on else None,
        "drafting_months": project_queries.drafting_months(p),
    }


class Command(BaseCommand):
    help = "地方标准项目：list / show / advance / work / remind / rules"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        p = sub.add_parser("list", help="列出项目")
        p.add_argument("--state", default="")
        p.add_argument("--overdue", action="store_true")
        p.add_argument("--limit", type=int, default=100)
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("show", help="一个项目：阶段、由谁处理、可执行的操作、全过程记录")
        p.add_argument("code")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("advance", help="按转换规则执行操作")
        p.add_argument("code")
        p.add_argument("action", choices=[a.value for a in rules.Action])
        p.add_argument("--as", dest="username", required=True, help="以哪个账户的身份执行")
        p.add_argument("--reason", default="")
        p.add_argument("--version", type=int, default=None, help="期望的项目版本（并发保护）")
        p.add_argument("--data", action="append", default=[], metavar="KEY=VALUE",
                       help="操作所需的数据，如 implementation_on=2027-03-01")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("work", help="某个账户的待办（待我处理）")
        p.add_argument("--as", dest="username", required=True)
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("remind", help="向即将到期和已超期项目的处理人发送提醒（每日运行）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("rules", help="打印转换规则表")
        p.add_argument("--json", action="store_true")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).select_related("organisation").first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        return user

    def _project(self, code: str) -> LocalStandardProject:
        project = LocalStandardProject.objects.select_related("proposer").filter(code=code).first()
        if project is None:
            raise CommandError(f"没有项目 {code}")
        return project

    def _emit(self, options, payload, lines):
        if options.get("json"):
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
        else:
            for line in lines:
                self.stdout.write(line)

    def handle(self, *args, **options):
        getattr(self, f"_{options['what']}")(options)

    def _list(self, options):
        qs = LocalStandardProject.objects.select_related("proposer").order_by("-created_at", "-id")
        if options["state"]:
            qs = qs.filter(state=options["state"])
        if options["overdue"]:
            qs = project_queries.overdue(qs)
        rows = [_project_row(p) for p in qs[: options["limit"]]]
        self._emit(options, rows, [f"{r['code']}  {r['state_label']:<6}  {r['number'] or '—':<20} {r['title_zh']}"
                                   for r in rows] or ["没有项目"])

    def _show(self, options):
        project = self._project(options["code"])
        holders = [{"role": h.role.value, "label": h.label, "organisations": h.organisations,
                    "since": h.since.isoformat() if h.since else None,
                    "due_on": h.due_on.isoformat() if h.due_on else None, "overdue": h.overdue}
                   for h in project_queries.action_holders(project)]
        events = [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor_label, "kind": e.kind, "hash": e.hash,
                   **{k: v for k, v in e.payload.items() if k in ("action", "from", "to", "reason")}}
                  for e in project_queries.project_timeline(project)]
        payload = {**_project_row(project), "holders": holders, "events": events}
        lines = [f"{project.code} {project.title_zh}", f"阶段：{project.state_label}（第 {project.version} 版）"]
        lines += [f"待处理：{h['label']} {'、'.join(h['organisations'])} 期限 {h['due_on'] or '—'}"
                  f"{' 已超期' if h['overdue'] else ''}" for h in holders]
        lines += [f"  #{e['seq']} {e['at'][:16]} {e['actor']} {e.get('action', e['kind'])} {e['hash'][:12]}"
                  for e in events]
        self._emit(options, payload, lines)

    def _advance(self, options):
        project = self._project(options["code"])
        data = {}
        for item in options["data"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--data 应为 KEY=VALUE：{item}")
            data[key.strip()] = value.strip()
        if "agency" in data:

            data["agency"] = Organisation.objects.filter(name=data["agency"]).first()
        try:
            project = project_actions.advance(project=project, action=options["action"], by=self._user(options["username"]),
                                       reason=options["reason"], data=data, expected_version=options["version"])
        except errors.LifecycleError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False))
            raise CommandError(str(exc)) from exc
        self._emit(options, {"ok": True, **_project_row(project)},
                   [f"已完成：{rules.ACTION_LABELS[rules.Action(options['action'])][0]}；{project.code} 现处于"
                    f"“{project.state_label}”阶段"])

    def _work(self, options):
        rows = [_project_row(p) for p in project_queries.work_list(self._user(options["username"]))]
        self._emit(options, rows, [f"{r['code']}  {r['state_label']}  期限 {r['stage_due_on'] or '—'}  {r['title_zh']}"
                                   for r in rows] or ["没有待办"])

    def _remind(self, options):
        sent = reminders.send_deadline_reminders()
        self._emit(options, sent, [f"到期提醒 {sent['deadline']} 条，超期提醒 {sent['overdue']} 条"])

    def _rules(self, options):
        rows = [{"from": r.source.value, "action": r.action.value, "roles": sorted(x.value for x in r.roles),
                 "to": r.next_state.value, "documents": [d.value for d in r.documents],
                 "conditions": [c.name for c in r.conditions], "needs_reason": r.needs_reason} for r in rules.TABLE]
        lines = [f"{rules.STATE_LABELS[r.source][0]:<6} —{rules.ACTION_LABELS[r.action][0]}→ "
                 f"{rules.STATE_LABELS[r.next_state][0]:<6} "
                 f"[{'、'.join(rules.ROLE_LABELS[x][0] for x in sorted(r.roles))}]"
                 f"{' 文件：' + '、'.join(rules.DOC_LABELS[d][0] for d in r.documents) if r.documents else ''}"
                 f"{' 条件：' + '、'.join(rules.CONDITION_LABELS[c.name] for c in r.conditions) if r.conditions else ''}"
                 for r in rules.TABLE]
        self._emit(options, rows, lines)

