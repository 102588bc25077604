"""The permission layer every room uses: `can(user, action, obj)` and the `access` declarations on views."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts.roles import REGION_BOUND_ROLES, Action, Role, region_within, role_allows


def roles_of(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return user.role_names


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether `user` may do `action` (on `obj` when given). Anonymous users may do only public actions."""
    if action == Action.PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action == Action.AUTHENTICATED:
        return True
    roles = roles_of(user)
    if not role_allows(roles, action):
        return False
    if obj is None:
        return True
    # A city officer acts only on things inside its own city; provincial roles anywhere.
    unbounded = {r for r in roles if Role(r) not in REGION_BOUND_ROLES and role_allows({r}, action)}
    if unbounded:
        return True
    obj_region = getattr(obj, "region_code", None)
    org = getattr(user, "organisation", None)
    return region_within(obj_region, getattr(org, "region_code", None))


def access(action: str) -> Callable:
    """Declare who may use a view; anonymous users are sent to log in, signed-in users without the right get 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, action):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
                raise PermissionDenied(f"需要权限：{action}")
            return view(request, *args, **kwargs)

        wrapped.access_action = action
        return wrapped

    return decorate


public = access(Action.PUBLIC)
