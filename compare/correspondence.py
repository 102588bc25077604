"""Degree of correspondence (一致性程度) with an international standard, suggested per GB/T 20000.2—2009
(标准化工作指南 第2部分：采用国际标准): IDT 等同, MOD 修改, NEQ 非等效 (pure: no Django).

A is the national (or local, sector, group) standard, B the international or foreign one it may adopt. The
suggestion reads the comparison report (structure, aligned texts, limits, terms, references) and is only a
suggestion: the drafting group decides the degree, and says so in A's foreword.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from catalogue.numbers import FOREIGN_PREFIXES, INTERNATIONAL_PREFIXES, find_numbers, try_parse_number

# MOD keeps B's structure "largely" (GB/T 20000.2: structure may change if a comparison is given); with fewer than
# 60 % of B's clauses found again in A, A retains only part of B, which is NEQ
COUNTERPART_MOD = 0.6
# an aligned pair scoring this high differs only in wording: measured on the glass sample clauses, 本标准 → 本文件
# gives 0.94, a dropped full stop 1.0, an added phrase ("自行…并保存原始监测记录") 0.84
TEXT_SAME = 0.9
# a text whose letters are at least half CJK is Chinese: Chinese standards carry Latin units and formulas
# (mg/m³, NOx) but far fewer of them than CJK characters; an English ISO text has almost none
CJK_SHARE = 0.5
MIN_LETTERS = 20  # fewer letters than this say nothing about the language of a document
LIST_MAX = 6  # items named in one reason before "等 N 项"

DEGREE_ZH = {"IDT": "等同采用", "MOD": "修改采用", "NEQ": "非等效采用"}
LANGUAGE_ZH = {"zh": "中文", "latin": "拉丁字母文字（英文等）"}
_VERDICT_ZH = {"stricter": "A 严于 B", "looser": "A 宽于 B", "only_a": "仅 A 有", "only_b": "仅 B 有",
               "not_comparable": "无法比较", "equal": "相同"}

_KIND_ZH = {"limit": "限值", "number": "条文数值", "text": "条文改动", "clause_only_a": "A 增加的条款",
            "clause_only_b": "A 删除的条款", "term": "术语", "reference": "引用文件"}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-zÀ-ÿ]")
_NUMBER_IN_TEXT = re.compile(r"\d+(?:\.\d+)?")


def _international_prefixes() -> str:
    return "|".join(re.escape(p) for p in sorted(INTERNATIONAL_PREFIXES + FOREIGN_PREFIXES, key=len, reverse=True))


_PREFIXES = _international_prefixes()
_INTL = re.compile(r"(?<![A-Za-z])(?:" + _PREFIXES + r")\s*[A-Z]?\d+(?:[.\-]\d+)*(?:\s*:\s*(?:\d{4}|—))?")
# 等同采用 / 修改采用 / 非等效采用 (GB/T 20000.2—2009), 一致性程度为… (GB/T 1.1—2020 forewords), (ISO …, IDT) as on a
# cover; 等效采用 and 参照采用 are the terms used before the IDT/MOD/NEQ scheme
_DEGREE_PHRASE = re.compile(r"(?P<method>翻译法|重新起草法)?\s*(?P<word>非等效采用|等同采用|修改采用|等效采用|参照采用)")
_DEGREE_IS = re.compile(r"一致性程度为\s*[“\"]?(?P<word>等同|修改|非等效)")
_DEGREE_CODE = re.compile(r"[,，]\s*(?P<word>IDT|MOD|NEQ|EQV)\b")
_LOOSE = re.compile(r"(?P<word>参照|参考)了?\s*(?=" + _PREFIXES + ")")
_WORD_DEGREE = {"等同采用": "IDT", "修改采用": "MOD", "非等效采用": "NEQ", "等同": "IDT", "修改": "MOD",
                "非等效": "NEQ", "IDT": "IDT", "MOD": "MOD", "NEQ": "NEQ"}
_SENTENCE = re.compile(r"[^。；;\n]+")


def _number(text: str | None):
    return try_parse_number(text) if text else None


def _norm_number(number: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", number or "")).rstrip(".")


def _listed(items: list[str]) -> str:
    shown = "；".join(items[:LIST_MAX])
    return shown + (f" 等 {len(items)} 项" if len(items) > LIST_MAX else "")


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


# ---------------------------------------------------------------------------------------------------------------
# Foreword declaration
# ---------------------------------------------------------------------------------------------------------------


def _same_standard(declared: str | None, b_number: str | None) -> bool | None:
    nd, nb = _number(declared), _number(b_number)
    if nd is None or nb is None:
        return None
    return nd.sequence == nb.sequence and nd.prefix.split("/")[0] == nb.prefix.split("/")[0]


def declared_degree(a_doc: Any, b_number: str | None = None) -> dict[str, Any] | None:
    """What A's foreword (前言) says about adoption: the phrase, its degree, the method and the standard named.

    ``None`` when the foreword declares nothing. With several declarations the one naming B wins.
    """
    foreword = getattr(a_doc, "foreword", None)
    if foreword is None:
        return None
    text = unicodedata.normalize("NFKC", foreword.text())
    found: list[dict[str, Any]] = []
    for sentence in _SENTENCE.finditer(text):
        s = sentence.group(0).strip()
        numbers = [m.group(0) for m in _INTL.finditer(s)]
        method = None
        m = _DEGREE_PHRASE.search(s)
        if m:
            word, method = m.group("word"), m.group("method")
        elif (m := _DEGREE_IS.search(s)) or (m := _DEGREE_CODE.search(s)):
            word = m.group("word")
        elif m := _LOOSE.search(s):
            word = m.group("word")  # 参照/参考 are ordinary words: only right before an international number
        else:
            continue
        if word == "EQV":
            word = "等效采用"
        number = None
        if numbers:
            parsed = [_number(n) for n in numbers]
            canonical = [p.canonical if p else n for p, n in zip(parsed, numbers)]
            number = next((c for c in canonical if _same_standard(c, b_number)), canonical[0])
        found.append({"text": s, "phrase": word, "degree": _WORD_DEGREE.get(word), "method": method,
                      "number": number, "about_b": _same_standard(number, b_number)})
    if not found:
        return None
    return next((f for f in found if f["about_b"]), found[0])


# ---------------------------------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------------------------------


def language(doc: Any) -> str | None:
    """'zh' or 'latin' by the share of CJK characters among the letters of the clause texts; None if too few."""
    text = "".join((c.title or "") + c.text() for c in doc.walk())
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    if cjk + latin < MIN_LETTERS:
        return None
    return "zh" if cjk / (cjk + latin) >= CJK_SHARE else "latin"


def _lis(seq: list[int]) -> int:
    tails: list[int] = []
    for x in seq:
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails)


def _unique(numbers: list[str]) -> list[str]:
    return list(dict.fromkeys(numbers))


def structure_evidence(a_doc: Any, b_doc: Any) -> dict[str, Any]:
    """Clause numbering of A against B: shared numbers, their order, Jaccard, numbers in one only."""
    na = _unique([_norm_number(c.number) for c in a_doc.walk()])
    nb = _unique([_norm_number(c.number) for c in b_doc.walk()])
    set_a, set_b = set(na), set(nb)
    common = [n for n in nb if n in set_a]
    pos_a = {n: k for k, n in enumerate(na)}
    in_order = _lis([pos_a[n] for n in common])
    union = set_a | set_b
    return {
        "numbers_a": len(na),
        "numbers_b": len(nb),
        "same_numbers": len(common),
        "share_of_b": round(len(common) / len(nb), 4) if nb else 0.0,
        "order_preserved": in_order == len(common),
        "in_order": in_order,
        "jaccard": round(len(common) / len(union), 4) if union else 0.0,
        "only_a": [n for n in na if n not in set_b],
        "only_b": [n for n in nb if n not in set_a],
        "identical": na == nb,
    }


def _numbers_in(text: str) -> Counter:
    t = unicodedata.normalize("NFKC", text or "")
    # standard numbers are replaced on adoption (ISO 1234 → GB/T 5678): their digits are not technical content
    for _, start, end in sorted(find_numbers(t), key=lambda f: -f[1]):
        t = t[:start] + " " + t[end:]
    t = _INTL.sub(" ", t)
    return Counter(_NUMBER_IN_TEXT.findall(t))


def _clause_texts(doc: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in doc.walk():
        out.setdefault(_norm_number(c.number), ((c.title or "") + "\n" + c.text()).strip())
    return out


def _numeric_differences(pairs: list[tuple[str, str]], ta: dict[str, str], tb: dict[str, str]) -> list[str]:
    out = []
    for a, b in pairs:
        ca, cb = _numbers_in(ta.get(a, "")), _numbers_in(tb.get(b, ""))
        if ca != cb:
            only_a = sorted((ca - cb).elements())
            only_b = sorted((cb - ca).elements())
            where = a if a == b else f"{a}/{b}"
            out.append(f"{where}（A：{'、'.join(only_a) or '无'}；B：{'、'.join(only_b) or '无'}）")
    return out


def _limit_text(p: dict[str, Any]) -> str:
    unit = f"（{p['unit']}）" if p.get("unit") else ""
    a, b = p.get("a") or "无", p.get("b") or "无"
    return f"{p.get('parameter')}{unit}：A {a}，B {b}（{_VERDICT_ZH.get(p.get('verdict') or '', p.get('verdict'))}）"


def _reference_level(number: str) -> str | None:
    n = _number(number)
    return n.level if n else None


# ---------------------------------------------------------------------------------------------------------------
# Suggestion
# ---------------------------------------------------------------------------------------------------------------


def _not_applicable(reason: str, declared: dict[str, Any] | None, b_level: str | None) -> dict[str, Any]:
    return {"applicable": False, "suggested": None, "reasons": [reason], "evidence": {"b_level": b_level},
            "deviations": [], "to_check": [], "declared": declared, "agrees_with_declared": None}


def suggest_degree(a_doc: Any, b_doc: Any, report: dict[str, Any]) -> dict[str, Any]:
    """Suggested IDT / MOD / NEQ of A against B, with the reasons (Chinese sentences naming the figures).

    ``report`` is the dict of ``compare.report.compare_documents(a_doc, b_doc)`` (alignment, terms, references,
    limits). Keys: applicable, suggested, reasons, evidence, deviations (the technical deviations found: what a
    MOD foreword must identify and explain), to_check (what could not be compared), declared,
    agrees_with_declared.
    """
    b_number = b_doc.metadata.number
    nb, na = _number(b_number), _number(a_doc.metadata.number)
    declared = declared_degree(a_doc, b_number)
    b_level = nb.level if nb else None
    if nb is None:
        return _not_applicable(f"无法识别 B 的标准号（{b_number or '无'}），不能判断 B 是否为国际标准："
                               "GB/T 20000.2 的一致性程度只用于采用国际标准", declared, None)
    if b_level not in ("international", "foreign"):
        return _not_applicable("B 不是国际标准：GB/T 20000.2 的一致性程度只用于采用国际标准", declared, b_level)
    if na is not None and na.level in ("international", "foreign"):
        return _not_applicable("A 本身是国际或国外标准：一致性程度用于国家、行业、地方等标准采用国际标准",
                               declared, b_level)

    f = _Findings()
    if b_level == "foreign":
        f.reasons.append(f"B（{nb.canonical}）是国外标准；GB/T 20000.2 针对国际标准，此处参照其规则给出建议。")
    structure = structure_evidence(a_doc, b_doc)
    lang_a, lang_b = language(a_doc), language(b_doc)
    # only two known, different languages make the texts incomparable; too little text to tell is compared as is
    text_compared = not (lang_a and lang_b and lang_a != lang_b)
    if text_compared:
        clauses = _text_findings(f, a_doc, b_doc, report.get("alignment") or {}, structure, (lang_a, lang_b))
    else:
        clauses = _numbered_findings(f, a_doc, b_doc, structure, (lang_a, lang_b))
    clauses_b, with_counterpart = structure["numbers_b"], len(clauses.counterpart_b)
    share = with_counterpart / clauses_b if clauses_b else 0.0
    _clause_findings(f, structure, clauses, text_compared)
    limits_compared, differing = _limit_findings(f, a_doc, b_doc, report, text_compared)
    _term_findings(f, a_doc, b_doc, report, text_compared)
    _reference_findings(f, report)
    evidence = {
        "b_level": b_level,
        "language_a": lang_a,
        "language_b": lang_b,
        "text_compared": text_compared,
        "clauses_b": clauses_b,
        "b_with_counterpart": with_counterpart,
        "counterpart_share": round(share, 4),
        "structure": structure,
        "structure_identical": clauses.structure_same,
        "mean_pair_score": clauses.mean,
        "limits_compared": limits_compared,
        "limits_differing": differing,
        "deviations": len(f.deviations),
        "deviations_by_kind": dict(Counter(d["kind"] for d in f.deviations)),
    }
    suggested = _suggestion(f, structure, clauses, share, text_compared)
    if f.to_check:
        f.reasons.append("以下方面未能自动比较，须人工核对：" + "；".join(f.to_check) + "。")
    agrees = _declared_findings(f, declared, suggested, nb.canonical)
    f.reasons.append("以上为根据比对结果给出的建议，不是结论；一致性程度最终由起草组确定。")
    return {"applicable": True, "suggested": suggested, "reasons": f.reasons, "evidence": evidence,
            "deviations": f.deviations, "to_check": f.to_check, "declared": declared, "agrees_with_declared": agrees}


@dataclass
class _Findings:
    """What the steps of `suggest_degree` found, in the order they found it."""

    reasons: list[str] = field(default_factory=list)
    deviations: list[dict[str, str]] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)


@dataclass
class _Clauses:
    """How B's clauses found their counterparts in A."""

    counterpart_b: set[str]
    only_a: list[str]
    only_b: list[str]
    mean: float | None  # mean score of the aligned pairs; None when the texts were not compared
    structure_same: bool


