"""Build the compact reference fixtures in catalogue/reference_data from the real data files in ../shared/data."""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Cover metadata of the 19 real PDFs in ../shared/corpus/standards, transcribed by hand once (see PROVENANCE.md).
CORPUS_SOURCE = HERE / "reference_data" / "corpus_standards_source.json"

# CCS errors documented in ../shared/data/PROVENANCE.md, as (code, field, value in the source, fixed value). The source
# value is checked, so a corrected upstream file makes the build fail instead of silently "fixing" good data.
CCS_FIXES = (
    ("FF2", "code", "FF2", "K22"),  # `FF2,异步电机,K20/29`: K22, between K21 同步电机 and K23 直流电机
    ("D23", "title_zh", "电站 工业锅炉用煤", "电站工业锅炉用煤"),  # stray space
    ("W58", "title_zh", "线 、带、绳", "线、带、绳"),  # stray space
)

# GB/T 2260 gives Hong Kong, Macao and Taiwan one province-level code each (810000, 820000, 710000). The upstream list
# adds its own district codes for them and files Taiwan under 830000; its README says these are "not standard codes".
# They are left out and the three GB/T 2260 codes written instead (empty both constants to take the list unchanged).
NON_GBT2260_PREFIXES = ("81", "82", "83")
GBT2260_EXTRA = {"710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区"}

# HS rows that are UN Comtrade artefacts, not HS 2022 codes: the grand total and chapter 99 "Commodities not specified".
HS_DROPPED = ("TOTAL", "99", "9999", "999999")

STATUS_ZH = {"现行": "current", "即将实施": "upcoming", "废止": "withdrawn", "被代替": "replaced"}
STATUS_RELATON = {"activated": "current", "obsoleted": "withdrawn"}
GENERIC_URLS = {"https://www.mohurd.gov.cn/gongkai/zc/wjk/index.html"}  # the ministry's list page, not the record's

LICENCES = {
    "LICENSE-ics.txt": "ics/LICENSE.txt",
    "LICENSE-ccs.txt": "ccs/LICENSE.txt",
    "LICENSE-divisions.txt": "admin_divisions_gbt2260/LICENSE",
    "LICENSE-relaton.txt": "standards/relaton_gb_examples/LICENSE.txt",
    "LICENSE-arch-standards-index.md": "standards/arch_standards_index/LICENSE_NOTE.md",
}

STANDARD_FIELDS = (
    "number", "title_zh", "title_en", "status", "published_on", "implemented_on", "withdrawn_on", "ics_codes",
    "ccs_code", "technical_committee", "issuing_authority", "drafting_organisations", "replaces", "adoption_degree",
    "adopted_standard", "region_code", "sectors", "scope", "notes", "source", "source_url",
)
LIST_FIELDS = {"ics_codes", "drafting_organisations", "replaces", "sectors"}


def _clean(text: str | None) -> str:
    """Trim and collapse runs of whitespace to one space."""
    return re.sub(r"\s+", " ", text or "").strip()


def _write(path: Path, rows: list[dict]) -> int:
    body = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows) + "\n]\n"
    path.write_text(body, encoding="utf-8")
    return len(rows)


def build_ics(src: Path) -> list[dict]:
    with (src / "ics" / "ics_ed7.csv").open(encoding="utf-8", newline="") as fh:
        rows = [
            {"code": r["code"], "level": int(r["level"]), "parent": r["parent"] or None,
             "title_en": _clean(r["title_en"]), "notes": _clean(r["notes"])}
            for r in csv.DictReader(fh)
        ]
    return sorted(rows, key=lambda r: r["code"])


