"""The trail's pure core: canonical form, event hashes, Merkle roots, streaming verification, the offline check."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import IO, Callable, Container, Iterable, Iterator, Mapping, Sequence

# A new hashing rule or line format gets a new version; the verifier refuses versions it does not know.
EXPORT_FORMAT = "yuebiao-trail-export"
EXPORT_VERSION = 1

# The fields that are hashed, and the row layout `verify_events` reads: the hashed fields plus id and hash, with
# the two the database computes (at as text, public as 0/1) last, where the ORM selects expressions.
MATERIAL_KEYS = ("subject", "seq", "at", "actor", "actor_label", "kind", "public", "data", "prev")
ROW_FIELDS = ("id", "subject", "seq", "actor", "actor_label", "kind", "data", "prev", "hash", "at", "public")

# JavaScript (and so most JSON tooling) reads integers exactly only up to 2^53 - 1.
MAX_SAFE_INT = 2**53 - 1
MAX_KEPT_FAILURES = 100

_AT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z")
_HASH_RE = re.compile(r"[0-9a-f]{64}\Z")
_ROOT_RE = re.compile(r"\b[0-9a-f]{64}\b")
_FEED_ID_RE = re.compile(r"trail-anchor:(\d+)\Z")
# json's own string encoder (the C one when available), exactly what json.dumps(ensure_ascii=False) uses.
_encode_str = json.encoder.encode_basestring

Progress = Callable[[int], None] | None


# ---------------------------------------------------------------------------------------------------------------
# Canonical form


def _check_value(value: object, where: str) -> None:
    kind = type(value)
    if type(value) is str:
        # A lone surrogate has no UTF-8 form: another implementation could not hash the same bytes.
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"{where}：字符串含有无法用 UTF-8 表示的字符（孤立代理项）") from None
        return
    if value is None or kind is bool:
        return
    if type(value) is int:
        if -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
            return
        raise ValueError(f"{where}：整数 {value} 超出 ±(2^53-1)，其他语言无法精确读取")
    if type(value) is list:
        for i, item in enumerate(value):
            _check_value(item, f"{where}[{i}]")
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise ValueError(f"{where}：对象的键必须是字符串，而不是 {type(key).__name__}（{key!r}）")
            _check_value(key, f"{where} 的键")
            _check_value(item, f"{where}.{key}")
        return
    if kind is float:
        raise ValueError(
            f"{where}：不接受浮点数 {value!r}（各语言的浮点数文本不一致，无法得到同一哈希）；请用整数或字符串"
        )
    raise ValueError(f"{where}：不接受 {kind.__name__} 类型的值；事件数据只能含字符串、整数、布尔、null、列表和对象")


def canonical_text(value: object) -> str:
    """The canonical JSON text of `value`: sorted keys, no whitespace, non-ASCII kept as is; raises ValueError."""
    _check_value(value, "数据")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical(value: object) -> bytes:
    """The canonical serialisation: canonical_text as UTF-8 bytes."""
    return canonical_text(value).encode("utf-8")


def format_at(moment: datetime) -> str:
    """An aware datetime as the hashed text: UTC, always six digits of microseconds, "Z"."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("事件时间必须带时区")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_at(text: str) -> datetime:
    if not isinstance(text, str) or not _AT_RE.match(text):
        raise ValueError(f"事件时间应形如 2025-01-31T08:00:00.000000Z，而不是 {text!r}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=timezone.utc)


def _check_fields(subject, seq, at, actor, actor_label, kind, public, data, prev) -> None:
    if type(subject) is not str or type(actor_label) is not str or type(kind) is not str or type(prev) is not str:
        raise ValueError("subject、actor_label、kind、prev 必须是字符串")
    if not subject or not kind:
        raise ValueError("subject 和 kind 不能为空")
    parse_at(at)
    if type(seq) is not int or not 1 <= seq <= MAX_SAFE_INT:
        raise ValueError(f"seq 必须是不小于 1 的整数，而不是 {seq!r}")
    if actor is not None and (type(actor) is not int or not 0 <= actor <= MAX_SAFE_INT):
        raise ValueError(f"actor 必须是用户编号或 null，而不是 {actor!r}")
    if type(public) is not bool:
        raise ValueError("public 必须是 true 或 false")
    if type(data) is not dict:
        raise ValueError("data 必须是 JSON 对象")
    if prev and not _HASH_RE.match(prev):
        raise ValueError("prev 必须是空串或 64 位小写十六进制 SHA-256")


def check_material(material: Mapping) -> None:
    """Raise ValueError unless `material` has exactly the hashed fields, each of its type."""
    keys = set(material)
    if keys != set(MATERIAL_KEYS):
        missing, extra = set(MATERIAL_KEYS) - keys, keys - set(MATERIAL_KEYS)
        raise ValueError(f"事件字段不符：缺少 {sorted(missing)}，多出 {sorted(extra)}")
    _check_fields(*(material[k] for k in MATERIAL_KEYS))


def event_hash(material: Mapping) -> str:
    """SHA-256 (lowercase hex) of the canonical serialisation of an event's hashed fields (the general path)."""
    check_material(material)
    return hashlib.sha256(canonical(dict(material))).hexdigest()


def material_text(
    subject: str, seq: int, at: str, actor: int | None, actor_label: str, kind: str, public: bool, data: str, prev: str
) -> str:
    """The canonical text of an event's material, assembled from its stored columns without parsing `data`.

    `data` must already be canonical JSON (as stored); the keys below are in sorted order. Gives the same text as
    canonical_text(material) for every valid event (tested), and is several times faster.
    """
    return (
        f'{{"actor":{"null" if actor is None else actor},"actor_label":{_encode_str(actor_label)},'
        f'"at":{_encode_str(at)},"data":{data},"kind":{_encode_str(kind)},"prev":{_encode_str(prev)},'
        f'"public":{"true" if public else "false"},"seq":{seq},"subject":{_encode_str(subject)}}}'
    )


def stored_hash(subject: str, seq: int, at: str, actor: int | None, actor_label: str, kind: str, public: bool,
                data: str, prev: str) -> str:
    """event_hash by the fast path, for callers holding stored columns (record, the bench)."""
    text = material_text(subject, seq, at, actor, actor_label, kind, public, data, prev)
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Merkle root over chain heads


def leaf(subject: str, seq: int, head_hash: str) -> bytes:
    """A Merkle leaf: SHA-256 (32 raw bytes) of the canonical JSON array [subject, seq, hash]."""
    return hashlib.sha256(canonical([subject, seq, head_hash])).digest()


def merkle_root(heads: Iterable[tuple[str, int, str]]) -> str:
    """Merkle root (hex) over (subject, seq, hash) heads.

    Leaves sorted by subject in Unicode code point order; a parent is SHA-256 of its two children's raw 32 bytes
    concatenated; a level of odd length repeats its last node. One head: the root is its leaf. None: SHA-256 of
    the empty string. A subject may appear once (a repeat would make two different head sets share a root).
    """
    ordered = sorted(heads, key=lambda h: h[0])
    for a, b in zip(ordered, ordered[1:]):
        if a[0] == b[0]:
            raise ValueError(f"主体 {a[0]} 在锚定中出现两次")
    level = [leaf(s, q, h) for s, q, h in ordered]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return level[0].hex()


# ---------------------------------------------------------------------------------------------------------------
# Verification


@dataclass
class Failure:
    """One thing that does not hold: a broken event, a bad anchor or a bad export line."""

    reason: str  # stable English code, e.g. "hash_mismatch"
    message: str  # Chinese explanation
    event_id: int | None = None
    subject: str | None = None
    seq: int | None = None
    anchor_id: int | None = None
    line: int | None = None

    def describe(self) -> str:
        where = []
        if self.subject is not None:
            where.append(f"主体 {self.subject}")
        if self.seq is not None:
            where.append(f"第 {self.seq} 号事件")
        if self.event_id is not None:
            where.append(f"(id {self.event_id})")
        if self.anchor_id is not None:
            where.append(f"锚定 #{self.anchor_id}")
        if self.line is not None:
            where.append(f"文件第 {self.line} 行")
        return f"{' '.join(where) or '追溯记录'}：{self.message} [{self.reason}]"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class AnchorCheck:
    """An anchor as it was recomputed: what it claims and whether the event rows still give its root."""

    anchor_id: int | None
    day: str
    root: str
    chains: int
    events: int
    ok: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class VerifyResult:
    """What a verification found: counts, and the failures in the order met (the first ones kept in full)."""

    events: int = 0
    chains: int = 0
    anchors: int = 0
    failure_count: int = 0
    failures: list[Failure] = field(default_factory=list)
    anchor_checks: list[AnchorCheck] = field(default_factory=list)
    seconds: float = 0.0
    # Events written after the last anchor ({"events", "chains", "subjects"}), when the caller computed them.
    unanchored: dict | None = None

    @property
    def ok(self) -> bool:
        return self.failure_count == 0

    @property
    def first(self) -> Failure | None:
        return self.failures[0] if self.failures else None

    def fail(self, failure: Failure) -> None:
        self.failure_count += 1
        if len(self.failures) < MAX_KEPT_FAILURES:
            self.failures.append(failure)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok, "events": self.events, "chains": self.chains, "anchors": self.anchors,
            "failure_count": self.failure_count, "first": self.first.to_dict() if self.first else None,
            "failures": [f.to_dict() for f in self.failures],
            "anchor_checks": [a.to_dict() for a in self.anchor_checks],
            "seconds": round(self.seconds, 3), "unanchored": self.unanchored,
        }


