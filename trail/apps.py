from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrailConfig(AppConfig):
    name = "trail"
    verbose_name = _("全过程追溯")
