"""Finding counterparts (寻找对应标准): rank the standards most likely to be a standard's counterparts (pure: no Django).

A counterpart is the standard one would compare a standard with: for a local emission standard, the national one
on the same industry; for a national standard, the international one it may adopt, or the local ones that must not
be looser. The signals are those a reviewer uses: the ICS classification, the title, the scope and the limit
parameters both regulate. Titles and scopes are compared as bags of features (CJK bigrams, jieba words, ASCII words;
``compare.align.features``) weighted by IDF over the candidate pool, Traditional Chinese converted first (opencc t2s)
so that Hong Kong and Macau titles match.

One subject against a whole catalogue is linear in the catalogue at best; what must not happen is the expensive part
(jieba, full scoring) for every candidate. So ranking runs in two passes: a cheap pass over all candidates (bigrams
and ASCII words only, no jieba) that finds, through an inverted index, the candidates sharing a distinctive feature
or an ICS group with the subject and scores them roughly; then the full scoring (jieba words added) for a shortlist.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable, Iterable

from catalogue.numbers import find_numbers, try_parse_number
from compare.align import features as _full_features
from compare.align import to_simplified as simplified

# Weights of the four signals. A signal the subject lacks (no ICS code, no scope text, no parsed limits) is left out
# and the others renormalised: it would shift every candidate alike. A signal only the candidate lacks counts as
# UNKNOWN_SIGNAL, neither for nor against it: left out, it would let a record with less evidence outrank one with
# more (a national standard regulating seven pollutants would lose to one whose limits were never parsed).
TITLE_WEIGHT = 0.40  # every record has a title, and the title names both the subject and the kind of document
ICS_WEIGHT = 0.25  # one ICS code covers hundreds of standards: it confirms a title match more than it decides
SCOPE_WEIGHT = 0.15  # scope text is often boilerplate (本标准规定了…); IDF keeps the boilerplate cheap
PARAMETER_WEIGHT = 0.20  # two emission standards regulating the same pollutants are very likely counterparts

# The subject's own scope naming a standard (本标准未规定的内容，仍按现行GB 26453执行) says which standard it
# complements or tightens: that is the counterpart, so the score closes this share of its gap to 1. Only the scope
# counts: normative references also cite test methods, which are not counterparts.
SCOPE_CITATION_LIFT = 0.4

UNKNOWN_SIGNAL = 0.3  # about what related standards score on ICS, scope or parameters: weak agreement

ICS_EXACT = 1.0  # 13.040.40 = 13.040.40
ICS_GROUP = 0.6  # 13.040.40 ~ 13.040.20: both under 13.040 (air quality)
ICS_FIELD = 0.25  # 13.040.40 ~ 13.060.30: both in field 13 (environment), which is broad

# Multipliers applied to the weighted signals. Small on purpose: they order near-equals, they do not hide a match.
LEVEL_OTHER_FACTOR = 0.85  # not the level one usually compares with (a local standard against another local one)
WITHDRAWN_FACTOR = 0.6  # 废止 / 被代替: still shown (one may compare with the edition a local standard cited)
SAME_SERIES_FACTOR = 0.7  # another edition of the subject itself: a version comparison, not a counterpart
NATURE_MISMATCH_FACTOR = 0.95  # mandatory against recommended: the lawfulness check needs mandatory against mandatory

# Which levels are the natural counterparts of which: a local, group or enterprise standard is compared with the
# national, industry and international ones above it; a national one with the international or foreign standards it
# may adopt and with the local standards that must not be looser than it.
COUNTERPART_LEVELS: dict[str, frozenset[str]] = {
    "local": frozenset({"national", "industry", "international", "foreign"}),
    "group": frozenset({"national", "industry", "local", "international", "foreign"}),
    "enterprise": frozenset({"national", "industry", "local", "group", "international", "foreign"}),
    "national": frozenset({"international", "foreign", "local"}),
    "industry": frozenset({"national", "international", "foreign", "local"}),
    "international": frozenset({"national", "industry", "local", "foreign"}),
    "foreign": frozenset({"international", "national", "industry", "local"}),
}
LEVEL_ZH = {"national": "国家标准", "industry": "行业标准", "local": "地方标准", "group": "团体标准",
            "enterprise": "企业标准", "international": "国际标准", "foreign": "国外标准"}
OUT_OF_FORCE = {"withdrawn": "已废止", "replaced": "已废止（被代替）"}

# Pruning: a feature found in more than this share of the pool (标准, 要求, 技术) proposes no candidates (it still
# counts when scoring); at most SHORTLIST candidates of the rough pass are scored in full.
PRUNE_COMMON_SHARE = 0.2
PRUNE_MIN_POOL = 200  # below this many candidates nothing is too common to propose candidates
REACH = 3000  # features are taken rarest first until this many candidates are reached: true counterparts share
# the subject's rarest features (璃工 of 玻璃工业), so the commoner ones (污染物) only add noise and work
SHORTLIST = 400
MIN_SCORE = 0.05  # below this a "match" only shares a character or two; reporting it would be noise
REASON_MIN_SIMILARITY = 0.05
PARAMETERS_SHOWN = 5

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)*")
_SPACES = re.compile(r"\s+")
_EDITION = re.compile(r"(?:—\d{2,4}|:\d{4}|:—)$")


@dataclass
class Candidate:
    """A standard as the ranking sees it. ``parameters`` are canonical limit parameter names
    (``compare.limits.parameter_key(name)[0]``)."""

    id: int | None
    number: str
    title_zh: str = ""
    title_en: str = ""
    scope: str = ""
    ics: list[str] = field(default_factory=list)
    level: str = ""
    nature: str = ""
    status: str = ""
    parameters: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "title_zh": self.title_zh, "title_en": self.title_en,
                "ics": list(self.ics), "level": self.level, "nature": self.nature, "status": self.status,
                "parameters": sorted(self.parameters)}


@dataclass
class Match:
    """One ranked counterpart: score in [0, 1], the reasons in Chinese, and the signals it was made of."""

    candidate: Candidate
    score: float
    reasons: list[str]
    components: dict[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        return {"candidate": self.candidate.to_dict(), "score": self.score, "reasons": list(self.reasons),
                "components": dict(self.components)}


# ---------------------------------------------------------------------------------------------------------------
# Features


def cheap_features(text: str) -> frozenset[str]:
    """The features of ``compare.align.features`` that need no jieba: CJK bigrams (a lone character stands for
    itself) and ASCII words; ``text`` is already Simplified."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            out.add(run)
        else:
            out.update(run[i:i + 2] for i in range(len(run) - 1))
    out.update("a:" + w.lower() for w in _ASCII_WORD.findall(text))
    return frozenset(out)


