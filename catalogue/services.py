"""Use cases of the catalogue: write standards (import, reference data, demo), keep statuses right, export."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from catalogue import history
from catalogue import status as status_rules
from catalogue.models import (
    AdminDivision,
    CatalogueRevision,
    CcsCode,
    HsCode,
    IcsCode,
    Replacement,
    Sector,
    Standard,
)
from catalogue.numbers import StandardNumberError, parse_number
from catalogue.rights import CatalogueRights
from catalogue.search_text import index_words
from catalogue.sectors import SECTORS
from catalogue.signals import full_text_attached, full_text_submitted, standards_superseded
from catalogue.slugs import number_slug
from yuebiao import files

Progress = Callable[[int], None] | None

RECORD_KEYS = (
    "number", "title_zh", "title_en", "status", "published_on", "implemented_on", "withdrawn_on", "ics_codes",
    "ccs_code", "technical_committee", "issuing_authority", "drafting_organisations", "replaces", "adoption_degree",
    "adopted_standard", "region_code", "sectors", "scope", "notes",
)
_WRITTEN_FIELDS = [
    "number", "slug", "prefix", "sequence", "sequence_num", "part", "year", "level", "nature", "title_zh", "title_en",
    "status", "stated_status", "published_on", "implemented_on", "withdrawn_on", "adoption_degree",
    "adopted_standard", "ccs_code", "technical_committee", "issuing_authority", "drafting_organisations", "region",
    "city", "scope", "notes", "source", "source_url", "is_demo", "search_text", "record_hash", "updated_at",
]


class RecordError(ValueError):
    """A record that cannot be written; the message names the standard and the problem in Chinese."""


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class _Reference:
    """Codes that records may name, loaded once per write."""

    ics: set[str]
    ccs: set[str]
    divisions: dict[str, str]  # code → level
    sectors: set[str]

    @classmethod
    def load(cls) -> "_Reference":
        return cls(
            ics=set(IcsCode.objects.values_list("code", flat=True)),
            ccs=set(CcsCode.objects.values_list("code", flat=True)),
            divisions=dict(AdminDivision.objects.values_list("code", "level")),
            sectors=set(Sector.objects.values_list("slug", flat=True)),
        )

    def city_of(self, region: str | None) -> str | None:
        """The prefecture-level city holding `region`, or the province for a province-wide standard."""
        if not region:
            return None
        for candidate in (region[:4] + "00", region[:2] + "0000"):
            if self.divisions.get(candidate) in ("prefecture", "province"):
                return candidate
        return None


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def record_hash(record: dict, *, source: str, is_demo: bool) -> str:
    body = {k: record.get(k) for k in RECORD_KEYS}
    body["_source"] = source
    body["_demo"] = is_demo
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _canonical(text: str, what: str, owner: str) -> str:
    try:
        return parse_number(text).canonical
    except StandardNumberError as exc:
        raise RecordError(f"{owner}：{what}“{text}”无法识别（{exc}）") from exc


def _checked_dates(record: dict, number: str) -> tuple[date | None, date | None, date | None]:
    """Published, implemented and withdrawn dates, in an order that makes sense."""
    published = _as_date(record.get("published_on"))
    implemented = _as_date(record.get("implemented_on"))
    withdrawn = _as_date(record.get("withdrawn_on"))
    if published and implemented and published > implemented:
        raise RecordError(f"{number}：发布日期 {published} 晚于实施日期 {implemented}")
    if implemented and withdrawn and withdrawn < implemented:
        raise RecordError(f"{number}：废止日期 {withdrawn} 早于实施日期 {implemented}")
    return published, implemented, withdrawn


def _checked_codes(record: dict, ref: _Reference, num, number: str) -> tuple[list[str], str | None, str, list[str]]:
    """ICS codes, CCS code, region and sectors, each known to the reference tables."""
    ics = [c.strip() for c in record.get("ics_codes") or [] if c and c.strip()]
    unknown = [c for c in ics if c not in ref.ics]
    if unknown:
        raise RecordError(f"{number}：未知的 ICS 分类号 {'、'.join(unknown)}")
    ccs = (record.get("ccs_code") or "").strip() or None
    if ccs and ccs not in ref.ccs:
        raise RecordError(f"{number}：未知的 CCS 分类号 {ccs}")
    region = (record.get("region_code") or "").strip() or num.region_code
    if region and region not in ref.divisions:
        raise RecordError(f"{number}：未知的行政区划代码 {region}")
    sectors = list(dict.fromkeys(s for s in record.get("sectors") or [] if s))
    unknown = [s for s in sectors if s not in ref.sectors]
    if unknown:
        raise RecordError(f"{number}：未知的领域 {'、'.join(unknown)}")
    return ics, ccs, region, sectors


def _checked_relations(record: dict, number: str) -> tuple[list[str], str, str, str]:
    """Replaced numbers, adopted standard, degree of adoption and stated status."""
    replaces = [_canonical(r, "被代替标准号", number) for r in record.get("replaces") or [] if r and str(r).strip()]
    if number in replaces:
        raise RecordError(f"{number}：标准不能代替自身")
    adopted = (record.get("adopted_standard") or "").strip()
    if adopted:
        adopted = _canonical(adopted, "采用的国际标准号", number)
    degree = (record.get("adoption_degree") or "").strip().upper()
    if degree and degree not in Standard.Adoption.values:
        raise RecordError(f"{number}：采标程度应为 IDT、MOD 或 NEQ，而不是“{degree}”")
    stated = record.get("status") or ""
    if stated and stated not in status_rules.STATUSES:
        raise RecordError(f"{number}：未知的标准状态“{stated}”")
    return replaces, adopted, degree, stated


def _build(record: dict, ref: _Reference, *, source: str, is_demo: bool, today: date) -> tuple[Standard, dict]:
    """A Standard (unsaved) and its relations from one record; raises RecordError naming the problem."""
    raw_number = str(record.get("number") or "").strip()
    if not raw_number:
        raise RecordError("缺少标准号")
    try:
        num = parse_number(raw_number)
    except StandardNumberError as exc:
        raise RecordError(str(exc)) from exc
    number = num.canonical
    title_zh = (record.get("title_zh") or "").strip()
    if not title_zh:
        raise RecordError(f"{number}：缺少中文名称")
    published, implemented, withdrawn = _checked_dates(record, number)
    ics, ccs, region, sectors = _checked_codes(record, ref, num, number)
    replaces, adopted, degree, stated = _checked_relations(record, number)
    orgs = [o.strip() for o in record.get("drafting_organisations") or [] if o and o.strip()]
    digits = "".join(ch if ch.isdigit() else " " for ch in num.sequence).split()
    std = Standard(
        number=number,
        slug=number_slug(number),
        prefix=num.prefix,
        sequence=num.sequence,
        sequence_num=int(digits[0][:18]) if digits else 0,
        part=num.part or "",
        year=int(num.year) if num.year else None,
        level=num.level,
        nature=num.nature or "",
        title_zh=title_zh[:500],
        title_en=(record.get("title_en") or "").strip()[:500],
        stated_status=stated,
        status=status_rules.derive_status(
            stated=stated or None,
            implemented_on=implemented,
            withdrawn_on=withdrawn,
            replaced_by_in_force=False,
            today=today,
        ),
        published_on=published,
        implemented_on=implemented,
        withdrawn_on=withdrawn,
        adoption_degree=degree,
        adopted_standard=adopted,
        ccs_code_id=ccs,
        technical_committee=(record.get("technical_committee") or "").strip()[:300],
        issuing_authority=(record.get("issuing_authority") or "").strip()[:300],
        drafting_organisations=orgs,
        region_id=region or None,
        city_id=ref.city_of(region),
        scope=(record.get("scope") or "").strip(),
        notes=(record.get("notes") or "").strip(),
        # A reference record names its own dataset; everything else is labelled by the caller (import:user, demo).
        source=(record.get("source") or source)[:60],
        source_url=(record.get("source_url") or "")[:500],
        is_demo=is_demo,
        record_hash=record_hash(record, source=source, is_demo=is_demo),
        updated_at=timezone.now(),
    )
    std.search_text = index_words(
        std.title_zh, std.title_en, std.scope, std.issuing_authority, std.technical_committee, " ".join(orgs)
    )
    return std, {"ics": ics, "sectors": sectors, "replaces": replaces}


def _insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain INSERTs through the driver's executemany: bulk imports spend their time in the database, not in
    building ORM statements (a tenth of the time of bulk_create for the same rows, measured in bench/)."""
    if not rows:
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cur:
        for chunk in _batched(rows, 5000):
            cur.executemany(sql, chunk)


