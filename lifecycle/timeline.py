"""The public timeline of a standard (全过程追溯，公开部分): its projects and their public events, hashes included.
"""

from __future__ import annotations

from django.db.models import Q

from lifecycle import transitions as rules
from lifecycle.models import (
    LocalStandardProject,
    PeriodicReview,
)
from lifecycle.projects import queries as project_queries
from lifecycle.transitions import Action, Doc, State
from trail.services import events_for

Project = LocalStandardProject


def projects_of_standard(standard) -> list[Project]:
    """The standard's project with its predecessors and successors (revisions), oldest first; bounded."""
    start = list(Project.objects.filter(Q(standard=standard) | Q(revises=standard)).order_by("created_at", "id")[:10])
    seen = {p.id: p for p in start}
    frontier = list(start)
    for _ in range(10):  # a standard revised ten times over is far beyond any real history
        if not frontier:
            break
        ids = [p.id for p in frontier]
        pred_ids = [p.predecessor_id for p in frontier if p.predecessor_id and p.predecessor_id not in seen]
        more = list(Project.objects.filter(Q(id__in=pred_ids) | Q(predecessor_id__in=ids)).exclude(id__in=list(seen)))
        for p in more:
            seen[p.id] = p
        frontier = more
    return sorted(seen.values(), key=lambda p: (p.created_at, p.id))


def _doc_hashes(data: dict) -> list[tuple[str, str]]:
    out = []
    for kind, digest in (data.get("documents") or {}).items():
        if kind in Doc._value2member_map_ and isinstance(digest, str):
            out.append((rules.DOC_LABELS[Doc(kind)][0], digest))
    if isinstance(data.get("sha256"), str) and data["sha256"] not in {d for _, d in out}:
        kind = data.get("document")
        label = rules.DOC_LABELS[Doc(kind)][0] if kind in Doc._value2member_map_ else "文件"
        out.append((label, data["sha256"]))
    return out


def describe_public(event, project: Project) -> dict:
    """A public event in words for the standard's timeline and feed (no reasons typed in private forms)."""
    row = project_queries.describe_event(event)
    data = event.payload
    detail = [row["detail"]] if row["detail"] else []
    if event.kind == "review_opened":
        reason = data.get("reason")
        label = PeriodicReview.Reason(reason).label if reason in PeriodicReview.Reason.values else ""
        detail.append("；".join(x for x in (str(label), data.get("detail", ""), f"期限 {data.get('due_on', '')}") if x))
    for key, label in (("filed_on", "备案"), ("filing_reference", "备案号"), ("disclosed_on", "公开"),
                       ("review_due_on", "复审到期"), ("agency", "评估机构"), ("total_score", "总分")):
        if data.get(key) and f"{label} {data[key]}" not in detail:
            detail.append(f"{label} {data[key]}")
    state = data.get("to") or ""
    stage = rules.STATE_LABELS[State(state)][0] if state in State._value2member_map_ else ""
    return {
        "event": event, "project": project, "what": row["what"], "moved": row["moved"], "stage": stage,
        "detail": "；".join(detail), "reason": row["reason"] if data.get("action") in (
            Action.CANCEL, Action.REVISE, Action.WITHDRAW) else "",
        "hashes": _doc_hashes(data), "anchor": f"e{event.pk}",
    }


def public_timeline(standard) -> tuple[list[Project], list[dict]]:
    """(projects, events) of the standard's public timeline, oldest first; two queries for the events."""

    projects = projects_of_standard(standard)
    if not projects:
        return [], []
    by_key = {f"lifecycle.localstandardproject:{p.pk}": p for p in projects}
    events = events_for(projects, public_only=True)
    rows = [describe_public(e, by_key[key]) for key, evs in events.items() for e in evs]
    rows.sort(key=lambda r: (r["event"].at, r["event"].pk))
    return projects, rows
