"""One entry point for any uploaded standard: decide the format from the bytes (not the name) and parse it."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from .errors import DocumentReadError
from .guard import DEFAULT_LIMITS, DocumentLimits, check_zip_entries
from .model import StandardDocument
from .parser import parse_document

SUFFIXES = (".pdf", ".docx", ".txt", ".md")


def sniff(data: bytes, filename: str = "", limits: DocumentLimits = DEFAULT_LIMITS) -> str:
    """'pdf', 'docx' or 'text', from the content; a name that lies about its content does not matter."""
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        check_zip_entries(data, limits)  # before zipfile reads the whole central directory
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise DocumentReadError(f"“{filename}”是损坏的压缩文件，无法作为 Word 文档读取") from exc
        if "word/document.xml" in names:
            return "docx"
        raise DocumentReadError(f"“{filename}”是压缩包，但不是 Word（.docx）文档")
    if head[:1] == b"<" and b"<html" in head.lower():
        raise DocumentReadError(f"“{filename}”是网页（HTML）文件，不是 PDF、Word 或文本格式的标准")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentReadError(f"“{filename}”是旧版 Word（.doc）文件，请另存为 .docx 后上传")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentReadError(f"“{filename}”是二进制文件，不是 PDF、Word 或文本")
    return "text"


def read_standard(data: bytes, filename: str = "", limits: DocumentLimits = DEFAULT_LIMITS) -> StandardDocument:
    """Read and structure a standard from its bytes; raises DocumentReadError (DocumentLimitError over a limit,
    NoTextLayerError …) or DocumentParseError with a Chinese message, never anything else for bad input.

    This runs in the calling process: for an uploaded file use smart.sandbox.parse_untrusted, which runs it in a
    worker with CPU-time and memory limits."""
    kind = sniff(data, filename, limits)
    if kind == "pdf":
        from .reader_pdf import read_pdf

        raw = read_pdf(data, limits=limits)
    elif kind == "docx":
        from .reader_docx import read_docx

        raw = read_docx(data, limits=limits)
    else:
        from .reader_text import read_text

        raw = read_text(data, limits=limits)
    return parse_document(raw)


def read_standard_file(path: str | Path) -> StandardDocument:
    p = Path(path)
    return read_standard(p.read_bytes(), p.name)