def build_ccs(src: Path) -> list[dict]:
    rows: list[dict] = []
    for level in (1, 2, 3):
        with (src / "ccs" / f"cat-level{level}.csv").open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)  # bilingual header; level 3 has two columns named `代码 / Code`, so read by position
            for r in reader:
                if not any(cell.strip() for cell in r):
                    continue
                rows.append({
                    "code": r[0].strip(), "level": level, "parent": r[2].strip() if level > 1 else None,
                    "title_zh": r[1].strip(), "notes": _clean(r[3]) if level > 1 else "",
                })
    by_code = {r["code"]: r for r in rows}
    for code, field, old, new in CCS_FIXES:
        row = by_code[code]
        if row[field] != old:
            raise ValueError(f"CCS {code}: expected {field}={old!r}, found {row[field]!r}; review CCS_FIXES")
        row[field] = new
    return sorted(rows, key=lambda r: (r["level"], r["code"]))


def build_divisions(src: Path) -> list[dict]:
    folder = src / "admin_divisions_gbt2260"
    listed = json.loads((folder / "list.json").read_text(encoding="utf-8"))
    names = {c: n.strip() for c, n in listed.items() if not c.startswith(NON_GBT2260_PREFIXES)}
    names.update(GBT2260_EXTRA)
    rows = []
    for code, name in names.items():
        if code.endswith("0000"):
            level, parent = "province", None
        elif code.endswith("00"):
            level, parent = "prefecture", code[:2] + "0000"
        else:
            # Districts of municipalities (110101) and county-level units governed by the province (419001, 429004,
            # 469001, 659001) have no prefecture row: they hang under the province.
            level = "county"
            parent = code[:4] + "00" if code[:4] + "00" in names else code[:2] + "0000"
        rows.append({"code": code, "name": name, "level": level, "parent": parent})
    towns = json.loads((folder / "guangdong_streets_by_county.json").read_text(encoding="utf-8"))
    for county, members in towns.items():
        for code, name in members.items():
            # 东莞 441900 and 中山 442000 have no counties: their townships hang directly under the prefecture.
            rows.append({"code": code, "name": name.strip(), "level": "township", "parent": county})
    return sorted(rows, key=lambda r: r["code"])


def build_hs(src: Path) -> tuple[list[dict], list[dict]]:
    with (src / "hs" / "harmonized-system.csv").open(encoding="utf-8", newline="") as fh:
        rows = [
            {"code": r["hscode"], "level": int(r["level"]),
             "parent": None if r["parent"] == "TOTAL" else r["parent"],
             "section": r["section"], "description": _clean(r["description"])}
            for r in csv.DictReader(fh) if r["hscode"] not in HS_DROPPED
        ]
    with (src / "hs" / "sections.csv").open(encoding="utf-8-sig", newline="") as fh:
        # Section I is spelt "live animals; animal products": capitalised like the other twenty.
        sections = [{"section": r["section"].strip(), "name": _clean(r["name"])[:1].upper() + _clean(r["name"])[1:]}
                    for r in csv.DictReader(fh)]
    return sorted(rows, key=lambda r: r["code"]), sections


RELATON_SECTORS = {
    "GB/T 20223-2006": ["agriculture"],  # 棉短绒, CCS B32 纤维作物与产品
    "GB/T 5606.1-2004": ["industry"],  # 卷烟
    "GB/T 5606 (all parts)": ["industry"],
    "JB/T 13368-2018": ["industry"],  # 叉车属具
    "T/GZAEPI 001—2018": ["industry"],  # 家用吸油烟机
}


def _standard(**values) -> dict:
    unknown = set(values) - set(STANDARD_FIELDS)
    if unknown:
        raise ValueError(f"unknown standard fields: {sorted(unknown)}")
    return {f: values.get(f, [] if f in LIST_FIELDS else None) for f in STANDARD_FIELDS}


