"""django-axes, as the platform uses it: its database handler, plus every failure and lock-out written to the trail."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler

from accounts.services import record_sign_in


class TrailedAxesHandler(AxesDatabaseHandler):
    """Counts failures per (user name, address) like axes does, and records what happened to each attempt."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # Set by the axes backend before any password was checked: this attempt came while the pair was locked.
        refused = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        username = str(credentials.get("username", "") or "")
        address = getattr(request, "axes_ip_address", "") or ""
        record_sign_in(kind="sign_in_refused" if refused else "sign_in_failed", username=username, address=address,
                       outcome="locked_out" if refused else "wrong_credentials")
        if not refused and getattr(request, "axes_locked_out", False):
            record_sign_in(kind="locked_out", username=username, address=address, outcome="too_many_failures")
