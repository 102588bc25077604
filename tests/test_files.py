"""The one file-type sniffer (yuebiao.files), over real files: every corpus PDF, Word and Excel files written by
python-docx and openpyxl, and the impostors uploads bring (a web page saved as .xls, a Word file named .csv)."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from catalogue.table_reader import _sniff_binary
from catalogue.table_vocabulary import TabularError
from smart.documents import sniff
from yuebiao import files

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "standards"
CORPUS_PDFS = sorted(CORPUS.glob("*.pdf"))


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("DB44/T 1—2026 示例标准")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["标准号", "标准名称"])
    book.active.append(["GB/T 1.1—2020", "标准化工作导则"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def _compound_file(stream: str) -> bytes:
    """A minimal valid Office 97 compound file (header, one FAT sector, one directory sector) holding one empty
    stream, as Word 97 ("WordDocument") or Excel 97 ("Workbook") names it."""
    free, end, fat = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = (files.OLE_MAGIC + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0) + struct.pack("<I", 0)
              + struct.pack("<I", free) * 108)
    fat_sector = struct.pack("<II", fat, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, child: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", free, free, child) + bytes(16 + 4 + 16) + struct.pack("<IQ", end, 0))

    directory = entry("Root Entry", 5, 1) + entry(stream, 2, free) + bytes(256)
    return header + fat_sector + directory


WORD = _docx()
EXCEL = _xlsx()
CSV_TEXT = "标准号,标准名称\nGB/T 1.1—2020,标准化工作导则\nDB44/T 1—2026,示例\n".encode()

CASES = [
    # (what it is, bytes, filename, kind)
    ("Word .docx", WORD, "标准.docx", files.DOCX),
    ("Word .docx named .pdf", WORD, "标准.pdf", files.DOCX),
    ("Word .docx named .csv", WORD, "清单.csv", files.DOCX),
    ("Excel .xlsx", EXCEL, "清单.xlsx", files.XLSX),
    ("Excel .xlsx named .docx", EXCEL, "标准.docx", files.XLSX),
    ("Excel whose workbook is not at xl/workbook.xml",
     _zip({"[Content_Types].xml": b'<Types><Override PartName="/book.xml" ContentType="application/'
                                  b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
           "book.xml": b"<workbook/>"}), "清单.xlsx", files.XLSX),
    ("a zip of other files", _zip({"a.txt": b"hello"}), "标准.docx", files.ZIP),
    ("a truncated .docx", WORD[: len(WORD) // 2], "标准.docx", files.BROKEN_ZIP),
    ("Word 97 .doc", _compound_file("WordDocument"), "标准.doc", files.DOC),
    ("Word 97 .doc named .xls", _compound_file("WordDocument"), "清单.xls", files.DOC),
    ("Excel 97 .xls", _compound_file("Workbook"), "清单.xls", files.XLS),
    ("a password-protected .xlsx", _compound_file("EncryptedPackage"), "清单.xlsx", files.ENCRYPTED),
    ("an Office 97 file without known streams, named .xls", _compound_file("Other"), "清单.xls", files.XLS),
    ("an Office 97 file without known streams, no name", _compound_file("Other"), "", files.OLE),
    ("CSV", CSV_TEXT, "清单.csv", files.CSV),
    ("CSV without a name", CSV_TEXT, "", files.CSV),
    ("CSV named .xls", CSV_TEXT, "清单.xls", files.CSV),
    ("CSV in UTF-16 with its mark", b"\xff\xfe" + CSV_TEXT.decode().encode("utf-16-le"), "清单.csv", files.CSV),
    ("CSV in UTF-16 without a mark", CSV_TEXT.decode().encode("utf-16-le"), "清单.csv", files.CSV),
    ("plain text", "1 范围\n本文件规定了示例。\n".encode(), "标准.txt", files.TXT),
    ("plain text mentioning %PDF-", "正文提到 %PDF-1.7 格式。\n".encode(), "说明.txt", files.TXT),
    ("a web page saved as .xls", b"<!DOCTYPE html><html><body><table></table></body></html>", "清单.xls",
     files.HTML),
    ("Excel 2003 XML", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
     "清单.xls", files.SPREADSHEET_XML),
    ("other XML", b'<?xml version="1.0"?><root/>', "数据.xml", files.XML),
    ("gzip", gzip.compress(CSV_TEXT), "清单.csv.gz", files.ARCHIVE),
    ("binary", bytes(range(256)) * 4, "清单.csv", files.BINARY),
    ("empty", b"", "清单.csv", files.EMPTY),
]


@pytest.mark.parametrize("data, filename, kind", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_content_decides_the_kind(data, filename, kind):
    assert files.sniff(data, filename) == kind


@pytest.mark.skipif(not CORPUS_PDFS, reason="the shared corpus of standards is not on this machine")
@pytest.mark.parametrize("path", CORPUS_PDFS, ids=lambda p: p.name)
def test_every_corpus_pdf_is_a_pdf_whatever_its_name(path):
    data = path.read_bytes()
    assert files.sniff(data, path.name) == files.PDF
    assert files.sniff(data, "标准.docx") == files.PDF


def test_the_rooms_agree_on_a_word_file():
    """The full text, a project document and the machine-readable reader all take a .docx for Word; the table
    importer refuses it by name instead of reading it as a workbook."""
    assert sniff(WORD, "标准.docx") == "docx"
    assert sniff(CSV_TEXT, "清单.csv") == "text"
    with pytest.raises(TabularError, match=r"Word（\.docx）"):
        _sniff_binary(WORD, "清单.xlsx")
    assert _sniff_binary(EXCEL, "清单.xlsx") == "xlsx"


def test_zip_entry_count_reads_the_directory_record_only():
    assert files.zip_entry_count(_zip({f"{i}.txt": b"" for i in range(30)})) >= 30
    assert files.zip_entry_count(b"%PDF-1.4 not a zip") is None