@lru_cache(maxsize=50_000)
def full_features(text: str) -> frozenset[str]:
    """``compare.align.features`` of an already Simplified text, cached: the same titles come back on every search."""
    return frozenset(_full_features(text))


def number_key(number: str | None) -> str:
    """A number in the form numbers are compared in: NFKC, no spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", number or ""))


def series_key(number: str | None) -> str:
    """The number without its year (canonical forms: ``GB 26453—2011``, ``ISO 9001:2015``)."""
    return _EDITION.sub("", number_key(number).replace("\u2014", "—"))


def ics_group(code: str) -> str | None:
    parts = code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def ics_field(code: str) -> str:
    return code.split(".")[0]


# ---------------------------------------------------------------------------------------------------------------
# Scoring


class _Weights:
    """IDF over the pool for one kind of text (titles, English titles, scopes): ``log(1 + N / df)`` as in
    ``compare.align``. A jieba word is weighted by its rarest bigram: a word cannot be commoner than its bigrams,
    and this keeps jieba out of the pass over the whole pool."""

    def __init__(self, df: Counter, n: int):
        self.df = df
        self.n = max(1, n)
        self.cache: dict[str, float] = {}

    def __call__(self, f: str) -> float:
        w = self.cache.get(f)
        if w is None:
            if f.startswith("w:"):
                word = f[2:]
                counts = [self.df.get(word[i:i + 2], 0) for i in range(len(word) - 1)]
                df = min((c for c in counts if c), default=1)
            else:
                df = self.df.get(f, 0) or 1
            w = self.cache[f] = math.log(1 + self.n / df)
        return w


def _dice(x: frozenset[str], y: frozenset[str], weight: _Weights) -> float:
    if not x or not y:
        return 0.0
    common = x & y
    if not common:
        return 0.0
    num = 2 * sum(weight(f) for f in common)
    den = sum(weight(f) for f in x) + sum(weight(f) for f in y)
    return min(1.0, num / den)


def _ics_signal(a: list[str], b: list[str]) -> tuple[float, str | None]:
    best, reason = 0.0, None
    for x in a:
        for y in b:
            if x == y:
                return ICS_EXACT, f"同一 ICS 分类 {x}"
            gx, gy = ics_group(x), ics_group(y)
            if gx and gx == gy and best < ICS_GROUP:
                best, reason = ICS_GROUP, f"ICS 同属 {gx}"
            elif ics_field(x) == ics_field(y) and best < ICS_FIELD:
                best, reason = ICS_FIELD, f"ICS 同属 {ics_field(x)} 大类"
    return best, reason


def _level_factor(subject: Candidate, cand: Candidate) -> tuple[float, str | None]:
    preferred = COUNTERPART_LEVELS.get(subject.level)
    if preferred is None or not cand.level:
        return 1.0, None
    s, c = LEVEL_ZH.get(subject.level, subject.level), LEVEL_ZH.get(cand.level, cand.level)
    if cand.level in preferred:
        if cand.level in ("international", "foreign"):
            return 1.0, f"层级：{c}，可据以判断采标程度"
        if subject.level in ("national", "industry") and cand.level == "local":
            return 1.0, "层级：地方标准，其限值不得宽于国家标准"
        if subject.level in ("international", "foreign"):
            return 1.0, f"层级：{c}，可能采用了该标准"
        return 1.0, f"层级：{c}，是{s}的上位标准"
    if cand.level == subject.level:
        return LEVEL_OTHER_FACTOR, f"层级：同为{s}，排序略降"
    return LEVEL_OTHER_FACTOR, f"层级：{c}，不是{s}常见的对应层级，排序略降"


@dataclass
class _View:
    """A candidate's features for one pass."""

    title: frozenset[str]
    title_en: frozenset[str]
    scope: frozenset[str]


