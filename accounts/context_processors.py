"""Template context: what the signed-in user may do, so templates show only the links that work."""

from accounts.permissions import can
from accounts.roles import Action


def access(request):
    user = getattr(request, "user", None)
    return {"may": {a.name.lower(): can(user, a) for a in Action}}
