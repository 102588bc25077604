"""Readers on bad and synthetic inputs, the text parser under hypothesis, STS, HTML and the lint."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from smart.checks import check
from smart.errors import DocumentParseError, DocumentReadError, NoTextLayerError
from smart.parser import parse_text
from smart.terms import split_term
from smart.reader_docx import read_docx
from smart.reader_pdf import read_pdf
from smart.reader_text import read_text
from smart.sts import to_sts

SYNTHETIC = """ICS 13.040.40
Z 60
DB44
广 东 省 地 方 标 准
DB44/1234—2024
示例工业大气污染物排放标准
Emission standard of air pollutants for example industry
2024-01-02 发布    2024-03-01 实施
广东省生态环境厅    发布
前  言
本标准按照GB/T 1.1—2020的规定起草。
企业必须遵守本标准。
1 范围
本标准规定了示例工业大气污染物排放限值。
2 规范性引用文件
下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。
GB/T 16157 固定污染源排气中颗粒物测定与气态污染物采样方法
HJ 38—2017 固定污染源废气 总烃、甲烷和非甲烷总烃的测定 气相色谱法
3 术语和定义
下列术语和定义适用于本文件。
3.1
挥发性有机物 volatile organic compounds; VOCs
参与大气光化学反应的有机化合物。
注：采用规定的监测方法。
[来源：GB 37822—2019，3.1，有修改]
3.2
示例设施
用于示例的设施
4 排放控制要求
4.1 自2024年7月1日起，企业执行表1规定的限值。
表 1 大气污染物排放限值  单位：mg/m³
| 序号 | 污染物项目 | 限值 | 监控位置 |
|---|---|---|---|
| 1 | 颗粒物 | 20 | 车间排气筒 |
| 2 | 非甲烷总烃 | 60 | 车间排气筒 |
| 3 | pH | 6～9 | 车间排气筒 |
4.3 企业应按GB/T 16157 的 5.2 采样，严禁稀释排放。
a) 第一项；
b) 第二项。
4.3 重复的条
5 监测要求
5.1 企业宜采用表 9 的方法。
附录 A
（规范性）
示例附录
A.1 附录条款
内容可以按需要调整。
"""


@pytest.fixture(scope="module")
def synthetic():
    return parse_text(SYNTHETIC)


# ---------------------------------------------------------------------------------------------------------------
# bad inputs
# ---------------------------------------------------------------------------------------------------------------


def _pdf_bytes(text: str = "hello") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_pdf_bytes())))
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(DocumentReadError, match="加密"):
        read_pdf(path)


def test_broken_bytes():
    with pytest.raises(DocumentReadError, match="PDF"):
        read_pdf(b"%PDF-1.7\n\x00\x01garbage that is not a pdf at all" * 3)
    with pytest.raises(DocumentReadError):
        read_pdf(b"\x89PNG\r\n\x1a\n not a pdf")
    with pytest.raises(DocumentReadError, match="空"):
        read_pdf(b"")


def test_html_renamed_pdf(tmp_path):
    path = tmp_path / "standard.pdf"
    path.write_text("<!DOCTYPE html><html><head><title>下载</title></head><body>请登录</body></html>", encoding="utf-8")
    with pytest.raises(DocumentReadError, match="HTML"):
        read_pdf(path)


def test_blank_pdf_has_no_text_layer():
    with pytest.raises(NoTextLayerError, match="此PDF没有文字层，需要先OCR"):
        read_pdf(_pdf_bytes())


def test_docx_that_is_a_zip_of_something_else(tmp_path):
    path = tmp_path / "standard.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "这不是Word文档")
    with pytest.raises(DocumentReadError, match="不是Word文档"):
        read_docx(path)
    with pytest.raises(DocumentReadError):
        read_docx(b"not even a zip")


def test_pdf_passed_to_docx_reader():
    with pytest.raises(DocumentReadError):
        read_docx(_pdf_bytes())


def test_text_without_clauses():
    with pytest.raises(DocumentParseError):
        parse_text("这是一段普通的文字，没有任何章条编号。\n第二行也没有。")
    with pytest.raises(DocumentParseError):
        parse_text("")


# ---------------------------------------------------------------------------------------------------------------
# readers
# ---------------------------------------------------------------------------------------------------------------


def test_docx_reader_keeps_structure(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("示例标准")
    document.add_heading("前言", level=1)
    document.add_paragraph("本标准按照GB/T 1.1—2020的规定起草。")
    document.add_heading("1 范围", level=1)
    document.add_paragraph("本标准规定了示例要求。")
    document.add_heading("2 要求", level=1)
    document.add_heading("2.1 一般要求", level=2)
    document.add_paragraph("企业应遵守本标准。")
    document.add_paragraph("表 1 排放限值  单位：mg/L")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "污染物项目", "限值"], ["1", "化学需氧量", "60"], ["2", "氨氮", "8"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    path = tmp_path / "std.docx"
    document.save(path)
    raw = read_docx(path)
    assert raw.kind == "docx"
    styles = [line.hints.get("style") for line in raw.lines() if line.text.startswith("2.1")]
    assert styles and styles[0].lower().startswith("heading")
    from smart.parser import parse_document

    doc = parse_document(raw)
    assert doc.clause_numbers() == ["1", "2", "2.1"]
    assert [(lim.parameter, lim.value, lim.unit) for lim in doc.limits] == [("化学需氧量", 60, "mg/L"), ("氨氮", 8, "mg/L")]


def test_text_reader_pages_and_pipe_tables():
    raw = read_text("第一页\f第二页\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert len(raw.pages) == 2
    assert raw.pages[1].tables[0].rows == [["a", "b"], ["1", "2"]]


def test_cleanup_spaced_and_dashes():
    from smart.cleanup import normalize_text

    assert normalize_text("广  东  省  地  方  标  准") == "广东省地方标准"
    assert normalize_text("ＧＢ １８９１８－２００２") == "GB 18918—2002"
    assert normalize_text("2001 – 08 – 20 发布") == "2001-08-20 发布"
    assert normalize_text("固定污染源废气 二氧化硫的测定") == "固定污染源废气 二氧化硫的测定"


# ---------------------------------------------------------------------------------------------------------------
# the synthetic standard
# ---------------------------------------------------------------------------------------------------------------


def test_synthetic_structure(synthetic):
    doc = synthetic
    assert doc.metadata.title_zh == "示例工业大气污染物排放标准"
    assert doc.metadata.published == "2024-01-02" and doc.metadata.implemented == "2024-03-01"
    assert doc.metadata.ics == ["13.040.40"] and doc.metadata.ccs == "Z60"
    assert doc.clause_numbers() == ["1", "2", "3", "3.1", "3.2", "4", "4.1", "4.3", "4.3", "5", "5.1", "A", "A.1"]
    assert doc.annexes[0].annex_type == "normative" and doc.annexes[0].title == "示例附录"
    term = doc.terms[0]
    assert (term.number, term.zh, term.en, term.abbreviation) == ("3.1", "挥发性有机物", "volatile organic compounds", "VOCs")
    assert term.source == "GB 37822—2019，3.1，有修改" and term.notes == ["采用规定的监测方法。"]
    limits = {(lim.parameter, lim.comparator, str(lim.value), lim.unit) for lim in doc.limits}
    assert limits == {("颗粒物", "<=", "20", "mg/m³"), ("非甲烷总烃", "<=", "60", "mg/m³"), ("pH", "range", "[6, 9]", "无量纲")}
    assert doc.limits[0].condition["applies"][0]["from"] == "2024-07-01"
    kinds = {(p.clause, p.kind) for p in doc.provisions}
    assert ("5.1", "recommendation") in kinds and ("A.1", "permission") in kinds


def test_checks_on_synthetic(synthetic):
    findings = check(synthetic, status_of=lambda n: ("replaced", "GB/T 16157—2024") if "16157" in n else None)
    codes = {f.code for f in findings}
    assert {"FOREWORD_PROVISION", "FORBIDDEN_FORM", "TERM_NO_EN", "NUMBER_GAP", "NUMBER_REPEAT", "TABLE_MISSING"} <= codes
    for f in findings:
        assert f.message and f.fix and f.severity in ("error", "warning", "info")
    try:
        import catalogue.numbers  # noqa: F401
    except ImportError:
        return
    assert "UNDATED_SPECIFIC" in codes and "REF_REPLACED" in codes


def test_checks_chapter_order():
    doc = parse_text("1 术语和定义\n下列术语和定义适用于本文件。\n2 范围\n本文件规定了要求。\n")
    codes = [f.code for f in check(doc)]
    assert "ORDER" in codes and "FOREWORD_MISSING" in codes


def test_provision_classification():
    from smart.provisions import classify

    assert classify("企业应建立台账。")[0] == "requirement"
    assert classify("不得人为稀释排放。")[0] == "requirement"
    assert classify("宜采用密闭工艺。")[0] == "recommendation"
    assert classify("也可采用其他方法。")[0] == "permission"
    assert classify("该方法可能产生误差。")[0] == "statement"
    assert classify("相应的限值见表1。")[0] is None
    assert classify("下列文件是必不可少的。")[2] == []
    assert classify("严禁露天焚烧。")[2] == ["严禁"]


def test_split_term():
    assert split_term("玻璃工业 glass industry") == ("玻璃工业", "glass industry", None)
    assert split_term("城镇污水（municipal wastewater）") == ("城镇污水", "municipal wastewater", None)
    assert split_term("非甲烷总烃 non-methane hydrocarbon; NMHC") == ("非甲烷总烃", "non-methane hydrocarbon", "NMHC")


def test_limit_values():
    from smart.limits import normalize_unit, parse_value

    assert parse_value("0.000 03")["value"] == 0.00003
    assert parse_value("1 000")["value"] == 1000
    assert parse_value("6～9")["value"] == [6, 9]
    assert parse_value("280ᵇ")["marks"] == ["b"]
    assert parse_value("10⁴")["value"] == 10000
    assert parse_value("不得检出")["comparator"] == "not_detected"
    assert parse_value("<0.5")["comparator"] == "<"
    assert parse_value("—") is None
    assert normalize_unit("mg/Nm3") == "mg/m³" and normalize_unit("毫克每升") == "mg/L"
    assert normalize_unit("dB（A）") == "dB(A)" and normalize_unit("μg/m3") == "µg/m³"


def test_sts_well_formed(synthetic):
    xml = to_sts(synthetic)
    root = etree.fromstring(xml)
    ns = {"tbx": "urn:iso:std:iso:30042:ed-1"}
    assert root.find("front/std-meta/std-ref[@type='dated']") is not None
    assert root.find("front/std-meta/ics").text == "13.040.40"
    assert root.find("body/sec[@sec-type='scope']/label").text == "1"
    assert root.find("body/sec[@sec-type='terms']") is not None
    langs = root.findall(".//tbx:termEntry/tbx:langSet", ns)
    assert {el.get("{http://www.w3.org/XML/1998/namespace}lang") for el in langs} == {"zh", "en"}
    assert root.find(".//tbx:termEntry/tbx:langSet/tbx:tig/tbx:term", ns).text == "挥发性有机物"
    assert root.find("back/app-group/app") is not None
    assert root.find("body/sec[@sec-type='norm-refs']/ref-list[@content-type='norm-refs']") is not None


def test_html_fragment(synthetic):
    from smart.html import to_html

    html = to_html(synthetic)
    assert 'id="clause-4.1"' in html and 'id="annex-A"' in html and 'id="clause-A.1"' in html
    assert 'id="table-1"' in html


# ---------------------------------------------------------------------------------------------------------------
# hypothesis: any string → a document or DocumentParseError
# ---------------------------------------------------------------------------------------------------------------

PIECES = st.sampled_from([
    "1 范围", "2 规范性引用文件", "3 术语和定义", "3.1", "4.1.1 企业应", "附录 A", "（规范性）", "A.1 内容",
    "表 1 限值  单位：mg/m³", "| 1 | 颗粒物 | 30 |", "|---|---|---|", "注：说明", "a) 项目", "——项目", "前言", "目次",
    "GB/T 16157 方法", "[来源：GB 1—2000]", "（1）", "1) 子项", "\f", "ICS 13.040", "2024-01-01 发布",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=25))
def test_parse_text_never_raises_anything_else(parts):
    text = "\n".join(parts)
    try:
        doc = parse_text(text)
    except DocumentParseError:
        return
    doc.to_json()
    etree.fromstring(to_sts(doc))
    check(doc)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_parse_text_arbitrary_strings(text):
    try:
        parse_text(text)
    except DocumentParseError:
        pass


def test_package_imports_without_django():
    import subprocess
    import sys

    code = ("import sys; import smart.parser, smart.reader_pdf, smart.reader_docx, smart.reader_text, smart.sts, "
            "smart.html, smart.checks, smart.model; assert 'django' not in sys.modules")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_a_500_page_text_is_read_whole():
    """A very long file is read, not refused or truncated: 500 pages, 10 chapters of 50 clauses (form feeds between
    pages)."""
    import time

    from smart.parser import parse_document
    from smart.reader_text import read_text

    pages = []
    for n in range(500):
        chapter, clause = n // 50 + 1, n % 50 + 1
        head = f"{chapter} 第{chapter}章要求\n" if clause == 1 else ""
        pages.append(f"{head}{chapter}.{clause} 产品应符合第{chapter}章第{clause}项要求。\n")
    started = time.perf_counter()
    doc = parse_document(read_text("DB44/T 1—2026\n示例\n" + "\f".join(pages)))
    assert [c.number for c in doc.clauses] == [str(i) for i in range(1, 11)]
    assert sum(len(c.children) for c in doc.clauses) == 500
    assert doc.source["pages"] == 500
    assert time.perf_counter() - started < 30
