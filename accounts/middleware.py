"""The second-factor gate: a user who must use TOTP reaches nothing but enrolment or verification until they pass."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.second_factor import confirmed_device, second_factor_required


class SecondFactorMiddleware:
    """Covers every page, the API and the admin alike (after django-otp's OTPMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.YUEBIAO_REQUIRE_TOTP_ROLES and self._held(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "需要先完成双因素认证（动态验证码）"}, status=403)
            target = "accounts:totp_verify" if confirmed_device(request.user) else "accounts:totp_setup"
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    @staticmethod
    def _held(request) -> bool:
        user = request.user
        if not user.is_authenticated or user.is_verified() or not second_factor_required(user):
            return False
        open_paths = (reverse("accounts:totp_setup"), reverse("accounts:totp_verify"), reverse("accounts:logout"),
                      reverse("set_language"), settings.STATIC_URL)
        return not request.path.startswith(open_paths)
