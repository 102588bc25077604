"""Search finds what people type: a number with a wrong /T, year, dash, width or no prefix is offered as "did you
mean"; words that no record contains together give the records containing most of them; classification pages open."""

import json
import logging
import re
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from catalogue.models import CcsCode, IcsCode, Standard
from catalogue.numbers import TypedNumber, nearness, number_differences, read_typed_number
from catalogue.search import SearchFilters, SearchRequest, search
from catalogue.services import upsert_standards

# --- the pure reading and nearness (catalogue/numbers.py) --------------------------------------------------------

FAMILIES = st.sampled_from(["DB44", "DB4403", "GB", "HJ", "JB", "DL", "T/GZAEPI", "NY"])
SEQUENCES = st.from_regex(r"[1-9][0-9]{0,5}(\.[1-9][0-9]?)?", fullmatch=True)
YEARS = st.one_of(st.none(), st.integers(1950, 2049).map(str))
DASHES = st.sampled_from(["-", "—", "－", "–", " - ", " — ", "‐", "一"])


def _natures(family: str):
    return st.just(None) if family.startswith(("T/", "Q/")) else st.sampled_from([None, "T", "Z", ""])


@st.composite
def typed_numbers(draw):
    family = draw(FAMILIES)
    return TypedNumber(family, draw(_natures(family)), draw(SEQUENCES), draw(YEARS))


@st.composite
def printed(draw, number: TypedNumber) -> str:
    """One of the ways people print or type a number: spaces, slash spacing, dashes, case and width vary."""
    family = number.family or ""
    if family.startswith("DB") and draw(st.booleans()):
        family = "DB " + family[2:]
    if number.nature is None:
        head = family
    else:
        head = family + draw(st.sampled_from(["/", " /", "/ ", "／"])) + number.nature
    text = head + draw(st.sampled_from([" ", "", "  "] if number.nature else [" ", "  "])) + number.sequence
    if number.year:
        text += draw(DASHES) + number.year
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):  # typed with a Chinese input method: full-width letters, digits and signs
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)
    return text


@given(st.data())
def test_a_number_reads_the_same_however_it_is_printed(data):
    number = data.draw(typed_numbers())
    text = data.draw(printed(number))
    assert read_typed_number(text) == number, text


@given(typed_numbers())
def test_the_same_number_is_nearest_and_each_change_is_named(number):
    prefix = number.family + (f"/{number.nature}" if number.nature else "")
    year = int(number.year) if number.year else 2020
    assert number_differences(number, prefix, number.sequence, year if number.year else None) == ()
    if not number.family.startswith(("T/", "Q/")):
        other = "" if number.nature == "T" else "T"
        diffs = number_differences(number, number.family + (f"/{other}" if other else ""), number.sequence, year)
        assert "nature" in diffs if number.nature is not None else "nature" not in diffs
    if number.year:
        assert number_differences(number, prefix, number.sequence, year + 1) == ("year",)
    without_prefix = TypedNumber(None, None, number.sequence, number.year)
    assert number_differences(without_prefix, prefix, number.sequence, year if number.year else None) == ("prefix",)
    # Another family, or another sequence number, is not near at all.
    assert number_differences(number, "ZZ", number.sequence, year) is None
    assert number_differences(number, prefix, str(number.lead + 1), year) is None


@given(st.lists(st.sampled_from(["nature", "year", "part", "prefix", "region"]), unique=True))
def test_more_differences_are_never_nearer(diffs):
    for i in range(len(diffs)):
        assert nearness(tuple(diffs[:i])) < nearness(tuple(diffs[: i + 1]))


@pytest.mark.parametrize("text, expected", [
    ("DB44/T 2159", TypedNumber("DB44", "T", "2159", None)),
    ("ＤＢ４４／Ｔ　２１５９", TypedNumber("DB44", "T", "2159", None)),
    ("DB44T 2159", TypedNumber("DB44", "T", "2159", None)),
    ("DB44/ 2159—2019", TypedNumber("DB44", "", "2159", "2019")),
    ("DB44 2159 2019", TypedNumber("DB44", None, "2159", "2019")),
    ("2159-2019", TypedNumber(None, None, "2159", "2019")),
    ("GB/T 1.1—2020", TypedNumber("GB", "T", "1.1", "2020")),
    ("GB 4287-92", TypedNumber("GB", None, "4287", "1992")),
    ("T/GZAEPI 001—2018", TypedNumber("T/GZAEPI", None, "001", "2018")),
    ("陶瓷", None), ("锅炉 大气污染物", None), ("GB", None), ("1" * 30, None),
])
def test_typed_numbers(text, expected):
    assert read_typed_number(text) == expected


# --- the search: did you mean, partial words, demo rows last ------------------------------------------------------

