"""The pure chain module: canonical form, hashes, Merkle roots, streaming verification and the offline check."""

import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trail import chain

REPO = Path(__file__).resolve().parents[2]

# The example of docs/trail.md; its hash is printed there, so the document cannot drift from the code.
EXAMPLE = {
    "subject": "lifecycle.localstandardproject:42",
    "seq": 2,
    "at": "2025-03-18T02:15:30.123456Z",
    "actor": 7,
    "actor_label": "李明",
    "kind": "state_changed",
    "public": True,
    "data": {"from": "drafting", "to": "consultation", "note": "征求意见稿已提交", "days": 30},
    "prev": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
}
EXAMPLE_CANONICAL = (
    '{"actor":7,"actor_label":"李明","at":"2025-03-18T02:15:30.123456Z","data":{"days":30,"from":"drafting",'
    '"note":"征求意见稿已提交","to":"consultation"},"kind":"state_changed",'
    '"prev":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","public":true,"seq":2,'
    '"subject":"lifecycle.localstandardproject:42"}'
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-chain.MAX_SAFE_INT, chain.MAX_SAFE_INT) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=25,
)
hashes = st.one_of(st.just(""), st.text("0123456789abcdef", min_size=64, max_size=64))
materials = st.fixed_dictionaries({
    "subject": st.text(min_size=1),
    "seq": st.integers(1, chain.MAX_SAFE_INT),
    "at": st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1),
                       timezones=st.just(timezone.utc)).map(chain.format_at),
    "actor": st.none() | st.integers(0, chain.MAX_SAFE_INT),
    "actor_label": st.text(),
    "kind": st.text(min_size=1),
    "public": st.booleans(),
    "data": st.dictionaries(st.text(), json_values, max_size=6),
    "prev": hashes,
})


H, DATA = chain.ROW_FIELDS.index("hash"), chain.ROW_FIELDS.index("data")


def _row(event_id: int, m: dict) -> tuple:
    """A stored row for material `m`, its hash by the general path."""
    values = {**m, "id": event_id, "data": chain.canonical_text(m["data"]), "hash": chain.event_hash(m)}
    return tuple(values[f] for f in chain.ROW_FIELDS)


def _with(row: tuple, **changes) -> tuple:
    return tuple(changes.get(f, v) for f, v in zip(chain.ROW_FIELDS, row))


def _chain_rows(subjects: dict[str, int], start_id: int = 1) -> list[tuple]:
    """Valid rows for chains of the given lengths, in subject then seq order."""
    rows, event_id = [], start_id
    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for subject in sorted(subjects):
        prev = ""
        for seq in range(1, subjects[subject] + 1):
            at = chain.format_at(base + timedelta(seconds=event_id, microseconds=7))
            m = {"subject": subject, "seq": seq, "at": at,
                 "actor": seq % 3 or None, "actor_label": "张三", "kind": "edited", "public": seq % 2 == 0,
                 "data": {"n": seq, "说明": "第二次修改"}, "prev": prev}
            row = _row(event_id, m)
            rows.append(row)
            prev = row[H]
            event_id += 1
    return rows


def test_module_is_pure():
    code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); import trail.chain; "
            "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_canonical_form_is_exact():
    assert chain.canonical({"b": 1, "a": [True, None, "é\n\"\\"], "c": {}}) == (
        '{"a":[true,null,"é\\n\\"\\\\"],"b":1,"c":{}}'.encode()
    )
    # Control characters as \u00xx in lowercase hex; DEL, U+2028 and astral characters as themselves.
    assert chain.canonical_text(["\x01\x1f\x7f\u2028😀"]) == '["\\u0001\\u001f\x7f\u2028😀"]'
    # Keys by code point: "Z" < "a" < "é" < "中" < "😀" (UTF-16 order would put 😀 before "\uff01").
    assert list(json.loads(chain.canonical_text({"中": 1, "a": 2, "Z": 3, "😀": 4, "\uff01": 5, "é": 6}))) == [
        "Z", "a", "é", "中", "\uff01", "😀"]
    assert chain.canonical_text(EXAMPLE) == EXAMPLE_CANONICAL