def _hash_failure(row: Sequence) -> Failure:
    """Why a row's stored hash differs: a changed event, or a data column rewritten into another JSON form."""
    event_id, subject, seq, actor, label, kind, data, prev, stored, at, public = row
    try:
        reparsed = canonical_text(json.loads(data))
    except (ValueError, TypeError):
        return Failure("data_invalid", "事件数据列不是有效的事件 JSON（写入后被修改）", event_id, subject, seq)
    if reparsed != data:
        try:
            same = stored_hash(subject, seq, at, actor, label, kind, public, reparsed, prev) == stored
        except UnicodeEncodeError:
            same = False
        if same:
            return Failure("data_not_canonical", "事件数据列被改写为另一种 JSON 文本形式（内容未变，但已非原样）",
                           event_id, subject, seq)
    return Failure("hash_mismatch", "事件哈希与其内容不符（该事件写入后被修改）", event_id, subject, seq)


def verify_events(
    rows: Iterable[Sequence],
    *,
    result: VerifyResult | None = None,
    want: Mapping[str, Container[int]] | None = None,
    captured: dict[tuple[str, int], str] | None = None,
    progress: Progress = None,
    progress_every: int = 10_000,
) -> VerifyResult:
    """Check chains streamed as rows laid out as ROW_FIELDS, grouped by subject and ordered by seq within each.

    Each subject's chain must start at seq 1, count up by one, link every event to the previous one's hash, and
    every stored hash must match the event. Holds one chain's state at a time (plus the set of subjects seen).
    After a failure the check goes on from what is stored, so one tampered row gives one failure, not a cascade.
    Hashes at (subject, seq) listed in `want` are copied to `captured`, for the anchors.
    """
    result = result if result is not None else VerifyResult()
    captured = captured if captured is not None else {}
    seen: set[str] = set()
    current = None
    expected_seq, expected_prev, wanted, tail = 1, "", None, ""
    count = since = 0
    enc, sha = _encode_str, hashlib.sha256
    # material_text's pieces that repeat (the same few actors and kinds; one subject per chain) encoded once.
    pieces: dict[tuple[str, str], tuple[str, str]] = {}
    for count, row in enumerate(rows, 1):  # noqa: B007 - the count is read after the loop
        event_id, subject, seq, actor, label, kind, data, prev, stored, at, public = row
        if subject != current:
            current = subject
            tail = f',"subject":{enc(subject)}}}'
            result.chains += 1
            if subject in seen:
                result.fail(Failure("subject_repeated", "该主体的事件未连续排列（同一主体出现两段链）",
                                    event_id, subject, seq))
            seen.add(subject)
            wanted = want.get(subject) if want else None
            expected_seq, expected_prev = 1, ""
            if seq != 1:
                result.fail(Failure("seq_not_start", f"链的第一个事件序号应为 1，实为 {seq}（开头的事件被删除）",
                                    event_id, subject, seq))
                expected_seq, expected_prev = seq, prev
        if seq != expected_seq:
            if seq > expected_seq:
                missing = f"第 {expected_seq} 号" if seq == expected_seq + 1 else f"第 {expected_seq}–{seq - 1} 号"
                result.fail(Failure("seq_gap", f"序号不连续：缺少{missing}事件（事件被删除）", event_id, subject, seq))
            else:
                result.fail(Failure("seq_order", f"序号重复或倒序：应为 {expected_seq}", event_id, subject, seq))
        elif prev != expected_prev:
            result.fail(Failure("prev_mismatch", "前序哈希与上一事件的哈希不符（上一事件被修改或替换）",
                                event_id, subject, seq))
        else:
            piece = pieces.get((label, kind))
            if piece is None:
                if len(pieces) > 10_000:
                    pieces.clear()
                piece = pieces[(label, kind)] = (f',"actor_label":{enc(label)},"at":', f',"kind":{enc(kind)},"prev":')
            # Exactly material_text(...): every string escaped except data, which is stored canonical JSON.
            text = (f'{{"actor":{"null" if actor is None else actor}{piece[0]}{enc(at)},"data":{data}{piece[1]}'
                    f'{enc(prev)},"public":{"true" if public else "false"},"seq":{seq}{tail}')
            try:
                ok = sha(text.encode()).hexdigest() == stored
            except UnicodeEncodeError:  # a lone surrogate: no UTF-8 form, so no event could have had this hash
                ok = False
            if not ok:
                result.fail(_hash_failure(row))
        if wanted is not None and seq in wanted:
            captured[(subject, seq)] = stored
        # Go on from what is stored, so the rows after a tampered one are judged against it, not re-flagged.
        expected_seq, expected_prev = seq + 1, stored
        if progress is not None:
            since += 1
            if since == progress_every:
                progress(since)
                since = 0
    if progress is not None and since:
        progress(since)
    result.events += count
    return result


