"""What the public sends without an account: cleaned text, a salted digest of the sender, the offline captcha.

Shared by public comments (征求意见) and implementation feedback (实施信息反馈); each passes its own `purpose`, so
their captchas and sender digests never mix.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import unicodedata
from typing import Any

from django.conf import settings

from lifecycle import captcha

CAPTCHA_PENDING_MAX = 5  # challenges one session may hold unanswered
# C0/C1 controls other than tab and newline: PostgreSQL refuses NUL in text, Excel and Word refuse the others.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text).strip()


def one_line(value: Any) -> str:
    return " ".join(clean_text(value).split())


def secret(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).digest()


def sender_digest(address: str, *, purpose: str) -> str:
    """Salted SHA-256 of a sender's address ("" without one): tells senders apart for rate limits, names nobody."""
    address = (address or "").strip()
    if not address:
        return ""
    return hashlib.sha256(f"{secret(purpose + '.sender').hex()}:{address}".encode()).hexdigest()


def client_address(request) -> str:
    """The sender's address: REMOTE_ADDR, or the header a trusted reverse proxy sets (YUEBIAO_CLIENT_IP_HEADER,
    e.g. "HTTP_X_FORWARDED_FOR", whose right-most entry is the one the proxy itself saw)."""
    header = getattr(settings, "YUEBIAO_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or ""


def _store(session, purpose: str) -> dict:
    store = session.get(f"{purpose}.captcha")
    return dict(store) if isinstance(store, dict) else {}


def issue_captcha(session, *, purpose: str, now: float | None = None) -> captcha.Challenge:
    """A new challenge, remembered in `session` (a Django session or any dict) as an HMAC of its answer."""
    challenge = captcha.new_challenge(now=time.time() if now is None else now)
    store = _store(session, purpose)
    captcha.remember(store, challenge, secret(purpose + ".captcha"), keep=CAPTCHA_PENDING_MAX)
    session[f"{purpose}.captcha"] = store
    return challenge


def check_captcha(session, challenge_id: str | None, answer: str | None, *, purpose: str, refused: type,
                  now: float | None = None) -> None:
    """Raise `refused(message)` unless the answer is right and fresh; the challenge is used up either way."""
    store = _store(session, purpose)
    try:
        captcha.verify(store, (challenge_id or "")[:64] or None, answer, secret=secret(purpose + ".captcha"),
                       now=time.time() if now is None else now, ttl=captcha.TTL_SECONDS)
    except captcha.CaptchaError as exc:
        raise refused(str(exc)) from exc
    finally:
        session[f"{purpose}.captcha"] = store
