"""Standard numbers (pure): every real printed form, the errors, round trips, and every number in the real data."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.numbers import StandardNumberError, find_numbers, parse_number, parse_partial, try_parse_number

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"

CASES = [
    ("GB/T 1.1—2020", "GB/T 1.1—2020", "GB/T", "national", "recommended", "1.1", "1", "2020"),
    ("GB 18918－2002", "GB 18918—2002", "GB", "national", "mandatory", "18918", None, "2002"),
    ("DB 44/765-2019", "DB44/ 765—2019", "DB44", "local", "mandatory", "765", None, "2019"),
    ("DB44/ 2367—2022", "DB44/ 2367—2022", "DB44", "local", "mandatory", "2367", None, "2022"),
    ("DB44/T 1234—2023", "DB44/T 1234—2023", "DB44/T", "local", "recommended", "1234", None, "2023"),
    ("DB4401/T 1—2020", "DB4401/T 1—2020", "DB4401/T", "local", "recommended", "1", None, "2020"),
    ("DL／T 2975—2025", "DL/T 2975—2025", "DL/T", "industry", "recommended", "2975", None, "2025"),
    ("HJ/T 364—2007", "HJ/T 364—2007", "HJ/T", "industry", "recommended", "364", None, "2007"),
    ("HJ 1259—2022", "HJ 1259—2022", "HJ", "industry", "mandatory", "1259", None, "2022"),
    ("GB/Z 43510—2023", "GB/Z 43510—2023", "GB/Z", "national", "guidance", "43510", None, "2023"),
    ("T/GZAEPI 001—2018", "T/GZAEPI 001—2018", "T/GZAEPI", "group", None, "001", None, "2018"),
    ("Q/ABC 12—2021", "Q/ABC 12—2021", "Q/ABC", "enterprise", None, "12", None, "2021"),
    ("ISO/IEC 27001:2022", "ISO/IEC 27001:2022", "ISO/IEC", "international", None, "27001", None, "2022"),
    ("ISO 16634:—", "ISO 16634:—", "ISO", "international", None, "16634", None, None),
    ("IEC 61000-4-2:2008", "IEC 61000-4-2:2008", "IEC", "international", None, "61000-4-2", "4-2", "2008"),
    ("GB/T 3102（所有部分）", "GB/T 3102（所有部分）", "GB/T", "national", "recommended", "3102", None, None),
    ("GB/T 5606 (all parts)", "GB/T 5606（所有部分）", "GB/T", "national", "recommended", "5606", None, None),
    ("GB/T 5606.1—2004", "GB/T 5606.1—2004", "GB/T", "national", "recommended", "5606.1", "1", "2004"),
    ("HJ/T 9—95", "HJ/T 9—1995", "HJ/T", "industry", "recommended", "9", None, "1995"),
    ("G B / T  1 . 1 — 2 0 2 0", "GB/T 1.1—2020", "GB/T", "national", "recommended", "1.1", "1", "2020"),
    ("D B 4 4 / T 1 2 3 4 — 2 0 2 3", "DB44/T 1234—2023", "DB44/T", "local", "recommended", "1234", None, "2023"),
    ("GB/T  1.1 -2020", "GB/T 1.1—2020", "GB/T", "national", "recommended", "1.1", "1", "2020"),
    ("gb/t 1.1-2020", "GB/T 1.1—2020", "GB/T", "national", "recommended", "1.1", "1", "2020"),
    ("DB 4426-1989", "DB44/ 26—1989", "DB44", "local", "mandatory", "26", None, "1989"),
    ("GBZ 2.1—2019", "GBZ 2.1—2019", "GBZ", "national", "mandatory", "2.1", "1", "2019"),
    ("EN 14181:2014", "EN 14181:2014", "EN", "foreign", None, "14181", None, "2014"),
]


@pytest.mark.parametrize("text, canonical, prefix, level, nature, sequence, part, year", CASES)
def test_real_forms(text, canonical, prefix, level, nature, sequence, part, year):
    n = parse_number(text)
    assert (n.canonical, n.prefix, n.level, n.nature, n.sequence, n.part, n.year) == (
        canonical, prefix, level, nature, sequence, part, year)
    assert parse_number(n.canonical) == n


def test_iso_year_after_a_dash_is_the_year():
    assert parse_number("ISO 9001-2015").canonical == "ISO 9001:2015"
    assert parse_number("ISO 80000-1:2009").part == "1"


def test_edition_is_kept_apart():
    n = parse_number("GB 50016-2014(2018年版)")
    assert n.canonical == "GB 50016—2014" and n.edition == "2018年版"


def test_region_codes():
    assert parse_number("DB44/T 1—2020").region_code == "440000"
    assert parse_number("DB4401/T 1—2020").region_code == "440100"
    assert parse_number("GB/T 1—2020").region_code is None


@pytest.mark.parametrize(
    "text, problem",
    [("", "为空"), ("ABC", "缺少顺序号"), ("GB/T", "缺少顺序号"), ("GB/T 1.1—20200", "年代号"), ("陶瓷", "没有数字"),
     ("GB/T 1.1—2020—2021", "格式"), ("XYZ 12—2020", "未知的标准代号"), ("ISO 9001—2015", "冒号"), ("2020", "代号")],
)
def test_errors_name_the_problem(text, problem):
    with pytest.raises(StandardNumberError) as err:
        parse_number(text)
    assert problem in str(err.value)
    assert err.value.text == text


def test_partial_numbers_for_the_search_box():
    assert parse_partial("DB44/T 1") == ("DB44/T", "1", None)
    assert parse_partial("2367") == (None, "2367", None)
    assert parse_partial("gb/t") == ("GB/T", None, None)
    assert parse_partial("hj 364-2022") == ("HJ", "364", "2022")
    assert parse_partial("DB44") == ("DB44", None, None)
    for words in ("陶瓷", "lithium", "ceramic tiles", "5G 基站", "PM2.5"):
        assert parse_partial(words) == (None, None, None)


def test_find_numbers_in_free_text():
    text = "废止 GB 50153-2008 等 8 项标准；GB/T 16157 固定污染源排气中颗粒物测定；PM2.5 浓度 35 µg/m3；HJ/T 55—2000"
    found = [(n.canonical, text[a:b]) for n, a, b in find_numbers(text)]
    assert found == [("GB 50153—2008", "GB 50153-2008"), ("GB/T 16157", "GB/T 16157"), ("HJ/T 55—2000", "HJ/T 55—2000")]
    assert find_numbers("浓度 35 mg/m3，pH 6~9，COD 50") == []


PREFIXES = ["GB", "GB/T", "GB/Z", "HJ", "HJ/T", "DL/T", "JB/T", "DB44", "DB44/T", "DB4401/T", "T/GZAEPI", "Q/ABC"]
DASHES = ["-", "－", "—", "–", "―"]


@given(
    prefix=st.sampled_from(PREFIXES),
    seq=st.integers(1, 99999),
    part=st.one_of(st.none(), st.integers(1, 30)),
    year=st.integers(1950, 2030),
    dash=st.sampled_from(DASHES),
    spaced=st.booleans(),
    fullwidth=st.booleans(),
)
def test_canonical_is_stable_through_messy_variants(prefix, seq, part, year, dash, spaced, fullwidth):
    sequence = f"{seq}.{part}" if part else str(seq)
    canonical = parse_number(f"{prefix} {sequence}—{year}").canonical
    text = f"{prefix} {sequence}{dash}{year}"
    if fullwidth:
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789/"})
    if spaced:
        text = " ".join(text.replace(" ", ""))
    assert parse_number(text).canonical == canonical
    assert parse_number(canonical).canonical == canonical


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_the_number_error(text):
    try:
        n = parse_number(text)
    except StandardNumberError:
        return
    assert parse_number(n.canonical).canonical == n.canonical


@given(st.text(max_size=60))
def test_partial_and_find_never_raise(text):
    parse_partial(text)
    find_numbers(text)


def _shared(path: str) -> Path:
    p = SHARED / path
    if not p.exists():
        pytest.skip(f"{p} not available")
    return p


def test_every_number_in_the_building_standards_index():
    rows = list(csv.DictReader(_shared("data/standards/arch_standards_index/standards.csv").open(encoding="utf-8")))
    assert len(rows) == 83
    for row in rows:
        assert parse_number(row["编号"]).level in ("national", "industry"), row["编号"]
        for n, _, _ in find_numbers(row["备注"] or ""):
            assert n.canonical


def test_every_relaton_identifier():
    folder = _shared("data/standards/relaton_gb_examples")
    identifiers = []
    for xml in folder.glob("*.xml"):
        identifiers += re.findall(r'<docidentifier type="Chinese Standard"[^>]*>([^<]+)<', xml.read_text("utf-8"))
    assert len(identifiers) >= 5
    for ident in identifiers:
        assert try_parse_number(ident) is not None, ident


def test_each_corpus_pdf_names_its_own_number():
    folder = _shared("corpus/standards")
    from pypdf import PdfReader

    read = 0
    for pdf in sorted(folder.glob("*.pdf")):
        kind, *nums = pdf.stem.split("-")
        expected = parse_number(f"{kind} {nums[0]}/{nums[1]}-{nums[2]}" if kind == "DB" else f"{kind} {nums[0]}-{nums[1]}")
        text = " ".join((page.extract_text() or "") for page in PdfReader(pdf).pages[:2])
        if not re.search(r"\d", text):
            # A scan (no text layer), or a broken character map that turns digits into ideographs (GB 16889):
            # a standard's first pages always print digits, so none readable means no number to find.
            continue
        read += 1
        found = {n.undated + "—" + (n.year or "") for n, _, _ in find_numbers(text)}
        spaced = parse_number(re.sub(r"\s+", "", expected.canonical))
        assert expected.canonical in found or spaced.canonical in found or expected.canonical in parse_text_variants(
            text), (pdf.name, sorted(found)[:10])
    assert read >= 19


def parse_text_variants(text: str) -> set[str]:
    """Cover pages print the number with odd spacing; collapse whitespace and look again."""
    return {n.canonical for n, _, _ in find_numbers(re.sub(r"\s+", "", text))}


def test_module_is_pure():
    code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); import catalogue.numbers; "
            "assert not any(m.startswith('django') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