@pytest.fixture
def glass(make_record, empty_catalogue):
    upsert_standards([
        make_record("DB44/ 2159—2019", "玻璃工业大气污染物排放标准"),
        make_record("DB44/T 2159—2015", "玻璃工业节能规范"),
        make_record("GB 13271—2014", "锅炉大气污染物排放标准"),
        make_record("DB44/T 765—2019", "锅炉安全检验规则"),
        make_record("DB44/ 818—2010", "水泥工业大气污染物排放标准"),
    ], source="test")
    upsert_standards([
        make_record("DB44/T 9001—2024", "锅炉大气污染物评价指南"),
        make_record("DB44/T 9002—2024", "锅炉运行维护规范"),
    ], source="demo", is_demo=True)


def _near(q: str) -> list[str]:
    result = search(SearchRequest(q=q))
    numbers = dict(Standard.objects.filter(id__in=[i for i, _d in result.did_you_mean]).values_list("id", "number"))
    return [numbers[i] for i, _d in result.did_you_mean]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", [
    "DB44/T 2159—2019", "DB44/T 2159-2018", "db44/t 2159—2019", "ＤＢ４４／Ｔ　２１５９－２０１９", "DB4403/ 2159—2019",
    "DB44 2159 2019", "2159—2018", "2159 2018",
])
def test_a_number_typed_a_little_wrong_is_offered(glass, typed):
    result = search(SearchRequest(q=typed))
    assert result.total == 0
    assert "DB44/ 2159—2019" in _near(typed), typed


@pytest.mark.django_db
def test_the_nearest_number_comes_first(glass):
    # Typed with /T and 2019: the mandatory 2019 edition differs by /T alone; the /T 2015 edition by its year.
    assert _near("DB44/T 2159—2019")[:2] == ["DB44/ 2159—2019", "DB44/T 2159—2015"]
    assert _near("DB44/ 2159—2017") == ["DB44/ 2159—2019", "DB44/T 2159—2015"]


@pytest.mark.django_db
def test_a_number_found_offers_nothing_and_nothing_near_offers_nothing(glass):
    assert search(SearchRequest(q="DB44/T 2159")).total == 1
    assert search(SearchRequest(q="DB44/T 2159")).did_you_mean == []
    assert search(SearchRequest(q="DB44/T 7777")).did_you_mean == []
    assert search(SearchRequest(q="HJ 2159")).did_you_mean == []


@pytest.mark.django_db
def test_several_words_found_apart_are_shown_ranked_by_how_many_match(glass):
    exact = search(SearchRequest(q="锅炉 大气污染物 排放"))
    assert exact.total == 1 and not exact.partial
    some = search(SearchRequest(q="锅炉 大气污染物 玻璃"))
    assert some.partial and some.total == 7
    numbers = dict(Standard.objects.values_list("id", "number"))
    ranked = [numbers[i] for i in some.ids]
    # Two of the three words first (real before demo), then one word, the real records before the demo rows.
    assert set(ranked[:2]) == {"GB 13271—2014", "DB44/ 2159—2019"} and ranked[2] == "DB44/T 9001—2024"
    assert ranked.index("DB44/T 765—2019") < ranked.index("DB44/T 9002—2024")


@pytest.mark.django_db
def test_a_real_record_ranks_above_demo_rows_for_the_same_words(glass):
    result = search(SearchRequest(q="锅炉"))
    demo = set(Standard.objects.filter(is_demo=True).values_list("id", flat=True))
    flags = [i in demo for i in result.ids]
    assert flags == sorted(flags) and flags[0] is False and flags[-1] is True


@pytest.mark.django_db
def test_the_page_says_did_you_mean_and_partial(client, glass):
    page = client.get("/search/", {"q": "DB44/T 2159—2019"}).content.decode()
    assert "我们找到了相近的标准号" in page and "DB44/ 2159—2019" in page and "有无 /T、/Z 不同" in page
    assert "共找到 0 项标准" not in page
    page = client.get("/search/", {"q": "锅炉 大气污染物 玻璃"}).content.decode()
    assert "没有同时包含全部词语的结果，以下为包含部分词语的标准" in page


@pytest.mark.django_db
def test_api_and_command_give_the_suggestions_under_did_you_mean(client, glass):
    body = client.get("/api/standards/", {"q": "DB44/T 2159—2019"}).json()
    assert body["total"] == 0
    assert body["did_you_mean"][0]["number"] == "DB44/ 2159—2019"
    assert body["did_you_mean"][0]["differences"] == ["nature"]
    out = StringIO()
    call_command("search", "DB44/T 2159—2019", "--json", stdout=out)
    assert json.loads(out.getvalue())["did_you_mean"][0]["slug"] == "DB44-2159-2019"
    out = StringIO()
    call_command("search", "锅炉 大气污染物 玻璃", "--json", stdout=out)
    assert json.loads(out.getvalue())["partial"] is True


