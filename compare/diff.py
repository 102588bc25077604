"""Inline differences (差异标注) and the rows of the side-by-side comparison page (对照比较) (pure: no Django).

``inline_diff`` marks, on each side, what is the same and what changed; ``side_by_side_rows`` lays the clauses of
A and B out in reading order from an alignment dict (``Alignment.to_dict()``), every clause at least once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Iterator, NamedTuple

from .align import to_simplified

# SequenceMatcher without autojunk is roughly quadratic on CJK text (few distinct characters, many repeats): above
# 4 000 × 4 000 characters a clause pair is first diffed sentence by sentence, then by characters within the
# sentences that changed
LONG_TEXT = 4000
# a run of this many equal characters between two changes is absorbed into the change, so that "3 类 0" does not
# read as three highlights where the reader sees one changed phrase
ISLAND = 1
_NUMERIC = set("0123456789.")
_UNIT_END = re.compile(r"[^。！？；!?;\n]*[。！？；!?;\n]|[^。！？；!?;\n]+")


class Segment(NamedTuple):
    """A piece of one side's text: ``same`` as the other side, or ``changed`` (on A: deleted or replaced
    relative to B; on B: inserted or replacing)."""

    text: str
    kind: str  # same | changed


def _comparable(text: str) -> str:
    """The form a text is compared in, of the same length as ``text`` so offsets map back to the original:
    Simplified script (only when opencc kept the length) and full-width folded character by character."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        simplified = text
    out = []
    for ch in simplified:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def _tag(i1: int, i2: int, j1: int, j2: int) -> str:
    if i2 > i1 and j2 > j1:
        return "replace"
    return "delete" if i2 > i1 else "insert"


def _char_ops(ca: str, cb: str, ao: int = 0, bo: int = 0, autojunk: bool = False) -> list[list[Any]]:
    sm = SequenceMatcher(None, ca, cb, autojunk=autojunk)
    return [[t, i1 + ao, i2 + ao, j1 + bo, j2 + bo] for t, i1, i2, j1, j2 in sm.get_opcodes()]


def _unit_offsets(text: str) -> list[int]:
    """Start offsets of the sentences/lines of ``text`` plus its length: a partition of the whole string."""
    offsets = [m.start() for m in _UNIT_END.finditer(text)]
    return offsets + [len(text)]


def _ops(ca: str, cb: str) -> list[list[Any]]:
    if len(ca) * len(cb) <= LONG_TEXT * LONG_TEXT:
        return _char_ops(ca, cb)
    oa, ob = _unit_offsets(ca), _unit_offsets(cb)
    ua = [ca[oa[k]:oa[k + 1]] for k in range(len(oa) - 1)]
    ub = [cb[ob[k]:ob[k + 1]] for k in range(len(ob) - 1)]
    ops: list[list[Any]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ua, ub, autojunk=False).get_opcodes():
        a0, a1, b0, b1 = oa[i1], oa[i2], ob[j1], ob[j2]
        if tag == "replace":
            # a replaced block still too long (a page without punctuation) gets difflib's junk heuristic: fast,
            # finds the long common runs, may mark more than the minimum as changed
            ops.extend(_char_ops(ca[a0:a1], cb[b0:b1], a0, b0,
                                 autojunk=(a1 - a0) * (b1 - b0) > LONG_TEXT * LONG_TEXT))
        else:
            ops.append([tag, a0, a1, b0, b1])
    return ops