def _update_rows(table: str, column: str, rows: list[tuple]) -> None:
    """(value, id) pairs through executemany: Django's bulk_update builds one CASE per batch, which SQLite
    evaluates row by row (minutes for 150,000 links in bench/)."""
    if rows:
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", rows)


def _standard_rows(standards: list[Standard], fields) -> list[tuple]:
    """Column values for plain SQL; only JSON, datetimes and files need the backend's conversion."""
    prepared = {f.attname for f in fields if f.get_internal_type() in ("JSONField", "DateTimeField", "FileField")}
    return [
        tuple(
            f.get_db_prep_save(getattr(std, f.attname), connection) if f.attname in prepared else getattr(std, f.attname)
            for f in fields
        )
        for std in standards
    ]


def _update_standards(standards: list[Standard]) -> None:
    """Rewrite changed standards in place (every written field), one executemany."""
    fields = [Standard._meta.get_field(name) for name in _WRITTEN_FIELDS]
    now = timezone.now()
    for std in standards:
        std.updated_at = now
    sets = ", ".join(f"{f.column} = %s" for f in fields)
    rows = [values + (std.id,) for values, std in zip(_standard_rows(standards, fields), standards)]
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {Standard._meta.db_table} SET {sets} WHERE id = %s", rows)


def _insert_standards(standards: list[Standard]) -> None:
    """Insert new standards and set their ids (looked up by the unique number afterwards)."""
    now = timezone.now()
    fields = [f for f in Standard._meta.concrete_fields if not f.primary_key]
    for std in standards:
        std.created_at = std.updated_at = now
    _insert_rows(Standard._meta.db_table, tuple(f.column for f in fields), _standard_rows(standards, fields))
    ids: dict[str, int] = {}
    for chunk in _batched([s.number for s in standards], 900):
        ids.update(Standard.objects.filter(number__in=chunk).values_list("number", "id"))
    for std in standards:
        std.id = ids[std.number]


