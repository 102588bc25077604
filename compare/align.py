"""Clause alignment between two standards (pure: no Django).

Each clause of A and B (flattened with ``walk()``) becomes a bag of features: character bigrams of its CJK
text, jieba words and ASCII words/numbers, weighted by IDF over both documents. Candidates come from an inverted
index over the features of B (plus the clause with the same number), never from all pairs; only candidates are
scored. Traditional Chinese is converted to Simplified (opencc t2s) for comparison; the original is kept.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

PAIR_THRESHOLD = 0.3  # below this a "pair" is noise: both clauses are reported unmatched instead
MULTI_THRESHOLD = 0.45  # an extra partner (one-to-many / many-to-one) must be clearly related, not just similar
TOP_K = 12  # candidates scored per clause of A; the best pair is almost always among the first few
STRUCTURE_WEIGHT = 0.1  # number agreement is a hint, text decides
SHORT_BODY = 30  # characters
SHORT_BODY_TITLE_WEIGHT = 0.5

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)*")
_converter = None
_jieba = None


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters whose presence means t2s may change a text: the converting characters of opencc's t2s
    dictionaries, and the changed characters of its phrases (瞭 in 瞭解, 覆 in 答覆 convert only inside phrases)."""
    import opencc

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
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


def _words(text: str) -> list[str]:
    global _jieba
    if _jieba is None:
        import logging

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
    """One clause as compared: number, original title/text for display, normalised features for scoring."""

    number: str
    title: str
    text: str
    title_features: set[str] = field(default_factory=set, repr=False)
    body_features: set[str] = field(default_factory=set, repr=False)

    @property
    def norm_key(self) -> str:
        return self.number.strip().rstrip(".")


def clause_views(doc: Any) -> list[ClauseView]:
    views = []
    for clause in doc.walk():
        title = clause.title or ""
        text = clause.text()
        views.append(ClauseView(clause.number, title, text, features(to_simplified(title)),
                                features(to_simplified(text))))
    return views


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


def _dice(x: set[str], y: set[str], idf: dict[str, float]) -> float:
    if not x and not y:
        return 1.0
    if not x or not y:
        return 0.0
    common = x & y
    if not common:
        return 0.0
    num = 2 * sum(idf[f] for f in common)
    den = sum(idf[f] for f in x) + sum(idf[f] for f in y)
    return num / den


def score_pair(a: ClauseView, b: ClauseView, idf: dict[str, float]) -> float:
    """Similarity in [0, 1]: text (body and heading) decides; number agreement adds a small bonus."""
    if a.norm_key == b.norm_key and a.title == b.title and a.text == b.text:
        return 1.0  # identical clauses, even ones without any scorable text (a bare heading number)
    has_body = bool(a.body_features or b.body_features)
    has_title = bool(a.title_features or b.title_features)
    if has_body and has_title:
        # a one-line body (a term's definition) says less than the heading that names the term
        wt = SHORT_BODY_TITLE_WEIGHT if min(len(a.text), len(b.text)) < SHORT_BODY else 0.3
        text = (1 - wt) * _dice(a.body_features, b.body_features, idf) + wt * _dice(a.title_features,
                                                                                  b.title_features, idf)
    elif has_body:
        text = _dice(a.body_features, b.body_features, idf)
    elif has_title:
        text = _dice(a.title_features, b.title_features, idf)
    else:
        text = 0.0  # two empty clauses say nothing about each other
    structure = 1.0 if a.norm_key == b.norm_key else 0.0
    return round(max(0.0, min(1.0, (1 - STRUCTURE_WEIGHT) * text + STRUCTURE_WEIGHT * structure)), 4)


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


def align_views(va: list[ClauseView], vb: list[ClauseView]) -> Alignment:
    idf = _idf(va + vb)
    cands = _candidates(va, vb, idf)
    scored: list[tuple[float, int, int]] = []
    for i, js in cands.items():
        for j in js:
            s = score_pair(va[i], vb[j], idf)
            if s >= PAIR_THRESHOLD:
                scored.append((s, i, j))
    # greedy by score is close to the optimal assignment here because good pairs are far above the rest
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_a: dict[int, int] = {}
    used_b: dict[int, int] = {}
    pairs: list[tuple[int, int, float, str]] = []
    for s, i, j in scored:
        if i in used_a or j in used_b:
            continue
        used_a[i] = j
        used_b[j] = i
        pairs.append((i, j, s, "one_to_one"))
    extra_a: set[int] = set()
    extra_b: set[int] = set()
    for s, i, j in scored:
        if s < MULTI_THRESHOLD:
            break
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
