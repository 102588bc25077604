"""Second factor (双因素认证, TOTP) for officers and administrators: who needs it, enrolment, verification, reset.

django-otp keeps the devices and their throttling (each wrong code doubles the wait before the next is checked);
these use cases add who must use one (YUEBIAO_REQUIRE_TOTP_ROLES) and put enrolments and resets into the trail.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from trail.services import record
from yuebiao.proxy import client_address

DEVICE_NAME = "TOTP"


def second_factor_required(user) -> bool:
    """Whether this signed-in user must pass a TOTP code: one of the roles the setting names. Staff accounts (the
    admin) count as provincial administrators, since only those get into the admin."""
    required = set(settings.YUEBIAO_REQUIRE_TOTP_ROLES)
    if not required or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff and Role.PROVINCIAL_ADMIN in required:
        return True
    return bool(required & set(user.role_names))


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled (not yet confirmed by a code): the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn here (no network)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1d2733", light="#ffffff")


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _event(user: User, kind: str, request, *, actor=None, outcome: str) -> None:
    record(user, actor=actor or user, kind=kind,
           data={"username": user.get_username(), "address": client_address(request), "outcome": outcome})


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, code: str) -> bool:
    """Confirm a new device with its first code; on success the session counts as verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(code):
        _event(device.user, "second_factor_failed", request, outcome="enrolment_code_refused")
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    _event(device.user, "second_factor_enrolled", request, outcome="enrolled")
    otp_login(request, device)
    return True


@transaction.atomic
def verify(request, code: str) -> bool:
    """Check a code after the password; a wrong one is recorded and refused."""
    device = confirmed_device(request.user)
    if device is None:
        return False
    if not device.verify_token(code):
        _event(request.user, "second_factor_failed", request, outcome="code_refused")
        return False
    _event(request.user, "second_factor_passed", request, outcome="verified")
    otp_login(request, device)
    return True


@transaction.atomic
def reset(request, *, user: User, by: User) -> int:
    """Remove a user's devices (a lost phone): at the next sign-in they enrol again. Returns how many were removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    _event(user, "second_factor_reset", request, actor=by, outcome=f"devices_removed:{removed}")
    return removed
