"""Catalogue search: a number, Chinese or English words, filters, facets and sorting, over the database's own index.

Numbers go to B-tree indexes (prefix, sequence number, year); words go to the full-text index built over
`Standard.search_text` (FTS5 on SQLite, a tsvector column with GIN on PostgreSQL). No query scans titles with
LIKE '%…%'. The SQL is written here rather than through the ORM because the full-text join and its ranking differ
per database and the ORM cannot express either.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.db import connection

from catalogue.numbers import nearness, number_differences, parse_partial, read_typed_number
from catalogue.search_text import WordQuery, parse_words

SORTS = ("relevance", "number", "published", "implemented")
# Above this many matches a word search is shown newest first instead of scored one by one (and says so).
RANK_LIMIT = 5000
FACETS = ("level", "status", "nature", "year", "city", "sector", "ics", "ccs")
MAX_PAGE_SIZE = 100
# Bare digits typed in the box match sequences that start with them: 23 → 23, 230–239, 2300–2399 … up to this length.
_MAX_SEQUENCE_DIGITS = 9
FACET_CACHE_SECONDS = 600


@dataclass
class SearchFilters:
    level: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    nature: list[str] = field(default_factory=list)
    ics: str | None = None  # a code or the start of one: 13, 13.020, 13.020.40
    ccs: str | None = None  # a letter (Z), a range (Z60/79) or a code (Z25)
    city: str | None = None  # GB/T 2260 code of a city, or 440000 for the province's own standards
    sector: str | None = None
    year_from: int | None = None
    year_to: int | None = None


@dataclass
class SearchRequest:
    q: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facets: bool = False


@dataclass
class SearchResult:
    ids: list[int]
    total: int
    page: int
    page_size: int
    interpretation: str  # "all" | "number" | "words" | "nothing"
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    ranked: bool = False  # word matches ordered by relevance score
    partial: bool = False  # no record contains every word: these contain some, most words first
    # Nothing found, but these standards' numbers are near what was typed: (id, differences), nearest first.
    did_you_mean: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class SearchInputError(ValueError):
    """A search request that cannot be run as given (message in Chinese)."""


@dataclass
class _Sql:
    joins: list[str] = field(default_factory=list)
    join_params: list = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    rank: str | None = None
    rank_params: list = field(default_factory=list)
    # Full-text ranking costs a score per match: only worth it (and only affordable) for a few thousand matches.
    rank_join: str | None = None
    rank_join_params: list = field(default_factory=list)
    text_match: bool = False
    # How many of the words a record contains (a search for some of the words ranks by it first).
    hits: str | None = None
    hits_params: list = field(default_factory=list)
    interpretation: str = "all"
    impossible: bool = False

    def from_where(self, extra_join: str = "") -> tuple[str, list]:
        sql = "FROM catalogue_standard s " + " ".join(self.joins) + (" " + extra_join if extra_join else "")
        if self.where:
            sql += " WHERE " + " AND ".join(self.where)
        return sql, self.join_params + self.params


def _digit_ranges(digits: str) -> list[tuple[int, int]]:
    base = int(digits)
    out = [(base, base + 1)]
    scale = 10
    for _ in range(len(digits), _MAX_SEQUENCE_DIGITS):
        out.append((base * scale, (base + 1) * scale))
        scale *= 10
    return out


def _prefix_family(prefix: str) -> list[str]:
    upper = prefix.upper()
    if upper.endswith(("/T", "/Z")) or "/" in upper and not upper.endswith("/"):
        return [upper]
    upper = upper.rstrip("/")
    return [upper, f"{upper}/T", f"{upper}/Z"]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _apply_query(sql: _Sql, q: str) -> None:
    q = (q or "").strip()
    if not q:
        return
    prefix, sequence, year = parse_partial(q)
    if prefix or sequence or year:
        sql.interpretation = "number"
        if prefix:
            family = _prefix_family(prefix)
            sql.where.append("s.prefix IN (" + ", ".join(["%s"] * len(family)) + ")")
            sql.params.extend(family)
        if sequence:
            lead = re.match(r"\d+", sequence)
            if lead and lead.group(0) == sequence:
                ranges = _digit_ranges(sequence)
                sql.where.append(
                    "(" + " OR ".join(["(s.sequence_num >= %s AND s.sequence_num < %s)"] * len(ranges)) + ")"
                )
                for lo, hi in ranges:
                    sql.params.extend([lo, hi])
                sql.rank = "CASE WHEN s.sequence_num = %s THEN 0 ELSE 1 END, s.prefix, s.sequence_num, s.year DESC"
                sql.rank_params = [int(sequence)]
            else:
                sql.where.append("s.sequence_num = %s AND s.sequence LIKE %s ESCAPE '\\'")
                sql.params.extend([int(lead.group(0)) if lead else 0, _like_escape(sequence) + "%"])
                sql.rank = "CASE WHEN s.sequence = %s THEN 0 ELSE 1 END, s.prefix, s.sequence, s.year DESC"
                sql.rank_params = [sequence]
        if year:
            sql.where.append("s.year = %s")
            sql.params.append(int(year))
        if sql.rank is None:
            sql.rank = "s.prefix, s.sequence_num, s.sequence, s.year DESC"
        return
    words = parse_words(q)
    if not words:
        sql.interpretation = "nothing"
        sql.impossible = True
        return
    sql.interpretation = "words"
    _apply_words(sql, words)


_FTS_MATCH = "SELECT rowid FROM catalogue_standard_fts WHERE catalogue_standard_fts MATCH %s"


def _apply_words(sql: _Sql, words: WordQuery, *, any_word: bool = False) -> None:
    """Match every word, or (`any_word`) at least one, ranking the records that contain more of the words first.
    Among equally good matches a real record comes before generated demo rows (`is_demo`)."""
    sql.text_match = True
    if connection.vendor == "postgresql":
        query = words.tsquery_any() if any_word else words.tsquery()
        sql.where.append("s.search_vector @@ CAST(%s AS tsquery)")
        sql.params.append(query)
        sql.rank = "s.is_demo, ts_rank(s.search_vector, CAST(%s AS tsquery)) DESC"
        sql.rank_params = [query]
        if any_word:
            terms = words.tsquery_terms()
            sql.hits = " + ".join(["CAST(s.search_vector @@ CAST(%s AS tsquery) AS integer)"] * len(terms))
            sql.hits_params = terms
    else:
        query = words.fts5_any() if any_word else words.fts5()
        # Counting and filtering need only the matching rowids; the bm25 score is joined in for ranking only.
        sql.where.append(f"s.id IN ({_FTS_MATCH})")
        sql.params.append(query)
        sql.rank_join = (
            "JOIN (SELECT rowid AS rid, rank AS r FROM catalogue_standard_fts "
            "WHERE catalogue_standard_fts MATCH %s) f ON f.rid = s.id"
        )
        sql.rank_join_params = [query]
        sql.rank = "s.is_demo, f.r"
        if any_word:
            terms = words.fts5_terms()
            sql.hits = " + ".join([f"(s.id IN ({_FTS_MATCH}))"] * len(terms))
            sql.hits_params = terms


def _in(sql: _Sql, column: str, values: list[str]) -> None:
    values = [v for v in values if v]
    if values:
        sql.where.append(f"{column} IN (" + ", ".join(["%s"] * len(values)) + ")")
        sql.params.extend(values)


def _apply_filters(sql: _Sql, f: SearchFilters) -> None:
    _in(sql, "s.level", f.level)
    _in(sql, "s.status", f.status)
    _in(sql, "s.nature", f.nature)
    if f.city:
        sql.where.append("s.city_id = %s")
        sql.params.append(f.city)
    if f.year_from:
        sql.where.append("s.year >= %s")
        sql.params.append(f.year_from)
    if f.year_to:
        sql.where.append("s.year <= %s")
        sql.params.append(f.year_to)
    if f.ics:
        sql.where.append(
            "EXISTS (SELECT 1 FROM catalogue_standard_ics_codes x WHERE x.standard_id = s.id "
            "AND x.icscode_id LIKE %s ESCAPE '\\')"
        )
        sql.params.append(_like_escape(f.ics) + "%")
    if f.ccs:
        if len(f.ccs) == 1:
            sql.where.append("s.ccs_code_id LIKE %s")
            sql.params.append(f.ccs.upper() + "%")
        elif "/" in f.ccs:
            # A range (Z60/79) files no standard itself: its codes (Z60 … Z79) do.
            sql.where.append("s.ccs_code_id IN (SELECT c.code FROM catalogue_ccscode c WHERE c.parent_id = %s)")
            sql.params.append(f.ccs.upper())
        else:
            sql.where.append("s.ccs_code_id = %s")
            sql.params.append(f.ccs.upper())
    if f.sector:
        sql.where.append(
            "EXISTS (SELECT 1 FROM catalogue_standard_sectors y WHERE y.standard_id = s.id AND y.sector_id = %s)"
        )
        sql.params.append(f.sector)


def _order_by(sql: _Sql, sort: str, total: int) -> tuple[str, list]:
    lead: list[str] = []
    lead_params: list = []
    if sql.hits and sort == "relevance":
        lead, lead_params = [f"({sql.hits}) DESC", "s.is_demo"], list(sql.hits_params)
    if sort == "relevance" and sql.rank and (not sql.text_match or total <= RANK_LIMIT):
        return ", ".join([*lead, sql.rank, "s.id"]), lead_params + list(sql.rank_params)
    if sort == "number":
        return "s.prefix, s.sequence_num, s.sequence, s.year DESC, s.id", []
    # Undated standards last on both databases, matching the indexes of migration 0002.
    nulls = " NULLS LAST" if connection.vendor == "postgresql" else ""
    column = "s.implemented_on" if sort == "implemented" else "s.published_on"
    return ", ".join([*lead, f"{column} DESC{nulls}", "s.id DESC"]), lead_params


# Facets read from the standard row itself are counted in one pass over the matches (GROUP BY their combination,
# summed here); the two that need a join get a query each.
_ROW_FACETS = {
    "level": "s.level",
    "status": "s.status",
    "nature": "s.nature",
    "year": "s.year",
    "city": "s.city_id",
    "ccs": "SUBSTR(s.ccs_code_id, 1, 1)",
}
_JOINED_FACETS = {
    "sector": ("fs.sector_id", "JOIN catalogue_standard_sectors fs ON fs.standard_id = s.id"),
    "ics": ("SUBSTR(fi.icscode_id, 1, 2)", "JOIN catalogue_standard_ics_codes fi ON fi.standard_id = s.id"),
}


def catalogue_revision() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT revision FROM catalogue_cataloguerevision WHERE id = 1")
        row = cur.fetchone()
    return row[0] if row else 0


def _counts(sql: _Sql, want_facets: bool) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    from_where, params = sql.from_where()
    with connection.cursor() as cur:
        if not want_facets:
            cur.execute("SELECT COUNT(*) " + from_where, params)
            return cur.fetchone()[0], {}
        columns = ", ".join(_ROW_FACETS.values())
        cur.execute(f"SELECT {columns}, COUNT(*) {from_where} GROUP BY {columns}", params)
        tallies: dict[str, dict[str, int]] = {name: {} for name in _ROW_FACETS}
        total = 0
        for *values, n in cur.fetchall():
            total += n
            for name, value in zip(_ROW_FACETS, values):
                if value not in (None, ""):
                    key = str(value)
                    tallies[name][key] = tallies[name].get(key, 0) + n
        facets: dict[str, list[tuple[str, int]]] = {}
        for name, counts in tallies.items():
            if name == "year":
                facets[name] = sorted(counts.items(), key=lambda kv: -int(kv[0]))[:40]
            else:
                facets[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if total:
            for name, (column, join) in _JOINED_FACETS.items():
                facet_from, facet_params = sql.from_where(join)
                cur.execute(
                    f"SELECT {column}, COUNT(*) {facet_from} GROUP BY {column} HAVING {column} IS NOT NULL", facet_params
                )
                facets[name] = sorted(((str(v), n) for v, n in cur.fetchall() if v), key=lambda kv: (-kv[1], kv[0]))
    return total, {name: facets.get(name, []) for name in FACETS}


def _cached_count(statement: str, params: list, revision: int) -> int:
    key = "catalogue-count:" + hashlib.sha256(json.dumps([revision, statement, params]).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        with connection.cursor() as cur:
            cur.execute(statement, params)
            value = cur.fetchone()[0]
        cache.set(key, value, FACET_CACHE_SECONDS)
    return value


def _drive_from_smaller_side(sql: _Sql, text_where: int, revision: int) -> None:
    """SQLite walks the full-text matches and looks each row up, even when a filter (a city, an ICS class) keeps
    far fewer rows. When the filters alone are the smaller set, let them drive: `+s.id` stops SQLite from using the
    matches as the outer loop, and the match list becomes a set each filtered row is checked against."""
    match_sql = sql.where[text_where - 1]
    match_params = sql.params[:1]
    filters_only = _Sql(where=sql.where[text_where:], params=sql.params[1:])
    from_where, params = filters_only.from_where()
    n_filtered = _cached_count("SELECT COUNT(*) " + from_where, params, revision)
    n_matches = _cached_count(
        "SELECT COUNT(*) FROM catalogue_standard_fts WHERE catalogue_standard_fts MATCH %s", match_params, revision
    )
    if n_filtered < n_matches:
        sql.where[text_where - 1] = match_sql.replace("s.id IN", "+s.id IN", 1)


def _cache_key(req: SearchRequest, revision: int, *, any_word: bool = False) -> str:
    body = json.dumps([revision, req.q.strip(), asdict(req.filters), req.facets, any_word], ensure_ascii=False,
                      sort_keys=True)
    return "catalogue-search:" + hashlib.sha256(body.encode()).hexdigest()


def _build(req: SearchRequest, *, any_word: bool = False) -> tuple[_Sql, int]:
    """The SQL of a request, and the position of its first filter (after the query's own conditions)."""
    sql = _Sql()
    if any_word:
        sql.interpretation = "words"
        _apply_words(sql, parse_words(req.q.strip()), any_word=True)
    else:
        _apply_query(sql, req.q)
    text_where = len(sql.where)
    _apply_filters(sql, req.filters)
    return sql, text_where


def _run(req: SearchRequest, sql: _Sql, text_where: int, revision: int, *, any_word: bool = False):
    """Counts, facets and one page of ids for built SQL."""
    if sql.text_match and connection.vendor == "sqlite" and len(sql.where) > text_where:
        _drive_from_smaller_side(sql, text_where, revision)
    key = _cache_key(req, revision, any_word=any_word)
    cached = cache.get(key)
    if cached is None:
        cached = _counts(sql, req.facets)
        cache.set(key, cached, FACET_CACHE_SECONDS)
    total, facets = cached
    ids: list[int] = []
    offset = (req.page - 1) * req.page_size
    ranked = sql.text_match and req.sort == "relevance" and total <= RANK_LIMIT
    if total and offset < total:
        from_where, params = sql.from_where(sql.rank_join if ranked and sql.rank_join else "")
        if ranked and sql.rank_join:
            params = sql.join_params + sql.rank_join_params + sql.params
        order, order_params = _order_by(sql, req.sort, total)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT s.id {from_where} ORDER BY {order} LIMIT %s OFFSET %s",
                params + order_params + [req.page_size, offset],
            )
            ids = [row[0] for row in cur.fetchall()]
    return SearchResult(ids, total, req.page, req.page_size, sql.interpretation, facets, ranked)


