"""The lifecycle part of the demo data set (演示数据): projects at every stage, walked through the real use cases.

Live projects go through `projects.actions.advance()` like users would; the publicity and consultation periods, which must
have run before the next move, are dated a month back so that no date lies in the future.
Completed projects of earlier years are loaded as a history (their stage dates as the bureau recorded them), so
the drafting-cycle analytics have something to show; each carries one trail event saying it was loaded so.
"""

from __future__ import annotations

import io
import random
import secrets
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Role as AccountRole
from accounts.services import create_organisation, create_user
from catalogue.services import standard_record, upsert_standards
from lifecycle import deadlines, periods
from lifecycle.consultation import actions as consultation
from lifecycle.documents import upload_document
from lifecycle.projects.actions import advance, propose
from lifecycle.review import actions as review
from lifecycle.review.queries import latest_panel
from lifecycle.models import Expert, LocalStandardProject, ProjectStage
from lifecycle.numbering import next_project_code
from lifecycle.transitions import DRAFTING_CYCLE_STATES, State
from trail.services import record

DEMO_TITLES = [
    "粤港澳大湾区跨境冷链物流服务规范", "岭南传统建筑修缮技术规程", "荔枝干燥加工技术规程", "广式腊味加工技术规范",
    "海上风电场运行维护规程", "智慧灯杆建设技术规范", "工业园区挥发性有机物排放标准", "养老机构服务质量评价规范",
    "新能源汽车充电设施运营服务规范", "陶瓷砖单位产品能源消耗限额", "城市内涝风险评估技术指南", "粤菜烹饪技术规范 烧鹅",
]
DEMO_SCOPES = {
    0: "本文件规定了粤港澳大湾区跨境冷链物流的服务要求、温度控制、通关衔接、信息追溯和服务评价。",
    1: "本文件规定了岭南传统建筑修缮的勘察、设计、材料、施工工艺和验收要求。",
    2: "本文件规定了荔枝干燥加工的原料要求、加工工艺、质量控制和包装贮存要求。",
    3: "本文件规定了广式腊味加工的原辅料、腌制、晾晒烘焙、包装和过程控制要求。",
    4: "本文件规定了海上风电场风电机组、海缆和升压站的运行、巡检、维护和安全要求。",
    5: "本文件规定了智慧灯杆的系统架构、杆体与挂载设备、供电、通信和建设验收要求。",
    6: "本文件规定了工业园区挥发性有机物的排放限值、无组织排放控制、监测和监督管理要求。",
    7: "本文件规定了养老机构服务质量评价的原则、指标、方法和结果应用。",
    8: "本文件规定了新能源汽车充电设施运营的服务要求、安全管理、计量收费和服务评价。",
}
DEMO_NOTE = "演示数据：由演示项目发布的虚构地方标准，仅用于展示平台功能。"

