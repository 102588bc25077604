"""A hostile draft for comment: refused at upload, nothing stored; the public consultation page never parses."""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from lifecycle import documents, errors
from lifecycle.consultation import queries as consultation_queries
from lifecycle.models import ProjectDocument
from lifecycle.tests.conftest import gb_draft
from lifecycle.transitions import Doc, State
from smart.tests import hostile
from trail.models import Event
from trail.services import subject_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_project(new_project, walk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return walk(new_project(), State.CONSULTATION)


def _stored(project) -> tuple[int, int]:
    return (ProjectDocument.objects.filter(project=project).count(),
            Event.objects.filter(subject=subject_key(project)).count())


@pytest.mark.parametrize("build, why", [(hostile.empty_paragraphs, "文档段落数超过上限"),
                                        (hostile.zip_bomb, "压缩比超过上限")])
def test_a_hostile_draft_is_refused_at_upload_and_nothing_is_stored(open_project, people, build, why):
    before = _stored(open_project)
    started = time.monotonic()
    with pytest.raises(errors.DocumentRefused, match=f"征求意见稿无法读取，未保存：{why}"):
        documents.upload_document(project=open_project, kind="draft_for_comment", data=build(), filename="x.docx",
                                 by=people["drafter"])
    assert time.monotonic() - started < 3
    assert _stored(open_project) == before


def test_an_encrypted_draft_is_refused(open_project, people):
    from pathlib import Path

    path = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "standards" / "DB-44-1989-2017.pdf"
    if not path.exists():
        pytest.skip("corpus not here")
    with pytest.raises(errors.DocumentRefused, match="已加密"):
        documents.upload_document(project=open_project, kind="draft_for_comment", by=people["drafter"],
                                 data=hostile.encrypted_pdf(path.read_bytes()), filename="locked.pdf")


def test_someone_who_may_not_upload_makes_nothing_parse(open_project, people, monkeypatch):
    import smart.services

    monkeypatch.setattr(smart.services, "read_untrusted", _no_parsing)
    with pytest.raises(errors.DocumentRefused, match="当前账户不能上传"):
        documents.upload_document(project=open_project, kind="draft_for_comment", data=hostile.empty_paragraphs(),
                                 filename="x.docx", by=people["other_drafter"])


def _no_parsing(*args, **kwargs):
    raise AssertionError("the page parsed a document")


def test_the_outline_is_read_at_upload_and_the_page_never_parses(client, open_project, people, monkeypatch):
    import smart.documents
    import smart.services

    doc = documents.upload_document(project=open_project, kind="draft_for_comment", data=gb_draft(),
                                   filename="草案.docx", by=people["drafter"])
    assert {"4.1", "4.2"} <= {c["number"] for c in doc.outline}
    monkeypatch.setattr(smart.services, "read_untrusted", _no_parsing)
    monkeypatch.setattr(smart.documents, "read_standard", _no_parsing)
    page = client.get(reverse("lifecycle:consultation", args=[open_project.code])).content.decode()
    assert '<option value="4.2"' in page
    body = client.get(f"/api/lifecycle/consultations/{open_project.code}").json()
    assert "4.2" in {c["number"] for c in body["clauses"]}


def test_a_hostile_draft_stored_before_the_limits_costs_the_page_nothing(client, open_project, people, monkeypatch):
    """A draft stored before uploads were read (no outline): the page offers a free-text clause, in milliseconds."""
    import smart.documents
    import smart.services

    latest = open_project.documents.filter(kind=Doc.DRAFT_FOR_COMMENT).order_by("-version").first()
    old = ProjectDocument(project=open_project, kind=Doc.DRAFT_FOR_COMMENT, version=latest.version + 1,
                          filename="hostile.docx", content_type="docx", size=2662, sha256="0" * 64)
    old.file.save("hostile.docx", ContentFile(hostile.empty_paragraphs()), save=True)
    monkeypatch.setattr(smart.services, "read_untrusted", _no_parsing)
    monkeypatch.setattr(smart.documents, "read_standard", _no_parsing)
    started = time.monotonic()
    response = client.get(reverse("lifecycle:consultation", args=[open_project.code]))
    assert time.monotonic() - started < 3
    assert response.status_code == 200 and '<input type="text" name="clause"' in response.content.decode()
    assert consultation_queries.draft_clauses(open_project) is None


def test_a_package_of_too_many_entries_is_refused_before_it_is_opened(open_project, people):
    before = _stored(open_project)
    with pytest.raises(errors.DocumentRefused, match="压缩包文件数超过上限"):
        documents.upload_document(project=open_project, kind="explanatory_report", data=hostile.many_entries(),
                                 filename="x.docx", by=people["drafter"])
    assert _stored(open_project) == before
