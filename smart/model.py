"""The document model of the smart package (pure: no Django).

Two layers:

* ``RawDocument`` — what a reader (``reader_pdf``, ``reader_docx``, ``reader_text``) hands over: pages of
  ``Line`` objects, each with *hints* (geometry, font, Word heading style, list numbering, a pointer to a
  table read as cells). Nothing is interpreted yet.
* ``StandardDocument`` — what ``smart.parser`` builds: cover metadata, 前言 / 引言, the clause tree, annexes,
  terms and definitions (术语和定义), normative references (规范性引用文件), tables, provisions classified by
  verbal form, and limit values (排放限值) as data. ``to_json()`` gives the documented JSON
  (``docs/smart-schema.md``).
"""

from __future__ import annotations

import re

import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Iterator

SCHEMA_VERSION = "1.0"


# ---------------------------------------------------------------------------------------------------------------
# Raw layer (readers)
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of text as the reader saw it.

    ``hints`` keys a reader may set (all optional):
    ``x0``, ``x1``, ``top``, ``bottom`` (PDF points), ``size`` (font size), ``heavy`` (share of 黑体/bold
    characters, 0..1), ``style`` (Word style name), ``heading`` (Word heading level 1..9), ``list`` (Word list
    level, 0-based), ``table`` (index into ``Page.tables``: the line stands for a whole table),
    ``page_width`` / ``page_height``.
    """

    text: str
    page: int = 1
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass
class RawTable:
    """A table read as cells. ``rows`` is a full grid: a merged cell repeats its text in every position it
    covers; ``spans`` lists the merged cells as ``[row, col, rowspan, colspan]``."""

    rows: list[list[str]]
    page: int = 1
    bbox: tuple[float, float, float, float] | None = None
    spans: list[list[int]] = field(default_factory=list)
    lines: list[list[list[str]]] | None = None  # per cell, its visual lines (set by clean-up)


@dataclass
class Page:
    number: int
    lines: list[Line] = field(default_factory=list)
    tables: list[RawTable] = field(default_factory=list)
    width: float | None = None
    height: float | None = None


@dataclass
class RawDocument:
    """Pages of lines with hints, the common output of every reader."""

    pages: list[Page]
    kind: str = "text"  # pdf | docx | text
    source: str | None = None

    def lines(self) -> Iterator[Line]:
        for page in self.pages:
            yield from page.lines

    @property
    def text(self) -> str:
        return "\n\f\n".join("\n".join(line.text for line in page.lines) for page in self.pages)


# ---------------------------------------------------------------------------------------------------------------
# Structured layer (parser)
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Metadata:
    """Cover metadata (封面)."""

    number: str | None = None  # canonical dated number, e.g. "DB44/2159—2019"
    number_undated: str | None = None
    prefix: str | None = None  # GB, GB/T, HJ, DB44 ...
    year: int | None = None
    title_zh: str | None = None
    title_en: str | None = None
    ics: list[str] = field(default_factory=list)
    ccs: str | None = None
    published: str | None = None  # ISO date 发布
    implemented: str | None = None  # ISO date 实施
    issued_by: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    stage: str | None = None  # e.g. 发布稿, 征求意见稿
    filing_number: str | None = None  # 备案号


@dataclass
class Block:
    """A piece of clause content. ``kind``: paragraph | list_item | note | formula | table | example | footnote."""

    kind: str
    text: str
    label: str | None = None  # list marker "a)", note label "注1", formula number "(1)"
    level: int = 0  # list nesting depth
    table: str | None = None  # for kind == "table": the table number


@dataclass
class Clause:
    """A chapter (章), clause (条) or annex (附录). Annexes have ``kind == 'annex'`` and ``number`` 'A'."""

    number: str
    title: str | None = None
    level: int = 1
    kind: str = "clause"  # chapter | clause | annex
    annex_type: str | None = None  # normative | informative (annexes only)
    page: int | None = None
    blocks: list[Block] = field(default_factory=list)
    children: list["Clause"] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return ("annex-" if self.kind == "annex" else "clause-") + self.number

    def walk(self) -> Iterator["Clause"]:
        yield self
        for child in self.children:
            yield from child.walk()

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass
class Section:
    """An unnumbered element: 前言, 引言, 参考文献."""

    title: str
    blocks: list[Block] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass
class Term:
    """An entry of 术语和定义."""

    number: str
    zh: str
    en: str | None = None
    abbreviation: str | None = None
    definition: str | None = None
    notes: list[str] = field(default_factory=list)
    source: str | None = None  # the text inside [来源：…]


@dataclass
class Reference:
    """A normative reference (规范性引用文件)."""

    number: str  # canonical form as printed by catalogue.numbers (or the raw text if it did not parse)
    title: str | None = None
    dated: bool = False
    all_parts: bool = False
    year: int | None = None
    undated_number: str | None = None
    parsed: bool = True
    raw: str = ""


@dataclass
class Table:
    number: str  # "1", "A.1"
    caption: str | None = None
    unit: str | None = None  # "mg/m³" from 单位：…
    clause: str | None = None
    page: int | None = None
    header: list[list[str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = "cells"  # cells (a real grid) | lines (rebuilt from flattened lines)
    # merged cells as [row, col, rowspan, colspan], rows counted over header + rows; a merged cell's text is
    # still repeated in every position it covers (readers of the grid need not know about spans)
    spans: list[list[int]] = field(default_factory=list)


@dataclass
class Provision:
    """A sentence classified by verbal form (GB/T 1.1—2020 附录 C)."""

    clause: str | None
    text: str
    kind: str  # requirement | recommendation | permission | statement | instruction
    forms: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)  # 必须, 严禁, 不可 …


@dataclass
class Limit:
    """A limit value as data. ``value`` is a number, or ``[low, high]`` when ``comparator == 'range'``."""

    parameter: str
    comparator: str  # <= | < | >= | > | range | =
    value: Any
    unit: str | None
    condition: dict[str, Any] = field(default_factory=dict)


@dataclass
class StandardDocument:
    metadata: Metadata = field(default_factory=Metadata)
    foreword: Section | None = None
    introduction: Section | None = None
    clauses: list[Clause] = field(default_factory=list)
    annexes: list[Clause] = field(default_factory=list)
    bibliography: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    provisions: list[Provision] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)

    def walk(self) -> Iterator[Clause]:
        for clause in self.clauses:
            yield from clause.walk()
        for annex in self.annexes:
            yield from annex.walk()

    def clause_numbers(self) -> list[str]:
        return [c.number for c in self.walk()]

    def find(self, number: str) -> Clause | None:
        for clause in self.walk():
            if clause.number == number:
                return clause
        return None

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self)
        data["schema"] = SCHEMA_VERSION
        return data

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StandardDocument":
        """The inverse of ``to_dict()``: a stored parse (JSON) back as objects, so stored texts can be compared
        without parsing the file again. Keys this version does not know are ignored."""
        def many(kind, items):
            return [kind(**_known(kind, item)) for item in items or []]

        def clause(item: dict[str, Any]) -> Clause:
            values = _known(Clause, item)
            values["blocks"] = many(Block, item.get("blocks"))
            values["children"] = [clause(child) for child in item.get("children") or []]
            return Clause(**values)

        def section(item: dict[str, Any] | None) -> Section | None:
            if not item:
                return None
            return Section(title=item.get("title", ""), blocks=many(Block, item.get("blocks")))

        return cls(
            metadata=Metadata(**_known(Metadata, data.get("metadata") or {})),
            foreword=section(data.get("foreword")),
            introduction=section(data.get("introduction")),
            clauses=[clause(c) for c in data.get("clauses") or []],
            annexes=[clause(c) for c in data.get("annexes") or []],
            bibliography=list(data.get("bibliography") or []),
            terms=many(Term, data.get("terms")),
            references=many(Reference, data.get("references")),
            tables=many(Table, data.get("tables")),
            provisions=many(Provision, data.get("provisions")),
            limits=many(Limit, data.get("limits")),
            warnings=list(data.get("warnings") or []),
            source=dict(data.get("source") or {}),
        )


def _known(kind: type, item: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in item.items() if k in names}


def _plain(obj: Any) -> Any:
    if is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def chapter_kind(clause: "Clause") -> str | None:
    """Which of the fixed chapters of GB/T 1.1 a chapter is, by its title: scope, norm-refs or terms."""
    title = clause.title or ""
    if "范围" in title:
        return "scope"
    if re.search(r"规范性引用|引用标准|引用文件", title):
        return "norm-refs"
    if "术语" in title:
        return "terms"
    return None
