"""Clean-up of extracted text before parsing (pure: no Django).

What real extractions of GB/DB/HJ PDFs look like, and what is done about it here:

* spaced-out characters used for typographic spreading (``广 东 省 地 方 标 准``, ``前 言``) → collapsed;
* page headers (the standard number on every page), footers and page numbers (``3``, ``II``, ``- 3 -``) →
  dropped, using position (top/bottom band of the page) and repetition;
* full-width digits, Latin letters and the ideographic space → half-width; ``mg/m3`` style units are left to the
  limit parser;
* mixed ``-``, ``－``, ``–``, ``—`` in standard numbers and dates → ``—`` in numbers, ``-`` in ISO dates;
* placeholders left in templates (``ICS XXXX``, ``X XX``, ``UUU UUUU``, ``44 /xxx—xxxx``) → dropped;
* line breaks inside sentences → ``join_wrapped`` (used by the parser once it knows which lines are structure);
* tables flattened into lines (text input) → ``split_flat_row`` cuts a row into cells on wide gaps, tabs or
  ``|``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from catalogue.numbers import find_numbers

from .model import Line, Page, RawDocument

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FW = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
_FW.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FW.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FW.update({"\u3000": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200b": "",
            "．": ".", "／": "/", "＋": "+", "＝": "=", "＜": "<", "＞": ">", "％": "%", "＃": "#", "\ufeff": "",
            "﹤": "<", "﹥": ">", "\t": "  "})
_FW_TABLE = str.maketrans(_FW)

RE_SPACED = re.compile(rf"(?<![{CJK}A-Za-z0-9])[{CJK}](?:[ ]+[{CJK}])+(?![{CJK}A-Za-z0-9])")
RE_SPACED_ANY = re.compile(rf"[{CJK}](?: {{1,3}}[{CJK}]){{2,}}")
RE_NUMBER_DASH = re.compile(
    r"(?<![A-Za-z0-9.])((?:GB|GBZ|HJ|DB|GHZB|JH|CJ|CJJ|HG|SH|QB|NY|LY|JJG|JJF|YY|WS|SL|DL|JGJ|JB|JC|JT|MH|TB|YD|AQ|SN)"
    r"(?:\s*/\s*[TZ])?(?:\s*\d{2}\s*/\s*(?:T\s*)?)?\s*\d+(?:\.\d+)*)\s*[-－–—―‑]+\s*(\d{2}(?:\d{2})?)(?![\d.])")
RE_DATE_DASH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-－–—―.]\s*(\d{1,2})\s*[-－–—―.]\s*(\d{1,2})(?!\d)")
RE_PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*)?(?:\d{1,3}|[IVXLivxl]{1,6}|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)(?:\s*[-—–])?$")
RE_PLACEHOLDER = re.compile(r"^(?:ICS\s+X+[X .]*|X\s*XX+|[UＵ]{2,}[ UＵ]*|\d{2}\s*/\s*x+\s*[—-]\s*x+\s*(?:DB\s*\d*)?)$", re.I)
RE_DOTS = re.compile(r"(?:\.{4,}|…{2,}|·{4,})\s*(?:[0-9IVXivx]+)?\s*$")


def normalize_text(text: str) -> str:
    """Half-width digits/letters, one kind of dash in numbers, ISO dates, collapsed spaced-out characters."""
    if not text:
        return ""
    text = text.translate(_FW_TABLE)
    text = RE_DATE_DASH.sub(lambda m: f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}", text)
    text = RE_NUMBER_DASH.sub(lambda m: f"{m.group(1)}—{m.group(2)}", text)
    text = collapse_spaced(text)
    text = re.sub(r"[ ]{3,}", "  ", text)
    return text.strip()


def collapse_spaced(text: str) -> str:
    """``广 东 省 地 方 标 准`` → ``广东省地方标准``; leaves ``固定污染源废气 二氧化硫的测定`` alone."""

    def fix(m: re.Match) -> str:
        return re.sub(r"\s+", "", m.group(0))

    if RE_SPACED.fullmatch(text.strip()):
        return fix(RE_SPACED.fullmatch(text.strip()))
    return RE_SPACED_ANY.sub(lambda m: fix(m) if _all_single(m.group(0)) else m.group(0), text)


def _all_single(chunk: str) -> bool:
    return all(len(part) == 1 for part in chunk.split())


def is_placeholder(text: str) -> bool:
    return bool(RE_PLACEHOLDER.match(text.strip()))


def is_toc_line(text: str) -> bool:
    return bool(RE_DOTS.search(text))


def _mask(text: str) -> str:
    """Compare header lines without spaces and digits of page numbers."""
    return re.sub(r"\s+", "", text).replace("—", "-")


def strip_page_furniture(pages: list[Page]) -> list[Page]:
    """Drop running headers, footers and page numbers.

    With geometry (PDF): a line in the top or bottom 11 % of the page that is a page number, or whose text
    repeats on a fair share of pages in that band. Without geometry: the first/last line of a page when it
    is a page number or repeats on many pages.
    """
    n = len(pages)
    band_counts: Counter[str] = Counter()
    candidates: list[list[tuple[int, Line]]] = []
    for page in pages:
        cands = []
        body = [ln for ln in page.lines if "table" not in ln.hints]
        for idx, line in enumerate(page.lines):
            if "table" in line.hints:
                continue
            h = line.hints
            if "top" in h and h.get("page_height"):
                height = h["page_height"]
                in_band = h["top"] < 0.115 * height or h["bottom"] > 0.885 * height
            else:
                in_band = bool(body) and (line is body[0] or line is body[-1] or (len(body) > 1 and line is body[1]))
            if in_band:
                cands.append((idx, line))
        candidates.append(cands)
        for key in {_mask(line.text) for _, line in cands}:
            band_counts[key] += 1
    threshold = max(2, int(0.3 * n)) if n > 2 else 2
    out = []
    for page, cands in zip(pages, candidates):
        drop = set()
        for idx, line in cands:
            text = line.text.strip()
            if RE_PAGE_NUMBER.match(text) or band_counts[_mask(text)] >= threshold:
                drop.add(idx)
        page.lines = [ln for i, ln in enumerate(page.lines) if i not in drop]
        out.append(page)
    return out


RE_VALUE_LINE = re.compile(r"^[<>≤≥]?\s*\d[\d .]*(?:[～~\-—]\s*\d[\d .]*)?\s*(?:[（(]\s*\d\s*[)）]|[⁽][¹²³⁴⁵][⁾]|[ᵃᵇᶜᵈᵉ①②③④])?$")


def _join_cell(text: str) -> str:
    """Normalise each visual line of a cell and join them back into one text.

    A cell holding one value per line ("12" over "20（1）": two limits for two cases) keeps its line breaks.
    """
    parts = [normalize_text(p) for p in text.split("\n")]
    parts = [p for p in parts if p]
    if len(parts) > 1 and all(RE_VALUE_LINE.match(p) for p in parts):
        return "\n".join(parts)
    out = ""
    for part in parts:
        out = join_texts(out, part)
    return out


def clean_document(raw: RawDocument) -> RawDocument:
    """Normalise every line and drop page furniture and placeholders (in place, returns ``raw``)."""
    for page in raw.pages:
        lines = []
        for line in page.lines:
            if "table" in line.hints:
                lines.append(line)
                continue
            text = normalize_text(line.text)
            if not text or is_placeholder(text):
                continue
            line.text = text
            lines.append(line)
        page.lines = lines
        for table in page.tables:
            table.lines = [[[normalize_text(x) for x in (c or "").split("\n") if x.strip()] for c in row]
                           for row in table.rows]
            table.rows = [[_join_cell(c or "") for c in row] for row in table.rows]
    strip_page_furniture(raw.pages)
    return raw


# ---------------------------------------------------------------------------------------------------------------
# wrapped lines
# ---------------------------------------------------------------------------------------------------------------

END_PUNCT = "。；;！!？?：:"


def page_margins(lines: Iterable[Line]) -> tuple[float | None, float | None]:
    """(left, right) text margins of a page from line geometry, or (None, None) without geometry."""
    xs0 = Counter()
    xs1 = []
    for line in lines:
        h = line.hints
        if "x0" not in h or "table" in h:
            continue
        xs0[round(h["x0"])] += 1
        if len(line.text) > 15:
            xs1.append(h["x1"])
    if not xs0:
        return None, None
    repeated = [x for x, c in xs0.items() if c >= 2]
    left = min(repeated) if repeated else min(xs0)
    right = max(xs1) if xs1 else None
    return float(left), right


def continues(prev: Line, line: Line, margins: tuple[float | None, float | None],
              prev_margins: tuple[float | None, float | None] | None = None) -> bool:
    """Is ``line`` the wrapped continuation of ``prev`` (same paragraph)?

    With geometry: ``prev`` reaches the right margin of its page and ``line`` starts at the left margin of its
    page (across a page break too). Without geometry: ``prev`` does not end a sentence.
    """
    left, right = margins
    hp, hl = prev.hints, line.hints
    if left is not None and right is not None and "x1" in hp and "x0" in hl:
        size = hl.get("size") or 10.5
        p_right = right
        if prev.page != line.page:
            p_right = (prev_margins or (None, None))[1] or right
        full = hp["x1"] >= p_right - 1.6 * size
        flush = hl["x0"] <= left + 0.6 * size
        return full and flush
    text = prev.text.rstrip()
    if not text:
        return False
    if _starts_with_standard_number(line.text):
        # A normative reference or a list of standards: one per line, even where no full stop ends the line.
        return False
    return text[-1] not in END_PUNCT


def _starts_with_standard_number(text: str) -> bool:
    head = text.lstrip()[:40]
    found = find_numbers(head)
    return bool(found) and found[0][1] == 0


def join_texts(a: str, b: str) -> str:
    """Join two wrapped pieces of one sentence: no space between CJK, one space between Latin words."""
    if not a:
        return b
    if not b:
        return a
    x, y = a[-1], b[0]
    if re.match(rf"[{CJK}，。、；：（）《》“”]", x) or re.match(rf"[{CJK}，。、；：（）《》“”]", y):
        return a + b
    if x in "-/(（[" or y in ")）],.;":
        return a + b
    return a + " " + b


def split_flat_row(text: str) -> list[str]:
    """Cut a table row flattened into one line into cells (``|``, tabs or runs of 2+ spaces)."""
    t = text.strip()
    if "|" in t:
        t = t.strip("|")
        return [c.strip() for c in t.split("|")]
    return [c for c in re.split(r"\t+|\s{2,}", t) if c]