def search(req: SearchRequest) -> SearchResult:
    """Run a catalogue search; counts and facets are cached per catalogue revision, the page itself is not.

    Nothing found is never the whole answer when something near exists: words that no record contains together
    give the records that contain some of them (`partial`), and a number gives the numbers near it
    (`did_you_mean`)."""
    if req.sort not in SORTS:
        raise SearchInputError(f"不支持的排序方式：{req.sort}（可选：{'、'.join(SORTS)}）")
    if req.page < 1 or not 1 <= req.page_size <= MAX_PAGE_SIZE:
        raise SearchInputError(f"页码须≥1，每页条数须在 1–{MAX_PAGE_SIZE} 之间")
    sql, text_where = _build(req)
    if sql.impossible:
        return SearchResult([], 0, req.page, req.page_size, sql.interpretation, {})
    revision = catalogue_revision()
    result = _run(req, sql, text_where, revision)
    if result.total:
        return result
    if sql.interpretation == "words" and len(parse_words(req.q.strip()).terms) > 1:
        some, some_where = _build(req, any_word=True)
        partial = _run(req, some, some_where, revision, any_word=True)
        if partial.total:
            partial.partial = True
            result = partial
    result.did_you_mean = near_numbers(req.q)
    return result


NEAR_LIMIT = 5
# Standards sharing one sequence number within one family are few; without a prefix typed, the newest real ones.
_NEAR_CANDIDATES = 200