_EMPTY: frozenset[str] = frozenset()


def _full_view(c: Candidate) -> _View:
    # English titles have no CJK run, so jieba would add nothing to them
    return _View(full_features(simplified(c.title_zh)), cheap_features(c.title_en or ""),
                 full_features(simplified(c.scope)))


class _Scorer:
    def __init__(self, subject: Candidate, sview: _View, weights: tuple[_Weights, _Weights, _Weights]):
        self.subject = subject
        self.sview = sview
        self.w_title, self.w_en, self.w_scope = weights
        self.s_number = number_key(subject.number)
        self.s_series = series_key(subject.number)
        self.cited = cited_in_scope(subject)

    def score(self, cand: Candidate, view: _View, *, explain: bool) -> tuple[float, list[str], dict[str, float | None]]:
        s = self.subject
        sig = self._signals(cand, view)
        base = sig.total / sig.weight
        cited = bool(self.cited) and series_key(cand.number) in self.cited
        if cited:
            base += (1 - base) * SCOPE_CITATION_LIFT
        level, level_reason = _level_factor(s, cand)
        status = WITHDRAWN_FACTOR if cand.status in OUT_OF_FORCE else 1.0
        edition = SAME_SERIES_FACTOR if self.s_series and series_key(cand.number) == self.s_series else 1.0
        mandatory = {s.nature == "mandatory", cand.nature == "mandatory"}
        nature = NATURE_MISMATCH_FACTOR if s.nature and cand.nature and len(mandatory) == 2 else 1.0
        score = round(max(0.0, min(1.0, base * level * status * edition * nature)), 4)
        if not explain:
            return score, [], {}
        reasons = self._reasons(cand, sig, cited=cited, level_reason=level_reason, edition=edition, nature=nature)
        components = {
            "title": round(sig.title, 4), "title_zh": round(sig.title_zh, 4),
            "title_en": None if sig.title_en is None else round(sig.title_en, 4),
            "ics": sig.ics, "scope": None if sig.scope is None else round(sig.scope, 4),
            "parameters": None if sig.parameters is None else round(sig.parameters, 4),
            "base": round(base, 4), "cited": cited, "level": level, "status": status, "edition": edition, "nature": nature,
        }
        return score, reasons, components

    def _signals(self, cand: Candidate, view: _View) -> _Signals:
        """The four weighted signals; one the subject lacks is left out, one only the candidate lacks is UNKNOWN."""
        s, sv = self.subject, self.sview
        title_zh = _dice(sv.title, view.title, self.w_title)
        title_en = _dice(sv.title_en, view.title_en, self.w_en) if sv.title_en and view.title_en else None
        sig = _Signals(title_zh=title_zh, title_en=title_en, title=max(title_zh, title_en or 0.0))
        sig.add(TITLE_WEIGHT, sig.title)
        if s.ics:
            if cand.ics:
                sig.ics, sig.ics_reason = _ics_signal(s.ics, cand.ics)
            sig.add(ICS_WEIGHT, sig.ics)
        if sv.scope:
            if view.scope:
                sig.scope = _dice(sv.scope, view.scope, self.w_scope)
            sig.add(SCOPE_WEIGHT, sig.scope)
        if s.parameters:
            if cand.parameters:
                sig.shared = s.parameters & cand.parameters
                sig.parameters = len(sig.shared) / len(s.parameters | cand.parameters)
            sig.add(PARAMETER_WEIGHT, sig.parameters)
        return sig

    def _reasons(self, cand: Candidate, sig: _Signals, *, cited: bool, level_reason: str | None, edition: float,
                 nature: float) -> list[str]:
        """Why a candidate ranks where it does, in the reviewer's words."""
        s = self.subject
        reasons: list[str] = []
        if cited:
            reasons.append("标准本身的适用范围中提到了该标准")
        if sig.ics_reason:
            reasons.append(sig.ics_reason)
        if sig.title_en is not None and sig.title_en > sig.title_zh:
            reasons.append(f"英文名称相似度 {sig.title_en:.2f}")
        else:
            reasons.append(f"名称相似度 {sig.title_zh:.2f}")
        if sig.scope is not None and sig.scope >= REASON_MIN_SIMILARITY:
            reasons.append(f"适用范围相似度 {sig.scope:.2f}")
        if sig.shared:
            names = sorted(sig.shared)
            shown = "、".join(names[:PARAMETERS_SHOWN]) + ("…" if len(names) > PARAMETERS_SHOWN else "")
            reasons.append(f"共有参数 {len(names)} 项：{shown}")
        if level_reason:
            reasons.append(level_reason)
        if edition != 1.0:
            reasons.append("同一标准的其他版本")
        if s.nature == "mandatory" and cand.nature == "mandatory":
            reasons.append("均为强制性标准")
        elif nature != 1.0:
            reasons.append("性质不同（强制性与非强制性）")
        if cand.status in OUT_OF_FORCE:
            reasons.append(OUT_OF_FORCE[cand.status])
        elif cand.status == "upcoming":
            reasons.append("即将实施")
        return reasons


