"""What the public sends without an account: cleaned text, a keyed digest of the sender, the offline captcha.

Shared by public comments (征求意见) and implementation feedback (实施信息反馈); each passes its own `purpose`, so
their captchas and sender digests never mix. The client's address comes from yuebiao.proxy.client_address.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lifecycle import captcha
from lifecycle.models import CaptchaUse

CAPTCHA_PENDING_MAX = 5  # challenges one session may hold unanswered
# Used captchas are kept this long: longer than a challenge lives (so a used one stays used) and than the longest
# rate-limit window (so refused answers keep counting against their sender).
CAPTCHA_USE_KEPT = timedelta(days=2)
# C0/C1 controls other than tab and newline: PostgreSQL refuses NUL in text, Excel and Word refuse the others.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text).strip()


def one_line(value: Any) -> str:
    return " ".join(clean_text(value).split())


def secret(purpose: str) -> bytes:
    """The captcha's answer key: it only has to outlive a challenge (10 minutes), so SECRET_KEY serves."""
    return hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).digest()


def digest_key() -> bytes:
    """The key of sender digests: YUEBIAO_DIGEST_KEY, its own secret.

    Without it (a deployment the `lifecycle.E001` check reports) a key derived from SECRET_KEY by HMAC: stable
    across restarts, so rate limits keep working, and never the published development value.
    """
    key = getattr(settings, "YUEBIAO_DIGEST_KEY", "") or ""
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"yuebiao.sender-digest", hashlib.sha256).digest()


def sender_digest(address: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a sender's address ("" without one): tells senders apart for rate limits, names nobody.

    An address has too few possible values for a plain salted hash: whoever knows the salt tries them all. With a
    key kept out of the code and the database, a stored digest cannot be turned back into its address.
    """
    address = (address or "").strip()
    if not address:
        return ""
    return hmac.new(digest_key(), f"{purpose}.sender:{address}".encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# The captcha: issued into the session, checked there, used up in the database.

def _store(session, purpose: str) -> dict:
    store = session.get(f"{purpose}.captcha")
    return dict(store) if isinstance(store, dict) else {}


def issue_captcha(session, *, purpose: str, now: float | None = None, text: bool = False) -> captcha.Challenge:
    """A new challenge, remembered in `session` (a Django session or any dict) as an HMAC of its answer.

    `text` asks for the non-visual alternative (the sum as a Chinese sentence); it is checked the same way.
    """
    when = time.time() if now is None else now
    challenge = captcha.new_text_challenge(now=when) if text else captcha.new_challenge(now=when)
    store = _store(session, purpose)
    captcha.remember(store, challenge, secret(purpose + ".captcha"), keep=CAPTCHA_PENDING_MAX)
    session[f"{purpose}.captcha"] = store
    return challenge


def _record_refused(challenge_id: str, *, purpose: str, sender_digest: str, scope: str) -> None:
    """A refused answer, kept so it counts in its sender's rate-limit bucket (guessing is limited too)."""
    fields = {"purpose": purpose, "sender_digest": sender_digest, "scope": scope[:64], "solved": False}
    try:
        with transaction.atomic():
            CaptchaUse.objects.create(challenge_id=challenge_id or None, **fields)
    except IntegrityError:  # the challenge was used meanwhile: the refusal still counts
        CaptchaUse.objects.create(challenge_id=None, **fields)


def check_captcha(session, challenge_id: str | None, answer: str | None, *, purpose: str, refused: type,
                  sender_digest: str = "", scope: str = "", now: float | None = None) -> str:
    """The id of a correctly answered, fresh challenge, to be used up by consume_captcha() in the transaction
    that stores what was sent; else `refused(message)`, the refusal counted against the sender.

    The session forgets the challenge either way, but the session is no lock (concurrent requests each read it
    unchanged): only consume_captcha() makes one solved challenge good for one submission.
    """
    store = _store(session, purpose)
    challenge_id = (challenge_id or "")[:64]
    try:
        captcha.verify(store, challenge_id or None, answer, secret=secret(purpose + ".captcha"),
                       now=time.time() if now is None else now, ttl=captcha.TTL_SECONDS)
    except captcha.CaptchaError as exc:
        if exc.code != "missing":
            _record_refused(challenge_id if exc.code != "unknown" else "", purpose=purpose,
                            sender_digest=sender_digest, scope=scope)
        raise refused(str(exc)) from exc
    finally:
        session[f"{purpose}.captcha"] = store
    return challenge_id


def consume_captcha(challenge_id: str, *, purpose: str, refused: type, sender_digest: str = "",
                    scope: str = "") -> None:
    """Use up a solved challenge, in the caller's transaction: a second use (even at the same moment, from
    another request) meets the unique challenge id and is refused as used."""
    try:
        with transaction.atomic():
            CaptchaUse.objects.create(challenge_id=challenge_id, purpose=purpose, sender_digest=sender_digest,
                                      scope=scope[:64], solved=True)
    except IntegrityError as exc:
        raise refused(captcha.CaptchaError.MESSAGES["unknown"]) from exc


def refused_times(*, purpose: str, sender_digest: str, since: datetime, scope: str | None = None) -> list[datetime]:
    """When this sender's captcha answers were refused since `since` (oldest first)."""
    if not sender_digest:
        return []
    qs = CaptchaUse.objects.filter(purpose=purpose, sender_digest=sender_digest, solved=False, at__gt=since)
    if scope is not None:
        qs = qs.filter(scope=scope[:64])
    return list(qs.order_by("at").values_list("at", flat=True))


def purge_captcha_uses(*, now: datetime | None = None) -> int:
    """Forget used captchas older than CAPTCHA_USE_KEPT (one indexed DELETE); returns how many."""
    cutoff = (now or timezone.now()) - CAPTCHA_USE_KEPT
    deleted, _ = CaptchaUse.objects.filter(at__lt=cutoff).delete()
    return deleted
