"""The platform's error answers: a refused request (400, also handler400) and a server error (500, handler500),
as JSON under /api/ and as a page elsewhere; rendered without the database, so they work when it is what failed."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def refusal(request, message: str) -> HttpResponse:
    """400 with the reason, before any view ran (no session, user or menu is needed to render it)."""
    if _is_api(request):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponse(render_to_string("400.html", {"message": message}), status=400)


def bad_request(request, exception=None) -> HttpResponse:
    """handler400: a body Django cannot parse (malformed multipart, too many fields, too large), answered like the
    edge's own refusals, so API clients get JSON."""
    return refusal(request, _("请求格式不正确，无法读取"))


def server_error(request) -> HttpResponse:
    """handler500: Django has already logged the traceback (logger django.request) under this request's id; the
    user gets the id to quote to the administrator, who finds the traceback by it."""
    request_id = getattr(request, "request_id", "-")  # set by RequestIdMiddleware, the outermost middleware
    message = _("服务器内部错误。请求编号：%(id)s，请将此编号告知管理员") % {"id": request_id}
    if _is_api(request):
        return JsonResponse({"detail": message, "request_id": request_id}, status=500)
    return HttpResponse(render_to_string("500.html", {"request_id": request_id}), status=500)
