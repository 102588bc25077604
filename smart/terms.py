"""Terms and normative references read from a parsed clause tree (术语和定义, 规范性引用文件) (pure: no Django)."""

from __future__ import annotations

import re

from .cleanup import CJK
from .model import Reference, StandardDocument, Term

TERMS_TITLE = re.compile(r"术语")
REFS_TITLE = re.compile(r"规范性引用|引用标准|引用文件")
RE_TERM_SPLIT = re.compile(r"^(?P<zh>.*[" + CJK + r"][）)]?)\s*[（(]?\s*(?P<en>[A-Za-z][^" + CJK + r"]*?)\s*[)）]?\s*$")


def split_term(title: str) -> tuple[str, str | None, str | None]:
    """``玻璃工业 glass industry`` → (玻璃工业, glass industry, None); handles （english）, ``; ABBR`` and Chinese
    terms that start with Latin letters (``VOCs物料 VOCs-containing materials``)."""
    t = title.strip()
    m = RE_TERM_SPLIT.match(t)
    if not m or not re.search(r"[A-Za-z]{2}", m.group("en")):
        return t, None, None
    zh = m.group("zh").strip()
    en = m.group("en").strip()
    abbr = None
    if re.search(r"[;；]", en):
        en, abbr = [x.strip() for x in re.split(r"[;；]", en, maxsplit=1)]
    if en.count("(") > en.count(")"):
        en = en.rstrip("(").strip()
    mm = re.match(r"^(.*?)\s*[(（]\s*([A-Z][A-Za-z0-9\-]*)\s*[)）]?$", en)
    if mm and not abbr and re.fullmatch(r"[A-Z0-9\-]{2,}s?", mm.group(2) or ""):
        en, abbr = mm.group(1).strip(), mm.group(2)
    return zh, en or None, abbr or None


def read_terms(doc: StandardDocument) -> None:
    """The terms and definitions chapter (术语和定义) as ``doc.terms``: term, English, abbreviation, definition."""
    chapter = next((c for c in doc.clauses if c.title and TERMS_TITLE.search(c.title)), None)
    if chapter is None:
        return
    for clause in chapter.walk():
        if clause is chapter or not clause.title:
            continue
        zh, en, abbr = split_term(clause.title)
        term = Term(number=clause.number, zh=zh, en=en, abbreviation=abbr)
        definition_parts: list[str] = []
        for block in clause.blocks:
            if block.kind == "note":
                term.notes.append(block.text)
            elif block.kind == "source":
                term.source = block.text
            elif block.kind in ("paragraph", "list_item", "formula"):
                text = block.text
                ms = re.search(r"[\[［]\s*来源\s*[：:]\s*(.+?)[\]］]\s*$", text)
                if ms:
                    term.source = ms.group(1).strip()
                    text = text[: ms.start()].strip()
                if term.en is None and not definition_parts and re.fullmatch(r"[A-Za-z][A-Za-z0-9 ,.'\-/();]*", text):
                    _, en2, abbr2 = split_term("x " + text)
                    term.en = en2 or text
                    term.abbreviation = term.abbreviation or abbr2
                    continue
                if text:
                    definition_parts.append(text if block.kind != "list_item" else f"{block.label} {text}")
        term.definition = "\n".join(definition_parts) or None
        doc.terms.append(term)


def read_references(doc: StandardDocument, numbers) -> None:
    """The normative references chapter (规范性引用文件) as ``doc.references``; `numbers` is catalogue.numbers."""
    chapter = next((c for c in doc.clauses if c.title and REFS_TITLE.search(c.title)), None)
    if chapter is None or numbers is None:
        return
    for block in chapter.blocks:
        text = block.text.strip()
        if block.kind not in ("paragraph", "list_item"):
            continue
        found = numbers.find_numbers(text)
        if not found or found[0][1] > 1:
            if text.startswith("《") or (re.match(r"^[A-Z]{2,}", text) and not found):
                m = re.match(r"^([A-Z][A-Z/]*\s*[\d.]+(?:—\d{2,4})?)\s*(.*)$", text)
                if m:
                    doc.references.append(Reference(number=m.group(1), title=m.group(2) or None, parsed=False, raw=text))
                elif text.startswith("《"):
                    doc.references.append(Reference(number=text, title=text, parsed=False, raw=text))
            continue
        num, start, end = found[0]
        rest = text[end:].strip()
        all_parts = bool(re.match(r"^[（(]\s*所有部分\s*[)）]", rest)) or bool(getattr(num, "all_parts", False))
        rest = re.sub(r"^[（(]\s*所有部分\s*[)）]\s*", "", rest)
        doc.references.append(Reference(
            number=num.canonical, title=rest or None, dated=num.year is not None, all_parts=all_parts,
            year=int(num.year) if num.year and str(num.year).isdigit() else None, undated_number=num.undated,
            parsed=True, raw=text))
