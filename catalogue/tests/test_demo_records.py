"""The demo catalogue reads like real standards: subjects with aspects of their family, mandatory only where the
family allows it, classifications that exist, and replacement chains within one title, newest last."""

import json
from datetime import date

import pytest

from catalogue.demo_vocabulary import CITIES, FAMILIES
from catalogue.numbers import parse_number as parse
from catalogue.services import reference_dir
from catalogue.synthetic import generate_demo_records

TODAY = date(2026, 12, 7)


def _pairs():
    """{title: (family, subject, aspect)} of every allowed pairing."""
    allowed = {}
    for family in FAMILIES:
        for subject in family.subjects:
            for aspect in family.aspects_of(subject):
                allowed[f"{subject.zh}{aspect.zh}"] = (family, subject, aspect)
    return allowed


ALLOWED = _pairs()


@pytest.fixture(scope="module")
def records():
    return generate_demo_records(600, seed=20240901, today=TODAY)


def test_every_title_pairs_a_subject_with_an_aspect_of_its_family(records):
    assert len(records) == 600
    for r in records:
        assert r["title_zh"] in ALLOWED, r["title_zh"]
        family, subject, aspect = ALLOWED[r["title_zh"]]
        assert r["title_en"] == f"{subject.en}—{aspect.en}"
        assert r["scope"].startswith(f"本文件规定了{subject.zh}")
        assert set(r["sectors"]) == set(family.sectors)


def test_no_family_mixes_known_bad_pairs():
    assert "荔枝排放标准" not in ALLOWED and not any(t.startswith("荔枝") and "排放" in t for t in ALLOWED)
    assert not any("陶瓷" in t and "服务规范" in t for t in ALLOWED)


def test_mandatory_only_in_families_and_aspects_that_allow_it(records):
    mandatory_families = {"emissions", "energy", "appliances", "safety", "health"}
    seen = 0
    for r in records:
        number = parse(r["number"])
        family, _, aspect = ALLOWED[r["title_zh"]]
        if number.nature == "mandatory":
            seen += 1
            assert family.key in mandatory_families and aspect.mandatory, r["number"]
            assert number.level in ("national", "local"), r["number"]
            if number.level == "local" and family.local_mandatory_until:
                assert int(number.year) <= family.local_mandatory_until, r["number"]
        elif number.level in ("national", "local"):
            assert not aspect.mandatory, r["number"]  # an emission limit is never a recommended standard
    assert seen > 10


def test_replacement_chains_are_newer_and_on_the_same_subject(records):
    by_number = {r["number"]: r for r in records}
    chains = 0
    for r in records:
        for old in r["replaces"]:
            chains += 1
            assert old in by_number, old
            before = by_number[old]
            assert before["title_zh"] == r["title_zh"]
            assert before["published_on"] < r["published_on"]
            assert parse(old).level == parse(r["number"]).level
            assert int(parse(old).year) < int(parse(r["number"]).year)
    assert chains > 20


def test_numbers_dates_and_places_are_consistent(records):
    numbers = [r["number"] for r in records]
    assert len(set(numbers)) == len(numbers)
    for r in records:
        number = parse(r["number"])
        assert r["published_on"] <= TODAY and r["published_on"].year == int(number.year)
        assert r["implemented_on"] >= r["published_on"]
        if number.level == "local" and r["region_code"] != "440000" and r["region_code"].startswith("44"):
            assert r["region_code"] in CITIES and number.prefix == f"DB{r['region_code'][:4]}/T"
            assert int(number.year) >= 2018


def test_classifications_exist_in_the_reference_data():
    ics = {row["code"] for row in json.loads((reference_dir() / "ics.json").read_text(encoding="utf-8"))}
    ccs = {row["code"] for row in json.loads((reference_dir() / "ccs.json").read_text(encoding="utf-8"))}
    for family, subject, aspect in ALLOWED.values():
        assert (aspect.ics or subject.ics or family.ics) in ics, (family.key, subject.zh, aspect.zh)
        assert (aspect.ccs or subject.ccs or family.ccs) in ccs, (family.key, subject.zh, aspect.zh)


def test_the_demo_avoids_real_titles_and_numbers():
    records = generate_demo_records(300, seed=5, today=TODAY, avoid_titles=frozenset({"荔枝栽培技术规程"}),
                                    taken=frozenset(f"DB44 {n}" for n in range(2000, 2300)))
    assert "荔枝栽培技术规程" not in {r["title_zh"] for r in records}
    for r in records:
        number = parse(r["number"])
        if number.prefix in ("DB44", "DB44/T"):
            assert not 2000 <= int(number.sequence) < 2300, r["number"]


def test_same_seed_same_records():
    assert generate_demo_records(80, seed=3, today=TODAY) == generate_demo_records(80, seed=3, today=TODAY)
