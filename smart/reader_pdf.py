"""Read a PDF standard into a ``RawDocument`` (pure: no Django).

Library choice (measured on the 19-file corpus, 255 pages, see ``docs/smart-accuracy.md``): pypdf extracts
text about 2.3× faster than pdfplumber (4.2 s against 9.8 s), but flattens every table into run-together lines
("设施排气筒 1 颗粒物 30 20 20 30 20 2 二氧化硫 280 b …"), loses the grid and merged header cells, and gives no
geometry for headers/footers. pdfplumber gives characters with position, size and font plus ruling lines, so
limit tables come out as cells — and the limit tables are the point of the exercise. So: pdfplumber, with our
own line builder over its characters (sub- and superscripts stay on their line: "SO2", "NOX", "mg/m³") and
``find_tables`` only on pages that have ruling lines.
"""

from __future__ import annotations

import ast
import bisect
import io
import os
from pathlib import Path
from typing import Any, BinaryIO

import pdfplumber

from .errors import DocumentReadError, EncryptedDocumentError, GarbledTextError, NoTextLayerError
from .guard import DEFAULT_LIMITS, DocumentLimits, check_pdf_page, check_pdf_pages
from .model import Line, Page, RawDocument, RawTable

SUPERSCRIPT_DIGITS = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
SUPERSCRIPT_LETTERS = dict(zip("abcdefgh", "ᵃᵇᶜᵈᵉᶠᵍʰ"))

_heavy_cache: dict[str, bool] = {}


def _is_heavy(fontname: Any) -> bool:
    """黑体 / bold fonts mark headings in GB/T 1.1 layouts. pdfminer gives GBK names as a bytes repr."""
    key = str(fontname)
    hit = _heavy_cache.get(key)
    if hit is None:
        name = key
        if key.startswith("b'") or key.startswith('b"'):
            try:
                name = ast.literal_eval(key).decode("gbk", "replace")
            except Exception:  # noqa: BLE001 - an odd font name is not an error
                name = key
        low = name.lower()
        hit = "黑体" in name or "hei" in low or "bold" in low or "黑" in name
        _heavy_cache[key] = hit
    return hit


def _axis_aligned(c: dict) -> bool:
    """Rotated glyphs (seals and watermarks stamped over the text) are not part of the text flow."""
    m = c.get("matrix")
    if not m:
        return True
    a, b, cc, d = m[0], m[1], m[2], m[3]
    return abs(b) <= 0.05 * abs(a) + 1e-9 and abs(cc) <= 0.05 * abs(d) + 1e-9


