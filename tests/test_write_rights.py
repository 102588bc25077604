"""Every write path checks the object it touches: each write operation of the API (read from the OpenAPI schema)
and each POST view (read from the URL conf), tried by every demo role and by an anonymous visitor on objects
owned by someone else, is refused and changes nothing, unless the table below says why that role may.

The objects belong to organisations none of the probing users is in: a Shantou (440500) standard and projects of
a department, drafting organisation, committee, evaluator and expert of their own; the comparison, import batch
and notice are the provincial officer's. Provincial roles maintain everything in the province: where they may
act, the table says so instead of expecting a refusal.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Organisation, User
from yuebiao.demo import load_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROLES = ["admin", "sheng", "guangzhou", "shenzhen", "dept", "tc", "drafter", "enterprise", "association",
         "evaluator", "expert", None]  # None: not signed in
PROVINCIAL = {"admin", "sheng"}
EVERY_USER = set(ROLES) - {None}
REFUSED = "refused"  # 401/403/404, or a redirect to the sign-in page; nothing changes
UNCHANGED = "unchanged"  # the operation touches only the caller's own things: any answer, nothing of others changes
ALLOWED = "allowed"  # the role may do this to this object by design; any answer but a server error
ROW_ERROR = "row error"  # imports: the row touching the other region's standard is refused, nothing else changes

# Tables whose rows count as "the database" here; sessions, the task queue and the sign-in audit are not records.
_WATCHED_APPS = {"catalogue", "lifecycle", "compare", "notify", "trail", "smart", "accounts"}
_NOT_WATCHED = {"IcsCode", "CcsCode", "HsCode", "AdminDivision", "Sector", "CalendarDay"}


def expectations(op: str) -> dict:
    """{role: outcome} for one write operation; every role not named is expected to be refused."""
    bureau = {r: ALLOWED for r in PROVINCIAL}
    table = {
        # Parsing and checking an uploaded text store nothing: any signed-in user, and nothing changes.
        "POST /api/smart/parse": {r: UNCHANGED for r in EVERY_USER},
        "POST /api/smart/check": {r: UNCHANGED for r in EVERY_USER},
        # Public consultation and implementation feedback are open to everyone (anonymous with a captcha).
        "POST /api/lifecycle/consultations/{code}/comments": {r: ALLOWED for r in ROLES},
        "POST /api/lifecycle/standards/{slug}/feedback": {r: ALLOWED for r in ROLES},
        "view lifecycle:consultation": {r: ALLOWED for r in ROLES},
        "view lifecycle:feedback": {r: ALLOWED for r in ROLES},
        # Comparing two published catalogue texts makes the caller's own comparison record.
        "POST /api/compare/": {r: ALLOWED for r in EVERY_USER},
        "view compare:home": {r: ALLOWED for r in EVERY_USER},
        "view compare:counterparts": {r: UNCHANGED for r in EVERY_USER},
        # Marking notices read touches only the caller's own notices (someone else's id changes nothing).
        "POST /api/notices/read": {r: UNCHANGED for r in EVERY_USER},
        "view notify:read-all": {r: UNCHANGED for r in EVERY_USER},
        # Imports: the provincial bureau maintains every standard; a city officer gets a row error.
        "POST /api/standards/import": {**bureau, "guangzhou": ROW_ERROR, "shenzhen": ROW_ERROR},
        "view catalogue:import": {**bureau, "guangzhou": ROW_ERROR, "shenzhen": ROW_ERROR},
        "view catalogue:standard-full-text": bureau,
        # Proposing: the bureau and a provincial competent department may propose for any city.
        "POST /api/lifecycle/projects": {**bureau, "dept": ALLOWED},
        "view lifecycle:propose": {**bureau, "dept": ALLOWED},
        # Signing in and out, the language, one's own profile: no one else's record.
        # Signing in (here: a failed attempt on someone else's name) and out write sign-in events to the trail,
        # and the failure to django-axes' own table: by design, for everyone; no other record may change.
        "view accounts:login": {r: ALLOWED for r in ROLES},
        "view accounts:logout": {r: ALLOWED for r in ROLES},
        "view accounts:profile": {r: UNCHANGED for r in EVERY_USER},
        "view set_language": {r: UNCHANGED for r in ROLES},
    }
    # The project's own work (moves, documents, comments, panel, evaluation, references, reviews, the expert pool,
    # the statutory periods, feedback handling) is the bureau's anywhere in the province.
    return table.get(op, bureau)


# ---------------------------------------------------------------------------------------------------------------
# The world: demo users, and objects none of them owns.


def _outsiders() -> dict:
    def person(username, role, kind, region="440500"):
        from accounts.services import create_organisation, create_user

        org = create_organisation(name=f"{username} 机构（外部）", kind=kind, region_code=region)
        return create_user(username=username, password="outside-pass-1", organisation=org, roles=[role])

    return {
        "sheng": User.objects.get(username="sheng"),
        "dept": person("x-dept", "department_officer", Organisation.Kind.COMPETENT_DEPARTMENT, "440000"),
        "drafter": person("x-drafter", "drafter", Organisation.Kind.DRAFTING_ORGANISATION),
        "tc": person("x-tc", "committee_secretary", Organisation.Kind.TECHNICAL_COMMITTEE, "440000"),
        "evaluator": person("x-evaluator", "evaluator", Organisation.Kind.EVALUATION_AGENCY),
        "expert": person("x-expert", "expert", Organisation.Kind.EVALUATION_AGENCY),
        "guangzhou": User.objects.get(username="guangzhou"),
    }


@pytest.fixture
def world(settings, tmp_path, make_record):
    from catalogue.imports import preview_import
    from catalogue.models import Standard
    from catalogue.services import upsert_standards
    from compare import actions as compare_actions
    from compare import services as compare_services
    from lifecycle import demo
    from lifecycle import periods as lifecycle_periods
    from lifecycle import references as refs
    from lifecycle.implementation import actions as implementation_actions
    from lifecycle.models import ImplementationEvaluation, ImplementationFeedback, PanelMember
    from lifecycle.projects import actions as project_actions
    from lifecycle.transitions import State
    from notify.services import send

    settings.MEDIA_ROOT = str(tmp_path)
    load_demo(standards=20)
    lifecycle_periods.ensure_periods()
    people = _outsiders()
    experts = demo._experts(people)
    upsert_standards([make_record("DB4405/T 9301—2022", "汕头市的标准", implemented_on="2022-06-01")], source="t")
    standard = Standard.objects.get(number="DB4405/T 9301—2022")

    def project(title, until):
        p = project_actions.propose(by=people["dept"], title_zh=title, drafting_organisations=[people["drafter"].organisation],
                             technical_committee=people["tc"].organisation, city_code="440500")
        return demo._walk(p, people, until, title=title, experts=experts)

    consulting = project("外部征求意见项目", State.CONSULTATION)
    demo._comments(consulting, people)
    reviewing = project("外部技术审查项目", State.TECHNICAL_REVIEW)
    demo._review(reviewing, people, experts, "外部技术审查项目", conclude=False)
    seat = PanelMember.objects.filter(panel__project=reviewing, expert__user=people["expert"]).first()
    evaluation = ImplementationEvaluation.objects.create(project=reviewing, agency=people["evaluator"].organisation,
                                                         commissioned_by=people["sheng"])
    feedback = implementation_actions.submit_feedback(standard=standard, kind="problem", text="外部反馈", user=people["dept"])
    reference = refs.add_reference(project=consulting, number="GB/T 1.1—2020", by=people["sheng"])
    sheng = people["sheng"]
    batch = preview_import(data="标准号,标准名称\nDB4405/T 9302—2022,省局的批次\n".encode(), filename="b.csv", by=sheng)
    comparison = compare_actions.compare_sides(
        compare_services.side_from_upload("1 范围\n本文件适用于试验。".encode(), "草案甲.txt"),
        compare_services.side_from_upload("1 范围\n本文件适用于检验。".encode(), "草案乙.txt"), by=sheng)
    notice = send([people["dept"]], kind="test", subject="别人的通知", body="", email=False)[0]
    comment = consulting.comments.filter(resolution="").first()
    document = consulting.documents.first()
    return {
        "standard": standard, "consulting": consulting, "reviewing": reviewing, "seat": seat,
        "evaluation": evaluation, "feedback": feedback, "reference": reference, "batch": batch,
        "comparison": comparison, "notice": notice, "comment": comment, "document": document,
        "expert": experts[1], "people": people, "feedback_model": ImplementationFeedback,
    }


def _fingerprint(skip: frozenset = frozenset()) -> str:
    """A hash over every row of the watched tables (plain SQL: it runs twice per request tried)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in apps.get_models():
            meta = model._meta
            if meta.app_label not in _WATCHED_APPS or model.__name__ in _NOT_WATCHED | skip:
                continue
            columns = ", ".join(f.column for f in meta.concrete_fields if f.attname != "last_login")
            cursor.execute(f"SELECT {columns} FROM {meta.db_table} ORDER BY {meta.pk.column}")
            digest.update(repr((meta.label, cursor.fetchall())).encode())
    return digest.hexdigest()


