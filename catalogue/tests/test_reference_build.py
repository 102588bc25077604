"""The reference fixtures are what reference_build makes from ../shared/data, and they hold together."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.reference_build import CORPUS_SOURCE, STANDARD_FIELDS, build_reference

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO.parent / "shared" / "data"
CORPUS = REPO.parent / "shared" / "corpus" / "standards"
FIXTURES = REPO / "catalogue" / "reference_data"
JSON_FILES = ("ics.json", "ccs.json", "divisions.json", "hs.json", "hs_sections.json", "standards.json")
LICENCE_FILES = (
    "LICENSE-ics.txt", "LICENSE-ccs.txt", "LICENSE-divisions.txt", "LICENSE-relaton.txt",
    "LICENSE-arch-standards-index.md",
)
GUANGDONG_CITIES = {
    "440100", "440200", "440300", "440400", "440500", "440600", "440700", "440800", "440900", "441200", "441300",
    "441400", "441500", "441600", "441700", "441800", "441900", "442000", "445100", "445200", "445300",
}
SECTOR_SLUGS = {
    "agriculture", "industry", "services", "social", "electronics", "green-petrochemicals", "smart-appliances",
    "automotive", "advanced-materials", "light-industry-textiles", "software", "uhd-display", "biomedicine",
    "agriculture-food", "semiconductors", "high-end-equipment", "robotics", "blockchain-quantum", "frontier-materials",
    "new-energy", "laser-additive", "digital-creative", "safety-environment", "precision-instruments",
}
needs_source = pytest.mark.skipif(not SOURCE.exists(), reason="../shared/data is not here")


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not SOURCE.exists():
        pytest.skip("../shared/data is not here")
    out = tmp_path_factory.mktemp("reference")
    return out, build_reference(SOURCE, out)


@needs_source
def test_build_reproduces_the_committed_files(built):
    out, counts = built
    assert set(counts) == set(JSON_FILES)
    for name in JSON_FILES + LICENCE_FILES:
        assert (out / name).read_bytes() == (FIXTURES / name).read_bytes(), f"{name} differs: rebuild the fixtures"
    for name, n in counts.items():
        assert len(load(name)) == n


@needs_source
def test_build_is_deterministic(built, tmp_path):
    out, counts = built
    assert build_reference(SOURCE, tmp_path) == counts
    for name in JSON_FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_files_are_compact_json_lists_one_object_a_line():
    for name in JSON_FILES:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        lines = text.splitlines()
        assert lines[0] == "[" and lines[-1] == "]" and text.endswith("]\n")
        assert all(line.startswith("{") and line.rstrip(",").endswith("}") for line in lines[1:-1]), name
        assert "\\u" not in text, f"{name}: written with ensure_ascii"
    total = sum(p.stat().st_size for p in FIXTURES.iterdir())
    assert total < 3_000_000


def test_ics():
    ics = load("ics.json")
    assert len(ics) == 1381
    assert [sum(r["level"] == n for r in ics) for n in (1, 2, 3)] == [40, 401, 940]
    assert not any("  " in r["title_en"] or "  " in r["notes"] for r in ics)
    assert all(set(r) == {"code", "level", "parent", "title_en", "notes"} for r in ics)


def test_ccs_counts_and_documented_fixes():
    ccs = load("ccs.json")
    assert [sum(r["level"] == n for r in ccs) for n in (1, 2, 3)] == [24, 225, 1608]
    by_code = {r["code"]: r for r in ccs}
    assert "FF2" not in by_code and by_code["K22"] == {
        "code": "K22", "level": 3, "parent": "K20/29", "title_zh": "异步电机", "notes": ""}
    assert by_code["D23"]["title_zh"] == "电站工业锅炉用煤"
    assert by_code["W58"]["title_zh"] == "线、带、绳"
    letters = {r["code"] for r in ccs if r["level"] == 1}
    assert letters == set("ABCDEFGHJKLMNPQRSTUVWXYZ")
    for r in ccs:
        if r["level"] == 2:
            assert re.fullmatch(r"[A-Z]\d\d/\d\d", r["code"]) and r["parent"] == r["code"][0]
        if r["level"] == 3:
            assert re.fullmatch(r"[A-Z]\d\d", r["code"]) and r["parent"][0] == r["code"][0]


def test_every_parent_exists_and_sits_one_level_up():
    order = {"province": 1, "prefecture": 2, "county": 3, "township": 4}
    for name in ("ics.json", "ccs.json", "divisions.json", "hs.json"):
        rows = load(name)
        by_code = {r["code"]: r for r in rows}
        assert len(by_code) == len(rows), f"{name}: duplicate codes"
        for r in rows:
            if r["parent"] is None:
                continue
            parent = by_code.get(r["parent"])
            assert parent is not None, f"{name}: {r['code']} has no parent {r['parent']}"
            level, up = order.get(r["level"], r["level"]), order.get(parent["level"], parent["level"])
            assert up < level, f"{name}: {r['code']} under {parent['code']}"


def test_divisions():
    divisions = load("divisions.json")
    by_code = {r["code"]: r for r in divisions}
    assert all(re.fullmatch(r"\d{6}|\d{9}", c) for c in by_code)
    cities = {r["code"] for r in divisions if r["parent"] == "440000" and r["level"] == "prefecture"}
    assert cities == GUANGDONG_CITIES
    assert by_code["440100"]["name"] == "广州市" and by_code["441900"]["name"] == "东莞市"
    assert not [r for r in divisions if r["level"] == "county" and r["parent"] in ("441900", "442000")]
    for city in ("441900", "442000"):
        assert sum(r["parent"] == city and r["level"] == "township" for r in divisions) > 20
    assert sum(r["level"] == "township" for r in divisions) == 1761
    assert all(r["code"].startswith("44") for r in divisions if r["level"] == "township")
    assert by_code["110101"] == {"code": "110101", "name": "东城区", "level": "county", "parent": "110000"}
    assert by_code["419001"]["parent"] == "410000"  # 济源: a county-level city under the province
    for code, name in (("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区")):
        assert by_code[code] == {"code": code, "name": name, "level": "province", "parent": None}
    assert not any(c.startswith(("83", "8101", "8201")) for c in by_code)  # upstream's own, not GB/T 2260
    assert sum(r["level"] == "province" for r in divisions) == 34


def test_hs():
    hs = load("hs.json")
    codes = {r["code"] for r in hs}
    assert [sum(r["level"] == n for r in hs) for n in (2, 4, 6)] == [97 - 1, 1229 - 1, 5613 - 1]
    assert not codes & {"TOTAL", "99", "9999", "999999"}
    assert all(re.fullmatch(r"\d{2}|\d{4}|\d{6}", c) for c in codes)
    sections = load("hs_sections.json")
    assert len(sections) == 21 and sections[0] == {"section": "I", "name": "Live animals; animal products"}
    assert {r["section"] for r in hs} == {s["section"] for s in sections}
    assert all(r["parent"] is None for r in hs if r["level"] == 2)


def test_standard_records_have_the_importer_shape():
    records = load("standards.json")
    assert [r["source"] for r in records].count("arch_standards_index") == 83
    assert [r["source"] for r in records].count("relaton_gb_examples") == 5
    ics = {r["code"] for r in load("ics.json")}
    ccs = {r["code"] for r in load("ccs.json")}
    regions = {r["code"] for r in load("divisions.json")}
    assert len({r["number"] for r in records}) == len(records)
    for r in records:
        assert tuple(r) == STANDARD_FIELDS
        assert r["number"] == r["number"].strip() and r["title_zh"]
        assert r["status"] in ("current", "upcoming", "withdrawn", "replaced", None)
        for field in ("published_on", "implemented_on", "withdrawn_on"):
            assert r[field] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", r[field]), (r["number"], field)
        assert set(r["ics_codes"]) <= ics, r["number"]
        assert r["ccs_code"] is None or r["ccs_code"] in ccs, r["number"]
        assert r["region_code"] is None or r["region_code"] in regions
        assert r["adoption_degree"] in ("IDT", "MOD", "NEQ", None)
        assert set(r["sectors"]) <= SECTOR_SLUGS, r["number"]
        for field in ("ics_codes", "drafting_organisations", "replaces", "sectors"):
            assert isinstance(r[field], list)
    numbers = {r["number"] for r in records}
    assert {"GB 50016-2014(2018年版)", "GB/T 5606 (all parts)", "T/GZAEPI 001—2018", "JB/T 13368-2018"} <= numbers


def test_corpus_records_name_19_pdfs_of_the_corpus():
    """The catalogue's corpus records were read from the covers of the first 19 files; the corpus has grown since
    (scans and a garbled text layer among the newcomers), and every record still names a file that is there."""
    source = json.loads(CORPUS_SOURCE.read_text(encoding="utf-8"))
    files = sorted(Path(item["file"]).name for item in source)
    assert len(files) == 19 == len(set(files))
    if CORPUS.exists():
        assert set(files) <= {p.name for p in CORPUS.glob("*.pdf")}
    corpus = [r for r in load("standards.json") if r["source"] == "corpus_standards"]
    file_of = {item["number"]: Path(item["file"]).name for item in json.loads(
        (Path(__file__).resolve().parents[1] / "reference_data" / "corpus_standards_source.json").read_text("utf-8"))}
    assert sorted(file_of[r["number"]] for r in corpus) == files
    assert all(r["source_url"] is None for r in corpus)  # a mirror, not an official source: no link
    for r in corpus:
        assert r["title_en"] and r["published_on"] and r["implemented_on"] and r["issuing_authority"], r["number"]
        assert r["published_on"] <= r["implemented_on"]
        assert r["sectors"][0] == "safety-environment"
        assert (r["region_code"] == "440000") == r["number"].startswith(("DB44", "DB 44"))
        # The file name spells the number: DB-44-613-2009.pdf is DB44 /613—2009.
        digits = re.findall(r"\d+", r["number"])
        assert re.findall(r"\d+", file_of[r["number"]]) == digits
    by_number = {r["number"]: r for r in corpus}
    assert by_number["GB 21900—2008"]["ics_codes"] == ["13.060.30"]  # read from the scanned cover
    assert by_number["HJ 9—2022"]["replaces"] == ["HJ/T 9—95"]
    assert by_number["DB44 /613—2009"]["sectors"] == ["safety-environment", "agriculture"]


def test_builder_imports_without_django():
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import catalogue.reference_build; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