def _text_findings(f: _Findings, a_doc: Any, b_doc: Any, alignment: dict[str, Any], structure: dict[str, Any],
                   languages: tuple[str | None, str | None]) -> _Clauses:
    """Texts in one language: the aligned pairs, the clauses changed in words, and those changed in figures."""
    lang_a, lang_b = languages
    pairs = alignment.get("pairs") or []
    ta, tb = _clause_texts(a_doc), _clause_texts(b_doc)
    changed = [p for p in pairs if p["score"] < TEXT_SAME]
    scores = [p["score"] for p in pairs]
    mean = round(sum(scores) / len(scores), 4) if scores else 0.0
    changed_pairs = [f"{p['a']}/{p['b']}（{p['score']:.2f}）" for p in changed]
    listed = "：" + _listed(changed_pairs) if changed_pairs else ""
    same = f"两者同为{LANGUAGE_ZH[lang_a]}" if lang_a and lang_a == lang_b else "条文文字很少，语言未能判断"
    f.reasons.append(f"{same}，已逐条比较条文：{len(pairs)} 对条款的平均相似度 {mean:.2f}，"
                     f"其中 {len(changed)} 对低于 {TEXT_SAME}（文字有实质改动）{listed}。")
    for p in changed:
        f.deviations.append({"kind": "text", "what": f"条款 {p['a']} / {p['b']}",
                             "detail": f"文字改动较大（相似度 {p['score']:.2f}）"})
    same_pairs = [(_norm_number(p["a"]), _norm_number(p["b"])) for p in pairs if p["score"] >= TEXT_SAME]
    numeric = _numeric_differences(same_pairs, ta, tb)
    if numeric:
        f.reasons.append(f"{len(numeric)} 对条款文字相近但数值不同：{_listed(numeric)}。")
    for item in numeric:
        f.deviations.append({"kind": "number", "what": f"条款 {item.split('（')[0]}", "detail": "数值不同：" + item})
    return _Clauses(
        counterpart_b={_norm_number(p["b"]) for p in pairs},
        only_a=[str(n) for n in alignment.get("unmatched_a") or []],
        only_b=[str(n) for n in alignment.get("unmatched_b") or []],
        mean=mean,
        structure_same=structure["identical"] and all(
            p["kind"] == "one_to_one" and _norm_number(p["a"]) == _norm_number(p["b"]) for p in pairs))


