"""Technical review (技术审查): reads. Who may see and keep the pool, experts searched and suggested
for a project (with conflicts of interest), panels, seats and the majority view."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import Organisation
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from lifecycle import access
from lifecycle.models import Expert, LocalStandardProject, PanelMember, ReviewPanel
from lifecycle.transitions import Doc, Role, State

Project = LocalStandardProject
Decision = LocalStandardProject.ReviewDecision


# 技术审查 is held by an odd-numbered panel of at least five experts in Guangdong's practice (and GB/T 1.1's
# companion rules for committees); five is the floor enforced, an odd size is recommended on the form, not forced.
MIN_PANEL_SIZE = 5
MAX_PANEL_SIZE = 25
# The longest opinion, decision note or location accepted; a 100,000-character paste is refused, not cut.
MAX_OPINION_CHARS = 5000
MAX_LOCATION_CHARS = 200
# How far ahead a meeting may be set: a year typed as 2205 is a typo, not a plan.
MAX_MEETING_AHEAD = timedelta(days=366)

CONCLUSION_LABELS = {Decision.PASS: "通过", Decision.PASS_WITH_CHANGES: "修改后通过", Decision.FAIL: "不通过"}
# Strictness order of conclusions; the majority view is read along it (see majority_range).
SEVERITY = {Decision.PASS.value: 0, Decision.PASS_WITH_CHANGES.value: 1, Decision.FAIL.value: 2}
_BY_SEVERITY = [Decision.PASS.value, Decision.PASS_WITH_CHANGES.value, Decision.FAIL.value]


# ---------------------------------------------------------------------------------------------------------------
# Who may do what.
def may_manage_pool(user) -> bool:
    return can(user, AccountAction.LIFECYCLE_MANAGE)


def may_view_pool(user) -> bool:
    """The bureau, and committee secretariats (they form panels); LIFECYCLE_WORK alone (drafters, experts) is not enough."""
    if may_manage_pool(user):
        return True
    return can(user, AccountAction.LIFECYCLE_WORK) and AccountRole.COMMITTEE_SECRETARY in roles_of(user)


def secretariat_roles(user, project: Project) -> frozenset[Role]:
    return access.project_roles(user, project) & {Role.COMMITTEE, Role.BUREAU}


def is_secretariat(user, project: Project) -> bool:
    """The responsible committee's secretariat or the bureau: they form the panel and record its decision."""
    return bool(user is not None and secretariat_roles(user, project))


def normalise_name(text: str) -> str:
    """Names compared for duplicates: full-width folded, spaces dropped, case folded."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def find_organisation(name: str) -> Organisation | None:
    """The registered organisation of that name (exact after folding spaces and full-width forms), or None.

    No fuzzy match and no creation: a misspelt employer would silently defeat the conflict-of-interest check.
    """
    name = (name or "").strip()
    if not name:
        return None
    exact = Organisation.objects.filter(name=name).first()
    if exact is not None:
        return exact
    key = normalise_name(name)
    return next((o for o in Organisation.objects.only("id", "name").iterator() if normalise_name(o.name) == key), None)


EXPERT_EVENT_LABELS = {
    "expert_added": gettext_noop("加入专家库"), "expert_changed": gettext_noop("修改专家信息"),
    "expert_deactivated": gettext_noop("停用"), "expert_reactivated": gettext_noop("恢复入库"),
}


def search_experts(q: str = "", *, include_inactive: bool = True):
    """The pool filtered by name, speciality or organisation (the pool page, the API, `yuebiao experts list`)."""
    qs = Expert.objects.select_related("organisation", "user")
    if not include_inactive:
        qs = qs.filter(active=True)
    q = (q or "").strip()[:100]
    for word in q.split():
        qs = qs.filter(Q(name__icontains=word) | Q(speciality__icontains=word) | Q(organisation__name__icontains=word)
                       | Q(title__icontains=word))
    return qs.order_by("-active", "name", "id")


# ---------------------------------------------------------------------------------------------------------------
# Conflicts of interest and suggestions.
def drafting_organisations_of(project: Project) -> dict[int, str]:
    return dict(project.drafting_organisations.values_list("id", "name"))


def conflict_of(expert: Expert, drafting: dict[int, str]) -> str | None:
    """Why the expert must step aside from a project drafted by `drafting` ({org id: name}), or None.

    The employer on the pool record counts, and so does the organisation of the expert's linked account: an expert
    who moved to a drafting organisation without the pool being updated still steps aside.
    """
    if expert.organisation_id in drafting:
        return drafting[expert.organisation_id]
    user_org = getattr(expert.user, "organisation_id", None) if expert.user_id else None
    if user_org in drafting:
        return drafting[user_org]
    return None


def conflict_message(expert: Expert, org_name: str) -> str:
    return (f"专家“{expert.name}”的工作单位“{org_name}”是本项目的起草单位，须回避"
            "（标准化法 第十六条：与起草单位有利害关系的专家不得参加审查）")


_STOPWORDS = frozenset({
    "技术", "规范", "规程", "标准", "要求", "指南", "通则", "方法", "地方", "广东", "广东省", "以及", "有关", "相关",
    "领域", "专业", "研究", "应用",
})


@lru_cache(maxsize=20_000)
def tokens(text: str) -> frozenset[str]:
    """The words of a title, scope or speciality (jieba, search mode), less the words every standard shares."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return frozenset(w for w in jieba.cut_for_search(folded, HMM=False)
                     if len(w) > 1 and w not in _STOPWORDS and not w.isspace() and any(c.isalnum() for c in w))


