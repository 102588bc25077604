"""Hostile documents built in the tests (no file of them is kept): the shapes an attacker uploads."""

from __future__ import annotations

import io
import zipfile

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 b'wordprocessingml.document.main+xml"/></Types>')
RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="word/document.xml"/></Relationships>')
HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
TAIL = b"</w:body></w:document>"


def docx_with_body(body: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx whose document body is `body`, deflated as hard as Word would."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", RELS)
        package.writestr("word/document.xml", HEAD + body + TAIL)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return out.getvalue()


def empty_paragraphs(n: int = 200_000) -> bytes:
    """The attack of the issue: 200,000 empty paragraphs in 2.7 KB (23 s of CPU in python-docx)."""
    return docx_with_body(b"<w:p/>" * n)


def zip_bomb(inflated: int = 30 * 1024 * 1024) -> bytes:
    """A .docx whose document part inflates a thousandfold (spaces compress to almost nothing)."""
    return docx_with_body(b" " * inflated)


def deeply_nested(depth: int = 5000) -> bytes:
    return docx_with_body(b"<w:sdt>" * depth + b"</w:sdt>" * depth)


def many_entries(n: int = 1500) -> bytes:
    return docx_with_body(b"<w:p/>", extra={f"word/media/x{i}.xml": b"<a/>" for i in range(n)})


def encrypted_pdf(source: bytes, password: str = "secret") -> bytes:
    """A real PDF with a password to open it (pypdf, AES)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
