"""Normative references (规范性引用文件) of a published local standard: kept by the bureau or read from the
structured text; when a cited standard is replaced or withdrawn, the citing standards come due for a periodic
review early.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Iterable

from django.db import transaction

from accounts.models import User
from catalogue.models import Standard
from catalogue.numbers import StandardNumberError, parse_number, try_parse_number
from lifecycle import access
from lifecycle.errors import LifecycleError, NotAllowed
from lifecycle.implementation.actions import bump_version, open_review
from lifecycle.implementation.queries import IN_FORCE
from lifecycle.models import (
    LocalStandardProject,
    PeriodicReview,
    ProjectReference,
)
from lifecycle.transitions import Role
from smart.models import StructuredStandard
from trail.services import record

log = logging.getLogger("yuebiao.lifecycle")
Project = LocalStandardProject


def parse_reference(text: str) -> tuple[str, str]:
    """(canonical number, undated number) of a typed reference; LifecycleError in Chinese when it does not parse."""

    text = (text or "").strip()
    if not text:
        raise LifecycleError("请填写引用标准的标准号")
    if len(text) > 80:
        raise LifecycleError("标准号不能超过 80 个字符")
    try:
        parsed = parse_number(text)
    except StandardNumberError as exc:
        raise LifecycleError(str(exc)) from exc
    return parsed.canonical, parsed.undated


def _may_edit_references(by: User | None, project: Project) -> bool:
    return by is None or Role.BUREAU in access.project_roles(by, project)


@transaction.atomic
def add_reference(*, project: Project, number: str, by: User) -> ProjectReference:
    canonical, undated = parse_reference(number)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not _may_edit_references(by, locked):
        raise NotAllowed("只有省局可以登记引用标准")
    if locked.number and canonical == locked.number:
        raise LifecycleError("标准不能引用自身")
    if locked.references.filter(number=canonical).exists():
        raise LifecycleError(f"已登记引用标准 {canonical}")
    ref = ProjectReference.objects.create(project=locked, number=canonical, undated_number=undated)
    bump_version(locked)
    record(locked, actor=by, kind="reference_added", data={"numbers": [canonical], "source": "manual"})
    return ref


@transaction.atomic
def remove_reference(*, project: Project, reference_id: int, by: User) -> None:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not _may_edit_references(by, locked):
        raise NotAllowed("只有省局可以删除引用标准")
    ref = locked.references.filter(pk=reference_id).first()
    if ref is None:
        raise LifecycleError("没有这条引用标准（可能已被删除）")
    ref.delete()
    bump_version(locked)
    record(locked, actor=by, kind="reference_removed", data={"numbers": [ref.number]})


def references_in(document: dict | None) -> list[tuple[str, str]]:
    """(canonical, undated) of each normative reference in smart's parse of a text, in order, without repeats."""

    out: dict[str, str] = {}
    for ref in (document or {}).get("references") or []:
        if not isinstance(ref, dict):
            continue
        parsed = try_parse_number(str(ref.get("number") or ref.get("raw") or ""))
        if parsed is not None and len(parsed.canonical) <= 80:
            out.setdefault(parsed.canonical, parsed.undated)
    return list(out.items())


def structured_document(project: Project) -> dict | None:
    if not project.standard_id:
        return None
    return StructuredStandard.objects.filter(standard_id=project.standard_id).values_list(
        "document", flat=True).first()


@transaction.atomic
def refresh_references(*, project: Project, by: User | None = None, strict: bool = False) -> list[str]:
    """Add the references smart read from the published text (never removes: hand-entered ones stay).

    Returns the numbers added. `strict` (the bureau's button) says why when there is no parse to read.
    """
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not _may_edit_references(by, locked):
        raise NotAllowed("只有省局可以更新引用标准")
    document = structured_document(locked)
    if document is None:
        if strict:
            raise LifecycleError("标准全文尚未公开或尚未解析为机器可读文本，请手工登记引用标准")
        return []
    have = set(locked.references.values_list("number", flat=True))
    new = [(n, u) for n, u in references_in(document) if n not in have and n != locked.number]
    if not new:
        return []
    ProjectReference.objects.bulk_create(
        [ProjectReference(project=locked, number=n, undated_number=u) for n, u in new], ignore_conflicts=True
    )
    bump_version(locked)
    record(locked, actor=by, kind="reference_added", data={"numbers": [n for n, _ in new], "source": "smart"})
    return [n for n, _ in new]


def refresh_missing_references() -> int:
    """References for standards in force that have a parsed text but none registered (run by reviews-due)."""
    parsed_ids = StructuredStandard.objects.filter(document__isnull=False).values("standard_id")
    projects = Project.objects.filter(state__in=[s.value for s in IN_FORCE], standard_id__in=parsed_ids,
                                      references__isnull=True)
    added = 0
    for project in projects:
        added += len(refresh_references(project=project))
    return added


def _change_details(replaced_by: dict[str, list[str]], withdrawn: Iterable[str],
                    today: date) -> dict[str, list[tuple[str, str]]]:
    """{undated number: [(changed canonical number, detail)]} of what the catalogue announced."""

    withdrawn = list(withdrawn)
    dates = {}
    if withdrawn:
        dates = dict(Standard.objects.filter(number__in=withdrawn).values_list("number", "withdrawn_on"))
    changes: dict[str, list[tuple[str, str]]] = {}
    for old, new in replaced_by.items():
        parsed = try_parse_number(old)
        if parsed is not None:
            detail = f"{parsed.canonical} 被 {'、'.join(new)} 代替"
            changes.setdefault(parsed.undated, []).append((parsed.canonical, detail))
    for number in withdrawn:
        parsed = try_parse_number(number)
        if parsed is None:
            continue
        when = dates.get(parsed.canonical)
        detail = (f"{parsed.canonical} 将于 {when.isoformat()} 废止" if when and when > today
                  else f"{parsed.canonical} 已废止")
        changes.setdefault(parsed.undated, []).append((parsed.canonical, detail))
    return changes


def references_changed(*, replaced_by: dict[str, list[str]] | None = None, withdrawn: Iterable[str] = (),
                       today: date | None = None) -> list[PeriodicReview]:
    """Open a review on every standard in force that cites a replaced or withdrawn standard.

    An undated reference (GB/T 16157) follows every edition, so any change of that standard counts; a dated one
    (GB 1234—2010) only when that very edition is replaced or withdrawn. Returns the reviews newly opened.
    """
    today = today or access.local_today()
    changes = _change_details(replaced_by or {}, withdrawn, today)
    if not changes:
        return []
    hits: dict[int, list[str]] = {}
    keys = list(changes)
    for i in range(0, len(keys), 500):
        refs = ProjectReference.objects.filter(
            undated_number__in=keys[i:i + 500], project__state__in=[s.value for s in IN_FORCE]
        ).values_list("project_id", "number", "undated_number")
        for project_id, number, undated in refs:
            for changed, detail in changes[undated]:
                if number == undated or number == changed:
                    if detail not in hits.setdefault(project_id, []):
                        hits[project_id].append(detail)
    opened = []
    for project in Project.objects.filter(id__in=list(hits)).order_by("id"):
        for detail in hits[project.id]:
            try:
                review, created = open_review(project=project, reason=PeriodicReview.Reason.REFERENCE_CHANGED,
                                              detail=detail, by=None, today=today)
            except LifecycleError as exc:  # the project left force meanwhile
                log.info("复审未启动 %s：%s", project.code, exc)
                continue
            if created:
                opened.append(review)
    return opened
