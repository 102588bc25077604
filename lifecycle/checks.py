"""System checks of the lifecycle room: settings a deployment needs for what the public sends."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def digest_key_check(app_configs=None, **kwargs) -> list[Error]:
    """Sender digests need their own stable key outside development (`yuebiao check --deploy`)."""
    if getattr(settings, "YUEBIAO_DIGEST_KEY", "") or getattr(settings, "YUEBIAO_DEV", False):
        return []
    # Derived by HMAC from a secret key of the deployment's own, the digest key is a secret of its own too, and as
    # stable as that key; only a throwaway per-process key (no YUEBIAO_SECRET_KEY) would make digests change.
    if not getattr(settings, "YUEBIAO_EPHEMERAL_KEY", False):
        return []
    return [Error(
        "未设置 YUEBIAO_DIGEST_KEY 和 YUEBIAO_SECRET_KEY：公众意见和实施反馈的来源摘要的密钥每次启动都会改变",
        hint="设置环境变量 YUEBIAO_DIGEST_KEY 为一个长随机值（例如 python -c \"import secrets; "
             "print(secrets.token_urlsafe(48))\"），部署后保持不变；见 docs/security.md。",
        id="lifecycle.E001",
    )]
