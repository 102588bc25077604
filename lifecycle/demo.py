"""The lifecycle part of the demo data set (演示数据): projects at every stage, walked through the real use cases.

Live projects go through `projects.actions.advance()` like users would; the publicity and consultation periods, which must
have run before the next move, are dated a month back so that no date lies in the future.
Completed projects of earlier years are loaded as a history (their stage dates as the bureau recorded them), so
the drafting-cycle analytics have something to show; each carries one trail event saying it was loaded so.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from lifecycle import deadlines, periods
from lifecycle.consultation import actions as consultation
from lifecycle.documents import upload_document
from lifecycle.models import Expert, LocalStandardProject, ProjectStage
from lifecycle.projects.actions import advance, propose
from lifecycle.review import actions as review
from lifecycle.review.queries import latest_panel
from lifecycle.transitions import DRAFTING_CYCLE_STATES, State
from trail.services import record

DEMO_TITLES = [
    "粤港澳大湾区跨境冷链物流服务规范", "岭南传统建筑修缮技术规程", "荔枝干燥加工技术规程", "广式腊味生产卫生规范",
    "海上风电场运行维护规程", "智慧灯杆建设技术规范", "工业园区挥发性有机物排放限值", "养老机构服务质量评价规范",
    "新能源汽车充电设施运营服务规范", "陶瓷砖单位产品能源消耗限额", "城市内涝风险评估技术指南", "粤菜烹饪技术规范 烧鹅",
]
DEMO_EXPERTS = [
    ("陈志强", "华南理工大学（演示）", "教授", "环境工程；大气污染控制"),
    ("林晓红", "中山大学（演示）", "研究员", "食品安全；农产品加工"),
    ("黄建国", "广东省建筑科学研究院（演示）", "教授级高工", "建筑；古建筑修缮"),
    ("吴敏", "广州海关技术中心（演示）", "高级工程师", "检验检测；冷链物流"),
    ("郑伟", "广东电网有限责任公司（演示）", "教授级高工", "新能源；电力；充电设施"),
    ("周丽", "暨南大学（演示）", "副教授", "管理；服务质量评价"),
    ("何强", "广东省标准化研究院（演示）", "研究员", "标准化；综合"),  # the demo drafter's employer: a conflict
]


def _docx(title: str, body: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(title, level=1)
    for line in body.split("\n"):
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _draft(title: str) -> bytes:
    return _docx(title, "\n".join([
        "1 范围", f"本文件规定了{title.split(' ')[0]}的术语和定义、基本要求、技术要求和评价方法。",
        "2 规范性引用文件", "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。",
        "GB/T 1.1—2020 标准化工作导则 第1部分：标准化文件的结构和起草规则",
        "3 术语和定义", "下列术语和定义适用于本文件。", "4 基本要求", "4.1 应建立质量管理制度。",
        "4.2 宜采用信息化手段记录过程数据。", "5 技术要求", "5.1 关键参数应符合表1的规定。",
    ]))


def _org(name: str, kind: str, region: str = "440000") -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "region_code": region,
                                                                      "is_demo": True})
    return org


def _demo_people() -> dict:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "sheng", "dept", "drafter", "tc", "evaluator", "expert", "guangzhou"]).select_related("organisation")}
    return users


def _experts(people: dict) -> list[Expert]:
    experts = []
    for name, org_name, title, speciality in DEMO_EXPERTS:
        kind = (Organisation.Kind.DRAFTING_ORGANISATION if "标准化研究院" in org_name
                else Organisation.Kind.EVALUATION_AGENCY if "研究院" in org_name else Organisation.Kind.ENTERPRISE)
        org = people["drafter"].organisation if "标准化研究院" in org_name else _org(org_name, kind)
        expert = Expert.objects.filter(name=name, organisation=org).first()
        if expert is None:
            expert = review.add_expert(name=name, organisation=org, title=title, speciality=speciality,
                                       region_code="440000", by=None, via="demo")
        experts.append(expert)
    # The demo expert account sits in the pool too, so its work list has a seat to fill.
    mine = Expert.objects.filter(user=people["expert"]).first() or review.add_expert(
        name=str(people["expert"]), organisation=people["expert"].organisation, title="教授",
        speciality="环境；标准化", region_code="440300", user=people["expert"], by=None, via="demo")
    return [mine, *experts]


def _walk(project, people, until: State, *, title: str, experts: list[Expert]):
    """Move a project to `until` through the real use cases, as its users would."""
    today = timezone.localdate()

    def up(kind, who, data=None, name=None):
        upload_document(project=project, kind=kind, data=data or _docx(title, kind),
                                 filename=name or f"{kind}.docx", by=people[who])

    def go(action, who, **kw):
        return advance(project=project, action=action, by=people[who], **kw)

    steps = {
        State.APPLICATION: lambda: (up("application", "dept", name="立项申请书.docx"), go("submit_application", "dept")),
        State.ASSESSMENT: lambda: go("start_publicity", "sheng"),
        State.PUBLICITY: lambda: (_earlier(project, publicity_opened_on=today - timedelta(days=31)),
                                  go("issue_plan", "sheng")),
        State.DRAFTING: lambda: (up("draft_for_comment", "drafter", _draft(title), "征求意见稿.docx"),
                                 up("explanatory_report", "drafter", name="编制说明.docx"),
                                 go("publish_draft", "drafter")),
        State.CONSULTATION: lambda: (_earlier(project, consultation_opened_on=today - timedelta(days=31),
                                              consultation_closes_on=today - timedelta(days=1)),
                                     go("close_consultation", "drafter")),
        State.RESOLUTION: lambda: (_answer_rest(project, people),
                                   consultation.attach_comment_table(project=project, by=people["drafter"]),
                                   up("draft_for_review", "drafter", _draft(title), "送审稿.docx"),
                                   go("submit_for_review", "drafter")),
        State.TECHNICAL_REVIEW: lambda: _review(project, people, experts, title, conclude=True),
        State.APPROVAL: lambda: go("approve_publication", "sheng", data={
            "published_on": today.isoformat(), "implementation_on": (today + timedelta(days=90)).isoformat()}),
    }
    while True:
        project.refresh_from_db()
        if project.state == until or State(project.state) not in steps:
            return project
        if project.state == State.CONSULTATION:
            _comments(project, people)
        steps[State(project.state)]()


def _earlier(project, **dates) -> None:
    """Demo only: the publicity or consultation period began a month ago, so today's move is allowed without
    dating anything in the future."""
    LocalStandardProject.objects.filter(pk=project.pk).update(**dates)


def _comments(project, people) -> None:
    if project.comments.exists():
        return
    c1 = consultation.submit_comment(project=project, clause="4.1", text="建议明确质量管理制度应包含的具体内容。",
                                     proposal="增加“至少包括人员培训、过程记录和追溯”的表述", author_name="张先生",
                                     author_organisation="广州某食品有限公司（演示）", contact="020-00000000")
    c2 = consultation.submit_comment(project=project, clause="5.1", text="表1中的参数限值偏严，中小企业难以达到。",
                                     author_name="李女士", author_organisation="某行业协会（演示）")
    consultation.submit_comment(project=project, text="建议增加附录，给出评价记录表示例。", author_name="王工")
    consultation.answer_comment(comment=c1, resolution="adopted", response="已在4.1中补充。", by=people["drafter"])
    consultation.answer_comment(comment=c2, resolution="not_adopted",
                                response="限值依据国家标准确定，不低于强制性国家标准要求。", by=people["drafter"])


def _answer_rest(project, people) -> None:
    for comment in project.comments.filter(resolution=""):
        consultation.answer_comment(comment=comment, resolution="partly_adopted",
                                    response="部分内容已在附录中体现，其余超出本文件范围。", by=people["drafter"])


def _review(project, people, experts, title, *, conclude: bool):
    today = timezone.localdate()
    eligible = [e for e in experts if e.organisation_id != people["drafter"].organisation_id][:5]
    panel = latest_panel(project)
    if panel is None:
        panel = review.form_panel(project=project, expert_ids=[e.pk for e in eligible], chair_id=eligible[1].pk,
                                  meeting_on=today, location="广州市天河区（演示）", by=people["tc"])
    members = list(panel.members.select_related("expert"))
    for i, member in enumerate(members):
        if not conclude and member.expert.user_id:
            continue  # leave the demo expert's own seat open
        review.record_conclusion(member=member, conclusion="pass" if i % 3 else "pass_with_changes",
                                 opinion="结构合理，技术内容可行，建议按会议意见修改后报批。", by=people["tc"])
    if not conclude:
        return project
    review.record_decision(panel=panel, decision="pass_with_changes", note="专家组一致同意修改后通过。",
                           minutes_file=(_docx(title, "审查会议纪要"), "审查会议纪要.docx"), by=people["tc"])
    upload_document(project=project, kind="draft_for_approval", data=_draft(title), filename="报批稿.docx",
                             by=people["drafter"])
    return advance(project=project, action="submit_for_approval", by=people["drafter"])


# (title index, the state it is left in)
LIVE = [(0, State.APPLICATION), (1, State.ASSESSMENT), (2, State.CONSULTATION), (3, State.RESOLUTION),
        (4, State.TECHNICAL_REVIEW), (5, State.APPROVAL), (6, State.PUBLISHED), (7, State.DRAFTING)]


def _history(people, *, count: int, seed: int) -> int:
    """Completed projects of earlier years, their stage dates as recorded (for the drafting-cycle figures).

    Each is tied to a demo local standard of the catalogue, whose publication date ends its drafting cycle.
    """
    from catalogue.models import Standard

    rng = random.Random(seed)
    cities = ["440000", "440100", "440300", "440600", "441900", "440400", "440700"]
    tz = timezone.get_current_timezone()
    # Loading the demo again adds no second history.
    count -= LocalStandardProject.objects.filter(is_demo=True, standard__isnull=False, standard__is_demo=True,
                                                 submitted_on__isnull=True).count()
    if count <= 0:
        return 0
    standards = list(
        Standard.objects.filter(is_demo=True, prefix="DB44/T", published_on__gte=date(2021, 6, 1),
                                published_on__lte=timezone.localdate() - timedelta(days=60),
                                lifecycle_project__isnull=True).order_by("published_on", "id")[:count]
    )
    made = 0
    for std in standards:
        durations = {State.DRAFTING: rng.randint(120, 300), State.CONSULTATION: rng.randint(30, 60),
                     State.RESOLUTION: rng.randint(15, 120), State.TECHNICAL_REVIEW: rng.randint(20, 150),
                     State.APPROVAL: rng.randint(10, 90)}
        published = std.published_on
        issued = published - timedelta(days=sum(durations.values()))
        project = propose(by=people["dept"], title_zh=std.title_zh, drafting_organisations=[
            people["drafter"].organisation], technical_committee=people["tc"].organisation,
            city_code=rng.choice(cities), is_demo=True)
        ProjectStage.objects.filter(project=project).delete()
        start = issued
        for state in DRAFTING_CYCLE_STATES:
            end = start + timedelta(days=durations[state])
            ProjectStage.objects.create(
                project=project, state=state, entered_at=datetime.combine(start, time(9), tz),
                left_at=datetime.combine(end, time(9), tz),
                due_on=deadlines.due_date(start, periods.period(periods.STAGE_PERIOD_KEYS[state])).due)
            start = end
        implementation = std.implemented_on or published + timedelta(days=90)
        ProjectStage.objects.create(project=project, state=State.IMPLEMENTING,
                                    entered_at=datetime.combine(implementation, time(9), tz))
        LocalStandardProject.objects.filter(pk=project.pk).update(
            state=State.IMPLEMENTING, plan_issued_on=issued, published_on=published, number=std.number,
            standard=std, implementation_on=implementation,
            filed_on=published + timedelta(days=rng.randint(10, 70)),
            disclosed_on=published + timedelta(days=rng.randint(5, 25)),
            review_due_on=deadlines.due_date(implementation, periods.period("periodic_review.interval")).due,
            stage_entered_at=datetime.combine(implementation, time(9), tz), stage_due_on=None, version=2)
        record(project, actor=None, kind="history_imported", data={
            "note": "演示：按省局记录导入的历史项目阶段日期", "number": std.number,
            "plan_issued_on": issued.isoformat(), "published_on": published.isoformat(),
            "stages": {s.value: durations[s] for s in DRAFTING_CYCLE_STATES}})
        made += 1
    return made


@transaction.atomic
def load_lifecycle_demo(*, history: int = 40, seed: int = 20240901) -> dict:
    """Projects at every stage and a history of completed ones; idempotent (existing demo projects are kept)."""
    periods.ensure_periods()
    people = _demo_people()
    missing = {"sheng", "dept", "drafter", "tc", "evaluator", "expert"} - set(people)
    if missing:
        raise RuntimeError(f"先运行 yuebiao demo 创建演示账户（缺少 {sorted(missing)}）")
    experts = _experts(people)
    live = 0
    for index, state in LIVE:
        title = DEMO_TITLES[index]
        if LocalStandardProject.objects.filter(title_zh=title, is_demo=True).exists():
            continue
        project = propose(by=people["dept"], title_zh=title, drafting_organisations=[
            people["drafter"].organisation], technical_committee=people["tc"].organisation,
            city_code="440100" if index % 2 else "440000", is_demo=True,
            scope=f"本文件适用于广东省{title}相关活动。")
        if state == State.TECHNICAL_REVIEW:
            project = _walk(project, people, State.TECHNICAL_REVIEW, title=title, experts=experts)
            _review(project, people, experts, title, conclude=False)
        else:
            _walk(project, people, state, title=title, experts=experts)
        live += 1
    return {"live": live, "history": _history(people, count=history, seed=seed)}
