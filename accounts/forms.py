from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.services import login_locked


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账户已停用。"),
        "locked": _("失败次数过多，请 15 分钟后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if username and login_locked(username):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()
