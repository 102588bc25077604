"""Who may write which standard (标准维护权限): an import row, an edit or a withdrawal checks the standard it touches.

A city officer maintains only its own city's local standards (DB4401/T … for 广州市); national, industry, group,
provincial (DB44) and other cities' standards are the provincial bureau's. The rule itself is
`accounts.permissions.can(user, Action.CATALOGUE_EDIT, standard)` over `Standard.region_code` (the issuing region
in the number); this module applies it to rows that are not standards yet, and says why in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.permissions import can
from accounts.roles import Action
from catalogue.models import AdminDivision, Standard
from catalogue.numbers import StandardNumberError, parse_number, prefix_region
from catalogue.table_vocabulary import ParsedTable, RowError
from django.utils import translation
from yuebiao.messages import Message

_LEVEL_LABELS = dict(Standard.Level.choices)


@dataclass(frozen=True)
class _Owned:
    """What can() reads of a standard: the region that maintains it (None: provincial roles only)."""

    region_code: str | None


class CatalogueRights:
    """What one user may write in the catalogue, decided once per import and remembered per region.

    `user` None is the system (reference data, demo, the command line without a user): it may write everything.
    """

    def __init__(self, user: Any):
        self.user = user
        self.everything = user is None or can(user, Action.CATALOGUE_EDIT, _Owned(None))
        self._allowed: dict[str | None, bool] = {}
        self._names: dict[str, str] = {}

    def _may(self, region: str | None) -> bool:
        allowed = self._allowed.get(region)
        if allowed is None:
            allowed = self._allowed[region] = can(self.user, Action.CATALOGUE_EDIT, _Owned(region))
        return allowed

    def _name(self, code: str) -> str:
        if code not in self._names:
            self._names[code] = AdminDivision.objects.filter(code=code).values_list("name", flat=True).first() or code
        return self._names[code]

    def _owner_refusal(self, number: str, *, replaced: bool = False) -> str | None:
        """Why `number` may not be written (None when it may); by the number alone, in or out of the catalogue."""
        try:
            parsed = parse_number(number)
        except StandardNumberError:
            return None  # the row's own checks report an unreadable number
        region = prefix_region(parsed.prefix) if parsed.level == Standard.Level.LOCAL else None
        if self._may(region):
            return None
        if region:
            whose = Message("属于{owner}", owner=self._name(region))
        else:
            with translation.override("zh-hans"):  # the stored sentence is Chinese; its id translates it later
                whose = Message("是{level}", level=Message(str(_LEVEL_LABELS.get(parsed.level, "非本市标准"))))
        if replaced:
            return Message("被代替标准 {number} {whose}，无权改变其状态", number=number, whose=whose)
        return Message("{number} {whose}，无权修改", number=number, whose=whose)

    def standard_refusal(self, standard: Standard) -> str | None:
        """Why the user may not change this stored standard (its full text, its record), or None when it may."""
        if self.everything or self._may(standard.region_code):
            return None
        return self._owner_refusal(standard.number) or Message(
            "{number} 不在本单位管辖范围内，无权修改", number=standard.number)

    def refusals(self, record: dict) -> list[tuple[str, str]]:
        """(column key, Chinese message) for each reason this record may not be written by the user; [] if it may.

        Checked: the standard itself (created or changed alike), every standard it says it replaces (which would
        become 被代替), and the region it is filed under.
        """
        if self.everything:
            return []
        out: list[tuple[str, str]] = []
        message = self._owner_refusal(record["number"])
        if message:
            out.append(("number", message))
        for replaced in record.get("replaces") or ():
            message = self._owner_refusal(replaced, replaced=True)
            if message:
                out.append(("replaces", message))
        region = record.get("region_code")
        # Checked only for a standard of one's own: otherwise the region (often read from the number) says the same.
        if region and not out and not self._may(region):
            out.append(("region_code", Message(
                "地区 {name}（{code}）不在本单位管辖范围内，无权修改", name=self._name(region), code=region)))
        return out


_COLUMNS = {"number": Message("标准号"), "replaces": Message("代替标准"), "region_code": Message("地区")}


def restrict_table(table: ParsedTable, user: Any) -> int:
    """Turn every record of a checked upload that `user` may not write into row errors, in place; returns how many
    rows were refused. Run again on a table already restricted, it finds nothing more (the commit re-checks)."""
    rights = CatalogueRights(user)
    if rights.everything:
        return 0
    kept, refused = [], 0
    for row, record in table.records:
        reasons = rights.refusals(record)
        if reasons:
            refused += 1
            table.errors.extend(RowError(row, _COLUMNS[key], message) for key, message in reasons)
        else:
            kept.append((row, record))
    if refused:
        table.records = kept
        table.errors.sort(key=lambda e: e.row)
    return refused

