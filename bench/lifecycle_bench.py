"""Lifecycle figures (issue 3, "Speed"): the cycle-time dashboard on 100,000 projects and 2,000,000 trail events,
its Excel export, and a project page with 500 events. Run by `python -m bench` with DATABASE_URL set per database."""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from datetime import date, datetime, time as dtime, timedelta, timezone as dt_timezone
from pathlib import Path

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from tqdm import tqdm  # noqa: E402

from accounts.models import Organisation, RoleAssignment, User  # noqa: E402
from catalogue.models import AdminDivision  # noqa: E402
from catalogue.services import load_reference  # noqa: E402
from lifecycle.analytics import facts as analytics_facts  # noqa: E402
from lifecycle.analytics import filters as analytics_filters  # noqa: E402
from lifecycle.analytics import queries as analytics_queries  # noqa: E402
from lifecycle.models import LocalStandardProject, ProjectStage  # noqa: E402
from lifecycle.transitions import State  # noqa: E402
from trail import chain  # noqa: E402
from trail import services as trail_services  # noqa: E402
from trail.models import Event  # noqa: E402
from trail.triggers import append_only_suspended  # noqa: E402

BENCH_USER = "bench-lifecycle"
SUBJECT_PREFIX = "lifecycle.localstandardproject:"
PAGE_EVENTS = 500  # the project page is measured on a project with this many events

DEPARTMENTS = [
    "广东省工业和信息化厅", "广东省农业农村厅", "广东省住房和城乡建设厅", "广东省交通运输厅", "广东省卫生健康委员会",
    "广东省生态环境厅", "广东省文化和旅游厅", "广东省商务厅", "广东省民政厅", "广东省应急管理厅", "广东省水利厅",
    "广东省自然资源厅", "广东省林业局", "广东省药品监督管理局", "广东省教育厅", "广东省公安厅",
    "广东省人力资源和社会保障厅", "广东省科学技术厅", "广东省能源局", "广东省通信管理局", "广东省气象局",
    "广东省体育局", "广东省政务服务和数据管理局", "广东省医疗保障局", "广东省粮食和物资储备局",
    "广东省地方金融管理局", "广东省海洋综合执法总队", "广东省邮政管理局", "广东省机关事务管理局", "广东省市场监督管理局",
]
COMMITTEE_FIELDS = [
    "农业", "食品", "电子信息", "智能制造", "建筑节能", "交通运输", "旅游服务", "养老服务", "家用电器", "陶瓷",
    "纺织服装", "中医药", "海洋", "林业", "水产", "茶叶", "岭南中药材", "新能源汽车", "锂电池", "物流", "电子商务",
    "安全生产", "消防", "环境保护", "节能", "水利", "气象", "地理信息", "公共服务", "政务服务", "社会信用",
    "知识产权", "教育服务", "体育", "医疗器械", "化妆品", "照明电器", "家具", "五金制品", "珠宝玉石", "印刷",
    "包装", "冷链", "预制菜", "粤菜", "凉茶", "荔枝龙眼", "南药", "城市管理", "园林绿化", "轨道交通", "港口",
    "航空服务", "金融服务", "数据资源", "人工智能", "区块链", "物联网", "集成电路", "生物医药",
]


# ---------------------------------------------------------------------------------------------------------------
# Generation


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours instant on `day` (China time), as aware UTC with non-zero microseconds."""
    local = datetime.combine(day, dtime(9, 0)) + timedelta(seconds=rng.randrange(8 * 3600), microseconds=rng.randrange(1, 999_999))
    return (local - timedelta(hours=8)).replace(tzinfo=dt_timezone.utc)


class _Writer:
    """Bulk rows into a table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, table: str, columns: list[str], batch: int = 20_000):
        self.table, self.columns, self.batch, self.rows = table, columns, batch, []
        self.pg = connection.vendor == "postgresql"
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        cols = ", ".join(f'"{c}"' for c in self.columns)
        if self.pg:
            raw = connection.connection
            with raw.cursor() as cur, cur.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            connection.connection.executemany(f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})', self.rows)
        self.written += len(self.rows)
        self.rows = []