def anchor_wants(anchors: Iterable[Mapping]) -> dict[str, set[int]]:
    """Which (subject, seq) hashes the anchors need, as {subject: {seq, …}}, to pass to verify_events."""
    want: dict[str, set[int]] = {}
    for anchor in anchors:
        for subject, seq in anchor["heads"].items():
            if type(seq) is int:  # a bad head is reported by check_anchor
                want.setdefault(subject, set()).add(seq)
    return want


def check_anchor(anchor: Mapping, hashes: Mapping[tuple[str, int], str], result: VerifyResult) -> bool:
    """Recompute an anchor's root from the event hashes at its heads; record a failure when it does not match.

    `anchor` holds id, day, root, chains, events and heads ({subject: seq}).
    """
    anchor_id, heads = anchor.get("id"), anchor["heads"]
    result.anchors += 1
    check = AnchorCheck(anchor_id, str(anchor["day"]), anchor["root"], anchor["chains"], anchor["events"], ok=False)
    result.anchor_checks.append(check)
    if not isinstance(heads, dict) or not all(type(q) is int and q >= 1 for q in heads.values()):
        result.fail(Failure("anchor_bad_heads", f"锚定（{anchor['day']}）的链头清单无效（应为 {{主体: 序号}}）",
                            anchor_id=anchor_id))
        return False
    if len(heads) != anchor["chains"] or sum(heads.values()) != anchor["events"]:
        result.fail(Failure("anchor_counts_mismatch", f"锚定（{anchor['day']}）记录的链数或事件数与其链头清单不符",
                            anchor_id=anchor_id))
        return False
    leaves = []
    for subject, seq in heads.items():
        found = hashes.get((subject, seq))
        if found is None:
            result.fail(Failure("anchor_event_missing",
                                f"锚定（{anchor['day']}）覆盖的事件已不存在（事件被删除或链被截短）",
                                subject=subject, seq=seq, anchor_id=anchor_id))
            return False
        leaves.append((subject, seq, found))
    if merkle_root(leaves) != anchor["root"]:
        result.fail(Failure("anchor_root_mismatch",
                            f"锚定（{anchor['day']}）的默克尔根与现有事件重新计算的结果不符（有链在锚定后被整体改写）",
                            anchor_id=anchor_id))
        return False
    check.ok = True
    return True


