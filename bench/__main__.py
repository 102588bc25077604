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


def _scratch_url(url: str, part: str, *, fresh: bool = False) -> str | None:
    """A database of the bench part's own beside `url` (bench/out/<part>.sqlite3, or <name>_<part> on PostgreSQL);
    `fresh` starts it from nothing. None: PostgreSQL is not reachable."""
    if url.startswith("sqlite"):
        path = OUT / f"{part}.sqlite3"
        if fresh:
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    scratch = f"{url}_{part}"
    return scratch if (_fresh_pg(scratch) if fresh else _pg_reachable(scratch)) else None


def _run_lifecycle(name: str, url: str, args) -> dict | None:
    """The lifecycle bench in its own database (the trail bench empties trail_event in the shared one)."""
    url = _scratch_url(url, "lifecycle")
    if url is None:
        return None
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "yuebiao.settings"}
    print(f"\n=== {name}: cycle-time dashboard on {args.lifecycle_projects:,} projects, "
          f"{args.lifecycle_events:,} trail events ===", flush=True)
    out = OUT / f"lifecycle-{name}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.lifecycle_bench", "--projects", str(args.lifecycle_projects), "--events",
         str(args.lifecycle_events), "--json-out", str(out)],
        env=env, cwd=HERE.parent,
    )
    if proc.returncode:
        print(f"{name}: lifecycle benchmark failed (exit {proc.returncode})", file=sys.stderr)
        return None
    return json.loads(out.read_text())


def _run_compare_align(args) -> dict | None:
    """Clause alignment needs no database: measured once, in a process of its own (jieba's load included)."""
    print("\n=== comparison: clause alignment of generated documents ===", flush=True)
    out = OUT / "compare-align.json"
    proc = subprocess.run([sys.executable, "-m", "bench.compare_bench", "--part", "align", "--json-out", str(out)],
                          cwd=HERE.parent)
    if proc.returncode:
        print(f"comparison alignment benchmark failed (exit {proc.returncode})", file=sys.stderr)
        return None
    return json.loads(out.read_text())


def _run_smart_accuracy() -> dict | None:
    """The parser against expected files read by hand (no database): unseen documents and the older baseline."""
    print("\n=== machine-readable standards: accuracy against expected files read by hand ===", flush=True)
    out = OUT / "smart-accuracy.json"
    proc = subprocess.run([sys.executable, "-m", "bench.smart_accuracy_bench", "--json-out", str(out)],
                          cwd=HERE.parent)
    if proc.returncode:
        print(f"smart accuracy benchmark failed (exit {proc.returncode})", file=sys.stderr)
        return None
    return json.loads(out.read_text())


def _run_compare(name: str, url: str, args) -> dict | None:
    """Counterparts in a database of their own: the bench empties the catalogue there to hold exactly N standards."""
    url = _scratch_url(url, "compare")
    if url is None:
        return None
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "yuebiao.settings"}
    print(f"\n=== {name}: counterparts of one standard among {args.compare_sizes} catalogue standards ===", flush=True)
    out = OUT / f"compare-{name}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.compare_bench", "--part", "counterparts", "--sizes", args.compare_sizes,
         "--json-out", str(out)],
        env=env, cwd=HERE.parent,
    )
    if proc.returncode:
        print(f"{name}: counterparts benchmark failed (exit {proc.returncode})", file=sys.stderr)
        return None
    return json.loads(out.read_text())


def _fresh_pg(url: str) -> bool:
    """Drop and recreate the database of `url`, so that a bench starts from nothing (False: not reachable)."""
    try:
        import psycopg

        admin, name = url.rsplit("/", 1)[0] + "/postgres", url.rsplit("/", 1)[1]
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means: skip PostgreSQL, and say why
        print(f"PostgreSQL not reachable ({exc}); skipping it", file=sys.stderr)
        return False


