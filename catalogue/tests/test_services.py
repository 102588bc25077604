"""Writing the catalogue: upsert by canonical number, idempotence, relations, statuses, whole-transaction failure."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from catalogue.models import CatalogueRevision, Replacement, Standard
from catalogue.services import RecordError, refresh_statuses, upsert_standards

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalogue")]


def test_upsert_is_idempotent(make_record):
    recs = [make_record("GB/T 1.1—2020", "标准化工作导则"), make_record("DB44/T 1—2020", "示例")]
    first = upsert_standards(recs, source="t")
    revision = CatalogueRevision.objects.get(id=1).revision
    second = upsert_standards(recs, source="t")
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert Standard.objects.count() == 2
    assert CatalogueRevision.objects.get(id=1).revision == revision  # nothing written, nothing bumped


def test_messy_numbers_become_one_standard(make_record):
    upsert_standards([make_record("DB 44/765-2019", "甲")], source="t")
    result = upsert_standards([make_record("DB44/ 765—2019", "甲 修订")], source="t")
    assert result.updated == 1 and Standard.objects.get().title_zh == "甲 修订"


def test_fields_derived_from_the_number(make_record):
    upsert_standards([make_record("DB4401/T 12—2020", "岭南荔枝")], source="t")
    std = Standard.objects.get()
    assert (std.prefix, std.sequence, std.year, std.level, std.nature) == ("DB4401/T", "12", 2020, "local", "recommended")
    assert std.region_id == "440100" and std.city_id == "440100"
    assert std.slug == "DB4401-T-12-2020"


def test_county_region_rolls_up_to_its_city(make_record):
    upsert_standards([make_record("DB44/T 9—2020", "越秀", region_code="440104")], source="t")
    assert Standard.objects.get().city_id == "440100"


def test_replacement_makes_old_edition_replaced(make_record):
    today = timezone.localdate()
    upsert_standards([make_record("HJ/T 364—2007", "旧", implemented_on=date(2008, 2, 1))], source="t")
    upsert_standards([make_record("HJ 364—2022", "新", replaces=["HJ/T 364—2007"], implemented_on=today)], source="t")
    old = Standard.objects.get(number="HJ/T 364—2007")
    assert old.status == "replaced"
    assert Replacement.objects.get().replaced == old


def test_replacement_waits_for_successor_implementation(make_record):
    today = timezone.localdate()
    upsert_standards([
        make_record("HJ 364—2022", "新", replaces=["HJ/T 364—2007"], implemented_on=today + timedelta(days=10)),
        make_record("HJ/T 364—2007", "旧", implemented_on=date(2008, 2, 1)),
    ], source="t")
    assert Standard.objects.get(number="HJ/T 364—2007").status == "current"
    assert Standard.objects.get(number="HJ 364—2022").status == "upcoming"
    changed = refresh_statuses(today=today + timedelta(days=10))
    assert changed == 2
    assert Standard.objects.get(number="HJ/T 364—2007").status == "replaced"


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"number": "XYZ"}, "XYZ"),
        ({"title_zh": ""}, "缺少中文名称"),
        ({"ics_codes": ["99.999.99"]}, "未知的 ICS"),
        ({"ccs_code": "I01"}, "未知的 CCS"),
        ({"published_on": date(2020, 5, 1), "implemented_on": date(2020, 1, 1)}, "晚于实施日期"),
        ({"implemented_on": date(2020, 5, 1), "withdrawn_on": date(2020, 1, 1)}, "早于实施日期"),
        ({"replaces": ["GB/T 1.1—2020"]}, "不能代替自身"),
        ({"adoption_degree": "ABC"}, "IDT、MOD 或 NEQ"),
        ({"region_code": "999999"}, "未知的行政区划"),
        ({"sectors": ["space"]}, "未知的领域"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(make_record, bad, message):
    good = make_record("DB44/T 5—2020", "好的")
    broken = make_record("GB/T 1.1—2020", "导则")
    broken.update(bad)
    with pytest.raises(RecordError, match=message):
        upsert_standards([good, broken], source="t")
    assert not Standard.objects.exists()


def test_duplicate_in_one_batch_is_refused(make_record):
    with pytest.raises(RecordError, match="重复"):
        upsert_standards([make_record("GB 1—2020", "a"), make_record("GB 1-2020", "b")], source="t")
    assert not Standard.objects.exists()
