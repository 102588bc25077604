"""The lifecycle's daily job for `yuebiao worker` (YUEBIAO_DAILY_JOBS): the reviews due, as `reviews-due --open`."""

from __future__ import annotations

import logging

from lifecycle import references as refs
from lifecycle.implementation import actions as implementation_actions

log = logging.getLogger("yuebiao.lifecycle")


def open_due_reviews() -> dict:
    """References parsed since the last run first, as they may make a review due today, then the reviews due."""
    references = refs.refresh_missing_references()
    opened = implementation_actions.open_due_reviews()
    failed = [f"{o['number'] or o['code']}：{o['error']}" for o in opened if o["error"]]
    if failed:
        log.warning("未能启动的复审：%s", "；".join(failed))
    return {"references_added": references, "opened": sum(o["opened"] for o in opened),
            "started": sum(o["started"] for o in opened), "failed": failed}
