"""Build the reference fixtures shipped in catalogue/reference_data from the real data files (../shared/data).
Pure Python, no Django: `build_reference(source, out)` is deterministic, so the fixtures can be checked against
their sources in tests."""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

# Fixes of errors documented in the source data's PROVENANCE: (file, what, why).
CCS_FIXES = {"FF2": "K22"}  # `FF2,异步电机,K20/29` is K22 (异步电机 between K21 同步电机 and K23 直流电机)

# The 19 real corpus standards (../shared/corpus/standards): their cover metadata (number, titles, dates, issuing
# bodies, ICS, CCS, what they replace), read once from the PDFs with the smart parser and checked by hand against the
# rendered covers; GB 21900—2008 is a scan, so only its number and title (from PROVENANCE.md) are known.
CORPUS_SOURCE = Path(__file__).resolve().parent / "reference_data" / "corpus_standards_source.json"
_AGRICULTURE = ("畜禽", "农村")

def _write(path: Path, rows: list[dict]) -> int:
    body = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows) + "\n]\n"
    path.write_text(body, encoding="utf-8")
    return len(rows)


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip()


def build_ics(src: Path) -> list[dict]:
    with (src / "ics" / "ics_ed7.csv").open(encoding="utf-8") as fh:
        return [
            {"code": r["code"], "level": int(r["level"]), "parent": r["parent"] or None,
             "title_en": _clean(r["title_en"]), "notes": _clean(r["notes"])}
            for r in csv.DictReader(fh)
        ]