# Who proposes and who is the technical committee (归口) of the demo's projects: key → (organisation, username,
# display name). "dept" and "tc" are logins of the demo itself (yuebiao demo), and so are the city officers
# "guangzhou" and "shenzhen", who propose for their cities; the others are made here, with the demo's password.
PARTICIPANTS = {
    "agri": ("广东省农业农村厅（演示）", "dept", "行业主管部门 赵强"),
    "env": ("广东省生态环境厅（演示）", "dept_env", "生态环境厅 林涛"),
    "housing": ("广东省住房和城乡建设厅（演示）", "dept_housing", "住房城乡建设厅 冯波"),
    "civil": ("广东省民政厅（演示）", "dept_civil", "民政厅 邓丽"),
    "commerce": ("广东省商务厅（演示）", "dept_commerce", "商务厅 许飞"),
    "energy": ("广东省能源局（演示）", "dept_energy", "能源局 曾辉"),
    "industry": ("广东省工业和信息化厅（演示）", "dept_industry", "工业和信息化厅 彭亮"),
    "health": ("广东省卫生健康委员会（演示）", "dept_health", "卫生健康委 罗敏"),
    "emergency": ("广东省应急管理厅（演示）", "dept_emergency", "应急管理厅 孔杰"),
    "data": ("广东省政务服务和数据管理局（演示）", "dept_data", "政务服务和数据管理局 严静"),
    "zhongshan": ("中山市市场监督管理局（演示）", "zhongshan", "中山市局 梁晓"),
}
COMMITTEES = {
    "env": ("广东省环境保护标准化技术委员会（演示）", "tc", "标委会秘书处 周红"),
    "agri": ("广东省农业标准化技术委员会（演示）", "tc_agri", "农业标委会秘书处 苏倩"),
    "food": ("广东省食品标准化技术委员会（演示）", "tc_food", "食品标委会秘书处 陆洋"),
    "building": ("广东省建筑标准化技术委员会（演示）", "tc_building", "建筑标委会秘书处 朱斌"),
    "service": ("广东省服务标准化技术委员会（演示）", "tc_service", "服务标委会秘书处 韩雪"),
    "it": ("广东省信息技术标准化技术委员会（演示）", "tc_it", "信息技术标委会秘书处 唐宁"),
    "energy": ("广东省能源标准化技术委员会（演示）", "tc_energy", "能源标委会秘书处 袁峰"),
    "machinery": ("广东省机械标准化技术委员会（演示）", "tc_machinery", "机械标委会秘书处 董明"),
    "safety": ("广东省安全生产标准化技术委员会（演示）", "tc_safety", "安全标委会秘书处 谢军"),
    "health": ("广东省卫生健康标准化技术委员会（演示）", "tc_health", "卫生标委会秘书处 秦雯"),
}
# The demo catalogue's subject families (catalogue/demo_vocabulary.py) → (proposing department, committee).
FAMILY_OWNERS = {
    "fruit": ("agri", "agri"), "tea": ("agri", "agri"), "aquaculture": ("agri", "agri"),
    "lingnan-herbs": ("agri", "agri"), "lingnan-food": ("industry", "food"), "emissions": ("env", "env"),
    "energy": ("energy", "energy"), "appliances": ("industry", "machinery"), "equipment": ("industry", "machinery"),
    "safety": ("emergency", "safety"), "health": ("health", "health"), "services": ("civil", "service"),
    "construction": ("housing", "building"), "digital": ("data", "it"),
}
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
        "sheng", "dept", "drafter", "tc", "evaluator", "expert", "guangzhou", "shenzhen"]).select_related("organisation")}
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


# (title index, the state it is left in, proposer, committee, city)
LIVE = [(0, State.APPLICATION, "commerce", "service", "440000"), (1, State.ASSESSMENT, "housing", "building", "440000"),
        (2, State.CONSULTATION, "agri", "agri", "440900"), (3, State.RESOLUTION, "zhongshan", "food", "442000"),
        (4, State.TECHNICAL_REVIEW, "energy", "energy", "441700"), (5, State.APPROVAL, "guangzhou", "it", "440100"),
        (6, State.PUBLISHED, "env", "env", "440000"), (7, State.DRAFTING, "civil", "service", "440000"),
        (8, State.PUBLICITY, "shenzhen", "energy", "440300")]
# The committees that act in the stages reached (form the panel, record its decision).
ACTING_COMMITTEE = (State.TECHNICAL_REVIEW, State.APPROVAL, State.PUBLISHED)
# How long a stage typically took, and how long each live project has been waiting in the stage it is in (days).
TYPICAL_DAYS = {State.APPLICATION: 5, State.ASSESSMENT: 15, State.PUBLICITY: 30, State.DRAFTING: 130,
                State.CONSULTATION: 30, State.RESOLUTION: 30, State.TECHNICAL_REVIEW: 35, State.APPROVAL: 20}
