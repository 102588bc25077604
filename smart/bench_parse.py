"""Speed and accuracy figures of the smart parser on the real corpus (``python -m smart.bench_parse``).

Prints:
* pages per second over the text PDFs of the corpus (read + clean + parse, end to end);
* the PDF library's own text extraction time (pdfplumber ``extract_text`` on every page) and our whole pipeline
  time over it;
* one ~20-page standard end to end;
* with ``--accuracy``: per document, clauses / terms / references / limits found correctly over expected
  (``smart/tests/expected``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pdfplumber

from catalogue import numbers
from smart.parser import parse_document
from smart.reader_pdf import read_pdf

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[0].parent / "shared" / "corpus" / "standards"
EXPECTED = HERE / "tests" / "expected"
SCANNED = {"GB-21900-2008.pdf"}


def _library_time(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        pages = 0
        for page in pdf.pages:
            page.extract_text()
            pages += 1
    return time.perf_counter() - start, pages


def _pipeline_time(path: Path) -> tuple[float, float, object]:
    start = time.perf_counter()
    raw = read_pdf(path)
    mid = time.perf_counter()
    doc = parse_document(raw)
    end = time.perf_counter()
    return mid - start, end - mid, doc


def speed(corpus: Path = CORPUS) -> dict:
    files = [p for p in sorted(corpus.glob("*.pdf")) if p.name not in SCANNED]
    lib_total = read_total = parse_total = 0.0
    pages = 0
    per_file = {}
    for path in files:
        lib, n = _library_time(path)
        read, parse, _doc = _pipeline_time(path)
        lib_total += lib
        read_total += read
        parse_total += parse
        pages += n
        per_file[path.name] = {"pages": n, "library_s": lib, "read_s": read, "parse_s": parse}
    target = min(files, key=lambda p: abs(per_file[p.name]["pages"] - 20))
    start = time.perf_counter()
    _pipeline_time(target)
    one = time.perf_counter() - start
    near = {}
    for path in files:
        if 15 <= per_file[path.name]["pages"] <= 25:
            t0 = time.perf_counter()
            _pipeline_time(path)
            near[path.name] = (per_file[path.name]["pages"], time.perf_counter() - t0)
    return {
        "files": len(files), "pages": pages,
        "library_extract_s": lib_total, "read_s": read_total, "parse_s": parse_total,
        "pages_per_s": pages / (read_total + parse_total),
        "pipeline_over_library": (read_total + parse_total) / lib_total,
        "parse_over_library": parse_total / lib_total,
        "one_file": target.name, "one_file_pages": per_file[target.name]["pages"], "one_file_s": one,
        "near_20_pages": near,
    }


def _score(expected: list, got: list) -> tuple[int, int, int]:
    remaining = list(got)
    hits = 0
    for item in expected:
        if item in remaining:
            remaining.remove(item)
            hits += 1
    return hits, len(expected), len(remaining)


def accuracy(corpus: Path = CORPUS) -> dict:
    table = {}
    for exp_path in sorted(EXPECTED.glob("*.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        doc = parse_document(read_pdf(corpus / exp["file"]))
        row = {}
        row["clauses"] = _score(exp["clauses"], doc.clause_numbers())
        row["terms"] = _score(exp["terms"], [{"number": t.number, "zh": t.zh, "en": t.en} for t in doc.terms])
        if numbers is not None:
            want = [n.canonical for n in (numbers.try_parse_number(r.strip())
                                          for r in exp["references"]) if n is not None]
            row["references"] = _score(want, [r.number for r in doc.references if r.parsed])
        got_limits = []
        for limit in doc.limits:
            if limit.condition.get("table") != exp["limits_table"]:
                continue
            item = {"parameter": limit.parameter, "comparator": limit.comparator, "value": limit.value, "unit": limit.unit}
            for key in ("column", "source"):
                if key in limit.condition:
                    item[key] = limit.condition[key]
            got_limits.append(item)
        row["limits"] = _score(exp["limits"], got_limits)
        meta = exp["metadata"]
        keys = ["title_zh", "title_en", "ics", "ccs", "published", "implemented", "issued_by"]
        row["metadata"] = (sum(1 for k in keys if getattr(doc.metadata, k) == meta[k]), len(keys), 0)
        table[exp["file"]] = row
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="smart parser speed (and accuracy) on the standards corpus")
    parser.add_argument("--accuracy", action="store_true", help="also print accuracy against the expected files")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}")
        return 1
    s = speed(args.corpus)
    print(f"smart: {s['files']} text PDFs, {s['pages']} pages")
    print(f"  pages per second (read + parse, end to end): {s['pages_per_s']:.1f}")
    print(f"  pdfplumber extract_text alone: {s['library_extract_s']:.2f} s; "
          f"our read {s['read_s']:.2f} s + parse {s['parse_s']:.2f} s")
    print(f"  pipeline / library extraction: {s['pipeline_over_library']:.2f}× "
          f"(parser alone: {s['parse_over_library']:.2f}×)")
    print(f"  one standard end to end: {s['one_file']} ({s['one_file_pages']} pages) {s['one_file_s']:.2f} s")
    for name, (pages, seconds) in sorted(s["near_20_pages"].items()):
        print(f"    {name:<22} {pages:>2} pages  {seconds:.2f} s")
    if args.accuracy:
        print("\naccuracy (found correctly / expected, +extra)")
        for name, row in accuracy(args.corpus).items():
            cells = []
            for key in ("metadata", "clauses", "terms", "references", "limits"):
                if key in row:
                    hit, total, extra = row[key]
                    cells.append(f"{key} {hit}/{total}" + (f" +{extra}" if extra else ""))
            print(f"  {name:<22} " + "; ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