OWN_NOTICES = {"POST /api/notices/read", "view notify:read-all", "view notify:read"}


def _row(obj) -> str:
    return repr(type(obj).objects.filter(pk=obj.pk).values().first())


def _client(role) -> Client:
    client = Client(raise_request_exception=False)
    if role:
        client.force_login(User.objects.get(username=role))
    return client


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and reverse("accounts:login") in response.get("Location", "")


def _file(name: str, data: bytes):
    f = io.BytesIO(data)
    f.name = name
    return f


# ---------------------------------------------------------------------------------------------------------------
# What each operation is sent.


def _import_rows(w) -> bytes:
    return f"标准号,标准名称,状态,废止日期\n{w['standard'].number},被改写,废止,2026-01-01\n".encode()


def api_call(op: str, w) -> tuple[str, dict]:
    """(path, keyword arguments for Client.post) for an API operation of the schema."""
    consulting, reviewing = w["consulting"].code, w["reviewing"].code
    paths = {
        "{code}": reviewing if "panel" in op or "moves" in op else consulting,
        "{comment_id}": str(w["comment"].pk), "{member_id}": str(w["seat"].pk),
        "{evaluation_id}": str(w["evaluation"].pk), "{slug}": w["standard"].slug,
    }
    path = op.split(" ", 1)[1]
    for key, value in paths.items():
        path = path.replace(key, value)
    docx = demo_docx()
    today = timezone.localdate().isoformat()
    bodies = {
        "POST /api/standards/import": {"data": {"file": _file("rows.csv", _import_rows(w))}, "query": "?mode=valid_only"},
        "POST /api/standards/{slug}/full-text": {"data": {"file": _file("全文.pdf", b"%PDF-1.4\n%%EOF\n")}},
        "POST /api/smart/parse": {"data": {"file": _file("d.docx", docx)}},
        "POST /api/smart/check": {"data": {"file": _file("d.docx", docx)}},
        "POST /api/lifecycle/projects": {"json": {"title_zh": "汕头市的项目", "city_code": "440500"}},
        "POST /api/lifecycle/projects/{code}/moves": {"json": {"action": "close_consultation"}},
        "POST /api/lifecycle/projects/{code}/documents": {"data": {"kind": "draft_for_review",
                                                                   "file": _file("送审稿.docx", docx)}},
        "POST /api/lifecycle/consultations/{code}/comments": {"json": {"text": "意见", "author_name": "某人"}},
        "POST /api/lifecycle/projects/{code}/comments/{comment_id}/answer": {"json": {"resolution": "adopted"}},
        "POST /api/lifecycle/projects/{code}/panel": {"json": {
            "expert_ids": [w["expert"].pk], "chair_id": w["expert"].pk, "meeting_on": today}},
        "POST /api/lifecycle/projects/{code}/panel/members/{member_id}/conclusion": {"json": {"conclusion": "pass"}},
        "POST /api/lifecycle/projects/{code}/panel/decision": {"json": {"decision": "pass"}},
        "POST /api/lifecycle/standards/{slug}/feedback": {"json": {"kind": "problem", "text": "反馈"}},
        "POST /api/lifecycle/evaluations/{evaluation_id}/scores": {"json": {"scores": {}, "conclusion": "好"}},
        "POST /api/notices/read": {"json": {"ids": [w["notice"].pk]}},
        "POST /api/compare/": {"data": {"a_number": w["standard"].number, "b_number": w["standard"].number}},
    }
    spec = bodies[op]
    kwargs = {"data": json.dumps(spec["json"]), "content_type": "application/json"} if "json" in spec else {
        "data": spec["data"]}
    return path + spec.get("query", ""), kwargs


