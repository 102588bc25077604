"""Use cases of the trail: record an event in its subject's chain, read timelines, verify, export, anchor."""

from __future__ import annotations

import json
import os
import time
from typing import IO, Any, Iterable, Iterator

from django.db import connection, models, transaction
from django.db.models import Exists, ExpressionWrapper, F, Func, Max, OuterRef
from django.utils import timezone
from psycopg import pq

from trail import chain
from trail.chain import Progress, VerifyResult
from trail.models import Anchor, Event

SYSTEM_LABEL = "系统"
ANONYMOUS_LABEL = "匿名用户"
# Rows per fetch while streaming: large enough that round trips to PostgreSQL do not dominate.
CHUNK_SIZE = 20_000


def subject_key(subject: models.Model | str) -> str:
    """The chain a subject's events go to: "app_label.modelname:pk" for a saved model instance, or the string."""
    if isinstance(subject, models.Model):
        if subject.pk is None:
            raise ValueError("未保存的对象没有追溯主体（先保存再记录事件）")
        # Proxies share their concrete model's chain: one thing, one history.
        meta = subject._meta.concrete_model._meta
        return f"{meta.app_label}.{meta.model_name}:{subject.pk}"
    if not isinstance(subject, str) or not subject or subject != subject.strip():
        raise ValueError(f"追溯主体应为非空字符串（首尾无空白）或已保存的对象，而不是 {subject!r}")
    if len(subject) > Event._meta.get_field("subject").max_length:
        raise ValueError(f"追溯主体过长：{subject[:40]}…")
    return subject


def _actor_and_label(actor: Any) -> tuple[Any, str]:
    """The actor to store (None for the system and for anonymous users) and the name kept with the event."""
    if actor is not None and not getattr(actor, "is_authenticated", True):
        return None, ANONYMOUS_LABEL
    if actor is None:
        return None, SYSTEM_LABEL
    if actor.pk is None:
        raise ValueError("操作人尚未保存")
    return actor, str(actor)[: Event._meta.get_field("actor_label").max_length] or actor.get_username()


def record(subject: models.Model | str, *, actor: Any, kind: str, data: dict, public: bool = False) -> Event:
    """Append an event to `subject`'s chain, in the caller's transaction (the one that makes the change).

    `actor` is a user (its current name is kept as actor_label) or None for the system. Two transactions writing
    to one subject at the same moment: the second fails with IntegrityError on (subject, seq) and rolls back
    with its change, rather than forking the chain.
    """
    db = transaction.get_connection()
    if not db.in_atomic_block:
        raise RuntimeError("trail.record() 必须在事务中调用：事件与其记录的变更须写在同一事务里（transaction.atomic）")
    key = subject_key(subject)
    if not isinstance(kind, str) or not kind.strip() or len(kind) > Event._meta.get_field("kind").max_length:
        raise ValueError(f"事件类型应为 1–64 个字符的字符串，而不是 {kind!r}")
    if type(data) is not dict:
        raise ValueError("事件数据必须是 dict")
    data_text = chain.canonical_text(data)
    actor, label = _actor_and_label(actor)
    last = Event.objects.filter(subject=key).order_by("-seq")
    if db.features.has_select_for_update:
        # Waits for a concurrent writer on this subject; the unique (subject, seq) stops it if both proceed.
        last = last.select_for_update()
    head = last.values_list("seq", "hash").first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, "")
    at = timezone.now()
    digest = chain.stored_hash(key, seq, chain.format_at(at), actor.pk if actor else None, label, kind, bool(public),
                               data_text, prev)
    return Event.objects.create(subject=key, seq=seq, at=at, actor=actor, actor_label=label, kind=kind,
                                public=bool(public), data=data_text, prev_hash=prev, hash=digest)


