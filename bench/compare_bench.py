"""Comparison figures (issue 5, "Speed"): two 300-clause documents aligned (target ≤ 1 s), how alignment time grows
with the clause count (it must not be quadratic), and one standard's counterparts among 1,000 and 10,000 catalogue
standards (target ≤ 10 s). Run by `python -m bench`: `--part align` needs no database; `--part counterparts` runs
with DATABASE_URL set to a database of its own (it empties the catalogue there)."""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ALIGN_SIZES = (50, 100, 300, 1000, 3000)
COUNTERPART_SIZES = (1000, 10_000)
STRUCTURED_SHARE = 20  # one catalogue standard in 20 has a structured text with limits (a realistic upper end today)
BENCH_SOURCE = "bench-compare"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, runs: int) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, result


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of log(time) on log(size): 1 is linear, 2 quadratic."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


# ---------------------------------------------------------------------------------------------------------------
# Alignment (no database)


def bench_align(args) -> dict:
    from compare import align as align_mod
    from compare.align import align
    from compare.synthetic import document, document_pair

    out: dict = {"cpus": os.cpu_count()}
    tiny = document([("1", "范围", "本标准规定了玻璃工业大气污染物排放限值。")], number="DB44/ 1—2020", title="试")
    t0 = time.perf_counter()
    align(tiny, tiny)  # jieba reads its dictionary on first use, once per process
    first = time.perf_counter() - t0
    warm, _, _ = _timed(lambda: align(tiny, tiny), 5)
    out["jieba_load_s"] = first - statistics.median(warm)
    print(f"one-time jieba dictionary load (first alignment of the process): {out['jieba_load_s']:.2f} s")

    a, b = document_pair(300, seed=3)
    walls, cpus, result = _timed(lambda: align(a, b), args.align_runs)
    out["align_300"] = {"clauses_a": result.clauses_a, "clauses_b": result.clauses_b, "runs_s": walls,
                        "median_s": statistics.median(walls), "cpu_median_s": statistics.median(cpus),
                        "summary": result.summary()}
    print(f"align 300-clause documents ({result.clauses_a} × {result.clauses_b} clauses, {len(result.pairs)} pairs): "
          f"median {statistics.median(walls):.3f} s over {len(walls)} runs (min {min(walls):.3f}, max "
          f"{max(walls):.3f}; CPU {statistics.median(cpus):.3f} s); target ≤ 1 s")

    growth = []
    print(f"\n  {'clauses':>8} {'A×B':>13} {'median s':>9} {'CPU s':>7} {'ratio':>6} {'cand./clause':>13} {'pairs':>6}")
    previous = None
    for n in args.align_sizes:
        a, b = document_pair(n, seed=n)
        runs = args.align_runs if n <= 1000 else max(3, args.align_runs // 2)
        walls, cpus, result = _timed(lambda a=a, b=b: align(a, b), runs)
        va, vb = align_mod.clause_views(a), align_mod.clause_views(b)
        cands = align_mod._candidates(va, vb, align_mod._idf(va + vb))
        per_clause = statistics.fmean(len(js) for js in cands.values())
        median = statistics.median(walls)
        cpu = statistics.median(cpus)
        ratio = median / previous[1] if previous else None
        growth.append({"n": n, "clauses_a": result.clauses_a, "clauses_b": result.clauses_b, "median_s": median,
                       "cpu_median_s": cpu, "runs_s": walls, "candidates_per_clause": per_clause,
                       "pairs": len(result.pairs), "ratio_to_previous": ratio,
                       "size_ratio_to_previous": n / previous[0] if previous else None})
        print(f"  {n:>8,} {result.clauses_a:>6,}×{result.clauses_b:<6,} {median:>9.3f} {cpu:>7.3f} "
              f"{(f'{ratio:.2f}' if ratio else '—'):>6} {per_clause:>13.1f} {len(result.pairs):>6,}")
        previous = (n, median)
    slope = _slope([(g["clauses_a"] * 1.0, g["cpu_median_s"]) for g in growth])
    out["load_average"] = os.getloadavg()[0]
    out["growth"] = growth
    out["growth_exponent"] = slope
    out["per_doubling"] = 2 ** slope
    print(f"  fitted exponent (log-log slope of CPU time on clause count): {slope:.2f} → ×{2 ** slope:.2f} per "
          f"doubling (quadratic would be 2.00 → ×4); candidates per clause stay bounded by TOP_K={align_mod.TOP_K}+1")
    # wall time well above CPU time means the machine was busy with other work
    print(f"  load average {out['load_average']:.1f} on {os.cpu_count()} CPUs")
    return out


# ---------------------------------------------------------------------------------------------------------------
# Counterparts (database)


def _fill(size: int, records: list[dict]) -> float:
    """Bring the catalogue to exactly ``size`` bench standards (the first ``size`` records), one in STRUCTURED_SHARE
    structured; returns the seconds spent writing (0 when they were there already)."""
    from catalogue.models import Standard
    from catalogue.services import upsert_standards
    from compare.synthetic import clauses, document
    from smart.model import Limit
    from smart.models import StructuredStandard

    Standard.objects.exclude(source=BENCH_SOURCE).delete()
    have = Standard.objects.count()
    if have > size:
        Standard.objects.all().delete()
        have = 0
    if have == size:
        return 0.0
    started = time.perf_counter()
    upsert_standards(records[have:size], source=BENCH_SOURCE, batch_size=5000)
    rnd = random.Random(size)
    from compare.synthetic import PARAMETERS

    rows = []
    for i, (sid, number, title) in enumerate(Standard.objects.filter(structured__isnull=True).order_by("id")
                                             .values_list("id", "number", "title_zh")):
        if i % STRUCTURED_SHARE:
            continue
        limits = [Limit(p, "<=", rnd.choice([10, 20, 50, 100, 200]), "mg/m³", {"column": "表1"})
                  for p in rnd.sample(PARAMETERS, rnd.randint(3, 10))]
        triples = [("1", "范围", f"本标准规定了{title}的适用范围和技术要求。")] + clauses(40, sid)
        data = document(triples, number=number, title=title, limits=limits).to_dict()
        rows.append(StructuredStandard(standard_id=sid, source_name=f"{sid}.pdf", source_sha256=f"{sid:064x}",
                                       document=data, limit_count=len(limits), clause_count=len(triples)))
    StructuredStandard.objects.bulk_create(rows, batch_size=500)
    return time.perf_counter() - started


def _subjects():
    """Five subjects: an uploaded local emission standard unknown to the catalogue, and catalogue standards of four
    levels (local, national, group, international)."""
    from catalogue.models import Standard
    from compare.counterparts import candidate_of_document, candidate_of_standard
    from compare.synthetic import clauses, document
    from smart.model import Limit

    uploaded = document([("1", "范围", "本标准规定了玻璃工业大气污染物排放控制要求、监测和监控要求。")] + clauses(60, 5),
                        number="DB44/ 2159—2019", title="玻璃工业大气污染物排放标准",
                        limits=[Limit(p, "<=", 50, "mg/m³") for p in ("颗粒物", "二氧化硫", "氮氧化物")])
    subjects = [("upload DB44/ 2159—2019", candidate_of_document(uploaded))]
    for level in ("local", "national", "group", "international"):
        std = (Standard.objects.filter(level=level, ics_codes__isnull=False).prefetch_related("ics_codes")
               .order_by("id").first())
        if std is not None:
            subjects.append((f"{level} {std.number}", candidate_of_standard(std)))
    return subjects


def bench_counterparts(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import Standard
    from catalogue.services import load_reference
    from catalogue.synthetic import generate_records
    from compare.align import features
    from compare.counterparts import catalogue_candidates, find_counterparts, forget_facts
    from compare.ranking import rank
    from smart.models import StructuredStandard

    out: dict = {"database": connection.vendor, "cpus": os.cpu_count(), "sizes": []}
    call_command("migrate", verbosity=0)
    load_reference()  # the codes the records name (ICS, CCS, regions, sectors)
    records = list(generate_records(max(args.sizes), seed=11))
    features("玻璃工业大气污染物排放标准")  # jieba's dictionary load is reported by the alignment part
    print(f"\n  {'catalogue':>9}  {'subject':<30} {'cold s':>7} {'warm s':>7} {'read s':>7} {'rank s':>7} "
          f"{'queries':>7}  best match")
    for size in args.sizes:
        written = _fill(size, records)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        entry: dict = {"standards": Standard.objects.count(), "structured": StructuredStandard.objects.count(),
                       "fill_s": written, "subjects": []}
        for label, subject in _subjects():
            forget_facts()  # cold: the structured texts' limit lists and scopes are read from the JSON
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                matches = find_counterparts(subject)
                cold = time.perf_counter() - t0
            warm, cpus, _ = _timed(lambda subject=subject: find_counterparts(subject), args.counterpart_runs)
            read, _, candidates = _timed(catalogue_candidates, 3)
            ranked, _, _ = _timed(lambda subject=subject, candidates=candidates: rank(subject, candidates), 3)
            best = matches[0] if matches else None
            row = {"subject": label, "cold_s": cold, "warm_runs_s": warm, "warm_median_s": statistics.median(warm),
                   "cpu_median_s": statistics.median(cpus), "read_median_s": statistics.median(read),
                   "rank_median_s": statistics.median(ranked), "queries": len(queries),
                   "best": best.candidate.number if best else None,
                   "best_title": best.candidate.title_zh if best else None,
                   "best_score": best.score if best else None, "matches": len(matches)}
            entry["subjects"].append(row)
            print(f"  {entry['standards']:>9,}  {label:<30} {cold:>7.2f} {row['warm_median_s']:>7.2f} "
                  f"{row['read_median_s']:>7.2f} {row['rank_median_s']:>7.2f} {len(queries):>7}  "
                  f"{row['best'] or '—'} {row['best_title'] or ''} ({row['best_score'] or 0:.2f})")
        entry["warm_median_s"] = statistics.median(r["warm_median_s"] for r in entry["subjects"])
        entry["cold_max_s"] = max(r["cold_s"] for r in entry["subjects"])
        out["sizes"].append(entry)
    # The generated catalogue repeats its titles (about 1,500 distinct ones) and rank() computes each text's
    # features once: the same candidates with every title and scope made distinct show the cost without that help.
    from dataclasses import replace

    candidates = [replace(c, title_zh=f"{c.title_zh} 第{c.id}部分", scope=f"{c.scope}适用于第{c.id}类产品。")
                  for c in catalogue_candidates()]
    subject = _subjects()[0][1]
    walls, _, _ = _timed(lambda: rank(subject, candidates), 3)
    out["distinct_titles"] = {"standards": len(candidates), "rank_median_s": statistics.median(walls)}
    print(f"  rank() alone on {len(candidates):,} candidates with distinct titles and scopes: "
          f"median {statistics.median(walls):.2f} s")
    if len(out["sizes"]) >= 2:
        pts = [(e["standards"], e["warm_median_s"]) for e in out["sizes"]]
        out["growth_exponent"] = _slope(pts)
    out["peak_rss_mb"] = _rss_mb()
    out["load_average"] = os.getloadavg()[0]
    for e in out["sizes"]:
        print(f"  {e['standards']:,} standards: median {e['warm_median_s']:.2f} s per subject (warm), slowest cold "
              f"{e['cold_max_s']:.2f} s; target ≤ 10 s for 1,000")
    if "growth_exponent" in out:
        print(f"  growth exponent over catalogue size: {out['growth_exponent']:.2f} (1 = linear)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["align", "counterparts"], required=True)
    parser.add_argument("--json-out", required=True)
    parser.add_argument("--align-runs", type=int, default=5)
    parser.add_argument("--align-sizes", type=lambda s: [int(x) for x in s.split(",")], default=list(ALIGN_SIZES))
    parser.add_argument("--counterpart-runs", type=int, default=5)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=list(COUNTERPART_SIZES))
    args = parser.parse_args()
    out = bench_align(args) if args.part == "align" else bench_counterparts(args)
    Path(args.json_out).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
