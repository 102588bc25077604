"""Small builders of StandardDocuments for the compare tests (no parsing, no Django)."""

from __future__ import annotations

from smart.model import Block, Clause, Limit, Metadata, Reference, StandardDocument, Term


def doc(clauses: list[tuple[str, str, str]], number: str = "DB44/ 1—2020", title: str = "测试标准",
        limits: list[Limit] | None = None, terms: list[Term] | None = None,
        references: list[Reference] | None = None) -> StandardDocument:
    """A flat document from (number, title, text) triples; children are not needed for walk()-based code."""
    return StandardDocument(
        metadata=Metadata(number=number, title_zh=title),
        clauses=[Clause(number=n, title=t or None, blocks=[Block("paragraph", x)] if x else []) for n, t, x in clauses],
        limits=limits or [],
        terms=terms or [],
        references=references or [],
    )


def limit(parameter: str, comparator: str, value, unit: str | None = "mg/m³", **condition) -> Limit:
    return Limit(parameter, comparator, value, unit, dict(condition))