def _numbered_findings(f: _Findings, a_doc: Any, b_doc: Any, structure: dict[str, Any],
                       languages: tuple[str | None, str | None]) -> _Clauses:
    """Texts in two known languages: left uncompared; clauses are matched by number and their figures checked."""
    lang_a, lang_b = languages
    assert lang_a is not None and lang_b is not None
    ta, tb = _clause_texts(a_doc), _clause_texts(b_doc)
    f.reasons.append(f"A 为{LANGUAGE_ZH[lang_a]}，B 为{LANGUAGE_ZH[lang_b]}，条文文字不可直接比较，未比较；"
                     "以下依据条款编号、限值、术语和引用文件判断。")
    f.to_check.append("条文文字未比较（语言不同）：技术内容是否一致须人工核对译文")
    common = [n for n in _unique([_norm_number(c.number) for c in b_doc.walk()]) if n in ta]
    numeric = _numeric_differences([(n, n) for n in common], ta, tb)
    if numeric:
        f.to_check.append(f"{len(numeric)} 个同编号条款中的数字不同（跨语言比较，可能只是写法不同，如 three 与 3）："
                          + _listed(numeric))
    return _Clauses(counterpart_b={_norm_number(c.number) for c in b_doc.walk()} - set(structure["only_b"]),
                    only_a=structure["only_a"], only_b=structure["only_b"], mean=None,
                    structure_same=structure["identical"])


