from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmartConfig(AppConfig):
    name = "smart"
    verbose_name = _("机器可读标准")

    def ready(self) -> None:
        from catalogue.signals import full_text_submitted
        from smart import services

        full_text_submitted.connect(services.on_full_text_submitted, dispatch_uid="smart-structure-full-text")
        services.document_limits()  # a misspelt YUEBIAO_DOCUMENT_* setting stops the start, not the first upload