def build_ccs(src: Path) -> list[dict]:
    rows: list[dict] = []
    for level, name in ((1, "cat-level1.csv"), (2, "cat-level2.csv"), (3, "cat-level3.csv")):
        with (src / "ccs" / name).open(encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            next(reader)  # bilingual header; level 3 has two columns both named 代码 / Code: read by position
            for r in reader:
                if not r or not r[0].strip():
                    continue
                code = CCS_FIXES.get(r[0].strip(), r[0].strip())
                parent = None if level == 1 else r[2].strip()
                # Stray spaces inside names (D23 电站 工业锅炉用煤, W58 线 、带、绳) are removed: Chinese has none.
                title = re.sub(r"\s+", "", r[1])
                notes = _clean(r[3]) if len(r) > 3 else ""
                rows.append({"code": code, "level": level, "parent": parent, "title_zh": title, "notes": notes})
    return sorted(rows, key=lambda r: (r["level"], r["code"]))


def build_divisions(src: Path) -> list[dict]:
    names = json.loads((src / "admin_divisions_gbt2260" / "list.json").read_text(encoding="utf-8"))
    rows = []
    for code, name in sorted(names.items()):
        if code.endswith("0000"):
            level, parent = "province", None
        elif code.endswith("00"):
            level, parent = "prefecture", code[:2] + "0000"
        else:
            level = "county"
            # Districts of municipalities (110101) and county-level cities directly under a province (419001)
            # hang under the province when there is no prefecture row.
            parent = code[:4] + "00" if code[:4] + "00" in names else code[:2] + "0000"
        rows.append({"code": code, "name": name, "level": level, "parent": parent})
    streets = json.loads(
        (src / "admin_divisions_gbt2260" / "guangdong_streets_by_county.json").read_text(encoding="utf-8")
    )
    for county, towns in sorted(streets.items()):
        for code, name in sorted(towns.items()):
            rows.append({"code": code, "name": name, "level": "township", "parent": county})
    return rows


def build_hs(src: Path) -> tuple[list[dict], list[dict]]:
    rows = []
    with (src / "hs" / "harmonized-system.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            # Comtrade artefacts that are not HS codes: TOTAL, and chapter 99 "Commodities not specified".
            if r["hscode"] == "TOTAL" or r["section"] == "TOTAL":
                continue
            rows.append({"code": r["hscode"], "level": int(r["level"]),
                         "parent": None if r["parent"] == "TOTAL" else r["parent"],
                         "section": r["section"], "description": _clean(r["description"])})
    with (src / "hs" / "sections.csv").open(encoding="utf-8-sig") as fh:
        sections = [{"section": r["section"], "name": _clean(r["name"])} for r in csv.DictReader(fh)]
    return rows, sections


def _record(**kw) -> dict:
    base = {
        "number": None, "title_zh": None, "title_en": None, "status": None, "published_on": None,
        "implemented_on": None, "withdrawn_on": None, "ics_codes": [], "ccs_code": None, "technical_committee": None,
        "issuing_authority": None, "drafting_organisations": [], "replaces": [], "adoption_degree": None,
        "adopted_standard": None, "region_code": None, "sectors": [], "scope": None, "notes": None, "source": None,
        "source_url": None,
    }
    base.update(kw)
    return base


def build_standards(src: Path) -> list[dict]:
    records: dict[str, dict] = {}
    status_words = {"现行": "current", "废止": "withdrawn", "即将实施": "upcoming", "被代替": "replaced"}
    with (src / "standards" / "arch_standards_index" / "standards.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            number = r["编号"].strip()
            records[number] = _record(
                number=number, title_zh=_clean(r["名称"]), status=status_words.get(r["状态"].strip()),
                implemented_on=r["实施日期"].strip() or None, notes=_clean(r["备注"]) or None,
                sectors=["industry"], source="arch_standards_index", source_url=r["官方链接"].strip() or None,
            )
    xmls = sorted((src / "standards" / "relaton_gb_examples").glob("*.xml"))
    # Files with a proper identifier first, so the one without can complete their records.
    for xml in sorted(xmls, key=lambda p: ('docidentifier type="Chinese Standard"' not in p.read_text("utf-8"), p.name)):
        root = ET.fromstring(xml.read_text(encoding="utf-8"))
        ident = root.find("docidentifier[@type='Chinese Standard']")
        project = (root.findtext("ext/structuredidentifier/project-number") or "").strip()
        if ident is None or not (ident.text or "").strip():
            # from_yaml.xml names JB/T 13368—2018 only as type="JB" "T13368" (documented in PROVENANCE): its
            # fields complete the record of the same project instead of making a second, broken one.
            same = [r for n, r in records.items() if project and n.replace("—", "-").startswith(project + "-")]
            titles = {t.get("language"): _clean(t.text) for t in root.findall("title") if t.get("type") == "main"}
            for r in same:
                r["title_en"] = r["title_en"] or titles.get("en")
            continue
        number = ident.text.strip()
        titles = {t.get("language"): _clean(t.text) for t in root.findall("title") if t.get("type") == "main"}
        published = root.find("date[@type='published']/on")
        stage = root.findtext("status/stage")
        ics = [c.text.strip() for c in root.findall("ext/ics/code") if c.text]
        ccs = root.findtext("ext/ccs/code")
        committee = root.findtext("ext/gbcommittee")
        records.setdefault(number, _record(
            number=number, title_zh=titles.get("zh"), title_en=titles.get("en"),
            status={"activated": "current", "obsoleted": "withdrawn"}.get((stage or "").strip()),
            published_on=published.text.strip() if published is not None and published.text else None,
            ics_codes=ics, ccs_code=(ccs or "").strip() or None, technical_committee=_clean(committee) or None,
            source="relaton_gb_examples",
        ))
    for item in json.loads(CORPUS_SOURCE.read_text(encoding="utf-8")):
        number, title = item["number"], item["title_zh"]
        sectors = ["safety-environment"] + (["agriculture"] if title.startswith(_AGRICULTURE) else ["industry"])
        records[number] = _record(
            **item, sectors=sectors, region_code="440000" if number.startswith("DB44") else None,
            source="corpus_standards",
        )
    return [records[k] for k in sorted(records)]


LICENCES = {
    "LICENSE-ics.txt": "ics/LICENSE.txt",
    "LICENSE-ccs.txt": "ccs/LICENSE.txt",
    "LICENSE-divisions.txt": "admin_divisions_gbt2260/LICENSE",
    "LICENSE-relaton.txt": "standards/relaton_gb_examples/LICENSE.txt",
    "LICENSE-arch-standards-index.md": "standards/arch_standards_index/LICENSE_NOTE.md",
}


def build_reference(source_dir: Path, out_dir: Path) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    hs, sections = build_hs(source_dir)
    counts = {
        "ics.json": _write(out_dir / "ics.json", build_ics(source_dir)),
        "ccs.json": _write(out_dir / "ccs.json", build_ccs(source_dir)),
        "divisions.json": _write(out_dir / "divisions.json", build_divisions(source_dir)),
        "hs.json": _write(out_dir / "hs.json", hs),
        "hs_sections.json": _write(out_dir / "hs_sections.json", sections),
        "standards.json": _write(out_dir / "standards.json", build_standards(source_dir)),
    }
    for target, origin in LICENCES.items():
        shutil.copyfile(source_dir / origin, out_dir / target)
    return counts
