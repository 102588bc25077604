"""Untrusted documents: limits on structure before the work, the limited worker, and refusals that store nothing."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from smart.documents import read_standard
from smart.errors import DocumentLimitError, DocumentParseError, EncryptedDocumentError
from smart.guard import DEFAULT_LIMITS, DocumentLimits
from smart.sandbox import parse_untrusted
from smart.tests import hostile
from yuebiao.files import zip_entry_count

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "standards"
SHORT_PDF = CORPUS / "DB-44-1989-2017.pdf"  # 5 pages, parses in a fraction of a second
GB_DRAFT = "DB44/T 1—2026\n示例标准\n1 范围\n本文件规定了示例。\n2 规范性引用文件\n无。\n".encode()


def _upload(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


def _refused(data: bytes, limits: DocumentLimits = DEFAULT_LIMITS) -> DocumentLimitError:
    with pytest.raises(DocumentLimitError) as caught:
        read_standard(data, "hostile.docx", limits)
    return caught.value


def _corpus(path: Path) -> bytes:
    if not path.exists():
        pytest.skip("corpus not here")
    return path.read_bytes()


# ---------------------------------------------------------------------------------------------------------------
# Limits on structure, checked before the reader works (pure).

def test_the_docx_of_the_attack_is_refused_by_its_paragraph_count_at_once():
    data = hostile.empty_paragraphs()
    assert len(data) < 3000
    started = time.process_time()
    error = _refused(data)
    assert time.process_time() - started < 2
    assert error.limit == "paragraphs"
    assert str(error).startswith("文档段落数超过上限（") and "> 50000" in str(error) and "请拆分或检查文件" in str(error)


@pytest.mark.parametrize("build, limit, words", [
    (hostile.zip_bomb, "compression_ratio", "压缩比超过上限"),
    (hostile.deeply_nested, "xml_depth", "XML 嵌套层数超过上限"),
    (hostile.many_entries, "zip_entries", "压缩包文件数超过上限"),
])
def test_zip_bombs_deep_nesting_and_crowded_packages_are_refused(build, limit, words):
    error = _refused(build())
    assert error.limit == limit and words in str(error)


def test_inflated_size_cells_and_runs_have_their_limits():
    small = DocumentLimits(part_bytes=100_000, table_cells=10, runs=10)
    assert _refused(hostile.zip_bomb(200_000), small).limit == "part_bytes"
    table = b"<w:tbl>" + b"<w:tr>" + b"<w:tc><w:p/></w:tc>" * 11 + b"</w:tr></w:tbl>"
    assert _refused(hostile.docx_with_body(table), small).limit == "table_cells"
    runs = b"<w:p>" + b"<w:r><w:t>x</w:t></w:r>" * 11 + b"</w:p>"
    assert _refused(hostile.docx_with_body(runs), small).limit == "runs"


def test_a_docx_within_the_limits_reads_as_before():
    body = b"".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>".encode() for t in (
        "DB44/T 1—2026", "示例标准", "1 范围", "本文件规定了示例。"))
    doc = read_standard(hostile.docx_with_body(body), "ok.docx")
    assert doc.metadata.number == "DB44/T 1—2026" and "1" in doc.clause_numbers()


def test_the_entry_count_is_read_from_the_end_record_without_opening_the_package():
    package = hostile.many_entries(20)  # 23 entries
    assert 23 <= zip_entry_count(package) <= 40
    at = package.rfind(b"PK\x05\x06")
    lying = package[:at + 8] + (1).to_bytes(2, "little") * 2 + package[at + 12:]  # "1 entry"
    assert 23 <= zip_entry_count(lying) <= 40  # the directory's size still tells
    assert zip_entry_count(b"%PDF-1.4 not a zip") is None


def test_pdf_pages_and_objects_per_page_and_text_lines_have_limits():
    assert _refused(hostile.blank_pdf(3), DocumentLimits(pdf_pages=2)).limit == "pdf_pages"
    error = _refused(_corpus(SHORT_PDF), DocumentLimits(page_chars=100))
    assert error.limit == "page_chars" and "第 1 页" in str(error)
    assert _refused(b"x\n" * 50, DocumentLimits(text_lines=10)).limit == "text_lines"
    assert _refused(b"x" * 2000, DocumentLimits(text_bytes=1000)).limit == "text_bytes"


def test_limits_come_from_settings_by_name_and_a_wrong_name_is_said(settings):
    from smart.services import document_limits

    settings.YUEBIAO_DOCUMENT_LIMITS = {"paragraphs": "80000"}
    assert document_limits().paragraphs == 80000 and document_limits().pdf_pages == DEFAULT_LIMITS.pdf_pages
    settings.YUEBIAO_DOCUMENT_LIMITS = {"paragraph": "80000"}
    with pytest.raises(ValueError, match="unknown document limits: paragraph"):
        document_limits()


def test_an_encrypted_pdf_is_named_as_such():
    with pytest.raises(EncryptedDocumentError, match="已加密"):
        read_standard(hostile.encrypted_pdf(_corpus(SHORT_PDF)), "locked.pdf")


# ---------------------------------------------------------------------------------------------------------------
# The worker: a real child process, with real limits.

def test_the_worker_gives_the_same_document_as_reading_in_process():
    data = _corpus(SHORT_PDF)
    assert parse_untrusted(data, SHORT_PDF.name).to_dict() == read_standard(data, SHORT_PDF.name).to_dict()
    with pytest.raises(DocumentParseError, match="没有找到任何章条编号"):
        parse_untrusted("只有一行字".encode(), "a.txt")
    with pytest.raises(DocumentLimitError, match="文档段落数超过上限") as caught:
        parse_untrusted(hostile.empty_paragraphs(), "hostile.docx")
    assert caught.value.limit == "paragraphs"


# 300,000 empty paragraphs, allowed by these limits: many seconds of python-docx, stopped after one.
CPU_BOUND = DocumentLimits(paragraphs=10**6, xml_elements=10**7, cpu_seconds=1, wall_seconds=60)


def test_a_cpu_bound_parse_is_stopped_by_the_cpu_limit_and_the_server_goes_on():
    data = hostile.empty_paragraphs(300_000)
    started = time.monotonic()
    with pytest.raises(DocumentLimitError, match=r"文档解析超过 CPU 时间上限（1 秒）") as caught:
        parse_untrusted(data, "slow.docx", CPU_BOUND)
    assert caught.value.limit == "cpu_seconds" and time.monotonic() - started < 20
    assert parse_untrusted(GB_DRAFT, "next.txt").metadata.number == "DB44/T 1—2026"


def test_a_parse_over_the_wall_clock_or_the_memory_limit_is_stopped():
    data = hostile.empty_paragraphs(300_000)
    started = time.monotonic()
    with pytest.raises(DocumentLimitError, match=r"文档解析超过时间上限（1 秒）"):
        parse_untrusted(data, "slow.docx", DocumentLimits(paragraphs=10**6, xml_elements=10**7, cpu_seconds=60,
                                                          wall_seconds=1))
    assert time.monotonic() - started < 10
    with pytest.raises(DocumentLimitError, match=r"文档解析超过内存上限（64 MB）"):
        parse_untrusted(data, "big.docx", DocumentLimits(paragraphs=10**6, xml_elements=10**7,
                                                         memory_bytes=64 * 2**20))


# ---------------------------------------------------------------------------------------------------------------
# Every place that parses an upload refuses the attack in seconds.

@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/smart/parse", "/api/smart/check"])
def test_the_api_refuses_the_attack_in_seconds_with_413(client, officer, path):
    assert client.post(path, {"file": _upload(hostile.empty_paragraphs(), "x.docx")}).status_code == 401
    client.force_login(officer)
    started = time.monotonic()
    r = client.post(path, {"file": _upload(hostile.empty_paragraphs(), "x.docx")})
    assert time.monotonic() - started < 3
    assert r.status_code == 413 and "文档段落数超过上限" in r.json()["detail"]
    r = client.post(path, {"file": _upload(hostile.zip_bomb(), "bomb.docx")})
    assert r.status_code == 413 and "压缩比超过上限" in r.json()["detail"]
    assert client.post(path, {"file": _upload(GB_DRAFT, "ok.txt")}).status_code == 200


@pytest.mark.django_db
def test_the_schema_declares_the_413(client):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/smart/parse", "/api/smart/check"):
        assert "413" in schema["paths"][path]["post"]["responses"]


@pytest.mark.django_db
def test_a_comparison_with_the_attack_as_a_side_is_refused_in_seconds(client, officer):
    from compare.models import Comparison

    def form():
        return {"a_number": "", "b_number": "", "a_file": _upload(hostile.empty_paragraphs(), "a.docx"),
                "b_file": _upload(GB_DRAFT, "b.txt")}

    assert client.post("/api/compare/", form()).status_code == 401
    client.force_login(officer)
    started = time.monotonic()
    r = client.post("/api/compare/", form())
    assert time.monotonic() - started < 3
    assert r.status_code == 400 and "文档段落数超过上限" in r.json()["detail"]
    assert Comparison.objects.count() == 0


# ---------------------------------------------------------------------------------------------------------------
# A full text that cannot be read is refused, and nothing of it is stored or published.

@pytest.fixture
def standard(db, make_record, settings, tmp_path):
    from catalogue.models import Standard
    from catalogue.services import upsert_standards

    settings.MEDIA_ROOT = tmp_path
    upsert_standards([make_record("DB44/ 1989—2017", "工业废水铊污染物排放标准")], source="test")
    return Standard.objects.get(number="DB44/ 1989—2017")


def _nothing_published(client, standard) -> None:
    from smart.models import StructuredStandard

    standard.refresh_from_db()
    assert not standard.full_text
    assert not StructuredStandard.objects.filter(standard=standard).exists()
    assert client.get(f"/standards/{standard.slug}/full-text/download/").status_code == 404
    assert client.get(f"/api/smart/{standard.slug}").status_code == 404


def test_the_attack_attached_as_a_full_text_is_refused_in_seconds(client, officer, enterprise_user, standard,
                                                                  run_tasks):
    url = f"/standards/{standard.slug}/full-text/"
    client.force_login(enterprise_user)
    assert client.post(url, {"file": _upload(hostile.empty_paragraphs(), "x.docx")}).status_code == 403
    client.force_login(officer)
    started = time.monotonic()
    with run_tasks():
        response = client.post(url, {"file": _upload(hostile.empty_paragraphs(), "x.docx")})
    page = client.get(response["Location"]).content.decode()
    assert time.monotonic() - started < 3
    assert "全文无法读取，未保存" in page and "文档段落数超过上限" in page
    _nothing_published(client, standard)


def test_an_encrypted_pdf_is_not_published_as_the_full_text(client, officer, standard):
    from catalogue.services import FullTextRefused, attach_full_text

    locked = hostile.encrypted_pdf(_corpus(SHORT_PDF))
    with pytest.raises(FullTextRefused, match="已加密"):
        attach_full_text(standard=standard, data=locked, filename="locked.pdf", by=officer)
    _nothing_published(client, standard)


def test_a_readable_full_text_replaces_the_old_one_only_when_stored(client, officer, standard,
                                                                   django_capture_on_commit_callbacks):
    from catalogue.services import FullTextRefused, attach_full_text

    data = _corpus(SHORT_PDF)
    with django_capture_on_commit_callbacks(execute=True):
        attach_full_text(standard=standard, data=data, filename=SHORT_PDF.name, by=officer)
    standard.refresh_from_db()
    first = standard.full_text.name
    assert standard.structured.clause_count > 0 and standard.full_text.storage.exists(first)
    with pytest.raises(FullTextRefused):
        attach_full_text(standard=standard, data=hostile.encrypted_pdf(data), filename="locked.pdf", by=officer)
    standard.refresh_from_db()
    assert standard.full_text.name == first and standard.full_text.storage.exists(first)
    assert b"".join(client.get(f"/standards/{standard.slug}/full-text/download/").streaming_content) == data