def check_anchor_links(anchors: Iterable[Mapping], result: VerifyResult) -> None:
    """Each anchor names the root of the one before it (`prev_root`; "" for the first), so removing an anchor from
    the start or the middle of the list breaks the link after it. Anchors without the field (export files written
    before it existed) are not linked and not judged."""
    before = ""
    for anchor in anchors:
        prev = anchor.get("prev_root")
        if prev is not None and prev != before:
            what = "第一个锚定不应指向前一个根" if not before else "前一个根与上一个锚定的根不符"
            result.fail(Failure("anchor_link_mismatch", f"锚定（{anchor['day']}）：{what}（锚定被删除或替换）",
                                anchor_id=anchor.get("id")))
        before = anchor["root"]


def read_published_roots(text: str) -> list[dict]:
    """The roots published earlier, from the JSON that `yuebiao trail roots --json` printed or the saved Atom feed
    of /trail/anchors/feed/: a list of {"id", "day", "root"} (id and day may be None)."""
    text = text.lstrip("\ufeff").strip()
    if text.startswith("<"):
        atom = "{http://www.w3.org/2005/Atom}"
        try:
            feed = ET.fromstring(text)
        except ET.ParseError as exc:
            raise ValueError(f"不是有效的 Atom 文件：{exc}") from exc
        if feed.tag != f"{atom}feed":
            raise ValueError("不是 Atom 订阅文件（应保存 /trail/anchors/feed/ 的内容）")
        out = []
        for entry in feed.iter(f"{atom}entry"):
            found = _ROOT_RE.search(entry.findtext(f"{atom}title") or "")
            ident = _FEED_ID_RE.search(entry.findtext(f"{atom}id") or "")
            if found is None:
                raise ValueError("Atom 条目的标题中没有默克尔根")
            out.append({"id": int(ident.group(1)) if ident else None, "day": None, "root": found.group(0)})
        return out
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"既不是 JSON 也不是 Atom：{exc}") from exc
    items = data.get("anchors") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError("JSON 中应有锚定列表（anchors）")
    out = []
    for item in items:
        root = item.get("root") if isinstance(item, dict) else item
        if not isinstance(root, str) or not _HASH_RE.match(root.strip().lower()):
            raise ValueError(f"无效的默克尔根：{root!r}")
        ident = item.get("id") if isinstance(item, dict) else None
        out.append({"id": ident if type(ident) is int else None,
                    "day": item.get("day") if isinstance(item, dict) else None, "root": root.strip().lower()})
    return out


