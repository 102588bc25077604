"""The trail in the database: record() chains per subject in the caller's transaction; verify, export and anchors
catch rows edited, deleted, relinked or rewritten behind the application's back."""

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timezone as dt_timezone
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from ninja.testing import TestClient

from accounts.models import Organisation
from trail import chain, services
from trail.api import router
from trail.models import Anchor, AppendOnly, Event
from trail.triggers import append_only_suspended

REPO = Path(__file__).resolve().parents[2]
STANDARD = "catalogue.standard:DB44-T-2367-2022"


def _sql(sql: str, params=()):
    """Tamper with the tables as an intruder with the database owner's rights would: past the triggers too."""
    with append_only_suspended(), connection.cursor() as cur:
        cur.execute(sql, params)


def _fill(actor=None) -> dict[str, list[Event]]:
    """Three chains: a standard (4 events), a project key (5) and an organisation instance (3)."""
    # bulk_create sends no signals: the organisation's chain holds only the three events written here.
    org = Organisation.objects.bulk_create([Organisation(name="追溯测试机构", kind=Organisation.Kind.ENTERPRISE)])[0]
    with transaction.atomic():
        for i in range(5):
            services.record("lifecycle.localstandardproject:42", actor=actor, kind="state_changed",
                            data={"step": i, "说明": "状态变更"}, public=i % 2 == 0)
            if i < 4:
                services.record(STANDARD, actor=actor, kind="edited", data={"field": "title_zh", "rev": i})
            if i < 3:
                services.record(org, actor=None, kind="renamed", data={"to": f"名称{i}"})
    return services.events_for(["lifecycle.localstandardproject:42", STANDARD, org])


