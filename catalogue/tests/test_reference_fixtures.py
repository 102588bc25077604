"""The shipped reference fixtures are exactly what the builder makes from the real data, and hold together."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.numbers import parse_number
from catalogue.reference_build import build_reference

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO.parent / "shared" / "data"
FIXTURES = REPO / "catalogue" / "reference_data"


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_fixtures_are_rebuilt_identically(tmp_path):
    if not SOURCE.exists():
        pytest.skip("../shared/data is not here")
    counts = build_reference(SOURCE, tmp_path)
    for name in counts:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), f"{name}: rebuild the fixtures"


def test_counts_and_documented_fixes():
    ccs = load("ccs.json")
    assert [sum(1 for r in ccs if r["level"] == n) for n in (1, 2, 3)] == [24, 225, 1608]
    codes = {r["code"] for r in ccs}
    assert "K22" in codes and "FF2" not in codes
    assert len(load("ics.json")) == 1381
    hs = load("hs.json")
    assert "TOTAL" not in {r["code"] for r in hs}
    assert sum(1 for r in hs if r["level"] == 2) >= 96


def test_every_parent_exists():
    for name in ("ics.json", "ccs.json", "divisions.json", "hs.json"):
        rows = load(name)
        codes = {r["code"] for r in rows}
        orphans = [r["code"] for r in rows if r["parent"] and r["parent"] not in codes]
        assert orphans == [], name


def test_guangdong_cities():
    divisions = load("divisions.json")
    cities = {r["code"] for r in divisions if r["parent"] == "440000" and r["level"] == "prefecture"}
    assert len(cities) == 21
    counties = [r for r in divisions if r["level"] == "county" and r["parent"] in ("441900", "442000")]
    assert counties == []
    towns = [r for r in divisions if r["level"] == "township" and r["parent"] == "441900"]
    assert len(towns) > 20
    assert {"810000", "820000"} <= {r["code"] for r in divisions}


def test_standard_records_parse_and_cover_the_corpus():
    records = load("standards.json")
    for r in records:
        parse_number(r["number"])
        for n in r["replaces"]:
            parse_number(n)
    corpus = {r["number"] for r in records if r["source"] == "corpus_standards"}
    assert len(corpus) == 19


def test_builder_is_pure():
    code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); import catalogue.reference_build; "
            "assert not any(m.startswith('django') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
