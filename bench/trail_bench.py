"""Trail figures (issue: trail): verify() events/s over N events in M chains (median of 3), export and offline-check
rates, anchoring time, record() rate. Run by `python -m bench` with DATABASE_URL set per database."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from tqdm import tqdm  # noqa: E402

from accounts.models import User  # noqa: E402
from trail import chain, services  # noqa: E402
from trail.models import Anchor, Event  # noqa: E402

COLUMNS = ("subject", "seq", "at", "actor_id", "actor_label", "kind", "public", "data", "prev_hash", "hash")
BATCH = 50_000
ACTIONS = [("submit", "drafting", "consultation"), ("approve", "review", "approval"), ("return", "review", "drafting"),
           ("publish", "approval", "published"), ("file", "published", "filed")]
REASONS = ["征求意见稿已提交", "专家审查通过，按意见修改后报批", "材料不齐，退回补充", "", "已按期备案"]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _subjects(n: int) -> list[str]:
    # Mostly projects, some standards and plans: the keys other rooms write.
    out = []
    for i in range(n):
        if i % 10 == 0:
            out.append(f"catalogue.standard:DB44-T-{i:06d}-2024")
        elif i % 10 == 1:
            out.append(f"programmes.plan:{i}")
        else:
            out.append(f"lifecycle.localstandardproject:{i}")
    return out


def _generate(subjects: list[str], per_subject: int, actors: list[tuple[int | None, str]], *, seed: int = 11):
    """Events in the order they would happen: round after round over all subjects, so chains interleave on disk."""
    rng = random.Random(seed)
    heads = dict.fromkeys(subjects, "")
    moment = datetime(2024, 1, 1, tzinfo=timezone.utc)
    step = timedelta(microseconds=250_013)
    for seq in range(1, per_subject + 1):
        for subject in subjects:
            moment += step
            actor, label = actors[rng.randrange(len(actors))]
            action, before, after = ACTIONS[rng.randrange(len(ACTIONS))]
            digest = "%064x" % rng.getrandbits(256)
            data = chain.canonical_text({
                "action": action, "from": before, "to": after, "reason": REASONS[rng.randrange(len(REASONS))],
                "documents": {"draft": digest}, "round": seq,
            })
            public = action in ("publish", "submit")
            at = chain.format_at(moment)
            prev = heads[subject]
            h = chain.stored_hash(subject, seq, at, actor, label, "state_changed", public, data, prev)
            heads[subject] = h
            yield subject, seq, moment, actor, label, "state_changed", public, data, prev, h


def _fill(total_subjects: int, per_subject: int) -> float:
    """Empty the trail tables and write the events straight through the driver; returns the seconds taken."""
    actors = [(None, services.SYSTEM_LABEL)]
    for i in range(1, 6):
        user, _ = User.objects.get_or_create(username=f"bench-trail-{i}", defaults={"display_name": f"审核员{i}"})
        actors.append((user.pk, str(user)))
    subjects = _subjects(total_subjects)
    total = total_subjects * per_subject
    started = time.perf_counter()
    rows = _generate(subjects, per_subject, actors)
    with tqdm(total=total, desc="writing events", unit="event", unit_scale=True) as bar:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("TRUNCATE trail_event, trail_anchor RESTART IDENTITY")
            with transaction.atomic(), connection.cursor() as cur:
                # COPY: the fastest way into PostgreSQL, and still every hash computed by chain.py above.
                with cur.cursor.copy(f"COPY trail_event ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for i, row in enumerate(rows, 1):
                        copy.write_row(row)
                        if i % BATCH == 0:
                            bar.update(BATCH)
            bar.update(total % BATCH)
        else:
            with connection.cursor() as cur:
                cur.execute("DELETE FROM trail_event")
                cur.execute("DELETE FROM trail_anchor")
            adapt = connection.ops.adapt_datetimefield_value
            raw = connection.connection  # sqlite3 directly: Django's cursor wrapper costs more than the insert
            sql = f"INSERT INTO trail_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            batch = []
            for row in rows:
                batch.append((row[0], row[1], adapt(row[2]), *row[3:]))
                if len(batch) == BATCH:
                    with transaction.atomic():
                        raw.executemany(sql, batch)
                    bar.update(len(batch))
                    batch = []
            if batch:
                with transaction.atomic():
                    raw.executemany(sql, batch)
                bar.update(len(batch))
    written = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cur:
        # PostgreSQL: the visibility map and statistics autovacuum would leave; SQLite: statistics (the table was
        # emptied and refilled in place, so there is nothing for VACUUM to give back but the file size).
        cur.execute("VACUUM ANALYZE trail_event" if connection.vendor == "postgresql" else "ANALYZE trail_event")
    print(f"wrote {total:,} events in {written:.1f} s ({total / written:,.0f} events/s, hashes included); "
          f"vacuum/analyze {time.perf_counter() - started:.1f} s")
    return written


def _measure_verify(args: argparse.Namespace, total: int, out: dict):
    """verify() `args.runs` times over every chain; the last run's result."""
    runs, cpu = [], []
    for i in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = services.verify()
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert result.ok, result.first.describe()
        assert (result.events, result.chains, result.anchors) == (total, args.subjects, Anchor.objects.count()), (
            result.to_dict())
        print(f"  verify run {i + 1}: {runs[-1]:.2f} s, {total / runs[-1]:,.0f} events/s; this process's CPU "
              f"{cpu[-1]:.2f} s; load average {os.getloadavg()[0]:.1f}; peak RSS {_rss_mb():,.0f} MB")
    out["verify_runs_s"] = runs
    out["verify_cpu_s"] = cpu
    out["verify_events_per_s"] = total / statistics.median(runs)
    # On a machine shared with other work the wall clock says more about the neighbours than about verify().
    out["verify_events_per_cpu_s"] = total / statistics.median(cpu)
    out["peak_rss_mb"] = _rss_mb()
    out["load_average"] = os.getloadavg()[0]
    out["cpus"] = os.cpu_count()
    return result


