"""Implementation: the review due list (复审到期清单) as an Excel workbook, for the due list's download."""

from __future__ import annotations

import io
from typing import Iterable

from django.utils.translation import gettext as _

from lifecycle.implementation.queries import ReviewDue

REVIEW_COLUMNS = ("标准号", "标准名称", "项目编号", "地市", "阶段", "实施日期", "五年复审到期", "最早期限", "剩余天数",
                  "是否逾期", "复审原因")


def reviews_due_xlsx(rows: Iterable[ReviewDue]) -> bytes:
    """The review due list as an Excel workbook: one row per standard, the overdue ones shaded, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = _("复审到期清单")
    ws.append([_(c) for c in REVIEW_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8D7DA")
    for r in rows:
        p = r.project
        ws.append([
            p.number or "", p.title_zh, p.code, r.city_name, p.state_label, p.implementation_on, p.review_due_on,
            r.due_on, r.days_left, _("是") if r.overdue else _("否"),
            "；".join(f"{reason}{('：' + rv.detail) if rv.detail else ''}"
                     for reason, rv in zip(r.reasons, r.open_reviews)),
        ])
        if r.overdue:
            for cell in ws[ws.max_row]:
                cell.fill = red
    for col, width in zip("ABCDEFGHIJK", (20, 36, 12, 10, 10, 12, 14, 12, 10, 10, 50)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=8):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
