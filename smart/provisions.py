"""Classify provisions by verbal form (GB/T 1.1—2020 附录 C) — pure, no Django.

要求 requirement: 应 / 不应 (also 应当, 不得); 推荐 recommendation: 宜 / 不宜; 允许 permission: 可 / 不必 (可以);
陈述 statement: 能 / 不能, 可能 / 不可能. 必须, 严禁 and 不可 are common in practice but are not the rule's
forms: they are reported in ``forbidden`` (and the sentence counts as a requirement).

Chinese has no word boundaries, so each form is matched with the compounds it hides in excluded (相应, 供应,
适宜, 可靠, 功能 …).
"""

from __future__ import annotations

import re

from .model import Provision

KIND_ORDER = ("requirement", "recommendation", "permission", "statement")

_REQ = re.compile(r"不应|应当|(?<![相对反供适响效感呼答顺报])应(?![用急力变答酬聘届运征])|不得")
_REC = re.compile(r"不宜|(?<![便事适合])宜(?![人居昌])")
_PERM = re.compile(r"不必|可以|(?<=[也亦均还即则，,并皆时者的，；、])可(?![能靠行燃吸溶见持追比控视信疑及逆塑])|"
                   r"可(?=按|采用|参照|根据|在|使用|选择|由|向|将|对|以|通过|用|自行|适当|连续|结合|委托|进行|执行|作为|单独|豁免|免|暂|另行|现场|不|同时|参考|视|酌情|设置|增加|减少)")
_STMT = re.compile(r"不可能|可能|不能|能够|(?<=[才均都并就也还将否])能(?![源量力耗效])")
_FORBIDDEN = re.compile(r"必须|严禁|(?<!必)不可(?!能|少|缺|逆|抗|再生|回收|分割|替代|避免)")
_SENT = re.compile(r"[^。；;！!？?]+[。；;！!？?]?")


def classify(sentence: str) -> tuple[str | None, list[str], list[str]]:
    """Return (kind, forms, forbidden forms) for one sentence; kind is None when no verbal form is present."""
    forms: list[str] = []
    kind = None
    forbidden = _FORBIDDEN.findall(sentence)
    stmt = _STMT.findall(sentence)
    cleaned = _STMT.sub("  ", sentence) if stmt else sentence  # 可能 must not count as 可
    for k, rx in (("requirement", _REQ), ("recommendation", _REC), ("permission", _PERM)):
        found = rx.findall(cleaned if k == "permission" else sentence)
        if found:
            forms.extend(found)
            kind = kind or k
    if stmt:
        forms.extend(stmt)
        kind = kind or "statement"
    if forbidden and kind is None:
        kind = "requirement"
    return kind, forms, forbidden


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.findall(text) if s.strip()]


def provisions_of(text: str, clause: str | None) -> list[Provision]:
    out = []
    for sentence in sentences(text):
        kind, forms, forbidden = classify(sentence)
        if kind:
            out.append(Provision(clause=clause, text=sentence, kind=kind, forms=forms, forbidden=forbidden))
    return out
