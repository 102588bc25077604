"""Finding counterparts (寻找对应标准) in the catalogue: gather every catalogue standard as a ranking candidate and
rank them with ``compare.ranking``.

The whole catalogue is read as compact tuples (three queries, no model instances, no JSON documents but the limit
lists and first chapters of the structured standards), and pruning happens in Python, in ``rank``. Measured (bench/
compare_bench.py, SQLite, 2 shared cores): 10,000 standards are read in 0.05–0.2 s and ranked in 0.2–0.4 s;
50,000 read in 0.4 s (1.1 s when the structured texts' facts must be read too) and ranked in 0.6–1 s. A filter in SQL (ICS field, title words) would save part of the reading but repeat
in SQL, worse, what the ranking does with IDF, and it would miss a counterpart recorded without ICS. The parameter
names and scope of a structured text are kept per parse, so each is read once per process.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from catalogue.models import Standard
from catalogue.numbers import try_parse_number
from compare.limits import parameter_key
from compare.ranking import Candidate, Match, rank
from smart.model import StandardDocument, chapter_kind
from smart.models import StructuredStandard

Progress = Callable[[int, int], None] | None
# (standard id, sha256 of the file, parse time) → (parameters, scope): a key names one parse, so an entry can be
# unused but never wrong. In this process's memory, not Django's cache: the local-memory cache keeps 300 entries and
# pickles each, and a catalogue has thousands of structured texts; each entry is a few hundred bytes.
_FACTS: dict[tuple[int, str, Any], tuple[set[str], str]] = {}
SCOPE_CHAPTERS = 2  # 范围 is chapter 1 under GB/T 1.1; the next one too, for texts that open with another chapter
_NO_FACTS: tuple[set[str], str] = (set(), "")


def parameters_of(limits: Iterable[Any] | None) -> set[str]:
    """Canonical parameter names (``parameter_key(name)[0]``) of limits given as dicts or ``smart.model.Limit``."""
    out: set[str] = set()
    for item in limits or []:
        name = item.get("parameter") if isinstance(item, dict) else getattr(item, "parameter", None)
        if name:
            canonical = parameter_key(str(name))[0]
            if canonical:
                out.add(canonical)
    return out


def _scope_of_chapters(chapters: Any) -> str:
    if not isinstance(chapters, list):
        return ""
    return scope_text(StandardDocument.from_dict({"clauses": [c for c in chapters if isinstance(c, dict)]}))


def _structured_facts(structured: StructuredStandard | None) -> tuple[set[str], str]:
    """(parameters, scope text) of a structured text that parsed; nothing for one that did not."""
    if structured is None or structured.error or not isinstance(structured.document, dict):
        return set(), ""
    document = structured.document
    return parameters_of(document.get("limits")), _scope_of_chapters((document.get("clauses") or [])[:SCOPE_CHAPTERS])


def candidate_of_standard(std: Standard) -> Candidate:
    """A catalogue standard as a ranking candidate; parameters (and the scope, when the record has none) from its
    structured text when that parsed."""
    try:
        structured = std.structured
    except StructuredStandard.DoesNotExist:
        structured = None
    parameters, scope = _structured_facts(structured)
    return Candidate(
        id=std.pk, number=std.number, title_zh=std.title_zh or "", title_en=std.title_en or "",
        scope=std.scope or scope, ics=[c.code for c in std.ics_codes.all()], level=std.level or "",
        nature=std.nature or "", status=std.status or "", parameters=parameters,
    )


def scope_text(doc: StandardDocument) -> str:
    """The text of the 范围 chapter, its sub-clauses included."""
    for chapter in doc.clauses:
        if chapter_kind(chapter) == "scope":
            return "\n".join(t for t in (c.text() for c in chapter.walk()) if t)
    return ""


def candidate_of_document(doc: StandardDocument, number_hint: str | None = None) -> Candidate:
    """An uploaded, parsed text as a ranking subject: title and ICS from its cover, scope from its 范围 chapter,
    parameters from its limits. When the catalogue holds its number, what the cover lacks (ICS, English title,
    status) is taken from the record, and the record is known to be the subject itself."""
    meta = doc.metadata
    raw_number = (number_hint or meta.number or "").strip()
    parsed = try_parse_number(raw_number) if raw_number else None
    number = parsed.canonical if parsed else raw_number
    candidate = Candidate(
        id=None, number=number, title_zh=meta.title_zh or "", title_en=meta.title_en or "", scope=scope_text(doc),
        ics=list(meta.ics or []), level=parsed.level if parsed else "", nature=(parsed.nature or "") if parsed else "",
        status="", parameters=parameters_of(doc.limits),
    )
    record = Standard.objects.filter(number=number).first() if number else None
    if record is not None:
        candidate.id = record.pk
        candidate.status = record.status
        candidate.title_zh = candidate.title_zh or record.title_zh
        candidate.title_en = candidate.title_en or record.title_en
        candidate.scope = candidate.scope or record.scope
        candidate.ics = candidate.ics or list(record.ics_codes.values_list("code", flat=True))
        candidate.nature = candidate.nature or record.nature
    return candidate


def _catalogue_facts() -> dict[int, tuple[set[str], str]]:
    """(parameters, scope text) of every structured standard that parsed: kept per parse in this process; for the
    others only the limit list and the first chapters are read, not the whole JSON (clauses, tables, long texts)."""
    rows = list(StructuredStandard.objects.filter(error="", document__isnull=False).order_by()
                .values_list("standard_id", "source_sha256", "parsed_at"))
    keys = {sid: (sid, sha, parsed) for sid, sha, parsed in rows}
    out: dict[int, tuple[set[str], str]] = {}
    missing = []
    for sid, key in keys.items():
        got = _FACTS.get(key)
        if got is None:
            missing.append(sid)
        else:
            out[sid] = got
    chapters = [f"document__clauses__{i}" for i in range(SCOPE_CHAPTERS)]
    for start in range(0, len(missing), 500):
        for sid, limits, *first in (StructuredStandard.objects.filter(standard_id__in=missing[start:start + 500])
                                    .order_by().values_list("standard_id", "document__limits", *chapters)):
            if sid in keys:
                out[sid] = _FACTS[keys[sid]] = (parameters_of(limits if isinstance(limits, list) else []),
                                                _scope_of_chapters(first))
    if len(_FACTS) > len(keys):  # parses replaced or removed since: forget them
        live = set(keys.values())
        for key in [k for k in _FACTS if k not in live]:
            del _FACTS[key]
    return out


def forget_facts() -> None:
    """Empty this process's memory of structured texts' parameters and scopes (tests, benchmarks)."""
    _FACTS.clear()


def catalogue_candidates() -> list[Candidate]:
    """Every catalogue standard as a candidate, in three queries."""
    ics: dict[int, list[str]] = {}
    for sid, code in Standard.ics_codes.through.objects.order_by().values_list("standard_id", "icscode_id"):
        ics.setdefault(sid, []).append(code)
    facts = _catalogue_facts()
    rows = (Standard.objects.order_by()
            .values_list("id", "number", "title_zh", "title_en", "scope", "level", "nature", "status"))
    out = []
    for sid, number, title_zh, title_en, scope, level, nature, status in rows:
        parameters, parsed_scope = facts.get(sid, _NO_FACTS)
        out.append(Candidate(sid, number, title_zh or "", title_en or "", scope or parsed_scope, ics.get(sid, []),
                             level or "", nature or "", status or "", set(parameters)))
    return out


def find_counterparts(subject: Candidate, *, top: int = 20, progress: Progress = None) -> list[Match]:
    """The catalogue's standards most likely to be ``subject``'s counterparts, best first.

    ``progress(done, total)``: reading the catalogue is the first half of ``total``, ranking the second.
    """
    candidates = catalogue_candidates()
    n = len(candidates)
    if progress:
        progress(n, 2 * n)
    ranked = rank(subject, candidates, top=top,
                  progress=(lambda done, total: progress(n + min(done, n), 2 * n)) if progress else None)
    if progress:
        progress(2 * n, 2 * n)
    return ranked