def near_numbers(q: str, limit: int = NEAR_LIMIT) -> list[tuple[int, tuple[str, ...]]]:
    """Standards whose numbers are near what was typed (another /T or year, no prefix, a city's DB4403 for DB44),
    nearest first, each with its differences (catalogue.numbers.number_differences). One indexed lookup by the
    sequence number, so it costs no more than a number search."""
    typed = read_typed_number(q)
    if typed is None:
        return []
    where, params = ["sequence_num = %s"], [typed.lead]
    if typed.family and typed.family.startswith("DB"):
        where.append("prefix LIKE %s")
        params.append(typed.family[:4] + "%")
    elif typed.family:
        where.append("prefix IN (%s, %s, %s)")
        params.extend([typed.family, f"{typed.family}/T", f"{typed.family}/Z"])
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, prefix, sequence, year, is_demo FROM catalogue_standard WHERE " + " AND ".join(where)
            + " ORDER BY is_demo, year DESC LIMIT %s",
            params + [_NEAR_CANDIDATES],
        )
        rows = cur.fetchall()
    scored = []
    for sid, prefix, sequence, year, is_demo in rows:
        diffs = number_differences(typed, prefix, sequence, year)
        if diffs is not None:
            scored.append((nearness(diffs), bool(is_demo), -(year or 0), sid, diffs))
    scored.sort()
    return [(sid, diffs) for *_, sid, diffs in scored[:limit]]
