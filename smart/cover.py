"""Read a standard's cover page (封面) into its ``Metadata``: number, ICS and CCS codes, filing number, dates, issuing
bodies, stage, the standards replaced and the Chinese and English titles (pure: no Django)."""

from __future__ import annotations

import re

from .cleanup import CJK
from .model import Metadata


def unspaced(text: str) -> str:
    """The text without any whitespace: extracted lines break and space CJK text arbitrarily."""
    return re.sub(r"\s+", "", text)


RE_NUMBER_LINE = re.compile(r"^[A-Z]{2,5}(?:\s*/\s*[TZ])?\s*\d*\s*/?\s*[\d.]+\s*—\s*\d{2,4}$")
RE_ICS = re.compile(r"I.?CS\s*([0-9][0-9 .]*[0-9])")
RE_CCS = re.compile(r"^(?:CCS\s*)?([A-Z])\s?(\d{2})$")
RE_DATE_EVENT = re.compile(r"((?:19|20)\d{2}-\d{2}-\d{2})\s*(发布|实施)")
RE_STAGE = re.compile(r"^[（(]\s*(发布稿|征求意见稿|送审稿|报批稿|讨论稿)\s*[)）]$")
LEVEL_LINE = re.compile(r"(中华人民共和国|国家|地方|行业|团体|企业|生态环境|环境保护).*标准$")
ORG_END = re.compile(r"(厅|局|部|委员会|总局|政府|院|中心|协会|学会|公司|办公室|监督检验检疫总局)$")


def _ics(raw: str) -> str:
    parts = re.findall(r"\d+", raw)
    return ".".join(parts)


def _codes(t: str, meta: Metadata) -> bool:
    """Read an ICS, CCS or filing-number (备案号) line into `meta`; True if the line was one."""
    m = RE_ICS.search(t)
    if m and not meta.ics:
        meta.ics = [_ics(m.group(1))]
        rest = t[m.end():].strip()
        m2 = re.match(r"^([A-Z])\s?(\d{2})\b", rest)
        if m2:
            meta.ccs = f"{m2.group(1)}{m2.group(2)}"
        return True
    mc = RE_CCS.match(t)
    if mc and not meta.ccs:
        meta.ccs = f"{mc.group(1)}{mc.group(2)}"
        return True
    if "备案号" in t:
        m2 = re.search(r"备案号\s*[：:]?\s*([\d\s—–-]+\d)", t)
        if m2:
            meta.filing_number = re.sub(r"\s*[—–-]\s*", "—", m2.group(1).strip())
        return True
    return False


def _issuing_bodies(following: list[str], meta: Metadata) -> None:
    """The issuing bodies, read from the lines that follow the publication and implementation dates."""
    for follow in following:
        for part in re.split(r"\s{2,}|发\s*布", follow):
            part = unspaced(part)
            pieces = re.findall(r".+?(?:委员会|总局|厅|局|部)", part) if len(part) > 12 else [part]
            if "".join(pieces) != part:
                pieces = [part]
            for piece in pieces:
                if piece and ORG_END.search(piece) and piece not in meta.issued_by and len(piece) < 30:
                    meta.issued_by.append(piece)


def parse_cover(lines: list[str], meta: Metadata, find_number) -> None:
    """Fill `meta` from the cover's lines; `find_number` is catalogue.numbers.find_numbers."""
    title_lines: list[str] = []
    en_lines: list[str] = []
    seen_number = False
    for idx, text in enumerate(lines):
        t = text.strip()
        if not t:
            continue
        if _codes(t, meta):
            continue
        t = re.sub(r"(?<=[\d-])[发布]+(?=[\d-])", "", t)
        t = re.sub(r"(?<=\d)[发布]+(?=实施)", "", t)
        dates = RE_DATE_EVENT.findall(t)
        if dates:
            for date, ev in dates:
                if ev == "发布" and not meta.published:
                    meta.published = date
                elif ev == "实施" and not meta.implemented:
                    meta.implemented = date
            _issuing_bodies(lines[idx + 1: idx + 8], meta)
            break
        m = RE_STAGE.match(t)
        if m:
            meta.stage = m.group(1)
            continue
        if re.search(r"(代替|废止|替代)", t):
            for num, _, _ in find_number(t):
                c = num.canonical
                if c not in meta.replaces and c != meta.number:
                    meta.replaces.append(c)
            continue
        if not seen_number and RE_NUMBER_LINE.match(t) and not find_number(t):
            seen_number = True  # catalogue.numbers missing or the number did not parse: still a landmark
            continue
        found = find_number(t) if not seen_number or meta.number is None else []
        if found and not seen_number:
            num, start, end = found[0]
            if len(unspaced(t[:start] + t[end:])) <= 4 and num.year:
                meta.number = num.canonical
                meta.number_undated = num.undated
                meta.prefix = num.prefix
                meta.year = int(num.year) if num.year and str(num.year).isdigit() else None
                seen_number = True
                continue
        if not seen_number:
            continue
        if LEVEL_LINE.search(unspaced(t)) and not title_lines:
            continue
        ascii_share = sum(1 for ch in t if ch.isascii()) / max(1, len(t))
        if ascii_share > 0.8 and re.search(r"[A-Za-z]{3}", t):
            if title_lines:
                en_lines.append(t)
            continue
        if en_lines:
            continue
        if re.search(rf"[{CJK}]", t) and not re.search(r"[。，]", t) and len(unspaced(t)) <= 60:
            if "电子版" in t or "出版" in t:
                continue
            title_lines.append(t)
    if title_lines:
        meta.title_zh = "".join(unspaced(x) if re.search(rf"[{CJK}]$", x) else x for x in title_lines)
    if en_lines:
        meta.title_en = " ".join(en_lines)