def _arch_standards(src: Path) -> list[dict]:
    records = []
    with (src / "standards" / "arch_standards_index" / "standards.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            notes = "；".join(p for p in (f"分类：{_clean(r['分类'])}", f"属性：{_clean(r['属性'])}", _clean(r["备注"])) if p)
            url = r["官方链接"].strip()
            records.append(_standard(
                number=_clean(r["编号"]), title_zh=_clean(r["名称"]), status=STATUS_ZH[r["状态"].strip()],
                implemented_on=r["实施日期"].strip() or None, notes=notes, source="arch_standards_index",
                source_url=None if url in GENERIC_URLS else url or None,
            ))
    return records


def _relaton_standards(src: Path) -> list[dict]:
    records: dict[str, dict] = {}
    for path in sorted((src / "standards" / "relaton_gb_examples").glob("*.xml")):
        root = ET.parse(path).getroot()
        ident = root.find("docidentifier[@type='Chinese Standard']")
        if ident is None:
            # from_yaml.xml: docidentifier `type="JB"` `T13368`, the same project (JB/T 13368) as jbt_13368_2018.xml.
            continue
        number = _clean(ident.text)
        titles = {t.get("language"): _clean(t.text) for t in root.findall("title[@type='main']")}
        if number.endswith("(all parts)"):
            # The upstream record repeats Part 1's title; the series is known by its common title element only.
            titles = {lang: re.split(r"\s+第\s*\d+\s*部分", t)[0] for lang, t in titles.items()}
        publisher = next((c.find("organization/name[@language='zh']") for c in root.findall("contributor")
                          if c.find("role[@type='publisher']") is not None), None)
        records.setdefault(number, _standard(
            number=number, title_zh=titles.get("zh"), title_en=titles.get("en"),
            status=STATUS_RELATON.get(_clean(root.findtext("status/stage"))),
            published_on=_clean(root.findtext("date[@type='published']/on")) or None,
            ics_codes=[_clean(c.text) for c in root.findall("ext/ics/code")],
            ccs_code=_clean(root.findtext("ext/ccs/code")) or None,
            technical_committee=_clean(root.findtext("ext/gbcommittee")) or None,
            # Two bodies in one name, separated by a space: joined with 、 like the corpus records.
            issuing_authority=_clean(publisher.text).replace(" ", "、") if publisher is not None else None,
            sectors=RELATON_SECTORS.get(number, []), source="relaton_gb_examples",
            source_url=_clean(root.findtext("uri[@type='src']")) or None,
        ))
    return list(records.values())


def _corpus_standards(corpus_source: Path) -> list[dict]:
    records = []
    for item in json.loads(corpus_source.read_text(encoding="utf-8")):
        item = dict(item)
        # The PDFs' origin is a mirror named in PROVENANCE.md, not an official source: no link on the record.
        item.pop("file")
        local = re.match(r"DB\s*44\b", item["number"])  # Guangdong; a city (DB4401…) would need its own code
        records.append(_standard(
            **item, region_code="440000" if local else None, source="corpus_standards", source_url=None,
        ))
    return records


def build_standards(src: Path, corpus_source: Path = CORPUS_SOURCE) -> list[dict]:
    records = _arch_standards(src) + _relaton_standards(src) + _corpus_standards(corpus_source)
    seen: set[str] = set()
    for r in records:
        if r["number"] in seen:
            raise ValueError(f"standard {r['number']} appears twice")
        seen.add(r["number"])
    return records


def build_reference(source_dir: Path, out_dir: Path, corpus_source: Path = CORPUS_SOURCE) -> dict[str, int]:
    """Write the JSON fixtures and upstream licences into out_dir; return the number of rows per JSON file."""
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    hs, sections = build_hs(source_dir)
    tables = {
        "ics.json": build_ics(source_dir),
        "ccs.json": build_ccs(source_dir),
        "divisions.json": build_divisions(source_dir),
        "hs.json": hs,
        "hs_sections.json": sections,
        "standards.json": build_standards(source_dir, corpus_source),
    }
    counts = {name: _write(out_dir / name, rows) for name, rows in tables.items()}
    for target, origin in LICENCES.items():
        shutil.copyfile(source_dir / origin, out_dir / target)
    return counts