def bump_revision() -> None:
    """Mark the catalogue changed, so cached counts and facets are recomputed. Call inside the writing transaction."""
    if not CatalogueRevision.objects.filter(id=1).update(revision=F("revision") + 1):
        CatalogueRevision.objects.create(id=1, revision=1)


def _sort_built(built: list, existing: dict, result: UpsertResult, superseded: dict[str, list[str]],
                withdrawn: list[str]) -> tuple[list, list]:
    """Built standards into new and changed ones (unchanged are only counted); notes what they replace or withdraw."""
    new, changed = [], []
    for std, rel in built:
        if std.number in existing:
            pk, digest, old_status = existing[std.number]
            if digest == std.record_hash:
                result.unchanged += 1
                continue
            std.id = pk
            changed.append((std, rel))
        else:
            new.append((std, rel))
            old_status = None
        for replaced in rel["replaces"]:
            superseded.setdefault(replaced, []).append(std.number)
        # A withdrawal dated ahead counts when announced, not only once the date has come.
        withdrawing = std.status == Standard.Status.WITHDRAWN or std.withdrawn_on is not None
        if withdrawing and old_status != Standard.Status.WITHDRAWN:
            withdrawn.append(std.number)
    return new, changed


def _write_chunk(chunk: list[dict], ref: _Reference, rights: CatalogueRights, seen: set[str], result: UpsertResult,
                 superseded: dict[str, list[str]], withdrawn: list[str], *, source: str, is_demo: bool, today: date,
                 by, context: dict) -> list:
    """Check, build and write one batch of records with their relations and trail events; the written standards."""
    for r in chunk:
        refused = rights.refusals(r)
        if refused:
            raise RecordError(refused[0][1])
    built = [_build(r, ref, source=source, is_demo=is_demo, today=today) for r in chunk]
    for std, _ in built:
        if std.number in seen:
            raise RecordError(f"{std.number}：同一批数据中重复出现")
        seen.add(std.number)
    existing = {
        number: (pk, digest, old_status)
        for number, pk, digest, old_status in Standard.objects.filter(
            number__in=[s.number for s, _ in built]
        ).values_list("number", "id", "record_hash", "status")
    }
    new, changed = _sort_built(built, existing, result, superseded, withdrawn)
    before = history.stored_values([s.id for s, _ in changed]) if changed else {}
    if new:
        _insert_standards([s for s, _ in new])
    if changed:
        _update_standards([s for s, _ in changed])
        ids = [s.id for s, _ in changed]
        Standard.ics_codes.through.objects.filter(standard_id__in=ids).delete()
        Standard.sectors.through.objects.filter(standard_id__in=ids).delete()
        Replacement.objects.filter(standard_id__in=ids).delete()
    written = new + changed
    _insert_rows(
        Standard.ics_codes.through._meta.db_table, ("standard_id", "icscode_id"),
        [(s.id, c) for s, rel in written for c in rel["ics"]],
    )
    _insert_rows(
        Standard.sectors.through._meta.db_table, ("standard_id", "sector_id"),
        [(s.id, c) for s, rel in written for c in rel["sectors"]],
    )
    _insert_rows(
        Replacement._meta.db_table, ("standard_id", "replaced_number"),
        [(s.id, n) for s, rel in written for n in rel["replaces"]],
    )
    history.record_writes(written, before, by=by, context=context)
    result.created += len(new)
    result.updated += len(changed)
    return written


