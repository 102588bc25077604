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
        super().__init__(f"项目“{project.code}”已被他人修改（当前第 {project.version} 版），请刷新页面后重试")


class DocumentRefused(LifecycleError):
    pass