def check_published(published: Iterable[Mapping], result: VerifyResult) -> None:
    """Every published root must belong to an anchor that was found and passed its check (result.anchor_checks):
    a root published earlier and missing now means an anchor was deleted or rewritten."""
    passed = {a.root for a in result.anchor_checks if a.ok}
    by_id = {a.anchor_id: a for a in result.anchor_checks}
    for item in published:
        if item["root"] in passed or any(a.root == item["root"] for a in result.anchor_checks):
            continue  # present: passed, or its own failure is already reported
        known = by_id.get(item["id"]) if item.get("id") is not None else None
        label = f"（{item['day']}）" if item.get("day") else ""
        if known is not None:
            message = f"已公布的锚定{label}根 {item['root']} 与现存锚定 #{known.anchor_id} 的根不符（锚定被改写）"
        else:
            message = f"已公布的锚定{label}根 {item['root']} 不存在（锚定被删除）"
        result.fail(Failure("published_root_missing", message, anchor_id=item.get("id")))


# ---------------------------------------------------------------------------------------------------------------
# Offline verification of an export file (JSON Lines: header, anchors, events, end)

_EVENT_LINE_KEYS = frozenset(("type", "id") + MATERIAL_KEYS + ("hash",))


def _no_float(text: str):
    raise ValueError(f"不接受浮点数 {text}")


def _unique_keys(pairs: list) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        # A reader would see one value and the verifier another.
        raise ValueError("同一对象中有重复的键")
    return obj