def _coalesce(ops: list[list[Any]]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for op in ops:
        if op[2] <= op[1] and op[4] <= op[3]:
            continue
        if out and (out[-1][0] == "equal") == (op[0] == "equal"):
            last = out[-1]
            last[2], last[4] = op[2], op[4]
            if last[0] != "equal":
                last[0] = _tag(last[1], last[2], last[3], last[4])
            continue
        out.append(list(op))
    return out


def _starts_numeric(op: list[Any], ca: str, cb: str) -> bool:
    return (op[2] > op[1] and ca[op[1]].isdigit()) or (op[4] > op[3] and cb[op[3]].isdigit())


def _ends_numeric(op: list[Any], ca: str, cb: str) -> bool:
    return (op[2] > op[1] and ca[op[2] - 1].isdigit()) or (op[4] > op[3] and cb[op[4] - 1].isdigit())


def _whole_numbers(ops: list[list[Any]], ca: str, cb: str) -> list[list[Any]]:
    """Widen a change that cuts through a number to the whole number: 30 vs 50 is highlighted as 30 / 50, not 3 / 5."""
    for k, op in enumerate(ops):
        if op[0] != "equal":
            continue
        if k + 1 < len(ops) and _starts_numeric(ops[k + 1], ca, cb):
            t = 0
            while op[2] - t > op[1] and ca[op[2] - t - 1] in _NUMERIC:
                t += 1
            if t:
                nxt = ops[k + 1]
                op[2] -= t
                op[4] -= t
                nxt[1] -= t
                nxt[3] -= t
                nxt[0] = _tag(nxt[1], nxt[2], nxt[3], nxt[4])
        if k > 0 and ops[k - 1][0] != "equal" and _ends_numeric(ops[k - 1], ca, cb):
            t = 0
            while op[1] + t < op[2] and ca[op[1] + t] in _NUMERIC:
                t += 1
            if t and ca[op[1] + t - 1] == "." and not (op[1] + t < op[2] and ca[op[1] + t].isdigit()):
                t -= 1  # "…为30." ends a sentence: the full stop is not part of the number
            if t:
                prev = ops[k - 1]
                op[1] += t
                op[3] += t
                prev[2] += t
                prev[4] += t
                prev[0] = _tag(prev[1], prev[2], prev[3], prev[4])
    return _coalesce(ops)


def _absorb_islands(ops: list[list[Any]]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for op in ops:
        out.append(list(op))
        while (len(out) >= 3 and out[-1][0] != "equal" and out[-2][0] == "equal" and out[-3][0] != "equal"
               and out[-2][2] - out[-2][1] <= ISLAND):
            right = out.pop()
            out.pop()
            left = out.pop()
            out.append([_tag(left[1], right[2], left[3], right[4]), left[1], right[2], left[3], right[4]])
    return out


def _segments(text: str, ops: list[list[Any]], side: str) -> list[Segment]:
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in ops:
        start, end = (i1, i2) if side == "a" else (j1, j2)
        if end <= start:
            continue
        kind = "same" if tag == "equal" else "changed"
        if segments and segments[-1].kind == kind:
            segments[-1] = Segment(segments[-1].text + text[start:end], kind)
        else:
            segments.append(Segment(text[start:end], kind))
    return segments


def inline_diff(a_text: str, b_text: str) -> tuple[list[Segment], list[Segment]]:
    """A's and B's text cut into same/changed segments; each side's segments concatenate to its original text.

    Traditional and Simplified script, and full- and half-width forms, count as the same; the segments are sliced
    from the original strings, so the page shows each text as printed.
    """
    a_text, b_text = a_text or "", b_text or ""
    if a_text == b_text:
        return ([Segment(a_text, "same")] if a_text else []), ([Segment(b_text, "same")] if b_text else [])
    ca, cb = _comparable(a_text), _comparable(b_text)
    ops = _coalesce(_ops(ca, cb))
    ops = _coalesce(_absorb_islands(_whole_numbers(ops, ca, cb)))
    return _segments(a_text, ops, "a"), _segments(b_text, ops, "b")


# ---------------------------------------------------------------------------------------------------------------
# Side-by-side rows
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class ClauseSide:
    """One clause as shown in a column of the page."""

    number: str
    title: str
    text: str
    level: int
    depth: int  # nesting in the clause tree, 0 for a chapter or an annex
    kind: str  # chapter | clause | annex
    anchor: str
    position: int = 0  # index in the document's walk order, unique even when a number is printed twice

    @property
    def display_text(self) -> str:
        """Heading and body as one string: what the segments of a row are cut from."""
        if self.title and self.text:
            return f"{self.title}\n{self.text}"
        return self.title or self.text

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title, "text": self.text, "level": self.level,
                "depth": self.depth, "kind": self.kind, "anchor": self.anchor, "position": self.position}


@dataclass
class Row:
    """One row of the side-by-side page: a clause of A, of B, or a pair, with the differences marked."""

    a_clause: ClauseSide | None
    b_clause: ClauseSide | None
    score: float | None
    kind: str  # one_to_one | one_to_many | many_to_one | only_a | only_b
    a_segments: list[Segment] = field(default_factory=list)
    b_segments: list[Segment] = field(default_factory=list)
    a_repeated: bool = False  # A's clause was already shown in an earlier row (one clause of A, several of B)
    b_repeated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a_clause.to_dict() if self.a_clause else None,
            "b": self.b_clause.to_dict() if self.b_clause else None,
            "score": self.score,
            "kind": self.kind,
            "a_segments": [{"text": s.text, "kind": s.kind} for s in self.a_segments],
            "b_segments": [{"text": s.text, "kind": s.kind} for s in self.b_segments],
            "a_repeated": self.a_repeated,
            "b_repeated": self.b_repeated,
        }


