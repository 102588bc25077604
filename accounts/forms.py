from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账户已停用。"),
    }


class TotpCodeForm(forms.Form):
    """A six-digit code from the authenticator app (动态验证码)."""

    code = forms.RegexField(label=_("动态验证码"), regex=r"^\s*\d{6}\s*$", max_length=12,
                            error_messages={"invalid": _("请输入验证器上显示的 6 位数字。")})

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class SecondFactorResetForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