@pytest.mark.parametrize("bad", [1.5, float("nan"), 2**53, -(2**53), (1, 2), {1: "x"}, {"k": {"x": [0.1]}}, b"x",
                                 "\ud800", {"\udfff": 1}, {1, 2}])
def test_canonical_refuses_what_other_languages_cannot_hash_alike(bad):
    with pytest.raises(ValueError):
        chain.canonical_text({"v": bad})


def test_float_refusal_says_why():
    with pytest.raises(ValueError, match="浮点数"):
        chain.canonical_text({"ratio": 0.3})


def test_example_hash_is_the_one_documented():
    expected = hashlib.sha256(EXAMPLE_CANONICAL.encode("utf-8")).hexdigest()
    assert chain.event_hash(EXAMPLE) == expected
    doc = (REPO / "docs" / "trail.md").read_text(encoding="utf-8")
    assert expected in doc and EXAMPLE_CANONICAL in doc
    heads = [("accounts.organisation:3", 5, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"),
             ("catalogue.standard:DB44-T-2367-2022", 1, EXAMPLE["prev"]),
             ("lifecycle.localstandardproject:42", 2, expected)]
    assert chain.merkle_root(heads) in doc


def test_event_hash_checks_field_types():
    for change in ({"seq": 0}, {"seq": True}, {"actor": "7"}, {"public": 1}, {"at": "2025-03-18T02:15:30Z"},
                   {"data": []}, {"prev": "abc"}, {"subject": ""}):
        with pytest.raises(ValueError):
            chain.event_hash({**EXAMPLE, **change})
    with pytest.raises(ValueError):
        chain.event_hash({**EXAMPLE, "extra": 1})


def test_format_at():
    moment = datetime(2025, 3, 18, 10, 15, 30, tzinfo=timezone(timedelta(hours=8)))
    assert chain.format_at(moment) == "2025-03-18T02:15:30.000000Z"
    assert chain.parse_at("2025-03-18T02:15:30.000000Z") == moment
    with pytest.raises(ValueError):
        chain.format_at(datetime(2025, 3, 18))


@settings(max_examples=400, deadline=None)
@given(materials)
def test_fast_path_gives_the_general_paths_bytes(m):
    data_text = chain.canonical_text(m["data"])
    fast = chain.material_text(m["subject"], m["seq"], m["at"], m["actor"], m["actor_label"], m["kind"], m["public"],
                               data_text, m["prev"])
    assert fast.encode("utf-8") == chain.canonical(m)
    assert chain.stored_hash(m["subject"], m["seq"], m["at"], m["actor"], m["actor_label"], m["kind"], m["public"],
                             data_text, m["prev"]) == chain.event_hash(m)
    # What is stored reads back to the same text: the stored column stays canonical.
    assert chain.canonical_text(json.loads(data_text)) == data_text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.lists(materials, min_size=1, max_size=3)), min_size=1,
                max_size=4, unique_by=lambda t: t[0]), st.data())
def test_verify_agrees_with_the_general_path(chains, draw):
    # Chains of arbitrary events hashed by event_hash: the streaming check (its own text assembly) accepts them all,
    # and refuses any one of them once its hash is off by one character.
    rows = []
    for subject, events in chains:
        prev = ""
        for seq, m in enumerate(events, 1):
            rows.append(_row(len(rows) + 1, {**m, "subject": subject, "seq": seq, "prev": prev}))
            prev = rows[-1][H]
    result = chain.verify_events(iter(rows))
    assert result.ok, result.failures
    assert result.events == len(rows) and result.chains == len(chains)
    i = draw.draw(st.integers(0, len(rows) - 1))
    row = rows[i]
    wrong = ("1" if row[H][0] == "0" else "0") + row[H][1:]
    failed = chain.verify_events(rows[:i] + [_with(row, hash=wrong)] + rows[i + 1:])
    assert failed.first.event_id == row[0] and failed.first.reason == "hash_mismatch"