def _run_hardening(name: str, url: str, args) -> dict | None:
    """The attacks of issue 10 against the demo, in a scratch database made afresh (sign-in locks, proposals and
    trail tampering would otherwise carry over from the last run)."""
    url = _scratch_url(url, "hardening", fresh=True)
    if url is None:
        return None
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "yuebiao.settings"}
    print(f"\n=== {name}: the attacks of issue 10 against the demo ===", flush=True)
    out = OUT / f"hardening-{name}.json"
    out.unlink(missing_ok=True)  # a run that crashes (exit 1, like a failed attack) must not pass off the last file
    # Not `-m bench.hardening_bench`: each document parse worker would import the main module again (Django and
    # all) and the hostile-document timings would measure that, not the platform.
    proc = subprocess.run([sys.executable, "-c", "import sys; from bench.hardening_bench import main; sys.exit(main())",
                           "--json-out", str(out)], env=env, cwd=HERE.parent)
    if not out.exists() or proc.returncode not in (0, 1):
        print(f"{name}: hardening benchmark failed (exit {proc.returncode})", file=sys.stderr)
        return None
    if proc.returncode:
        print(f"{name}: an attack of issue 10 succeeded again (see the table above)", file=sys.stderr)
    return json.loads(out.read_text())


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="粤标 benchmarks")
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", "1000000")))
    parser.add_argument("--only", choices=["sqlite", "postgresql", "smart", "smart-accuracy", "trail", "lifecycle",
                                           "compare", "hardening"], default=None)
    parser.add_argument("--trail-events", type=int, default=int(os.environ.get("BENCH_TRAIL_EVENTS", "2000000")))
    parser.add_argument("--trail-subjects", type=int, default=int(os.environ.get("BENCH_TRAIL_SUBJECTS", "100000")))
    parser.add_argument("--lifecycle-projects", type=int,
                        default=int(os.environ.get("BENCH_LIFECYCLE_PROJECTS", "100000")))
    parser.add_argument("--lifecycle-events", type=int,
                        default=int(os.environ.get("BENCH_LIFECYCLE_EVENTS", "2000000")))
    parser.add_argument("--compare-sizes", default=os.environ.get("BENCH_COMPARE_SIZES", "1000,10000"),
                        help="catalogue sizes for the counterparts figures, comma-separated")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    return parser.parse_args()


