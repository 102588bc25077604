from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户与权限")

    def ready(self) -> None:
        from accounts import history, signals  # noqa: F401  (signals puts sign-ins into the trail)

        history.connect()
