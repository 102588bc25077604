"""A full text is read on the worker: the job's page and status API, who may follow a job, the command line that
runs the same job in its own process, and a job that fails unexpectedly storing nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from catalogue import full_text
from catalogue.models import FullTextJob, Standard
from catalogue.services import upsert_standards

pytestmark = pytest.mark.django_db
SLUG = "DB44-2160-2019"


@pytest.fixture
def std(make_record, empty_catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upsert_standards([make_record("DB44/ 2160—2019", "陶瓷工业大气污染物排放标准")], source="test")
    return Standard.objects.get(slug=SLUG)


def _docx() -> bytes:
    from docx import Document

    document = Document()
    for text in ("DB44/ 2160—2019", "陶瓷工业大气污染物排放标准", "1 范围", "本标准规定了陶瓷工业大气污染物排放限值。"):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _file(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.fixture
def queued(client, officer, std):
    """A job put on the queue (no worker runs in this test: it stays queued)."""
    client.force_login(officer)
    response = client.post(f"/standards/{SLUG}/full-text/", {"file": _file(_docx(), "a.docx")})
    client.logout()
    return FullTextJob.objects.get(), response["Location"]


def test_the_page_polls_while_the_job_waits_and_stops_when_it_ends(client, officer, queued):
    job, url = queued
    assert url == f"/standards/{SLUG}/full-text/jobs/{job.pk}/"
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "排队中" in page and 'hx-trigger="every 1s"' in page and "<html" in page
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="full-text-job"' in fragment
    full_text.run_full_text_job(job.pk)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "全文已上传" in fragment and "hx-trigger" not in fragment
    assert f"/standards/{SLUG}/full-text/download/" in fragment
    job.refresh_from_db()
    assert job.state == "done" and job.content == b"" and Standard.objects.get(slug=SLUG).full_text


def test_who_may_follow_a_job(client, queued, enterprise_user, make_user):
    job, url = queued
    api = f"/api/standards/full-text-jobs/{job.pk}"
    assert client.get(url).status_code == 302  # to sign in
    assert client.get(api).status_code == 401
    client.force_login(enterprise_user)
    assert client.get(url).status_code == 403 and client.get(api).status_code == 403
    # a city officer may not follow a job on a provincial standard it did not ask for
    client.force_login(make_user("sz", "city_officer", region="440300", kind=Organisation.Kind.CITY_BUREAU))
    assert client.get(url).status_code == 404 and client.get(api).status_code == 404
    assert client.get(f"/standards/DB44-9999-2019/full-text/jobs/{job.pk}/").status_code == 404


def test_the_api_answers_with_the_status_url(client, officer, std):
    client.force_login(officer)
    response = client.post(f"/api/standards/{SLUG}/full-text", {"file": _file(_docx(), "a.docx")})
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "queued" and body["status_url"] == f"/api/standards/full-text-jobs/{body['id']}"
    full_text.run_full_text_job(body["id"])
    status = client.get(body["status_url"]).json()
    assert status["state"] == "done" and status["error"] == "" and status["state_label"] == "已完成"


def test_an_unexpected_failure_stores_nothing_and_says_so(officer, std, monkeypatch):
    job = full_text.request_full_text(standard=std, data=_docx(), filename="a.docx", by=officer, queue=False)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(full_text, "attach_full_text", broken)
    job = full_text.run_full_text_job(job.pk)
    assert job.state == "failed" and job.error == full_text.FAILED_UNEXPECTEDLY and job.content == b""
    assert not Standard.objects.get(slug=SLUG).full_text
    assert full_text.run_full_text_job(job.pk).state == "failed"  # an ended job is not run again


def test_the_command_line_runs_the_job_itself_with_its_progress(std, tmp_path, capsys):
    path = tmp_path / "全文.docx"
    path.write_bytes(_docx())
    call_command("full_text", "DB44/ 2160—2019", str(path))
    out = capsys.readouterr().out
    assert "已检查文件类型与大小" in out and "正在读取" in out and "全文已保存" in out
    assert FullTextJob.objects.get().state == "done" and Standard.objects.get(slug=SLUG).full_text
    (tmp_path / "a.txt").write_text("不是全文")
    with pytest.raises(SystemExit) as refused:
        call_command("full_text", SLUG, str(tmp_path / "a.txt"))
    assert refused.value.code == 2 and "不是 PDF 或 Word" in capsys.readouterr().err
