"""The lifecycle room's refusals (each str() is the Chinese message shown) and the trail's plain-JSON data.
"""

from __future__ import annotations

import json

from lifecycle.models import (
    LocalStandardProject,
)

Project = LocalStandardProject


def plain(data: dict) -> dict:
    """Event data as plain JSON values: choices and enums become their strings, dates ISO text (the trail is strict)."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


class LifecycleError(ValueError):
    """A request the rules refuse; str() is the Chinese message shown to the user."""


class TransitionRefused(LifecycleError):
    pass


class NotAllowed(LifecycleError):
    """The user may not do this to this object (another city's project, say): views and the API answer 403."""


class ProjectNotFound(LifecycleError):
    """No project has this code: views and the API answer 404."""


class ConcurrentChange(LifecycleError):
    def __init__(self, project: Project):
        super().__init__(f"项目“{project.code}”在您打开页面之后已被他人修改，请刷新页面后重试")


class DocumentRefused(LifecycleError):
    pass


class CommentRefused(LifecycleError):
    """A comment or answer refused for its content or the project's stage; `field` names the form field."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class RateLimited(CommentRefused):
    """Too many comments from one sender (HTTP 429); `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class CaptchaRefused(CommentRefused):
    """A missing, wrong, expired or used captcha answer (views answer 400 and show a new one); its field is the
    form's captcha."""

    def __init__(self, message: str):
        super().__init__(message, "captcha")


class StaleAnswer(LifecycleError):
    """The comment was answered by someone else since the page was read (HTTP 409)."""


class TooMany(LifecycleError):
    """The sender has sent too much too fast (views answer 429)."""


class ReviewError(LifecycleError):
    """A technical-review request the rules refuse; str() is the Chinese message."""


class ReviewForbidden(ReviewError):
    """The user may not do this (a view answers 403, the API 403)."""


class AnalyticsInputError(LifecycleError):
    """A filter the dashboard, API or command cannot read; str() is the Chinese message."""