def test_verify_names_the_edited_deleted_and_relinked_events():
    rows = _chain_rows({"a": 4, "b": 5, "c": 3})
    assert chain.verify_events(rows).ok

    edited = list(rows)
    edited[6] = _with(rows[6], data=chain.canonical_text({"n": 99, "说明": "第二次修改"}))  # b #3
    result = chain.verify_events(edited)
    assert (result.failure_count, result.first.reason, result.first.event_id, result.first.subject,
            result.first.seq) == (1, "hash_mismatch", 7, "b", 3)

    deleted = rows[:5] + rows[6:]  # b #2 gone
    result = chain.verify_events(deleted)
    assert (result.failure_count, result.first.reason, result.first.subject, result.first.seq) == (1, "seq_gap", "b", 3)
    assert "第 2 号" in result.first.message

    result = chain.verify_events(rows[1:])  # a #1 gone
    assert (result.first.reason, result.first.subject, result.first.seq) == ("seq_not_start", "a", 2)

    swapped = list(rows)
    swapped[6] = _with(rows[6], hash="0" * 64)
    result = chain.verify_events(swapped)
    assert [(f.reason, f.seq) for f in result.failures] == [("hash_mismatch", 3), ("prev_mismatch", 4)]

    # The data column rewritten with the same content in another JSON form is still a change to the row.
    reformatted = list(rows)
    reformatted[0] = _with(rows[0], data=json.dumps(json.loads(rows[0][DATA]), ensure_ascii=True))
    assert chain.verify_events(reformatted).first.reason == "data_not_canonical"


def test_verify_streams_and_reports_progress():
    rows = _chain_rows({"s": 25})
    calls = []
    consumed = []

    def stream():
        for row in rows:
            consumed.append(row)
            yield row

    result = chain.verify_events(stream(), progress=calls.append, progress_every=10)
    assert calls == [10, 10, 5] and result.events == 25 and len(consumed) == 25


def test_verify_holds_one_chain_at_a_time():
    import tracemalloc

    def stream(n, per_chain=20):
        prev, data = "", chain.canonical_text({"reason": "征求意见稿已提交", "documents": {"draft": "ab" * 32}})
        for i in range(n):
            seq = i % per_chain + 1
            subject = f"lifecycle.localstandardproject:{i // per_chain}"
            prev = "" if seq == 1 else prev
            at = "2025-01-01T00:00:00.000000Z"
            digest = chain.stored_hash(subject, seq, at, 3, "张三", "state_changed", False, data, prev)
            yield (i + 1, subject, seq, 3, "张三", "state_changed", data, prev, digest, at, False)
            prev = digest

    peaks = []
    for n in (2_000, 40_000):
        tracemalloc.start()
        result = chain.verify_events(stream(n))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert result.ok and result.events == n
    # The 2,000 subjects seen are kept (about 150 bytes each); the 40,000 rows (about 360 bytes each) are not.
    assert peaks[1] - peaks[0] < 3_000_000, peaks


def test_merkle_root_rule():
    def h(b):
        return hashlib.sha256(b).digest()

    heads = [("b", 2, "2" * 64), ("a", 1, "1" * 64), ("c", 3, "3" * 64)]
    la, lb, lc = (h(chain.canonical([s, q, x])) for s, q, x in sorted(heads))
    # Three leaves: the odd last one is paired with itself.
    expected = h(h(la + lb) + h(lc + lc)).hex()
    assert chain.merkle_root(heads) == expected
    assert chain.merkle_root(heads[:1]) == h(chain.canonical(["b", 2, "2" * 64])).hex()
    assert chain.merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert chain.merkle_root(heads) != chain.merkle_root([("a", 1, "1" * 64), ("b", 2, "2" * 64), ("c", 4, "3" * 64)])
    with pytest.raises(ValueError):
        chain.merkle_root(heads + [("a", 5, "5" * 64)])


