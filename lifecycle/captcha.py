"""An offline captcha (验证码) for anonymous public comments: a small sum drawn as noisy SVG strokes, checked once.

Standard library only, no Django import. The challenge is drawn as jittered pen strokes (no <text> element, so
the question is not in the markup as characters) and the strokes of the question are shuffled among noise strokes
of the same look. The caller keeps only an HMAC of the answer (`answer_digest`) in its server-side store, so the
store leaks nothing even if it were readable; `verify` takes the entry out of the store before it compares, so
each challenge is good for one try, right or wrong.
"""

from __future__ import annotations

import hmac
import math
import random
import secrets
import unicodedata
from collections.abc import MutableMapping
from dataclasses import dataclass
from hashlib import sha256

TTL_SECONDS = 600  # a challenge older than this is refused as expired
WIDTH, HEIGHT = 200, 64

# Pen strokes of each glyph on a 10 × 16 grid (x right, y down); a glyph is a list of polylines.
_GLYPHS: dict[str, list[list[tuple[float, float]]]] = {
    "0": [[(3, 1), (7, 1), (9, 4), (9, 12), (7, 15), (3, 15), (1, 12), (1, 4), (3, 1)]],
    "1": [[(3, 4), (6, 1), (6, 15)], [(3, 15), (9, 15)]],
    "2": [[(1, 4), (3, 1), (7, 1), (9, 4), (8, 7), (1, 15), (9, 15)]],
    "3": [[(1, 2), (8, 1), (4, 7), (8, 9), (9, 12), (7, 15), (3, 15), (1, 13)]],
    "4": [[(7, 15), (7, 1), (1, 11), (9, 11)]],
    "5": [[(9, 1), (2, 1), (1, 7), (6, 6), (9, 9), (8, 14), (4, 15), (1, 13)]],
    "6": [[(8, 1), (3, 3), (1, 9), (2, 14), (6, 15), (9, 12), (8, 8), (4, 7), (1, 10)]],
    "7": [[(1, 1), (9, 1), (4, 15)]],
    "8": [[(5, 8), (2, 6), (2, 2), (5, 1), (8, 2), (8, 6), (5, 8), (1, 11), (2, 14), (5, 15), (8, 14), (9, 11),
           (5, 8)]],
    "9": [[(9, 6), (6, 8), (2, 7), (1, 4), (3, 1), (7, 1), (9, 4), (8, 10), (3, 15)]],
    "+": [[(1, 8), (9, 8)], [(5, 4), (5, 12)]],
    "-": [[(1, 8), (9, 8)]],
    "x": [[(2, 4), (8, 12)], [(8, 4), (2, 12)]],
    "=": [[(1, 6), (9, 6)], [(1, 10), (9, 10)]],
    "?": [[(2, 4), (3, 1), (7, 1), (9, 4), (5, 8), (5, 11)], [(5, 13.6), (5, 15)]],
}
_COLOURS = ("#1d2733", "#3b4a5c", "#5b3a29", "#254d32", "#4a2d5c", "#6b2320")


class CaptchaError(ValueError):
    """A refused answer; `code` is missing / unknown / expired / wrong, str() the Chinese message."""

    MESSAGES = {
        "missing": "请填写验证码（图中算式的结果）",
        "unknown": "验证码已使用或已失效，请看新的验证码再填写",
        "expired": "验证码已过期，请看新的验证码再填写",
        "wrong": "验证码不正确，请看新的验证码再填写",
    }

    def __init__(self, code: str):
        super().__init__(self.MESSAGES[code])
        self.code = code


@dataclass(frozen=True)
class Challenge:
    """One question: its id (given to the client), the answer (kept by the server only as a digest), the picture."""

    id: str
    question: str
    answer: str
    issued_at: float
    svg: str


def _question(rng: random.Random) -> tuple[str, int]:
    kind = rng.choice("+-x")
    if kind == "+":
        a, b = rng.randint(1, 20), rng.randint(1, 20)
        return f"{a}+{b}", a + b
    if kind == "-":
        a = rng.randint(6, 30)
        b = rng.randint(1, a - 1)
        return f"{a}-{b}", a - b
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    return f"{a}x{b}", a * b


def _jittered(points, rng: random.Random, *, scale: float, angle: float, dx: float,
              dy: float) -> list[tuple[float, float]]:
    cos, sin = math.cos(angle), math.sin(angle)
    out = []
    for x, y in points:
        x, y = x - 5 + rng.uniform(-0.55, 0.55), y - 8 + rng.uniform(-0.55, 0.55)
        out.append((dx + scale * (x * cos - y * sin), dy + scale * (x * sin + y * cos)))
    return out


def _path(points: list[tuple[float, float]], rng: random.Random) -> str:
    """A polyline through the points, with each segment bent a little (quadratic curves) so it looks hand-drawn."""
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{x0:.1f} {y0:.1f}"]
    px, py = x0, y0
    for x, y in rest:
        cx, cy = (px + x) / 2 + rng.uniform(-1.2, 1.2), (py + y) / 2 + rng.uniform(-1.2, 1.2)
        parts.append(f"Q{cx:.1f} {cy:.1f} {x:.1f} {y:.1f}")
        px, py = x, y
    return "".join(parts)


