"""One entry point for any uploaded standard: decide the format from the bytes (not the name) and parse it."""

from __future__ import annotations

from pathlib import Path

from yuebiao import files

from .errors import DocumentReadError, EncryptedDocumentError
from .guard import DEFAULT_LIMITS, DocumentLimits, check_zip_entries
from .model import StandardDocument
from .parser import parse_document
from .reader_text import read_text

SUFFIXES = (".pdf", ".docx", ".txt", ".md")


def sniff(data: bytes, filename: str = "", limits: DocumentLimits = DEFAULT_LIMITS) -> str:
    """'pdf', 'docx' or 'text', from the content (yuebiao.files); a name that lies about its content does not
    matter. Anything else is refused with DocumentReadError saying what the file is."""
    if data.startswith(files.ZIP_MAGIC):
        check_zip_entries(data, limits)  # before zipfile reads the whole central directory
    kind = files.sniff(data, filename)
    if kind in (files.PDF, files.DOCX):
        return kind
    if kind in files.TEXT_KINDS or kind in (files.EMPTY, files.XML, files.SPREADSHEET_XML):
        return "text"
    if kind == files.BROKEN_ZIP:
        raise DocumentReadError(f"“{filename}”是损坏的压缩文件，无法作为 Word 文档读取")
    if kind in (files.ZIP, files.XLSX):
        raise DocumentReadError(f"“{filename}”是压缩包，但不是 Word（.docx）文档")
    if kind == files.HTML:
        raise DocumentReadError(f"“{filename}”是网页（HTML）文件，不是 PDF、Word 或文本格式的标准")
    if kind == files.ENCRYPTED:
        raise EncryptedDocumentError(f"“{filename}”设置了打开密码，请取消密码后另存为 .docx 或 PDF 再上传")
    if kind == files.XLS:
        raise DocumentReadError(f"“{filename}”是旧版 Excel（.xls）文件，不是 PDF、Word 或文本格式的标准")
    if kind in files.OFFICE_97_KINDS:
        raise DocumentReadError(f"“{filename}”是旧版 Word（.doc）文件，请另存为 .docx 后上传")
    raise DocumentReadError(f"“{filename}”是二进制文件，不是 PDF、Word 或文本")


def read_standard(data: bytes, filename: str = "", limits: DocumentLimits = DEFAULT_LIMITS) -> StandardDocument:
    """Read and structure a standard from its bytes; raises DocumentReadError (DocumentLimitError over a limit,
    NoTextLayerError …) or DocumentParseError with a Chinese message, never anything else for bad input.

    This runs in the calling process: for an uploaded file use smart.sandbox.parse_untrusted, which runs it in a
    worker with CPU-time and memory limits."""
    kind = sniff(data, filename, limits)
    # The PDF and Word readers bring pdfplumber and python-docx: loaded when such a file comes, not for a text.
    if kind == "pdf":
        from .reader_pdf import read_pdf

        raw = read_pdf(data, limits=limits)
    elif kind == "docx":
        from .reader_docx import read_docx

        raw = read_docx(data, limits=limits)
    else:
        raw = read_text(data, limits=limits)
    return parse_document(raw)


def read_standard_file(path: str | Path) -> StandardDocument:
    p = Path(path)
    return read_standard(p.read_bytes(), p.name)