def upsert_standards(
    records: Iterable[dict],
    *,
    source: str,
    is_demo: bool = False,
    progress: Progress = None,
    batch_size: int = 2000,
    by=None,
    context: dict | None = None,
) -> UpsertResult:
    """Create or update standards by canonical number, all in one transaction; unchanged records are not written.

    Each standard created or changed gets its trail event (actor `by`, None for the system; `context` joins each
    event's data). Raises RecordError (nothing written) for the first record that cannot be written, or that `by`
    may not write (an import turns those into row errors before it comes here: this is the last line).
    """
    rights = CatalogueRights(by)
    context = {"source": source, **(context or {})}
    ref = _Reference.load()
    today = timezone.localdate()
    result = UpsertResult()
    seen: set[str] = set()
    touched: list[int] = []
    # What the written records replace or withdraw: told to other rooms once, after commit (standards_superseded).
    superseded: dict[str, list[str]] = {}
    withdrawn: list[str] = []
    with transaction.atomic():
        for chunk in _batched(records, batch_size):
            written = _write_chunk(chunk, ref, rights, seen, result, superseded, withdrawn,
                                   source=source, is_demo=is_demo, today=today, by=by, context=context)
            touched.extend(s.id for s, _ in written)
            if progress:
                progress(len(chunk))
        if touched:
            link_replacements(standard_ids=touched, numbers=list(seen))
            refresh_statuses(touched, today=today, by=by, reason="replacement")
            bump_revision()
        if superseded or withdrawn:
            _announce_superseded(superseded, withdrawn)
    return result