# JSON text cannot hold what canonical_text refuses but floats (and NaN), so only they are turned away here.
# Integers beyond 2^53 are kept exactly: the refusal is for new records, and Python reads them as written.
_read_line = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_float, object_pairs_hook=_unique_keys).decode
_dump_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def _event_row(obj: dict) -> tuple:
    """An export event line (already read by _read_line) as a ROW_FIELDS tuple, its data re-serialised
    canonically; raises ValueError."""
    if obj.keys() != _EVENT_LINE_KEYS:
        raise ValueError(f"事件行字段应为 {sorted(_EVENT_LINE_KEYS)}")
    _check_fields(*(obj[k] for k in MATERIAL_KEYS))
    if type(obj["id"]) is not int:
        raise ValueError("id 必须是整数")
    if type(obj["hash"]) is not str or not _HASH_RE.match(obj["hash"]):
        raise ValueError("hash 必须是 64 位小写十六进制")
    return (obj["id"], obj["subject"], obj["seq"], obj["actor"], obj["actor_label"], obj["kind"],
            _dump_canonical(obj["data"]), obj["prev"], obj["hash"], obj["at"], obj["public"])


def header_line(exported_at: str) -> str:
    return _line({"type": "header", "format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": exported_at})


def anchor_line(anchor: Mapping) -> str:
    """`anchor` holds id, day, created_at, root, chains, events and heads ({subject: seq})."""
    return _line({"type": "anchor", **anchor})


def event_line(row: Sequence) -> str:
    """One event (a ROW_FIELDS tuple) as an export line; the stored data text is copied verbatim, not re-encoded."""
    event_id, subject, seq, actor, label, kind, data, prev, digest, at, public = row
    enc = _encode_str
    return (
        f'{{"type":"event","id":{event_id},"subject":{enc(subject)},"seq":{seq},"at":{enc(at)},'
        f'"actor":{"null" if actor is None else actor},"actor_label":{enc(label)},"kind":{enc(kind)},'
        f'"public":{"true" if public else "false"},"data":{data},"prev":{enc(prev)},"hash":{enc(digest)}}}\n'
    )


def end_line(events: int, anchors: int) -> str:
    return _line({"type": "end", "events": events, "anchors": anchors})


def _line(obj: Mapping) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def _check_anchor_line(obj: dict) -> dict:
    for name, kind in (("day", str), ("root", str), ("chains", int), ("events", int), ("heads", dict)):
        if type(obj.get(name)) is not kind:
            raise ValueError(f"锚定行的 {name} 缺失或类型不对")
    if "prev_root" in obj and type(obj["prev_root"]) is not str:
        raise ValueError("锚定行的 prev_root 类型不对")
    return obj


class _ExportReader:
    """Reads an export's lines into event rows, collecting anchors and reporting bad lines on the way."""

    def __init__(self, stream: IO[str], result: VerifyResult) -> None:
        self.lines = enumerate(stream, start=1)
        self.result = result
        self.anchors: list[dict] = []
        self.header = False
        self.end: dict | None = None
        self.events = 0
        self.in_events = False
        self.want: dict[str, set[int]] = {}

    def bad(self, line_no: int, message: str, obj: object = None) -> None:
        ev = obj if isinstance(obj, dict) else {}
        self.result.fail(Failure("bad_line", message, event_id=ev.get("id") if type(ev.get("id")) is int else None,
                                 subject=ev.get("subject") if isinstance(ev.get("subject"), str) else None,
                                 seq=ev.get("seq") if type(ev.get("seq")) is int else None, line=line_no))

    def rows(self) -> Iterator[tuple]:
        for line_no, line in self.lines:
            try:
                obj = _read_line(line)
            except ValueError as exc:
                try:  # name the event if the line is JSON at all
                    named = json.loads(line)
                except ValueError:
                    named = None
                self.bad(line_no, f"该行不是有效的 JSON 或含有不接受的值（{exc}）", named)
                continue
            if not isinstance(obj, dict):
                self.bad(line_no, "该行不是 JSON 对象")
                continue
            if self.end is not None:
                self.bad(line_no, "结束行之后还有内容", obj)
                continue
            row = self._take(line_no, obj)
            if row is not None:
                self.events += 1
                yield row

    def _take(self, line_no: int, obj: dict) -> tuple | None:
        """Take one JSON line: the event row it holds, or None for every other (or bad) line."""
        kind = obj.get("type")
        if line_no == 1:
            if kind != "header" or obj.get("format") != EXPORT_FORMAT:
                self.bad(line_no, f"第一行应为 {EXPORT_FORMAT} 文件头")
            elif obj.get("version") != EXPORT_VERSION:
                self.bad(line_no, f"不支持的导出格式版本 {obj.get('version')!r}（本程序支持 {EXPORT_VERSION}）")
            self.header = True
        elif kind == "event":
            self.in_events = True
            try:
                return _event_row(obj)
            except ValueError as exc:
                self.bad(line_no, f"事件行无效：{exc}", obj)
        elif kind == "anchor":
            self._take_anchor(line_no, obj)
        elif kind == "end":
            self.end = obj
        else:
            self.bad(line_no, f"未知的行类型 {kind!r}", obj)
        return None

    def _take_anchor(self, line_no: int, obj: dict) -> None:
        if self.in_events:
            self.bad(line_no, "锚定行应位于所有事件行之前", obj)
            return
        try:
            self.anchors.append(_check_anchor_line(obj))
        except ValueError as exc:
            self.bad(line_no, f"锚定行无效：{exc}", obj)
            return
        # The capture map must hold every anchor's heads before the first event streams past.
        for subject, seqs in anchor_wants([obj]).items():
            self.want.setdefault(subject, set()).update(seqs)


