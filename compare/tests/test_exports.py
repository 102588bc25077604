"""Excel and PDF exports of a comparison report: sheets, rows, labels, the unlawful warning, unreadable input."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compare import cli
from compare.exports import VERDICT_LABELS, report_pdf, report_xlsx
from yuebiao.pdf import markup as pdf_markup
from compare.report import compare_documents
from smart.model import Reference, Term

from .helpers import doc, limit

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "standards"
CMAP = Path("/usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H")
LINK = "https://yuebiao.example.cn/compare/r/4f1c2a"
SHEETS = ["概要", "限值比对", "条款对应", "术语", "规范性引用文件"]


def ref(number: str, year: int | None = None) -> Reference:
    return Reference(number=number, year=year, dated=year is not None, parsed=True, raw=number)


def pair_docs(a_number="DB44/ 1—2020", b_number="GB 2—2010"):
    clauses = [("1", "范围", "本标准规定了玻璃熔窑大气污染物的排放限值。"), ("2", "排放控制要求", "企业应执行表1的排放限值。")]
    a = doc(clauses + [("3", "监测", "按HJ 57测定二氧化硫。")], number=a_number, title="玻璃工业大气污染物排放标准",
            limits=[limit("颗粒物", "<=", 60, table="1", column="玻璃熔窑"),
                    limit("二氧化硫", "<=", 100, table="1", column="玻璃熔窑"),
                    limit("pH值", "range", [6, 9], None),
                    limit("烟气黑度", "<=", 1, "mg/m³"),
                    limit("锡及其化合物", "<=", 5)],
            terms=[Term("3.1", "玻璃熔窑", definition="熔化玻璃的设备。"), Term("3.2", "冷修", definition="停炉检修。")],
            references=[ref("GB/T 16157—1996", 1996), ref("HJ 57")])
    b = doc(clauses, number=b_number, title="玻璃工业大气污染物排放标准",
            limits=[limit("颗粒物", "<=", 50, table="1", column="玻璃熔窑"),
                    limit("二氧化硫", "<=", 400, table="1", column="玻璃熔窑"),
                    limit("pH值", "range", [6, 9], None),
                    limit("烟气黑度", "<=", 1, "级"),
                    limit("氯化氢", "<=", 30)],
            terms=[Term("3.1", "玻璃熔窑", definition="熔制平板玻璃并以天然气为燃料的热工设备，不含电熔窑。")],
            references=[ref("GB/T 16157—2017", 2017), ref("HJ/T 57—2000", 2000), ref("HJ 75—2017", 2017)])
    return a, b


@pytest.fixture(scope="module")
def local_report():
    """DB44/ mandatory A against national B, one limit looser: a report through JSON, as stored reports are."""
    return json.loads(json.dumps(compare_documents(*pair_docs()), ensure_ascii=False))


def sheets(data: bytes) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))  # not read_only: that mode drops trailing empty cells
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def summary(book) -> dict:
    return {row[0]: row[1] for row in book["概要"][1:]}


def by_parameter(book) -> dict[str, list]:
    return {row[0]: row for row in book["限值比对"][1:]}


def test_the_report_under_test_has_every_verdict_but_one(local_report):
    # guards the fixture: the export tests below mean something only if the report has these verdicts
    assert local_report["a_is_local_mandatory"] is True
    assert {p["verdict"] for p in local_report["limits"]} == {"looser", "stricter", "equal", "only_a", "only_b",
                                                               "not_comparable"}
    assert len(local_report["unlawful"]) == 1


def test_xlsx_sheets_and_header_rows(local_report):
    book = sheets(report_xlsx(local_report, link=LINK))
    assert list(book) == SHEETS
    assert book["概要"][0] == ["项目", "内容"]
    assert book["限值比对"][0] == ["参数", "条件A", "A 限值", "条件B", "B 限值", "单位", "结论", "违法风险", "原因"]
    assert book["条款对应"][0] == ["A 条款号", "A 标题", "B 条款号", "B 标题", "相似度", "对应类型"]
    assert book["术语"][0] == ["术语", "情况", "A 的定义", "B 的定义", "相似度"]
    assert book["规范性引用文件"][0] == ["A 引用", "B 引用", "情况", "说明"]


def test_xlsx_one_row_per_limit_pair_with_chinese_verdicts(local_report):
    rows = sheets(report_xlsx(local_report))["限值比对"][1:]
    assert len(rows) == len(local_report["limits"]) == 6
    assert [r[6] for r in rows] == [VERDICT_LABELS[p["verdict"]] for p in local_report["limits"]]
    got = {r[0]: r for r in rows}
    assert got["颗粒物"][1:7] == ["表1 / 玻璃熔窑", "≤60", "表1 / 玻璃熔窑", "≤50", "mg/m³", "更宽"]
    assert got["二氧化硫"][6] == "更严" and got["pH值"][6] == "相同"
    assert got["锡及其化合物"][6] == "仅A有" and got["氯化氢"][6] == "仅B有"
    assert got["烟气黑度"][6] == "不可比" and "单位不可换算" in got["烟气黑度"][8]
    assert set(VERDICT_LABELS.values()) == {"更严", "更宽", "相同", "仅A有", "仅B有", "不可比", "已失效"}


def test_xlsx_marks_only_the_unlawful_row_and_warns_at_the_top(local_report):
    book = sheets(report_xlsx(local_report, link=LINK))
    marked = [r[0] for r in book["限值比对"][1:] if r[7]]
    assert marked == ["颗粒物"]
    assert by_parameter(book)["颗粒物"][7] == "⚠ 违法风险" and "宽于国家标准" in by_parameter(book)["颗粒物"][8]
    first = book["概要"][2]  # right after the title row
    assert first[0] == "⚠ 违法风险"
    assert "DB44/ 1—2020" in first[1] and "GB 2—2010" in first[1] and "1 项限值宽于国家标准" in first[1]
    assert "颗粒物" in book["概要"][3][1] and "≤60" in book["概要"][3][1] and "≤50" in book["概要"][3][1]
    s = summary(book)
    assert s["结论：更宽"] == 1 and s["结论：更严"] == 1 and s["结论：不可比"] == 1 and s["结论：相同"] == 1
    assert "stricter=A 更严" in s["结论方向"]
    assert s["永久链接"] == LINK
    assert "DB44/ 1—2020" in s["标准 A"] and "地方标准" in s["标准 A"] and "强制性" in s["标准 A"]


def test_xlsx_clauses_terms_and_references(local_report):
    book = sheets(report_xlsx(local_report))
    clauses = book["条款对应"][1:]
    assert ["1", "范围", "1", "范围"] == clauses[0][:4] and clauses[0][5] == "一对一"
    assert ["3", None, None, None, None, "仅A有（B 中无对应条款）"] == clauses[-1]
    terms = {r[0]: r for r in book["术语"][1:]}
    assert terms["玻璃熔窑"][1] == "定义不同" and "天然气" in terms["玻璃熔窑"][3]
    assert terms["冷修"][1] == "仅A有"
    refs = {(r[0], r[1]): r for r in book["规范性引用文件"][1:]}
    assert refs[("GB/T 16157—1996", "GB/T 16157—2017")][2] == "A 引用的版本较旧"
    assert refs[(None, "HJ 75—2017")][2] == "仅B引用"


def test_no_warning_when_a_is_not_local_mandatory():
    b, a = pair_docs(a_number="DB44/T 1—2020")  # A national, B a recommended local standard
    report = compare_documents(a, b)
    assert report["a_is_local_mandatory"] is False
    book = sheets(report_xlsx(report))
    assert not any("违法" in str(c) for rows in book.values() for r in rows[1:] for c in r if c)
    assert "违法" not in pdf_text(report_pdf(report))


def test_local_mandatory_without_a_looser_limit_says_what_was_checked():
    a = doc([("1", "范围", "排放限值。")], limits=[limit("颗粒物", "<=", 30), limit("烟气黑度", "<=", 1, "mg/m³")])
    b = doc([("1", "范围", "排放限值。")], number="GB 2—2010",
            limits=[limit("颗粒物", "<=", 50), limit("烟气黑度", "<=", 1, "级")])
    report = compare_documents(a, b)
    s = summary(sheets(report_xlsx(report)))
    assert "⚠ 违法风险" not in s
    assert "未发现 A 宽于 B 的限值" in s["地方强制性标准核查"] and "1 项不可比" in s["地方强制性标准核查"]


def test_pdf_text_has_numbers_parameters_and_the_warning(local_report):
    text = pdf_text(report_pdf(local_report, link=LINK))
    for needle in ("DB44/ 1—2020", "GB 2—2010", "违法风险", "《标准化法》第二十一条", "颗粒物", "二氧化硫", "≤60", "≤50",
                   "≤400", "6~9", "更宽", "更严", "仅A有", "仅B有", "不可比", "条款对应", "规范性引用文件",
                   "HJ 75—2017", "冷修", "第 1 页", LINK):
        assert needle in text, needle
    # the warning comes before the tables, not somewhere on page 3
    assert text.index("违法风险") < text.index("一、限值比对")


def test_pdf_page_numbers_on_every_page(local_report):
    from pypdf import PdfReader

    big = dict(local_report, limits=local_report["limits"] * 30)
    pages = PdfReader(io.BytesIO(report_pdf(big))).pages
    assert len(pages) > 2
    for n, page in enumerate(pages, start=1):
        assert f"第 {n} 页" in page.extract_text()


def test_unreadable_report_states_it_and_gives_no_verdict(tmp_path):
    report = cli.unreadable_report({"b": (str(tmp_path / "GB-21900-2008.pdf"), "此PDF没有文字层，需要先OCR")})
    book = sheets(report_xlsx(report, link=LINK))
    assert list(book) == ["概要"]  # no limit sheet that could pass for "no differences"
    s = summary(book)
    assert s["状态"] == "无法读取，未作比对"
    assert "GB-21900-2008.pdf" in s["无法读取 B"] and "没有文字层" in s["无法读取 B"]
    assert "未作任何比对" in s["结论"] and s["永久链接"] == LINK
    cells = " ".join(str(c) for r in book["概要"] for c in r if c)
    assert not any(label in cells for label in ("更严", "更宽", "仅A有", "不可比"))
    text = pdf_text(report_pdf(report))
    assert "无法读取 B" in text and "GB-21900-2008.pdf" in text and "未作任何比对" in text
    assert "限值比对" not in text and "结论汇总" not in text


def test_no_limits_is_said_in_words_not_shown_as_an_empty_table():
    a = doc([("1", "范围", "本标准规定了术语。")])
    b = doc([("1", "范围", "本标准规定了术语。")], number="GB 2—2010")
    report = compare_documents(a, b)
    rows = sheets(report_xlsx(report))["限值比对"]
    assert len(rows) == 2 and "未识别出限值" in rows[1][0] and "不表示限值相同" in rows[1][0]
    s = summary(sheets(report_xlsx(report)))
    assert "未能核查" in s["地方强制性标准核查"]
    assert "未识别出限值" in pdf_text(report_pdf(report))


def test_correspondence_when_present_and_when_absent(local_report):
    assert "一致性程度（建议）" not in summary(sheets(report_xlsx(local_report)))
    with_c = dict(local_report, correspondence={
        "applicable": True, "suggested": "MOD", "agrees_with_declared": False,
        "declared": {"text": "本标准使用翻译法等同采用 ISO 1:2015", "phrase": "等同采用", "degree": "IDT",
                     "method": "翻译法", "number": "ISO 1:2015", "about_b": True},
        "reasons": ["条款结构一致，但 A 增加了第 3 章", "限值 2 项不同"]})
    s = summary(sheets(report_xlsx(with_c)))
    assert s["一致性程度（建议）"] == "修改采用（MOD）" and s["标准声明的一致性程度"] == "等同采用 ISO 1:2015"
    assert s["理由 1"] == "条款结构一致，但 A 增加了第 3 章" and s["理由 2"] == "限值 2 项不同"
    assert "不一致" in s["注意"]
    text = pdf_text(report_pdf(with_c))
    assert "修改采用（MOD）" in text and "A 增加了第 3 章" in text
    none = dict(local_report, correspondence={"applicable": True, "suggested": None, "reasons": [], "declared": None})
    assert "须人工判断" in summary(sheets(report_xlsx(none)))["一致性程度（建议）"]
    na = dict(local_report, correspondence={"applicable": False, "suggested": None, "reasons": ["B 不是国际标准"],
                                            "declared": None})
    s = summary(sheets(report_xlsx(na)))
    assert s["一致性程度（GB/T 20000.2）"] == "不适用：B 不是国际标准" and "理由 1" not in s


def test_pdf_markup_replaces_what_stsong_light_cannot_draw():
    assert pdf_markup("mg/m³") == "mg/m<super>3</super>"
    assert pdf_markup("NO₂ µg/L ⩽5") == "NO<sub>2</sub> μg/L ≤5"
    assert pdf_markup("<1 & ≥2") == "&lt;1 &amp; ≥2"


def _cmap() -> set[int]:
    text = CMAP.read_text(encoding="latin-1")
    cps: set[int] = set()
    for blk in re.findall(r"begincidrange(.*?)endcidrange", text, re.S):
        for lo, hi, _ in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\d+)", blk):
            cps.update(range(int(lo, 16), int(hi, 16) + 1))
    for blk in re.findall(r"begincidchar(.*?)endcidchar", text, re.S):
        cps.update(int(code, 16) for code, _ in re.findall(r"<([0-9a-fA-F]+)>\s*(\d+)", blk))
    return cps


def _undrawable(text: str, cps: set[int]) -> set[str]:
    return {c for c in text if ord(c) not in cps and not c.isspace()}


@pytest.mark.skipif(not CMAP.exists(), reason="poppler's Adobe-GB1 CMap not installed")
def test_every_character_in_the_pdf_has_a_glyph_in_adobe_gb1(local_report):
    assert _undrawable(pdf_text(report_pdf(local_report, link=LINK)), _cmap()) == set()


def test_exports_need_no_django(local_report, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(local_report, ensure_ascii=False), encoding="utf-8")
    code = ("import json, sys; from compare.exports import report_pdf, report_xlsx; "
            f"r = json.load(open({str(path)!r}, encoding='utf-8')); report_xlsx(r); report_pdf(r); "
            "assert 'django' not in sys.modules, 'django imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(Path(__file__).parents[2]))


# --- the real glass pair: DB44/ 2159—2019 against GB 26453—2011


@pytest.fixture(scope="module")
def glass_report():
    if not (CORPUS / "DB-44-2159-2019.pdf").exists():
        pytest.skip("shared corpus not present")
    from smart.documents import read_standard_file

    return compare_documents(read_standard_file(CORPUS / "DB-44-2159-2019.pdf"),
                             read_standard_file(CORPUS / "GB-26453-2011.pdf"))


def test_glass_xlsx(glass_report):
    book = sheets(report_xlsx(glass_report, link=LINK))
    assert list(book) == SHEETS
    rows = book["限值比对"][1:]
    assert len(rows) == len(glass_report["limits"])
    assert [r[6] for r in rows] == [VERDICT_LABELS[p["verdict"]] for p in glass_report["limits"]]
    assert not any(r[7] for r in rows)  # every DB44/ 2159 limit that has a counterpart is stricter or equal
    s = summary(book)
    assert "⚠ 违法风险" not in s and "未发现 A 宽于 B 的限值" in s["地方强制性标准核查"]
    assert s["结论：更严"] == glass_report["limit_summary"]["stricter"] and s["结论：更宽"] == 0
    assert len(book["条款对应"]) - 1 == (len(glass_report["alignment"]["pairs"])
                                       + len(glass_report["alignment"]["unmatched_a"])
                                       + len(glass_report["alignment"]["unmatched_b"]))


def test_glass_pdf(glass_report):
    text = pdf_text(report_pdf(glass_report, link=LINK))
    for needle in ("DB44/ 2159—2019", "GB 26453—2011", "玻璃工业大气污染物排放标准", "颗粒物", "二氧化硫", "氮氧化物",
                   "≤280", "≤600", "≤550", "≤700", "在线镀膜尾气处理系统", "未发现 A 宽于 B 的限值", "HJ/T 57—2000"):
        assert needle in text, needle
    assert "违法风险" not in text
    if CMAP.exists():
        assert _undrawable(text, _cmap()) == set()
