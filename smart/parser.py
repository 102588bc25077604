"""Parse a ``RawDocument`` into a ``StandardDocument`` (pure: no Django).

The parser walks the cleaned lines once with a small state machine — 封面 → 目次 → 前言 → 引言 → body →
附录 → 参考文献 — and recognises structure by numbering, with two safeguards against the many lines that *look*
like headings in extracted text (a wrapped line starting "2 规定的…", "15 m。"):

* a clause number is accepted only when it is a plausible successor of the clauses seen so far (next sibling,
  first child, next sibling of an ancestor; one missing number is tolerated so that the lint can report gaps);
* with PDF geometry a line that continues a full previous line at the left margin is a wrapped line, whatever
  it starts with.

Terms and normative references (``smart.terms``), tables and limit values (``smart.limits``) are then read from
the tree; the cover page is read by ``smart.cover``.
``parse_text`` turns any string into a document or raises ``DocumentParseError`` — never anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from catalogue import numbers

from . import limits as limits_mod
from .cleanup import CJK, clean_document, continues, is_toc_line, join_texts, page_margins, split_flat_row
from .cover import parse_cover, unspaced
from .errors import DocumentParseError, SmartError
from .model import Block, Clause, Line, RawDocument, RawTable, Section, StandardDocument, Table
from .provisions import provisions_of
from .reader_text import read_text
from .terms import TERMS_TITLE, read_references, read_terms

RE_FOREWORD = re.compile(r"^前\s*言$")
RE_INTRO = re.compile(r"^引\s*言$")
RE_TOC = re.compile(r"^目\s*次$")
RE_BIBLIO = re.compile(r"^参\s*考\s*文\s*献$")
RE_INDEX = re.compile(r"^索\s*引$")
RE_CLAUSE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,5})(?:\.(?=\D)|(?=[\s" + CJK + r"（(])|$)\s*(.*)$")
RE_ANNEX_CLAUSE = re.compile(r"^([A-Z])\.(\d{1,2}(?:\.\d{1,2}){0,4})(?=[\s" + CJK + r"（(]|$)\s*(.*)$")
RE_ANNEX = re.compile(r"^附\s*录\s*([A-Z])(?![A-Za-z.])\s*(.*)$")
RE_ANNEX_TYPE = re.compile(r"^[（(]\s*(规范性|资料性|参考性)\s*(?:附录)?\s*[)）]\s*(.*)$")
RE_CAPTION = re.compile(r"^(续\s*)?表\s*([A-Z]?\.?\d{1,3})(?![\d.])\s*(?:[（(]\s*续\s*[)）])?\s*(.*)$")
RE_CONT = re.compile(r"^(续\s*表|表\s*[A-Z]?\.?\d+\s*[（(]\s*续)")
RE_UNIT = re.compile(r"^([（(])?\s*单\s*位\s*(?:[：:]|为|\s)\s*([A-Za-z%µμ毫微个（(].*)$")
RE_CAPTION_UNIT = re.compile(r"([（(])?\s*单\s*位\s*(?:[：:]|为|\s)\s*([A-Za-z%µμ毫微个（(].*)$")
RE_NOTE = re.compile(r"^注\s*(\d*)\s*[：:]\s*(.*)$")
RE_LIST = re.compile(r"^(?:([a-z])\s*[)）]|[（(]([a-z])[)）]|(\d{1,2})\s*[)）]|[（(](\d{1,2})[)）]|(——|—|－{2}|--)(?!\d))\s*(.*)$")
RE_FORMULA_NO = re.compile(r"[（(]\s*([A-Z]?\.?\d{1,2}(?:[.-]\d{1,2})?)\s*[)）]\s*$")
RE_SOURCE = re.compile(r"^\[?\s*来源\s*[：:]\s*(.+?)\]?$")
RE_FOOTNOTE = re.compile(r"^(?:([a-h])(?=\s|[" + CJK + r"])|([①②③④⑤⑥⑦⑧⑨]))\s*(.+)$")

SCOPE_TITLE = re.compile(r"范围")


# ---------------------------------------------------------------------------------------------------------------
# the walk
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _State:
    doc: StandardDocument
    mode: str = "cover"
    container: Any = None  # Section or Clause receiving blocks
    open_block: Block | None = None
    open_line: Line | None = None
    chapters: list[Clause] = field(default_factory=list)
    path: list[Clause] = field(default_factory=list)  # the current clause and its ancestors
    annex: Clause | None = None
    awaiting_title: Clause | None = None
    awaiting_annex: int = 0  # lines after 附录 X that may be its type / title
    table: Table | None = None
    table_open: bool = False
    last_table_page: int | None = None
    pending_caption: Table | None = None
    toc_page: int | None = None
    annex_title_line: Line | None = None  # the line that gave the annex its title, if the title may wrap
    note_target: Table | None = None  # the table whose notes are open, so their wrapped lines join them
    cover: list[str] = field(default_factory=list)
    margins: dict[int, tuple] = field(default_factory=dict)


def _int_path(number: str) -> list[int]:
    return [int(x) for x in number.split(".")]


def _successor(state: _State, number: str, annex: bool = False, allow_repeat: bool = False) -> bool:
    """Is ``number`` a plausible next clause number given what has been seen?"""
    if annex:
        if state.annex is None:
            return False
        letter, rest = number.split(".", 1)
        if letter != state.annex.number:
            return False
        path = _int_path(rest)
        base = [c for c in state.path if c.kind != "annex" and c.number.startswith(letter + ".")]
        cur = [_int_path(c.number.split(".", 1)[1]) for c in base]
        cur_path = cur[-1] if cur else []
        if not cur_path:
            return path in ([1], [2])
        return _fits(cur_path, path, allow_repeat)
    path = _int_path(number)
    if state.annex is not None:
        return False
    last = _int_path(state.path[-1].number) if state.path else []
    if not last:
        return path in ([1], [2]) or (len(path) == 1 and path[0] <= 3 and not state.chapters)
    return _fits(last, path, allow_repeat)


def _fits(cur: list[int], path: list[int], allow_repeat: bool = False) -> bool:
    depth = len(path)
    if depth > len(cur) + 2:
        return False
    if depth == len(cur) + 1:  # first child
        return path[:-1] == cur and path[-1] in (1, 2)
    if depth == len(cur) + 2:  # a skipped level ("6" then "6.1.1"): tolerated, reported by the lint
        return path[:-2] == cur and path[-2:] == [1, 1]
    prefix = cur[: depth - 1]
    if path[:-1] != prefix:
        return False
    step = path[-1] - cur[depth - 1]
    return step in (1, 2) or (allow_repeat and step == 0)


def _looks_like_title(text: str, line: Line | None) -> bool:
    t = text.strip()
    if not t:
        return False
    if len(t) > 45 or re.search(r"[。；;]$", t) or "，" in t and len(t) > 25:
        return False
    if line is not None and "heavy" in line.hints:
        if line.hints["heavy"] >= 0.5:
            return True
        # a numbered title set in 宋体 (older layouts): short, no sentence punctuation
        return len(t) <= 25 and not re.search(r"[，。；：:]", t) and not re.search(r"应|宜|可|不得|必须", t)
    return len(t) <= 30 and not re.search(r"[，。；：:]", t)


def _add_block(state: _State, block: Block, line: Line | None) -> None:
    target = state.container
    if target is None:
        return
    target.blocks.append(block)
    state.open_block = block
    state.open_line = line


def _close(state: _State) -> None:
    state.open_block = None
    state.open_line = None


def _start_clause(state: _State, number: str, title: str | None, line: Line, annex: bool) -> Clause:
    level = len(number.split(".")) + (0 if not annex else 0)
    kind = "chapter" if level == 1 and not annex else "clause"
    clause = Clause(number=number, title=title or None, level=level, kind=kind, page=line.page)
    if annex:
        level = len(number.split("."))  # A.1 → 2
        clause.level = level
        top = state.annex
        assert top is not None, "annex clause numbers are accepted only inside an annex (_successor)"
        parent = top
        chain = [c for c in state.path if c.kind != "annex"]
        while chain and len(chain[-1].number.split(".")) >= level:
            chain.pop()
        if chain:
            parent = chain[-1]
        parent.children.append(clause)
        state.path = [top] + _chain_to(top, clause)
    else:
        while state.path and len(state.path[-1].number.split(".")) >= level:
            state.path.pop()
        if state.path:
            state.path[-1].children.append(clause)
        else:
            state.doc.clauses.append(clause)
        state.path.append(clause)
    state.container = clause
    _close(state)
    return clause


def _chain_to(root: Clause, target: Clause) -> list[Clause]:
    for child in root.children:
        if child is target:
            return [child]
        sub = _chain_to(child, target)
        if sub:
            return [child] + sub
    return []


def _table_from_raw(state: _State, raw: RawTable, line: Line) -> None:
    rows = [list(r) for r in raw.rows]
    caption = state.pending_caption
    doc = state.doc
    clause_no = state.path[-1].number if state.path else None
    if caption is not None:
        table = caption
        state.pending_caption = None
        if table.number and any(t.number == table.number for t in doc.tables) and table.caption is None:
            # 表 N（续）: append to the table already read
            base = next(t for t in doc.tables if t.number == table.number)
            limits_mod.extend_table(base, rows, raw.spans)
            state.table = base
            state.table_open = True
            state.last_table_page = line.page
            return
        table.page = line.page
        table.clause = table.clause or clause_no
        limits_mod.fill_table(table, rows, raw.spans)
        doc.tables.append(table)
        _add_block(state, Block(kind="table", text=table.caption or "", table=table.number), line)
        _close(state)
        state.table = table
    elif state.table is not None and state.last_table_page is not None and line.page == state.last_table_page + 1 \
            and _table_at_top(line):
        limits_mod.extend_table(state.table, rows, raw.spans)
    else:
        table = Table(number="", caption=None, page=line.page, clause=clause_no)
        limits_mod.fill_table(table, rows, raw.spans)
        doc.tables.append(table)
        state.table = table
    state.table_open = True
    state.last_table_page = line.page


def _table_at_top(line: Line) -> bool:
    h = line.hints
    return bool(h.get("page_height")) and h.get("top", 0) < 0.25 * h["page_height"]


def _unit_text(m: re.Match) -> str:
    unit = m.group(2).strip()
    opens = unit.count("（") + unit.count("(")
    closes = unit.count("）") + unit.count(")")
    if m.group(1) and closes > opens and unit[-1] in "）)":
        unit = unit[:-1].strip()
    return unit


def _handle_caption(state: _State, m: re.Match, line: Line) -> None:
    number = m.group(2).replace(" ", "")
    rest = m.group(3).strip()
    cont = bool(m.group(1)) or bool(RE_CONT.match(line.text))
    unit = None
    mu = RE_CAPTION_UNIT.search(rest)
    if mu:
        unit = _unit_text(mu)
        rest = rest[: mu.start()].strip()
    table = Table(number=number, caption=None if cont else (rest or None), unit=unit, page=line.page,
                  clause=state.path[-1].number if state.path else None)
    if cont and not any(t.number == number for t in state.doc.tables):
        table.caption = rest or None
    state.pending_caption = table
    _close(state)


def parse_document(raw: RawDocument) -> StandardDocument:
    """Structure a raw document. Raises ``DocumentParseError`` when no clause at all can be found."""
    clean_document(raw)
    doc = StandardDocument(source={"kind": raw.kind, "file": raw.source, "pages": len(raw.pages)})
    state = _State(doc=doc)
    find_number = numbers.find_numbers
    for page in raw.pages:
        state.margins[page.number] = page_margins(page.lines)
    for page in raw.pages:
        for line in page.lines:
            _step(state, page, line, find_number)
    if not doc.clauses and not doc.annexes:
        raise DocumentParseError("没有找到任何章条编号（如“1 范围”），无法识别为标准文本。")
    parse_cover(state.cover, doc.metadata, find_number)
    if doc.metadata.title_zh is None and state.cover:
        doc.warnings.append("封面没有找到标准名称。")
    _replaces_from_foreword(doc, find_number)
    read_terms(doc)
    read_references(doc, numbers)
    _provisions(doc)
    limits_mod.extract_limits(doc)
    return doc


def _step(state: _State, page, line: Line, find_number) -> None:
    """Read one line: the first reading below that claims it wins; what none claims is clause content."""
    if "table" in line.hints:
        _table_line(state, page.tables[line.hints["table"]], line)
        return
    text = line.text.strip()
    if not text:
        return
    plain = unspaced(text)
    if _section_line(state, text, plain, line):
        return
    margins = state.margins.get(line.page, (None, None))
    if _wrapped_line(state, text, line, margins) or _annex_line(state, text, line) \
            or _numbered_clause(state, text, line):
        return
    if state.mode == "cover":
        state.cover.append(text)
        return
    if state.mode == "toc":
        return
    if state.mode in ("foreword", "intro") and _is_title_repeat(state, plain):
        return
    if _awaited_title(state, text, line) or _table_text(state, text, line, margins):
        return
    _content_line(state, text, line, margins)


def _table_line(state: _State, raw_table: RawTable, line: Line) -> None:
    """A table read from the PDF: on the cover and in the contents only its words count (the cover's title)."""
    if state.mode in ("cover", "toc"):
        seen: list[str] = []
        for row in (raw_table.lines or [[[c] for c in r] for r in raw_table.rows]):
            for cell in row:
                for part in cell:
                    if part and part not in seen:
                        seen.append(part)
                        state.cover.append(part)
        return
    _table_from_raw(state, raw_table, line)
    _close(state)


def _section_line(state: _State, text: str, plain: str, line: Line) -> bool:
    """A section heading (目次, 前言, 引言, 参考文献), or a line that its section swallows; True if it was one."""
    h = line.hints
    doc = state.doc
    if RE_TOC.match(plain):
        state.mode = "toc"
        state.toc_page = line.page
        return True
    if is_toc_line(text) and state.mode in ("toc", "cover", "foreword", "intro"):
        return True
    if state.mode == "toc":
        if line.page == state.toc_page and "top" in h:
            return True
        if not (RE_FOREWORD.match(plain) or RE_INTRO.match(plain) or RE_CLAUSE.match(text)):
            return True
    if RE_FOREWORD.match(plain) and state.mode in ("cover", "toc", "foreword"):
        doc.foreword = Section(title="前言")
        state.mode = "foreword"
        state.container = doc.foreword
        _close(state)
        return True
    if RE_INTRO.match(plain) and state.mode in ("cover", "toc", "foreword"):
        doc.introduction = Section(title="引言")
        state.mode = "intro"
        state.container = doc.introduction
        _close(state)
        return True
    if state.mode in ("body", "annex") and RE_BIBLIO.match(plain):
        state.mode = "biblio"
        state.container = Section(title="参考文献")
        _close(state)
        return True
    if state.mode == "biblio":
        if RE_ANNEX.match(plain) is None:
            doc.bibliography.append(text)
            return True
    return False


def _wrapped_line(state: _State, text: str, line: Line, margins) -> bool:
    """A line that continues the open block (PDF geometry) rather than starting a heading; True if it was joined."""
    h = line.hints
    if state.open_block is not None and state.open_line is not None and margins[0] is not None \
            and h.get("heavy", 0) < 0.5 \
            and continues(state.open_line, line, margins, state.margins.get(state.open_line.page)):
        m = RE_CLAUSE.match(text)
        ma = RE_ANNEX_CLAUSE.match(text) if state.mode == "annex" else None
        heading = (m and state.mode != "annex" and _successor(state, m.group(1)) and _starts_clause_text(m.group(2))) \
            or (ma and _successor(state, f"{ma.group(1)}.{ma.group(2)}", annex=True))
        if not heading:
            state.open_block.text = join_texts(state.open_block.text, text)
            state.open_line = line
            return True
    return False


def _annex_line(state: _State, text: str, line: Line) -> bool:
    """An annex heading (附录 A), or the type and title lines that follow it; True if it was one."""
    h = line.hints
    doc = state.doc
    m = RE_ANNEX.match(text)
    if m and state.mode in ("body", "annex", "biblio", "foreword", "intro") and (state.chapters or doc.clauses):
        rest = m.group(2).strip()
        letter = m.group(1)
        expected = chr(ord(doc.annexes[-1].number) + 1) if doc.annexes else "A"
        if letter == expected and (not rest or RE_ANNEX_TYPE.match(rest) or _looks_like_title(rest, None)
                                   or rest.startswith(("（", "("))):
            annex = Clause(number=letter, kind="annex", level=1, page=line.page)
            mt = RE_ANNEX_TYPE.match(rest)
            if mt:
                annex.annex_type = _annex_type(mt.group(1))
                rest = mt.group(2).strip()
            if rest:
                annex.title = rest
            doc.annexes.append(annex)
            state.annex = annex
            state.path = [annex]
            state.container = annex
            state.mode = "annex"
            state.awaiting_annex = 3 if not annex.title else 0
            _close(state)
            return True
    if state.awaiting_annex and state.annex is not None:
        mt = RE_ANNEX_TYPE.match(text)
        if mt and state.annex.annex_type is None:
            state.annex.annex_type = _annex_type(mt.group(1))
            rest = mt.group(2).strip()
            if rest:
                state.annex.title = rest
                state.awaiting_annex = 0
            return True
        if state.annex.title is None and not RE_ANNEX_CLAUSE.match(text) and _looks_like_title(text, line) \
                and (h.get("heavy", 1) >= 0.5 or "heavy" not in h):
            state.annex.title = text
            state.awaiting_annex = 1
            state.annex_title_line = line
            return True
        if state.annex.title is not None and state.awaiting_annex == 1 and h.get("heavy", 0) >= 0.5 \
                and not RE_ANNEX_CLAUSE.match(text) and len(text) < 30 and "heavy" in h \
                and state.open_line is None and not RE_CAPTION.match(text) \
                and state.annex_title_line is not None \
                and abs(h.get("top", 0) - state.annex_title_line.hints.get("top", -99)) < 2.2 * h.get("size", 10.5):
            state.annex.title = join_texts(state.annex.title, text)
            state.awaiting_annex = 0
            return True
        state.awaiting_annex = 0
    return False


def _numbered_clause(state: _State, text: str, line: Line) -> bool:
    """A numbered clause heading accepted as the next in the tree; True if it started a clause."""
    if state.mode == "annex":
        m = RE_ANNEX_CLAUSE.match(text)
        if m:
            number = f"{m.group(1)}.{m.group(2)}"
            if _successor(state, number, annex=True, allow_repeat=_repeat_ok(m.group(3), line)):
                _clause_line(state, number, m.group(3), line, annex=True)
                return True
    else:
        m = RE_CLAUSE.match(text)
        if m and state.mode in ("cover", "toc", "foreword", "intro", "body"):
            number = m.group(1)
            rest = m.group(2).strip()
            ok = _successor(state, number, allow_repeat=_repeat_ok(rest, line))
            if ok and state.mode != "body":
                # the first chapter must look like one ("1 范围", "1 适用范围", "1.范围")
                ok = number in ("1", "2") and _looks_like_title(rest, line) and "." not in number
            if ok and len(number.split(".")) == 1 and state.mode == "body":
                ok = _looks_like_title(rest, line) or (not rest)
            if ok and not _starts_clause_text(rest):
                ok = False
            if ok:
                if state.mode != "body":
                    state.mode = "body"
                _clause_line(state, number, rest, line, annex=False)
                return True
    return False


def _awaited_title(state: _State, text: str, line: Line) -> bool:
    """The title of a bare-number clause (terms: "3.1" then "玻璃工业 glass industry"); True if it was taken."""
    if state.awaiting_title is not None:
        clause = state.awaiting_title
        state.awaiting_title = None
        if _looks_like_title(text, line) or (len(text) <= 80 and not re.search(r"[。；]$", text)):
            clause.title = text
            _close(state)
            return True
    return False


def _table_text(state: _State, text: str, line: Line, margins) -> bool:
    """A table caption, unit, flattened row or note; True if the line belongs to a table."""
    h = line.hints
    m = RE_CAPTION.match(text)
    if m and _caption_ok(text, line, m):
        _handle_caption(state, m, line)
        return True
    if state.pending_caption is not None:
        mu = RE_UNIT.match(text)
        if mu:
            state.pending_caption.unit = _unit_text(mu)
            return True
        if re.match(r"^[（(][^）)]{1,12}[)）]$", text):  # （第一时段）
            state.pending_caption.caption = join_texts(state.pending_caption.caption or "", text)
            return True
        if state.pending_caption.caption is None and _looks_like_title(text, line) and h.get("heavy", 0) >= 0.5:
            state.pending_caption.caption = text
            return True
        # a caption followed by a flattened table (text input)
        cells = split_flat_row(text)
        if len(cells) >= 2:
            _flat_table_row(state, state.pending_caption, cells, line)
            return True
    elif state.table is not None and state.table.source == "lines" and state.table_open:
        cells = split_flat_row(text)
        if len(cells) >= 2 and not RE_NOTE.match(text):
            state.table.rows.append(cells)
            return True
    if state.table_open and state.table is not None:
        mn = RE_NOTE.match(text)
        mf = RE_FOOTNOTE.match(text)
        if mn or mf or text.startswith(("注", "①", "②", "③")):
            state.table.notes.append(text)
            state.open_block = Block(kind="note", text=text)
            state.open_line = line
            # keep continuation lines of the note in the table notes
            state.note_target = state.table
            return True
        if state.open_block is not None and state.open_line is not None and state.note_target is state.table \
                and margins[0] is not None \
                and continues(state.open_line, line, margins, state.margins.get(state.open_line.page)):
            state.table.notes[-1] = join_texts(state.table.notes[-1], text)
            state.open_line = line
            return True
        state.table_open = False
        state.note_target = None
    return False


def _repeat_ok(rest: str, line: Line) -> bool:
    """A repeated clause number is taken as a (faulty) heading only when it clearly is one."""
    if "heavy" in line.hints:
        return line.hints["heavy"] >= 0.5 and bool(rest.strip())
    return bool(rest.strip()) and _looks_like_title(rest, None)


def _starts_clause_text(rest: str) -> bool:
    """What follows a clause number: a title or text, not a unit ("15 m。") or a number."""
    if not rest:
        return True
    if re.match(r"^(?:(?:m|mm|cm|km|h|d|L|mg|g|kg|t|ha|MPa|kPa|Pa|K|%)(?![A-Za-z])|"
                r"(?:℃|°|倍|个|次|年|月|日|天|小时|分钟|米|吨|万|千|项|类|级|种)(?=[，。、；：/）)\s]|$))", rest):
        return False
    if re.match(r"^[\d.,，、。；:：)）\-~～—×/]", rest):
        return False
    return True


def _caption_ok(text: str, line: Line, m: re.Match) -> bool:
    rest = m.group(3)
    if re.match(r"^(规定|中|所|的|和|、|，|执行|要求|列|给出|及)", rest):
        return False
    h = line.hints
    if "heavy" in h:
        if h["heavy"] >= 0.4:
            return True
        left, right, width = h.get("x0", 0), h.get("x1", 0), h.get("page_width") or 0
        centred = abs((left + right) / 2 - width / 2) < 0.08 * width
        return bool(width) and (left > 0.22 * width or (centred and left > 0.15 * width))
    return not re.search(r"[。；]$", text) and "，" not in rest


def _is_title_repeat(state: _State, plain: str) -> bool:
    cover_titles = [unspaced(t) for t in state.cover]
    return len(plain) >= 4 and not re.search(r"[。，]", plain) and any(
        plain == t or (len(plain) >= 6 and plain in t) for t in cover_titles)


def _annex_type(word: str) -> str:
    return "normative" if word == "规范性" else "informative"


def _clause_line(state: _State, number: str, rest: str, line: Line, annex: bool) -> None:
    if state.pending_caption is not None:
        state.pending_caption = None
    state.table_open = False
    rest = rest.strip()
    in_terms = bool(state.path) and state.path[0].title is not None and TERMS_TITLE.search(state.path[0].title or "") \
        and not annex and "." in number
    if rest and in_terms and len(rest) <= 90 and not re.search(r"[。；]", rest):
        _start_clause(state, number, rest, line, annex)
        return
    if rest and _looks_like_title(rest, line) and not _has_provision_words(rest):
        clause = _start_clause(state, number, rest, line, annex)
        _close(state)
        return
    clause = _start_clause(state, number, None, line, annex)
    if not rest:
        state.awaiting_title = clause
        return
    state.awaiting_title = None
    _add_block(state, Block(kind="paragraph", text=rest), line)


def _has_provision_words(text: str) -> bool:
    return bool(re.search(r"(应|宜|不得|必须|可以)", text)) and len(text) > 12


def _flat_table_row(state: _State, table: Table, cells: list[str], line: Line) -> None:
    state.pending_caption = None
    table.source = "lines"
    table.page = line.page
    table.rows = [cells]
    state.doc.tables.append(table)
    _add_block(state, Block(kind="table", text=table.caption or "", table=table.number), line)
    _close(state)
    state.table = table
    state.table_open = True


def _content_line(state: _State, text: str, line: Line, margins) -> None:
    if state.container is None:
        return
    m = RE_NOTE.match(text)
    if m:
        _add_block(state, Block(kind="note", text=m.group(2).strip(), label="注" + (m.group(1) or "")), line)
        return
    m = RE_LIST.match(text)
    if m and (m.group(6) or "").strip():
        label = m.group(1) or m.group(2) or m.group(3) or m.group(4) or m.group(5)
        if m.group(1) or m.group(2):
            level, label = 1, f"{label})"
        elif m.group(3) or m.group(4):
            level, label = 2, f"{label})"
        else:
            level, label = 1, "——"
        _add_block(state, Block(kind="list_item", text=m.group(6).strip(), label=label, level=level), line)
        return
    mf = RE_FORMULA_NO.search(text)
    if mf and not re.search(r"[。，；]", text) and len(text) < 80 and re.search(r"[=＝]", text + (
            state.open_block.text if state.open_block else "")):
        block = Block(kind="formula", text=text[: mf.start()].strip(), label=f"({mf.group(1)})")
        prev = state.open_block
        if prev is not None and prev.kind == "paragraph" and len(prev.text) < 25 and not re.search(r"[。，；：]", prev.text):
            # the numerator line of a broken-up fraction
            block.text = prev.text + " " + block.text
            state.container.blocks.remove(prev)
        _add_block(state, block, line)
        _close(state)
        return
    ms = RE_SOURCE.match(text)
    if ms:
        _add_block(state, Block(kind="source", text=ms.group(1).strip().rstrip("]"), label="来源"), line)
        return
    prev = state.open_block
    if prev is not None and margins[0] is None and prev.kind in ("paragraph", "list_item", "note") \
            and state.open_line is not None and continues(state.open_line, line, margins) \
            and line.hints.get("style") is None:
        prev.text = join_texts(prev.text, text)
        state.open_line = line
        return
    _add_block(state, Block(kind="paragraph", text=text), line)


# ---------------------------------------------------------------------------------------------------------------
# replaced standards and provisions
# ---------------------------------------------------------------------------------------------------------------

def _replaces_from_foreword(doc: StandardDocument, find_number) -> None:
    if doc.foreword is None:
        return
    for block in doc.foreword.blocks:
        if re.search(r"代替|替代|是对.{0,40}的修订|废止", block.text):
            for num, _, _ in find_number(block.text):
                if num.year and num.canonical != doc.metadata.number and num.canonical not in doc.metadata.replaces \
                        and not re.search(r"GB/T\s*1\.1", num.canonical):
                    if re.search(re.escape(num.undated) + r".{0,30}(修订|代替|废止)|(代替|替代)[^。]{0,20}" +
                                 re.escape(num.undated), block.text.replace(num.canonical, num.undated)):
                        doc.metadata.replaces.append(num.canonical)


def _provisions(doc: StandardDocument) -> None:
    if doc.foreword is not None:
        for block in doc.foreword.blocks:
            doc.provisions.extend(provisions_of(block.text, "foreword"))
    if doc.introduction is not None:
        for block in doc.introduction.blocks:
            doc.provisions.extend(provisions_of(block.text, "introduction"))
    for clause in doc.walk():
        for block in clause.blocks:
            if block.kind in ("paragraph", "list_item", "note"):
                doc.provisions.extend(provisions_of(block.text, clause.number))


# ---------------------------------------------------------------------------------------------------------------
# text entry point
# ---------------------------------------------------------------------------------------------------------------


def parse_text(text: str) -> StandardDocument:
    """Parse plain text (or Markdown). Any string gives a document or a ``DocumentParseError``."""
    if not isinstance(text, str):
        raise DocumentParseError("输入必须是文本字符串。")
    try:
        raw = read_text(text)
        return parse_document(raw)
    except DocumentParseError:
        raise
    except SmartError as exc:
        raise DocumentParseError(str(exc)) from exc
    except RecursionError as exc:
        raise DocumentParseError("文本结构过深，无法解析。") from exc
    except Exception as exc:  # noqa: BLE001 - the contract: a document or DocumentParseError, nothing else
        raise DocumentParseError(f"文本无法解析：{type(exc).__name__}: {exc}") from exc
