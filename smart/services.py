"""Use cases of machine-readable standards: read uploads in the limited worker, structure a standard's full text,
look up what it says."""

from __future__ import annotations

import hashlib
import logging
from typing import Callable

from django.conf import settings

from catalogue.models import Replacement, Standard
from catalogue.numbers import try_parse_number
from catalogue.services import FullTextRefused
from smart.checks import check
from smart.errors import DocumentReadError, SmartError
from smart.guard import DEFAULT_LIMITS, DocumentLimits
from smart.html import to_html
from smart.model import StandardDocument
from smart.models import StructuredStandard
from smart.sandbox import parse_untrusted
from smart.sts import to_sts

log = logging.getLogger("yuebiao.smart")


def catalogue_status(number: str):
    """(status, number of its successor) of a referenced standard the catalogue knows, else None."""
    parsed = try_parse_number(number)
    if parsed is None:
        return None
    std = Standard.objects.filter(number=parsed.canonical).only("id", "status").first()
    if std is None:
        return None
    successor = Replacement.objects.filter(replaced=std).select_related("standard").first()
    return std.status, successor.standard.number if successor else None


def document_limits() -> DocumentLimits:
    """The limits on untrusted documents: the defaults, with settings.YUEBIAO_DOCUMENT_LIMITS over them."""
    return DEFAULT_LIMITS.with_overrides(getattr(settings, "YUEBIAO_DOCUMENT_LIMITS", None))


def read_untrusted(data: bytes, filename: str) -> StandardDocument:
    """An uploaded file read into structure in the limited worker (smart.sandbox), never in the request's own
    process; SmartError with the Chinese reason when it cannot be (DocumentLimitError over a limit)."""
    return parse_untrusted(data, filename, document_limits())


def structured_fields(doc: StandardDocument) -> dict:
    """What is stored of a text read into structure: the JSON, the HTML view, the STS XML, the findings."""
    data_dict = doc.to_dict()
    return {
        "error": "", "document": data_dict, "html": to_html(doc), "sts": to_sts(doc).decode("utf-8"),
        "schema": str(data_dict.get("schema", "")),
        "findings": [f.to_dict() for f in check(doc, status_of=catalogue_status)],
        "clause_count": len(doc.clause_numbers()),
        "term_count": len(doc.terms), "reference_count": len(doc.references), "limit_count": len(doc.limits),
    }


def on_full_text_submitted(sender, data: bytes, filename: str, **kwargs) -> Callable[[Standard], None]:
    """A full text is about to be attached (catalogue.signals.full_text_submitted): read it first, outside any
    transaction. A file that cannot be read (encrypted, scanned, garbled text layer, over a limit, too costly to
    parse) is refused, so that nothing is stored and no unreadable text is published as a standard's full text;
    a text that is read but has no clause structure is kept, with the reason on the standard's page. Returns
    what keeps the result, called in the attaching transaction."""
    fields: dict = {"source_name": filename[:255], "source_sha256": hashlib.sha256(data).hexdigest()}
    try:
        doc = read_untrusted(data, filename)
    except DocumentReadError as exc:
        raise FullTextRefused(f"全文无法读取，未保存：{exc}") from exc
    except SmartError as exc:
        fields.update(error=str(exc), document=None, html="", sts="", findings=[], schema="", clause_count=0,
                      term_count=0, reference_count=0, limit_count=0)
    else:
        fields.update(structured_fields(doc))

    def keep(standard: Standard) -> None:
        StructuredStandard.objects.update_or_create(standard=standard, defaults=fields)

    return keep


def structured_of(standard: Standard) -> StructuredStandard | None:
    return StructuredStandard.objects.filter(standard=standard).first()
