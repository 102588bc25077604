"""The real test: DB44/ 2159—2019 against GB 26453—2011, and an electroplating pair whose B is a scan.

Reads PDFs through smart.documents (no Django needed); skipped when the shared corpus is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from compare import cli
from compare.limits import compare_limits, parameter_key

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "standards"
EXPECTED = Path(__file__).parent / "expected" / "glass.json"

pytestmark = pytest.mark.skipif(not (CORPUS / "DB-44-2159-2019.pdf").exists(), reason="shared corpus not present")


@pytest.fixture(scope="module")
def glass():
    from smart.documents import read_standard_file

    return read_standard_file(CORPUS / "DB-44-2159-2019.pdf"), read_standard_file(CORPUS / "GB-26453-2011.pdf")


def _value(text):
    m = re.search(r"[\d.]+", text or "")
    return float(m.group(0)) if m else None


def _key_of(pair, processes):
    label = pair.condition_a or pair.condition_b or ""
    parts = label.split(" / ")
    table_a = parts[0][1:] if pair.condition_a else None
    table_b = pair.condition_b.split(" / ")[0][1:] if pair.condition_b else None
    matching = [p for p in processes if all(piece in parts for piece in p.split(" / "))]
    if "电子玻璃" not in parts:
        matching = [p for p in matching if "电子玻璃" not in p]
    process = max(matching, key=len) if matching else ("无组织排放监控点" if "监控点" in label else label)
    return parameter_key(pair.parameter)[0], process, table_a, table_b


def score(pairs, expected):
    processes = {e["process"] for e in expected}
    want = {(parameter_key(e["parameter"])[0], e["process"], e["a_table"], e["b_table"]):
            (e["verdict"], _value(e["a"]), _value(e["b"])) for e in expected}
    got = {}
    for p in pairs:
        got[_key_of(p, processes)] = (p.verdict, _value(p.a), _value(p.b))
    assert len(got) == len(pairs), "two pairs fell on one key: the scoring would hide one"
    correct = sum(1 for k, v in got.items() if want.get(k) == v)
    return correct / len(got) if got else 0.0, correct / len(want), got, want


def test_glass_limit_verdicts_against_the_hand_read_table(glass):
    a, b = glass
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))["pairs"]
    pairs = compare_limits(a.limits, b.limits, a.metadata.title_zh, b.metadata.title_zh)
    precision, recall, got, want = score(pairs, expected)
    print(f"\nglass limits: {len(got)} produced, {len(want)} expected, precision {precision:.3f}, recall {recall:.3f}")
    for k in sorted(set(got) ^ set(want), key=str):
        print("  differs:", k, got.get(k), want.get(k))
    assert not [p for p in pairs if p.verdict == "looser"]  # DB44/ 2159 is stricter or equal everywhere it overlaps
    assert precision >= 0.9 and recall >= 0.9


def test_glass_full_report_flags_nothing_unlawful(glass):
    from compare.report import compare_documents

    report = compare_documents(*glass)
    assert report["a_is_local_mandatory"] is True
    assert report["unlawful"] == []
    assert report["alignment"]["summary"]["mean_score"] > 0.5
    json.dumps(report, ensure_ascii=False)


def test_electroplating_scan_gives_cannot_read_b_and_no_verdicts(capsys):
    code = cli.main([str(CORPUS / "DB-44-1597-2015.pdf"), str(CORPUS / "GB-21900-2008.pdf"), "--format", "json"])
    out = capsys.readouterr()
    assert code == cli.EXIT_UNREADABLE
    report = json.loads(out.out)
    assert "limits" not in report and report["status"] == "unreadable" and set(report["unreadable"]) == {"b"}
    assert "无法读取 B（GB-21900-2008.pdf）" in out.err and "OCR" in out.err


def test_glass_clause_pairs_against_the_hand_read_pairs(glass):
    from compare.align import align

    gold = json.loads((EXPECTED.parent / "glass_clauses.json").read_text(encoding="utf-8"))
    want = {tuple(p) for p in gold["pairs"]}
    result = align(*glass)
    got = {(p.a, p.b) for p in result.pairs}
    precision, recall = len(got & want) / len(got), len(got & want) / len(want)
    print(f"\nglass clauses: {len(got)} pairs, {len(want)} expected, precision {precision:.3f}, recall {recall:.3f}, "
          f"mean score {result.summary()['mean_score']:.3f}")
    print("  wrong:", sorted(got - want), " missed:", sorted(want - got))
    assert precision >= 0.9 and recall >= 0.9
