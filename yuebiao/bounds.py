"""Integers read from requests, kept inside the database's 64-bit range so no number a user types overflows a query.

The API declares its bounds in the schema (`DbId`, `Offset`, `Query(..., ge=, le=)`); views read integers from GET
or POST through `int_param` / `int_params`, which raise `InputRefused`, answered 400 by `yuebiao.middleware`.
"""

from __future__ import annotations

import re
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import Field

# PostgreSQL bigint and SQLite INTEGER: the largest value either accepts as a parameter.
MAX_INT64 = 2**63 - 1
_INTEGER = re.compile(r"^[+-]?[0-9]{1,19}$")  # ASCII digits only: str.isdigit() accepts "²", which int() refuses

DbId = Annotated[int, Field(ge=1, le=MAX_INT64, description="记录编号（正整数）")]
Offset = Annotated[int, Field(ge=0, le=MAX_INT64, description="跳过的条数（非负整数）")]


class InputRefused(ValueError):
    """A request parameter refused at the edge (400); the message is Chinese and names the parameter."""


def _refusal(name: str, lo: int, hi: int) -> InputRefused:
    return InputRefused(_("参数 %(name)s 应为 %(lo)s 到 %(hi)s 之间的整数") % {"name": name, "lo": lo, "hi": hi})


def parse_int(raw, name: str, *, lo: int = 0, hi: int = MAX_INT64) -> int:
    """`raw` as an integer within [lo, hi], or InputRefused."""
    text = str(raw).strip()
    if not _INTEGER.match(text) or not lo <= int(text) <= hi:
        raise _refusal(name, lo, hi)
    return int(text)


def int_param(data, name: str, default: int | None = None, *, lo: int = 0, hi: int = MAX_INT64) -> int | None:
    """One integer parameter of a QueryDict (request.GET or request.POST); `default` when absent or empty."""
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    return parse_int(raw, name, lo=lo, hi=hi)


def int_params(data, name: str, *, lo: int = 1, hi: int = MAX_INT64) -> list[int]:
    """Every value of a repeated integer parameter (?expert=3&expert=7), empty values skipped."""
    return [parse_int(raw, name, lo=lo, hi=hi) for raw in data.getlist(name) if str(raw).strip()]
