"""An HTML fragment of a ``StandardDocument`` with a permanent anchor per clause (pure: no Django).

Anchors: ``clause-4.2`` for clauses, terms (``clause-3.1``) and annex clauses (``clause-A.1``), ``annex-A`` for
annexes, ``table-1`` for tables, ``foreword`` and ``introduction``. They depend only on the printed numbers, so
a link to ``#clause-4.2`` survives a re-parse of the same standard.
"""

from __future__ import annotations

from html import escape

from .model import Block, Clause, Section, StandardDocument, Table


def _e(text) -> str:
    return escape(str(text or ""), quote=True)


def _table(table: Table) -> str:
    out = [f'<figure class="std-table" id="table-{_e(table.number)}">']
    if table.number or table.caption:
        out.append(f"<figcaption>表 {_e(table.number)} {_e(table.caption)}"
                   + (f' <span class="unit">单位：{_e(table.unit)}</span>' if table.unit else "") + "</figcaption>")
    out.append("<table>")
    if table.header:
        out.append("<thead>")
        for row in table.header:
            out.append("<tr>" + "".join(f"<th>{_e(c)}</th>" for c in row) + "</tr>")
        out.append("</thead>")
    out.append("<tbody>")
    for row in table.rows:
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    for note in table.notes:
        out.append(f'<p class="table-note">{_e(note)}</p>')
    out.append("</figure>")
    return "".join(out)


def _blocks(blocks: list[Block], tables: dict[str, Table]) -> str:
    out = []
    in_list = False
    for b in blocks:
        if b.kind == "list_item":
            if not in_list:
                out.append('<ul class="std-list">')
                in_list = True
            out.append(f'<li><span class="label">{_e(b.label)}</span> {_e(b.text)}</li>')
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if b.kind == "note":
            out.append(f'<p class="note"><span class="label">{_e(b.label or "注")}：</span>{_e(b.text)}</p>')
        elif b.kind == "formula":
            out.append(f'<p class="formula">{_e(b.text)} <span class="label">{_e(b.label)}</span></p>')
        elif b.kind == "table":
            if b.table in tables:
                out.append(_table(tables[b.table]))
        elif b.kind == "source":
            out.append(f'<p class="source">[来源：{_e(b.text)}]</p>')
        else:
            out.append(f"<p>{_e(b.text)}</p>")
    if in_list:
        out.append("</ul>")
    return "".join(out)


def _clause(clause: Clause, tables: dict[str, Table]) -> str:
    level = min(6, clause.level + 1)
    anchor = clause.anchor
    if clause.kind == "annex":
        kind = "（规范性）" if clause.annex_type == "normative" else "（资料性）" if clause.annex_type else ""
        head = f'<h2 class="annex-title">附录 {_e(clause.number)} {_e(kind)} {_e(clause.title)}</h2>'
    else:
        head = (f'<h{level}><a class="clause-number" href="#{_e(anchor)}">{_e(clause.number)}</a> '
                f"{_e(clause.title)}</h{level}>")
    body = _blocks(clause.blocks, tables) + "".join(_clause(c, tables) for c in clause.children)
    return f'<section class="clause" id="{_e(anchor)}">{head}{body}</section>'


def _section(section: Section, anchor: str, tables) -> str:
    return f'<section id="{anchor}"><h2>{_e(section.title)}</h2>{_blocks(section.blocks, tables)}</section>'


def to_html(doc: StandardDocument) -> str:
    meta = doc.metadata
    tables = {t.number: t for t in doc.tables if t.number}
    out = ['<article class="standard">', "<header>",
           f'<p class="std-number">{_e(meta.number)}</p>',
           f"<h1>{_e(meta.title_zh)}</h1>"]
    if meta.title_en:
        out.append(f'<p class="title-en" lang="en">{_e(meta.title_en)}</p>')
    dates = []
    if meta.published:
        dates.append(f"{_e(meta.published)} 发布")
    if meta.implemented:
        dates.append(f"{_e(meta.implemented)} 实施")
    if dates:
        out.append(f'<p class="dates">{" ".join(dates)}</p>')
    out.append("</header>")
    if doc.foreword:
        out.append(_section(doc.foreword, "foreword", tables))
    if doc.introduction:
        out.append(_section(doc.introduction, "introduction", tables))
    for clause in doc.clauses:
        out.append(_clause(clause, tables))
    for annex in doc.annexes:
        out.append(_clause(annex, tables))
    if doc.bibliography:
        out.append('<section id="bibliography"><h2>参考文献</h2><ol>'
                   + "".join(f"<li>{_e(b)}</li>" for b in doc.bibliography) + "</ol></section>")
    out.append("</article>")
    return "".join(out)