def record_many(events: Iterable[tuple[models.Model | str, str, dict]], *, actor: Any, public: bool = False) -> int:
    """Append many events by one actor, each (subject, kind, data), in the caller's transaction; returns how many.

    The same chains `record` would write one by one (a subject may appear several times, in order), but the heads
    of all the batch's subjects are read in one query and the rows go in through one executemany: a catalogue
    import of 100,000 rows writes 100,000 events without 100,000 round trips.
    """
    db = transaction.get_connection()
    if not db.in_atomic_block:
        raise RuntimeError("trail.record_many() 必须在事务中调用：事件与其记录的变更须写在同一事务里（transaction.atomic）")
    actor, label = _actor_and_label(actor)
    kind_max = Event._meta.get_field("kind").max_length
    batch = []
    for subject, kind, data in events:
        if not isinstance(kind, str) or not kind.strip() or len(kind) > kind_max:
            raise ValueError(f"事件类型应为 1–64 个字符的字符串，而不是 {kind!r}")
        if type(data) is not dict:
            raise ValueError("事件数据必须是 dict")
        batch.append((subject_key(subject), kind, chain.canonical_text(data)))
    if not batch:
        return 0
    keys = list(dict.fromkeys(key for key, _, _ in batch))
    later = Event.objects.filter(subject=OuterRef("subject"), seq__gt=OuterRef("seq"))
    heads_qs = Event.objects.filter(subject__in=keys).filter(~Exists(later))
    if db.features.has_select_for_update:
        # As in record: a concurrent writer on one of these subjects waits; the unique (subject, seq) stops a fork.
        heads_qs = heads_qs.select_for_update()
    heads = {subject: (seq, digest) for subject, seq, digest in heads_qs.values_list("subject", "seq", "hash")}
    at = timezone.now()
    at_text, at_db = chain.format_at(at), Event._meta.get_field("at").get_db_prep_save(at, db)
    actor_id, flag = (actor.pk if actor else None), bool(public)
    rows = []
    for key, kind, data_text in batch:
        seq, prev = heads.get(key, (0, ""))
        seq += 1
        digest = chain.stored_hash(key, seq, at_text, actor_id, label, kind, flag, data_text, prev)
        heads[key] = (seq, digest)
        rows.append((key, seq, at_db, actor_id, label, kind, flag, data_text, prev, digest))
    columns = ("subject", "seq", "at", "actor_id", "actor_label", "kind", "public", "data", "prev_hash", "hash")
    sql = (f"INSERT INTO {Event._meta.db_table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with db.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start:start + 5000])
    return len(rows)


def timeline(subject: models.Model | str, *, public_only: bool = False, latest: int | None = None) -> list[Event]:
    """A subject's events in order, with their actors (one query); `latest`: only the last so many."""
    qs = Event.objects.filter(subject=subject_key(subject)).select_related("actor")
    if public_only:
        qs = qs.filter(public=True)
    if latest is not None:
        return list(reversed(qs.order_by("-seq")[:latest]))
    return list(qs.order_by("seq"))


def events_for(subjects: Iterable[models.Model | str], *, public_only: bool = False) -> dict[str, list[Event]]:
    """Several subjects' events, in one query: {subject key: [events in order]}, every asked subject present."""
    keys = list(dict.fromkeys(subject_key(s) for s in subjects))
    out: dict[str, list[Event]] = {k: [] for k in keys}
    if not keys:
        return out
    qs = Event.objects.filter(subject__in=keys).select_related("actor").order_by("subject", "seq")
    if public_only:
        qs = qs.filter(public=True)
    for event in qs:
        out[event.subject].append(event)
    return out


class _UtcText(Func):
    """An event time as its hashed text (chain.format_at), computed by the database so rows stay plain tuples."""

    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps SQLite datetimes as naive UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]", no fraction when zero.
        sql, params = compiler.compile(self.source_expressions[0])
        iso = f"replace({sql}, ' ', 'T')"
        return (f"CASE WHEN length({sql}) = 19 THEN {iso} || '.000000Z' ELSE {iso} || 'Z' END",
                (*params, *params, *params))

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"""to_char({sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""", params


def _event_rows(chunk_size: int = CHUNK_SIZE) -> Iterator[tuple]:
    """Every event as a chain.ROW_FIELDS tuple, in (subject, seq) order, streamed."""
    qs = Event.objects.order_by("subject", "seq")
    plain = ("id", "subject", "seq", "actor_id", "actor_label", "kind", "data", "prev_hash", "hash")
    # An integer column: SQLite's boolean converter would otherwise run once per row.
    public = ExpressionWrapper(F("public"), output_field=models.IntegerField())
    if connection.vendor not in ("sqlite", "postgresql"):
        fmt = chain.format_at
        for row in qs.values_list(*plain, "at", public).iterator(chunk_size=chunk_size):
            yield (*row[:9], fmt(row[9]), row[10])
        return
    rows = qs.values_list(*plain, _UtcText("at"), public)
    if connection.vendor == "sqlite":
        yield from rows.iterator(chunk_size=chunk_size)
        return
    if pq.version() < 170000:  # chunked rows need libpq 17
        yield from rows.iterator(chunk_size=chunk_size)
        return
    # PostgreSQL: stream the result (libpq chunked rows) so the server reads the next rows while Python checks
    # these; a named cursor's FETCH round trips would make each side wait for the other (about twice the time).
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        yield from cursor.cursor.stream(sql, params or None, size=1000)


def _anchor_records() -> Iterator[dict]:
    """The anchors as chain.check_anchor reads them (heads parsed; None when unreadable), oldest first."""
    qs = Anchor.objects.order_by("created_at", "id")
    for anchor_id, day, created_at, root, chains, events, heads, prev_root in qs.values_list(
        "id", "day", "created_at", "root", "chains", "events", "heads", "prev_root"
    ).iterator(chunk_size=50):
        try:
            head_map = json.loads(heads)
        except ValueError:
            head_map = None
        yield {"id": anchor_id, "day": day.isoformat(), "created_at": chain.format_at(created_at), "root": root,
               "prev_root": prev_root, "chains": chains, "events": events, "heads": head_map}


