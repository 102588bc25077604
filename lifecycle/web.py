"""Translation helpers shared by the areas' pages and API operations: a project by its code for this user (404 or
403 with the room's message), the signed-in sender of a public API write (CSRF checked), and a page's answer after
a form on the project page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from ninja.errors import HttpError
from ninja.utils import check_csrf

from lifecycle import errors
from lifecycle.access import project_for
from lifecycle.models import LocalStandardProject


def project_or_404(request, code: str) -> LocalStandardProject:
    """`access.project_for` for a page: 404 or 403 with the room's message."""
    try:
        return project_for(request.user, code)
    except errors.ProjectNotFound as exc:
        raise Http404(str(exc)) from exc
    except errors.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc


def api_project(request, code: str) -> LocalStandardProject:
    """`access.project_for` for the API: 404 or 403 with the room's message."""
    try:
        return project_for(request.auth, code)
    except errors.ProjectNotFound as exc:
        raise HttpError(404, str(exc)) from exc
    except errors.NotAllowed as exc:
        raise HttpError(403, str(exc)) from exc


def api_public_sender(request):
    """The signed-in user behind a public API write (a comment, a feedback), or None for an anonymous sender.

    A signed-in request must carry its CSRF token (X-CSRFToken): without it, it could be another site posting in
    the user's name, so it is refused with 403, as Django refuses a page's form posted without its token. It is
    never quietly treated as anonymous. A request without a signed-in session needs no token (it proves nothing
    about anyone; the captcha and the rate limit apply).
    """
    user = request.user if request.user.is_authenticated else None
    if user is not None and check_csrf(request) is not None:
        raise HttpError(403, "已登录的请求须带 CSRF 令牌（X-CSRFToken 请求头）")
    return user


def respond(request, project, *, error: str | None = None, ok: str | None = None):
    """Back to the project page with the message (an htmx request is told where to go)."""
    if error:
        messages.error(request, error)
    if ok:
        messages.success(request, ok)
    if request.htmx:
        response = HttpResponse(status=400 if error else 200)
        response["HX-Redirect"] = project.get_absolute_url()
        return response
    return redirect(project.get_absolute_url())
