"""Reading and checking an uploaded list of standards (标准清单, CSV or Excel), and writing search results back out.

Pure Python: no Django. `read_table` turns the bytes of an official's upload into checked records and row-level
errors in Chinese, before anything is written; `write_xlsx` and `write_csv` export records in the same shape, so
an exported file imports again unchanged.

Decisions:

- Header row: the first of the first 10 non-empty rows that holds a 标准号 column name (exact match after
  normalising spaces, full-width forms, brackets, ``*`` marks, BOM and case). Title rows above it are skipped.
- Merged cells (Excel): a merged range's value is read from its top-left cell and filled *down* the range's first
  column (a 发布单位 merged over five rows applies to each of them); it is never copied sideways. A header merged
  across several columns names its first column only (a warning says so), unless the row below holds sub-headers
  under it (two-row header): then each column is named by its sub-header, tried alone, then as top+sub and sub+top
  (标准名称 over 中文/英文 → 标准名称中文; 日期 over 发布/实施 → 发布日期). Two-row headers are recognised in Excel
  files only, where the merge shows that the top row is a group label.
- Empty rows: a row whose recognised columns are all empty is skipped silently and not counted; total_rows is the
  number of non-empty data rows, so total_rows == len(records) + number of rows with errors.
- Status words follow catalogue.status: 有更新版 is ``current`` (a newer edition exists; this one is in force).
- Region: a 6-digit GB/T 2260 code, or 广东/广东省 (440000) and Guangdong's 21 prefecture-level cities with or
  without 市 (广州 / 广州市 / 广东省广州市). Other names are refused with a message saying so. When the region is
  empty it comes from the number (DB44 → 440000, DB4401 → 440100).
- Columns: unknown columns are ignored with a warning naming them; 序号 and the derived columns this module exports
  (标准级别, 标准性质) are ignored silently. Two columns for one list field (领域 and 产业集群) are merged; for other
  fields the better-ranked alias wins and the other column is ignored with a warning.
- Excel repairs: ICS codes that Excel turned into numbers (67.08, 1.04) are read as 67.080 and 01.040; a CSV value
  that an export protected against formula injection ('=…) loses the leading apostrophe.
- Dates must fall in 1900–2100 (a year like 0202 is a typo, not a date).
- Limits: size is checked before anything is parsed; more than `max_rows` (1,000,000) non-empty rows is refused; an
  xlsx whose parts unpack to more than 1 GiB is refused.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import posixpath

from charset_normalizer import from_bytes

from catalogue.import_checks import check_rows
from catalogue.table_header import build_header
from catalogue.table_vocabulary import (
    HEADER_SEARCH_ROWS, MAX_ROWS, MAX_UPLOAD_BYTES, NUMBER_ALIASES, ParsedTable, TabularError, header_candidates,
    too_many_rows,
)
from catalogue.xlsx_reader import read_xlsx
from yuebiao import files
from yuebiao.messages import Message as M

# ---------------------------------------------------------------------------------------------------------------
# Reading bytes into rows.

def _mb(n: int) -> str:
    return f"{n / 2**20:.1f}"


def _limit_text(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:g} MB" if (n / 2**20) == int(n / 2**20) else f"{n / 2**20:.1f} MB"
    return f"{n / 1024:.0f} KB"


def _sniff_binary(data: bytes, filename: str = "") -> str:
    """'xlsx', 'text', or raise TabularError for a format we cannot read (the kind from yuebiao.files)."""
    kind = files.sniff(data, filename or "")
    if kind in (files.XLSX, files.ZIP, files.BROKEN_ZIP):
        return "xlsx"  # the xlsx reader says what is wrong with a zip that is not a workbook
    message = _NOT_A_TABLE.get(kind)
    if message:
        raise TabularError(message)
    return "text"


_NOT_A_TABLE = {
    files.ENCRYPTED: "文件已加密（设置了打开密码），请在 Excel 中取消密码后另存为 .xlsx 再上传",
    files.XLS: "不支持旧版 .xls 格式，请在 Excel 中“另存为” .xlsx（Excel 工作簿）后上传",
    files.OLE: "不支持旧版 .xls 格式，请在 Excel 中“另存为” .xlsx（Excel 工作簿）后上传",
    files.DOC: "无法识别文件格式：这是 Word（.doc）文档，请上传 CSV 或 Excel（.xlsx）文件",
    files.DOCX: "无法识别文件格式：这是 Word（.docx）文档，请上传 CSV 或 Excel（.xlsx）文件",
    files.SPREADSHEET_XML: "文件是 XML 电子表格（Excel 2003 XML）格式，请在 Excel 中“另存为” .xlsx 后上传",
    files.HTML: "文件实际是网页（HTML/XML）格式，不是 Excel 文件（常见于从网站下载的 .xls）；"
                "请用 Excel 打开后“另存为” .xlsx 或 CSV 再上传",
    files.XML: "文件实际是网页（HTML/XML）格式，不是 Excel 文件（常见于从网站下载的 .xls）；"
               "请用 Excel 打开后“另存为” .xlsx 或 CSV 再上传",
    files.PDF: "无法识别文件格式：这是 PDF 文件，请上传 CSV 或 Excel（.xlsx）文件",
    files.ARCHIVE: "无法识别文件格式：请上传 CSV 或 Excel（.xlsx）文件，不要压缩",
}


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text, the encoding used, warnings. UTF-8 strictly first, then GB18030 (Chinese Windows' 'Save as CSV'),
    charset-normalizer last."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise TabularError(_bad_utf8_message(data[3:], exc)) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            raise TabularError("文件编码为 UTF-16，但内容已损坏，无法读取") from None
    head = data[:4000]
    if len(head) >= 4 and head.count(0) * 3 > len(head):  # UTF-16 without a byte-order mark
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(enc), enc, []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Mostly-valid UTF-8 with a few bad bytes is a damaged UTF-8 file, not GB18030: decoding it as GB18030 would
    # silently turn every Chinese character into mojibake.
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    non_ascii = len(replaced) - len(replaced.encode("ascii", "ignore"))
    if non_ascii - bad > 10 * bad:
        raise TabularError(_bad_utf8_message(data, utf8_error))
    try:
        return data.decode("gb18030"), "gb18030", []
    except UnicodeDecodeError:
        pass
    try:
        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - a detector failure means "unknown encoding"
        best = None
    if best is None or not best.encoding:
        raise TabularError("无法识别文件编码：请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后重新上传")
    return str(best), best.encoding, [M("文件编码由自动检测判断为 {encoding}，请核对导入内容是否有乱码",
                                                encoding=best.encoding)]


def _bad_utf8_message(data: bytes, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return (f"文件是 UTF-8 编码，但第 {line} 行附近有无法识别的字节；请检查该行，"
            "或在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后重新上传")


_DELIMITERS = (",", "\t", ";")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into a 标准号 column; else the commonest in the first lines."""
    lines = [ln for ln in text[:65536].splitlines()[:50] if ln.strip()][:HEADER_SEARCH_ROWS]
    best, best_fields = None, 0
    for line in lines:
        for d in _DELIMITERS:
            parts = line.split(d)
            if len(parts) > best_fields and any(
                c in NUMBER_ALIASES for p in parts for c in header_candidates(p)
            ):
                best, best_fields = d, len(parts)
        if best:
            return best
    counts = {d: sum(ln.count(d) for ln in lines) for d in _DELIMITERS}
    d = max(_DELIMITERS, key=lambda x: counts[x])
    return d if counts[d] else ","