def _announce_superseded(superseded: dict[str, list[str]], withdrawn: list[str]) -> None:
    """Queue one standards_superseded signal for after commit (robust: a receiver's failure never undoes an import)."""
    numbers = sorted(set(superseded) | set(withdrawn))
    transaction.on_commit(
        lambda: standards_superseded.send(
            sender=Standard, numbers=numbers, replaced_by=superseded, withdrawn=sorted(set(withdrawn))
        ),
        robust=True,
    )


def link_replacements(*, standard_ids: list[int] | None = None, numbers: list[str] | None = None) -> int:
    """Point replacement relations at the replaced standard once it is in the catalogue: the relations of the
    given standards, and pending relations naming the given numbers (all pending ones when neither is given)."""
    pending: list[tuple[int, str]] = []
    if standard_ids is None and numbers is None:
        pending = list(Replacement.objects.filter(replaced__isnull=True).values_list("id", "replaced_number"))
    else:
        # Look up by the indexed column alone and drop linked rows here: with "replaced IS NULL" in the query,
        # SQLite walks that index (every pending row) once per chunk.
        rows = []
        for chunk in _batched(standard_ids or [], 900):
            rows += Replacement.objects.filter(standard_id__in=chunk).values_list("id", "replaced_number", "replaced_id")
        for chunk in _batched(numbers or [], 900):
            rows += Replacement.objects.filter(replaced_number__in=chunk).values_list(
                "id", "replaced_number", "replaced_id"
            )
        pending = list({rid: number for rid, number, linked_to in rows if linked_to is None}.items())
    linked = 0
    for chunk in _batched(pending, 900):
        ids_by_number = dict(
            Standard.objects.filter(number__in=[n for _, n in chunk]).values_list("number", "id")
        )
        updates = [(ids_by_number[n], rid) for rid, n in chunk if n in ids_by_number]
        _update_rows(Replacement._meta.db_table, "replaced_id", updates)
        linked += len(updates)
    return linked


