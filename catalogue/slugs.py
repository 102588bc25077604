"""URL slugs for standard numbers: `DB44/ 2159—2019` → `DB44-2159-2019`, readable and stable in links."""

from __future__ import annotations

import re

_ALL_PARTS = re.compile(r"[（(]\s*(所有部分|all parts)\s*[)）]", re.IGNORECASE)
_UNSAFE = re.compile(r"[^0-9A-Za-z.\-]+")


def number_slug(canonical: str) -> str:
    text = _ALL_PARTS.sub("-all-parts", canonical)
    text = text.replace(":—", "-unpublished")
    text = _UNSAFE.sub("-", text)
    return re.sub(r"-{2,}", "-", text).strip("-")
