"""The demo data set (演示数据): organisations, users of every role, and seeded standards of every level."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Role
from accounts.services import create_organisation, create_user
from catalogue.models import Standard
from catalogue.services import upsert_standards
from catalogue.synthetic import generate_demo_records

DEMO_PASSWORD = "yuebiao-demo-2026"
DEMO_SOURCE = "demo"
DEMO_NOTE = "演示数据：虚构的标准题录，仅用于展示平台功能。"

# (organisation, kind, region, [(username, display name, roles)])
DEMO_ORGANISATIONS = [
    ("广东省市场监督管理局（演示）", Organisation.Kind.PROVINCIAL_BUREAU, "440000", [
        ("admin", "省局管理员", [Role.PROVINCIAL_ADMIN]),
        ("sheng", "省局标准化处 李明", [Role.PROVINCIAL_OFFICER]),
    ]),
    ("广州市市场监督管理局（演示）", Organisation.Kind.CITY_BUREAU, "440100", [
        ("guangzhou", "广州市局 陈静", [Role.CITY_OFFICER]),
    ]),
    ("深圳市市场监督管理局（演示）", Organisation.Kind.CITY_BUREAU, "440300", [
        ("shenzhen", "深圳市局 王磊", [Role.CITY_OFFICER]),
    ]),
    ("广东省农业农村厅（演示）", Organisation.Kind.COMPETENT_DEPARTMENT, "440000", [
        ("dept", "行业主管部门 赵强", [Role.DEPARTMENT_OFFICER]),
    ]),
    ("广东省环境保护标准化技术委员会（演示）", Organisation.Kind.TECHNICAL_COMMITTEE, "440000", [
        ("tc", "标委会秘书处 周红", [Role.COMMITTEE_SECRETARY]),
    ]),
    ("广东省标准化研究院（演示）", Organisation.Kind.DRAFTING_ORGANISATION, "440100", [
        ("drafter", "起草单位 黄伟", [Role.DRAFTER]),
    ]),
    ("佛山示范家电有限公司（演示）", Organisation.Kind.ENTERPRISE, "440600", [
        ("enterprise", "企业标准化专员 梁芳", [Role.ENTERPRISE_USER]),
    ]),
    ("广东省示范产业协会（演示）", Organisation.Kind.ASSOCIATION, "440100", [
        ("association", "协会秘书长 何军", [Role.ASSOCIATION_USER]),
    ]),
    ("广东示范标准评估中心（演示）", Organisation.Kind.EVALUATION_AGENCY, "440300", [
        ("evaluator", "评估师 郑洁", [Role.EVALUATOR]),
        ("expert", "专家 刘教授", [Role.EXPERT]),
    ]),
]


@dataclass
class DemoResult:
    users: list[tuple[str, str]]
    created: int
    updated: int
    unchanged: int
    skipped: int


def load_demo(*, standards: int = 600, seed: int = 20240901) -> DemoResult:
    """Create the demo organisations, users and standards; idempotent (same seed, same data)."""
    users: list[tuple[str, str]] = []
    with transaction.atomic():
        for name, kind, region, members in DEMO_ORGANISATIONS:
            org = create_organisation(name=name, kind=kind, region_code=region, is_demo=True)
            for username, display, roles in members:
                user = create_user(
                    username=username, password=DEMO_PASSWORD, organisation=org, roles=roles,
                    display_name=display,
                )
                if Role.PROVINCIAL_ADMIN in roles and not user.is_staff:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                users.append((username, display))
        # Never imitate a real record: no real title again, no real number (with or without /T) reused.
        real = Standard.objects.filter(is_demo=False)
        records = generate_demo_records(
            standards, seed=seed, today=timezone.localdate(),
            avoid_titles=frozenset(real.values_list("title_zh", flat=True)),
            taken=frozenset(f"{p.removesuffix('/T').removesuffix('/')} {s}"
                            for p, s in real.values_list("prefix", "sequence")),
        )
        kept = [{**r, "notes": DEMO_NOTE} for r in records]
        result = upsert_standards(kept, source=DEMO_SOURCE, is_demo=True)
    return DemoResult(users, result.created, result.updated, result.unchanged, len(records) - len(kept))
