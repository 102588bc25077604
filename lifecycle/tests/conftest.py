"""Fixtures of the lifecycle room: the people of a project and a helper that walks a project to a given state."""

from __future__ import annotations

import io
import random
from datetime import timedelta

import pytest
from docx import Document

from accounts.models import Organisation
from lifecycle import documents as lifecycle_documents
from lifecycle.projects import actions as project_actions


def docx_bytes(text: str = "征求意见稿") -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(make_user):
    """A bureau officer, a competent department, a drafting organisation, a committee, an evaluator, an outsider."""
    from lifecycle.models import Expert

    bureau = make_user("bureau", "provincial_officer")
    dept = make_user("dept", "department_officer", region="440000", kind=Organisation.Kind.COMPETENT_DEPARTMENT)
    drafter = make_user("drafter", "drafter", region="440100", kind=Organisation.Kind.DRAFTING_ORGANISATION)
    committee = make_user("tc", "committee_secretary", kind=Organisation.Kind.TECHNICAL_COMMITTEE)
    evaluator = make_user("evaluator", "evaluator", kind=Organisation.Kind.EVALUATION_AGENCY)
    other_drafter = make_user("other", "drafter", region="440300", kind=Organisation.Kind.DRAFTING_ORGANISATION)
    experts = []
    for i in range(5):
        user = make_user(f"expert{i}", "expert", kind=Organisation.Kind.EVALUATION_AGENCY if i == 0 else
                         Organisation.Kind.ENTERPRISE)
        experts.append(Expert.objects.create(user=user, name=f"专家{i}", organisation=user.organisation,
                                             speciality="环境"))
    return {"bureau": bureau, "dept": dept, "drafter": drafter, "committee": committee, "evaluator": evaluator,
            "other_drafter": other_drafter, "experts": experts}


@pytest.fixture
def new_project(people):
    def make(title="荔枝干燥加工技术规程", **extra):
        return project_actions.propose(
            by=people["dept"], title_zh=title, drafting_organisations=[people["drafter"].organisation],
            technical_committee=people["committee"].organisation, city_code="440100", **extra,
        )

    return make


@pytest.fixture
def walk(people):
    """Walk a project through the table to `state` the way its users would (documents, comments, panel)."""
    from django.utils import timezone

    from lifecycle.models import PanelMember, ReviewPanel
    from lifecycle.transitions import State

    def up(project, kind, who):
        lifecycle_documents.upload_document(project=project, kind=kind, data=docx_bytes(kind), filename=f"{kind}.docx",
                                 by=people[who])

    def go(project, action, who, **kw):
        return project_actions.advance(project=project, action=action, by=people[who] if who else None, **kw)

    def run(project, until: State):
        today = timezone.localdate()
        steps = [
            (State.APPLICATION, lambda p: (up(p, "application", "dept"), go(p, "submit_application", "dept"))[1]),
            (State.ASSESSMENT, lambda p: go(p, "start_publicity", "bureau")),
            (State.PUBLICITY, lambda p: go(p, "issue_plan", "bureau", today=today + timedelta(days=31))),
            (State.DRAFTING, lambda p: (up(p, "draft_for_comment", "drafter"), up(p, "explanatory_report", "drafter"),
                                        go(p, "publish_draft", "drafter"))[2]),
            (State.CONSULTATION, lambda p: go(p, "close_consultation", "drafter", today=today + timedelta(days=31))),
            (State.RESOLUTION, lambda p: (up(p, "comment_table", "drafter"), up(p, "draft_for_review", "drafter"),
                                          go(p, "submit_for_review", "drafter"))[2]),
            (State.TECHNICAL_REVIEW, lambda p: _pass_review(p)),
            (State.APPROVAL, lambda p: go(p, "approve_publication", "bureau",
                                          data={"published_on": today.isoformat(),
                                                "implementation_on": (today + timedelta(days=90)).isoformat()})),
        ]

        def _pass_review(p):
            panel = ReviewPanel.objects.create(project=p, round=1, created_by=people["committee"], decision="pass",
                                               meeting_on=today)
            for i, expert in enumerate(people["experts"]):
                PanelMember.objects.create(panel=panel, expert=expert, is_chair=i == 0, conclusion="pass",
                                           recorded_at=timezone.now())
            up(p, "review_minutes", "committee")
            up(p, "draft_for_approval", "drafter")
            return go(p, "submit_for_approval", "drafter")

        for state, step in steps:
            project.refresh_from_db()
            if project.state == until:
                return project
            assert project.state == state, (project.state, state)
            project = step(project)
        project.refresh_from_db()
        return project

    return run


@pytest.fixture
def open_project(new_project, walk):
    """A project out for comment: draft and explanatory report uploaded, published, closing in 30 days."""
    from lifecycle.transitions import State

    return walk(new_project(), State.CONSULTATION)


@pytest.fixture
def challenges(monkeypatch):
    """Every captcha the pages issue, with its answer, drawn from a seeded generator."""
    from lifecycle import captcha

    issued: list = []
    rng = random.Random(20260101)
    real = captcha.new_challenge

    def issue(*, now):
        challenge = real(now=now, rng=rng)
        issued.append(challenge)
        return challenge

    monkeypatch.setattr(captcha, "new_challenge", lambda *, now, rng=None: issue(now=now))
    return issued


def gb_draft() -> bytes:
    """A short draft laid out as GB/T 1.1 wants (Word): title, 范围, references, terms, two numbered clauses."""
    document = Document()
    for line in ("荔枝干燥加工技术规程", "1 范围", "本文件规定了荔枝干燥加工的技术要求。", "2 规范性引用文件",
                 "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。", "3 术语和定义",
                 "本文件没有需要界定的术语和定义。", "4 技术要求", "4.1 原料", "原料应新鲜。", "4.2 干燥",
                 "干燥温度应不超过65 ℃。"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
