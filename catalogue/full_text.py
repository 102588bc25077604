"""Attaching a standard's full text (全文) on the worker: the page and the API keep the upload as a job and answer at
once; the worker reads the text into structure (smart, through catalogue.signals) and stores it, or records why
not. The command line runs the same job in its own process, showing its progress."""

from __future__ import annotations

import hashlib
import logging
from functools import partial
from typing import Callable

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from catalogue.models import FullTextJob, Standard
from catalogue.rights import CatalogueRights
from catalogue.services import FullTextRefused, attach_full_text, check_full_text

log = logging.getLogger("yuebiao.catalogue")
Progress = Callable[[str], None] | None
FAILED_UNEXPECTEDLY = "处理时发生内部错误，全文未保存；请稍后重新上传，或将此情况告知管理员"


def request_full_text(*, standard: Standard, data: bytes, filename: str, by, queue: bool = True) -> FullTextJob:
    """Check at once what can be checked (rights, size, type: FullTextRefused), then keep the upload as a job, put on
    the worker's queue after commit (`queue=False`: the caller runs it, as the command line does)."""
    check_full_text(standard=standard, data=data, filename=filename, by=by)
    with transaction.atomic():
        job = FullTextJob.objects.create(
            standard=standard, requested_by=by, filename=filename[:255], size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), content=data,
        )
        if queue:
            transaction.on_commit(partial(attach_full_text_on_worker.enqueue, job.pk), robust=True)
    return job


def run_full_text_job(job_id: int, *, progress: Progress = None) -> FullTextJob:
    """Read and store the job's file: running, then done, or failed with the reason in Chinese (nothing stored,
    catalogue.services.attach_full_text is all or nothing). A job already started is left alone."""
    say = progress or (lambda _message: None)
    started = FullTextJob.objects.filter(pk=job_id, state=FullTextJob.State.QUEUED).update(
        state=FullTextJob.State.RUNNING, started_at=timezone.now())
    job = FullTextJob.objects.select_related("standard", "requested_by").get(pk=job_id)
    if not started:
        return job
    say(f"正在读取“{job.filename}”（{job.size / 2**20:.1f} MB）并识别条款结构……")
    try:
        attach_full_text(standard=job.standard, data=bytes(job.content), filename=job.filename, by=job.requested_by)
    except FullTextRefused as exc:
        _finish(job, FullTextJob.State.FAILED, str(exc))
    except Exception:  # noqa: BLE001 - the job must end failed with a reason the uploader can read, never hang
        log.exception("全文处理任务 %s 失败", job.pk)
        _finish(job, FullTextJob.State.FAILED, FAILED_UNEXPECTEDLY)
    else:
        _finish(job, FullTextJob.State.DONE, "")
    say(f"{job.get_state_display()}{'：' + job.error if job.error else ''}")
    return job


def _finish(job: FullTextJob, state: str, error: str) -> None:
    job.state, job.error, job.finished_at, job.content = state, error, timezone.now(), b""
    job.save(update_fields=["state", "error", "finished_at", "content"])


@task()
def attach_full_text_on_worker(job_id: int) -> str:
    """The worker's part of request_full_text (run by `yuebiao worker`)."""
    return run_full_text_job(job_id).state


def job_for(user, job_id: int) -> FullTextJob | None:
    """The job if this user may follow it (who asked for it, or anyone who may change that standard), else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    job = FullTextJob.objects.select_related("standard").defer("content").filter(pk=job_id).first()
    if job is None:
        return None
    if job.requested_by_id == getattr(user, "pk", None) or not CatalogueRights(user).standard_refusal(job.standard):
        return job
    return None