def _db_dt(value: datetime | None):
    if value is None:
        return None
    if connection.vendor == "sqlite":
        return value.replace(tzinfo=None).isoformat(sep=" ")  # Django keeps SQLite datetimes as naive UTC text
    return value


def _db_d(value: date | None):
    if value is None:
        return None
    return value.isoformat() if connection.vendor == "sqlite" else value


def _organisations(rng: random.Random, cities: list[str]) -> tuple[dict, dict, list[int], list[int]]:
    """Departments, city bureaus, committees and drafting organisations (created once, reused on later runs)."""

    def org(name, kind, region):
        return Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "region_code": region})[0].pk

    K = Organisation.Kind
    departments = [org(n, K.COMPETENT_DEPARTMENT, "440000") for n in DEPARTMENTS]
    names = dict(AdminDivision.objects.filter(code__in=cities).values_list("code", "name"))
    city_bureaus = {c: org(f"{names.get(c, c)}市场监督管理局", K.CITY_BUREAU, c) for c in cities if c != "440000"}
    committees = [org(f"广东省{f}标准化技术委员会", K.TECHNICAL_COMMITTEE, "440000") for f in COMMITTEE_FIELDS]
    kinds = ["研究院", "检测中心", "有限公司", "协会", "大学", "研究所", "设计院", "集团有限公司"]
    drafters = [org(f"广东{rng.choice(COMMITTEE_FIELDS)}{kinds[i % len(kinds)]}（起草{i:03d}）", K.DRAFTING_ORGANISATION,
                    "440000") for i in range(400)]
    return {"departments": departments}, city_bureaus, committees, drafters


def _bench_user() -> User:
    user, created = User.objects.get_or_create(username=BENCH_USER, defaults={"display_name": "基准测试"})
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _officer() -> User:
    """A provincial officer to sign in with for the page measurements."""
    org = Organisation.objects.get_or_create(
        name="广东省市场监督管理局标准化处（基准）",
        defaults={"kind": Organisation.Kind.PROVINCIAL_BUREAU, "region_code": "440000"},
    )[0]
    user, _ = User.objects.get_or_create(username="bench-officer", defaults={"organisation": org, "display_name": "省局"})
    RoleAssignment.objects.get_or_create(user=user, role="provincial_officer")
    return user


def _clear_bench_rows(user: User) -> None:
    """Remove an earlier, differently sized run (raw SQL with the triggers suspended: the trail refuses deletes)."""
    mine = "SELECT id FROM lifecycle_localstandardproject WHERE created_by_id = %s"
    with append_only_suspended(), connection.cursor() as cur:
        cur.execute("DELETE FROM trail_event WHERE subject LIKE %s", [SUBJECT_PREFIX + "%"])
        for table, column in (("lifecycle_projectstage", "project_id"), ("lifecycle_cyclefact", "project_id"),
                              ("lifecycle_localstandardproject_drafting_organisations", "localstandardproject_id")):
            cur.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({mine})', [user.pk])
        cur.execute("DELETE FROM lifecycle_localstandardproject WHERE created_by_id = %s", [user.pk])


# Days a stage's due date lies after its start, as the services would compute it (calendar approximation).
_DUE_DAYS = {
    State.ASSESSMENT: 42, State.PUBLICITY: 30, State.DRAFTING: 183, State.CONSULTATION: 30, State.RESOLUTION: 30,
    State.TECHNICAL_REVIEW: 60, State.APPROVAL: 28, State.PUBLISHED: 20, State.PERIODIC_REVIEW: 90,
}


