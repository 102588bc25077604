"""Reading a standard on its page: merged table cells kept, wide tables framed, cited standards linked to the
catalogue, characters the reader could not map shown as such."""

from __future__ import annotations

import re

import pytest

from smart.html import to_html
from smart.limits import fill_table, kept_spans
from smart.model import Metadata, StandardDocument, Table
from smart.reader_docx import merged_spans, read_docx
from tests.crawling import DEMO_TABLE, demo_docx


def test_merged_spans_are_the_rectangles_of_repeated_cells():
    a, b, c = object(), object(), object()
    grid = [[a, a, b], [c, c, b], [object(), object(), object()]]
    assert merged_spans(grid) == [[0, 0, 1, 2], [0, 2, 2, 1], [1, 0, 1, 2]]


def test_kept_spans_follow_the_rows_a_table_kept_and_stop_at_the_header():
    # rows 0-1 header, 2 a note (dropped), 3-4 data; a cell spans rows 1-3 and another 3-4
    assert kept_spans([[0, 0, 2, 1], [1, 1, 3, 1], [3, 2, 2, 1]], [0, 1, 3, 4], 2) == [[0, 0, 2, 1], [2, 2, 2, 1]]


def test_a_word_table_keeps_its_merged_cells():
    raw = read_docx(demo_docx())
    table = raw.pages[0].tables[0]
    assert table.rows == DEMO_TABLE
    assert [0, 2, 1, 2] in table.spans and [0, 0, 2, 1] in table.spans
    parsed = Table(number="1")
    fill_table(parsed, table.rows, table.spans)
    assert len(parsed.header) == 2 and len(parsed.rows) == 2
    assert parsed.spans == table.spans


def _doc(table: Table, text: str = "") -> StandardDocument:
    from smart.model import Block, Clause

    clause = Clause(number="4", title="限值", level=1, blocks=[Block(kind="paragraph", text=text),
                                                                  Block(kind="table", text="", table="1")])
    return StandardDocument(metadata=Metadata(number="DB44/ 1—2024", title_zh="示例"), clauses=[clause],
                            tables=[table])


def test_html_writes_each_merged_cell_once_with_its_span_inside_a_scrolling_frame():
    table = Table(number="1", header=[["序号", "限值", "限值"], ["序号", "A", "B"]], rows=[["1", "2", "3"]],
                  spans=[[0, 0, 2, 1], [0, 1, 1, 2]])
    html = to_html(_doc(table))
    assert '<div class="table-scroll"><table>' in html
    assert '<th rowspan="2">序号</th><th colspan="2">限值</th></tr><tr><th>A</th><th>B</th>' in html
    assert html.count("限值</th>") == 1


def test_cited_standards_link_where_the_caller_says_and_unmapped_characters_show():
    def cite(text):
        return [(m.start(), m.end(), "/standards/GB-1-2000/") for m in re.finditer("GB 1—2000", text)]

    html = to_html(_doc(Table(number="1"), "按 GB 1—2000 的\uf061规定。"), cite=cite)
    assert '按 <a class="cite" href="/standards/GB-1-2000/">GB 1—2000</a> 的' in html
    assert '<span class="unmapped" title="未能识别的字符 U+F061">U+F061</span>' in html
    assert "\uf061" not in html


@pytest.mark.django_db
def test_a_clause_page_links_what_the_catalogue_has(client, tmp_path):
    from tests.crawling import load_world

    load_world(str(tmp_path))
    page = client.get("/standards/DB44-9901-2024/clauses/").content.decode()
    assert page.count('<a class="cite" href="/standards/GB-13271-2014/">GB 13271—2014</a>') == 3
    assert '<th colspan="2">限值</th>' in page and '<td rowspan="2">烟囱或烟道</td>' in page
    assert 'class="unmapped"' in page


@pytest.mark.django_db
def test_findings_read_in_english_with_the_text_s_words_marked_chinese(client, tmp_path):
    from tests.crawling import load_world

    load_world(str(tmp_path))
    client.cookies["django_language"] = "en"
    page = client.get("/standards/DB44-9901-2024/clauses/").content.decode()
    assert "No foreword found." in page and "没有找到" not in page
    # Stored in Chinese for the API and the JSON, with the template and values a page translates.
    from smart.models import StructuredStandard

    stored = StructuredStandard.objects.get(standard__slug="DB44-9901-2024").findings
    assert {"message": "没有找到“前言”。", "message_id": "没有找到“前言”。", "params": {}}.items() <= stored[0].items()
