"""Read-side use cases of the catalogue: a search page, a standard's detail, an export. Views, API and commands
all call these, so a page, an endpoint and `yuebiao search --json` show the same thing."""

from __future__ import annotations


from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalogue.geography import GD_CITY_CODES
from catalogue.table_writer import write_csv, write_xlsx
from catalogue.models import CcsCode, IcsCode, Replacement, Sector, Standard
from catalogue.numbers import try_parse_number
from catalogue.search import SearchFilters, SearchInputError, SearchRequest, SearchResult, search
from catalogue.services import load_standards, source_label, standard_record
from catalogue.slugs import number_slug

_GD_CITIES = frozenset(GD_CITY_CODES.values())
_FILTER_KEYS = ("level", "status", "nature", "ics", "ccs", "city", "sector", "year_from", "year_to")


def build_request(
    q: str = "", *, sort: str = "relevance", page: int = 1, page_size: int = 20, facets: bool = False, **filters
) -> SearchRequest:
    known = {k: v for k, v in filters.items() if k in _FILTER_KEYS}
    for key in ("level", "status", "nature"):
        value = known.get(key)
        if isinstance(value, str):
            known[key] = [v for v in value.split(",") if v]
    for key in ("ics", "ccs", "city", "sector"):
        if known.get(key) == "":
            known[key] = None
    for key in ("level", "status", "nature"):
        allowed = {
            "level": Standard.Level.values, "status": Standard.Status.values, "nature": Standard.Nature.values
        }[key]
        bad = [v for v in known.get(key) or [] if v not in allowed]
        if bad:
            raise SearchInputError(f"未知的筛选值 {key}={'、'.join(bad)}（可选：{'、'.join(allowed)}）")
    for key in ("year_from", "year_to"):
        value = known.get(key)
        if value is not None and not 1900 <= int(value) <= 2100:
            raise SearchInputError(f"年份须在 1900–2100 之间：{value}")
    if not 1 <= int(page) <= 100_000:
        raise SearchInputError(f"页码须在 1–100000 之间：{page}")
    return SearchRequest(
        q=q or "", filters=SearchFilters(**known), sort=sort or "relevance", page=page, page_size=page_size,
        facets=facets,
    )


def _labels() -> dict[str, dict[str, str]]:
    return {
        "level": dict(Standard.Level.choices),
        "status": dict(Standard.Status.choices),
        "nature": dict(Standard.Nature.choices),
        "ccs": {},
        "ics": {},
        "year": {},
    }


def classification_title(title_zh: str | None, title_en: str | None = "") -> dict:
    """A classification's title in the interface's language where the catalogue has it ({"text", "lang": None});
    otherwise the title it has, with its language ("en" or "zh-Hans") for the page to mark. ICS titles exist in
    English only (no licensed source of the Chinese ones), CCS titles in Chinese only."""
    english = (get_language() or "").startswith("en")
    own, other = (title_en, title_zh) if english else (title_zh, title_en)
    if own:
        return {"text": own, "lang": None}
    return {"text": other or "", "lang": "zh-Hans" if english else "en"}


def facet_labels(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[dict]]:
    labels = {k: {v: str(lbl) for v, lbl in d.items()} for k, d in _labels().items()}
    langs: dict[str, dict[str, str]] = {}
    if facets.get("city"):
        # The 地市 filter offers Guangdong's 21 cities; the province's own standards and other provinces' are
        # found through the level and the number instead.
        facets = {**facets, "city": [(v, n) for v, n in facets["city"] if v in _GD_CITIES]}
        labels["city"] = {code: name + "市" for name, code in GD_CITY_CODES.items()}
    english = get_language() == "en"
    if facets.get("sector"):
        labels["sector"] = dict(Sector.objects.values_list("slug", "name_en" if english else "name_zh"))
    for name, model in (("ics", IcsCode), ("ccs", CcsCode)):
        if facets.get(name):
            fields = ("code", "title_zh", "title_en") if model is IcsCode else ("code", "title_zh")
            for code, *titles in model.objects.filter(level=1).values_list(*fields):
                title = classification_title(*titles)
                labels[name][code] = f"{code} {title['text']}"
                if title["lang"]:
                    langs.setdefault(name, {})[code] = title["lang"]
    return {
        name: [{"value": v, "label": labels.get(name, {}).get(v, v), "count": n,
                "lang": langs.get(name, {}).get(v)} for v, n in rows]
        for name, rows in facets.items()
    }


def summary(std: Standard) -> dict:
    return {
        "number": std.number,
        "slug": std.slug,
        "title_zh": std.title_zh,
        "title_en": std.title_en,
        "level": std.level,
        "level_label": str(std.get_level_display()),
        "nature": std.nature or None,
        "status": std.status,
        "status_label": str(std.get_status_display()),
        "published_on": std.published_on,
        "implemented_on": std.implemented_on,
        "ics_codes": [c.code for c in std.ics_codes.all()],
        "ccs_code": std.ccs_code_id,
        "city": std.city.name if std.city_id else None,
        "is_demo": std.is_demo,
        "url": std.get_absolute_url(),
    }


_SUMMARY_COLUMNS = (
    "id", "number", "slug", "title_zh", "title_en", "level", "nature", "status", "published_on", "implemented_on",
    "ccs_code_id", "city__name", "is_demo",
)


