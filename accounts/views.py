"""Pages of the accounts room: sign in, second factor, sign out, my account."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts import second_factor
from accounts.forms import LoginForm, SecondFactorResetForm, TotpCodeForm
from accounts.models import User
from accounts.permissions import access, public
from accounts.roles import ROLE_LABELS, Action, Role


@method_decorator(public, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = LoginView.as_view()
login_view.access_action = Action.PUBLIC

logout_view = public(auth_views.LogoutView.as_view())


@access(Action.AUTHENTICATED)
def profile(request):
    roles = [ROLE_LABELS[Role(r)] for r in sorted(request.user.role_names)]
    return render(request, "accounts/profile.html", {"roles": roles,
                                                     "second_factor": second_factor.confirmed_device(request.user)})


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@access(Action.AUTHENTICATED)
def totp_setup(request):
    """Enrol an authenticator app (绑定验证器): scan the QR code or type the secret, then confirm with a code."""
    if second_factor.confirmed_device(request.user) is not None:
        return redirect(f"{reverse('accounts:totp_verify')}?next={quote(_next(request))}")
    device = second_factor.pending_device(request.user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.confirm_enrolment(request, device, form.cleaned_data["code"]):
            messages.success(request, _("验证器已绑定。以后登录时请输入验证器上的动态验证码。"))
            return redirect(_next(request))
        form.add_error("code", _("动态验证码不正确或已过期，请重试。"))
    return render(request, "accounts/totp_setup.html", {
        "form": form, "qr": second_factor.qr_svg(device), "secret": second_factor.secret_text(device),
        "next": _next(request)})


@access(Action.AUTHENTICATED)
def totp_verify(request):
    """The step after the password (动态验证码) for accounts that must use a second factor."""
    if second_factor.confirmed_device(request.user) is None:
        return redirect("accounts:totp_setup")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", _("动态验证码不正确或已过期，请重试。"))
    return render(request, "accounts/totp_verify.html", {"form": form, "next": _next(request)})


@access(Action.ACCOUNTS_MANAGE)
def totp_reset(request):
    """The provincial administrator removes a user's authenticator (lost phone); they enrol again at next sign-in."""
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            form.add_error("username", _("没有这个用户。"))
        else:
            removed = second_factor.reset(request, user=user, by=request.user)
            messages.success(request, _("已重置 %(user)s 的验证器（移除 %(n)s 个）。") % {"user": user.username, "n": removed})
            return redirect("accounts:totp_reset")
    return render(request, "accounts/totp_reset.html", {"form": form})
