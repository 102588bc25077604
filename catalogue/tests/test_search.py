"""Catalogue search against the database: numbers (full and partial), Chinese and English words, filters, facets."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.search import SearchFilters, SearchInputError, SearchRequest, search
from catalogue.services import upsert_standards

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(make_record, empty_catalogue):
    records = [
        make_record("DB44/ 2160—2019", "陶瓷工业大气污染物排放标准", title_en="Emission standard of air pollutants for ceramic industry",
                    published_on=date(2019, 6, 1), implemented_on=date(2019, 9, 1), ics_codes=["13.040.40"],
                    ccs_code="Z60", sectors=["safety-environment", "industry"]),
        make_record("DB44/T 2367—2022", "荔枝干燥加工技术规程", published_on=date(2022, 3, 1),
                    implemented_on=date(2022, 6, 1), ics_codes=["67.080.10"], ccs_code="B31", sectors=["agriculture"]),
        make_record("DB4401/T 12—2020", "岭南荔枝栽培技术规范", region_code="440100", published_on=date(2020, 1, 5),
                    implemented_on=date(2020, 2, 5), sectors=["agriculture"]),
        make_record("GB/T 1.1—2020", "标准化工作导则 第1部分：标准化文件的结构和起草规则",
                    title_en="Directives for standardization—Part 1: Rules for the structure and drafting of standardizing documents",
                    published_on=date(2020, 3, 31), implemented_on=date(2020, 10, 1), ics_codes=["01.120"], ccs_code="A00"),
        make_record("GB/T 1.1—2009", "标准化工作导则 第1部分：标准的结构和编写", published_on=date(2009, 6, 17),
                    implemented_on=date(2010, 1, 1)),
        make_record("GB 18918—2002", "城镇污水处理厂污染物排放标准", published_on=date(2002, 12, 24),
                    implemented_on=date(2003, 7, 1), ics_codes=["13.060.30"]),
        make_record("T/GZAEPI 001—2018", "环保型家用吸油烟机", published_on=date(2018, 5, 8)),
        make_record("ISO/IEC 27001:2022", "信息安全、网络安全与隐私保护 信息安全管理体系 要求",
                    title_en="Information security, cybersecurity and privacy protection"),
        make_record("HJ/T 364—2007", "废塑料回收与再生利用污染控制技术规范（试行）", implemented_on=date(2008, 2, 1)),
        make_record("HJ 364—2022", "废塑料污染控制技术规范", replaces=["HJ/T 364—2007"],
                    implemented_on=date(2022, 12, 30), published_on=date(2022, 9, 30)),
        make_record("DB44/T 1234—2013", "日用陶瓷包装规范", published_on=date(2013, 8, 1)),
    ]
    upsert_standards(records, source="test")


def numbers(**kw):
    filters = kw.pop("filters", SearchFilters())
    result = search(SearchRequest(filters=filters, **kw))
    from catalogue.models import Standard

    by_id = dict(Standard.objects.filter(id__in=result.ids).values_list("id", "number"))
    return [by_id[i] for i in result.ids], result


def test_two_character_chinese_words(catalogue):
    found, result = numbers(q="陶瓷")
    assert set(found) == {"DB44/ 2160—2019", "DB44/T 1234—2013"}
    assert result.interpretation == "words"
    found, _ = numbers(q="荔枝")
    assert set(found) == {"DB44/T 2367—2022", "DB4401/T 12—2020"}


def test_words_inside_jieba_words(catalogue):
    found, _ = numbers(q="污染物")
    assert set(found) == {"DB44/ 2160—2019", "GB 18918—2002"}


def test_english_words(catalogue):
    found, _ = numbers(q="ceramic emission")
    assert found == ["DB44/ 2160—2019"]


def test_full_number(catalogue):
    found, result = numbers(q="GB/T 1.1—2020")
    assert found == ["GB/T 1.1—2020"]
    assert result.interpretation == "number"


def test_messy_number(catalogue):
    assert numbers(q="DB44/2160-2019")[0] == ["DB44/ 2160—2019"]
    assert numbers(q="db44／t 2367－2022")[0] == ["DB44/T 2367—2022"]


def test_partial_numbers(catalogue):
    assert numbers(q="2367")[0] == ["DB44/T 2367—2022"]
    found, _ = numbers(q="DB44/T 1")
    assert found == ["DB44/T 1234—2013"]
    found, _ = numbers(q="GB/T 1.1")
    assert found[:2] == ["GB/T 1.1—2020", "GB/T 1.1—2009"]
    found, _ = numbers(q="DB44")
    assert set(found) == {"DB44/ 2160—2019", "DB44/T 2367—2022", "DB44/T 1234—2013"}


def test_filters(catalogue):
    found, _ = numbers(q="荔枝", filters=SearchFilters(city="440100"))
    assert found == ["DB4401/T 12—2020"]
    found, _ = numbers(filters=SearchFilters(level=["group"]))
    assert found == ["T/GZAEPI 001—2018"]
    found, _ = numbers(filters=SearchFilters(ics="13"))
    assert set(found) == {"DB44/ 2160—2019", "GB 18918—2002"}
    found, _ = numbers(filters=SearchFilters(ccs="B"))
    assert found == ["DB44/T 2367—2022"]
    found, _ = numbers(filters=SearchFilters(sector="agriculture", year_from=2021))
    assert found == ["DB44/T 2367—2022"]
    found, _ = numbers(filters=SearchFilters(status=["replaced"]))
    assert found == ["HJ/T 364—2007"]


def test_facets_count_the_matches(catalogue):
    result = search(SearchRequest(q="荔枝", facets=True))
    assert dict(result.facets["level"]) == {"local": 2}
    assert dict(result.facets["city"]) == {"440000": 1, "440100": 1}
    assert dict(result.facets["sector"]) == {"agriculture": 2}


def test_sorting_and_pagination(catalogue):
    found, result = numbers(sort="published", page_size=3)
    assert result.total == 11 and result.pages == 4
    assert found[0] == "HJ 364—2022"
    page2, _ = numbers(sort="published", page_size=3, page=2)
    assert not set(found) & set(page2)
    by_number, _ = numbers(sort="number", filters=SearchFilters(level=["local"]))
    assert by_number == ["DB44/T 1234—2013", "DB44/ 2160—2019", "DB44/T 2367—2022", "DB4401/T 12—2020"] or \
        by_number.index("DB44/T 1234—2013") < by_number.index("DB44/T 2367—2022")


def test_nothing_to_search_for(catalogue):
    found, result = numbers(q="！！！")
    assert found == [] and result.interpretation == "nothing"


def test_bad_requests_are_refused():
    with pytest.raises(SearchInputError):
        search(SearchRequest(sort="random"))
    with pytest.raises(SearchInputError):
        search(SearchRequest(page_size=1000))


def test_word_search_uses_the_fulltext_index_not_like(catalogue):
    with CaptureQueriesContext(connection) as ctx:
        search(SearchRequest(q="陶瓷", facets=True))
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "LIKE '%" not in sql and "title_zh LIKE" not in sql
    if connection.vendor == "sqlite":
        assert "catalogue_standard_fts MATCH" in sql
        with connection.cursor() as cur:
            cur.execute("EXPLAIN QUERY PLAN SELECT rowid FROM catalogue_standard_fts WHERE catalogue_standard_fts MATCH '陶瓷'")
            plan = " ".join(str(r) for r in cur.fetchall())
        assert "VIRTUAL TABLE INDEX" in plan
    else:
        assert "search_vector @@" in sql
        with connection.cursor() as cur:
            cur.execute("SET enable_seqscan = off")
            cur.execute("EXPLAIN SELECT id FROM catalogue_standard WHERE search_vector @@ CAST('陶瓷' AS tsquery)")
            plan = " ".join(r[0] for r in cur.fetchall())
            cur.execute("SET enable_seqscan = on")
        assert "catalogue_standard_search_gin" in plan


def test_index_follows_updates_and_deletes(catalogue, make_record):
    from catalogue.models import Standard

    upsert_standards([make_record("DB44/T 1234—2013", "日用瓷器包装规范")], source="test")
    assert "DB44/T 1234—2013" not in numbers(q="陶瓷")[0]
    Standard.objects.filter(number="DB44/ 2160—2019").delete()
    assert numbers(q="陶瓷")[0] == []
