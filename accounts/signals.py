"""Sign-in audit: every login, logout and failed attempt is recorded."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.services import record_login_event


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record_login_event(kind="login", username=user.get_username(), user=user, ip_address=_ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_login_event(kind="logout", username=user.get_username(), user=user, ip_address=_ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    record_login_event(kind="failed", username=str(credentials.get("username", "")), ip_address=_ip(request))