def demo_docx() -> bytes:
    from lifecycle.demo import _docx

    return _docx("外部草案", "1 范围\n本文件规定了试验方法。")


def view_call(name: str, w) -> tuple[str, dict] | None:
    """(path, keyword arguments for Client.post) for a POST view; None for a view that takes no POST."""
    c, r, std = w["consulting"].code, w["reviewing"].code, w["standard"].slug
    docx = demo_docx()
    calls = {
        "catalogue:standard-full-text": ([std], {"file": _file("全文.pdf", b"%PDF-1.4\n%%EOF\n")}),
        "catalogue:import": ([], {"file": _file("rows.csv", _import_rows(w))}),
        "catalogue:import-commit": ([w["batch"].pk], {"mode": "valid_only"}),
        "notify:read-all": ([], {}),
        "notify:read": ([w["notice"].pk], {}),
        "lifecycle:propose": ([], {"title_zh": "汕头市的项目", "city_code": "440500", "kind": "new",
                                  "nature": "recommended"}),
        "lifecycle:act": ([c], {"action": "close_consultation"}),
        "lifecycle:upload": ([c], {"kind": "draft_for_review", "file": _file("送审稿.docx", docx)}),
        "lifecycle:periods": ([], {"key": "consultation", "amount": "1", "unit": "calendar_days"}),
        "lifecycle:consultation": ([c], {"text": "意见", "author_name": "某人"}),
        "lifecycle:comment-answer": ([c, w["comment"].pk], {"resolution": "adopted"}),
        "lifecycle:comment-table-attach": ([c], {}),
        "lifecycle:expert-add": ([], {"name": "新专家", "organisation": "某单位", "speciality": "环境"}),
        "lifecycle:experts-import": ([], {"file": _file("e.xlsx", b"PK\x03\x04")}),
        "lifecycle:expert-edit": ([w["expert"].pk], {"name": "改名", "organisation": "某单位"}),
        "lifecycle:expert-active": ([w["expert"].pk], {"active": "0", "reason": "测试"}),
        "lifecycle:review-form": ([r], {"expert": [w["expert"].pk], "chair": w["expert"].pk,
                                        "meeting_on": timezone.localdate().isoformat()}),
        "lifecycle:review-conclusion": ([r, w["seat"].pk], {"conclusion": "pass"}),
        "lifecycle:review-decision": ([r], {"decision": "pass"}),
        "lifecycle:feedback": ([std], {"kind": "problem", "text": "反馈"}),
        "lifecycle:feedback-respond": ([w["feedback"].pk], {"response": "已处理"}),
        "lifecycle:feedback-review": ([w["feedback"].pk], {"response": "复审"}),
        "lifecycle:evaluation-score": ([r], {"conclusion": "好"}),
        "lifecycle:evaluation-submit": ([r], {"file": _file("报告.docx", docx)}),
        "lifecycle:evaluation-review": ([r], {}),
        "lifecycle:reference-add": ([c], {"number": "GB/T 2—2020"}),
        "lifecycle:references-refresh": ([c], {}),
        "lifecycle:reference-remove": ([c, w["reference"].pk], {}),
        "lifecycle:review-conclude": ([r], {"action": "confirm", "reason": "测试"}),
        "compare:home": ([], {"a_number": w["standard"].number, "b_number": w["standard"].number}),
        "compare:counterparts": ([], {"number": w["standard"].number}),
        "accounts:login": ([], {"username": "sheng", "password": "wrong-password"}),
        "accounts:logout": ([], {}),
        "accounts:profile": ([], {}),
        "set_language": ([], {"language": "en", "next": "/"}),
    }
    if name not in calls:
        return None
    args, data = calls[name]
    return reverse(name, args=args), {"data": data}


