"""The lifecycle's menu and landing page by account role: every area is reachable by the roles that use it.

Pure: no Django import. Each entry is (URL name, label msgid, the account roles that use the page). The page's
own @access still decides; the menu only offers what the reader's roles use.
"""

from __future__ import annotations

BUREAU = frozenset({"provincial_officer", "provincial_admin"})
OFFICERS = BUREAU | {"city_officer", "department_officer"}
PARTICIPANTS = OFFICERS | {"drafter", "committee_secretary", "evaluator", "expert"}

ENTRIES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("lifecycle:work", "待我处理", PARTICIPANTS),
    ("lifecycle:projects", "地方标准项目", PARTICIPANTS),
    ("lifecycle:review-my", "我的技术审查", frozenset({"expert"})),
    ("lifecycle:experts", "专家库", BUREAU | {"committee_secretary"}),
    ("lifecycle:reviews", "复审到期清单", BUREAU | {"city_officer", "department_officer"}),
    ("lifecycle:feedback-list", "实施信息反馈", BUREAU | {"city_officer", "department_officer", "drafter"}),
    ("lifecycle:evaluations", "实施效果评估", BUREAU | {"evaluator"}),
    ("lifecycle:periods", "规定期限", BUREAU),
)

# The officers and participants land on their work list after signing in; the public and enterprises on the home.
LANDS_ON_WORK = PARTICIPANTS


def entries_for(roles: set[str] | frozenset[str]) -> list[tuple[str, str]]:
    """The (URL name, label) of the lifecycle pages the holder of `roles` uses, in menu order."""
    return [(name, label) for name, label, users in ENTRIES if users & set(roles)]


def landing(roles: set[str] | frozenset[str]) -> str | None:
    """The URL name to land on after signing in, or None for the default (the home page)."""
    return "lifecycle:work" if LANDS_ON_WORK & set(roles) else None
