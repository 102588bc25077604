"""The comment resolution table (意见汇总处理表) as files: its content (rows, title, summary) and the Excel, Word and
PDF renderings of it; `lifecycle.consultation` gathers the content from the comments and attaches the Word one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from reportlab.platypus import Spacer

from yuebiao import pdf


@dataclass(frozen=True)
class TableRow:
    number: int
    clause: str
    text: str
    proposal: str
    sender: str
    resolution: str
    response: str


TABLE_HEADER = ("序号", "章条编号", "意见内容", "修改建议", "提出单位/提出人", "处理意见", "处理理由")


@dataclass(frozen=True)
class TableContent:
    title: str
    subtitle: str
    summary: str
    rows: list[TableRow]
    draft: bool


_COLUMN_WIDTHS_XLSX = (6, 12, 50, 40, 24, 11, 40)


def build_table_xlsx(content: TableContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "意见汇总处理表"
    last = get_column_letter(len(TABLE_HEADER))
    ws.append([content.title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    ws.append([content.subtitle])
    ws.merge_cells(f"A2:{last}2")
    ws.append([content.summary])
    ws.merge_cells(f"A3:{last}3")
    ws["A3"].alignment = ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.append(list(TABLE_HEADER))
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EDF3")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in content.rows:
        values = [row.number, row.clause, row.text, row.proposal, row.sender, row.resolution, row.response]
        ws.append(values)
        for cell in ws[ws.max_row]:
            # A comment that starts with "=" is text, not a formula someone's spreadsheet would run.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = wrap
            cell.border = border
    for i, width in enumerate(_COLUMN_WIDTHS_XLSX, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_COLUMN_WIDTHS_CM = (1.2, 2.0, 6.6, 5.2, 3.4, 1.8, 5.4)  # fits A4 landscape with 2 cm margins (25.7 cm)


def build_table_docx(content: TableContent) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(content.title)
    run.bold, run.font.size = True, Pt(16)
    document.add_paragraph(content.subtitle)
    document.add_paragraph(content.summary)
    table = document.add_table(rows=1, cols=len(TABLE_HEADER))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    # The header row repeats on every page (w:tblHeader).
    tr_pr = header._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)
    for cell, text in zip(header.cells, TABLE_HEADER):
        cell.text = ""
        r = cell.paragraphs[0].add_run(text)
        r.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in content.rows:
        cells = table.add_row().cells
        values = (str(row.number), row.clause, row.text, row.proposal, row.sender, row.resolution, row.response)
        for cell, value in zip(cells, values):
            cell.text = value
    for i, width in enumerate(_COLUMN_WIDTHS_CM):
        for cell in table.columns[i].cells:
            cell.width = Cm(width)
    if not content.rows:
        document.add_paragraph("（无意见）")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_COLUMN_WIDTHS_PT = [30, 56, 200, 158, 96, 52, 178]  # 770 pt: A4 landscape less 36 pt margins


def build_table_pdf(content: TableContent) -> bytes:
    """The table as PDF, through the platform's one ReportLab set-up (yuebiao.pdf): the CID font needs no font
    file, so the output is the same on any machine, offline, and the text stays extractable."""
    styles = pdf.paragraph_styles(body=(9, 12.5), note=(10, 14))
    rows = [(str(r.number), r.clause, r.text, r.proposal, r.sender, r.resolution, r.response) for r in content.rows]
    story = [pdf.para(content.title, styles.title), pdf.para(content.subtitle, styles.note),
             pdf.para(content.summary, styles.note), Spacer(1, 6),
             pdf.table(list(TABLE_HEADER), rows, _COLUMN_WIDTHS_PT, styles)]
    if not content.rows:
        story.append(pdf.para("（无意见）", styles.note))
    return pdf.build(story, title=content.title)
