"""What serving the platform requires of its settings (生产部署检查): a secret key of its own, not development mode."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

MISSING_KEY_MESSAGE = (
    "未设置 YUEBIAO_SECRET_KEY：生产环境须使用自己的密钥（至少 50 个随机字符）才能提供服务；"
    "开发时请设置 YUEBIAO_DEV=1（make run 已设置）。"
    " / YUEBIAO_SECRET_KEY is not set: production needs a key of its own (50+ random characters) to serve;"
    " for development set YUEBIAO_DEV=1 (make run does)."
)
DEVELOPMENT_MODE_MESSAGE = (
    "YUEBIAO_DEV=1 是开发模式（开发密钥、控制台邮件），不可用于生产部署。"
    " / YUEBIAO_DEV=1 is development mode (development key, console mail), not a deployment."
)


def serving_refusal() -> str | None:
    """Why the platform must not serve requests with these settings, or None when it may."""
    return MISSING_KEY_MESSAGE if settings.YUEBIAO_EPHEMERAL_KEY else None


@checks.register(checks.Tags.security, deploy=True)
def check_deployment_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.YUEBIAO_EPHEMERAL_KEY:
        return [checks.Error(MISSING_KEY_MESSAGE, id="yuebiao.E001")]
    if settings.YUEBIAO_DEV or settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [checks.Error(DEVELOPMENT_MODE_MESSAGE, id="yuebiao.E002")]
    return []