def _project_path(rng: random.Random, factor: float) -> list[tuple[State, float, str]]:
    """The stays a project would make if nothing stopped it: (state, days, action that leaves it)."""
    S = State
    path = [(S.APPLICATION, _lognormal(rng, 15, 0.6), "submit_application")]
    path.append((S.ASSESSMENT, _lognormal(rng, 35, 0.4), "start_publicity"))
    if rng.random() < 0.06:
        return path[:-1] + [(S.ASSESSMENT, _lognormal(rng, 35, 0.4), "reject_application"), (S.REJECTED, 0, "")]
    path.append((S.PUBLICITY, 30 + rng.random() * 5, "issue_plan"))
    rounds = 2 if rng.random() < 0.12 else 1
    for r in range(rounds):
        drafting = _lognormal(rng, 170 if r == 0 else 60, 0.45) * factor
        path.append((S.DRAFTING, drafting, "publish_draft"))
        path.append((S.CONSULTATION, 30 + _lognormal(rng, 8, 0.8), "close_consultation"))
        path.append((S.RESOLUTION, _lognormal(rng, 45, 0.6) * factor, "submit_for_review"))
        last = r == rounds - 1
        path.append((S.TECHNICAL_REVIEW, _lognormal(rng, 55, 0.6) * factor,
                     "submit_for_approval" if last else "return_for_changes"))
    if rng.random() < 0.03:
        cut = rng.randrange(3, len(path))
        state = path[cut][0]
        return path[:cut] + [(state, path[cut][1] / 2, "cancel"), (S.CANCELLED, 0, "")]
    path.append((S.APPROVAL, _lognormal(rng, 35, 0.7) * factor, "approve_publication"))
    path.append((S.PUBLISHED, _lognormal(rng, 120, 0.3), "start_implementation"))
    path.append((S.IMPLEMENTING, 5 * 365.25, "start_periodic_review"))
    path.append((S.PERIODIC_REVIEW, _lognormal(rng, 80, 0.4), "confirm"))
    path.append((S.IMPLEMENTING, 5 * 365.25, "start_periodic_review"))
    return path


def _data(obj: dict) -> str:
    return chain.canonical_text(obj)


_PROJECT_COLS = [
    "id", "code", "title_zh", "title_en", "kind", "nature", "mandatory_basis", "state", "version", "proposer_id",
    "technical_committee_id", "city_code", "ics_code", "scope", "necessity", "submitted_on",
    "publicity_opened_on", "plan_issued_on", "cycle_due_on", "consultation_opened_on", "consultation_closes_on",
    "review_decision", "number", "published_on", "implementation_on", "filing_due_on", "filed_on",
    "filing_reference", "disclosure_due_on", "disclosed_on", "review_due_on", "stage_entered_at", "stage_due_on",
    "stage_due_estimated", "created_by_id", "created_at", "updated_at", "is_demo",
]
_TITLES = ["服务规范", "技术规程", "管理规范", "质量要求", "建设指南", "评价规范", "操作规程", "安全要求"]
_DOCS_BEFORE = {
    "submit_application": ["application"], "publish_draft": ["draft_for_comment", "explanatory_report"],
    "submit_for_review": ["comment_table", "draft_for_review"], "submit_for_approval": ["review_minutes"],
    "return_for_changes": ["review_minutes"], "approve_publication": ["draft_for_approval", "published_text"],
}
_PUBLIC_ACTIONS = {"start_publicity", "issue_plan", "publish_draft", "approve_publication", "record_disclosure",
                   "start_implementation", "confirm", "revise", "withdraw", "cancel"}
_DATE_COLS = ("submitted_on", "publicity_opened_on", "plan_issued_on", "cycle_due_on", "consultation_opened_on",
              "consultation_closes_on", "published_on", "implementation_on", "filing_due_on", "filed_on",
              "disclosure_due_on", "disclosed_on", "review_due_on", "stage_due_on")


def _walk(path: list[tuple[State, float, str]], t0: date, today: date) -> list[tuple]:
    """Walk a project's path until today: the project stands in the stay that today falls in.

    Each stay is (state, entered date, left date or None, action)."""
    stays: list[tuple] = []
    day = t0
    for state, days, action in path:
        if state in (State.REJECTED, State.CANCELLED):
            stays.append((state, day, None, ""))
            break
        end = day + timedelta(days=max(1, round(days)))
        if end >= today:  # nothing is dated today or later: the instants would lie in the future
            stays.append((state, day, None, action))
            break
        stays.append((state, day, end, action))
        day = end
    return stays


