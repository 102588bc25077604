"""Finding counterparts in the catalogue: candidates from records, structured texts and uploaded files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from compare.counterparts import (
    candidate_of_document,
    candidate_of_standard,
    catalogue_candidates,
    find_counterparts,
    forget_facts,
)
from compare.tests.helpers import doc, limit

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "standards"

GLASS_LOCAL = "DB44/ 2159—2019"
FLAT_GLASS = "GB 26453—2011"

# (number, title, ICS, extra fields): the counterpart and decoys that each share something with the subject
RECORDS = [
    (GLASS_LOCAL, "玻璃工业大气污染物排放标准", ["13.040.40"], {"region_code": "440000"}),
    (FLAT_GLASS, "平板玻璃工业大气污染物排放标准", ["13.040.40"],
     {"title_en": "Emission standard of air pollutants for flat glass industry"}),
    # other air-emission standards, under another ICS or under the same one
    ("GB 16297—1996", "大气污染物综合排放标准", ["13.040.20"], {}),
    ("GB 13271—2014", "锅炉大气污染物排放标准", ["13.040.20"], {}),
    ("GB 9078—1996", "工业炉窑大气污染物排放标准", ["13.040.40"], {}),
    ("DB44/ 2160—2019", "陶瓷工业大气污染物排放标准", ["13.040.40"], {"region_code": "440000"}),
    # glass products: the same material, another ICS
    ("GB 11614—2022", "平板玻璃", ["81.040.10"], {}),
    ("GB 15763.2—2005", "建筑用安全玻璃 第2部分：钢化玻璃", ["81.040.20"], {}),
    ("GB/T 18915.1—2013", "镀膜玻璃 第1部分：阳光控制镀膜玻璃", ["81.040.20"], {}),
    # withdrawn editions
    ("GB 11614—2009", "平板玻璃", ["81.040.10"], {"withdrawn_on": "2023-01-01", "implemented_on": "2010-01-01"}),
    ("GB 4915—1996", "水泥工业大气污染物排放标准", ["13.040.40"],
     {"withdrawn_on": "2004-12-31", "implemented_on": "1997-01-01"}),
    ("GB 26453—2005", "平板玻璃工业大气污染物排放标准", ["13.040.40"],
     {"withdrawn_on": "2011-10-01", "implemented_on": "2006-01-01"}),
]


@pytest.fixture
def glass_catalogue(db, make_record):
    from catalogue.services import upsert_standards
    from catalogue.synthetic import generate_records

    upsert_standards([make_record(n, t, ics_codes=ics, **extra) for n, t, ics, extra in RECORDS], source="test")
    # a few hundred unrelated standards around them, as in a real catalogue
    upsert_standards(list(generate_records(300, seed=41)), source="test-filler")


def structure(number: str, document) -> None:
    from catalogue.models import Standard
    from smart.models import StructuredStandard

    std = Standard.objects.get(number=number)
    data = document.to_dict() if document is not None else None
    StructuredStandard.objects.update_or_create(
        standard=std, defaults={"source_name": f"{std.slug}.pdf", "document": data, "error": "" if data else "扫描件",
                                "source_sha256": hashlib.sha256(json.dumps(data).encode()).hexdigest(),
                                "limit_count": len(document.limits) if document is not None else 0})


def air_limits(*names):
    return [limit(name, "<=", 50) for name in names]


def numbers(matches):
    return [m.candidate.number for m in matches]


@pytest.mark.django_db
def test_national_flat_glass_standard_ranks_first_among_decoys(glass_catalogue):
    from catalogue.models import Standard

    subject = candidate_of_standard(Standard.objects.get(number=GLASS_LOCAL))
    assert subject.ics == ["13.040.40"] and subject.level == "local" and subject.nature == "mandatory"
    matches = find_counterparts(subject, top=10)
    assert numbers(matches)[0] == FLAT_GLASS, [(m.candidate.number, m.score, m.reasons) for m in matches]
    assert GLASS_LOCAL not in numbers(matches)
    best = matches[0]
    assert "同一 ICS 分类 13.040.40" in best.reasons
    assert any(r.startswith("名称相似度") for r in best.reasons)
    withdrawn = next(m for m in matches if m.candidate.number == "GB 26453—2005")
    assert "已废止" in withdrawn.reasons and withdrawn.score < best.score


@pytest.mark.django_db
def test_shared_parameters_come_from_structured_texts(glass_catalogue):
    from catalogue.models import Standard

    structure(GLASS_LOCAL, doc([("1", "范围", "本标准规定了玻璃工业大气污染物排放限值。")], number=GLASS_LOCAL,
                               limits=air_limits("颗粒物", "SO2", "氮氧化物（以NO2计）")))
    structure(FLAT_GLASS, doc([("1", "范围", "本标准规定了平板玻璃工业大气污染物排放限值。")], number=FLAT_GLASS,
                              limits=air_limits("颗粒物", "二氧化硫", "NOx", "氟化物", "氯化氢")))
    structure("GB 11614—2022", None)  # a scan: no parameters, and no error either
    subject = candidate_of_standard(Standard.objects.get(number=GLASS_LOCAL))
    assert subject.parameters == {"颗粒物", "二氧化硫", "氮氧化物"}
    assert candidate_of_standard(Standard.objects.get(number="GB 11614—2022")).parameters == set()
    by_number = {c.number: c for c in catalogue_candidates()}
    assert by_number[FLAT_GLASS].parameters == {"颗粒物", "二氧化硫", "氮氧化物", "氟化物", "氯化氢"}
    assert by_number[FLAT_GLASS].scope == "本标准规定了平板玻璃工业大气污染物排放限值。"
    assert by_number["GB 11614—2022"].parameters == set() and by_number["GB 11614—2022"].scope == ""
    best = find_counterparts(subject)[0]
    assert best.candidate.number == FLAT_GLASS
    assert "共有参数 3 项：二氧化硫、氮氧化物、颗粒物" in best.reasons
    assert best.components["parameters"] == 0.6


@pytest.mark.django_db
def test_parameters_are_kept_per_parse(glass_catalogue, django_assert_num_queries):
    structure(FLAT_GLASS, doc([], number=FLAT_GLASS, limits=air_limits("颗粒物")))
    forget_facts()
    with django_assert_num_queries(4):  # parses, their limit lists, ICS codes, standards
        first = {c.number: c.parameters for c in catalogue_candidates()}
    with django_assert_num_queries(3):  # the limit lists are no longer read
        second = {c.number: c.parameters for c in catalogue_candidates()}
    assert first == second and first[FLAT_GLASS] == {"颗粒物"}
    structure(FLAT_GLASS, doc([], number=FLAT_GLASS, limits=air_limits("颗粒物", "氟化物")))  # parsed again
    assert {c.number: c.parameters for c in catalogue_candidates()}[FLAT_GLASS] == {"颗粒物", "氟化物"}


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_catalogue(glass_catalogue, django_assert_max_num_queries):
    from catalogue.models import Standard

    subject = candidate_of_standard(Standard.objects.get(number=GLASS_LOCAL))
    assert Standard.objects.count() > 300
    with django_assert_max_num_queries(4):
        find_counterparts(subject)


@pytest.mark.django_db
def test_uploaded_document_as_subject(glass_catalogue):
    from smart.model import Block, Clause

    uploaded = doc([("1", "适用范围", "本标准规定了玻璃工业大气污染物排放控制要求。"),
                    ("4", "排放控制要求", "企业应执行表1规定的限值。")],
                   number="", title="玻璃工业大气污染物排放标准", limits=air_limits("颗粒物", "SO2"))
    uploaded.clauses[0].children.append(
        Clause("1.1", level=2, blocks=[Block("paragraph", "本标准适用于现有玻璃工业企业的大气污染物排放管理。")]))
    subject = candidate_of_document(uploaded, number_hint="DB 44/2159-2019")
    assert subject.number == GLASS_LOCAL and subject.level == "local" and subject.nature == "mandatory"
    assert "现有玻璃工业企业" in subject.scope and "表1" not in subject.scope
    assert subject.parameters == {"颗粒物", "二氧化硫"}
    assert subject.ics == ["13.040.40"]  # not on the cover: taken from the catalogue record of that number
    assert subject.id is not None
    assert numbers(find_counterparts(subject))[0] == FLAT_GLASS


@pytest.mark.django_db
def test_uploaded_document_unknown_to_the_catalogue(glass_catalogue):
    uploaded = doc([("1", "范围", "本文件规定了平板玻璃工业大气污染物排放限值。")], number="DB45/ 99—2024",
                   title="平板玻璃工业大气污染物排放标准")
    subject = candidate_of_document(uploaded)
    assert subject.id is None and subject.ics == [] and subject.level == "local"
    matches = find_counterparts(subject, top=3)
    assert numbers(matches)[0] == FLAT_GLASS
    assert matches[0].components["ics"] is None  # the upload has no ICS: left out, not held against anyone


@pytest.mark.django_db
def test_progress_goes_to_the_end(glass_catalogue):
    from catalogue.models import Standard

    seen = []
    subject = candidate_of_standard(Standard.objects.get(number=GLASS_LOCAL))
    find_counterparts(subject, progress=lambda done, total: seen.append((done, total)))
    total = 2 * Standard.objects.count()
    assert seen[-1] == (total, total)
    assert all(t == total and 0 <= d <= total for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.django_db
def test_reference_data_alone_finds_the_flat_glass_standard():
    """The shipped reference records: neither glass record has an ICS code there, the titles have to do it."""
    from catalogue.models import Standard

    subject = candidate_of_standard(Standard.objects.get(number=GLASS_LOCAL))
    assert subject.ics == []
    matches = find_counterparts(subject, top=5)
    assert numbers(matches)[0] == FLAT_GLASS


@pytest.mark.django_db
@pytest.mark.skipif(not (CORPUS / "DB-44-2159-2019.pdf").exists(), reason="shared corpus not present")
def test_real_glass_pdfs(glass_catalogue):
    from smart.documents import read_standard_file

    local = read_standard_file(CORPUS / "DB-44-2159-2019.pdf")
    structure(FLAT_GLASS, read_standard_file(CORPUS / "GB-26453-2011.pdf"))
    subject = candidate_of_document(local)
    assert subject.number == GLASS_LOCAL
    assert "玻璃" in subject.scope
    assert {"颗粒物", "二氧化硫", "氮氧化物"} <= subject.parameters
    best = find_counterparts(subject)[0]
    assert best.candidate.number == FLAT_GLASS
    assert any(r.startswith("共有参数") for r in best.reasons), best.reasons
    # the record has no scope: the 范围 chapter of the structured text stands in
    assert any(r.startswith("适用范围相似度") for r in best.reasons), best.reasons