def _stroke(d: str, rng: random.Random, opacity: float = 1.0) -> str:
    colour = rng.choice(_COLOURS)
    width = rng.uniform(1.8, 2.6)
    fade = f' stroke-opacity="{opacity:.2f}"' if opacity < 1 else ""
    return (f'<path d="{d}" fill="none" stroke="{colour}"{fade} stroke-width="{width:.1f}" '
            f'stroke-linecap="round" stroke-linejoin="round"/>')


def render_svg(text: str, rng: random.Random) -> str:
    """Draw `text` (digits and + - x = ?) as strokes among noise; the strokes appear in shuffled order."""
    strokes: list[str] = []
    unknown = set(text) - set(_GLYPHS)
    if unknown:
        raise ValueError(f"cannot draw {sorted(unknown)}")
    advance = (WIDTH - 16) / max(len(text), 1)
    x = 8 + advance / 2
    for ch in text:
        scale = rng.uniform(1.7, 2.25)
        angle = math.radians(rng.uniform(-16, 16))
        y = HEIGHT / 2 + rng.uniform(-6, 6)
        for line in _GLYPHS[ch]:
            strokes.append(_stroke(_path(_jittered(line, rng, scale=scale, angle=angle, dx=x, dy=y), rng), rng))
        x += advance * rng.uniform(0.9, 1.05)
    # Noise strokes drawn with the same pens: long curves across, and short glyph-like scribbles.
    for _ in range(3):
        pts = [(rng.uniform(0, WIDTH * 0.2), rng.uniform(8, HEIGHT - 8)),
               (rng.uniform(WIDTH * 0.3, WIDTH * 0.7), rng.uniform(0, HEIGHT)),
               (rng.uniform(WIDTH * 0.8, WIDTH), rng.uniform(8, HEIGHT - 8))]
        strokes.append(_stroke(_path(pts, rng), rng, 0.55))
    for _ in range(4):
        cx, cy = rng.uniform(10, WIDTH - 10), rng.uniform(8, HEIGHT - 8)
        pts = [(cx + rng.uniform(-7, 7), cy + rng.uniform(-7, 7)) for _ in range(3)]
        strokes.append(_stroke(_path(pts, rng), rng, 0.45))
    dots = "".join(
        f'<circle cx="{rng.uniform(0, WIDTH):.1f}" cy="{rng.uniform(0, HEIGHT):.1f}" r="{rng.uniform(0.6, 1.6):.1f}" '
        f'fill="{rng.choice(_COLOURS)}" fill-opacity="0.5"/>' for _ in range(40)
    )
    rng.shuffle(strokes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-hidden="true" focusable="false" class="captcha-image">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f1ea"/>{dots}{"".join(strokes)}</svg>'
    )


def new_challenge(*, now: float, rng: random.Random | None = None) -> Challenge:
    """A fresh question with its picture; `rng` is for tests (the default draws from the system's randomness)."""
    challenge_id = secrets.token_hex(12) if rng is None else f"{rng.getrandbits(96):024x}"
    rng = rng or random.Random(secrets.randbits(64))
    question, answer = _question(rng)
    return Challenge(id=challenge_id, question=question, answer=str(answer), issued_at=float(now),
                     svg=render_svg(question + "=?", rng))


def normalise_answer(text: str | None) -> str:
    """What the person typed, as the digits compared: full-width digits and spaces are accepted."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(text.split())[:12]


def answer_digest(secret: bytes, challenge_id: str, answer: str) -> str:
    """What the server stores for a challenge: an HMAC of its answer, never the answer."""
    message = f"{challenge_id}:{normalise_answer(answer)}".encode()
    return hmac.new(secret, message, sha256).hexdigest()


def remember(store: MutableMapping, challenge: Challenge, secret: bytes, *, keep: int = 5) -> None:
    """Put the challenge's digest into `store` (e.g. the session's dict), keeping only the newest `keep`."""
    store[challenge.id] = [answer_digest(secret, challenge.id, challenge.answer), challenge.issued_at]
    if len(store) > keep:
        for old in sorted(store, key=lambda k: store[k][1])[: len(store) - keep]:
            del store[old]


def verify(store: MutableMapping, challenge_id: str | None, given: str | None, *, secret: bytes, now: float,
           ttl: float = TTL_SECONDS) -> None:
    """Check an answer against `store`; the challenge is used up whatever the outcome. Raises CaptchaError."""
    entry = store.pop(challenge_id, None) if challenge_id else None
    if given is None or not normalise_answer(given):
        raise CaptchaError("missing")
    if entry is None or challenge_id is None:
        raise CaptchaError("unknown")
    digest, issued_at = entry
    if now - float(issued_at) > ttl or now < float(issued_at) - 5:
        raise CaptchaError("expired")
    if not hmac.compare_digest(digest, answer_digest(secret, challenge_id, given)):
        raise CaptchaError("wrong")
