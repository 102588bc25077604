"""Catalogue figures (issue: foundation): search p95 through the API on N rows, API time over the raw query, bulk
import rows/s, reference-data load time. Run by `python -m bench` with DATABASE_URL set per database."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from tqdm import tqdm  # noqa: E402

from catalogue.models import Standard  # noqa: E402
from catalogue.queries import build_request  # noqa: E402
from catalogue.search import search  # noqa: E402
from catalogue.imports import import_file  # noqa: E402
from catalogue.services import load_reference, upsert_standards  # noqa: E402
from catalogue.synthetic import generate_records  # noqa: E402
from catalogue.table_writer import write_csv  # noqa: E402

# Twenty typical queries: numbers full and partial, two-character words, English, and filters.
QUERIES = [
    {"q": "陶瓷"}, {"q": "荔枝"}, {"q": "凉茶"}, {"q": "电梯"}, {"q": "锂离子电池 安全要求"},
    {"q": "排放标准", "level": "local"}, {"q": "服务规范", "city": "440100"}, {"q": "lithium"},
    {"q": "ceramic tiles"}, {"q": "2367"}, {"q": "DB44/T 1"}, {"q": "GB/T 1.1"}, {"q": "HJ 364"},
    {"q": "T/GBAS"}, {"level": "group", "sort": "published"}, {"status": "upcoming"},
    {"ics": "67.080", "year_from": 2020}, {"q": "预制菜", "sector": "agriculture-food"},
    {"q": "智能家电", "status": "current", "facets": "true"}, {"q": "养老服务", "facets": "true"},
]
IMPORT_ROWS = 50_000  # about 18 MB of CSV: just under the 20 MB upload limit


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def _fill(args: argparse.Namespace, out: dict) -> None:
    """The bench rows: 50,000 through an upload's import, the rest by bulk write (unless an earlier run left them)."""
    bench_rows = Standard.objects.filter(source__in=["bench", "bench-import"]).count()
    if bench_rows < args.rows:
        # Bulk import through the same path as an official's upload: an Excel-style CSV read, checked, written.
        records = list(generate_records(args.rows, seed=7))
        sample = records[:IMPORT_ROWS]
        Standard.objects.filter(source__in=["bench", "bench-import"]).delete()
        body = write_csv(sample)
        started = time.perf_counter()
        report = import_file(data=body, filename="bench.csv", valid_only=True)
        elapsed = time.perf_counter() - started
        out["import_rows_per_s"] = report["created"] / elapsed
        Standard.objects.filter(source__startswith="import").update(source="bench-import")
        print(f"import of {len(sample):,} rows (CSV read + check + write): {elapsed:.1f} s, "
              f"{out['import_rows_per_s']:,.0f} rows/s; errors: {report['error_rows']}")
        rest = [r for r in records[IMPORT_ROWS:]]
        started = time.perf_counter()
        with tqdm(total=len(rest), desc="bulk write", unit="row") as bar:
            upsert_standards(rest, source="bench", progress=bar.update, batch_size=5000)
        elapsed = time.perf_counter() - started
        out["bulk_rows_per_s"] = len(rest) / elapsed if rest else 0.0
        print(f"bulk write of {len(rest):,} rows: {elapsed:.1f} s, {out['bulk_rows_per_s']:,.0f} rows/s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        else:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
                cur.execute("INSERT INTO catalogue_standard_fts(catalogue_standard_fts) VALUES ('optimize')")
    else:
        prev = json.loads(Path(args.json_out).read_text()) if Path(args.json_out).exists() else {}
        out["import_rows_per_s"] = prev.get("import_rows_per_s", 0.0)
        out["bulk_rows_per_s"] = prev.get("bulk_rows_per_s", 0.0)
        print("catalogue rows already generated; import figures from the previous run")


def _measure_search(out: dict) -> None:
    """The twenty typical queries through the API (cold and warm) and as the raw query."""
    client = Client()
    cold: list[float] = []
    warm: list[float] = []
    raw: list[float] = []
    ratios: list[float] = []
    for params in QUERIES:
        per_query_cold, per_query_raw = [], []
        for _ in range(5):
            cache.clear()
            t0 = time.perf_counter()
            response = client.get("/api/standards/", params)
            per_query_cold.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.content
            t0 = time.perf_counter()
            response = client.get("/api/standards/", params)
            warm.append((time.perf_counter() - t0) * 1000)
            cache.clear()
            req = build_request(**{k: v for k, v in params.items() if k != "facets"}, facets=params.get("facets") == "true")
            t0 = time.perf_counter()
            search(req)
            per_query_raw.append((time.perf_counter() - t0) * 1000)
        cold.extend(per_query_cold)
        raw.extend(per_query_raw)
        ratio = statistics.median(per_query_cold) / max(statistics.median(per_query_raw), 1e-6)
        ratios.append(ratio)
        print(f"  {json.dumps(params, ensure_ascii=False):<55} total {response.json()['total']:>8,}  "
              f"API {statistics.median(per_query_cold):7.1f} ms  raw {statistics.median(per_query_raw):7.1f} ms")
    out["search_p50_ms"] = statistics.median(cold)
    out["search_p95_ms"] = _percentile(cold, 95)
    out["search_warm_p95_ms"] = _percentile(warm, 95)
    out["raw_p95_ms"] = _percentile(raw, 95)
    out["api_over_raw"] = statistics.median(ratios)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json-out", required=True)
    args = parser.parse_args()
    out: dict = {"database": connection.vendor, "rows": args.rows}

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_reference()
    out["reference_load_s"] = time.perf_counter() - started
    started = time.perf_counter()
    again = load_reference()
    out["reference_reload_s"] = time.perf_counter() - started
    print(f"reference data loaded in {out['reference_load_s']:.2f} s; loading it again took "
          f"{out['reference_reload_s']:.2f} s and changed {again.standards.created + again.standards.updated} standards")

    _fill(args, out)
    if connection.vendor == "postgresql":
        # Steady state, as autovacuum leaves it: the visibility map lets counts use index-only scans.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE catalogue_standard")
            cur.execute("VACUUM ANALYZE catalogue_standard_ics_codes")
            cur.execute("VACUUM ANALYZE catalogue_standard_sectors")
    out["total_rows"] = Standard.objects.count()

    _measure_search(out)
    print(f"search through the API: p50 {out['search_p50_ms']:.1f} ms, p95 {out['search_p95_ms']:.1f} ms "
          f"(counts not cached); warm p95 {out['search_warm_p95_ms']:.1f} ms; raw query p95 {out['raw_p95_ms']:.1f} ms; "
          f"API/raw median {out['api_over_raw']:.2f}×")
    Path(args.json_out).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
