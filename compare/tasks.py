"""Background work of compare (run by `yuebiao worker`): a queued comparison is compared and its report kept.

The page polls the comparison's status, progress and step while this runs (`compare.views.status`); the command
line runs the same function inline and prints the steps.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from django.db import transaction
from django_tasks import task

from compare.models import Comparison
from compare.report import compare_documents
from compare.services import documents_of
from trail.services import record

logger = logging.getLogger("yuebiao.compare")
# shown on the page as it is (and translated there); what went wrong goes to the log
FAILED = "比对过程中出错，未给出任何结论。请重新提交比对；如仍失败，请联系平台管理员。"


@task()
def run_comparison(comparison_id: int) -> dict[str, Any]:
    """Compare a queued comparison's two stored texts and keep the report (the worker's entry point)."""
    return run(comparison_id)


def run(comparison_id: int, *, progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Run one comparison: running with its step and per cent while it works, then done (report and trail
    event in one transaction) or failed with the reason in Chinese. A comparison already finished is left alone."""
    comparison = Comparison.objects.get(pk=comparison_id)
    if comparison.finished:
        return {"key": comparison.key, "status": comparison.status}

    def tell(step: str, per_cent: int) -> None:
        Comparison.objects.filter(pk=comparison_id).update(status=Comparison.Status.RUNNING, step=step,
                                                             progress=per_cent)
        if progress is not None:
            progress(step, per_cent)

    tell("读取两项标准的文本", 5)
    try:
        a_doc, b_doc = documents_of(comparison)
        report = compare_documents(a_doc, b_doc, progress=tell)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the comparison says it failed instead of spinning
        logger.exception("比对 %s 失败", comparison.key)
        return _failed(comparison, FAILED, error=type(exc).__name__)
    report["a"]["label"], report["b"]["label"] = comparison.a_label, comparison.b_label
    with transaction.atomic():
        Comparison.objects.filter(pk=comparison_id).update(
            report=report, unlawful_count=len(report["unlawful"]), status=Comparison.Status.DONE, progress=100,
            step="", failure="")
        record(comparison, actor=comparison.created_by, kind="completed",
               data={"key": comparison.key, "engine": comparison.engine, "unlawful_count": len(report["unlawful"])})
    if progress is not None:
        progress("完成", 100)
    return {"key": comparison.key, "status": Comparison.Status.DONE}


def _failed(comparison: Comparison, reason: str, *, error: str) -> dict[str, Any]:
    with transaction.atomic():
        Comparison.objects.filter(pk=comparison.pk).update(status=Comparison.Status.FAILED, failure=reason, step="")
        record(comparison, actor=comparison.created_by, kind="failed",
               data={"key": comparison.key, "reason": reason, "error": error})
    return {"key": comparison.key, "status": Comparison.Status.FAILED}
