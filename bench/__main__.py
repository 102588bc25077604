"""Run every benchmark on SQLite and (when reachable) PostgreSQL, each in its own process, and print the figures."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/yuebiao_bench"


def _pg_reachable(url: str) -> bool:
    try:
        import psycopg

        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            name = url.rsplit("/", 1)[1]
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means: skip PostgreSQL, and say why
        print(f"PostgreSQL not reachable ({exc}); skipping it", file=sys.stderr)
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description="粤标 benchmarks")
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", "1000000")))
    parser.add_argument("--only", choices=["sqlite", "postgresql", "smart"], default=None)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    targets = []
    if args.only in (None, "sqlite"):
        targets.append(("sqlite", f"sqlite:///{OUT / 'bench.sqlite3'}"))
    if args.only in (None, "postgresql") and _pg_reachable(args.pg_url):
        targets.append(("postgresql", args.pg_url))
    results = {}
    if args.only in (None, "smart"):
        print("\n=== machine-readable standards: parsing the corpus PDFs ===", flush=True)
        subprocess.run([sys.executable, "-m", "smart.bench_parse"], cwd=HERE.parent, check=False)
        if args.only == "smart":
            return 0
    for name, url in targets:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "yuebiao.settings"}
        print(f"\n=== {name}: {args.rows:,} catalogue rows ===", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "bench.catalogue_bench", "--rows", str(args.rows), "--json-out",
             str(OUT / f"catalogue-{name}.json")],
            env=env, cwd=HERE.parent,
        )
        if proc.returncode:
            print(f"{name}: benchmark failed (exit {proc.returncode})", file=sys.stderr)
            return proc.returncode
        results[name] = json.loads((OUT / f"catalogue-{name}.json").read_text())
    print("\n=== summary ===")
    for name, r in results.items():
        print(f"{name:<11} search p50 {r['search_p50_ms']:.1f} ms, p95 {r['search_p95_ms']:.1f} ms "
              f"(cold counts; warm p95 {r['search_warm_p95_ms']:.1f} ms); API/raw {r['api_over_raw']:.2f}×; "
              f"import {r['import_rows_per_s']:,.0f} rows/s; bulk write {r['bulk_rows_per_s']:,.0f} rows/s; "
              f"reference load {r['reference_load_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