def _export_text(rows, anchors=(), *, end=True) -> str:
    lines = [json.dumps({"type": "header", "format": chain.EXPORT_FORMAT, "version": chain.EXPORT_VERSION,
                         "exported_at": "2025-01-02T00:00:00.000000Z"})]
    for a in anchors:
        lines.append(json.dumps({"type": "anchor", **a}, ensure_ascii=False))
    for r in rows:
        lines.append(json.dumps({"type": "event", **dict(zip(chain.ROW_FIELDS, r)), "data": json.loads(r[DATA])},
                                ensure_ascii=False))
    if end:
        lines.append(json.dumps({"type": "end", "events": len(rows), "anchors": len(anchors)}))
    return "\n".join(lines) + "\n"


def _anchor_for(rows, upto: dict[str, int]) -> dict:
    by = {(r[1], r[2]): r[H] for r in rows}
    heads = [(s, q, by[(s, q)]) for s, q in upto.items()]
    return {"id": 1, "day": "2025-01-01", "created_at": "2025-01-01T12:00:00.000000Z",
            "root": chain.merkle_root(heads), "chains": len(heads), "events": sum(upto.values()), "heads": upto}


def test_offline_verification_of_an_export():
    rows = _chain_rows({"a": 3, "b": 2})
    anchor = _anchor_for(rows, {"a": 2, "b": 2})
    result = chain.verify_export(io.StringIO(_export_text(rows, [anchor])), expect_roots=[anchor["root"]])
    assert result.ok, result.failures
    assert (result.events, result.chains, result.anchors) == (5, 2, 1)

    assert chain.verify_export(io.StringIO(_export_text(rows, [anchor])), expect_roots=["0" * 64]).first.reason == (
        "root_not_found")
    assert chain.verify_export(io.StringIO(_export_text(rows, [anchor], end=False))).first.reason == "export_incomplete"
    # The last event of "a" (not covered by the anchor) dropped together with its count: still caught by the end line.
    text = _export_text(rows[:2] + rows[3:], [anchor])
    assert chain.verify_export(io.StringIO(text.replace('"events": 4', '"events": 5'))).first.reason == (
        "export_counts_mismatch")

    # A chain rewritten consistently passes the chain checks but not the anchor.
    rewritten, prev = [], ""
    for r in rows:
        if r[1] == "b":
            m = dict(zip(chain.ROW_FIELDS, r))
            m = {k: m[k] for k in chain.MATERIAL_KEYS} | {"data": {"n": 0}, "prev": prev if m["seq"] > 1 else ""}
            r = _row(r[0], m)
            prev = r[H]
        rewritten.append(r)
    result = chain.verify_export(io.StringIO(_export_text(rewritten, [anchor])))
    assert [f.reason for f in result.failures] == ["anchor_root_mismatch"]

    bad = _export_text(rows, [anchor]).splitlines()
    bad[3] = bad[3].replace('"n": 2', '"n": 2.5')
    result = chain.verify_export(io.StringIO("\n".join(bad) + "\n"))
    assert (result.first.reason, result.first.line, result.first.event_id) == ("bad_line", 4, 2)


def test_offline_command_line(tmp_path):
    rows = _chain_rows({"catalogue.standard:DB44-T-2367-2022": 3})
    anchor = _anchor_for(rows, {"catalogue.standard:DB44-T-2367-2022": 3})
    path = tmp_path / "trail.jsonl"
    path.write_text(_export_text(rows, [anchor]), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "trail.chain", "verify", str(path), *args], cwd=REPO, env=env,
                              capture_output=True, text=True)

    done = run("--root", anchor["root"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "校验通过" in done.stdout
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"n": 2', '"n": 3')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("--json")
    assert done.returncode == 1
    first = json.loads(done.stdout)["first"]
    assert (first["reason"], first["event_id"], first["seq"]) == ("hash_mismatch", 2, 2)