def _run_catalogue_and_trail(name: str, url: str, args, figures: dict[str, dict]) -> int:
    """The catalogue bench (unless only the trail is asked for), then the trail bench; an exit code."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "yuebiao.settings"}
    if args.only != "trail":
        print(f"\n=== {name}: {args.rows:,} catalogue rows ===", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "bench.catalogue_bench", "--rows", str(args.rows), "--json-out",
             str(OUT / f"catalogue-{name}.json")],
            env=env, cwd=HERE.parent,
        )
        if proc.returncode:
            print(f"{name}: benchmark failed (exit {proc.returncode})", file=sys.stderr)
            return proc.returncode
        figures["catalogue"][name] = json.loads((OUT / f"catalogue-{name}.json").read_text())
    print(f"\n=== {name}: {args.trail_events:,} trail events in {args.trail_subjects:,} chains ===", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.trail_bench", "--events", str(args.trail_events), "--subjects",
         str(args.trail_subjects), "--json-out", str(OUT / f"trail-{name}.json")],
        env=env, cwd=HERE.parent,
    )
    if proc.returncode:
        print(f"{name}: trail benchmark failed (exit {proc.returncode})", file=sys.stderr)
        return proc.returncode
    figures["trail"][name] = json.loads((OUT / f"trail-{name}.json").read_text())
    return 0


_SCRATCH_BENCHES = {"lifecycle": _run_lifecycle, "compare": _run_compare, "hardening": _run_hardening}


def _run_database(name: str, url: str, args, figures: dict[str, dict]) -> int:
    """Every bench asked for on one database; an exit code."""
    if args.only in _SCRATCH_BENCHES:
        if (r := _SCRATCH_BENCHES[args.only](name, url, args)) is None:
            return 1
        figures[args.only][name] = r
        return 0
    code = _run_catalogue_and_trail(name, url, args, figures)
    if code:
        return code
    if args.only is None or args.only == name:
        for part, run in _SCRATCH_BENCHES.items():
            if (r := run(name, url, args)) is None:
                return 1
            figures[part][name] = r
    return 0


def _print_summary(figures: dict[str, dict], compare_align: dict | None) -> None:
    print("\n=== summary ===")
    for name, r in figures["catalogue"].items():
        print(f"{name:<11} search p50 {r['search_p50_ms']:.1f} ms, p95 {r['search_p95_ms']:.1f} ms "
              f"(cold counts; warm p95 {r['search_warm_p95_ms']:.1f} ms); API/raw {r['api_over_raw']:.2f}×; "
              f"import {r['import_rows_per_s']:,.0f} rows/s; bulk write {r['bulk_rows_per_s']:,.0f} rows/s; "
              f"reference load {r['reference_load_s']:.1f} s")
    for name, r in figures["trail"].items():
        print(f"{name:<11} trail verify {r['verify_events_per_s']:,.0f} events/s ({r['events']:,} events, "
              f"{r['subjects']:,} chains); export {r['export_events_per_s']:,.0f} events/s; offline check "
              f"{r['offline_events_per_s']:,.0f} events/s; anchor {r['anchor_s']:.1f} s; record() {r['record_ms']:.2f} ms")
    for name, r in figures["lifecycle"].items():
        page = r["project_page"]
        print(f"{name:<11} cycle-time dashboard ({r['projects']:,} projects) uncached p95 "
              f"{r['dashboard_uncached']['p95_ms']:.0f} ms, after a change p95 {r['dashboard_after_change']['p95_ms']:.0f} ms, "
              f"cached p95 {r['dashboard_cached']['p95_ms']:.0f} ms; export {r['export_s']:.1f} s; project page "
              f"({page['events']} events) median {page['median_ms']:.0f} ms"
              + (f", {page['queries']} queries" if "queries" in page else " (timeline only)"))
    if compare_align:
        a300 = compare_align["align_300"]
        print(f"{'compare':<11} align {a300['clauses_a']}×{a300['clauses_b']} clauses median "
              f"{a300['median_s']:.2f} s (target ≤ 1 s; jieba load {compare_align['jieba_load_s']:.1f} s once); "
              f"growth exponent {compare_align['growth_exponent']:.2f} (×{compare_align['per_doubling']:.2f} per "
              f"doubling; " + ", ".join(f"{g['n']:,}: {g['median_s']:.2f} s" for g in compare_align["growth"]) + ")")
    for name, r in figures["compare"].items():
        print(f"{name:<11} counterparts: " + "; ".join(
            f"{e['standards']:,} standards median {e['warm_median_s']:.2f} s (cold ≤ {e['cold_max_s']:.2f} s)"
            for e in r["sizes"]) + " (target ≤ 10 s for 1,000)")
    for name, r in figures["hardening"].items():
        outcomes = [outcome for _, outcome, _ in r["table"]]
        failed = [attack for attack, outcome, _ in r["table"] if outcome == "FAILED"]
        print(f"{name:<11} hardening (issue 10): {outcomes.count('held')} of {len(outcomes)} attacks held, "
              f"{len(outcomes) - outcomes.count('held') - len(failed)} known limit, {len(failed)} failed "
              f"(demo built in {sum(r['build_s'].values()):.0f} s, attacks {r['total_s'] - sum(r['build_s'].values()):.0f} s)"
              + (f"; FAILED: {'; '.join(failed)}" if failed else ""))


def _print_smart_accuracy(result: dict | None) -> None:
    for name, r in (result or {}).items():
        print(f"{'smart':<11} accuracy on {len(r['documents'])} {name} documents (precision/recall): " + "; ".join(
            f"{cat} {f['precision'] or 0:.2f}/{f['recall'] or 0:.2f}" for cat, f in r["figures"].items()))


def main() -> int:
    args = _arguments()
    OUT.mkdir(exist_ok=True)
    targets = []
    if args.only in (None, "sqlite", "trail", "lifecycle", "compare", "hardening"):
        targets.append(("sqlite", f"sqlite:///{OUT / 'bench.sqlite3'}"))
    if args.only in (None, "postgresql", "trail", "lifecycle", "compare", "hardening") and _pg_reachable(args.pg_url):
        targets.append(("postgresql", args.pg_url))
    figures: dict[str, dict] = {part: {} for part in ("catalogue", "trail", "lifecycle", "compare", "hardening")}
    compare_align = smart_accuracy = None
    if args.only in (None, "smart"):
        print("\n=== machine-readable standards: parsing the corpus PDFs ===", flush=True)
        subprocess.run([sys.executable, "-m", "smart.bench_parse"], cwd=HERE.parent, check=False)
        if args.only == "smart":
            return 0
    if args.only in (None, "smart-accuracy"):
        smart_accuracy = _run_smart_accuracy()
        if args.only == "smart-accuracy":
            return 0 if smart_accuracy is not None else 1
    if args.only in (None, "compare"):
        if (compare_align := _run_compare_align(args)) is None:
            return 1
    for name, url in targets:
        code = _run_database(name, url, args, figures)
        if code:
            return code
    _print_summary(figures, compare_align)
    _print_smart_accuracy(smart_accuracy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
