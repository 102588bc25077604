"""Limits on untrusted documents (不可信文档), checked before the expensive work (pure: no Django).

A 2.7 KB .docx of 200,000 empty paragraphs cost 23 s of CPU in python-docx; a zip entry that inflates to gigabytes
or an XML part nested ten thousand deep costs as much. Every reader calls in here first: the .docx package is
streamed once (entry count, declared and real inflated sizes, compression ratio, XML depth, elements, paragraphs,
table cells, runs) without building a tree, a PDF's page count and each page's objects are counted before the
page is laid out, and a text's size and lines before it is split. A document over a limit is refused at once
with a ``DocumentLimitError`` that names the limit ("文档段落数超过上限（200000 > 50000）…").

The defaults are about 20× the largest real standard in the test corpus (79 pages, about 2,000 lines, 9,400
table cells, 5,300 characters on a page): a real standard never comes near them.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, fields, replace
from io import BytesIO
from typing import Any, Iterable

from lxml import etree

from yuebiao.files import zip_entry_count

from .errors import DocumentLimitError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MiB = 1024 * 1024
_CHUNK = 64 * 1024
# Entries smaller than this are not judged by their compression ratio: a short, repetitive XML part compresses
# a hundredfold and is harmless.
RATIO_FLOOR_BYTES = 2 * MiB


@dataclass(frozen=True)
class DocumentLimits:
    """Every limit on an untrusted document and on the worker that parses it (settings: docs/security.md)."""

    # .docx (a zip of XML parts)
    zip_entries: int = 1000
    part_bytes: int = 100 * MiB  # one XML part, inflated
    total_bytes: int = 200 * MiB  # all parts, inflated
    compression_ratio: int = 100  # inflated / compressed, for parts over RATIO_FLOOR_BYTES
    xml_depth: int = 100
    xml_elements: int = 2_000_000
    paragraphs: int = 50_000
    table_cells: int = 200_000
    runs: int = 500_000
    # PDF
    pdf_pages: int = 2000
    page_chars: int = 100_000
    page_graphics: int = 50_000  # rectangles, lines and curves on one page (the table finder's input)
    # plain text
    text_bytes: int = 20 * MiB
    text_lines: int = 200_000
    # the parsing worker (smart.sandbox)
    cpu_seconds: int = 60
    memory_bytes: int = 2048 * MiB
    wall_seconds: int = 90

    def with_overrides(self, overrides: dict[str, Any] | None) -> "DocumentLimits":
        """These limits with some replaced by name; an unknown name or a value that is not a positive whole
        number is a configuration error, said at once rather than ignored."""
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown document limits: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        values = {}
        for name, value in overrides.items():
            number = int(value)
            if number <= 0:
                raise ValueError(f"document limit {name} must be positive, not {value!r}")
            values[name] = number
        return replace(self, **values)


DEFAULT_LIMITS = DocumentLimits()

# What each limit is called in the refusal message.
LABELS = {
    "zip_entries": "压缩包文件数", "part_bytes": "单个部件解压后大小（字节）", "total_bytes": "解压后总大小（字节）",
    "compression_ratio": "压缩比", "xml_depth": "XML 嵌套层数", "xml_elements": "XML 元素数",
    "paragraphs": "文档段落数", "table_cells": "表格单元格数", "runs": "文字片段（run）数",
    "pdf_pages": "PDF 页数", "page_chars": "单页字符数", "page_graphics": "单页图形对象数",
    "text_bytes": "文本大小（字节）", "text_lines": "文本行数",
}


def refuse(name: str, value: int, limit: int, where: str = "") -> DocumentLimitError:
    place = f"，{where}" if where else ""
    return DocumentLimitError(f"{LABELS[name]}超过上限（{value} > {limit}{place}），请拆分或检查文件", limit=name)


def _at_most(name: str, value: int, limits: DocumentLimits, where: str = "") -> None:
    limit = getattr(limits, name)
    if value > limit:
        raise refuse(name, value, limit, where)


# ---------------------------------------------------------------------------------------------------------------
# Zip packages (.docx)


def check_zip_entries(data: bytes, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
    count = zip_entry_count(data)
    if count is not None:
        _at_most("zip_entries", count, limits)


@dataclass
class _Counts:
    inflated: int = 0
    elements: int = 0
    paragraphs: int = 0
    table_cells: int = 0
    runs: int = 0


def check_docx(data: bytes, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
    """Refuse a .docx over any structure limit, streaming every XML part once (no tree is kept)."""
    check_zip_entries(data, limits)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable zip: the reader says so in its own words
    with archive:
        infos = archive.infolist()
        _at_most("zip_entries", len(infos), limits)
        declared = 0
        for info in infos:
            _at_most("part_bytes", info.file_size, limits, info.filename)
            declared += info.file_size
            if info.file_size > RATIO_FLOOR_BYTES:
                _at_most("compression_ratio", info.file_size // max(info.compress_size, 1), limits, info.filename)
        _at_most("total_bytes", declared, limits)
        counts = _Counts()
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                _count_part(archive, info, counts, limits)


def _count_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, counts: _Counts, limits: DocumentLimits) -> None:
    parser = etree.XMLPullParser(events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False)
    part_bytes = 0
    depth = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                part_bytes += len(chunk)
                counts.inflated += len(chunk)
                _at_most("part_bytes", part_bytes, limits, info.filename)
                _at_most("total_bytes", counts.inflated, limits)
                parser.feed(chunk)
                depth = _tally(parser.read_events(), depth, counts, limits, info.filename)
            parser.close()
    except etree.XMLSyntaxError:
        # libxml2 stops at its own depth limit (256) inside feed(): the events before it still say what was wrong
        _tally(parser.read_events(), depth, counts, limits, info.filename)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError):
        pass  # a broken part: python-docx refuses it with its own message, cheaply (the size is bounded above)


def _tally(events: Iterable, depth: int, counts: _Counts, limits: DocumentLimits, where: str) -> int:
    """Count one batch of parse events (a chunk of the part): depth at once, the totals at the end of the batch,
    which stops a hostile part within one chunk of its limit."""
    max_depth = limits.xml_depth
    paragraph, run, cell = f"{W}p", f"{W}r", f"{W}tc"
    for event, element in events:
        if event == "start":
            depth += 1
            if depth > max_depth:
                raise refuse("xml_depth", depth, max_depth, where)
            counts.elements += 1
            tag = element.tag
            if tag == paragraph:
                counts.paragraphs += 1
            elif tag == run:
                counts.runs += 1
            elif tag == cell:
                counts.table_cells += 1
        else:
            depth -= 1
            element.clear()
            # drop the finished siblings too, so the memory used stays that of one path from the root
            previous = element.getprevious()
            while previous is not None:
                element.getparent().remove(previous)
                previous = element.getprevious()
    for name in ("paragraphs", "table_cells", "runs", "xml_elements"):
        _at_most(name, getattr(counts, "elements" if name == "xml_elements" else name), limits)
    return depth


# ---------------------------------------------------------------------------------------------------------------
# PDF and text


def check_pdf_pages(pages: int, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
    _at_most("pdf_pages", pages, limits)


def check_pdf_page(number: int, chars: int, graphics: int, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
    """One page's objects, counted before the page is laid out into lines and tables."""
    _at_most("page_chars", chars, limits, f"第 {number} 页")
    _at_most("page_graphics", graphics, limits, f"第 {number} 页")


def check_text_bytes(size: int, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
    _at_most("text_bytes", size, limits)


def check_text_lines(text: str, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
    """Lines of a text whose line ends are already "\n" (read_text normalises them first)."""
    lines = text.count("\n") + text.count("\f") + 1
    _at_most("text_lines", lines, limits)