def _clause_findings(f: _Findings, structure: dict[str, Any], clauses: _Clauses, text_compared: bool) -> None:
    clauses_b, with_counterpart = structure["numbers_b"], len(clauses.counterpart_b)
    if clauses_b:
        how = "按条文比对" if text_compared else "按条款编号"
        f.reasons.append(f"B 的 {clauses_b} 条中 {with_counterpart} 条在 A 中有对应（"
                         f"{_percent(with_counterpart, clauses_b)}，{how}）。")
    order = "顺序一致" if structure["order_preserved"] else f"顺序有变（{structure['in_order']} 个保持原顺序）"
    f.reasons.append(f"条款编号：B 的 {structure['numbers_b']} 个编号中 {structure['same_numbers']} 个在 A 中相同"
                     f"（{_percent(structure['same_numbers'], structure['numbers_b'])}），{order}，"
                     f"编号 Jaccard 系数 {structure['jaccard']:.2f}。")
    if clauses.only_a:
        f.deviations.extend({"kind": "clause_only_a", "what": f"条款 {n}", "detail": "A 增加的条款（B 中无对应）"}
                            for n in clauses.only_a)
        f.reasons.append(f"A 有 {len(clauses.only_a)} 条在 B 中无对应：{_listed(clauses.only_a)}。")
    if clauses.only_b:
        f.deviations.extend({"kind": "clause_only_b", "what": f"条款 {n}", "detail": "A 删除的 B 条款（A 中无对应）"}
                            for n in clauses.only_b)
        f.reasons.append(f"B 有 {len(clauses.only_b)} 条在 A 中无对应：{_listed(clauses.only_b)}。")


