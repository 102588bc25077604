"""Words for the full-text index and queries against it: jieba segmentation plus CJK character bigrams.

Jieba alone misses words it segments differently in different titles (陶瓷工业大气污染物 → …, 物排放), so every run of
Chinese characters is indexed both as jieba's search-mode words and as overlapping character pairs. A query word
matches either itself or all its pairs, which finds two-character words such as 陶瓷 or 荔枝 anywhere in a title.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[0-9a-z]+(?:[.'][0-9a-z]+)*")
_TOKEN_SAFE = re.compile(r"^[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")

_jieba = None


def _segmenter():
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


@lru_cache(maxsize=200_000)
def _jieba_words(run: str) -> tuple[str, ...]:
    # Runs repeat across a catalogue (authorities, organisations, 技术规范, 排放标准 …): segment each once.
    return tuple(w for w in _segmenter().cut_for_search(run, HMM=False) if len(w) > 1)


def index_words(*texts: str | None, segmented: int = 2) -> str:
    """The space-separated words to index for these texts. The first `segmented` texts (the titles) get jieba's
    words and character pairs; the rest (scope, organisations) character pairs only, which every query word also
    matches and which cost a fraction of segmentation on long text."""
    words: dict[str, None] = {}
    for position, text in enumerate(texts):
        if not text:
            continue
        folded = _fold(text)
        for run in _CJK_RUN.findall(folded):
            if len(run) == 1:
                words[run] = None
                continue
            if position < segmented:
                for w in _jieba_words(run):
                    words[w] = None
            for b in _bigrams(run):
                words[b] = None
        for w in _LATIN_WORD.findall(_CJK_RUN.sub(" ", folded)):
            for piece in w.replace("'", ".").split("."):
                if piece:
                    words[piece] = None
    return " ".join(words)


@dataclass(frozen=True)
class Term:
    """One query word: matched as itself, or (for Chinese) as all of its character pairs; `prefix` for one character."""

    word: str
    pairs: tuple[str, ...] = ()
    prefix: bool = False


@dataclass
class WordQuery:
    terms: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: every term must match."""
        return " AND ".join(self.fts5_terms())

    def fts5_any(self) -> str:
        """An FTS5 MATCH expression: at least one term matches."""
        return " OR ".join(self.fts5_terms())

    def fts5_terms(self) -> list[str]:
        """One FTS5 MATCH expression per term."""
        parts = []
        for t in self.terms:
            if t.prefix:
                parts.append(f'"{t.word}"*')
            elif t.pairs:
                pairs = " AND ".join(f'"{p}"' for p in t.pairs)
                parts.append(f'("{t.word}" OR ({pairs}))')
            else:
                parts.append(f'"{t.word}"')
        return parts

    def tsquery(self) -> str:
        """A PostgreSQL tsquery literal with the same meaning (cast, not parsed: lexemes are taken verbatim)."""
        return " & ".join(self.tsquery_terms())

    def tsquery_any(self) -> str:
        """A tsquery literal: at least one term matches."""
        return " | ".join(self.tsquery_terms())

    def tsquery_terms(self) -> list[str]:
        """One tsquery literal per term."""
        parts = []
        for t in self.terms:
            if t.prefix:
                parts.append(f"'{t.word}':*")
            elif t.pairs:
                pairs = " & ".join(f"'{p}'" for p in t.pairs)
                parts.append(f"('{t.word}' | ({pairs}))")
            else:
                parts.append(f"'{t.word}'")
        return parts


@lru_cache(maxsize=1024)
def parse_words(text: str) -> WordQuery:
    """Turn what a user typed into query terms (Chinese segmented by jieba, Latin words prefix-matched)."""
    seg = _segmenter()
    folded = _fold(text)
    terms: dict[Term, None] = {}
    for run in _CJK_RUN.findall(folded):
        if len(run) == 1:
            terms[Term(run, prefix=True)] = None
            continue
        words = [w for w in seg.cut(run, HMM=False)]
        # A lone character between words (…的…) is glued to nothing useful: keep it only through its pair.
        for w in words:
            if len(w) == 1:
                continue
            terms[Term(w, pairs=tuple(_bigrams(w)) if len(w) > 2 else ())] = None
        if all(len(w) == 1 for w in words):
            terms[Term(run, pairs=tuple(_bigrams(run)) if len(run) > 2 else ())] = None
    for w in _LATIN_WORD.findall(_CJK_RUN.sub(" ", folded)):
        for piece in w.replace("'", ".").split("."):
            if piece and _TOKEN_SAFE.match(piece):
                terms[Term(piece, prefix=len(piece) >= 3 and not piece.isdigit())] = None
    return WordQuery(list(terms))
