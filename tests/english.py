"""What of an English page is still in Chinese, outside the data itself (tests/test_english_crawl.py).

The data is what the database holds in its text columns (a standard's title, an organisation's or a person's
name, a project's title, a comment's text …) and what a template marks as data with ``lang="zh"`` (a standard's
structured text). A run of Chinese on an English page is untranslated unless it is such a value (``Data``), or
lies inside an element marked ``lang="zh"``.
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


# Tables whose text is the platform's own sentences, not data: a notice says what happened in the interface's words.
MESSAGES = {"notify.Notice"}


class Data:
    """The strings the database holds in its text columns: joined (to look a long run up inside them) and cut into
    their own runs of Chinese (a short run is data only when it is a whole run of some value: 报批稿 of
    报批稿.docx, not 个月 of 3个月以上)."""

    def __init__(self, values: list[str]):
        self.joined = "\x00" + "\x00".join(values) + "\x00"
        self.runs = {run for value in values for run in CJK.findall(value)} | {v.strip() for v in values}

    def holds(self, run: str) -> bool:
        return run in self.runs or (len(run) >= 6 and run in self.joined)


def database_text() -> Data:
    """Every string the database holds in a text column (JSON columns hold what the platform worked out: an
    import's row errors, a comparison's notes, an event's details; those the interface must translate)."""
    from django.apps import apps
    from django.db import models

    # What the trail stores for who acted when no one signed in is an interface word, not a name.
    from trail.services import ANONYMOUS_LABEL, SYSTEM_LABEL

    interface = {ANONYMOUS_LABEL, SYSTEM_LABEL}
    values: list[str] = []
    for model in apps.get_models():
        if model._meta.label in MESSAGES:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        if not names:
            continue
        for row in model.objects.values_list(*names):
            values.extend(v for v in row if isinstance(v, str) and v not in interface and CJK.search(v))
    return Data(values)


def untranslated(html: str, data: Data) -> list[str]:
    """The runs of Chinese on a page that are not data; a run joining values with " · " or " / " (an expert's
    title · organisation) is data when each of its parts is."""
    found = []
    for text in visible_texts(html):
        for m in CJK.finditer(text):
            run = m.group(0)
            if data.holds(run) or all(data.holds(p.strip()) for p in re.split(r" [·/] ", run)):
                continue
            found.append(run)
    return found
