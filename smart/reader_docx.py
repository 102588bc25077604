"""Read a Word (.docx) standard into a ``RawDocument`` (pure: no Django).

Structure hints kept from Word: the paragraph style (``style``), a heading level for ``Heading N`` / ``标题 N``
styles (``heading``) and list numbering (``list`` level). Word computes automatic numbers when it renders, so
they are not in the text: this reader recomputes them — heading numbers ``1``, ``4.2`` for numbered heading
styles, list labels ``a)``, ``1)``, ``——`` from the numbering definitions — and puts them in front of the text,
so the parser sees what a reader of the printed standard sees. Tables come through as cell grids (python-docx
repeats merged cells). Explicit page breaks start a new page.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import docx  # python-docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from .errors import DocumentReadError
from .guard import DEFAULT_LIMITS, DocumentLimits, check_docx, check_zip_entries
from .model import Line, Page, RawDocument, RawTable

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RE_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def _open(source: str | os.PathLike | bytes | BinaryIO, limits: DocumentLimits) -> tuple[Any, str]:
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), "<bytes>"
    elif isinstance(source, (str, os.PathLike)):
        p = Path(source)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise DocumentReadError(f"无法打开文件 {p.name}：{exc.strerror or exc}") from exc
        name = p.name
    else:
        data, name = source.read(), getattr(source, "name", "<stream>")
    if not data.startswith(b"PK"):
        if data[:8].startswith(b"\xd0\xcf\x11\xe0"):
            raise DocumentReadError(f"文件 {name} 是旧版Word（.doc）格式，请在Word中另存为.docx后再上传。")
        raise DocumentReadError(f"文件 {name} 不是Word文档（.docx），文件可能已损坏。")
    check_zip_entries(data, limits)  # before zipfile reads the whole central directory
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise DocumentReadError(f"文件 {name} 不是完整的ZIP/Word文档，文件可能已损坏。") from exc
    if "word/document.xml" not in names:
        raise DocumentReadError(f"文件 {name} 是一个ZIP压缩包，但不是Word文档（缺少word/document.xml），请上传.docx文件。")
    check_docx(data, limits)
    try:
        return docx.Document(io.BytesIO(data)), name
    except Exception as exc:  # noqa: BLE001 - any failure of python-docx becomes one clear message
        raise DocumentReadError(f"Word文档 {name} 无法读取（{type(exc).__name__}），文件可能已损坏或已加密。") from exc


def _numbering_formats(document) -> dict[tuple[str, int], str]:
    """(numId, ilvl) → numFmt (decimal, lowerLetter, bullet …) from numbering.xml."""
    formats: dict[tuple[str, int], str] = {}
    try:
        part = document.part.numbering_part
    except Exception:  # noqa: BLE001 - no numbering part: no lists
        return formats
    root = part.element
    abstract: dict[str, dict[int, str]] = {}
    for an in root.findall(f"{W}abstractNum"):
        aid = an.get(f"{W}abstractNumId")
        levels = {}
        for lvl in an.findall(f"{W}lvl"):
            fmt = lvl.find(f"{W}numFmt")
            levels[int(lvl.get(f"{W}ilvl", "0"))] = fmt.get(f"{W}val") if fmt is not None else "decimal"
        abstract[aid] = levels
    for num in root.findall(f"{W}num"):
        nid = num.get(f"{W}numId")
        ref = num.find(f"{W}abstractNumId")
        if ref is None:
            continue
        for ilvl, fmt in abstract.get(ref.get(f"{W}val"), {}).items():
            formats[(nid, ilvl)] = fmt
    return formats


def _num_pr(paragraph) -> tuple[str, int] | None:
    ppr = paragraph._p.pPr
    if ppr is None or ppr.numPr is None:
        return None
    num_id = ppr.numPr.numId
    ilvl = ppr.numPr.ilvl
    if num_id is None:
        return None
    return str(num_id.val), int(ilvl.val) if ilvl is not None else 0


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26)


def merged_spans(grid: list[list[Any]]) -> list[list[int]]:
    """The merged cells of a grid whose merged positions hold the same object (python-docx repeats the cell
    element over its span; the grid keeps them alive, so identities hold), as ``[row, col, rowspan, colspan]``;
    only whole rectangles count."""
    where: dict[int, list[tuple[int, int]]] = {}
    for i, row in enumerate(grid):
        for j, cell in enumerate(row):
            where.setdefault(id(cell), []).append((i, j))
    spans = []
    for positions in where.values():
        if len(positions) < 2:
            continue
        rows = sorted({i for i, _ in positions})
        cols = sorted({j for _, j in positions})
        if len(positions) == len(rows) * len(cols) and rows == list(range(rows[0], rows[-1] + 1)) \
                and cols == list(range(cols[0], cols[-1] + 1)):
            spans.append([rows[0], cols[0], len(rows), len(cols)])
    return sorted(spans)


def read_docx(source: str | os.PathLike | bytes | BinaryIO, *, limits: DocumentLimits = DEFAULT_LIMITS) -> RawDocument:
    """Read a .docx after its structure passed the limits (smart.guard)."""
    document, name = _open(source, limits)
    formats = _numbering_formats(document)
    heading_counters = [0] * 10
    list_counters: dict[tuple[str, int], int] = {}
    pages = [Page(number=1)]
    style_names: dict[str | None, str | None] = {}
    body = document.element.body
    for child in body.iterchildren():
        page = pages[-1]
        if child.tag == f"{W}tbl":
            table = DocxTable(child, document)
            rows, grid = [], []
            try:
                for row in table.rows:
                    cells = row.cells
                    rows.append([cell.text.strip() for cell in cells])
                    grid.append([cell._tc for cell in cells])
            except Exception:  # noqa: BLE001 - a malformed table: keep its text as lines
                rows = []
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                page.tables.append(RawTable(rows=rows, page=page.number, spans=merged_spans(grid)))
                page.lines.append(Line(text="", page=page.number, hints={"table": len(page.tables) - 1}))
            continue
        if child.tag != f"{W}p":
            continue
        para = Paragraph(child, document)
        if child.xpath('.//w:br[@w:type="page"]') or child.xpath(".//w:pPr/w:sectPr"):
            if page.lines:
                pages.append(Page(number=len(pages) + 1))
                page = pages[-1]
        text = para.text.replace("\t", "  ").strip()
        # python-docx looks a style up by scanning every style, for every paragraph: once per style id is enough
        style_id = child.style
        if style_id in style_names:
            style = style_names[style_id]
        else:
            style = style_names[style_id] = para.style.name if para.style is not None else ""
        hints: dict[str, Any] = {"style": style}
        m = RE_HEADING_STYLE.match(style or "")
        num = _num_pr(para)
        if m:
            level = int(m.group(1))
            hints["heading"] = level
            if num is not None and not re.match(r"^[\dA-Z]+(\.\d+)*\s", text):
                heading_counters[level - 1] += 1
                for k in range(level, len(heading_counters)):
                    heading_counters[k] = 0
                number = ".".join(str(x) for x in heading_counters[:level])
                text = f"{number} {text}"
        elif num is not None and text:
            fmt = formats.get(num, "decimal")
            key = num
            list_counters[key] = list_counters.get(key, 0) + 1
            for other in list(list_counters):
                if other[0] == num[0] and other[1] > num[1]:
                    list_counters[other] = 0
            n = list_counters[key]
            hints["list"] = num[1]
            if not re.match(r"^([a-z]\)|\d+\)|——)", text):
                if fmt in ("lowerLetter",):
                    text = f"{_letter(n)}) {text}"
                elif fmt in ("decimal",) and num[1] > 0:
                    text = f"{n}) {text}"
                elif fmt == "bullet":
                    text = f"—— {text}"
        if text:
            page.lines.append(Line(text=text, page=page.number, hints=hints))
    pages = [p for p in pages if p.lines or p.tables] or [Page(number=1)]
    for i, p in enumerate(pages, start=1):
        p.number = i
        for line in p.lines:
            line.page = i
    return RawDocument(pages=pages, kind="docx", source=name)