def _limit_findings(f: _Findings, a_doc: Any, b_doc: Any, report: dict[str, Any],
                    text_compared: bool) -> tuple[bool, int]:
    """(whether the limits were compared, how many differ): any verdict but "equal" is a technical deviation."""
    limits = report.get("limits") or []
    count_a, count_b = len(getattr(a_doc, "limits", []) or []), len(getattr(b_doc, "limits", []) or [])
    limits_compared = text_compared or (count_a > 0) == (count_b > 0)
    if not limits_compared:
        # the parser reads Chinese limit tables; a foreign text with none found may simply not have been read
        f.to_check.append(f"限值未比较：A 识别出 {count_a} 项，B 识别出 {count_b} 项（外文文本的限值可能未被识别）")
        differing = []
    else:
        differing = [p for p in limits if p.get("verdict") != "equal"]
    if differing:
        f.reasons.append(f"{len(differing)} 项限值与 B 不同：{_listed([_limit_text(p) for p in differing])}。")
        f.deviations.extend({"kind": "limit", "what": str(p.get("parameter")), "detail": _limit_text(p)}
                            for p in differing)
    elif limits and limits_compared:
        f.reasons.append(f"{len(limits)} 项限值与 B 相同。")
    return limits_compared, len(differing)


def _term_findings(f: _Findings, a_doc: Any, b_doc: Any, report: dict[str, Any], text_compared: bool) -> None:
    """Terms by name when the texts are comparable, by entry number otherwise (an English name never matches)."""
    term_notes = []
    if text_compared:
        terms = report.get("terms") or {}
        for t in terms.get("defined_differently") or []:
            term_notes.append(("term", f"术语“{t['term']}”", f"定义不同（相似度 {t['score']:.2f}）"))
        term_notes += [("term", f"术语“{t}”", "仅 A 定义") for t in terms.get("only_a") or []]
        term_notes += [("term", f"术语“{t}”", "仅 B 定义") for t in terms.get("only_b") or []]
    else:
        numbers_a = {_norm_number(t.number) for t in getattr(a_doc, "terms", []) or []}
        numbers_b = {_norm_number(t.number) for t in getattr(b_doc, "terms", []) or []}
        term_notes += [("term", f"术语条目 {n}", "仅 A 有") for n in sorted(numbers_a - numbers_b)]
        term_notes += [("term", f"术语条目 {n}", "仅 B 有") for n in sorted(numbers_b - numbers_a)]
        if numbers_a & numbers_b:
            f.to_check.append(f"{len(numbers_a & numbers_b)} 个同编号术语的定义未比较（语言不同）")
    if term_notes:
        f.reasons.append(f"{len(term_notes)} 处术语不同：{_listed([w + d for _, w, d in term_notes])}。")
        f.deviations.extend({"kind": k, "what": w, "detail": d} for k, w, d in term_notes)