def summaries(ids: list[int]) -> list[dict]:
    """Result-list entries for these ids, in order: two queries and plain rows, no model instances (this is the
    hot path of every search page and API call)."""
    if not ids:
        return []
    rows = {r["id"]: r for r in Standard.objects.filter(id__in=ids).values(*_SUMMARY_COLUMNS)}
    ics: dict[int, list[str]] = {}
    for sid, code in (
        Standard.ics_codes.through.objects.filter(standard_id__in=ids)
        .order_by("icscode_id")
        .values_list("standard_id", "icscode_id")
    ):
        ics.setdefault(sid, []).append(code)
    level_labels = {k: str(v) for k, v in Standard.Level.choices}
    status_labels = {k: str(v) for k, v in Standard.Status.choices}
    url = reverse("catalogue:standard", args=["SLUG"])
    out = []
    for i in ids:
        r = rows.get(i)
        if r is None:
            continue
        out.append({
            "number": r["number"], "slug": r["slug"], "title_zh": r["title_zh"], "title_en": r["title_en"],
            "level": r["level"], "level_label": level_labels.get(r["level"], r["level"]),
            "nature": r["nature"] or None, "status": r["status"],
            "status_label": status_labels.get(r["status"], r["status"]),
            "published_on": r["published_on"], "implemented_on": r["implemented_on"], "ics_codes": ics.get(i, []),
            "ccs_code": r["ccs_code_id"], "city": r["city__name"], "is_demo": r["is_demo"],
            "url": url.replace("SLUG", r["slug"]),
        })
    return out


def run_search(**params) -> tuple[SearchResult, list[Standard]]:
    result = search(build_request(**params))
    return result, load_standards(result.ids)


def search_page(**params) -> dict:
    """One page of results with counts and (when asked) facets, as plain data."""
    result = search(build_request(**params))
    return {
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "interpretation": result.interpretation,
        "ranked": result.ranked,
        "partial": result.partial,
        "items": summaries(result.ids),
        "facets": facet_labels(result.facets),
        "did_you_mean": did_you_mean(result.did_you_mean),
    }


def difference_labels() -> dict[str, str]:
    """How a suggested number differs from what was typed, in the reader's words."""
    return {
        "nature": _("有无 /T、/Z 不同"), "year": _("年代号不同"), "part": _("部分号不同"),
        "prefix": _("补上了标准代号"), "region": _("发布地区不同"),
    }


def did_you_mean(near: list[tuple[int, tuple[str, ...]]]) -> list[dict]:
    """Result-list entries for numbers near what was typed, each with its differences (codes and words)."""
    if not near:
        return []
    slugs = dict(Standard.objects.filter(id__in=[i for i, _d in near]).values_list("id", "slug"))
    diffs_by_slug = {slugs[i]: diffs for i, diffs in near if i in slugs}
    labels = difference_labels()
    return [
        {**item, "differences": list(diffs_by_slug[item["slug"]]),
         "difference_labels": [labels[d] for d in diffs_by_slug[item["slug"]]] or [_("标准号相同，写法不同")]}
        for item in summaries([i for i, _d in near])
    ]


def _relation(number: str, std: Standard | None) -> dict:
    return {
        "number": number,
        "title_zh": std.title_zh if std else None,
        "slug": std.slug if std else None,
        "status": std.status if std else None,
    }


def standard_detail(std: Standard) -> dict:
    """Everything known about one standard, with its replaces / replaced-by chain."""
    replaces = [_relation(r.replaced_number, r.replaced) for r in std.replacements.select_related("replaced")]
    replaced_by = [
        _relation(r.standard.number, r.standard)
        for r in Replacement.objects.filter(replaced=std).select_related("standard")
    ]
    return {
        **summary(std),
        "withdrawn_on": std.withdrawn_on,
        "adoption_degree": std.adoption_degree or None,
        "adopted_standard": std.adopted_standard or None,
        "technical_committee": std.technical_committee,
        "issuing_authority": std.issuing_authority,
        "drafting_organisations": list(std.drafting_organisations or []),
        "region_code": std.region_id,
        "region_name": std.region.name if std.region_id else None,
        "sectors": [s.slug for s in std.sectors.all()],
        "scope": std.scope,
        "notes": std.notes,
        "replaces": replaces,
        "replaced_by": replaced_by,
        "source": std.source,
        "source_label": source_label(std.source),
        "updated_at": std.updated_at,
    }


def _detail_queryset():
    return Standard.objects.select_related("ccs_code", "city", "region").prefetch_related("ics_codes", "sectors")


def find_standard(slug_or_number: str) -> Standard | None:
    std = _detail_queryset().filter(slug=slug_or_number).first()
    if std is None:
        parsed = try_parse_number(slug_or_number)
        if parsed is not None:
            std = _detail_queryset().filter(number=parsed.canonical).first()
    return std


def standard_detail_by_slug(slug: str) -> dict | None:
    std = find_standard(slug)
    return standard_detail(std) if std else None


def standard_detail_by_number(number: str) -> dict | None:
    parsed = try_parse_number(number)
    if parsed is None:
        return None
    std = _detail_queryset().filter(slug=number_slug(parsed.canonical)).first()
    return standard_detail(std) if std else None


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def export_search(*, format: str = "xlsx", **params) -> tuple[bytes, str, str]:
    """Every result of a search (not just one page), as an Excel or CSV file: (body, content type, file name)."""
    if format not in EXPORT_TYPES:
        raise SearchInputError(_("导出格式只能是 xlsx 或 csv"))
    limit = settings.YUEBIAO_MAX_EXPORT_ROWS
    params = {**params, "page": 1, "page_size": 1, "facets": False}
    first = search(build_request(**params))
    if first.total > limit:
        raise SearchInputError(f"结果共 {first.total} 条，超过单次导出上限 {limit} 条，请先缩小检索范围")

    def records():
        page = 1
        while True:
            result, standards = run_search(**{**params, "page": page, "page_size": 100})
            for std in standards:
                yield standard_record(std)
            if page >= result.pages:
                break
            page += 1

    writer = write_xlsx if format == "xlsx" else write_csv
    return writer(records()), EXPORT_TYPES[format], f"yuebiao-standards.{format}"


