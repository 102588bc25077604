"""The real reference data: loaded by one command, complete, and idempotent."""

import pytest

from catalogue.models import AdminDivision, CcsCode, HsCode, IcsCode, Sector, Standard
from catalogue.services import load_reference

pytestmark = pytest.mark.django_db

GUANGDONG_CITIES = {
    "440100": "广州市", "440200": "韶关市", "440300": "深圳市", "440400": "珠海市", "440500": "汕头市", "440600": "佛山市",
    "440700": "江门市", "440800": "湛江市", "440900": "茂名市", "441200": "肇庆市", "441300": "惠州市", "441400": "梅州市",
    "441500": "汕尾市", "441600": "河源市", "441700": "阳江市", "441800": "清远市", "441900": "东莞市", "442000": "中山市",
    "445100": "潮州市", "445200": "揭阳市", "445300": "云浮市",
}


def test_reference_tables_are_complete(reference):
    assert IcsCode.objects.count() == 1381
    assert CcsCode.objects.filter(level=3).count() >= 1600
    assert HsCode.objects.filter(level=6).count() > 5000
    assert Sector.objects.count() == 24
    cities = dict(AdminDivision.objects.filter(parent_id="440000", level="prefecture").values_list("code", "name"))
    assert cities == GUANGDONG_CITIES
    assert not AdminDivision.objects.filter(parent_id__in=["441900", "442000"], level="county").exists()
    assert AdminDivision.objects.filter(parent_id="440100", level="county").count() == 11


def test_reference_standards_are_loaded(reference):
    assert Standard.objects.filter(source__in=["corpus_standards", "arch_standards_index", "relaton_gb_examples"]).count() >= 100
    assert Standard.objects.filter(number="T/GZAEPI 001—2018").exists()
    assert Standard.objects.filter(level="local", region_id="440000").exists()


def test_loading_twice_changes_nothing(reference):
    before = list(Standard.objects.order_by("id").values_list("number", "updated_at", "status"))
    result = load_reference()
    assert result.standards.created == 0 and result.standards.updated == 0
    after = list(Standard.objects.order_by("id").values_list("number", "updated_at", "status"))
    assert before == after