def refresh_statuses(
    ids: Iterable[int] | None = None, *, today: date | None = None, by=None, reason: str = "date"
) -> int:
    """Recompute the status of the given standards (and those they replace); with no ids, of every standard
    whose status may have changed with time. Each change is a `status_changed` event (actor `by`, None for the
    system; `reason` says why: "date" for the daily refresh, "replacement" for an import's relations). Returns
    how many changed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        return _refresh_statuses(ids, today=today, by=by, reason=reason)


def _refresh_statuses(ids: Iterable[int] | None, *, today: date, by, reason: str) -> int:
    if ids is None:
        candidates = set(
            Standard.objects.filter(status=Standard.Status.UPCOMING, implemented_on__lte=today).values_list(
                "id", flat=True
            )
        )
        candidates |= set(
            Standard.objects.filter(withdrawn_on__lte=today)
            .exclude(status=Standard.Status.WITHDRAWN)
            .values_list("id", flat=True)
        )
        candidates |= set(Replacement.objects.filter(replaced__isnull=False).values_list("replaced_id", flat=True))
    else:
        # Statuses from dates were set when the rows were built; only replacement relations can change them here.
        candidates = set()
        for chunk in _batched(list(ids), 900):
            # Filter on standard_id alone: with "replaced IS NOT NULL" added, SQLite scans that index instead.
            candidates |= {
                rid for rid in Replacement.objects.filter(standard_id__in=chunk).values_list("replaced_id", flat=True)
                if rid is not None
            }
            candidates |= set(Replacement.objects.filter(replaced_id__in=chunk).values_list("replaced_id", flat=True))
    changed = 0
    for chunk in _batched(sorted(candidates), 900):
        in_force: set[int] = set()
        for replaced_id, rstatus, rimpl in Replacement.objects.filter(replaced_id__in=chunk).values_list(
            "replaced_id", "standard__status", "standard__implemented_on"
        ):
            if status_rules.in_force(status=rstatus, implemented_on=rimpl, today=today):
                in_force.add(replaced_id)
        updates = []
        for std in Standard.objects.filter(id__in=chunk).only(
            "id", "status", "stated_status", "implemented_on", "withdrawn_on"
        ):
            new_status = status_rules.derive_status(
                stated=std.stated_status or None,
                implemented_on=std.implemented_on,
                withdrawn_on=std.withdrawn_on,
                replaced_by_in_force=std.id in in_force,
                today=today,
            )
            if new_status != std.status:
                updates.append((new_status, std.id, std.status))
        _update_rows(Standard._meta.db_table, "status", [(new, pk) for new, pk, _ in updates])
        history.record_status_changes([(pk, old, new) for new, pk, old in updates], by=by, reason=reason)
        changed += len(updates)
    if changed and ids is None:
        bump_revision()
    return changed


def withdraw_standard(standard_id: int, *, on: date, by, context: dict, today: date | None = None) -> None:
    """Withdraw a standard (废止) from `on`, as a periodic review concludes: its dates and status, one `withdrawn`
    event (actor `by`, checked against the catalogue rights; `context` joins the event's data), and the statuses
    of the standards it replaced. Call inside the deciding transaction."""
    with transaction.atomic():
        std = Standard.objects.select_for_update().only("id", "number", "prefix", "level").get(pk=standard_id)
        refused = CatalogueRights(by).refusals({"number": std.number})
        if refused:
            raise RecordError(refused[0][1])
        before = history.stored_values([std.id])[std.id]
        today = today or timezone.localdate()
        fields = {"withdrawn_on": on, "stated_status": Standard.Status.WITHDRAWN, "updated_at": timezone.now()}
        if on <= today:
            fields["status"] = Standard.Status.WITHDRAWN
        Standard.objects.filter(pk=std.id).update(**fields)
        after = history.stored_values([std.id])[std.id]
        history.record_many_changes([(std.id, history.WITHDRAWN, history.changes(before, after))], by=by,
                                    context={**context, "number": std.number})
        refresh_statuses([std.id], today=today, by=by, reason="withdrawal")
        bump_revision()


def standard_record(std: Standard) -> dict:
    """A standard as a record (the import/export shape): what a search result exports."""
    return {
        "number": std.number,
        "title_zh": std.title_zh,
        "title_en": std.title_en,
        "level": std.level,
        "nature": std.nature or None,
        "status": std.status,
        "published_on": std.published_on,
        "implemented_on": std.implemented_on,
        "withdrawn_on": std.withdrawn_on,
        "ics_codes": [c.code for c in std.ics_codes.all()],
        "ccs_code": std.ccs_code_id,
        "technical_committee": std.technical_committee,
        "issuing_authority": std.issuing_authority,
        "drafting_organisations": list(std.drafting_organisations or []),
        "replaces": [r.replaced_number for r in std.replacements.all()],
        "adoption_degree": std.adoption_degree or None,
        "adopted_standard": std.adopted_standard or None,
        "region_code": std.region_id,
        "sectors": [s.slug for s in std.sectors.all()],
        "scope": std.scope,
        "notes": std.notes,
    }


def load_standards(ids: list[int]) -> list[Standard]:
    """The standards with these ids, in this order, with their classifications loaded."""
    by_id = {
        s.id: s
        for s in Standard.objects.filter(id__in=ids)
        .select_related("ccs_code", "city", "region")
        .prefetch_related("ics_codes", "sectors", "replacements")
    }
    return [by_id[i] for i in ids if i in by_id]


REFERENCE_DIR = Path(__file__).resolve().parent / "reference_data"


def reference_dir() -> Path:
    """Where the reference fixtures are read from: shipped with the project, or YUEBIAO_REFERENCE_DIR (a newer set)."""
    return Path(os.environ.get("YUEBIAO_REFERENCE_DIR") or REFERENCE_DIR)
REFERENCE_SOURCE = "reference"
SOURCE_LABELS = {
    "reference": gettext_noop("参考数据"),
    "corpus_standards": gettext_noop("真实标准文本（题录）"),
    "arch_standards_index": gettext_noop("建筑标准索引（CC BY 4.0）"),
    "relaton_gb_examples": gettext_noop("relaton-gb 示例题录"),
    "demo": gettext_noop("演示数据"),
}


def source_label(source: str) -> str:
    """Where a record came from, in the reader's language."""
    if source.startswith("import:"):
        return gettext("批量导入（%(user)s）") % {"user": source.split(":", 1)[1]}
    return gettext(SOURCE_LABELS[source]) if source in SOURCE_LABELS else source


def _read_reference(name: str) -> list[dict]:
    return json.loads((reference_dir() / name).read_text(encoding="utf-8"))


def _upsert_codes(model, rows: list[dict], fields: list[str]) -> None:
    objs = [model(**row) for row in rows]
    model.objects.bulk_create(
        objs, batch_size=1000, update_conflicts=True, unique_fields=[model._meta.pk.name], update_fields=fields
    )


@dataclass
class ReferenceLoadResult:
    counts: dict[str, int]
    standards: UpsertResult


def load_reference(*, progress: Callable[[str, int, int], None] | None = None) -> ReferenceLoadResult:
    """Load the real reference data shipped in catalogue/reference_data (ICS, CCS, divisions, HS, sectors, the
    standards records), in one transaction; running it again changes nothing."""
    steps: list[tuple[str, Callable[[], int]]] = []

    def sectors() -> int:
        _upsert_codes(
            Sector,
            [{"slug": s.slug, "name_zh": s.name_zh, "name_en": s.name_en, "kind": s.kind} for s in SECTORS],
            ["name_zh", "name_en", "kind"],
        )
        return len(SECTORS)

    def tree(model, filename: str, mapper: Callable[[dict], dict], fields: list[str]) -> Callable[[], int]:
        def load() -> int:
            rows = [mapper(r) for r in _read_reference(filename)]
            # Parents first, so the foreign key to the parent holds on every database.
            rows.sort(key=lambda r: (_LEVEL_ORDER.get(r["level"], r["level"]), r["code"]))
            _upsert_codes(model, rows, fields)
            return len(rows)

        return load

    steps.append(("sectors", sectors))
    steps.append(("ics", tree(IcsCode, "ics.json", lambda r: {
        "code": r["code"], "level": r["level"], "parent_id": r.get("parent"), "title_en": r.get("title_en") or "",
        "title_zh": r.get("title_zh") or "", "notes": r.get("notes") or ""}, ["level", "parent", "title_en", "title_zh", "notes"])))
    steps.append(("ccs", tree(CcsCode, "ccs.json", lambda r: {
        "code": r["code"], "level": r["level"], "parent_id": r.get("parent"), "title_zh": r.get("title_zh") or "",
        "notes": r.get("notes") or ""}, ["level", "parent", "title_zh", "notes"])))
    steps.append(("divisions", tree(AdminDivision, "divisions.json", lambda r: {
        "code": r["code"], "name": r["name"], "level": r["level"], "parent_id": r.get("parent")},
        ["name", "level", "parent"])))
    steps.append(("hs", tree(HsCode, "hs.json", lambda r: {
        "code": r["code"], "level": r["level"], "parent_id": r.get("parent"), "section": r.get("section") or "",
        "description": r.get("description") or ""}, ["level", "parent", "section", "description"])))

    counts: dict[str, int] = {}
    with transaction.atomic():
        for i, (name, step) in enumerate(steps, 1):
            counts[name] = step()
            if progress:
                progress(name, i, len(steps) + 1)
        records = _read_reference("standards.json")
        standards = upsert_standards(records, source=REFERENCE_SOURCE)
        counts["standards"] = len(records)
        if progress:
            progress("standards", len(steps) + 1, len(steps) + 1)
    return ReferenceLoadResult(counts, standards)


_LEVEL_ORDER = {"province": 1, "prefecture": 2, "county": 3, "township": 4}


# ---------------------------------------------------------------------------------------------------------------
# Full text (全文): the published text of a standard, attached by an editor.

MAX_FULL_TEXT_BYTES = 50 * 1024 * 1024


class FullTextRefused(ValueError):
    """A full-text file that is not accepted (message in Chinese)."""


class FullTextNotAllowed(FullTextRefused):
    """The user may not change this standard's full text (another region's standard): 403, not 400."""


def full_text_too_large(size: int) -> str:
    return f"文件 {size / 2**20:.1f} MB，超过 {MAX_FULL_TEXT_BYTES // 2**20} MB 上限"


def check_full_text_rights(*, standard: Standard, by) -> None:
    """FullTextNotAllowed unless `by` may change this standard's full text (None is the system)."""
    refused = CatalogueRights(by).standard_refusal(standard)
    if refused:
        raise FullTextNotAllowed(refused)


def check_full_text(*, standard: Standard, data: bytes, filename: str, by) -> str:
    """What can be told at once of a full text: may `by` change this standard, and is the file a PDF or Word .docx
    of an allowed size. Its kind ('pdf' or 'docx'); FullTextRefused (FullTextNotAllowed) with the reason."""
    check_full_text_rights(standard=standard, by=by)
    if not data:
        raise FullTextRefused("文件为空")
    if len(data) > MAX_FULL_TEXT_BYTES:
        raise FullTextRefused(full_text_too_large(len(data)))
    kind = files.sniff(data, filename)
    if kind in files.ZIP_KINDS - {files.DOCX}:
        raise FullTextRefused(f"“{filename}”是压缩包，但不是 Word（.docx）文档")
    if kind not in (files.PDF, files.DOCX):
        raise FullTextRefused(f"“{filename}”不是 PDF 或 Word（.docx）文件")
    return kind


def attach_full_text(*, standard: Standard, data: bytes, filename: str, by) -> Standard:
    """Store the published text (PDF or Word .docx) of a standard; the type is read from the bytes, not the name.

    `by` must be allowed to change this standard (catalogue.rights; None is the system). The rooms that read
    texts read it first (catalogue.signals.full_text_submitted), outside any transaction: one that cannot be read
    (encrypted, scanned, garbled, over the limits) is refused there with FullTextRefused and nothing is stored, so
    an unreadable file is never published as a standard's full text. What they read is kept in the same
    transaction as the file; the file it replaces is removed only once that has committed. This reading takes
    time: a page or the API asks for it through catalogue.full_text, which runs it on the worker.
    """
    kind = check_full_text(standard=standard, data=data, filename=filename, by=by)
    keepers = [keep for _, keep in full_text_submitted.send(sender=Standard, data=data, filename=filename)
               if callable(keep)]
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        locked = Standard.objects.select_for_update().get(pk=standard.pk)
        replaced = locked.full_text.name or ""
        locked.full_text.save(f"{locked.slug}-{digest[:12]}.{kind}", ContentFile(data), save=False)
        locked.save(update_fields=["full_text", "updated_at"])
        for keep in keepers:
            keep(locked)
        bump_revision()
        storage, stored = locked.full_text.storage, locked.full_text.name
        history.record_many_changes(
            [(locked.pk, history.FULL_TEXT_ATTACHED, {"full_text": [replaced or None, stored]})],
            by=by, context={"number": locked.number, "filename": filename[:200], "sha256": digest,
                            "bytes": len(data)},
        )
        if replaced and replaced != stored:
            transaction.on_commit(lambda: storage.delete(replaced))
        transaction.on_commit(lambda: full_text_attached.send(sender=Standard, standard_id=locked.pk))
    return locked
