"""Use cases of machine-readable standards: structure a standard's full text, look up what it says."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction

from catalogue.models import Replacement, Standard
from catalogue.numbers import try_parse_number
from smart.checks import check
from smart.documents import read_standard
from smart.errors import SmartError
from smart.html import to_html
from smart.sts import to_sts
from smart.models import StructuredStandard

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


def structure_standard(*, standard: Standard, data: bytes, filename: str) -> StructuredStandard:
    """Read the text into structure, check it, and keep the result; a text that cannot be structured is kept as
    such, with the reason, so the standard's page can say why."""
    digest = hashlib.sha256(data).hexdigest()
    fields: dict = {"source_name": filename[:255], "source_sha256": digest}
    try:
        doc = read_standard(data, filename)
    except SmartError as exc:
        fields.update(error=str(exc), document=None, html="", sts="", findings=[], schema="", clause_count=0,
                      term_count=0, reference_count=0, limit_count=0)
    else:
        data_dict = doc.to_dict()
        fields.update(
            error="", document=data_dict, html=to_html(doc), sts=to_sts(doc).decode("utf-8"),
            schema=str(data_dict.get("schema", "")),
            findings=[f.to_dict() for f in check(doc, status_of=catalogue_status)],
            clause_count=len(doc.clause_numbers()),
            term_count=len(doc.terms), reference_count=len(doc.references), limit_count=len(doc.limits),
        )
    with transaction.atomic():
        structured, _ = StructuredStandard.objects.update_or_create(standard=standard, defaults=fields)
    return structured


def on_full_text_attached(sender, standard_id: int, **kwargs) -> None:
    """A full text was attached: structure it (the file is read back from storage)."""
    std = Standard.objects.get(pk=standard_id)
    with std.full_text.open("rb") as fh:
        data = fh.read()
    structure_standard(standard=std, data=data, filename=std.full_text.name.rsplit("/", 1)[-1])


def structured_of(standard: Standard) -> StructuredStandard | None:
    return StructuredStandard.objects.filter(standard=standard).first()