@dataclass
class _Signals:
    """The signals of one candidate and their weighted sum."""

    title_zh: float
    title_en: float | None
    title: float
    ics: float | None = None
    ics_reason: str | None = None
    scope: float | None = None
    parameters: float | None = None
    shared: set[str] = field(default_factory=set)
    total: float = 0.0
    weight: float = 0.0

    def add(self, weight: float, value: float | None) -> None:
        self.total += weight * (UNKNOWN_SIGNAL if value is None else value)
        self.weight += weight


def cited_in_scope(subject: Candidate) -> frozenset[str]:
    """The undated numbers the subject's scope text names, other than its own."""
    own = series_key(subject.number)
    return frozenset(k for k in (series_key(n.canonical) for n, _, _ in find_numbers(subject.scope or "")) if k != own)


def _canonical_number(number: str) -> str:
    parsed = try_parse_number(number) if number else None
    return parsed.canonical if parsed else number


def _is_subject(subject: Candidate, s_number: str, cand: Candidate) -> bool:
    if subject.id is not None and cand.id == subject.id:
        return True
    return bool(s_number) and number_key(cand.number) == s_number


def rank(subject: Candidate, candidates: Iterable[Candidate], *, top: int = 20,
         progress: Callable[[int, int], None] | None = None) -> list[Match]:
    """The ``top`` candidates most likely to be ``subject``'s counterparts, best first (ties by number).

    The subject itself (same id or number) is never among them. ``progress(done, total)`` is called during the
    pass over the pool.
    """
    # candidates come from the catalogue, in canonical form; a subject read from a file may be printed otherwise
    subject = replace(subject, number=_canonical_number(subject.number))
    s_number = number_key(subject.number)
    pool = [c for c in candidates if not _is_subject(subject, s_number, c)]
    n = len(pool)
    sview = _View(cheap_features(simplified(subject.title_zh)), cheap_features(subject.title_en or ""),
                  cheap_features(simplified(subject.scope)))
    views, weights, postings = _index(subject, sview, pool, progress)
    reached = _reach(postings, n)

    # Rough scores on the cheap features, then full features (jieba words) for the shortlist.
    scorer = _Scorer(subject, sview, weights)
    rough = sorted(((scorer.score(pool[i], views[i], explain=False)[0], i) for i in reached),
                   key=lambda t: (-t[0], pool[t[1]].number))
    shortlist = [i for s, i in rough[:max(SHORTLIST, top * 5)] if s > 0]
    full = _Scorer(subject, _full_view(subject), weights)
    matches = []
    for i in shortlist:
        score, reasons, components = full.score(pool[i], _full_view(pool[i]), explain=True)
        if score >= MIN_SCORE:
            matches.append(Match(pool[i], score, reasons, components))
    matches.sort(key=lambda m: (-m.score, m.candidate.number))
    if progress:
        progress(n, n)
    return matches[:top]


