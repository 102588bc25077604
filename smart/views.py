"""Pages of machine-readable standards: the structured text with one permanent anchor per clause, and downloads."""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.permissions import public
from catalogue.numbers import find_numbers
from catalogue.queries import find_standard
from smart.html import to_html
from smart.model import StandardDocument
from smart.services import structured_of


def _load(slug: str):
    std = find_standard(slug)
    if std is None:
        raise Http404(_("目录中没有这个标准"))
    structured = structured_of(std)
    return std, structured


def _citations(own_number: str):
    """Where a text cites a standard the catalogue has, other than the one being read: [(start, end, url)]."""
    urls: dict[str, str | None] = {own_number: None}

    def cite(text: str) -> list[tuple[int, int, str]]:
        out = []
        for number, start, end in find_numbers(text):
            if number.canonical not in urls:
                found = find_standard(number.canonical)
                urls[number.canonical] = found.get_absolute_url() if found else None
            if urls[number.canonical]:
                out.append((start, end, urls[number.canonical]))
        return out

    return cite


def reading_html(std, structured) -> str:
    """The structured text as the reader sees it now: cited standards link to the catalogue as it is today."""
    if structured is None or not structured.document:
        return ""
    document = StandardDocument.from_dict(structured.document)
    return to_html(document, cite=_citations(std.number), unmapped_title=_("未能识别的字符"))


def _said(template: str, params: dict):
    """A finding's message in the reader's language; the values from the text stay as written, marked Chinese."""
    values = {k: format_html('<span lang="zh">{}</span>', v) for k, v in params.items()}
    return mark_safe(escape(_(template)) % values)  # noqa: S308 - the template is escaped, the values too


def findings_in_words(findings: list[dict]) -> list[dict]:
    """Stored findings with their message and fix translated (findings stored before they kept their templates
    are shown as stored)."""
    return [{**f, "message": _said(f["message_id"], f.get("params") or {}),
             "fix": _said(f["fix_id"], f.get("params") or {})} if f.get("message_id") else f for f in findings]


@public
def clauses(request, slug: str):
    std, structured = _load(slug)
    findings = findings_in_words(structured.findings) if structured else []
    return render(request, "smart/clauses.html", {"std": std, "structured": structured, "findings": findings,
                                                  "html": reading_html(std, structured)})


@public
def clause(request, slug: str, number: str):
    """A permanent link to one clause (/standards/DB44-2159-2019/clauses/4.2): the structured view at its anchor."""
    std, structured = _load(slug)
    if structured is None or structured.document is None:
        raise Http404(_("该标准没有机器可读文本"))
    known = _clause_numbers(structured.document)
    if number not in known:
        raise Http404(_("没有条款 %(n)s") % {"n": number})
    return redirect(reverse("smart:clauses", args=[std.slug]) + f"#clause-{number}")


def _clause_numbers(document: dict) -> set[str]:
    out: set[str] = set()

    def walk(items):
        for c in items:
            out.add(c["number"])
            walk(c.get("children") or [])

    walk(document.get("clauses") or [])
    for annex in document.get("annexes") or []:
        walk([annex] if "number" in annex else [])
        walk(annex.get("children") or annex.get("clauses") or [])
    return out


@public
def structure_json(request, slug: str):
    std, structured = _load(slug)
    if structured is None or structured.document is None:
        raise Http404(_("该标准没有机器可读文本"))
    return JsonResponse(structured.document, json_dumps_params={"ensure_ascii": False})


@public
def structure_sts(request, slug: str):
    std, structured = _load(slug)
    if structured is None or structured.document is None:
        raise Http404(_("该标准没有机器可读文本"))
    response = HttpResponse(structured.sts, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{std.slug}.sts.xml"'
    return response
