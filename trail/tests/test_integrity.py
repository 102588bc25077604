"""What the anchors, their links and the published roots catch, and what is left as "not yet anchored"."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.urls import reverse

from trail import chain, services
from trail.models import Anchor, Event
from trail.triggers import append_only_suspended

A, B, C = "catalogue.standard:DB44-T-1-2020", "catalogue.standard:DB44-T-2-2021", "catalogue.standard:DB44-T-3-2022"


def _sql(sql: str, params=()):
    """The intruder with the tables' owner's rights: past the append-only triggers too."""
    with append_only_suspended(), connection.cursor() as cur:
        cur.execute(sql, params)


def _write(subject: str, n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            services.record(subject, actor=None, kind="edited", data={"rev": i})


def _two_chains() -> None:
    _write(A, 3)
    _write(B, 2)


def _reasons(result) -> list[str]:
    return [f.reason for f in result.failures]


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("trail", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def _roots_file(tmp_path) -> str:
    code, text = _cli("roots", "--json")
    assert code == 0
    path = tmp_path / "roots.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_without_an_anchor_a_cut_chain_passes_but_every_event_is_reported_unanchored():
    _two_chains()
    _sql("DELETE FROM trail_event WHERE subject = %s AND seq = 3", [A])
    result = services.verify()
    assert result.ok  # the limit the anchors are for: nothing in the rows says a last event existed
    assert result.unanchored == {"events": 4, "chains": 2, "subjects": [A, B]}
    code, out = _cli("verify")
    assert code == 0 and "尚未锚定的事件：4 个，2 条链" in out


@pytest.mark.django_db
@pytest.mark.parametrize("cut", ["last event", "whole chain"])
def test_with_an_anchor_cutting_an_anchored_chain_fails(cut):
    _two_chains()
    services.anchor_today()
    if cut == "last event":
        _sql("DELETE FROM trail_event WHERE subject = %s AND seq = 3", [A])
    else:
        _sql("DELETE FROM trail_event WHERE subject = %s", [B])
    result = services.verify()
    assert _reasons(result) == ["anchor_event_missing"]
    assert result.first.subject == (A if cut == "last event" else B)
    code, out = _cli("verify")
    assert code == 1 and "anchor_event_missing" in out


@pytest.mark.django_db
def test_events_appended_after_the_last_anchor_are_named_as_not_yet_anchored():
    _two_chains()
    services.anchor_today()
    assert services.verify().unanchored == {"events": 0, "chains": 0, "subjects": []}
    # A forger who can compute hashes appends a well-formed event to A and starts a new chain C.
    _write(A, 1)
    _write(C, 2)
    result = services.verify()
    assert result.ok and result.unanchored == {"events": 3, "chains": 2, "subjects": [A, C]}
    code, out = _cli("verify")
    assert code == 0 and f"尚未锚定的事件：3 个，2 条链（{A}、{C}）" in out
    assert json.loads(_cli("verify", "--json")[1])["unanchored"]["events"] == 3
    services.anchor_today()
    assert services.verify().unanchored["events"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("which", [0, 1])
def test_an_anchor_removed_from_the_start_or_middle_breaks_the_anchor_chain(which):
    _write(A, 1)
    anchors = []
    for subject in (B, C, A):
        anchors.append(services.anchor_today())
        _write(subject, 1)
    assert [a.prev_root for a in anchors] == ["", anchors[0].root, anchors[1].root]
    assert services.verify().ok
    _sql("DELETE FROM trail_anchor WHERE id = %s", [anchors[which].pk])
    result = services.verify()
    assert _reasons(result) == ["anchor_link_mismatch"] and result.first.anchor_id == anchors[which + 1].pk


@pytest.mark.django_db
def test_a_deleted_last_anchor_is_caught_only_against_the_published_roots(tmp_path):
    _two_chains()
    services.anchor_today()
    _write(C, 1)
    last = services.anchor_today()
    published = _roots_file(tmp_path)
    assert _cli("verify", "--root", published)[0] == 0
    _sql("DELETE FROM trail_anchor WHERE id = %s", [last.pk])
    assert services.verify().ok  # from the database alone this cannot be seen
    code, out = _cli("verify", "--root", published)
    assert code == 1 and "published_root_missing" in out and last.root in out
    assert "尚未锚定的事件：1 个，1 条链" in out


@pytest.mark.django_db
def test_a_rewritten_chain_with_a_rewritten_anchor_is_caught_against_the_published_roots(tmp_path):
    _two_chains()
    anchor = services.anchor_today()
    published = _roots_file(tmp_path)
    # Rewrite B's last event and recompute everything the database holds: the chain and the anchor's root.
    head = Event.objects.get(subject=B, seq=2)
    data = chain.canonical_text({"rev": 99})
    digest = chain.stored_hash(B, 2, chain.format_at(head.at), None, head.actor_label, head.kind, head.public, data,
                               head.prev_hash)
    _sql("UPDATE trail_event SET data = %s, hash = %s WHERE id = %s", [data, digest, head.pk])
    root = chain.merkle_root(services.chain_heads())
    _sql("UPDATE trail_anchor SET root = %s WHERE id = %s", [root, anchor.pk])
    assert services.verify().ok
    code, out = _cli("verify", "--root", published)
    assert code == 1 and "published_root_missing" in out and f"锚定 #{anchor.pk}" in out


@pytest.mark.django_db
def test_the_public_page_json_and_feed_publish_every_root(client, tmp_path):
    _two_chains()
    first = services.anchor_today()
    _write(C, 1)
    second = services.anchor_today()
    page = client.get(reverse("trail:anchors"))
    assert page.status_code == 200
    body = page.content.decode()
    assert first.root in body and second.root in body and body.index(second.root) < body.index(first.root)
    assert reverse("trail:anchors") in client.get(reverse("catalogue:home")).content.decode()  # footer link
    client.post("/i18n/setlang/", {"language": "en", "next": reverse("trail:anchors")})
    english = client.get(reverse("trail:anchors")).content.decode()
    assert "Trail: daily anchor roots" in english and "Previous root" in english and first.root in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": reverse("trail:anchors")})
    listed = client.get(reverse("trail:anchors-json")).json()
    assert listed == json.loads(_cli("roots", "--json")[1])
    assert [a["root"] for a in listed["anchors"]] == [first.root, second.root]
    assert listed["anchors"][1]["prev_root"] == first.root and listed["anchors"][1]["events"] == 6
    feed = client.get(reverse("trail:anchors-feed"))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    saved = tmp_path / "anchors.atom"
    saved.write_bytes(feed.content)
    roots = chain.read_published_roots(saved.read_text(encoding="utf-8"))
    assert sorted((r["id"], r["root"]) for r in roots) == [(first.pk, first.root), (second.pk, second.root)]
    assert _cli("verify", "--root", str(saved))[0] == 0
    _sql("DELETE FROM trail_anchor WHERE id = %s", [second.pk])
    code, out = _cli("verify", "--root", str(saved))
    assert code == 1 and "published_root_missing" in out


@pytest.mark.django_db
def test_roots_command_and_bad_root_files(tmp_path):
    code, out = _cli("roots")
    assert code == 0 and "尚无锚定" in out
    anchor = services.anchor_today()
    assert anchor.root in _cli("roots")[1]
    bad = tmp_path / "bad.json"
    for text, message in (("not json", "既不是 JSON 也不是 Atom"), ('{"anchors": [{"root": "xyz"}]}', "无效的默克尔根"),
                          ("<feed", "不是有效的 Atom"), ("<rss><channel/></rss>", "不是 Atom 订阅文件")):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(Exception, match=message):
            call_command("trail", "verify", "--root", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(Exception, match="无法读取已公布的根"):
        call_command("trail", "verify", "--root", str(tmp_path / "missing.json"), stdout=io.StringIO())


@pytest.mark.django_db
def test_offline_verifier_checks_the_published_roots_and_the_anchor_links(tmp_path):
    _two_chains()
    services.anchor_today()
    _write(C, 1)
    services.anchor_today()
    published = _roots_file(tmp_path)
    export = tmp_path / "trail.jsonl"
    services.export(str(export))
    lines = export.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[2])["prev_root"] == json.loads(lines[1])["root"]
    offline = [sys.executable, "-m", "trail.chain", "verify"]
    ok = subprocess.run([*offline, str(export), "--roots", published], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # The first anchor line removed (and the end line's count fixed): the second no longer links to anything.
    end = json.loads(lines[-1])
    end["anchors"] = 1
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join([lines[0], *lines[2:-1], json.dumps(end)]) + "\n", encoding="utf-8")
    bad = subprocess.run([*offline, str(cut), "--roots", published, "--json"], capture_output=True, text=True)
    reasons = [f["reason"] for f in json.loads(bad.stdout)["failures"]]
    assert bad.returncode == 1 and reasons == ["anchor_link_mismatch", "published_root_missing"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's")
@pytest.mark.parametrize("table", ["trail_event", "trail_anchor"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_postgresql_refuses_update_and_delete_on_the_trail_tables(table, statement):
    _two_chains()
    services.anchor_today()
    with pytest.raises((ProgrammingError, IntegrityError), match="追溯记录只能追加"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement.format(table=table))
    assert Event.objects.count() == 5 and Anchor.objects.count() == 1