@pytest.mark.django_db
def test_the_reference_number_typed_with_t_is_found(client, reference):
    """The real record of the reference data, typed as people do: with a /T it does not have."""
    body = client.get("/api/standards/", {"q": "DB44/T 2159"}).json()
    assert "DB44/ 2159—2019" in [s["number"] for s in body["did_you_mean"]]


# --- the listing pages: cities, classification titles and pages --------------------------------------------------

@pytest.mark.django_db
def test_the_city_filter_offers_guangdong_cities_only(client, make_record, empty_catalogue):
    upsert_standards([
        make_record("DB44/T 1—2020", "广东规范"),
        make_record("DB4401/T 1—2020", "广州规范", region_code="440100"),
        make_record("DB11/T 1—2020", "北京规范", region_code="110000"),
        make_record("DB4403/T 1—2020", "深圳规范", region_code="440300"),
    ], source="test")
    body = client.get("/api/standards/", {"q": "规范", "facets": "true"}).json()
    assert {v["value"]: v["label"] for v in body["facets"]["city"]} == {"440100": "广州市", "440300": "深圳市"}


@pytest.mark.django_db
def test_ics_titles_are_marked_english_in_the_chinese_interface(client, reference):
    page = client.get("/classification/ics/13.040.40/").content.decode()
    assert re.search(r'<span lang="en">Stationary source emissions</span> <small class="lang-tag">英文</small>', page)
    page = client.get("/classification/ccs/Z10/39/").content.decode()
    assert "<h1>CCS Z10/39 <span>环境保护采样、分析测试方法</span></h1>" in page
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get("/classification/ics/13.040.40/").content.decode()
    assert "<span>Stationary source emissions</span>" in page
    page = client.get("/classification/ccs/Z10/39/").content.decode()
    assert '<span lang="zh-Hans">环境保护采样、分析测试方法</span> <small class="lang-tag">' in page


@pytest.mark.django_db
def test_every_classification_page_opens(client, reference):
    """Every ICS and CCS code of the reference data, ranges such as Z10/39 included, as linked from its pages."""
    codes = [("ics", c) for c in IcsCode.objects.values_list("code", flat=True)]
    codes += [("ccs", c) for c in CcsCode.objects.values_list("code", flat=True)]
    assert ("ccs", "Z10/39") in codes and len(codes) == 1381 + 1857
    failures = []
    for kind, code in codes:
        response = client.get(f"/classification/{kind}/{code}/")
        if response.status_code != 200:
            failures.append((kind, code, response.status_code))
    assert failures == []


@pytest.mark.django_db
def test_a_standard_page_links_to_its_classification_pages_and_they_open(client, reference):
    std = Standard.objects.filter(ccs_code__isnull=False, ics_codes__isnull=False).first()
    page = client.get(std.get_absolute_url()).content.decode()
    links = re.findall(r'href="(/classification/[^"]+)"', page)
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link
        inner = client.get(link).content.decode()
        for parent in re.findall(r'href="(/classification/[^"]+)"', inner):
            assert client.get(parent).status_code == 200, parent


@pytest.mark.django_db
def test_a_ccs_range_lists_the_standards_of_its_codes(client, reference, make_record):
    upsert_standards([make_record("DB44/T 8888—2020", "污染物排放测试规范", ccs_code="Z60")], source="test")
    page = client.get("/classification/ccs/Z60/79/").content.decode()
    assert "DB44/T 8888—2020" in page
    assert search(SearchRequest(q="污染物排放测试规范", filters=SearchFilters(ccs="Z60/79"))).total == 1
    assert search(SearchRequest(q="污染物排放测试规范", filters=SearchFilters(ccs="Z10/39"))).total == 0


@pytest.mark.django_db
def test_an_unknown_classification_is_404_not_500(client, reference):
    assert client.get("/classification/ccs/Z99/99/").status_code == 404
    assert client.get("/classification/xyz/Z60/").status_code == 404


@pytest.mark.django_db
@pytest.mark.urls("tests.edge_urls")
def test_server_errors_reach_the_log(client, caplog, settings):
    """The error page says the error was logged: a view that raises leaves its traceback in django.request's log,
    which settings.LOGGING sends to the console (and the log file) at ERROR."""
    assert settings.LOGGING["loggers"]["django.request"]["level"] == "ERROR"
    assert "console" in settings.LOGGING["root"]["handlers"]
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/edge-test/fail/")
    assert response.status_code == 500
    logged = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert logged and logged[0].exc_info[0].__name__ == "DeliberateFailure"
    assert "Traceback" in caplog.text
