"""Clause alignment (条款对齐) between two standards (pure: no Django).

Each clause of A and B (flattened with ``walk()``) becomes a bag of features: character bigrams of its CJK
text, jieba words and ASCII words/numbers, weighted by IDF over both documents. Candidates come from an inverted
index over the features of B (plus the clause with the same number, and the children of pairs already made), never
from all pairs; only candidates are scored. The assignment then weighs the structure: a pair inside paired parents,
or holding paired children, is preferred, and one that would cross a pair already made is held back.
Traditional Chinese is converted to Simplified (opencc t2s) for comparison; the original is kept.
See docs/compare.md § 1 for the exact rules.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

import opencc

PAIR_THRESHOLD = 0.3  # score + context below this is noise: both clauses are reported unmatched instead
MULTI_THRESHOLD = 0.45  # an extra partner (one-to-many / many-to-one) must be clearly related, not just similar
TOP_K = 12  # candidates scored per clause of A; the best pair is almost always among the first few
STRUCTURE_WEIGHT = 0.1  # number agreement is a hint, text decides
SHORT_BODY = 30  # characters
SHORT_BODY_TITLE_WEIGHT = 0.5
# The structure is worth as much as number agreement either way: a hint that decides between near texts, never
# against a clear one.
CONTEXT_BONUS = 0.1  # both parents paired with each other
CONTEXT_PENALTY = 0.1  # the pair would cross the nesting of a pair already made
CHILDREN_WEIGHT = 0.3  # times the Dice share of children paired with each other: all of them lift an empty pair to 0.3

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)*")
_ANNEX_NUMBER = re.compile(r"[A-Z](?:\.\d+)*")
_converter = None
_jieba = None


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters whose presence means t2s may change a text: the converting characters of opencc's t2s
    dictionaries, and the changed characters of its phrases (瞭 in 瞭解, 覆 in 答覆 convert only inside phrases)."""
    out: set[str] = set()
    folder = Path(opencc.__file__).parent / "dictionary"
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if "\t" not in line:
                continue
            key, values = line.split("\t", 1)
            value = values.split(" ")[0]
            if key == value:
                continue
            if len(key) == len(value):
                out.update(k for k, v in zip(key, value) if k != v)
            else:
                out.update(key)
    return frozenset(out)


def to_simplified(text: str) -> str:
    """Traditional → Simplified with opencc; text without any Traditional character is returned as it is, because
    the pure-Python opencc costs about 2 µs a character and the check a fraction of that."""
    global _converter
    if not text:
        return ""
    if _traditional_chars().isdisjoint(text):
        return text
    if _converter is None:
        _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


def _words(text: str) -> list[str]:
    global _jieba
    if _jieba is None:
        # deferred: jieba takes about 0.35 s to import (measured); a process that never compares texts (a web
        # worker serving pages, a command) need not pay it
        import jieba

        jieba.setLogLevel(logging.ERROR)
        _jieba = jieba
    # HMM off: new-word guessing costs time and adds unstable tokens; bigrams already cover unknown words
    return [w for w in _jieba.lcut(text, HMM=False) if len(w) >= 2 and _CJK_RUN.fullmatch(w)]


