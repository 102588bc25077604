"""Implementation: the review due list (复审到期清单) as an Excel workbook, for the due list's download."""

from __future__ import annotations

from typing import Iterable, Iterator

from django.utils.translation import gettext as _

from catalogue.table_writer import write_workbook
from lifecycle.implementation.queries import ReviewDue

REVIEW_COLUMNS = ("标准号", "标准名称", "项目编号", "地市", "阶段", "实施日期", "五年复审到期", "最早期限", "剩余天数",
                  "是否逾期", "复审原因")


def reviews_due_xlsx(rows: Iterable[ReviewDue]) -> bytes:
    """The review due list as an Excel workbook through the platform's one workbook writer: one row per standard,
    dates as dates, the header bold and frozen; "是否逾期" says which are late (the writer shades no rows)."""
    def lines() -> Iterator[list]:
        yield [_(c) for c in REVIEW_COLUMNS]
        for r in rows:
            p = r.project
            yield [
                p.number or "", p.title_zh, p.code, r.city_name, p.state_label, p.implementation_on, p.review_due_on,
                r.due_on, r.days_left, _("是") if r.overdue else _("否"),
                "；".join(f"{reason}{('：' + rv.detail) if rv.detail else ''}"
                         for reason, rv in zip(r.reasons, r.open_reviews)),
            ]

    return write_workbook([(_("复审到期清单"), lines(), [20, 36, 12, 10, 10, 12, 14, 12, 10, 10, 50])])