@dataclass
class Suggestion:
    expert: Expert
    score: int
    matched: list[str]


def suggest_experts(project: Project, *, q: str = "", limit: int | None = 50,
                    exclude_ids: Iterable[int] = ()) -> tuple[list[Suggestion], list[tuple[Expert, str]]]:
    """Eligible experts ranked by how their speciality matches the project's title and scope, and those excluded
    for a conflict of interest (with the drafting organisation's name). Title words count double."""
    drafting = drafting_organisations_of(project)
    title_words = tokens(project.title_zh)
    scope_words = tokens(project.scope[:2000]) - title_words
    eligible: list[Suggestion] = []
    conflicts: list[tuple[Expert, str]] = []
    excluded = set(exclude_ids)
    for expert in search_experts(q, include_inactive=False):
        if expert.pk in excluded:
            continue
        org = conflict_of(expert, drafting)
        if org is not None:
            conflicts.append((expert, org))
            continue
        words = tokens(expert.speciality)
        hit_title, hit_scope = words & title_words, words & scope_words
        eligible.append(Suggestion(expert, 2 * len(hit_title) + len(hit_scope), sorted(hit_title | hit_scope)))
    eligible.sort(key=lambda s: (-s.score, s.expert.name, s.expert.pk))
    return (eligible[:limit] if limit else eligible), conflicts


# ---------------------------------------------------------------------------------------------------------------
# Panels.
def latest_panel(project: Project) -> ReviewPanel | None:
    return project.panels.order_by("-round").first()


def stage_entered_on(project: Project) -> date | None:
    if project.stage_entered_at is None:
        return None
    return timezone.localtime(project.stage_entered_at).date()


def formation_block(project: Project, latest: ReviewPanel | None) -> str | None:
    """Why no panel may be formed now, or None. A new round follows a decided panel only once the project has
    re-entered technical review after that decision (back from drafting after 不通过, or back from 报批)."""
    if project.state != State.TECHNICAL_REVIEW:
        return f"项目处于“{project.state_label}”阶段，只有在“技术审查”阶段才能组建审查专家组"
    if latest is None:
        return None
    if not latest.decision:
        return f"第 {latest.round} 轮审查专家组已经组建，尚未作出审查结论"
    if latest.decided_at and project.stage_entered_at and latest.decided_at < project.stage_entered_at:
        return None
    if latest.decision == Decision.FAIL:
        return f"第 {latest.round} 轮审查结论为“不通过”：须先退回起草单位修改，再次提交送审稿后组建新一轮专家组"
    return f"第 {latest.round} 轮审查已作出结论“{CONCLUSION_LABELS[Decision(latest.decision)]}”，可以报批"


def tally(conclusions: Iterable[str]) -> dict[str, int]:
    counts = {key: 0 for key in _BY_SEVERITY}
    for c in conclusions:
        if c in counts:
            counts[c] += 1
    return counts


def majority_range(counts: dict[str, int]) -> tuple[str, str] | None:
    """The decisions consistent with the experts' majority: conclusions are ordered 通过 < 修改后通过 < 不通过 and
    the majority view is their median. With an odd number of experts it is one conclusion — the strictest that more
    than half of them reached or went beyond (3 通过 + 2 修改后通过 → 通过; 2 + 2 + 1 不通过 → 修改后通过). With an
    even number it may span two (3 通过 + 3 不通过: anything between). None when nobody has concluded."""
    n = sum(counts.values())
    if n == 0:
        return None
    low = high = None
    for level in reversed(_BY_SEVERITY):  # strictest level that more than half reached or exceeded
        if sum(counts[c] for c in _BY_SEVERITY if SEVERITY[c] >= SEVERITY[level]) * 2 > n:
            low = level
            break
    for level in _BY_SEVERITY:  # most lenient level that more than half reached or stayed under
        if sum(counts[c] for c in _BY_SEVERITY if SEVERITY[c] <= SEVERITY[level]) * 2 > n:
            high = level
            break
    low = low or _BY_SEVERITY[0]
    high = high or _BY_SEVERITY[-1]
    return (low, high) if SEVERITY[low] <= SEVERITY[high] else (high, low)


def contradicts_majority(decision: str, counts: dict[str, int]) -> bool:
    span = majority_range(counts)
    if span is None:
        return False
    return not (SEVERITY[span[0]] <= SEVERITY[decision] <= SEVERITY[span[1]])


