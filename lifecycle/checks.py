"""System checks of the lifecycle room: settings a deployment needs for what the public sends."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def digest_key_check(app_configs=None, **kwargs) -> list[Error]:
    """Sender digests need their own stable key outside development (`yuebiao check --deploy`)."""
    if getattr(settings, "YUEBIAO_DIGEST_KEY", "") or os.environ.get("YUEBIAO_DEV") == "1":
        return []
    return [Error(
        "未设置 YUEBIAO_DIGEST_KEY：公众意见和实施反馈的来源摘要暂用由 SECRET_KEY 派生的密钥",
        hint="设置环境变量 YUEBIAO_DIGEST_KEY 为一个长随机值（例如 python -c \"import secrets; "
             "print(secrets.token_urlsafe(48))\"），部署后保持不变；见 docs/security.md。",
        id="lifecycle.E001",
    )]
