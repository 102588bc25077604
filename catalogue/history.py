"""The catalogue's changes in the trail (标准变更记录): what each write did to each standard, field by field.

Written by the catalogue's services in the transaction of the change, through trail.services.record_many (one
query for the chain heads and one executemany per batch, so an import of 100,000 rows stays an import). The
subject is the standard (`catalogue.standard:<id>`); data holds `changes`, {field: [old, new]} (for a new
standard `record`, its non-empty fields as written), and the context the caller gives (the import batch, the
source).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from catalogue.models import Replacement, Standard
from trail.services import record_many

# Fields a reader of the catalogue sees; derived columns (slug, search words, hashes, times) are left out.
TRACKED = (
    "number", "title_zh", "title_en", "status", "published_on", "implemented_on", "withdrawn_on", "adoption_degree",
    "adopted_standard", "ccs_code", "technical_committee", "issuing_authority", "drafting_organisations", "region",
    "scope", "notes", "source", "ics_codes", "sectors", "replaces",
)
_COLUMNS = tuple(f"{name}_id" if name in ("ccs_code", "region") else name for name in TRACKED[:17])

CREATED, EDITED, WITHDRAWN, STATUS_CHANGED = "created", "edited", "withdrawn", "status_changed"
FULL_TEXT_ATTACHED = "full_text_attached"  # 上传全文: the file stored, with its SHA-256
_META = Standard._meta


def subject(pk: int) -> str:
    """The trail subject of a standard, as trail.services.subject_key names it (without building the instance)."""
    return f"{_META.app_label}.{_META.model_name}:{pk}"


def _plain(value: Any) -> Any:
    """A value as the trail keeps it: dates as ISO text, empty as None."""
    if isinstance(value, date):
        return value.isoformat()
    if value == "" or value == []:
        return None
    return str(value) if isinstance(value, str) else value  # choices are str subclasses; the trail takes str


def built_values(std: Standard, rel: dict) -> dict[str, Any]:
    """The tracked fields of a standard about to be written (the services' built object and its relations)."""
    fields = std.__dict__
    values = {}
    for name, column in zip(TRACKED, _COLUMNS):
        value = fields[column]
        # Plain text and None are most values: taken inline, as this runs once per imported row.
        values[name] = (value or None) if type(value) is str else None if value is None else _plain(value)
    for name, key in (("ics_codes", "ics"), ("sectors", "sectors"), ("replaces", "replaces")):
        values[name] = list(rel[key]) or None
    return values


def stored_values(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The tracked fields of stored standards as they are now, before a write (four queries)."""
    out = {row[0]: {name: _plain(v) for name, v in zip(TRACKED, row[1:])}
           for row in Standard.objects.filter(id__in=ids).values_list("id", *_COLUMNS)}
    lists: dict[int, dict[str, list]] = {pk: {"ics_codes": [], "sectors": [], "replaces": []} for pk in out}
    for pk, code in Standard.ics_codes.through.objects.filter(standard_id__in=ids).values_list("standard_id",
                                                                                                "icscode_id"):
        lists[pk]["ics_codes"].append(code)
    for pk, slug in Standard.sectors.through.objects.filter(standard_id__in=ids).values_list("standard_id",
                                                                                              "sector_id"):
        lists[pk]["sectors"].append(slug)
    for pk, number in Replacement.objects.filter(standard_id__in=ids).order_by("id").values_list("standard_id",
                                                                                                  "replaced_number"):
        lists[pk]["replaces"].append(number)
    for pk, fields in lists.items():
        # Codes are a set: compared and kept sorted; replaced numbers keep the order they were given in.
        out[pk].update(ics_codes=_plain(sorted(fields["ics_codes"])), sectors=_plain(sorted(fields["sectors"])),
                       replaces=_plain(fields["replaces"]))
    return out


def _sorted_sets(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, **{k: sorted(values[k]) for k in ("ics_codes", "sectors") if values[k]}}


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields that differ."""
    before, after = _sorted_sets(old), _sorted_sets(new)
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record_writes(
    written: Iterable[tuple[Standard, dict]], old: dict[int, dict[str, Any]], *, by: Any, context: dict
) -> int:
    """One event per created or changed standard (`created` with the record, `edited`, or `withdrawn` when it
    becomes 废止, with the changes); `old` holds stored_values of the changed ones. Returns how many events."""
    events = []
    for std, rel in written:
        before = old.get(std.id)
        values = built_values(std, rel)
        if before is None:
            # A new standard: the record as written (every non-empty field), the "old" side being nothing.
            record = {k: v for k, v in values.items() if v is not None}
            for key in ("ics_codes", "sectors"):
                if key in record:
                    record[key] = sorted(record[key])
            events.append((subject(std.id), CREATED, {**context, "number": std.number, "record": record}))
            continue
        diff = changes(before, values)
        if not diff:
            continue  # only derived columns changed (the record's source wording, say)
        kind = WITHDRAWN if diff.get("status", [None, None])[1] == Standard.Status.WITHDRAWN else EDITED
        events.append((subject(std.id), kind, {**context, "number": std.number, "changes": diff}))
    return record_many(events, actor=by)


def record_many_changes(changed: list[tuple[int, str, dict[str, list]]], *, by: Any, context: dict) -> int:
    """One event per (id, kind, changes) already computed by the caller (a withdrawal, an edit of a few fields)."""
    return record_many(((subject(pk), kind, {**context, "changes": diff}) for pk, kind, diff in changed), actor=by)


def record_status_changes(updates: list[tuple[int, str, str]], *, by: Any, reason: str) -> int:
    """One `status_changed` event per (id, old status, new status)."""
    return record_many(
        ((subject(pk), STATUS_CHANGED, {"reason": reason, "changes": {"status": [old, new]}})
         for pk, old, new in updates),
        actor=by,
    )