WAITING = {State.APPLICATION: 3, State.ASSESSMENT: 12, State.PUBLICITY: 9, State.DRAFTING: 95, State.CONSULTATION: 18,
           State.RESOLUTION: 26, State.TECHNICAL_REVIEW: 75, State.APPROVAL: 9, State.PUBLISHED: 0}
# The project's dates set on entering a stage: the date itself, and those counted from it (kept as far from it).
SET_ON_ENTRY = {State.ASSESSMENT: ("submitted_on", ()), State.PUBLICITY: ("publicity_opened_on", ()),
                State.DRAFTING: ("plan_issued_on", ("cycle_due_on",)),
                State.CONSULTATION: ("consultation_opened_on", ("consultation_closes_on",))}
# The mandatory one, and the law that allows it (a mandatory local standard must name it).
MANDATORY = {6: "《中华人民共和国大气污染防治法》第九条：省级人民政府对国家大气污染物排放标准中未作规定的项目，"
                "可以制定地方排放标准"}


def _owners_by_title() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Demo catalogue title → (its family, the cities that grow or make its subject)."""
    from catalogue.demo_vocabulary import FAMILIES

    return {f"{s.zh}{a.zh}": (f.key, s.cities) for f in FAMILIES for s in f.subjects for a in f.aspects_of(s)}


def _history(people, orgs: dict, *, count: int, seed: int) -> int:
    """Completed projects of earlier years, their stage dates as recorded (for the drafting-cycle figures).

    Each is tied to a demo local standard of the catalogue, whose publication date ends its drafting cycle; its
    department and committee are those of the standard's subject, its code carries the year its plan was issued.
    """
    from catalogue.models import Standard

    rng = random.Random(seed)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    # Loading the demo again adds no second history.
    count -= LocalStandardProject.objects.filter(is_demo=True, standard__isnull=False, standard__is_demo=True,
                                                 submitted_on__isnull=True).count()
    if count <= 0:
        return 0
    candidates = list(
        Standard.objects.filter(is_demo=True, prefix="DB44/T", published_on__gte=date(2021, 6, 1),
                                published_on__lte=today - timedelta(days=60),
                                lifecycle_project__isnull=True).order_by("published_on", "id")
    )
    # Spread over the years since 2021, not the first `count` of them.
    take = min(count, len(candidates))
    standards = [candidates[i * len(candidates) // take] for i in range(take)]
    owners = _owners_by_title()
    made = 0
    for std in standards:
        family, cities = owners.get(std.title_zh, ("services", ()))
        department, committee = FAMILY_OWNERS[family]
        durations = {State.DRAFTING: rng.randint(120, 300), State.CONSULTATION: rng.randint(30, 60),
                     State.RESOLUTION: rng.randint(15, 120), State.TECHNICAL_REVIEW: rng.randint(20, 150),
                     State.APPROVAL: rng.randint(10, 90)}
        published = std.published_on
        issued = published - timedelta(days=sum(durations.values()))
        # The bureau records a past project on behalf of the department that proposed it.
        project = propose(by=people["sheng"], proposer=orgs[department], title_zh=std.title_zh,
            drafting_organisations=[people["drafter"].organisation], technical_committee=orgs[f"tc:{committee}"],
            city_code=rng.choice(cities) if cities and rng.random() < 0.6 else "440000", is_demo=True)
        _backdate(project, std, issued=issued, durations=durations, rng=rng, today=today, tz=tz)
        made += 1
    return made


def _backdate(project, std, *, issued: date, durations: dict, rng: random.Random, today: date, tz) -> None:
    """Demo only: a completed project's stages as the bureau recorded them (no use case writes the past), and its
    code in the year its plan was issued; one trail event says so."""
    provisional = project.code
    ProjectStage.objects.filter(project=project).delete()
    start = issued
    for state in DRAFTING_CYCLE_STATES:
        end = start + timedelta(days=durations[state])
        ProjectStage.objects.create(
            project=project, state=state, entered_at=datetime.combine(start, time(9), tz),
            left_at=datetime.combine(end, time(9), tz),
            due_on=deadlines.due_date(start, periods.period(periods.STAGE_PERIOD_KEYS[state])).due)
        start = end
    published = std.published_on
    implementation = std.implemented_on or published + timedelta(days=90)
    ProjectStage.objects.create(project=project, state=State.IMPLEMENTING,
                                entered_at=datetime.combine(implementation, time(9), tz))
    code = next_project_code(issued.year)
    LocalStandardProject.objects.filter(pk=project.pk).update(
        code=code, state=State.IMPLEMENTING, plan_issued_on=issued, published_on=published, number=std.number,
        standard=std, implementation_on=implementation,
        filed_on=min(today, published + timedelta(days=rng.randint(10, 70))),
        disclosed_on=min(today, published + timedelta(days=rng.randint(5, 25))),
        review_due_on=deadlines.due_date(implementation, periods.period("periodic_review.interval")).due,
        stage_entered_at=datetime.combine(implementation, time(9), tz), stage_due_on=None, version=2)
    record(project, actor=None, kind="history_imported", data={
        "note": "演示：按省局记录导入的历史项目阶段日期", "number": std.number, "code": code,
        "code_on_entry": provisional, "plan_issued_on": issued.isoformat(), "published_on": published.isoformat(),
        "stages": {s.value: durations[s] for s in DRAFTING_CYCLE_STATES}})


def _cast(people: dict, password: str) -> tuple[dict, dict]:
    """The departments, city bureaus and committees of the demo's projects: ({key: organisation}, {key: account})
    for proposers and ({key: organisation}, {key: account}) for committees. Only those who act on a live project
    get an account; the others appear in the history alone, which the bureau recorded."""
    acting = {p for _, _, p, _, _ in LIVE} | {f"tc:{c}" for _, state, _, c, _ in LIVE if state in ACTING_COMMITTEE}
    orgs: dict = {"guangzhou": people["guangzhou"].organisation, "shenzhen": people["shenzhen"].organisation}
    accounts: dict = {"guangzhou": people["guangzhou"], "shenzhen": people["shenzhen"]}
    tables = (("", PARTICIPANTS, Organisation.Kind.COMPETENT_DEPARTMENT, AccountRole.DEPARTMENT_OFFICER),
              ("tc:", COMMITTEES, Organisation.Kind.TECHNICAL_COMMITTEE, AccountRole.COMMITTEE_SECRETARY))
    for mark, table, kind, role in tables:
        for key, (org_name, username, display) in table.items():
            city = key == "zhongshan"
            user = User.objects.filter(username=username).select_related("organisation").first()
            org = user.organisation if user else create_organisation(
                name=org_name, kind=Organisation.Kind.CITY_BUREAU if city else kind,
                region_code="442000" if city else "440000", is_demo=True)
            orgs[mark + key] = org
            if user is None and mark + key in acting:
                user = create_user(username=username, password=password, organisation=org,
                                   roles=[AccountRole.CITY_OFFICER if city else role], display_name=display)
            if user is not None:
                accounts[mark + key] = user
    return orgs, accounts


def _spread(project, *, waiting: int) -> None:
    """Demo only: a live project began before the platform; its earlier stages are dated as the bureau's files
    had them (typical durations), so that it has waited `waiting` days in its stage today. One trail event says
    so; the events of the moves themselves stay as they happened."""
    now = timezone.now()
    stages = list(ProjectStage.objects.filter(project=project).order_by("entered_at", "id"))
    closed = [stage for stage in stages if stage.left_at is not None]
    start = now - timedelta(days=waiting + sum(TYPICAL_DAYS.get(State(st.state), 10) for st in closed))
    entered: dict[State, date] = {}
    for stage in stages:
        state = State(stage.state)
        entered.setdefault(state, timezone.localtime(start).date())
        stage.entered_at = start
        if state in periods.STAGE_PERIOD_KEYS and stage.due_on:
            stage.due_on = deadlines.due_date(timezone.localtime(start).date(),
                                                       periods.period(periods.STAGE_PERIOD_KEYS[state])).due
        if stage.left_at is not None:
            start = start + timedelta(days=TYPICAL_DAYS.get(state, 10))
            stage.left_at = start
    ProjectStage.objects.bulk_update(stages, ["entered_at", "left_at", "due_on"])
    project.refresh_from_db()
    fields = {}
    for state, (name, counted) in SET_ON_ENTRY.items():
        if state in entered and getattr(project, name):
            fields[name] = entered[state]
            fields.update({c: entered[state] + (getattr(project, c) - getattr(project, name))
                           for c in counted if getattr(project, c)})
    started = timezone.localtime(stages[0].entered_at).date()
    if not project.code.startswith(f"{started.year}-"):
        fields["code"] = next_project_code(started.year)  # a project's code carries the year it started
    LocalStandardProject.objects.filter(pk=project.pk).update(
        **fields, stage_entered_at=stages[-1].entered_at,
        stage_due_on=stages[-1].due_on if project.stage_due_on else None, updated_at=now)
    record(project, actor=None, kind="history_imported", data={
        "note": "演示：项目在平台启用前各阶段的日期按省局记录补录", "code": fields.get("code", project.code),
        "code_on_entry": project.code, "stages": {stage.state: timezone.localtime(stage.entered_at).date().isoformat() for stage in stages}})


def _label_published(project, by) -> None:
    """A standard published by a demo project is demo data like the rest of the demo catalogue."""
    project.refresh_from_db()
    std = project.standard
    if std is None or std.is_demo:
        return
    upsert_standards([{**standard_record(std), "notes": DEMO_NOTE}], source="lifecycle", is_demo=True, by=by,
                     context={"project": project.code})


@transaction.atomic
def load_lifecycle_demo(*, history: int = 40, seed: int = 20240901, password: str | None = None) -> dict:
    """Projects at every stage, from several departments, cities and committees, and a history of completed ones;
    idempotent (existing demo projects are kept). `password` is that of the accounts made for the departments and
    committees (a random one when not given)."""
    periods.ensure_periods()
    people = _demo_people()
    missing = {"sheng", "dept", "drafter", "tc", "evaluator", "expert", "guangzhou", "shenzhen"} - set(people)
    if missing:
        raise RuntimeError(f"先运行 yuebiao demo 创建演示账户（缺少 {sorted(missing)}）")
    orgs, accounts = _cast(people, password or secrets.token_urlsafe(24))
    experts = _experts(people)
    live = 0
    for index, state, proposer, committee, city in LIVE:
        title = DEMO_TITLES[index]
        if LocalStandardProject.objects.filter(title_zh=title, is_demo=True).exists():
            continue
        players = {**people, "dept": accounts[proposer], "tc": accounts.get(f"tc:{committee}", people["tc"])}
        project = propose(
            by=players["dept"], title_zh=title, drafting_organisations=[people["drafter"].organisation],
            technical_committee=orgs[f"tc:{committee}"], city_code=city, is_demo=True,
            nature="mandatory" if index in MANDATORY else "recommended", mandatory_basis=MANDATORY.get(index, ""),
            scope=DEMO_SCOPES.get(index, ""))
        if state == State.TECHNICAL_REVIEW:
            project = _walk(project, players, State.TECHNICAL_REVIEW, title=title, experts=experts)
            _review(project, players, experts, title, conclude=False)
        else:
            _walk(project, players, state, title=title, experts=experts)
        if state == State.PUBLISHED:
            _label_published(project, people["sheng"])
        _spread(project, waiting=WAITING[state])
        live += 1
    return {"live": live, "history": _history(people, orgs, count=history, seed=seed)}