class _Generator:
    """Writes the generated projects, their stages, drafting organisations and trail events (see generate)."""

    def __init__(self, rng: random.Random, today: date, n_projects: int, n_events: int) -> None:
        self.rng, self.today, self.n_projects, self.n_events = rng, today, n_projects, n_events
        self.cities = ["440000"] + sorted(AdminDivision.objects.filter(level="prefecture", code__startswith="44")
                                          .values_list("code", flat=True))
        big = {"440100": 6, "440300": 6, "440600": 3, "441900": 3, "442000": 2, "440400": 2, "441300": 2}
        self.city_weights = [10] + [big.get(c, 1) for c in self.cities[1:]]
        orgs, self.city_bureaus, self.committees, self.drafters = _organisations(rng, self.cities)
        self.departments = orgs["departments"]
        self.dept_weights = [1 / (i + 1) ** 0.8 for i in range(len(self.departments))]
        self.committee_weights = [1 / (i + 1) ** 0.6 for i in range(len(self.committees))]
        self.speed = {pk: rng.uniform(0.75, 1.45) for pk in [*self.departments, *self.city_bureaus.values()]}
        self.city_speed = {c: rng.uniform(0.85, 1.2) for c in self.cities}
        self.user = _bench_user()
        self.label = str(self.user)
        self.start_id = (LocalStandardProject.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        self.first_day = date(today.year - 11, 1, 1)
        self.span = (today - self.first_day).days
        self.projects = _Writer("lifecycle_localstandardproject", _PROJECT_COLS, batch=5_000)
        self.stages = _Writer("lifecycle_projectstage", ["project_id", "state", "entered_at", "left_at", "due_on"])
        self.m2m = _Writer("lifecycle_localstandardproject_drafting_organisations",
                           ["localstandardproject_id", "organisation_id"])
        self.events = _Writer("trail_event", ["subject", "seq", "at", "actor_id", "actor_label", "kind", "public",
                                              "data", "prev_hash", "hash"])
        self.page_project: int | None = None
        self.numbers_by_year: dict[int, int] = {}
        self.code_by_year: dict[int, int] = {}
        self.total_events = 0
        self.subjects_left = n_projects

    def run(self) -> None:
        with transaction.atomic(), tqdm(total=self.n_projects, desc="projects", unit="project", file=sys.stderr) as bar:
            for i in range(self.n_projects):
                self.project(i)
                if i % 1000 == 999:
                    self.projects.flush()
                    bar.update(1000)
            for writer in (self.projects, self.stages, self.m2m, self.events):
                writer.flush()
            bar.update(self.n_projects % 1000)

    def project(self, i: int) -> None:
        rng = self.rng
        pid = self.start_id + i
        city = rng.choices(self.cities, self.city_weights)[0]
        if city != "440000" and rng.random() < 0.55:
            proposer = self.city_bureaus[city]
        else:
            proposer = rng.choices(self.departments, self.dept_weights)[0]
        committee = rng.choices(self.committees, self.committee_weights)[0] if rng.random() < 0.85 else None
        kind = "revision" if rng.random() < 0.25 else "new"
        nature = "mandatory" if rng.random() < 0.04 else "recommended"
        t0 = self.first_day + timedelta(days=rng.randrange(self.span))
        year_factor = min(1.3, max(0.7, 1.25 - 0.045 * (t0.year - self.first_day.year)))
        factor = self.speed[proposer] * self.city_speed[city] * year_factor
        stays = _walk(_project_path(rng, factor), t0, self.today)
        p = dict.fromkeys(_PROJECT_COLS)
        year = t0.year
        self.code_by_year[year] = self.code_by_year.get(year, 0) + 1
        p.update(id=pid, code=f"{year}-{self.code_by_year[year]:05d}",
                 title_zh=f"{rng.choice(COMMITTEE_FIELDS)}{rng.choice(_TITLES)}",
                 title_en="", kind=kind, nature=nature,
                 mandatory_basis="《中华人民共和国食品安全法》" if nature == "mandatory" else "", proposer_id=proposer,
                 technical_committee_id=committee, city_code=city, ics_code="", scope="", necessity="",
                 review_decision="", filing_reference="", stage_due_estimated=False, created_by_id=self.user.pk,
                 is_demo=False, submitted_on=None)
        ev: list[tuple[datetime, str, dict, bool]] = []
        ev.append((_at(t0, rng), "created", {
            "code": p["code"], "title_zh": p["title_zh"], "kind": kind, "nature": nature, "proposer": str(proposer),
            "drafting_organisations": [], "technical_committee": str(committee or ""), "city_code": city,
            "revises": "", "predecessor": ""}, False))
        consultation = self.stays(pid, p, stays, ev)
        if consultation:
            self.comments(i, pid, ev, consultation)
        p["version"] = len(ev)
        p["created_at"] = ev[0][0]
        ev.sort(key=lambda e: e[0])
        p["updated_at"] = ev[-1][0]
        self.write_events(pid, ev)
        for k in rng.sample(self.drafters, rng.choice((1, 1, 2, 2, 3))):
            self.m2m.add((pid, k))
        for key in _DATE_COLS:
            p[key] = _db_d(p[key])
        for key in ("stage_entered_at", "created_at", "updated_at"):
            p[key] = _db_dt(p[key])
        self.projects.add(tuple(p[c] for c in _PROJECT_COLS))

    def stays(self, pid: int, p: dict, stays: list[tuple], ev: list) -> tuple[datetime, datetime] | None:
        """The project's stages and the events of its moves; the last closed consultation (entered_at, left_at)."""
        rng = self.rng
        last_at = ev[0][0]
        consultation = None
        for n, (state, entered, left, action) in enumerate(stays):
            entered_at = last_at if n == 0 else _at(entered, rng)
            if n and entered_at <= last_at:
                entered_at = last_at + timedelta(seconds=1)
            due = entered + timedelta(days=_DUE_DAYS[state]) if state in _DUE_DAYS else None
            self.milestones(pid, p, state, entered, left, action)
            p["state"] = state.value
            p["stage_entered_at"] = entered_at
            p["stage_due_on"] = due
            if left is None:
                self.stages.add((pid, state.value, _db_dt(entered_at), None, _db_d(due)))
                break
            left_at = _at(left, rng)
            if left_at <= entered_at:
                left_at = entered_at + timedelta(hours=1)
            self.stages.add((pid, state.value, _db_dt(entered_at), _db_dt(left_at), _db_d(due)))
            for doc in _DOCS_BEFORE.get(action, []):
                ev.append((left_at - timedelta(minutes=30 + rng.randrange(600)), "document_uploaded", {
                    "document": doc, "version": 1, "filename": f"{doc}.pdf",
                    "sha256": f"{rng.getrandbits(256):064x}", "size": rng.randrange(50_000, 5_000_000)},
                    doc in ("draft_for_comment", "published_text")))
            if state == State.CONSULTATION:
                consultation = (entered_at, left_at)
            nxt = stays[n + 1][0].value if n + 1 < len(stays) else state.value
            ev.append((left_at, "state_changed", {
                "action": action, "from": state.value, "to": nxt, "reason": "", "roles": ["bureau"],
                "changes": {"state": [state.value, nxt]}, "documents": {}}, action in _PUBLIC_ACTIONS))
            last_at = left_at
            if state == State.PUBLISHED and p["filed_on"]:
                ev.append((_at(p["disclosed_on"], rng), "milestone", {"action": "record_disclosure"}, True))
                ev.append((_at(p["filed_on"], rng), "milestone", {"action": "record_filing"}, False))
        return consultation

    def milestones(self, pid: int, p: dict, state: State, entered: date, left: date | None, action: str) -> None:
        """The project's dates set on entering `state`."""
        if state == State.DRAFTING and p["plan_issued_on"] is None:
            p["plan_issued_on"] = entered
            p["cycle_due_on"] = entered + timedelta(days=457)
        if state == State.PUBLICITY:
            p["publicity_opened_on"] = p["publicity_opened_on"] or entered
        if state == State.ASSESSMENT:
            p["submitted_on"] = p["submitted_on"] or entered
        if state == State.CONSULTATION:
            p["consultation_opened_on"] = entered
            p["consultation_closes_on"] = entered + timedelta(days=30)
        if state == State.PUBLISHED and p["published_on"] is None:
            self.published(pid, p, entered, left)
        if state == State.IMPLEMENTING and p["review_due_on"] is None:
            p["review_due_on"] = entered + timedelta(days=5 * 365)
        if state == State.TECHNICAL_REVIEW and left:
            p["review_decision"] = "pass" if action == "submit_for_approval" else "fail"

    def published(self, pid: int, p: dict, entered: date, left: date | None) -> None:
        p["published_on"] = entered
        self.numbers_by_year[entered.year] = self.numbers_by_year.get(entered.year, 0) + 1
        prefix = "DB44/" if p["nature"] == "mandatory" else "DB44/T"
        p["number"] = f"{prefix} {self.numbers_by_year[entered.year]:05d}—{entered.year}"
        p["implementation_on"] = entered + timedelta(days=90)
        p["filing_due_on"] = entered + timedelta(days=60)
        p["disclosure_due_on"] = entered + timedelta(days=20)
        if left or self.today > entered + timedelta(days=40):
            yesterday = self.today - timedelta(days=1)
            p["disclosed_on"] = min(yesterday, entered + timedelta(days=self.rng.randrange(5, 30)))
            p["filed_on"] = min(yesterday, entered + timedelta(days=self.rng.randrange(20, 75)))
            p["filing_reference"] = f"备案号 {pid}"

    def comments(self, i: int, pid: int, ev: list, consultation: tuple[datetime, datetime]) -> None:
        """Comments received and answered make up the events the moves alone do not reach: the running total keeps
        to n_events / n_projects per project, and one project gets PAGE_EVENTS."""
        rng = self.rng
        if self.page_project is None and i >= self.n_projects // 2:
            self.page_project = pid
            extra = PAGE_EVENTS - len(ev)
        else:
            extra = min(200, max(0, round((i + 1) * self.n_events / self.n_projects - self.total_events - len(ev))))
        opened, closed = consultation
        for k in range(extra // 2 + extra % 2):
            ev.append((opened + (closed - opened) * rng.random(), "comment_received",
                       {"comment": k + 1, "clause": f"{rng.randrange(1, 9)}.{rng.randrange(1, 6)}"}, False))
        for k in range(extra // 2):
            ev.append((closed - timedelta(minutes=1 + k), "comment_answered",
                       {"comment": k + 1, "resolution": rng.choice(["adopted", "partly_adopted", "not_adopted"])},
                       False))

    def write_events(self, pid: int, ev: list) -> None:
        """Hash and write the project's events, never more than asked for in total (the last projects get what is
        left)."""
        subject = f"{SUBJECT_PREFIX}{pid}"
        budget = self.n_events - self.total_events - (self.subjects_left - 1)
        if pid != self.page_project:
            ev = ev[:max(1, budget)]
        prev = ""
        for seq, (at, kind_, data, public) in enumerate(ev, start=1):
            text = _data(data)
            digest = chain.stored_hash(subject, seq, chain.format_at(at), self.user.pk, self.label, kind_, public,
                                       text, prev)
            self.events.add((subject, seq, _db_dt(at), self.user.pk, self.label, kind_, public, text, prev, digest))
            prev = digest
        self.total_events += len(ev)
        self.subjects_left -= 1


def generate(n_projects: int, n_events: int, *, seed: int = 11, today: date | None = None) -> dict:
    """Write `n_projects` projects with their stages, drafting organisations and `n_events` trail events.

    Spreads: cities weighted towards Guangzhou and Shenzhen, 30 competent departments and 21 city bureaus as
    proposers, 60 technical committees, plans issued over the last eleven years, lognormal stage durations slowed or
    sped by department, city and year (later years faster), 12 % sent back from technical review, 6 % rejected,
    3 % cancelled. Events are hashed exactly as trail.services.record would, so `yuebiao trail verify` passes.
    Returns the code of the project given PAGE_EVENTS events (for the project-page measurement).
    """
    gen = _Generator(random.Random(seed), today or date.today(), n_projects, n_events)
    gen.run()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [LocalStandardProject, ProjectStage, Event]):
                cur.execute(sql)
    page_project = gen.page_project
    return {"projects": gen.projects.written, "stages": gen.stages.written, "events": gen.events.written,
            "page_project": LocalStandardProject.objects.get(pk=page_project).code if page_project else None}


# ---------------------------------------------------------------------------------------------------------------
# Measurements


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def _timed_get(client: Client, url: str, params: dict | None = None) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return elapsed, response


def _series(label: str, times: list[float]) -> dict:
    out = {"median_ms": statistics.median(times), "p95_ms": _percentile(times, 95), "runs": len(times)}
    print(f"  {label:<58} median {out['median_ms']:7.1f} ms   p95 {out['p95_ms']:7.1f} ms   ({len(times)} requests)")
    return out


def _forget_figures() -> None:
    """Drop the cached figures, as a new revision would, but not the ten-minute consistency check's mark."""
    cache.clear()
    cache.add(analytics_facts._CHECKED_KEY, True, analytics_facts.FACT_CHECK_SECONDS)


def _generate_or_reuse(args: argparse.Namespace, out: dict, user: User) -> None:
    """Generate the rows unless an earlier run of the same size left them (then its generation figures are kept)."""
    have = LocalStandardProject.objects.filter(created_by=user).count()
    have_events = Event.objects.filter(subject__startswith=SUBJECT_PREFIX).count()
    prev = json.loads(Path(args.json_out).read_text()) if Path(args.json_out).exists() else {}
    if have == args.projects and have_events == args.events and prev.get("page_project"):
        for key in ("generate_s", "vacuum_analyze_s", "fact_rows", "fact_build_s", "page_project", "stages"):
            out[key] = prev.get(key)
        analytics_facts.ensure_facts(check=True)
        print("lifecycle rows already generated; generation figures from the previous run")
        return
    if have:
        _clear_bench_rows(user)
    started = time.perf_counter()
    made = generate(args.projects, args.events)
    out["generate_s"] = time.perf_counter() - started
    out["page_project"] = made["page_project"]
    out["stages"] = made["stages"]
    print(f"generated {made['projects']:,} projects, {made['stages']:,} stages and {made['events']:,} trail events "
          f"in {out['generate_s']:.0f} s (hashes included)")
    started = time.perf_counter()
    with connection.cursor() as cur:
        # As autovacuum / a nightly ANALYZE would leave it: statistics for the planner, PostgreSQL's visibility map.
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    out["vacuum_analyze_s"] = time.perf_counter() - started
    started = time.perf_counter()
    out["fact_rows"] = analytics_facts.refresh_facts()
    out["fact_build_s"] = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute(f"{'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'} lifecycle_cyclefact")
    print(f"vacuum/analyze {out['vacuum_analyze_s']:.1f} s; summary table CycleFact: {out['fact_rows']:,} rows "
          f"in {out['fact_build_s']:.1f} s (once; later changes are summarised a project at a time)")


def _measure_dashboard(client: Client, n: int, user: User, out: dict) -> None:
    """The cycle-time dashboard uncached, after one project changed, cached, and three filtered variants."""
    url = reverse("lifecycle:analytics")
    print(f"dashboard {url} through Django's test client, signed in as a provincial officer:")
    cold = []
    for _ in range(n):
        _forget_figures()
        cold.append(_timed_get(client, url)[0])
    out["dashboard_uncached"] = _series("uncached (figures computed from CycleFact)", cold)
    # The usual way the cache goes stale: one project moves on, its summary row is refreshed, figures recomputed.
    published = list(LocalStandardProject.objects.filter(created_by=user, published_on__isnull=False)
                     .order_by("id").values_list("id", flat=True)[:n])
    changed = []
    for pid in published:
        project = LocalStandardProject.objects.get(pk=pid)
        project.save(update_fields=["updated_at"])
        changed.append(_timed_get(client, url)[0])
    out["dashboard_after_change"] = _series("after a project changed (1 summary row + figures)", changed)
    warm = [_timed_get(client, url)[0] for _ in range(n)]
    out["dashboard_cached"] = _series("cached (same revision)", warm)
    data = analytics_queries.cycle_time(analytics_filters.Filters(), groupings=("city",))
    out["figures"] = {"completed": data["completed"]["count"], "mean_months": data["completed"]["mean_months"],
                      "median_months": data["completed"]["median_months"],
                      "over_target_share": data["completed"]["over_target_share"],
                      "in_progress": data["in_progress"]["count"], "bottleneck": data["bottleneck"]["state"]}
    for label, params in (("by committee, sorted by mean", {"by": "committee", "sort": "-mean"}),
                          ("filtered: nature=recommended", {"nature": "recommended"}),
                          ("filtered: city=440100, 2022–2024", {"city": "440100", "year_from": "2022", "year_to": "2024"})):
        times = []
        for _ in range(max(3, n // 4)):
            _forget_figures()
            times.append(_timed_get(client, url, params)[0])
        out.setdefault("dashboard_variants", {})[label] = _series(f"uncached, {label}", times)


def _measure_project_page(client: Client, out: dict) -> None:
    """The project page (and its trail page) of the project with PAGE_EVENTS events."""
    code = out["page_project"]
    try:
        page_url = reverse("lifecycle:project", args=[code])
    except NoReverseMatch:
        page_url = None
    events = Event.objects.filter(subject=f"{SUBJECT_PREFIX}{LocalStandardProject.objects.get(code=code).pk}").count()
    if page_url:
        times, queries = [], []
        for _ in range(10):
            with CaptureQueriesContext(connection) as captured:
                times.append(_timed_get(client, page_url)[0])
            queries.append(len(captured.captured_queries))
        out["project_page"] = {"url": page_url, "events": events, **_series(f"project page, {events} events", times),
                               "queries": max(queries)}
        print(f"  project page queries: {max(queries)}")
        # The page shows the latest events; the trail page renders all of them with their hashes.
        trail_url = reverse("lifecycle:project-trail", args=[code])
        times = [_timed_get(client, trail_url)[0] for _ in range(5)]
        out["trail_page"] = {"url": trail_url, "events": events, **_series(f"trail page, {events} events", times)}
    else:
        times = []
        for _ in range(10):
            started = time.perf_counter()
            trail_services.timeline(LocalStandardProject.objects.get(code=code))
            times.append((time.perf_counter() - started) * 1000)
        out["project_page"] = {"url": None, "events": events, "timeline_only": True,
                               **_series(f"trail.services.timeline of {events} events (no project page)", times)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=20, help="dashboard requests per measurement")
    parser.add_argument("--json-out", required=True)
    args = parser.parse_args()
    out: dict = {"database": connection.vendor, "projects": args.projects, "events": args.events}
    call_command("migrate", verbosity=0)
    if not AdminDivision.objects.exists():
        load_reference()
    user = _bench_user()
    _generate_or_reuse(args, out, user)

    started = time.perf_counter()
    result = trail_services.verify()
    out["trail_verify_s"] = time.perf_counter() - started
    assert result.ok, result.first.describe()
    out["trail_verify_events_per_s"] = result.events / out["trail_verify_s"]
    print(f"trail verify: {result.events:,} events in {result.chains:,} chains pass, "
          f"{out['trail_verify_events_per_s']:,.0f} events/s")

    client = Client()
    client.force_login(_officer())
    _measure_dashboard(client, args.requests, user, out)

    api = [_timed_get(client, "/api/lifecycle/analytics/cycle-time", {"by": "city"})[0] for _ in range(3)]
    out["api_cached_ms"] = statistics.median(api)

    _forget_figures()
    started = time.perf_counter()
    response = client.get(reverse("lifecycle:analytics_export"))
    out["export_s"] = time.perf_counter() - started
    assert response.status_code == 200
    out["export_mb"] = len(response.content) / 1e6
    print(f"Excel export of every project ({out['export_mb']:.1f} MB): {out['export_s']:.1f} s")

    _measure_project_page(client, out)
    Path(args.json_out).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
