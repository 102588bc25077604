"""The platform's one ReportLab set-up (PDF 输出): the Chinese font, A4 landscape pages, paragraph and table styles.

The font is the Adobe-GB1 CID font STSong-Light, which needs no font file: the same output on any machine,
offline; viewers draw it with their own Song typeface, and the text stays extractable. It has no glyph for a few
characters that occur in standards (superscript digits, µ, ⩽ …): `markup` writes them as ReportLab can show them.
No Django: a report is built from plain data, on the command line too.

A document is a story of flowables built with these helpers::

    s = paragraph_styles(body=(9, 12.5), note=(10, 14))
    story = [para("征求意见汇总处理表", s.title), para(summary, s.note), table(header, rows, widths, s)]
    return build(story, title="征求意见汇总处理表")
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT = "STSong-Light"
PAGE = landscape(A4)
MARGIN = 36  # pt, on every side
WIDTH = PAGE[0] - 2 * MARGIN  # 770 pt: what a table may fill
AUTHOR = "粤标 Yuebiao"
GRID = "#808080"
HEADER_FILL = "#E8EDF3"
GREY = "#555555"

# characters Adobe-GB1 (UniGB-UCS2-H) has no glyph for, as they occur in standards: a viewer would draw a box
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿ", "0123456789-+n"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
SWAP = {"µ": "μ", "·": "・", "•": "・", "⩽": "≤", "⩾": "≥", "⚠": "！", "✓": "√", "✗": "×", "Å": "A"}
_RUNS = re.compile("[" + "".join(_SUPER) + "]+|[" + "".join(_SUB) + "]+|[" + "".join(SWAP) + "]")


def register_font() -> str:
    """Register the CID font once per process; its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def markup(text: Any) -> str:
    """Escaped Paragraph markup in which every character is one STSong-Light can show; None is empty."""
    def fix(m: re.Match) -> str:
        run = m.group(0)
        if run[0] in _SUPER:
            return "<super>" + "".join(_SUPER.get(c, c) for c in run) + "</super>"
        if run[0] in _SUB:
            return "<sub>" + "".join(_SUB.get(c, c) for c in run) + "</sub>"
        return "".join(SWAP.get(c, c) for c in run)

    # runs are split by kind so that a superscript run never swallows a subscript
    out = _RUNS.sub(fix, escape("" if text is None else str(text)))
    return out.replace("\n", "<br/>")


def plain(text: str) -> str:
    """Text drawn straight on the canvas (a footer): the characters without a glyph swapped, no markup."""
    return "".join(SWAP.get(c, c) for c in text)


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one document: table cells (body, head, centre), title, h2, note and small print."""

    body: ParagraphStyle
    head: ParagraphStyle
    centre: ParagraphStyle
    title: ParagraphStyle
    h2: ParagraphStyle
    note: ParagraphStyle
    small: ParagraphStyle


def paragraph_styles(*, body: tuple[float, float] = (9, 12.5), note: tuple[float, float] = (10, 14),
                     title_space_after: float = 6) -> Styles:
    """Styles in the Chinese font; `body` and `note` are (font size, leading) of table cells and running text."""
    font = register_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=body[0], leading=body[1], wordWrap="CJK")
    running = ParagraphStyle("note", fontName=font, fontSize=note[0], leading=note[1], wordWrap="CJK",
                             spaceBefore=3)
    return Styles(
        body=cell,
        head=ParagraphStyle("head", parent=cell, alignment=1),
        centre=ParagraphStyle("centre", parent=cell, alignment=1),
        title=ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1,
                             spaceAfter=title_space_after),
        h2=ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4),
        note=running,
        small=ParagraphStyle("small", parent=running, fontSize=note[0] - 1, leading=note[1] - 1.5,
                             textColor=colors.HexColor(GREY)),
    )


def para(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup(text), style)


def grid_style(extra: Iterable[tuple] = ()) -> TableStyle:
    """Thin grey grid, a tinted header row, cells aligned to the top; `extra` commands after these."""
    return TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID)),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"), *extra])


def table(header: list[str], rows: Iterable[Iterable[Any]], widths: list[float], styles: Styles,
          extra: Iterable[tuple] = (), width: float = WIDTH) -> Table:
    """A table whose header repeats on every page and whose rows may break across pages; `widths` are relative
    and scaled to `width`; a cell is text (wrapped in the body style) or a flowable given as is."""
    data = [[para(h, styles.head) for h in header]]
    data += [[c if isinstance(c, Flowable) else para(c, styles.body) for c in row] for row in rows]
    scale = width / sum(widths)
    t = Table(data, colWidths=[w * scale for w in widths], repeatRows=1, splitInRow=1)
    t.setStyle(grid_style(extra))
    return t


def boxed(paragraphs: list[Paragraph], *, border: str, fill: str, width: float = WIDTH) -> Table:
    """Paragraphs in a coloured box (a warning)."""
    t = Table([[p] for p in paragraphs], colWidths=[width])
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor(border)),
                           ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(fill)),
                           ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8)]))
    return t


def key_values(rows: Iterable[tuple[str, Any]], styles: Styles, width: float = WIDTH) -> Table:
    """Two columns, the names tinted: what a document is about, before its tables."""
    t = Table([[para(k, styles.body), para(v, styles.body)] for k, v in rows],
              colWidths=[width * 0.16, width * 0.84])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#B0B0B0")),
                           ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F3F5F8")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def page_footer(left: str = "") -> Callable[[Any, Any], None]:
    """Draws `left` (e.g. a permanent link) at the bottom left and "第 N 页" at the bottom right of every page."""
    shown = plain(left)[:120]

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(register_font(), 8)
        canvas.setFillColor(colors.HexColor(GREY))
        if shown:
            canvas.drawString(MARGIN, 20, shown)
        canvas.drawRightString(doc.pagesize[0] - MARGIN, 20, f"第 {doc.page} 页")
        canvas.restoreState()

    return draw


def build(story: list[Any], *, title: str, subject: str = "", footer_left: str = "") -> bytes:
    """The story as an A4 landscape PDF with the page footer on every page; the bytes."""
    register_font()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author=AUTHOR, subject=subject)
    footer = page_footer(footer_left)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
