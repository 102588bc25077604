"""The work list's words (待我处理): what each project needs from the reader and why, and when it is late.

Pure: no Django import. One definition of "late" (已超期) serves the work list, the project list's filter and the
review due list: `late_reasons`. The texts are Chinese msgids; the page translates them with their parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# States (the values of lifecycle.transitions.State), kept as strings so this module needs nothing else.
IN_FORCE = ("implementing", "evaluation", "periodic_review")
# States whose stage date is not a due date: consultation's is a minimum, implementing's the review date rules.
NO_STAGE_DUE = ("consultation", "implementing")
TERMINAL = ("withdrawn", "revised", "cancelled", "rejected")

# What a participant must do in each state: (the project role that acts, the need in words).
NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "application": (("proposer", "待提交：立项申请"),),
    "assessment": (("bureau", "待评估：立项申请"),),
    "publicity": (("bureau", "立项公示中：期满后下达计划"),),
    "drafting": (("drafter", "待起草：征求意见稿和编制说明"),),
    "consultation": (("drafter", "征求意见中：答复收到的意见"),),
    "resolution": (("drafter", "待处理：答复意见并提交送审稿"),),
    "technical_review": (("committee", "待组织：技术审查"), ("expert", "待提交：个人审查意见")),
    "approval": (("bureau", "待审查：技术审查结论和报批稿"),),
    "published": (("bureau", "待办理：备案和公开"),),
    "evaluation": (("evaluator", "待提交：评估报告"),),
    "periodic_review": (("bureau", "待作出：复审结论"),),
}


@dataclass(frozen=True)
class Facts:
    """What the words are made from, read from one project."""

    state: str
    today: date
    stage_due_on: date | None = None
    review_due_on: date | None = None
    open_review_dues: tuple[date, ...] = ()
    filing_due_on: date | None = None
    filed: bool = True
    disclosure_due_on: date | None = None
    disclosed: bool = True
    extension_pending: bool = False
    unanswered_comments: int = 0
    roles: frozenset[str] = field(default_factory=frozenset)  # the reader's roles on the project


def review_due(f: Facts) -> date | None:
    """When the standard's review falls due: the earliest of the five-year date and the open reviews' dates."""
    if f.state not in IN_FORCE:
        return None
    dates = [d for d in (f.review_due_on, *f.open_review_dues) if d]
    return min(dates) if dates else None


def review_late(f: Facts) -> bool:
    """The review due list's 已逾期: in force, and the review's date has passed."""
    review = review_due(f)
    return bool(review and review < f.today)


def late_reasons(f: Facts) -> list[tuple[str, dict]]:
    """Every way the project is late (已超期), as (msgid, parameters); empty when it is not late."""
    out: list[tuple[str, dict]] = []
    if f.state in TERMINAL:
        return out
    review = review_due(f)
    if review and review_late(f):
        out.append(("复审逾期 %(d)s 天", {"d": (f.today - review).days}))
    if f.stage_due_on and f.stage_due_on < f.today and f.state not in NO_STAGE_DUE:
        out.append(("本阶段逾期 %(d)s 天", {"d": (f.today - f.stage_due_on).days}))
    if not f.filed and f.filing_due_on and f.filing_due_on < f.today:
        out.append(("备案逾期 %(d)s 天", {"d": (f.today - f.filing_due_on).days}))
    if not f.disclosed and f.disclosure_due_on and f.disclosure_due_on < f.today:
        out.append(("公开逾期 %(d)s 天", {"d": (f.today - f.disclosure_due_on).days}))
    return out


def needs(f: Facts) -> list[tuple[str, dict]]:
    """What the reader must do on the project, as (msgid, parameters), most pressing first."""
    out: list[tuple[str, dict]] = []
    if f.extension_pending and "bureau" in f.roles:
        out.append(("待决定：延期申请", {}))
    review = review_due(f)
    if review and "bureau" in f.roles and review <= f.today and f.state != "periodic_review":
        out.append(("待启动：复审", {}))
    for role, words in NEEDS.get(f.state, ()):
        if role in f.roles:
            out.append((words, {}))
    if f.state in ("consultation", "resolution") and "drafter" in f.roles and f.unanswered_comments:
        out.append(("待答复意见 %(n)s 条", {"n": f.unanswered_comments}))
    return out


def due_words(f: Facts) -> tuple[str, dict] | None:
    """The coming date, when the project is not late: "期限 2027-03-01（还剩 12 天）"."""
    due = review_due(f) if f.state == "implementing" else (None if f.state in NO_STAGE_DUE else f.stage_due_on)
    if due is None or due < f.today:
        return None
    return ("期限 %(date)s（还剩 %(d)s 天）", {"date": due.isoformat(), "d": (due - f.today).days})