def _walk(doc: Any) -> Iterator[tuple[Any, int]]:
    """The clauses in the order of ``doc.walk()`` (which the alignment numbers come from), with their depth."""

    def down(clause: Any, depth: int) -> Iterator[tuple[Any, int]]:
        yield clause, depth
        for child in getattr(clause, "children", None) or []:
            yield from down(child, depth + 1)

    if hasattr(doc, "clauses"):
        for clause in list(doc.clauses) + list(getattr(doc, "annexes", None) or []):
            yield from down(clause, 0)
    else:
        for clause in doc.walk():
            yield clause, 0


def _sides(doc: Any) -> list[ClauseSide]:
    out = []
    for position, (clause, depth) in enumerate(_walk(doc)):
        kind = getattr(clause, "kind", "clause")
        number = clause.number
        anchor = getattr(clause, "anchor", None) or (("annex-" if kind == "annex" else "clause-") + number)
        out.append(ClauseSide(number, clause.title or "", clause.text(), getattr(clause, "level", 1), depth, kind,
                              anchor, position))
    return out


def _first_index(sides: list[ClauseSide]) -> dict[str, int]:
    # the alignment names clauses by number; a number printed twice (a parsing slip) refers to its first clause,
    # and the other one is shown on a row of its own
    index: dict[str, int] = {}
    for k, side in enumerate(sides):
        index.setdefault(side.number, k)
    return index


def _row(a: ClauseSide | None, b: ClauseSide | None, score: float | None, kind: str) -> Row:
    if a is not None and b is not None:
        sa, sb = inline_diff(a.display_text, b.display_text)
    else:
        # a clause with no counterpart is wholly a change: deleted (A) or inserted (B) relative to the other side
        sa = [Segment(a.display_text, "changed")] if a is not None and a.display_text else []
        sb = [Segment(b.display_text, "changed")] if b is not None and b.display_text else []
    return Row(a, b, score, kind, sa, sb)


def side_by_side_rows(a_doc: Any, b_doc: Any, alignment: dict[str, Any]) -> list[Row]:
    """The rows of the page in A's reading order; B's unpaired clauses follow the nearest preceding clause of B
    already shown (or come first). Every clause of A and of B appears at least once."""
    sa, sb = _sides(a_doc), _sides(b_doc)
    ia, ib = _first_index(sa), _first_index(sb)
    by_a: dict[int, list[tuple[int, float, str]]] = {}
    for pair in alignment.get("pairs") or []:
        i, j = ia.get(pair.get("a")), ib.get(pair.get("b"))
        if i is None or j is None:
            continue  # a pair naming a clause the documents do not have: nothing to show
        by_a.setdefault(i, []).append((j, float(pair.get("score") or 0.0), pair.get("kind") or "one_to_one"))

    # A-driven rows, each with the only-B rows that will follow it
    rows: list[tuple[Row, list[Row]]] = []
    first_row_of_b: dict[int, int] = {}
    for i, a in enumerate(sa):
        pairs = sorted(by_a.get(i, []), key=lambda p: (-p[1], p[0]))
        if not pairs:
            rows.append((_row(a, None, None, "only_a"), []))
            continue
        for j, score, kind in pairs:
            first_row_of_b.setdefault(j, len(rows))
            rows.append((_row(a, sb[j], score, kind), []))

    top: list[Row] = []
    anchor: int | None = None  # the A-driven row of the nearest preceding clause of B already shown
    for j, b in enumerate(sb):
        if j in first_row_of_b:
            anchor = first_row_of_b[j]
            continue
        # appended in B's order, so consecutive unpaired clauses of B keep their order after the same row
        (top if anchor is None else rows[anchor][1]).append(_row(None, b, None, "only_b"))

    ordered = top + [r for row, after in rows for r in [row, *after]]
    seen_a: set[int] = set()
    seen_b: set[int] = set()
    for row in ordered:
        if row.a_clause is not None:
            row.a_repeated = id(row.a_clause) in seen_a
            seen_a.add(id(row.a_clause))
        if row.b_clause is not None:
            row.b_repeated = id(row.b_clause) in seen_b
            seen_b.add(id(row.b_clause))
    return ordered
