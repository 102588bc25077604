"""StandardDocument.from_dict is the inverse of to_dict: a stored parse comes back as the same document."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smart.model import Block, Clause, Limit, Metadata, Reference, Section, StandardDocument, Term

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "standards"
text = st.text(alphabet="标准限值排放浓度ab12. （）", max_size=12)


def clauses(depth: int = 2):
    leaf = st.builds(Clause, number=text, title=st.none() | text,
                     blocks=st.lists(st.builds(Block, kind=st.sampled_from(["paragraph", "note"]), text=text),
                                     max_size=2))
    if depth == 0:
        return leaf
    return st.builds(Clause, number=text, title=st.none() | text, children=st.lists(clauses(depth - 1), max_size=2))


documents = st.builds(
    StandardDocument,
    metadata=st.builds(Metadata, number=st.none() | text, title_zh=st.none() | text, ics=st.lists(text, max_size=2)),
    foreword=st.none() | st.builds(Section, title=text, blocks=st.lists(st.builds(Block, kind=st.just("paragraph"),
                                                                                   text=text), max_size=2)),
    clauses=st.lists(clauses(), max_size=3),
    terms=st.lists(st.builds(Term, number=text, zh=text, definition=st.none() | text), max_size=2),
    references=st.lists(st.builds(Reference, number=text, year=st.none() | st.integers(1990, 2030)), max_size=2),
    limits=st.lists(st.builds(Limit, parameter=text, comparator=st.sampled_from(["<=", ">=", "range"]),
                              value=st.floats(0, 1e4) | st.lists(st.floats(0, 14), min_size=2, max_size=2),
                              unit=st.none() | st.just("mg/L"), condition=st.dictionaries(text, text, max_size=2)),
                    max_size=3),
)


@given(documents)
def test_from_dict_gives_back_what_to_dict_wrote(document):
    assert StandardDocument.from_dict(document.to_dict()).to_dict() == document.to_dict()


def test_keys_a_newer_schema_adds_are_ignored():
    data = StandardDocument(clauses=[Clause("1", "范围")]).to_dict()
    data["clauses"][0]["new_field"] = 1
    data["metadata"]["another"] = "x"
    assert StandardDocument.from_dict(data).clauses[0].title == "范围"


@pytest.mark.skipif(not (CORPUS / "DB-44-2159-2019.pdf").exists(), reason="shared corpus not present")
def test_a_real_parse_survives_storage():
    from smart.documents import read_standard_file

    parsed = read_standard_file(CORPUS / "DB-44-2159-2019.pdf")
    again = StandardDocument.from_dict(parsed.to_dict())
    assert again.to_dict() == parsed.to_dict() and again.clause_numbers() == parsed.clause_numbers()
