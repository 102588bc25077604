"""Accuracy of the standard parser on documents read by hand (``python -m bench --only smart-accuracy``).

Each PDF named by an expected file is read through the platform's own entry (``smart.documents.read_standard``,
what an upload goes through, without the worker sandbox) and scored with ``smart.accuracy``:

* ``smart/tests/expected_unseen/`` — expected files written by hand from the rendered pages before the parser
  ever ran on those documents: the honest figure;
* ``smart/tests/expected/`` — the older files, reviewed from the parser's output: the "do not get worse" baseline.

Prints precision and recall per category, per document and in total; ``--json-out`` writes them (and, per
document, the limit rows that went wrong) as JSON; ``--details`` prints those rows too.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from smart import accuracy
from smart.documents import read_standard_file

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "standards"
SETS = {"unseen": REPO / "smart" / "tests" / "expected_unseen", "baseline": REPO / "smart" / "tests" / "expected"}


def _fmt(value: float | None) -> str:
    return "  —  " if value is None else f"{value:5.3f}"


def _cell(c: dict[str, int] | None) -> str:
    if c is None:
        return f"{'n/a':>17}"
    p, r = accuracy.precision_recall(c)
    return f"{_fmt(p)}/{_fmt(r)} {c['tp']:>4}"


def score_set(folder: Path, corpus: Path) -> dict:
    """Every expected file of `folder` against the parser's reading of its PDF."""
    documents, total = {}, {}
    for path in sorted(folder.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        start = time.perf_counter()
        try:
            doc = read_standard_file(corpus / expected["file"]).to_dict()
        except Exception as exc:  # noqa: BLE001 - a document the parser refuses scores zero, and says why
            doc, error = {}, f"{type(exc).__name__}: {exc}"
        else:
            error = None
        counts = accuracy.score(expected, doc)
        accuracy.add(total, counts)
        documents[path.stem] = {
            "counts": counts, "error": error, "seconds": round(time.perf_counter() - start, 2),
            "warnings": doc.get("warnings") or [],
            "limit_mismatches": accuracy.limit_mismatches(list(expected.get("limits") or []),
                                                          list(doc.get("limits") or []))
            if "limits_table" not in expected else [],
        }
    return {"documents": documents, "total": total,
            "figures": {k: dict(zip(("precision", "recall"), accuracy.precision_recall(c), strict=True))
                        for k, c in total.items()}}


def print_set(name: str, result: dict, details: bool) -> None:
    cats = accuracy.CATEGORIES
    print(f"\n--- {name}: precision/recall tp per category ---")
    print(f"{'document':<18} " + " ".join(f"{c[:17]:>17}" for c in cats))
    for doc, r in result["documents"].items():
        print(f"{doc:<18} " + " ".join(_cell(r["counts"].get(c)) for c in cats) + (f"  ERROR {r['error']}" if r["error"] else ""))
    print(f"{'TOTAL':<18} " + " ".join(_cell(result["total"].get(c)) for c in cats))
    for c in cats:
        if c in result["total"]:
            t = result["total"][c]
            p, r = accuracy.precision_recall(t)
            print(f"  {c:<17} precision {_fmt(p)} recall {_fmt(r)}  (tp {t['tp']}, fp {t['fp']}, fn {t['fn']})")
    if details:
        for doc, r in result["documents"].items():
            for m in r["limit_mismatches"]:
                print(f"  {doc} {json.dumps(m, ensure_ascii=False)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="smart parser accuracy against expected files read by hand")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--details", action="store_true", help="print every limit row that went wrong")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    results = {}
    for name, folder in SETS.items():
        if args.set in (name, "all"):
            results[name] = score_set(folder, args.corpus)
            print_set(name, results[name], args.details)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
