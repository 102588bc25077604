"""The lifecycle room's app: connects its receivers (a referenced standard replaced or withdrawn, a published text parsed) and
registers its system checks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = _("地方标准全生命周期")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from catalogue.signals import standards_superseded
        from lifecycle import checks, signals  # noqa: F401 - importing checks registers them
        from lifecycle.projects.effects import standard_withdrawn

        standards_superseded.connect(signals.on_standards_superseded, dispatch_uid="lifecycle-references-changed")
        standard_withdrawn.connect(signals.on_standard_withdrawn, dispatch_uid="lifecycle-withdrawn-references")
        try:
            from smart.models import StructuredStandard
        except ImportError:  # the machine-readable room is optional
            return
        post_save.connect(signals.on_structured_saved, sender=StructuredStandard,
                          dispatch_uid="lifecycle-references-from-smart")
