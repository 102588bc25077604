"""What of an English page is still in Chinese, outside the data itself (tests/test_english_crawl.py).

The data is what the database holds (a standard's title, an organisation's or a person's name, a project's
title, a comment's text …) and what a template marks as data with ``lang="zh"`` (a standard's structured text).
A run of Chinese on an English page is untranslated unless it lies inside a value the database holds, or inside
an element marked ``lang="zh"``.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+(?:[\s\d·、，：（）()/／\-—]*[\u3400-\u9fff\uf900-\ufaff]+)*")
_ATTRS = ("title", "placeholder", "aria-label", "alt", "value", "content")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """The text a reader sees (and the tooltips and placeholders), without scripts, styles or ``lang="zh"``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        hidden = self._hidden() or tag in ("script", "style", "template") or (values.get("lang") or "").startswith("zh")
        if not hidden:
            if tag == "input" and (values.get("type") or "text") in ("hidden", "text", "search", "email", "number"):
                values.pop("value", None)  # what a person typed or a stored value, not a label
            if tag == "meta" and values.get("name") not in ("description",):
                values.pop("content", None)
            self.texts.extend(v for k, v in values.items() if k in _ATTRS and v)
        if tag not in _VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return [unescape(t) for t in parser.texts]


def database_text() -> str:
    """Every string the database holds, joined, so that ``run in database_text()`` says a run is data."""
    from django.apps import apps
    from django.db import models

    chunks: list[str] = []

    def walk(value):
        if isinstance(value, str):
            if CJK.search(value):
                chunks.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not names:
            continue
        for row in model.objects.values_list(*names):
            walk(list(row))
    return "\x00" + "\x00".join(v for c in chunks for v in (c, c.strip())) + "\x00"


def _is_data(run: str, data: str) -> bool:
    return f"\x00{run}\x00" in data or (len(run) >= 3 and run in data)


def untranslated(html: str, data: str) -> list[str]:
    """The runs of Chinese on a page that are not data. A run is data when the database holds it as a whole
    value, or holds a value containing it and the run is long enough (three characters or more) not to be a word
    of the interface that happens to occur inside some record (状态, 个月, 天); a run joining values with " · "
    (an expert's title · organisation) is data when each of its parts is."""
    found = []
    for text in visible_texts(html):
        for m in CJK.finditer(text):
            run = m.group(0)
            if _is_data(run, data) or all(_is_data(part.strip(), data) for part in run.split("·")):
                continue
            found.append(run)
    return found
