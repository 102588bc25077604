"""How API endpoints declare who may use them: `access_extra(action)` in the OpenAPI and `RoleAuth` to enforce it."""

from __future__ import annotations

from ninja.errors import HttpError
from ninja.security import SessionAuth

from accounts.permissions import can
from accounts.roles import Action


class RoleAuth(SessionAuth):
    """Session sign-in plus a role check: 401 when not signed in, 403 when the role does not allow the action."""

    def __init__(self, action: str):
        super().__init__()
        self.action = action

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not can(user, self.action):
            raise HttpError(403, f"当前账户无权执行此操作（需要权限：{self.action}）")
        return user


def access_extra(action: str) -> dict:
    """OpenAPI extension naming the action an operation requires; every operation carries one."""
    return {"x-yuebiao-access": str(action)}


PUBLIC = access_extra(Action.PUBLIC)
