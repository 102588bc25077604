"""Deadline reminders (期限提醒), run daily (`yuebiao lifecycle remind`, or the worker's schedule): the action holders
of a stage due within a few days, or overdue, get one notice a day per project.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from lifecycle import access
from lifecycle import transitions as rules
from lifecycle.models import LocalStandardProject as Project
from lifecycle.projects import queries as project_queries
from lifecycle.transitions import State
from notify.models import Notice
from notify.services import send
from yuebiao.messages import Message as M

REMIND_DAYS_AHEAD = 3


@transaction.atomic
def send_deadline_reminders(*, today: date | None = None, days_ahead: int = REMIND_DAYS_AHEAD) -> dict:
    """Tell action holders of stages due within `days_ahead` days, and of overdue ones; once a day per project."""
    today = today or access.local_today()
    open_states = [s.value for s in State if s not in rules.TERMINAL and s not in (State.IMPLEMENTING,)]
    soon = Project.objects.filter(state__in=open_states, stage_due_on__gte=today,
                                  stage_due_on__lte=today + timedelta(days=days_ahead))
    late = project_queries.overdue(Project.objects.filter(state__in=open_states + [State.IMPLEMENTING]), today=today)
    sent = {"deadline": 0, "overdue": 0}
    start_of_day = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    for kind, qs in (("deadline", soon), ("overdue", late)):
        for project in qs.select_related("proposer", "technical_committee").distinct():
            url = project.get_absolute_url()
            already = set(Notice.objects.filter(kind=kind, url=url, created_at__gte=start_of_day)
                          .values_list("recipient_id", flat=True))
            users = [u for h in project_queries.action_holders(project) for u in h.users if u.pk not in already]
            if not users:
                continue
            due = project.stage_due_on.isoformat() if project.stage_due_on else ""
            if kind == "deadline":
                subject = M("{code}《{title}》{state}阶段将于 {date} 到期", code=project.code,
                            title=project.title_zh[:60], state=M(rules.STATE_LABELS[State(project.state)][0]), date=due)
            else:
                subject = M("{code}《{title}》已超期，请尽快处理", code=project.code,
                            title=project.title_zh[:60])
            send(users, kind=kind, subject=subject, url=url,
                 body=M("项目 {code} 现处于“{state}”阶段，期限 {date}。", code=project.code,
                        state=M(rules.STATE_LABELS[State(project.state)][0]), date=due or "—"))
            sent[kind] += len(users)
    return sent
