"""What kind of file an upload is, read from its bytes: one sniffer for every room (standards' full texts, project
documents, tables of standards, documents to compare).

The content decides: magic bytes, then the member names of a zip and the stream names of an Office 97 compound
file. The filename is only a hint, used where the bytes cannot tell (comma-separated from plain text, an Office 97
file whose stream names were not found). No Django here: a pure core.
"""

from __future__ import annotations

import struct
import zipfile
from io import BytesIO

PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
DOC = "doc"  # Word 97–2003
XLS = "xls"  # Excel 97–2003
OLE = "ole"  # another Office 97 compound file (PowerPoint, Outlook …)
ENCRYPTED = "encrypted"  # an Office 2007+ file with an opening password (stored as a compound file)
ZIP = "zip"  # a zip that is neither a Word nor an Excel document
BROKEN_ZIP = "broken-zip"  # starts like a zip but its directory cannot be read (truncated, damaged)
HTML = "html"
SPREADSHEET_XML = "spreadsheet-xml"  # Excel 2003 XML
XML = "xml"
ARCHIVE = "archive"  # gzip, RAR, 7-Zip
CSV = "csv"
TXT = "txt"
BINARY = "binary"
EMPTY = "empty"

TEXT_KINDS = frozenset({CSV, TXT})
OFFICE_97_KINDS = frozenset({DOC, XLS, OLE, ENCRYPTED})
ZIP_KINDS = frozenset({DOCX, XLSX, ZIP, BROKEN_ZIP})

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A zip declaring more entries than this is not opened to read its names (zipfile reads the whole directory);
# the rooms check their own, lower, limits before they ask.
MAX_ZIP_ENTRIES_READ = 100_000

_ARCHIVE_MAGIC = (b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
_WORD_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_EXCEL_MAINS = (b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
_CSV_SUFFIXES = (".csv", ".tsv")
_XLS_SUFFIXES = (".xls", ".et", ".xlt")
_DOC_SUFFIXES = (".doc", ".wps", ".dot")


def sniff(data: bytes, filename: str = "") -> str:
    """The kind of `data` (one of the constants above); `filename` is only a hint where the bytes cannot tell."""
    if not data:
        return EMPTY
    if _is_pdf(data):
        return PDF
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC[:4]):
        return _office_97_kind(data, filename)
    if data.startswith(_ARCHIVE_MAGIC):
        return ARCHIVE
    sample = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        return _text_kind(data, filename)
    if sample.startswith(b"<"):
        return _markup_kind(data, sample)
    if b"\x00" in data[:4096] and not _looks_utf16(data[:4000]):
        return BINARY
    return _text_kind(data, filename)


def zip_entry_count(data: bytes) -> int | None:
    """The entries of a zip as its end-of-central-directory record gives them, read without opening the archive
    (zipfile.ZipFile reads the whole directory first): the declared count, or more if the directory's declared size
    could hold more (a directory entry takes at least 46 bytes, and zipfile reads all of it whatever the count
    says); None when there is no such record (not a zip)."""
    tail = data[-(65535 + 22):]
    at = tail.rfind(EMPTY_ZIP_MAGIC)
    if at < 0 or len(tail) - at < 22:
        return None
    total, directory_bytes = struct.unpack("<HI", tail[at + 10:at + 16])
    if total == 0xFFFF or directory_bytes == 0xFFFFFFFF:  # ZIP64: the real figures are in the record before
        at64 = tail.rfind(b"PK\x06\x06", 0, at)
        if at64 >= 0 and len(tail) - at64 >= 48:
            total, directory_bytes = struct.unpack("<QQ", tail[at64 + 32:at64 + 48])
    return max(total, directory_bytes // 46)


def suffix(filename: str) -> str:
    """The lower-case extension of a filename, with its dot ('' when none)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name[name.rfind("."):] if "." in name else ""


def _is_pdf(data: bytes) -> bool:
    """The PDF header opens the file, or (as readers allow) comes within its first 1024 bytes of a file that ends
    like a PDF: a text that merely mentions "%PDF-" is not one."""
    if data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"%PDF-":
        return True
    return b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]


def _zip_kind(data: bytes) -> str:
    count = zip_entry_count(data)
    if count is None:
        return BROKEN_ZIP
    if count > MAX_ZIP_ENTRIES_READ:
        return ZIP
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            # The main part may live elsewhere: [Content_Types].xml names it.
            if "[Content_Types].xml" not in names:
                return ZIP
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1 << 20:
                return ZIP
            types = archive.read(info)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        return BROKEN_ZIP
    if _WORD_MAIN in types:
        return DOCX
    if any(main in types for main in _EXCEL_MAINS):
        return XLSX
    return ZIP


def _office_97_kind(data: bytes, filename: str) -> str:
    """Word or Excel 97–2003, or an encrypted Office 2007+ file: the compound file's stream names tell."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return ENCRYPTED
    if "WordDocument".encode("utf-16-le") in data:
        return DOC
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return XLS
    ext = suffix(filename)
    if ext in _XLS_SUFFIXES:
        return XLS
    if ext in _DOC_SUFFIXES:
        return DOC
    return OLE


def _markup_kind(data: bytes, sample: bytes) -> str:
    if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        return SPREADSHEET_XML
    head = sample[:1024].lower()
    if b"<html" in head or head.startswith(b"<!doctype html"):
        return HTML
    return XML


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: the bytes decode one way or the other to printable text."""
    head = head[: len(head) // 2 * 2]
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
        if text and printable >= 0.95 * len(text):
            return True
    return False


def _text_kind(data: bytes, filename: str) -> str:
    ext = suffix(filename)
    if ext in _CSV_SUFFIXES:
        return CSV
    if ext in (".txt", ".md"):
        return TXT
    # The name does not say: comma- or tab-separated when the first lines agree on a separator.
    lines = [line for line in data[:4096].replace(b"\x00", b"").splitlines()[:5] if line.strip()]
    for sep in (b",", b"\t"):
        counts = {line.count(sep) for line in lines[:-1] or lines}
        if len(lines) >= 2 and len(counts) == 1 and counts.pop() > 0:
            return CSV
    return TXT