_Postings = dict[tuple[str, str], list[int]]


def _index(subject: Candidate, sview: _View, pool: list[Candidate], progress: Callable[[int, int], None] | None
           ) -> tuple[list[_View], tuple[_Weights, _Weights, _Weights], _Postings]:
    """Pass 1, over everything: cheap features, their document frequencies (the subject counted as well), and the
    postings of the subject's features. Texts repeat (boilerplate scopes, editions of one title): computed once."""
    # A signal the subject lacks is never compared, so its features need not be counted either.
    use_en, use_scope = bool(sview.title_en), bool(sview.scope)
    memo: dict[str, frozenset[str]] = {}

    def cheap(text: str, convert: bool) -> frozenset[str]:
        if not text:
            return _EMPTY
        got = memo.get(text)
        if got is None:
            got = memo[text] = cheap_features(simplified(text) if convert else text)
        return got

    n = len(pool)
    views: list[_View] = []
    df_title, df_en, df_scope = Counter(sview.title), Counter(sview.title_en), Counter(sview.scope)
    postings: _Postings = {}
    s_groups = {g for g in (ics_group(code) for code in subject.ics) if g}
    cited = cited_in_scope(subject)
    step = max(1, n // 20)
    for i, c in enumerate(pool):
        v = _View(cheap(c.title_zh, True), cheap(c.title_en, False) if use_en else _EMPTY,
                  cheap(c.scope, True) if use_scope else _EMPTY)
        views.append(v)
        for kind, df, mine, theirs in (("t", df_title, sview.title, v.title), ("e", df_en, sview.title_en, v.title_en),
                                       ("s", df_scope, sview.scope, v.scope)):
            df.update(theirs)
            for f in mine & theirs:
                postings.setdefault((kind, f), []).append(i)
        for code in c.ics:
            g = ics_group(code)
            if g in s_groups:
                postings.setdefault(("i", g), []).append(i)
        for p in subject.parameters & c.parameters:
            postings.setdefault(("p", p), []).append(i)
        if cited and series_key(c.number) in cited:
            postings.setdefault(("c", c.number), []).append(i)
        if progress and i % step == 0:
            progress(i, n)
    return views, (_Weights(df_title, n + 1), _Weights(df_en, n + 1), _Weights(df_scope, n + 1)), postings


def _reach(postings: _Postings, n: int) -> set[int]:
    """The candidates reached from the subject's rarest features first, until there are enough of them; a feature
    found in a large share of the pool proposes none (it still counts when scoring)."""
    cap = n if n < PRUNE_MIN_POOL else max(1, int(PRUNE_COMMON_SHARE * n))
    reached: set[int] = set()
    for _, found in sorted(postings.items(), key=lambda kv: (len(kv[1]), kv[0])):
        if len(reached) >= REACH or (len(found) > cap and reached):
            break  # (the rarest feature proposes even when common: a short list beats an empty one)
        reached.update(found)
    return reached
