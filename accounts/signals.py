"""Sign-ins and sign-outs in the trail (failures and lock-outs: accounts.lockout, through django-axes' handler)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.services import record_sign_in
from yuebiao.proxy import client_address


def _address(request) -> str:
    return client_address(request) if request is not None else ""


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record_sign_in(kind="signed_in", username=user.get_username(), user=user, address=_address(request),
                   outcome="password_accepted")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_sign_in(kind="signed_out", username=user.get_username(), user=user, address=_address(request),
                       outcome="signed_out")