# ---------------------------------------------------------------------------------------------------------------
# What the pages show.
def seats_of(user) -> list[PanelMember]:
    """The user's seats on panels (as the expert linked to the account), open ones first."""
    if not getattr(user, "is_authenticated", False):
        return []
    seats = list(
        PanelMember.objects.filter(expert__user=user)
        .select_related("panel__project", "expert")
        .order_by("-panel__created_at", "-id")[:200]
    )
    latest = dict(
        ReviewPanel.objects.filter(project_id__in={s.panel.project_id for s in seats})
        .order_by("project_id", "round").values_list("project_id", "id")
    )  # the last value per project wins: its latest round
    for s in seats:
        s.is_open = (not s.panel.decision and latest.get(s.panel.project_id) == s.panel_id
                     and s.panel.project.state == State.TECHNICAL_REVIEW)
    seats.sort(key=lambda s: (not (s.is_open and not s.conclusion), not s.is_open))
    return seats


def panel_data(panel: ReviewPanel | None, *, members: list[PanelMember], full: bool) -> dict | None:
    """The panel as plain values (API, templates). `full` shows each expert's conclusion and opinion: the
    secretariat always; anyone who may see the project only once the panel has decided (experts conclude
    independently of one another)."""
    if panel is None:
        return None
    counts = tally(m.conclusion for m in members)
    show = full or bool(panel.decision)
    return {
        "round": panel.round, "meeting_on": panel.meeting_on, "location": panel.location,
        "decision": panel.decision, "decision_label": CONCLUSION_LABELS[Decision(panel.decision)] if panel.decision else "",
        "decision_note": panel.decision_note if show else "", "decided_at": panel.decided_at,
        "minutes": ({"id": panel.minutes.pk, "version": panel.minutes.version, "filename": panel.minutes.filename,
                     "sha256": panel.minutes.sha256} if panel.minutes_id else None),
        "concluded": sum(1 for m in members if m.conclusion), "size": len(members),
        "tally": counts if show else None,
        "members": [{
            "id": m.pk, "expert_id": m.expert_id, "name": m.expert.name,
            "organisation": m.expert.organisation.name if m.expert.organisation_id else "",
            "title": m.expert.title, "chair": m.is_chair, "has_concluded": bool(m.conclusion),
            "conclusion": m.conclusion if show else "",
            "conclusion_label": CONCLUSION_LABELS[Decision(m.conclusion)] if show and m.conclusion else "",
            "opinion": m.opinion if show else "", "recorded_at": m.recorded_at if show else None,
        } for m in members],
    }


def _majority_text(span: tuple[str, str] | None) -> str:
    if span is None:
        return ""
    low, high = (gettext(CONCLUSION_LABELS[Decision(s)]) for s in span)
    return low if low == high else gettext("%(low)s 至 %(high)s 之间") % {"low": low, "high": high}


def project_panel_context(project, user, roles) -> dict:
    """What the project page's review panel needs (lifecycle/templates/lifecycle/review/_panel.html).

    Four queries at most: the panels, the latest panel's members, and — for the secretariat — the minutes versions.
    """
    panels = list(project.panels.select_related("minutes").order_by("-round"))
    if not panels and project.state != State.TECHNICAL_REVIEW:
        return {"visible": False}
    roles = {Role(r) for r in roles if r in Role._value2member_map_}
    secretariat = bool(roles & {Role.COMMITTEE, Role.BUREAU})
    current = panels[0] if panels else None
    members = list(current.members.select_related("expert__organisation")) if current else []
    uid = getattr(user, "pk", None)
    my_seat = next((m for m in members if uid and m.expert.user_id == uid), None)
    open_round = bool(current and not current.decision and project.state == State.TECHNICAL_REVIEW)
    block = formation_block(project, current) if secretariat else None
    minutes_choices = []
    if secretariat and open_round:
        minutes_choices = list(project.documents.filter(kind=Doc.REVIEW_MINUTES, uploaded_at__gte=current.created_at)
                               .order_by("-version"))
    data = panel_data(current, members=members, full=secretariat)
    missing = [m["name"] for m in data["members"] if not m["has_concluded"]] if data else []
    counts = tally(m.conclusion for m in members)
    return {
        "visible": True,
        "current": current,
        "data": data,
        "earlier": [{"round": p.round, "decision": p.decision,
                     "decision_label": CONCLUSION_LABELS[Decision(p.decision)] if p.decision else "",
                     "decided_at": p.decided_at, "minutes": p.minutes} for p in panels[1:]],
        "secretariat": secretariat,
        "can_form": secretariat and block is None,
        "form_block": block or "",
        "my_seat": my_seat,
        "can_conclude": bool(open_round and (my_seat or secretariat)),
        "meeting_held": bool(current and (not current.meeting_on or timezone.localdate() >= current.meeting_on)),
        "missing": missing,
        "can_decide": bool(secretariat and open_round and members and not missing),
        "majority_text": _majority_text(majority_range(counts)) if members and not missing else "",
        "minutes_choices": minutes_choices,
        "conclusion_choices": [(k.value, v) for k, v in CONCLUSION_LABELS.items()],
        "min_size": MIN_PANEL_SIZE,
        "max_chars": MAX_OPINION_CHARS,
    }
