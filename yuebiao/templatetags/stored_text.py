"""Sentences stored for later, shown in the reader's language: ``{{ error|stored_text }}`` (yuebiao.messages)."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from yuebiao.messages import render_stored

register = template.Library()

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _escaped_gettext(msgid: str) -> str:
    return conditional_escape(gettext(msgid))


def _data_value(value) -> str:
    """A value inside a translated sentence (a number, a date, what a file said): escaped, and marked as Chinese
    when it is, so a reader's tools (and screen readers) know it is the data, not the interface."""
    text = "" if value is None else str(value)
    if _CJK.search(text):
        return format_html('<span lang="zh">{}</span>', text)
    return conditional_escape(text)


def stored_sentence(entry, key: str = "message") -> str:
    """A stored dict's sentence as HTML in the reader's language (its `key`, "message" unless told)."""
    if not isinstance(entry, dict):
        return conditional_escape("" if entry is None else str(entry))
    if (get_language() or "zh").startswith("zh"):
        text = entry.get(key)
        return conditional_escape("" if text is None else str(text))  # Chinese: the sentence as it was stored
    escaped = {**entry, key: conditional_escape(entry.get(key) or "")}  # what an old row without an id shows
    return mark_safe(render_stored(escaped, key, _escaped_gettext, _data_value))  # noqa: S308 - every part escaped


register.filter("stored_text", stored_sentence)


@register.filter
def stored_plain(entry, key: str = "message") -> str:
    """The same sentence as plain text, for an attribute (a tooltip): the template escapes it."""
    if not isinstance(entry, dict):
        return "" if entry is None else str(entry)
    if (get_language() or "zh").startswith("zh"):
        text = entry.get(key)
        return "" if text is None else str(text)
    return render_stored(entry, key, gettext)
