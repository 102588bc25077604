from django.apps import AppConfig


class YuebiaoConfig(AppConfig):
    name = "yuebiao"
    verbose_name = "粤标"

    def ready(self) -> None:
        from yuebiao import deployment  # noqa: F401  (registers the deployment checks)
