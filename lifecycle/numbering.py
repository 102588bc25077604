"""Numbers never reused: a local standard's number (编号: DB44/T NNNN—YYYY, or DB44/ NNNN—YYYY for the
mandatory ones; one sequence for both) and a project's code (2026-0006); counter rows locked by the caller's
transaction.
"""

from __future__ import annotations

from django.db.models import Max

from catalogue.models import Standard
from lifecycle.models import (
    LocalStandardProject,
    NumberCounter,
)

Project = LocalStandardProject


LOCAL_PREFIX = "DB44"


def _catalogue_high_water(prefix: str) -> int:
    return Standard.objects.filter(prefix__in=[prefix, f"{prefix}/T"]).aggregate(m=Max("sequence_num"))["m"] or 0


def assign_number(project: Project, *, year: int) -> str:
    """The next number, never reused: the counter row is locked, and the catalogue's highest number is respected
    (standards published before the platform). Call inside the approving transaction."""
    NumberCounter.objects.get_or_create(prefix=LOCAL_PREFIX)
    counter = NumberCounter.objects.select_for_update().get(prefix=LOCAL_PREFIX)
    sequence = max(counter.last, _catalogue_high_water(LOCAL_PREFIX)) + 1
    counter.last = sequence
    counter.save(update_fields=["last"])
    slash = "/" if project.nature == Project.Nature.MANDATORY else "/T"
    return f"{LOCAL_PREFIX}{slash} {sequence}—{year}"


def next_project_code(year: int) -> str:
    """The next project code of `year` (2026-0006), never reused. The year's counter row is locked until the
    proposal commits, so concurrent proposals queue for a moment instead of colliding (SQLite: the write lock taken
    at BEGIN IMMEDIATE does the same); codes already present (imported, or written before the counter) are
    respected. Call inside the proposing transaction."""
    prefix = f"code-{year}"
    NumberCounter.objects.get_or_create(prefix=prefix)
    counter = NumberCounter.objects.select_for_update().get(prefix=prefix)
    last = Project.objects.filter(code__startswith=f"{year}-").aggregate(m=Max("code"))["m"]
    n = max(counter.last, int(last.split("-")[1]) if last else 0) + 1
    counter.last = n
    counter.save(update_fields=["last"])
    return f"{year}-{n:04d}"