# ---------------------------------------------------------------------------------------------------------------


def _api_write_operations() -> list[str]:
    from yuebiao.api import api

    schema = api.get_openapi_schema()
    return sorted(f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops if m != "get")


def _named_views(patterns, prefix="") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith(("admin/", "api/")):
                continue
            ns = f"{p.namespace}:" if p.namespace else prefix
            names += _named_views(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.append(prefix + p.name)
    return names


def _check(op: str, path: str, kwargs: dict, w, failures: list[str]) -> None:
    expected = expectations(op)
    for role in ROLES:
        outcome = expected.get(role, REFUSED)
        # An importer's own batch and a reader's own notices are theirs to change; someone else's notice is not.
        skip = frozenset({"ImportBatch"}) if outcome == ROW_ERROR else frozenset(
            {"Notice"}) if op in OWN_NOTICES else frozenset()
        client = _client(role)  # signing in is an event of its own (the trail): before the fingerprint
        before = _fingerprint(skip) + _row(w["notice"])
        standard_before = w["standard"].__class__.objects.filter(pk=w["standard"].pk).values().first()
        body = {k: (_file(v.name, v.getvalue()) if isinstance(v, io.BytesIO) else v)
                for k, v in kwargs.get("data", {}).items()} if isinstance(kwargs.get("data"), dict) else kwargs["data"]
        response = client.post(path, **{**kwargs, "data": body})
        after = _fingerprint(skip) + _row(w["notice"])
        who = role or "anonymous"
        if response.status_code >= 500:
            failures.append(f"{op} as {who}: server error {response.status_code}")
        elif outcome == REFUSED and not (_refused(response) and before == after):
            failures.append(f"{op} as {who}: expected a refusal, got {response.status_code}"
                            f"{' and a change' if before != after else ''}")
        elif outcome == UNCHANGED and before != after:
            failures.append(f"{op} as {who}: changed records it does not own ({response.status_code})")
        elif outcome == ROW_ERROR:
            text = json.dumps(response.json(), ensure_ascii=False) if response.get("Content-Type", "").startswith(
                "application/json") else response.content.decode(errors="replace")
            now = w["standard"].__class__.objects.filter(pk=w["standard"].pk).values().first()
            # The API answers the report (or, with no row left, a 400 naming the first row); the page redirects to it.
            if before != after or now != standard_before or ("无权修改" not in text and response.status_code != 302):
                failures.append(f"{op} as {who}: expected a row error and no change ({response.status_code})")


def test_every_write_operation_refuses_other_peoples_objects(world):
    failures: list[str] = []
    operations = _api_write_operations()
    for op in operations:
        try:
            path, kwargs = api_call(op, world)
        except KeyError:
            failures.append(f"{op}: a write operation this test does not know; add what to send and who may")
            continue
        _check(op, path, kwargs, world, failures)
    for name in _named_views(get_resolver().url_patterns):
        call = view_call(name, world)
        if call is None:
            # Declared as taking no POST: a POST by the bureau must be refused as a method or change nothing.
            url = _sample_url(name, world)
            if url is None:
                continue
            client = _client("admin")
            before = _fingerprint()
            response = client.post(url)
            if response.status_code != 405 and _fingerprint() != before:
                failures.append(f"view {name}: a POST changed records but the view is listed as read-only")
            continue
        path, kwargs = call
        _check(f"view {name}", path, kwargs, world, failures)
    assert failures == [], "\n".join(failures)


def _sample_url(name: str, w) -> str | None:
    """A URL for a read-only view, with arguments from the world (None when it needs ones not tried here)."""
    samples = {"slug": w["standard"].slug, "code": w["consulting"].code, "pk": w["document"].pk,
               "key": w["comparison"].key, "kind": "ics", "fmt": "xlsx", "number": "1", "member_id": w["seat"].pk}
    from django.urls import NoReverseMatch

    for args in ([], [samples["slug"]], [samples["code"]], [samples["key"]], [samples["pk"]],
                 [samples["code"], samples["pk"]], [samples["slug"], samples["number"]], ["ics", "01"],
                 [samples["code"], "xlsx"], [samples["code"], "draft_for_comment"], ["xlsx"]):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None