def _read_text(data: bytes, max_rows: int) -> tuple[list[tuple[int, list]], str, list[str]]:
    text, encoding, warnings = _decode(data)
    if "\x00" in text:
        text = text.replace("\x00", "")
    delimiter = _sniff_delimiter(text)
    rows: list[tuple[int, list]] = []
    limit = max_rows + HEADER_SEARCH_ROWS
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    n = 0
    try:
        for n, row in enumerate(reader, 1):
            if row:
                rows.append((n, row))
                if len(rows) > limit:
                    raise TabularError(too_many_rows(max_rows))
    except csv.Error as exc:
        raise TabularError(f"第 {n + 1} 行无法解析（{exc}），请检查引号是否成对或单元格是否过长") from None
    return rows, encoding, warnings


# ---------------------------------------------------------------------------------------------------------------
# Public API.


def read_table(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    known_ics=None,
    known_ccs=None,
    known_regions=None,
    max_rows: int = MAX_ROWS,
) -> ParsedTable:
    """Check every row of an uploaded CSV or .xlsx list of standards; nothing is written anywhere.

    Raises TabularError (Chinese message) when the file as a whole cannot be read: too large, not CSV/xlsx,
    undecodable, no header, required columns missing, too many rows. Problems in single rows become RowErrors, and
    a row with any error gives no record. `known_*` are containers of valid codes, or None to skip that check."""
    data = bytes(data)
    if len(data) > max_bytes:
        raise TabularError(f"文件超过 {_limit_text(max_bytes)} 上限（实际 {_mb(len(data))} MB）")
    if not data[:65536].strip() and not data.strip():
        raise TabularError("文件为空")
    # Reading builds millions of small lists and dicts and no reference cycles: the cyclic collector would rescan
    # them again and again (measured: it nearly halves the rows/s), so it is paused while the file is read.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_table(data, filename, max_rows, known_ics, known_ccs, known_regions)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read_table(data, filename, max_rows, known_ics, known_ccs, known_regions) -> ParsedTable:
    kind = _sniff_binary(data, filename)
    warnings: list[str] = []
    encoding = None
    if kind == "xlsx":
        sheet, sheet_warnings = read_xlsx(data, max_rows)
        warnings.extend(sheet_warnings)
        rows, merges = sheet.rows, sheet.merges
    else:
        ext = posixpath.splitext((filename or "").lower())[1]
        rows, encoding, text_warnings = _read_text(data, max_rows)
        warnings.extend(text_warnings)
        if ext in (".xls", ".xlsx", ".xlsm", ".et"):
            warnings.append(M("文件扩展名为 {ext}，但内容是文本表格，已按 CSV 读取", ext=ext))
        merges = []
    header = build_header(rows, merges)
    table = check_rows(
        rows[header.row_index + 1:], header, max_rows=max_rows, known_ics=known_ics, known_ccs=known_ccs,
        known_regions=known_regions,
    )
    table.encoding = encoding
    table.warnings = warnings + table.warnings
    return table