def _verify_cli() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("trail", "verify", stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_record_chains_events_per_subject(officer):
    chains = _fill(actor=officer)
    project, standard, org = chains.values()
    assert [e.seq for e in project] == [1, 2, 3, 4, 5] and [e.seq for e in standard] == [1, 2, 3, 4]
    assert org[0].subject == f"accounts.organisation:{Organisation.objects.get(name='追溯测试机构').pk}"
    for events in chains.values():
        assert events[0].prev_hash == ""
        for before, after in zip(events, events[1:]):
            assert after.prev_hash == before.hash
    first = project[0]
    assert first.actor == officer and first.actor_label == str(officer) and org[0].actor is None
    assert org[0].actor_label == services.SYSTEM_LABEL
    assert first.payload == {"step": 0, "说明": "状态变更"}
    assert first.data == '{"step":0,"说明":"状态变更"}'
    assert first.hash == chain.event_hash({
        "subject": first.subject, "seq": 1, "at": chain.format_at(first.at), "actor": officer.pk,
        "actor_label": first.actor_label, "kind": "state_changed", "public": True, "data": first.payload, "prev": "",
    })
    result = services.verify()
    assert result.ok, result.failures
    assert (result.events, result.chains) == (12, 3)


@pytest.mark.django_db
def test_stored_time_reads_back_as_the_hashed_text(monkeypatch):
    # Whole seconds are where SQLite's text form drops the fraction.
    for moment in (datetime(2025, 3, 18, 2, 15, 30, tzinfo=dt_timezone.utc),
                   datetime(2025, 3, 18, 2, 15, 30, 5, tzinfo=dt_timezone.utc)):
        monkeypatch.setattr(services.timezone, "now", lambda m=moment: m)
        with transaction.atomic():
            event = services.record("t:time", actor=None, kind="tick", data={})
        row = dict(zip(chain.ROW_FIELDS, next(r for r in services._event_rows() if r[0] == event.pk)))
        assert row["at"] == chain.format_at(moment) == chain.format_at(Event.objects.get(pk=event.pk).at)
    assert services.verify().ok


@pytest.mark.django_db(transaction=True)
def test_record_refuses_outside_a_transaction():
    with pytest.raises(RuntimeError, match="事务"):
        services.record("t:1", actor=None, kind="x", data={})
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_record_refuses_bad_input_and_writes_nothing():
    with transaction.atomic():
        with pytest.raises(ValueError, match="浮点数"):
            services.record("t:1", actor=None, kind="measured", data={"ratio": 0.5})
        with pytest.raises(ValueError):
            services.record("", actor=None, kind="x", data={})
        with pytest.raises(ValueError):
            services.record(Organisation(name="未保存"), actor=None, kind="x", data={})
        with pytest.raises(ValueError):
            services.record("t:1", actor=None, kind="", data={})
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_rows_cannot_be_changed_through_the_application():
    with transaction.atomic():
        event = services.record("t:1", actor=None, kind="x", data={})
    event.kind = "y"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        Event.objects.filter(pk=event.pk).update(kind="y")
    with pytest.raises(AppendOnly):
        Event.objects.all().delete()


@pytest.mark.django_db
def test_a_second_writer_on_the_same_seq_fails_and_leaves_nothing(monkeypatch):
    with transaction.atomic():
        services.record("t:race", actor=None, kind="x", data={"n": 1})
    real_now = services.timezone.now

    def now_after_a_rival_wrote():
        # A rival transaction commits the next event after this one read the head and before it writes.
        monkeypatch.setattr(services.timezone, "now", real_now)
        Event.objects.create(subject="t:race", seq=2, at=real_now(), actor_label="rival", kind="x", data="{}",
                             prev_hash="", hash="0" * 64)
        return real_now()

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            Organisation.objects.create(name="半途而废", kind=Organisation.Kind.ENTERPRISE)
            monkeypatch.setattr(services.timezone, "now", now_after_a_rival_wrote)
            services.record("t:race", actor=None, kind="x", data={"n": 2})
    assert not Organisation.objects.filter(name="半途而废").exists()
    assert list(Event.objects.filter(subject="t:race").values_list("seq", flat=True)) == [1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_a_chain():
    """Two transactions write to one subject at once. SQLite makes the second wait at BEGIN IMMEDIATE and then
    append after the first; PostgreSQL makes it wait on the head row's lock, then refuses it at the unique
    (subject, seq), rolling back its change with it. Either way one chain, and no change without its event."""
    with transaction.atomic():
        services.record("t:concurrent", actor=None, kind="x", data={"n": 0})
    first_wrote, release = threading.Event(), threading.Event()
    outcome = {}

    def writer(name, hold):
        try:
            with transaction.atomic():
                Organisation.objects.create(name=name, kind=Organisation.Kind.ENTERPRISE)
                services.record("t:concurrent", actor=None, kind="x", data={"by": name})
                if hold:
                    first_wrote.set()
                    release.wait(10)
            outcome[name] = "committed"
        except IntegrityError:
            outcome[name] = "refused"
        finally:
            connection.close()

    a = threading.Thread(target=writer, args=("甲", True))
    a.start()
    assert first_wrote.wait(10)
    b = threading.Thread(target=writer, args=("乙", False))
    b.start()
    b.join(0.5)
    assert b.is_alive(), "the second writer should wait for the first one"
    release.set()
    a.join(15)
    b.join(15)
    seqs = list(Event.objects.filter(subject="t:concurrent").order_by("seq").values_list("seq", flat=True))
    if connection.vendor == "postgresql":
        assert outcome == {"甲": "committed", "乙": "refused"} and seqs == [1, 2]
    else:
        assert outcome == {"甲": "committed", "乙": "committed"} and seqs == [1, 2, 3]
    for name, done in outcome.items():
        assert Organisation.objects.filter(name=name).exists() == (done == "committed")
        assert Event.objects.filter(subject="t:concurrent", data__contains=name).exists() == (done == "committed")
    assert services.verify().ok


@pytest.mark.django_db
def test_timeline_in_one_query(officer, django_assert_num_queries):
    chains = _fill(actor=officer)
    with django_assert_num_queries(1):
        events = services.timeline("lifecycle.localstandardproject:42")
        assert [e.actor.username for e in events] == ["officer"] * 5
    assert [e.seq for e in services.timeline("lifecycle.localstandardproject:42", public_only=True)] == [1, 3, 5]
    with django_assert_num_queries(1):
        several = services.events_for([STANDARD, "lifecycle.localstandardproject:42", "nothing:1"])
        assert [e.actor_label for e in several[STANDARD]] == [str(officer)] * 4
    assert list(several) == [STANDARD, "lifecycle.localstandardproject:42", "nothing:1"]
    assert several["nothing:1"] == [] and [e.pk for e in several[STANDARD]] == [e.pk for e in chains[STANDARD]]


@pytest.mark.django_db
def test_an_edited_row_is_named():
    chains = _fill()
    target = chains[STANDARD][2]
    _sql("UPDATE trail_event SET data = %s WHERE id = %s", ['{"field":"title_zh","rev":7}', target.pk])
    result = services.verify()
    assert result.failure_count == 1
    first = result.first
    assert (first.reason, first.event_id, first.subject, first.seq) == ("hash_mismatch", target.pk, STANDARD, 3)
    code, out = _verify_cli()
    assert code == 1
    assert STANDARD in out and "第 3 号事件" in out and f"id {target.pk}" in out and "hash_mismatch" in out


@pytest.mark.django_db
def test_a_deleted_middle_row_is_named():
    chains = _fill()
    project = chains["lifecycle.localstandardproject:42"]
    _sql("DELETE FROM trail_event WHERE id = %s", [project[2].pk])
    result = services.verify()
    assert result.failure_count == 1
    first = result.first
    assert (first.reason, first.event_id, first.seq) == ("seq_gap", project[3].pk, 4)
    assert "缺少第 3 号事件" in first.message
    code, out = _verify_cli()
    assert code == 1 and "缺少第 3 号事件" in out


@pytest.mark.django_db
def test_a_swapped_hash_is_named():
    chains = _fill()
    events = chains[STANDARD]
    # The hash of event 2 put on event 3: each row then looks like a real event hash, but not its own.
    _sql("UPDATE trail_event SET hash = %s WHERE id = %s", [events[1].hash, events[2].pk])
    result = services.verify()
    assert [(f.reason, f.event_id) for f in result.failures] == [("hash_mismatch", events[2].pk),
                                                                  ("prev_mismatch", events[3].pk)]
    # Other columns too: the time, the actor's name, the public flag.
    for sql, value in (("UPDATE trail_event SET actor_label = %s WHERE id = %s", "别人"),
                       ("UPDATE trail_event SET public = %s WHERE id = %s", True)):
        _sql("UPDATE trail_event SET hash = %s WHERE id = %s", [events[2].hash, events[2].pk])
        assert services.verify().ok
        _sql(sql, [value, events[0].pk])
        assert services.verify().first.event_id == events[0].pk
        _sql(sql, [events[0].actor_label if "label" in sql else events[0].public, events[0].pk])


@pytest.mark.django_db
def test_cli_exit_codes(monkeypatch):
    from django.db import connections

    from yuebiao.cli import main

    # A command run from argv closes every connection when it ends, which would drop this test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    chains = _fill()
    assert main(["yuebiao", "trail", "verify", "--json"]) == 0
    _sql("UPDATE trail_event SET kind = %s WHERE id = %s", ["deleted", chains[STANDARD][0].pk])
    assert main(["yuebiao", "trail", "verify", "--json"]) == 1


@pytest.mark.django_db
def test_verify_json_and_progress():
    _fill()
    seen = []
    assert services.verify(progress=seen.append).ok and sum(seen) == 12
    out = io.StringIO()
    call_command("trail", "verify", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is True and report["events"] == 12 and report["first"] is None


@pytest.mark.django_db
def test_anchor_catches_a_consistently_rewritten_chain():
    chains = _fill()
    anchor = services.anchor_today()
    assert (anchor.chains, anchor.events) == (3, 12)
    assert anchor.head_map == {k: len(v) for k, v in chains.items()}
    # Later events do not disturb the anchor: it is recomputed at the heads it covered.
    with transaction.atomic():
        services.record(STANDARD, actor=None, kind="edited", data={"rev": 9})
    result = services.verify()
    assert result.ok and result.anchors == 1 and result.anchor_checks[0].ok

    # Rewrite the standard's history from event 1 on, recomputing every hash: each chain still checks out.
    rows = [dict(zip(chain.ROW_FIELDS, r)) for r in services._event_rows() if r[1] == STANDARD]
    prev = ""
    for r in rows:
        data = '{"field":"title_zh","rev":100}' if r["seq"] == 1 else r["data"]
        digest = chain.stored_hash(r["subject"], r["seq"], r["at"], r["actor"], r["actor_label"], r["kind"],
                                   bool(r["public"]), data, prev)
        _sql("UPDATE trail_event SET data = %s, prev_hash = %s, hash = %s WHERE id = %s",
             [data, prev, digest, r["id"]])
        prev = digest
    result = services.verify()
    assert [f.reason for f in result.failures] == ["anchor_root_mismatch"]
    assert result.first.anchor_id == anchor.pk
    code, out = _verify_cli()
    assert code == 1 and "默克尔根" in out


@pytest.mark.django_db
def test_an_anchor_made_during_verify_waits_for_the_next_one(monkeypatch):
    _fill()
    services.anchor_today()
    real_rows = services._event_rows

    def rows_while_anchoring():
        services.anchor_today()  # the daily job runs while verify streams
        yield from real_rows()

    monkeypatch.setattr(services, "_event_rows", rows_while_anchoring)
    result = services.verify()
    assert result.ok and result.anchors == 1
    monkeypatch.setattr(services, "_event_rows", real_rows)
    result = services.verify()
    assert result.ok and result.anchors == 2


@pytest.mark.django_db
def test_anchor_catches_a_truncated_chain():
    chains = _fill()
    services.anchor_today()
    last = chains[STANDARD][-1]
    _sql("DELETE FROM trail_event WHERE id = %s", [last.pk])
    result = services.verify()
    assert [(f.reason, f.subject, f.seq) for f in result.failures] == [("anchor_event_missing", STANDARD, 4)]


@pytest.mark.django_db
def test_anchor_of_an_empty_trail_and_its_command():
    out = io.StringIO()
    call_command("trail", "anchor", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["chains"] == 0 and report["root"] == chain.merkle_root([])
    assert services.verify().ok and Anchor.objects.count() == 1


def _offline(path: Path, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    return subprocess.run([sys.executable, "-m", "trail.chain", "verify", str(path), *args], cwd=REPO, env=env,
                          capture_output=True, text=True)


@pytest.mark.django_db
def test_export_verifies_offline_and_an_edited_line_is_named(tmp_path):
    chains = _fill()
    anchor = services.anchor_today()
    with transaction.atomic():
        services.record(STANDARD, actor=None, kind="edited", data={"rev": 9, "名称": "荔枝干燥"})
    path = tmp_path / "trail.jsonl"
    out = io.StringIO()
    call_command("trail", "export", str(path), stdout=out, stderr=io.StringIO())
    assert "13 个事件" in out.getvalue()
    lines = path.read_text(encoding="utf-8").splitlines()
    kinds = [json.loads(line)["type"] for line in lines]
    assert kinds == ["header", "anchor"] + ["event"] * 13 + ["end"]

    done = _offline(path, "--root", anchor.root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "校验通过" in done.stdout and anchor.root in done.stdout

    target = chains["lifecycle.localstandardproject:42"][1]
    edited = []
    for line in lines:
        obj = json.loads(line)
        if obj.get("id") == target.pk and obj["type"] == "event":
            obj["data"]["step"] = 99
            line = json.dumps(obj, ensure_ascii=False)
        edited.append(line)
    path.write_text("\n".join(edited) + "\n", encoding="utf-8")
    done = _offline(path)
    assert done.returncode == 1
    assert f"id {target.pk}" in done.stdout and "hash_mismatch" in done.stdout


@pytest.mark.django_db
def test_export_to_a_stream_matches_the_database():
    _fill()
    buffer = io.StringIO()
    count = services.export(buffer)
    assert count == 12
    result = chain.verify_export(io.StringIO(buffer.getvalue()))
    assert result.ok and (result.events, result.chains) == (12, 3)
    rows = {r[0]: dict(zip(chain.ROW_FIELDS, r)) for r in services._event_rows()}
    for line in buffer.getvalue().splitlines()[1:-1]:
        obj = json.loads(line)
        assert chain.canonical_text(obj["data"]) == rows[obj["id"]]["data"]
        assert {k: obj[k] for k in ("subject", "seq", "at", "actor", "prev", "hash")} == {
            "subject": rows[obj["id"]]["subject"], "seq": rows[obj["id"]]["seq"], "at": rows[obj["id"]]["at"],
            "actor": rows[obj["id"]]["actor"], "prev": rows[obj["id"]]["prev"], "hash": rows[obj["id"]]["hash"]}


@pytest.mark.django_db
def test_verify_api_is_for_administrators(admin, officer):
    _fill()
    client = TestClient(router)
    assert client.get("/verify").status_code == 401
    assert client.get("/verify", user=officer).status_code == 403
    response = client.get("/verify", user=admin)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["events"] == 12 and body["chains"] == 3
    assert body["unanchored"]["events"] == 12 and body["unanchored"]["chains"] == 3
    _sql("UPDATE trail_event SET data = %s WHERE id = %s",
         ["{}", Event.objects.filter(subject=STANDARD).values_list("id", flat=True).first()])
    body = client.get("/verify", user=admin).json()
    assert body["ok"] is False and body["first"]["reason"] == "hash_mismatch" and body["first"]["subject"] == STANDARD


@pytest.mark.django_db
def test_verify_endpoint_as_mounted(client, admin):
    _fill()
    assert client.get("/api/trail/verify").status_code == 401
    client.force_login(admin)  # the sign-in is itself an event of the admin's chain
    response = client.get("/api/trail/verify")
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["events"] == 12 + 1


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
@pytest.mark.django_db
def test_an_implementation_written_from_the_document_agrees(tmp_path):
    """reimplementation.js follows only docs/trail.md (JavaScript sorts and escapes strings its own way)."""
    with transaction.atomic():
        for i in range(12):
            services.record(f"t:{i % 4}", actor=None, kind="edited", public=i % 2 == 0, data={
                "i": -i, "名称": "荔枝\n\"干\"\\燥\u2028\x01\x7f😀", "列表": [True, None, []], "中": {"z": 1, "a": "é"},
                "😀": 1, "\uff01": 2, "": {}})
    services.anchor_today()
    path = tmp_path / "trail.jsonl"
    services.export(path)
    script = Path(__file__).with_name("reimplementation.js")
    done = subprocess.run(["node", str(script), str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "12 events all hold" in done.stdout and "anchor" in done.stdout and "MISMATCH" not in done.stdout
    _sql("UPDATE trail_event SET data = %s WHERE id = %s", ['{"i":5}', Event.objects.order_by("id").first().pk])
    services.export(path)
    done = subprocess.run(["node", str(script), str(path)], capture_output=True, text=True)
    assert done.returncode == 1 and "bad event" in done.stdout
