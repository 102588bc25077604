"""The one rate limiter of the platform: sliding windows over the times a sender already sent something.

The caller gathers the times that count against this sender (its comments or feedback, and its refused captcha
answers, so that guessing is limited too) from its own tables; this module only decides. No Django import: the
times are plain datetimes, and the caller words the refusal (it knows what was sent and in which language).
Sign-in lock-outs are django-axes' own and not counted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Window:
    """At most `most` in any `span` (the last `span` before now, the start excluded)."""

    span: timedelta
    most: int

    @property
    def minutes(self) -> int:
        return int(self.span.total_seconds() // 60)


@dataclass(frozen=True)
class Exceeded:
    """The first window already full, and the whole seconds until the oldest of its times leaves it."""

    window: Window
    retry_after: int


def longest(windows: Sequence[Window]) -> timedelta:
    """How far back the caller must look for times that may still count."""
    return max(w.span for w in windows)


def exceeded(times: Iterable[datetime], windows: Sequence[Window], *, now: datetime) -> Exceeded | None:
    """The first of `windows` (in the order given) that `times` fill, or None when one more is allowed."""
    ordered = sorted(times)
    for window in windows:
        recent = [t for t in ordered if t > now - window.span]
        if len(recent) >= window.most:
            retry = int((recent[-window.most] + window.span - now).total_seconds()) + 1
            return Exceeded(window, max(1, retry))
    return None