def verify(*, progress: Progress = None, published: list[dict] | None = None) -> VerifyResult:
    """Check every chain (streamed in (subject, seq) order), then every anchor against the event rows and the
    anchors' own links, then the roots `published` earlier (chain.read_published_roots), and count the events
    written since the last anchor (result.unanchored)."""
    started = time.perf_counter()
    result = VerifyResult()
    # Anchors are read twice rather than held: each lists every chain, and there is one a day. The second reading
    # checks only those of the first, so one made meanwhile is left for next time, not misjudged.
    want: dict[str, set[int]] = {}
    first_reading, links = set(), []
    for anchor in _anchor_records():
        first_reading.add(anchor["id"])
        links.append({k: anchor[k] for k in ("id", "day", "root", "prev_root")})
        if isinstance(anchor["heads"], dict):
            for subject, seqs in chain.anchor_wants([anchor]).items():
                want.setdefault(subject, set()).update(seqs)
    captured: dict[tuple[str, int], str] = {}
    chain.verify_events(_event_rows(), result=result, want=want, captured=captured, progress=progress)
    del want
    last_heads = None
    for anchor in _anchor_records():
        if anchor["id"] in first_reading:
            chain.check_anchor(anchor, captured, result)
            last_heads = anchor["heads"]
    chain.check_anchor_links(links, result)
    if published is not None:
        chain.check_published(published, result)
    result.unanchored = unanchored(last_heads if isinstance(last_heads, dict) else {})
    result.seconds = time.perf_counter() - started
    return result


def export(path_or_file: str | os.PathLike | IO[str], *, progress: Progress = None) -> int:
    """Write the whole trail as JSON Lines (header, anchors, events in (subject, seq) order, end) for
    `python -m trail.chain verify`; returns the number of events written."""
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "w", encoding="utf-8", newline="\n") as stream:
            return export(stream, progress=progress)
    write = path_or_file.write
    events = anchors = since = 0
    write(chain.header_line(chain.format_at(timezone.now())))
    for anchor in _anchor_records():
        write(chain.anchor_line(anchor))
        anchors += 1
    line = chain.event_line
    for row in _event_rows():
        write(line(row))
        events += 1
        if progress is not None:
            since += 1
            if since == 10_000:
                progress(since)
                since = 0
    if progress is not None and since:
        progress(since)
    write(chain.end_line(events, anchors))
    return events


def chain_heads() -> list[tuple[str, int, str]]:
    """Every chain's last event now, as (subject, seq, hash)."""
    later = Event.objects.filter(subject=OuterRef("subject"), seq__gt=OuterRef("seq"))
    return list(Event.objects.filter(~Exists(later)).values_list("subject", "seq", "hash"))


@transaction.atomic
def anchor_today() -> Anchor:
    """Record the Merkle root over all chain heads now (每日锚定), linked to the previous anchor's root, to be
    published (the /trail/anchors/ page and feed) or printed."""
    if connection.vendor == "postgresql":
        # Two anchors made at once would both link to the same predecessor; SQLite's BEGIN IMMEDIATE already
        # serialises them.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trail_anchor'))")
    previous = Anchor.objects.order_by("-created_at", "-id").values_list("root", flat=True).first() or ""
    heads = chain_heads()
    now = timezone.now()
    return Anchor.objects.create(
        created_at=now, day=timezone.localdate(now), root=chain.merkle_root(heads), chains=len(heads),
        events=sum(seq for _, seq, _ in heads), heads=chain.canonical_text({s: seq for s, seq, _ in heads}),
        prev_root=previous,
    )


def unanchored(anchored: dict[str, int] | None = None, *, examples: int = 20) -> dict:
    """The events written after the last anchor (or after `anchored`, {subject: seq}): until the next anchor they
    can be removed or forged without a trace. {"events", "chains", "subjects": the first few, sorted}."""
    if anchored is None:
        last = Anchor.objects.order_by("-created_at", "-id").values_list("heads", flat=True).first()
        anchored = json.loads(last) if last else {}
    anchored = {k: v for k, v in anchored.items() if type(v) is int}  # bad heads are the anchor check's to report
    heads = Event.objects.order_by().values("subject").annotate(top=Max("seq")).values_list("subject", "top")
    events, subjects = 0, []
    for subject, top in heads.iterator(chunk_size=CHUNK_SIZE):
        since = top - anchored.get(subject, 0)
        if since > 0:
            events += since
            subjects.append(subject)
    subjects.sort()
    return {"events": events, "chains": len(subjects), "subjects": subjects[:examples]}


def published_roots() -> list[dict]:
    """Every anchor as published (/trail/anchors/, `yuebiao trail roots`), oldest first."""
    rows = Anchor.objects.order_by("created_at", "id").values_list(
        "id", "day", "created_at", "root", "prev_root", "chains", "events")
    return [{"id": i, "day": day.isoformat(), "created_at": chain.format_at(at), "root": root, "prev_root": prev,
             "chains": chains, "events": events} for i, day, at, root, prev, chains, events in rows]
