"""Receivers of the lifecycle room: other rooms' signals that make a periodic review (复审) due or fill references."""

from __future__ import annotations

import logging

from django.db import transaction

from lifecycle.models import LocalStandardProject
from lifecycle.references import references_changed, refresh_references

log = logging.getLogger("yuebiao.lifecycle")


def on_standards_superseded(sender, numbers=(), replaced_by=None, withdrawn=(), **kwargs) -> None:
    """The catalogue wrote standards that replace others or are withdrawn: open reviews on the standards citing them.

    Runs after the catalogue's transaction committed; a failure is logged and never undoes the import.
    """
    if not numbers:
        return
    try:
        opened = references_changed(replaced_by=dict(replaced_by or {}), withdrawn=list(withdrawn or ()))
    except Exception:  # noqa: BLE001 - the import has committed; the next `reviews-due` run is the fallback
        log.exception("引用标准变化后启动复审失败（%s 个标准号）", len(numbers))
        return
    if opened:
        log.info("引用标准变化：启动复审 %s 项", len(opened))


def on_standard_withdrawn(sender, number: str, **kwargs) -> None:
    """A periodic review withdrew a local standard: the local standards citing it come due for review (after
    commit; a failure is logged by the commit hook and never undoes the withdrawal)."""
    references_changed(withdrawn=[number])


def on_structured_saved(sender, instance, **kwargs) -> None:
    """smart stored the parse of a published text: take its normative references for the standard's project."""
    if not instance.document or not instance.standard_id:
        return
    standard_id = instance.standard_id

    def refresh() -> None:
        project = LocalStandardProject.objects.filter(standard_id=standard_id).first()
        if project is None:
            return
        try:
            refresh_references(project=project)
        except Exception:  # noqa: BLE001 - the bureau can press "refresh references" later
            log.exception("从机器可读文本登记引用标准失败：%s", project.code)

    transaction.on_commit(refresh, robust=True)