def verify_export(stream: IO[str], *, expect_roots: Iterable[str] = (), progress: Progress = None) -> VerifyResult:
    """Verify an export read from a text stream: every chain, every anchor, the line counts, the expected roots."""
    result = VerifyResult()
    reader = _ExportReader(stream, result)
    captured: dict[tuple[str, int], str] = {}
    verify_events(reader.rows(), result=result, want=reader.want, captured=captured, progress=progress)
    anchors = reader.anchors
    if not reader.header:
        result.fail(Failure("bad_line", "文件为空或缺少文件头", line=1))
    end = reader.end
    if end is None:
        result.fail(Failure("export_incomplete", "缺少结束行：文件不完整（被截断？）"))
    elif end.get("events") != reader.events or end.get("anchors") != len(anchors):
        result.fail(Failure("export_counts_mismatch",
                            f"结束行记录 {end.get('events')} 个事件、{end.get('anchors')} 个锚定，"
                            f"文件中实有 {reader.events} 个事件、{len(anchors)} 个锚定（有行被增删）"))
    roots_ok = set()
    for anchor in anchors:
        if check_anchor(anchor, captured, result):
            roots_ok.add(anchor["root"])
    check_anchor_links(anchors, result)
    for root in expect_roots:
        if root.strip().lower() not in roots_ok:
            result.fail(Failure("root_not_found", f"文件中没有默克尔根为 {root} 且校验通过的锚定"))
    return result


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m trail.chain", description="粤标全过程追溯：离线校验导出文件（只需 Python 标准库）"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="校验 `yuebiao trail export` 导出的 JSON Lines 文件")
    v.add_argument("file", help="导出文件；- 表示标准输入")
    v.add_argument("--root", action="append", default=[], help="已公布的默克尔根；文件中须有通过校验的同根锚定（可重复）")
    v.add_argument("--roots", metavar="FILE", help="已公布的根：yuebiao trail roots --json 的输出或保存的 Atom 订阅文件")
    v.add_argument("--json", action="store_true", help="输出 JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if args.file == "-":
            result = verify_export(sys.stdin, expect_roots=args.root)
        else:
            with open(args.file, encoding="utf-8", newline="\n") as stream:
                result = verify_export(stream, expect_roots=args.root)
        if args.roots:
            with open(args.roots, encoding="utf-8") as stream:
                check_published(read_published_roots(stream.read()), result)
    except OSError as exc:
        print(f"无法读取文件：{exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"文件不是 UTF-8 文本：{exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"已公布的根无法读取：{exc}", file=sys.stderr)
        return 2
    result.seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        for a in result.anchor_checks:
            print(f"锚定 {a.day} 根 {a.root}：{a.chains} 条链、{a.events} 个事件，{'相符' if a.ok else '不符'}")
        if result.ok:
            print(f"校验通过：{result.chains} 条链、{result.events} 个事件、{result.anchors} 个锚定，"
                  f"用时 {result.seconds:.1f} 秒")
        else:
            first = result.failures[0]  # a failed result has kept its first failure
            print(f"校验未通过：共 {result.failure_count} 处问题；第一处：{first.describe()}")
            for f in result.failures[1:20]:
                print(f"  {f.describe()}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(_main())
