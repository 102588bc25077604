"""The client's address as the platform sees it, directly or behind trusted reverse proxies (反向代理).

One function serves every place that needs it: rate limits of public comments and feedback, sign-in lock-outs
and the sign-in audit. Behind a proxy, REMOTE_ADDR is the proxy's own address, so the whole public would share one
bucket; the proxy passes the client's address in a header instead (YUEBIAO_CLIENT_IP_HEADER).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(candidate: str) -> str:
    candidate = candidate.strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return ""


def client_address(request) -> str:
    """The sender's address: REMOTE_ADDR when no proxy is configured.

    With YUEBIAO_CLIENT_IP_HEADER (e.g. "HTTP_X_FORWARDED_FOR") and YUEBIAO_TRUSTED_PROXIES = N (default 1), each
    trusted proxy appends the address it saw to the header, so the client is the N-th entry from the right; any
    entries further left were written by the client itself and are not believed. A missing, short or malformed
    header gives REMOTE_ADDR, never an address the client chose.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = getattr(settings, "YUEBIAO_CLIENT_IP_HEADER", "")
    if not header:
        return remote
    trusted = max(1, int(getattr(settings, "YUEBIAO_TRUSTED_PROXIES", 1)))
    entries = [e for e in str(request.META.get(header, "")).split(",") if e.strip()]
    if len(entries) < trusted:
        return remote
    return _valid(entries[-trusted]) or remote