def _reference_findings(f: _Findings, report: dict[str, Any]) -> None:
    """Normative references: replacing an international document by a national one is allowed (an identical
    national adoption may stand in for it), so such a swap is to be checked, not a deviation."""
    refs = report.get("references") or {}
    ref_only_a = list(refs.get("only_a") or [])
    ref_only_b = list(refs.get("only_b") or [])
    national_a = [r for r in ref_only_a if _reference_level(r) not in ("international", "foreign")]
    intl_b = [r for r in ref_only_b if _reference_level(r) in ("international", "foreign")]
    swaps = min(len(national_a), len(intl_b))
    if swaps:
        f.to_check.append(f"{swaps} 项规范性引用文件由 B 引用的国际文件换为 A 引用的国内文件"
                          f"（{_listed(intl_b[:swaps])} → {_listed(national_a[:swaps])}）：须核对是否为等同采用的对应标准")
    ref_notes = [f"{r}（仅 A 引用）" for r in national_a[swaps:] + [r for r in ref_only_a if r not in national_a]]
    ref_notes += [f"{r}（仅 B 引用）" for r in intl_b[swaps:] + [r for r in ref_only_b if r not in intl_b]]
    ref_notes += [f"{d['a']} / {d['b']}：{d['note']}" for d in refs.get("differ") or []]
    if ref_notes:
        f.reasons.append(f"{len(ref_notes)} 项规范性引用文件不同：{_listed(ref_notes)}。")
        f.deviations.extend({"kind": "reference", "what": n.split("（")[0].split("：")[0], "detail": n}
                            for n in ref_notes)


