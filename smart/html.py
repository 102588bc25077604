"""An HTML fragment of a ``StandardDocument`` with a permanent anchor per clause (pure: no Django).

Anchors: ``clause-4.2`` for clauses, terms (``clause-3.1``) and annex clauses (``clause-A.1``), ``annex-A`` for
annexes, ``table-1`` for tables, ``foreword`` and ``introduction``. They depend only on the printed numbers, so
a link to ``#clause-4.2`` survives a re-parse of the same standard.
"""

from __future__ import annotations

import re
from html import escape
from typing import Callable

from .model import Block, Clause, Section, StandardDocument, Table

# Characters a reader could not map to Unicode: a glyph of a symbol font without its table (private use area),
# the replacement character, pdfminer's "(cid:123)".
UNMAPPED = re.compile(r"[\ue000-\uf8ff\ufffd]|\(cid:\d+\)")
UNMAPPED_TITLE = "未能识别的字符"

# Given a text, where it cites a standard the catalogue has: [(start, end, url)], in order, not overlapping.
Cite = Callable[[str], list[tuple[int, int, str]]]


def _a(text) -> str:
    """An attribute value."""
    return escape(str(text or ""), quote=True)


def _marked(text: str, title: str) -> str:
    out, last = [], 0
    for m in UNMAPPED.finditer(text):
        code = m.group(0) if len(m.group(0)) > 1 else f"U+{ord(m.group(0)):04X}"
        out.append(escape(text[last:m.start()], quote=True))
        out.append(f'<span class="unmapped" title="{_a(title)} {_a(code)}">{_a(code)}</span>')
        last = m.end()
    out.append(escape(text[last:], quote=True))
    return "".join(out)


class _Writer:
    """Turns a document's text into HTML: escapes it, links the standards it cites, marks unmapped characters."""

    def __init__(self, cite: Cite | None, unmapped_title: str):
        self.cite = cite
        self.title = unmapped_title

    def __call__(self, text) -> str:
        text = str(text or "")
        spans = self.cite(text) if self.cite and text else []
        out, last = [], 0
        for start, end, url in spans:
            if start < last:
                continue
            out.append(_marked(text[last:start], self.title))
            out.append(f'<a class="cite" href="{_a(url)}">{_marked(text[start:end], self.title)}</a>')
            last = end
        out.append(_marked(text[last:], self.title))
        return "".join(out)


def _cells(w: _Writer, row: list[str], r: int, tag: str, spans: dict, covered: set) -> str:
    out = []
    for c, text in enumerate(row):
        if (r, c) in covered:
            continue
        rowspan, colspan = spans.get((r, c), (1, 1))
        attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
        out.append(f"<{tag}{attrs}>{w(text)}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _table(w: _Writer, table: Table) -> str:
    """A table with its merged cells (each merged cell once, with its span), inside a frame that scrolls sideways
    when the table is wider than the page."""
    out = [f'<figure class="std-table" id="table-{_a(table.number)}">']
    if table.number or table.caption:
        out.append(f"<figcaption>表 {w(table.number)} {w(table.caption)}"
                   + (f' <span class="unit">单位：{w(table.unit)}</span>' if table.unit else "") + "</figcaption>")
    spans = {(r, c): (rs, cs) for r, c, rs, cs in table.spans}
    covered = {(r + i, c + j) for (r, c), (rs, cs) in spans.items() for i in range(rs) for j in range(cs)} - set(spans)
    out.append('<div class="table-scroll"><table>')
    if table.header:
        out.append("<thead>")
        out.extend(_cells(w, row, r, "th", spans, covered) for r, row in enumerate(table.header))
        out.append("</thead>")
    out.append("<tbody>")
    first = len(table.header)
    out.extend(_cells(w, row, first + r, "td", spans, covered) for r, row in enumerate(table.rows))
    out.append("</tbody></table></div>")
    for note in table.notes:
        out.append(f'<p class="table-note">{w(note)}</p>')
    out.append("</figure>")
    return "".join(out)


def _blocks(w: _Writer, blocks: list[Block], tables: dict[str, Table]) -> str:
    out = []
    in_list = False
    for b in blocks:
        if b.kind == "list_item":
            if not in_list:
                out.append('<ul class="std-list">')
                in_list = True
            out.append(f'<li><span class="label">{w(b.label)}</span> {w(b.text)}</li>')
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if b.kind == "note":
            out.append(f'<p class="note"><span class="label">{w(b.label or "注")}：</span>{w(b.text)}</p>')
        elif b.kind == "formula":
            out.append(f'<p class="formula">{w(b.text)} <span class="label">{w(b.label)}</span></p>')
        elif b.kind == "table":
            if b.table in tables:
                out.append(_table(w, tables[b.table]))
        elif b.kind == "source":
            out.append(f'<p class="source">[来源：{w(b.text)}]</p>')
        else:
            out.append(f"<p>{w(b.text)}</p>")
    if in_list:
        out.append("</ul>")
    return "".join(out)


def _clause(w: _Writer, clause: Clause, tables: dict[str, Table]) -> str:
    level = min(6, clause.level + 1)
    anchor = clause.anchor
    if clause.kind == "annex":
        kind = "（规范性）" if clause.annex_type == "normative" else "（资料性）" if clause.annex_type else ""
        head = f'<h2 class="annex-title">附录 {w(clause.number)} {w(kind)} {w(clause.title)}</h2>'
    else:
        head = (f'<h{level}><a class="clause-number" href="#{_a(anchor)}">{_marked(clause.number or "", w.title)}</a> '
                f"{w(clause.title)}</h{level}>")
    body = _blocks(w, clause.blocks, tables) + "".join(_clause(w, c, tables) for c in clause.children)
    return f'<section class="clause" id="{_a(anchor)}">{head}{body}</section>'


def _section(w: _Writer, section: Section, anchor: str, tables) -> str:
    return f'<section id="{anchor}"><h2>{w(section.title)}</h2>{_blocks(w, section.blocks, tables)}</section>'


def to_html(doc: StandardDocument, *, cite: Cite | None = None, unmapped_title: str = UNMAPPED_TITLE) -> str:
    """The document as HTML; ``cite`` links the standards its text cites, ``unmapped_title`` is the tooltip of a
    character the reader could not map (shown as its code point)."""
    w = _Writer(cite, unmapped_title)
    meta = doc.metadata
    tables = {t.number: t for t in doc.tables if t.number}
    out = ['<article class="standard">', "<header>"]
    if meta.number:
        out.append(f'<p class="std-number">{w(meta.number)}</p>')
    if meta.title_zh:
        out.append(f"<h1>{w(meta.title_zh)}</h1>")
    if meta.title_en:
        out.append(f'<p class="title-en" lang="en">{w(meta.title_en)}</p>')
    dates = []
    if meta.published:
        dates.append(f"{w(meta.published)} 发布")
    if meta.implemented:
        dates.append(f"{w(meta.implemented)} 实施")
    if dates:
        out.append(f'<p class="dates">{" ".join(dates)}</p>')
    out.append("</header>")
    if doc.foreword:
        out.append(_section(w, doc.foreword, "foreword", tables))
    if doc.introduction:
        out.append(_section(w, doc.introduction, "introduction", tables))
    for clause in doc.clauses:
        out.append(_clause(w, clause, tables))
    for annex in doc.annexes:
        out.append(_clause(w, annex, tables))
    if doc.bibliography:
        out.append('<section id="bibliography"><h2>参考文献</h2><ol>'
                   + "".join(f"<li>{w(b)}</li>" for b in doc.bibliography) + "</ol></section>")
    out.append("</article>")
    return "".join(out)
