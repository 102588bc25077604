"""A standard's status (标准状态: 现行 / 即将实施 / 废止 / 被代替) derived from its dates and relations."""

from __future__ import annotations

from datetime import date

CURRENT, UPCOMING, WITHDRAWN, REPLACED = "current", "upcoming", "withdrawn", "replaced"
STATUSES = (CURRENT, UPCOMING, WITHDRAWN, REPLACED)
STATUS_ZH = {CURRENT: "现行", UPCOMING: "即将实施", WITHDRAWN: "废止", REPLACED: "被代替"}
# Words sources use for a status; 有更新版 means a newer edition exists but this one is still in force.
STATUS_WORDS = {
    "现行": CURRENT, "现行有效": CURRENT, "有效": CURRENT, "有更新版": CURRENT, "已发布": UPCOMING,
    "即将实施": UPCOMING, "废止": WITHDRAWN, "作废": WITHDRAWN, "已废止": WITHDRAWN, "被代替": REPLACED,
    "已被代替": REPLACED, "current": CURRENT, "upcoming": UPCOMING, "withdrawn": WITHDRAWN, "replaced": REPLACED,
    "activated": CURRENT, "obsoleted": WITHDRAWN,
}


def derive_status(
    *,
    stated: str | None,
    implemented_on: date | None,
    withdrawn_on: date | None,
    replaced_by_in_force: bool,
    today: date,
) -> str:
    """Dates and relations win over what a source stated; the stated status fills in where dates are missing."""
    if withdrawn_on and withdrawn_on <= today:
        return WITHDRAWN
    if replaced_by_in_force:
        return REPLACED
    if stated in (WITHDRAWN, REPLACED) and not withdrawn_on:
        return stated
    if implemented_on:
        return UPCOMING if implemented_on > today else CURRENT
    return stated or CURRENT


def in_force(*, status: str, implemented_on: date | None, today: date) -> bool:
    """Whether a replacing standard has taken effect, so that what it replaces is 被代替."""
    if status in (WITHDRAWN,):
        return False
    if implemented_on:
        return implemented_on <= today
    return status in (CURRENT, REPLACED)