def _suggestion(f: _Findings, structure: dict[str, Any], clauses: _Clauses, share: float,
                text_compared: bool) -> str | None:
    """IDT without deviations and with the same structure; MOD when most of B is kept; NEQ otherwise."""
    clauses_b, with_counterpart = structure["numbers_b"], len(clauses.counterpart_b)
    if not clauses_b or not structure["numbers_a"]:
        f.reasons.append("A 或 B 没有可比较的条款（可能未能解析），不给出建议。")
        return None
    if not f.deviations and clauses.structure_same:
        checked = "" if text_compared else "（在已比较的方面）"
        f.reasons.append(f"未发现技术差异{checked}，结构相同：建议为 IDT（等同采用）。")
        return "IDT"
    if share >= COUNTERPART_MOD:
        by_kind = Counter(d["kind"] for d in f.deviations)
        breakdown = "、".join(f"{_KIND_ZH[k]} {by_kind[k]}" for k in _KIND_ZH if by_kind[k])
        parts = [f"有 {len(f.deviations)} 处技术差异（{breakdown}）"] if f.deviations else []
        if not clauses.structure_same:
            parts.append("结构有调整")
        f.reasons.append(f"B 的大部分条款（{_percent(with_counterpart, clauses_b)}，不低于 {COUNTERPART_MOD:.0%}）在 A 中有"
                         f"对应，但{'，'.join(parts)}：建议为 MOD（修改采用）。按 GB/T 20000.2，这些差异须在 A 的前言中逐一"
                         "指明并说明理由" + ("，并给出结构对照" if not clauses.structure_same else "") +
                         "；否则应为 NEQ（非等效采用）。")
        return "MOD"
    f.reasons.append(f"B 的条款只有 {_percent(with_counterpart, clauses_b)} 在 A 中有对应（低于 {COUNTERPART_MOD:.0%}），"
                     "A 只保留了 B 的一小部分或结构已大幅改变：建议为 NEQ（非等效采用）。")
    return "NEQ"


def _declared_findings(f: _Findings, declared: dict[str, Any] | None, suggested: str | None,
                       b_canonical: str) -> bool | None:
    """Whether the degree A's foreword declares agrees with the suggestion (None when there is nothing to agree)."""
    if not declared:
        return None
    named = f" {declared['number']}" if declared.get("number") else ""
    if declared.get("about_b") is False:
        f.reasons.append(f"A 的前言声明“{declared['phrase']}”{named}，但所指标准不是 B（{b_canonical}）。")
    elif declared.get("degree") is None:
        f.reasons.append(f"A 的前言使用“{declared['phrase']}”{named}：这不是现行 GB/T 20000.2 的一致性程度"
                         "（只有 IDT、MOD、NEQ 三种）。")
    elif suggested is not None:
        agrees = declared["degree"] == suggested
        if agrees:
            f.reasons.append(f"A 的前言声明“{declared['phrase']}”{named}，与建议一致。")
        else:
            f.reasons.append(f"A 的前言声明“{declared['phrase']}”{named}（{declared['degree']}），与建议的 {suggested} "
                             "不一致，请起草组核对。")
        return agrees
    return None