def _load(source: str | os.PathLike | bytes | BinaryIO) -> tuple[bytes | None, Any, str]:
    """Return (head bytes, something pdfplumber can open, a display name)."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        return data[:2048], io.BytesIO(data), "<bytes>"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            with path.open("rb") as fh:
                head = fh.read(2048)
        except OSError as exc:
            raise DocumentReadError(f"无法打开文件 {path.name}：{exc.strerror or exc}") from exc
        return head, str(path), path.name
    data = source.read()
    return data[:2048], io.BytesIO(data), getattr(source, "name", "<stream>")


def _check_head(head: bytes, name: str) -> None:
    if not head.strip():
        raise DocumentReadError(f"文件 {name} 是空的，不是PDF。")
    if b"%PDF-" in head[:1024]:
        return
    sniff = head[:512].lstrip().lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in sniff:
        raise DocumentReadError(f"文件 {name} 不是PDF，而是一个HTML网页（可能是下载页面被另存为.pdf），请下载真正的PDF文件后再上传。")
    if head.startswith(b"PK\x03\x04"):
        raise DocumentReadError(f"文件 {name} 不是PDF，而是一个ZIP压缩包（或Word文档），请上传PDF，或按Word文档上传。")
    raise DocumentReadError(f"文件 {name} 不是有效的PDF（缺少%PDF文件头），文件可能已损坏。")


def _open_error(exc: Exception, name: str) -> DocumentReadError:
    text = f"{type(exc).__name__} {exc} {exc!r} {exc.__cause__!r} {exc.__context__!r}".lower()
    if "password" in text or "encrypt" in text or "decrypt" in text:
        return EncryptedDocumentError(f"PDF文件 {name} 已加密（设置了打开密码），无法读取，请提供未加密的文件。")
    return DocumentReadError(f"PDF文件 {name} 已损坏或格式不规范，无法读取：{type(exc).__name__}")


# ---------------------------------------------------------------------------------------------------------------
# characters → lines
# ---------------------------------------------------------------------------------------------------------------


def _band_lines(chars: list[dict]) -> list[list[dict]]:
    """Group characters into visual lines: a character joins the line whose vertical band holds its centre.

    Normal-size characters make the bands (in reading order of ``top``); small ones (sub- and superscripts,
    footnote markers) are then put into the band that holds their centre, so "SO2", "NOX" and "280ᵇ" stay on
    their line instead of becoming lines of their own.
    """
    if not chars:
        return []
    sizes = sorted(c["size"] for c in chars)
    cut = 0.8 * sizes[len(sizes) // 2]
    bands: list[list[Any]] = []  # [top, bottom, chars]
    small = []
    for c in sorted(chars, key=lambda c: c["top"]):
        if c["size"] < cut:
            small.append(c)
            continue
        cy = (c["top"] + c["bottom"]) / 2
        target = None
        for band in reversed(bands[-4:]):
            if band[0] - 0.5 <= cy <= band[1] + 0.5:
                target = band
                break
        if target is None:
            bands.append([c["top"], c["bottom"], [c]])
        else:
            target[2].append(c)
            target[0] = min(target[0], c["top"])
            target[1] = max(target[1], c["bottom"])
    if small:
        bands.sort(key=lambda b: b[0])
        tops = [b[0] for b in bands]
        for c in small:
            cy = (c["top"] + c["bottom"]) / 2
            i = bisect.bisect_right(tops, cy)
            best = None
            for j in (i - 1, i, i - 2):
                if 0 <= j < len(bands):
                    band = bands[j]
                    if band[0] - 1.5 <= cy <= band[1] + 1.5:
                        best = band
                        break
            if best is None:
                band = [c["top"], c["bottom"], [c]]
                bands.insert(i, band)
                tops.insert(i, c["top"])
            else:
                best[2].append(c)
    return [band[2] for band in bands]


def _line_text(chars: list[dict]) -> tuple[str, dict[str, Any]]:
    """Text of one visual line, with geometry hints. Spaces come from geometry, not from space glyphs."""
    chars = sorted(chars, key=lambda c: c["x0"])
    solid = [c for c in chars if not c["text"].isspace()]
    if not solid:
        return "", {}
    sizes = sorted(c["size"] for c in solid)
    size = sizes[len(sizes) // 2]
    normal = [c for c in solid if c["size"] >= 0.8 * size] or solid
    mid = sum((c["top"] + c["bottom"]) / 2 for c in normal) / len(normal)
    out: list[str] = []
    prev = None
    heavy = 0
    for c in solid:
        t = c["text"]
        if prev is not None:
            gap = c["x0"] - prev["x1"]
            ref = max(size, 1.0)
            if gap > 1.5 * ref:
                out.append("  ")
            elif gap > 0.15 * ref:
                out.append(" ")
        small = c["size"] < 0.8 * size
        if small:
            cy = (c["top"] + c["bottom"]) / 2
            if cy < mid - 0.12 * size:  # superscript
                if t.isdigit() or t in "+-":
                    t = t.translate(SUPERSCRIPT_DIGITS)
                elif t in SUPERSCRIPT_LETTERS:
                    t = SUPERSCRIPT_LETTERS[t]
        if _is_heavy(c.get("fontname", "")):
            heavy += 1
        out.append(t)
        prev = c
    text = "".join(out).strip()
    hints = {
        "x0": round(solid[0]["x0"], 1),
        "x1": round(max(c["x1"] for c in solid), 1),
        "top": round(min(c["top"] for c in normal), 1),
        "bottom": round(max(c["bottom"] for c in normal), 1),
        "size": round(size, 1),
        "heavy": round(heavy / len(solid), 2),
    }
    return text, hints


def _cell_text(chars: list[dict]) -> str:
    """The visual lines of a cell, joined with "\n" (the parser re-joins them; a cover box keeps its lines)."""
    parts: list[str] = []
    for band in _band_lines(chars):
        text, _ = _line_text(band)
        if text:
            parts.append(text)
    return "\n".join(parts).strip()


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _inside(c: dict, bbox: tuple[float, float, float, float]) -> bool:
    cx = (c["x0"] + c["x1"]) / 2
    cy = (c["top"] + c["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _tables(page: Any, chars: list[dict]) -> list[tuple[tuple[float, float, float, float], RawTable]]:
    """Tables with ruling lines, as grids of cell texts; merged cells repeat their text, ``spans`` says so."""
    if len(page.rects) + len(page.lines) + len(page.curves) < 4:
        return []
    found = []
    try:
        candidates = page.find_tables()
    except Exception:  # noqa: BLE001 - a table finder failure must not lose the page text
        return []
    for table in candidates:
        rows = table.rows
        if len(rows) < 2 or max((len(r.cells) for r in rows), default=0) < 2:
            continue
        bbox = table.bbox
        inner = [c for c in chars if _inside(c, bbox)]
        ncols = max(len(r.cells) for r in rows)
        tops = [min(c[1] for c in r.cells if c is not None) for r in rows]
        last_bottom = min(c[3] for c in rows[-1].cells if c is not None)
        edges = tops + [last_bottom]
        row_mid = [(edges[k] + edges[k + 1]) / 2 for k in range(len(rows))]
        # column centres from the narrowest cell seen in each column
        widths: list[tuple[float, float] | None] = [None] * ncols
        for r in rows:
            for j, cell in enumerate(r.cells):
                if cell is None:
                    continue
                w = cell[2] - cell[0]
                seen = widths[j]
                if seen is None or w < seen[1] - seen[0]:
                    widths[j] = (cell[0], cell[2])
        col_mid = [None if w is None else (w[0] + w[1]) / 2 for w in widths]
        grid: list[list[str | None]] = [[None] * ncols for _ in rows]
        spans: list[list[int]] = []
        for i, r in enumerate(rows):
            for j, cell in enumerate(r.cells):
                if cell is None:
                    continue
                text = _cell_text([c for c in inner if _inside(c, cell)])
                covered_rows = [k for k, m in enumerate(row_mid) if cell[1] - 0.5 <= m <= cell[3] + 0.5] or [i]
                covered_cols = [k for k, m in enumerate(col_mid) if m is not None and cell[0] - 0.5 <= m <= cell[2] + 0.5] or [j]
                for a in covered_rows:
                    for b in covered_cols:
                        if grid[a][b] is None or (a == i and b == j):
                            grid[a][b] = text
                if len(covered_rows) > 1 or len(covered_cols) > 1:
                    spans.append([i, j, len(covered_rows), len(covered_cols)])
        if not any(v for r in grid for v in r):
            continue
        filled = [[v if v is not None else "" for v in r] for r in grid]
        found.append((bbox, RawTable(rows=filled, page=page.page_number, bbox=tuple(round(v, 1) for v in bbox),
                                     spans=spans)))
    return found


def read_pdf(source: str | os.PathLike | bytes | BinaryIO, *, tables: bool = True,
             limits: DocumentLimits = DEFAULT_LIMITS) -> RawDocument:
    """Read a PDF into a ``RawDocument``; the page count, and each page's objects before it is laid out into
    lines and tables, are held to ``limits`` (smart.guard).

    Raises ``NoTextLayerError`` for a scan without text, ``DocumentReadError`` for anything that is not a
    readable PDF (HTML saved as .pdf, broken bytes, an encrypted file).
    """
    head, handle, name = _load(source)
    _check_head(head or b"", name)
    try:
        pdf = pdfplumber.open(handle)
    except Exception as exc:  # noqa: BLE001 - every failure to open becomes one clear Chinese message
        raise _open_error(exc, name) from exc
    pages: list[Page] = []
    total = 0
    try:
        try:
            plumber_pages = list(pdf.pages)
        except Exception as exc:  # noqa: BLE001
            raise _open_error(exc, name) from exc
        if not plumber_pages:
            raise DocumentReadError(f"PDF文件 {name} 没有页面。")
        check_pdf_pages(len(plumber_pages), limits)
        for number, ppage in enumerate(plumber_pages, start=1):
            try:
                objects = ppage.objects
            except Exception as exc:  # noqa: BLE001
                raise _open_error(exc, name) from exc
            check_pdf_page(number, len(objects.get("char", ())), sum(len(objects.get(kind, ())) for kind in (
                "rect", "line", "curve")), limits)
            chars = [c for c in ppage.chars if c.get("upright", True) and _axis_aligned(c)]
            total += sum(1 for c in chars if not c["text"].isspace())
            page = Page(number=number, width=float(ppage.width), height=float(ppage.height))
            found = _tables(ppage, chars) if tables and chars else []
            if found:
                boxes = [bbox for bbox, _ in found]
                chars = [c for c in chars if not any(_inside(c, b) for b in boxes)]
            entries: list[tuple[float, Line]] = []
            for band in _band_lines(chars):
                text, hints = _line_text(band)
                if not text:
                    continue
                hints["page_width"] = page.width
                hints["page_height"] = page.height
                entries.append((hints["top"], Line(text=text, page=number, hints=hints)))
            for index, (bbox, table) in enumerate(found):
                page.tables.append(table)
                hints = {"table": index, "x0": bbox[0], "x1": bbox[2], "top": bbox[1], "bottom": bbox[3],
                         "page_width": page.width, "page_height": page.height}
                entries.append((bbox[1], Line(text="", page=number, hints=hints)))
            entries.sort(key=lambda e: e[0])
            page.lines = [line for _, line in entries]
            pages.append(page)
            if number == 3 and total == 0 and len(plumber_pages) > 3:
                # a scan: stop early, the remaining pages will not have text either
                raise NoTextLayerError()
    finally:
        pdf.close()
    if total < 10 * len(pages) and total < 200:
        raise NoTextLayerError()
    if _garbled(pages):
        raise GarbledTextError(f"PDF文件 {name} 的文字层是乱码（字体的字符映射损坏，数字和标点被读成“员园圆”等汉字），"
                               "无法可靠读取，请提供正确的电子版或OCR后上传。")
    return RawDocument(pages=pages, kind="pdf", source=name)


# The Han characters a known broken character map puts in place of the digits 0–9 (GB 16889—2008 in the corpus).
DIGIT_STAND_INS = frozenset("园员圆猿源缘远苑愿怨")


def _garbled(pages: list[Page]) -> bool:
    """A text layer whose digits come out as Han characters: a standard always has digits (its number, dates,
    clause numbers). In the corpus, readable texts have 0.10–0.29 digits per Han character and under 1% of these
    stand-ins; the garbled one has no digit at all and 10% stand-ins."""
    han = digits = stand_ins = 0
    for page in pages:
        cells = (cell for table in page.tables for row in table.rows for cell in row)
        for text in [line.text for line in page.lines] + list(cells):
            for ch in text:
                if "\u4e00" <= ch <= "\u9fff":
                    han += 1
                    stand_ins += ch in DIGIT_STAND_INS
                elif "0" <= ch <= "9" or "０" <= ch <= "９":
                    digits += 1
    return han >= 500 and digits < 0.01 * han and stand_ins > 0.03 * han


