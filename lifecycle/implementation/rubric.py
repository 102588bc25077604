"""Implementation: the evaluation rubric (实施效果评估的评分维度与权重) and its weighted total."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable

from django.conf import settings

from lifecycle.errors import LifecycleError


# ---------------------------------------------------------------------------------------------------------------
# Third-party evaluation (实施效果评估): the rubric and the scores.
@dataclass(frozen=True)
class Dimension:
    key: str
    label_zh: str
    label_en: str
    weight: int
    hint: str = ""
_TENTH = Decimal("0.1")


def validate_rubric(rows: Iterable[Dimension]) -> tuple[Dimension, ...]:
    rows = tuple(rows)
    keys = [d.key for d in rows]
    if not rows or len(set(keys)) != len(keys):
        raise ValueError("评分维度不能为空，也不能重复")
    if any(d.weight <= 0 for d in rows) or sum(d.weight for d in rows) != 100:
        raise ValueError("各评分维度的权重须为正数，合计 100")
    return rows


def rubric() -> tuple[Dimension, ...]:
    custom = getattr(settings, "LIFECYCLE_EVALUATION_RUBRIC", None)
    if not custom:
        return DEFAULT_RUBRIC
    return validate_rubric(Dimension(**row) if isinstance(row, dict) else row for row in custom)


def _score(value: Any, label: str) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise LifecycleError(f"请填写“{label}”的得分")
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise LifecycleError(f"“{label}”的得分应为数字") from exc
    if not score.is_finite():
        raise LifecycleError(f"“{label}”的得分应为数字")
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise LifecycleError(f"“{label}”的得分应在 0 至 100 之间")
    if score != score.quantize(_TENTH):
        raise LifecycleError(f"“{label}”的得分最多保留一位小数")
    return score.quantize(_TENTH)


def weighted_total(scores: dict[str, Decimal], dimensions: Iterable[Dimension] | None = None) -> Decimal:
    """The weighted mean of the scores, rounded half up to one decimal."""
    dims = tuple(dimensions or rubric())
    total = sum((scores[d.key] * d.weight for d in dims), Decimal(0)) / sum(d.weight for d in dims)
    return total.quantize(_TENTH, rounding=ROUND_HALF_UP)


def clean_scores(scores: dict) -> dict[str, Decimal]:
    if not isinstance(scores, dict):
        raise LifecycleError("评分格式不正确")
    dims = rubric()
    known = {d.key for d in dims}
    unknown = [str(k) for k in scores if k not in known]
    if unknown:
        raise LifecycleError("未知的评分维度：" + "、".join(unknown))
    missing = [d.label_zh for d in dims if scores.get(d.key) in (None, "")]
    if missing:
        raise LifecycleError("缺少评分：" + "、".join(missing))
    return {d.key: _score(scores[d.key], d.label_zh) for d in dims}


def plain_score(score: Decimal) -> int | float:
    return int(score) if score == score.to_integral_value() else float(score)


# The default rubric. Weights are percentages and sum to 100; each score is 0–100 and the total is the weighted
# mean, one decimal. The bureau may set its own in settings.LIFECYCLE_EVALUATION_RUBRIC (a list of dicts with the
# same keys); no national rubric was found (see docs/lifecycle-implementation.md).
DEFAULT_RUBRIC: tuple[Dimension, ...] = (
    Dimension("implementation", "实施情况", "Implementation", 30, "宣贯培训、采用和执行的范围与程度"),
    Dimension("advancement", "技术先进性", "Technical advancement", 20, "技术指标与国内外同类标准相比的水平"),
    Dimension("economic", "经济效益", "Economic benefit", 20, "降低成本、提高质量、扩大市场等"),
    Dimension("social", "社会效益", "Social benefit", 15, "安全、健康、环境保护、公共服务等"),
    Dimension("applicability", "标准适用性", "Applicability", 15, "内容是否适应当前技术和管理需要，是否便于执行"),
)
SCORE_MIN, SCORE_MAX = Decimal(0), Decimal(100)