def features(text: str) -> set[str]:
    """The comparable features of a normalised text: CJK bigrams, jieba words, ASCII words and numbers."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    out.update("w:" + w for w in _words(text))
    out.update("a:" + w.lower() for w in _ASCII_WORD.findall(text))
    return out


@dataclass
class ClauseView:
    """One clause as compared: number, original title/text for display, normalised features for scoring, and its
    place in the tree."""

    number: str
    title: str
    text: str
    title_features: set[str] = field(default_factory=set, repr=False)
    body_features: set[str] = field(default_factory=set, repr=False)
    parent: int | None = None  # index of the enclosing clause in the same list; None for a chapter or an annex
    in_annex: bool = False

    @property
    def norm_key(self) -> str:
        return self.number.strip().rstrip(".")


def clause_views(doc: Any) -> list[ClauseView]:
    clauses = list(doc.walk())
    views = []
    for clause in clauses:
        title = clause.title or ""
        text = clause.text()
        views.append(ClauseView(clause.number, title, text, features(to_simplified(title)),
                                features(to_simplified(text))))
    for k, parent in enumerate(_parents(clauses)):
        views[k].parent = parent
        views[k].in_annex = (getattr(clauses[k], "kind", "") == "annex" or bool(_ANNEX_NUMBER.fullmatch(
            views[k].norm_key)) or (parent is not None and views[parent].in_annex))
    return views


def _parents(clauses: list[Any]) -> list[int | None]:
    """The enclosing clause of each clause: from the tree (``children``) where there is one, else from the number
    ("5.2.1" is inside the nearest "5.2" or "5" before it), so flat documents get the same structure."""
    where = {id(c): k for k, c in enumerate(clauses)}
    parent: list[int | None] = [None] * len(clauses)
    for k, clause in enumerate(clauses):
        for child in getattr(clause, "children", None) or ():
            if id(child) in where:
                parent[where[id(child)]] = k
    last: dict[str, int] = {}
    for k, clause in enumerate(clauses):
        key = clause.number.strip().rstrip(".")
        if parent[k] is None:
            parts = key.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                if (p := last.get(".".join(parts[:cut]))) is not None:
                    parent[k] = p
                    break
        last[key] = k
    return parent


@dataclass
class ClausePair:
    a: str
    b: str
    score: float
    kind: str  # one_to_one | one_to_many | many_to_one
    a_title: str = ""
    b_title: str = ""


@dataclass
class Alignment:
    pairs: list[ClausePair]
    unmatched_a: list[str]
    unmatched_b: list[str]
    clauses_a: int
    clauses_b: int

    def summary(self) -> dict[str, Any]:
        scores = [p.score for p in self.pairs]
        return {
            "clauses_a": self.clauses_a,
            "clauses_b": self.clauses_b,
            "pairs": len(self.pairs),
            "one_to_one": sum(1 for p in self.pairs if p.kind == "one_to_one"),
            "one_to_many": sum(1 for p in self.pairs if p.kind == "one_to_many"),
            "many_to_one": sum(1 for p in self.pairs if p.kind == "many_to_one"),
            "unmatched_a": len(self.unmatched_a),
            "unmatched_b": len(self.unmatched_b),
            "mean_score": round(sum(scores) / len(scores), 4) if scores else 0.0,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "pairs": [asdict(p) for p in self.pairs],
                "unmatched_a": self.unmatched_a, "unmatched_b": self.unmatched_b}


def _idf(views: Iterable[ClauseView]) -> dict[str, float]:
    df: dict[str, int] = defaultdict(int)
    n = 0
    for v in views:
        n += 1
        for f in v.title_features | v.body_features:
            df[f] += 1
    return {f: math.log(1 + n / c) for f, c in df.items()}


def _dice(x: set[str], y: set[str], idf: dict[str, float], weights: dict[int, float] | None = None) -> float:
    """IDF-weighted Dice; ``weights`` holds the weight of feature sets already summed (by ``id``)."""
    if not x and not y:
        return 1.0
    if not x or not y:
        return 0.0
    common = x & y
    if not common:
        return 0.0
    num = 2 * sum(idf[f] for f in common)
    weights = weights or {}
    wx, wy = weights.get(id(x)), weights.get(id(y))
    den = (sum(idf[f] for f in x) if wx is None else wx) + (sum(idf[f] for f in y) if wy is None else wy)
    return num / den


def _set_weights(views: Iterable[ClauseView], idf: dict[str, float]) -> dict[int, float]:
    out = {}
    for v in views:
        for x in (v.title_features, v.body_features):
            out[id(x)] = sum(idf[f] for f in x)
    return out


def score_pair(a: ClauseView, b: ClauseView, idf: dict[str, float], weights: dict[int, float] | None = None) -> float:
    """Similarity in [0, 1]: text (body and heading) decides; number agreement adds a small bonus."""
    if a.norm_key == b.norm_key and a.title == b.title and a.text == b.text:
        return 1.0  # identical clauses, even ones without any scorable text (a bare heading number)
    has_body = bool(a.body_features or b.body_features)
    has_title = bool(a.title_features or b.title_features)
    if _only_heading(a) and _only_body(b) or _only_body(a) and _only_heading(b):
        # a heading with nothing under it (污泥控制标准) against a bare paragraph: the heading is all one says and the
        # body all the other says, so they are compared with each other instead of each with nothing
        text = _dice(a.title_features | a.body_features, b.title_features | b.body_features, idf)
    elif has_body and has_title:
        # a one-line body (a term's definition) says less than the heading that names the term
        wt = SHORT_BODY_TITLE_WEIGHT if min(len(a.text), len(b.text)) < SHORT_BODY else 0.3
        text = ((1 - wt) * _dice(a.body_features, b.body_features, idf, weights)
                + wt * _dice(a.title_features, b.title_features, idf, weights))
    elif has_body:
        text = _dice(a.body_features, b.body_features, idf, weights)
    elif has_title:
        text = _dice(a.title_features, b.title_features, idf, weights)
    else:
        text = 0.0  # two empty clauses say nothing about each other
    structure = 1.0 if a.norm_key == b.norm_key else 0.0
    return round(max(0.0, min(1.0, (1 - STRUCTURE_WEIGHT) * text + STRUCTURE_WEIGHT * structure)), 4)


def _only_heading(v: ClauseView) -> bool:
    return bool(v.title_features) and not v.body_features


def _only_body(v: ClauseView) -> bool:
    return bool(v.body_features) and not v.title_features


def _candidates(va: list[ClauseView], vb: list[ClauseView], idf: dict[str, float]) -> dict[int, list[int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for j, v in enumerate(vb):
        for f in v.title_features | v.body_features:
            index[f].append(j)
    # a feature in most clauses of B ("标准", "应") adds work without telling clauses apart
    cap = max(20, len(vb) // 10)
    by_number: dict[str, list[int]] = defaultdict(list)
    for j, v in enumerate(vb):
        by_number[v.norm_key].append(j)
    out: dict[int, list[int]] = {}
    for i, v in enumerate(va):
        acc: dict[int, float] = defaultdict(float)
        for f in v.title_features | v.body_features:
            posting = index.get(f)
            if posting and len(posting) <= cap:
                w = idf[f]
                for j in posting:
                    acc[j] += w
        best = sorted(acc, key=lambda j: (-acc[j], j))[:TOP_K]
        for j in by_number.get(v.norm_key, ()):
            if j not in best:
                best.append(j)
        out[i] = best
    return out


def _children(views: list[ClauseView]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for k, v in enumerate(views):
        if v.parent is not None:
            out[v.parent].append(k)
    return out


def _lineage(views: list[ClauseView]) -> tuple[list[frozenset[int]], list[list[int]]]:
    """Ancestors and descendants of every clause (indices)."""
    up: list[frozenset[int]] = []
    down: list[list[int]] = [[] for _ in views]
    for k, v in enumerate(views):
        chain: list[int] = []
        p = v.parent
        while p is not None and p not in chain and len(chain) < len(views):
            chain.append(p)
            down[p].append(k)
            p = views[p].parent
        up.append(frozenset(chain))
    return up, down


def _nearest(rank: int, count: int, others: list[int], limit: int) -> list[int]:
    """At most ``limit`` of ``others`` around the same relative place as ``rank`` of ``count``: siblings keep
    their order more often than not, and a long chapter must not make its children compare all with all."""
    if len(others) <= limit:
        return others
    centre = (rank + 0.5) * len(others) / count
    start = max(0, min(len(others) - limit, round(centre - limit / 2)))
    return others[start:start + limit]


class _Assignment:
    """The greedy one-to-one assignment by priority = score + context, where the context of a pair is what the
    pairs already made say about it (see ``context``). Greedy is close to the optimal assignment here because good
    pairs are far above the rest. A pair's context changes only when a neighbour in the tree is paired: a rise is
    pushed onto the heap at once, a fall is found when the pair comes up and it goes back in with its new value."""

    def __init__(self, va: list[ClauseView], vb: list[ClauseView], idf: dict[str, float]):
        self.va, self.vb, self.idf = va, vb, idf
        self.kids_a, self.kids_b = _children(va), _children(vb)
        self.up_a, self.down_a = _lineage(va)
        self.up_b, self.down_b = _lineage(vb)
        self.weights = _set_weights(va + vb, idf)
        self.scores: dict[tuple[int, int], float] = {}
        self.used_a: dict[int, int] = {}
        self.used_b: dict[int, int] = {}
        self.heap: list[tuple[float, int, int]] = []

    def score(self, i: int, j: int) -> float:
        if (i, j) not in self.scores:
            self.scores[i, j] = score_pair(self.va[i], self.vb[j], self.idf, self.weights)
        return self.scores[i, j]

    def context(self, i: int, j: int) -> float:
        """A bonus when the parents of ``i`` and ``j`` are paired with each other, and one growing with the share
        of their children paired with each other (a chapter heading says little, what it holds says more); a
        penalty when the pair would break the nesting of a pair already made: an ancestor of one paired with a
        clause that is not an ancestor of the other, or a descendant paired outside the other. Ancestors, not
        parents, because one standard may nest deeper than the other (A 4.2.5 ↔ B 5.2.2.3 inside A 4.2 ↔ B 5).
        The document itself is no parent: that A and B are compared says nothing about where a chapter goes. A body
        clause against an annex clause crosses nothing: an annex elaborates provisions of the body wherever they
        are."""
        va, vb, used_a = self.va, self.vb, self.used_a
        pa, pb = va[i].parent, vb[j].parent
        out = CONTEXT_BONUS if pa is not None and used_a.get(pa, -1) == pb else 0.0
        ki, kj = self.kids_a.get(i, ()), self.kids_b.get(j, ())
        inside = sum(1 for c in ki if c in used_a and vb[used_a[c]].parent == j)
        if inside:
            out += CHILDREN_WEIGHT * 2 * inside / (len(ki) + len(kj))
        if self.crosses(i, j):
            out -= CONTEXT_PENALTY
        return out

    def crosses(self, i: int, j: int) -> bool:
        if self.va[i].in_annex != self.vb[j].in_annex:
            return False
        used_a, used_b, up_a, up_b = self.used_a, self.used_b, self.up_a, self.up_b
        return (any(p in used_a and used_a[p] not in up_b[j] for p in up_a[i])
                or any(q in used_b and used_b[q] not in up_a[i] for q in up_b[j])
                or any(c in used_a and j not in up_b[used_a[c]] for c in self.down_a[i])
                or any(c in used_b and i not in up_a[used_b[c]] for c in self.down_b[j]))

    def push(self, i: int, j: int) -> None:
        if i not in self.used_a and j not in self.used_b:
            priority = self.score(i, j) + self.context(i, j)
            if priority >= PAIR_THRESHOLD:
                heapq.heappush(self.heap, (-priority, i, j))

    def run(self, cands: dict[int, list[int]]) -> list[tuple[int, int, float]]:
        for i, js in cands.items():
            for j in js:
                if self.score(i, j) >= PAIR_THRESHOLD:
                    self.heap.append((-self.scores[i, j], i, j))
        heapq.heapify(self.heap)
        pairs = []
        while self.heap:
            neg, i, j = heapq.heappop(self.heap)
            if i in self.used_a or j in self.used_b:
                continue
            now = self.scores[i, j] + self.context(i, j)
            if now != -neg:
                self.push(i, j)  # its context fell since it was pushed (a rise was pushed then)
                continue
            self.used_a[i] = j
            self.used_b[j] = i
            pairs.append((i, j, self.scores[i, j]))
            self._neighbours_rise(i, j)
        return pairs

    def _neighbours_rise(self, i: int, j: int) -> None:
        # the children of a new pair are each other's likeliest counterparts, even where the index missed them;
        # those near the same place in their parent are scored, the others only if they were candidates already
        ki, kj = self.kids_a.get(i, []), self.kids_b.get(j, [])
        for rank, ci in enumerate(ki):
            near = set(_nearest(rank, len(ki), kj, TOP_K))
            for cj in kj:
                if cj in near or (ci, cj) in self.scores:
                    self.push(ci, cj)
        pa, pb = self.va[i].parent, self.vb[j].parent
        if pa is not None and pb is not None:
            self.push(pa, pb)


def align_views(va: list[ClauseView], vb: list[ClauseView]) -> Alignment:
    idf = _idf(va + vb)
    assignment = _Assignment(va, vb, idf)
    pairs = [(i, j, s, "one_to_one") for i, j, s in assignment.run(_candidates(va, vb, idf))]
    used_a, used_b = assignment.used_a, assignment.used_b
    extra_a: set[int] = set()
    extra_b: set[int] = set()
    for (i, j), s in sorted(assignment.scores.items(), key=lambda t: (-t[1], t[0])):
        if s < MULTI_THRESHOLD:
            break
        if assignment.crosses(i, j):
            continue  # an extra partner must not cross the pairs of the chapters around it either
        if i in used_a and j not in used_b and j not in extra_b:
            pairs.append((i, j, s, "one_to_many"))
            extra_b.add(j)
        elif j in used_b and i not in used_a and i not in extra_a:
            pairs.append((i, j, s, "many_to_one"))
            extra_a.add(i)
    pairs.sort(key=lambda p: (p[0], p[1]))
    matched_a = set(used_a) | extra_a
    matched_b = set(used_b) | extra_b
    return Alignment(
        pairs=[ClausePair(va[i].number, vb[j].number, s, kind, va[i].title, vb[j].title) for i, j, s, kind in pairs],
        unmatched_a=[v.number for i, v in enumerate(va) if i not in matched_a],
        unmatched_b=[v.number for j, v in enumerate(vb) if j not in matched_b],
        clauses_a=len(va),
        clauses_b=len(vb),
    )


def align(a: Any, b: Any) -> Alignment:
    """Align the clauses of two StandardDocuments (anything with ``walk()`` yielding Clause-like objects)."""
    return align_views(clause_views(a), clause_views(b))