def _measure_export(args: argparse.Namespace, total: int, root: str, out: dict) -> None:
    """The export, then its offline check (python -m trail.chain verify)."""
    export_path = Path(args.json_out).with_suffix(".jsonl")
    started = time.perf_counter()
    written = services.export(export_path)
    out["export_s"] = time.perf_counter() - started
    out["export_events_per_s"] = written / out["export_s"]
    out["export_mb"] = export_path.stat().st_size / 1e6
    print(f"export: {out['export_s']:.1f} s, {out['export_events_per_s']:,.0f} events/s, {out['export_mb']:,.0f} MB")

    started = time.perf_counter()
    with export_path.open(encoding="utf-8") as stream:
        offline = chain.verify_export(stream, expect_roots=[root])
    out["offline_s"] = time.perf_counter() - started
    assert offline.ok and offline.events == total, offline.to_dict()
    out["offline_events_per_s"] = total / out["offline_s"]
    print(f"offline check of the export (python -m trail.chain verify): {out['offline_s']:.1f} s, "
          f"{out['offline_events_per_s']:,.0f} events/s")
    if not args.keep_export:
        export_path.unlink()


def _measure_record(args: argparse.Namespace, out: dict) -> None:
    """record(): the write path every room uses, each event in its own transaction on an existing 20-event chain."""
    subjects = _subjects(args.subjects)
    rng = random.Random(5)
    user = User.objects.get(username="bench-trail-1")
    started = time.perf_counter()
    for i in range(args.records):
        with transaction.atomic():
            services.record(subjects[rng.randrange(len(subjects))], actor=user, kind="comment_added",
                            data={"clause": f"5.{i % 9}", "text": "建议补充检验方法"})
    elapsed = time.perf_counter() - started
    out["record_events_per_s"] = args.records / elapsed
    out["record_ms"] = elapsed / args.records * 1000
    print(f"record(): {args.records:,} events, one transaction each: {out['record_ms']:.2f} ms each, "
          f"{out['record_events_per_s']:,.0f} events/s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--records", type=int, default=2_000,
                        help="events written through record(), one per transaction")
    parser.add_argument("--json-out", required=True)
    parser.add_argument("--keep-export", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the events of a previous run when there are enough")
    args = parser.parse_args()
    per_subject = max(1, args.events // args.subjects)
    total = per_subject * args.subjects
    out: dict = {"database": connection.vendor, "events": total, "subjects": args.subjects}
    call_command("migrate", verbosity=0)

    if args.reuse and Event.objects.count() >= total and Event.objects.filter(seq=1).count() == args.subjects:
        prev = json.loads(Path(args.json_out).read_text()) if Path(args.json_out).exists() else {}
        out["write_s"], out["write_events_per_s"] = prev.get("write_s", 0.0), prev.get("write_events_per_s", 0.0)
        print("events of a previous run kept (--reuse); write figures from that run")
    else:
        out["write_s"] = _fill(args.subjects, per_subject)
        out["write_events_per_s"] = total / out["write_s"]
    # With --reuse, earlier record() runs have lengthened some chains and earlier anchors remain.
    total = Event.objects.count()
    out["events"] = total

    started = time.perf_counter()
    anchor = services.anchor_today()
    out["anchor_s"] = time.perf_counter() - started
    print(f"anchor over {anchor.chains:,} chains ({anchor.events:,} events): {out['anchor_s']:.2f} s, "
          f"root {anchor.root}")

    result = _measure_verify(args, total, out)
    _measure_export(args, total, anchor.root, out)
    _measure_record(args, out)

    print(f"verify: median {statistics.median(out['verify_runs_s']):.2f} s over {args.runs} runs = "
          f"{out['verify_events_per_s']:,.0f} events/s ({total:,} events, {args.subjects:,} chains, "
          f"{result.anchors} anchor(s)); {out['verify_events_per_cpu_s']:,.0f} events per CPU second of this process")
    Path(args.json_out).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
