"""NISO STS (ANSI/NISO Z39.102) XML writer for a ``StandardDocument`` (pure: no Django).

Shape (STS 1.2 "interchange" tag set, the parts a GB/T 1.1 text needs)::

    <standard xml:lang="zh">
      <front>
        <std-meta>  title-wrap, std-ident, std-ref type="dated|undated", release-date, ics, …  </std-meta>
        <sec sec-type="foreword"> … </sec>   <sec sec-type="intro"> … </sec>
      </front>
      <body>
        <sec sec-type="scope|norm-refs|terms|clause" id="sec_4.2"><label/><title/> p, list, table-wrap, … </sec>
        norm-refs: <ref-list content-type="norm-refs"><ref><std><std-ref/><title/></std></ref></ref-list>
        terms:     <term-sec><label/><tbx:termEntry><tbx:langSet xml:lang="zh|en"><tbx:tig><tbx:term/>…
      </body>
      <back><app-group><app content-type="norm-annex|inform-annex"> … </app></app-group>
            <ref-list content-type="bibl"> … </ref-list></back>
    </standard>
"""

from __future__ import annotations

import re

from lxml import etree

from .model import Block, Clause, Section, StandardDocument, Table, Term, chapter_kind

TBX = "urn:iso:std:iso:30042:ed-1"
XLINK = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {"tbx": TBX, "xlink": XLINK}
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _t(text: str | None) -> str:
    return _BAD.sub("", text or "")


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, tag, {k.replace("_", "-"): _t(str(v)) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = _t(text)
    return el


def _id(prefix: str, number: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9._-]", "_", number or "x")


def _sec_type(clause: Clause) -> str | None:
    return chapter_kind(clause) if clause.kind == "chapter" else None


def _blocks(parent, blocks: list[Block], tables: dict[str, Table]) -> None:
    current_list = None
    for block in blocks:
        if block.kind != "list_item":
            current_list = None
        if block.kind == "paragraph":
            _el(parent, "p", block.text)
        elif block.kind == "list_item":
            if current_list is None:
                kind = "alpha-lower" if re.match(r"[a-z]\)", block.label or "") else (
                    "order" if re.match(r"\d+\)", block.label or "") else "dash")
                current_list = _el(parent, "list", list_type=kind)
            item = _el(current_list, "list-item")
            _el(item, "label", block.label)
            _el(item, "p", block.text)
        elif block.kind == "note":
            note = _el(parent, "non-normative-note")
            _el(note, "label", block.label or "注")
            _el(note, "p", block.text)
        elif block.kind == "formula":
            f = _el(parent, "disp-formula", id=_id("formula_", (block.label or "").strip("()")))
            _el(f, "label", block.label)
            f.tail = None
            _el(f, "alternatives").text = _t(block.text)
        elif block.kind == "table" and block.table in tables:
            _table(parent, tables[block.table])
        elif block.kind == "source":
            _el(parent, "p", f"[来源：{block.text}]", content_type="source")
        else:
            _el(parent, "p", block.text)


def _table(parent, table: Table) -> None:
    wrap = _el(parent, "table-wrap", id=_id("tab_", table.number))
    _el(wrap, "label", f"表 {table.number}" if table.number else None)
    cap = _el(wrap, "caption")
    _el(cap, "title", table.caption or "")
    if table.unit:
        _el(cap, "p", f"单位：{table.unit}", content_type="unit")
    tab = _el(wrap, "table")
    if table.header:
        thead = _el(tab, "thead")
        for row in table.header:
            tr = _el(thead, "tr")
            for cell in row:
                _el(tr, "th", cell)
    tbody = _el(tab, "tbody")
    for row in table.rows:
        tr = _el(tbody, "tr")
        for cell in row:
            _el(tr, "td", cell)
    if table.notes:
        foot = _el(wrap, "table-wrap-foot")
        for note in table.notes:
            _el(foot, "p", note)


def _term(parent, term: Term, clause: Clause | None) -> None:
    sec = _el(parent, "term-sec", id=_id("sec_", term.number))
    _el(sec, "label", term.number)
    entry = etree.SubElement(sec, f"{{{TBX}}}termEntry", id=_id("term_", term.number))
    zh = etree.SubElement(entry, f"{{{TBX}}}langSet", {XML_LANG: "zh"})
    if term.definition:
        d = etree.SubElement(zh, f"{{{TBX}}}definition")
        d.text = _t(term.definition)
    for note in term.notes:
        n = etree.SubElement(zh, f"{{{TBX}}}note")
        n.text = _t(note)
    if term.source:
        s = etree.SubElement(zh, f"{{{TBX}}}source")
        s.text = _t(term.source)
    tig = etree.SubElement(zh, f"{{{TBX}}}tig")
    t = etree.SubElement(tig, f"{{{TBX}}}term")
    t.text = _t(term.zh)
    if term.en or term.abbreviation:
        en = etree.SubElement(entry, f"{{{TBX}}}langSet", {XML_LANG: "en"})
        if term.en:
            tig = etree.SubElement(en, f"{{{TBX}}}tig")
            t = etree.SubElement(tig, f"{{{TBX}}}term")
            t.text = _t(term.en)
        if term.abbreviation:
            tig = etree.SubElement(en, f"{{{TBX}}}tig")
            t = etree.SubElement(tig, f"{{{TBX}}}term")
            t.text = _t(term.abbreviation)
            pos = etree.SubElement(tig, f"{{{TBX}}}termType")
            pos.text = "abbreviation"


def _clause(parent, clause: Clause, doc: StandardDocument, tables: dict[str, Table], terms: dict[str, Term]) -> None:
    sec_type = _sec_type(clause)
    sec = _el(parent, "sec", id=_id("sec_", clause.number), sec_type=sec_type)
    _el(sec, "label", clause.number)
    _el(sec, "title", clause.title or "")
    if sec_type == "norm-refs":
        lead = [b for b in clause.blocks if not any(r.raw and r.raw == b.text for r in doc.references)]
        _blocks(sec, lead, tables)
        refs = _el(sec, "ref-list", content_type="norm-refs")
        for i, ref in enumerate(doc.references, start=1):
            r = _el(refs, "ref", id=f"ref_{i}")
            std = _el(r, "std", type="dated" if ref.dated else "undated")
            _el(std, "std-ref", ref.number, type="dated" if ref.dated else "undated")
            if ref.all_parts:
                _el(std, "std-ref", "（所有部分）", content_type="all-parts")
            if ref.title:
                _el(std, "title", ref.title)
        return
    _blocks(sec, clause.blocks, tables)
    for child in clause.children:
        if sec_type == "terms" and child.number in terms:
            _term(sec, terms[child.number], child)
            continue
        _clause(sec, child, doc, tables, terms)


def _section(parent, section: Section, sec_type: str, tables) -> None:
    sec = _el(parent, "sec", sec_type=sec_type, id=sec_type)
    _el(sec, "title", section.title)
    _blocks(sec, section.blocks, tables)


def to_sts(doc: StandardDocument) -> bytes:
    """The document as NISO STS XML (UTF-8 bytes, with XML declaration)."""
    meta = doc.metadata
    root = etree.Element("standard", {XML_LANG: "zh", "dtd-version": "1.2"}, nsmap=NSMAP)
    front = _el(root, "front")
    std_meta = _el(front, "std-meta")
    if meta.title_zh:
        tw = _el(std_meta, "title-wrap", **{"xml_lang": None})
        tw.set(XML_LANG, "zh")
        _el(tw, "main", meta.title_zh)
        _el(tw, "full", meta.title_zh)
    if meta.title_en:
        tw = _el(std_meta, "title-wrap")
        tw.set(XML_LANG, "en")
        _el(tw, "main", meta.title_en)
        _el(tw, "full", meta.title_en)
    ident = _el(std_meta, "std-ident")
    if meta.prefix:
        _el(ident, "originator", meta.prefix)
    if meta.number:
        m = re.search(r"([\d.]+)\s*—\s*(\d{2,4})$", meta.number)
        if m:
            _el(ident, "doc-number", m.group(1))
            _el(ident, "version", m.group(2))
    _el(std_meta, "std-ref", meta.number or "", type="dated")
    if meta.number_undated:
        _el(std_meta, "std-ref", meta.number_undated, type="undated")
    if meta.published:
        _el(std_meta, "release-date", meta.published, date_type="published", iso_8601_date=meta.published)
    if meta.implemented:
        _el(std_meta, "release-date", meta.implemented, date_type="implementation", iso_8601_date=meta.implemented)
    for ics in meta.ics:
        _el(std_meta, "ics", ics)
    if meta.ccs:
        _el(std_meta, "custom-meta-group")
        cm = _el(std_meta[-1], "custom-meta")
        _el(cm, "meta-name", "CCS")
        _el(cm, "meta-value", meta.ccs)
    for body_name in meta.issued_by:
        _el(std_meta, "std-org", body_name, std_org_role="publisher")
    for rep in meta.replaces:
        _el(std_meta, "std-xref", type="replaces").append(_std_ref(rep))
    tables = {t.number: t for t in doc.tables if t.number}
    if doc.foreword:
        _section(front, doc.foreword, "foreword", tables)
    if doc.introduction:
        _section(front, doc.introduction, "intro", tables)
    body = _el(root, "body")
    terms = {t.number: t for t in doc.terms}
    for clause in doc.clauses:
        _clause(body, clause, doc, tables, terms)
    back = _el(root, "back")
    if doc.annexes:
        group = _el(back, "app-group")
        for annex in doc.annexes:
            app = _el(group, "app", id=_id("app_", annex.number),
                      content_type="norm-annex" if annex.annex_type == "normative" else "inform-annex")
            _el(app, "label", f"附录 {annex.number}")
            _el(app, "annex-type", "（规范性）" if annex.annex_type == "normative" else "（资料性）")
            _el(app, "title", annex.title or "")
            _blocks(app, annex.blocks, tables)
            for child in annex.children:
                _clause(app, child, doc, tables, terms)
    if doc.bibliography:
        refs = _el(back, "ref-list", content_type="bibl")
        _el(refs, "title", "参考文献")
        for i, text in enumerate(doc.bibliography, start=1):
            r = _el(refs, "ref", id=f"bib_{i}")
            _el(r, "mixed-citation", text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _std_ref(number: str) -> etree._Element:
    el = etree.Element("std-ref", type="dated")
    el.text = _t(number)
    return el
