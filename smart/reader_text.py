"""Read plain text or Markdown into a ``RawDocument`` (pure: no Django).

Form feeds (``\\f``) separate pages. Markdown headings (``#``) become a ``heading`` hint; a Markdown pipe table
(``| a | b |`` with its ``|---|`` rule) becomes a ``RawTable``. Bytes are decoded as UTF-8, then GB18030.
"""

from __future__ import annotations

import re

from .errors import DocumentReadError
from .guard import DEFAULT_LIMITS, DocumentLimits, check_text_bytes, check_text_lines
from .model import Line, Page, RawDocument, RawTable

RE_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
RE_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)+\|?\s*$")


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DocumentReadError("文本文件的编码无法识别（既不是UTF-8也不是GB18030），请另存为UTF-8后再上传。")


def _cells(line: str) -> list[str]:
    t = line.strip()
    if t.startswith("|"):
        t = t[1:]
    if t.endswith("|"):
        t = t[:-1]
    return [c.strip() for c in t.split("|")]


def read_text(text: str | bytes, *, limits: DocumentLimits = DEFAULT_LIMITS) -> RawDocument:
    """Read a text after its size and line count passed the limits (smart.guard)."""
    if isinstance(text, (bytes, bytearray)):
        check_text_bytes(len(text), limits)
        text = decode(bytes(text))
    else:
        check_text_bytes(len(text.encode("utf-8")), limits)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    check_text_lines(text, limits)
    pages: list[Page] = []
    for number, chunk in enumerate(text.split("\f"), start=1):
        page = Page(number=number)
        lines = chunk.split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            # a Markdown pipe table: header row, rule row, body rows
            if stripped.startswith("|") and i + 1 < len(lines) and RE_PIPE_RULE.match(lines[i + 1]):
                rows = [_cells(stripped)]
                j = i + 2
                while j < len(lines) and lines[j].strip().startswith("|"):
                    rows.append(_cells(lines[j]))
                    j += 1
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                page.tables.append(RawTable(rows=rows, page=number))
                page.lines.append(Line(text="", page=number, hints={"table": len(page.tables) - 1}))
                i = j
                continue
            hints = {}
            m = RE_MD_HEADING.match(stripped)
            if m:
                hints["heading"] = len(m.group(1))
                stripped = m.group(2).strip()
            stripped = re.sub(r"^\*\*(.*)\*\*$", r"\1", stripped)
            if stripped:
                page.lines.append(Line(text=stripped, page=number, hints=hints))
            i += 1
        pages.append(page)
    return RawDocument(pages=pages, kind="text")
