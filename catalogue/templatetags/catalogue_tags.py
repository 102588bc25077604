"""Template helpers of the catalogue's pages: a classification's title in the reader's language, or marked."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from catalogue.queries import classification_title

register = template.Library()


@register.simple_tag
def code_title(node) -> str:
    """An ICS or CCS title: in the interface's language where the catalogue has it; otherwise the title it has,
    marked with its language (lang attribute and a small tag), so an English ICS title is not taken for a
    translation nobody made."""
    if node is None:
        return ""
    title = classification_title(getattr(node, "title_zh", ""), getattr(node, "title_en", ""))
    if title["lang"] is None:
        return format_html("<span>{}</span>", title["text"])
    tag = _("英文") if title["lang"] == "en" else _("中文")
    return format_html('<span lang="{}">{}</span> <small class="lang-tag">{}</small>', title["lang"], title["text"], tag)
