"""The platform's own middleware: Chinese first, a request id on every request and log line, and the edge that
refuses input no view can use (NUL characters, integers out of range) with 400 instead of a 500."""

from __future__ import annotations

import json
import logging
import uuid
from contextvars import ContextVar

from django.utils.translation import gettext as _

from yuebiao.bounds import InputRefused
from yuebiao.errors import refusal

log = logging.getLogger("yuebiao.edge")


class ChineseFirstMiddleware:
    """Drop the browser's Accept-Language so only the explicit choice (the language cookie) changes the language.

    Officials on intranet PCs with an English browser still get the Chinese platform; English is one click away.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# ---------------------------------------------------------------------------------------------------------------
# Request ids: every request gets one, shown to the user on an error page and written on every log line.

_request_id: ContextVar[str] = ContextVar("yuebiao_request_id", default="-")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdFilter(logging.Filter):
    """Stamps each log record with the id of the request it was written in, for the `%(request_id)s` format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Gives each request an id of our own (a client-supplied X-Request-ID is ignored, so nobody can make two
    requests share one in the log) and answers it in the X-Request-ID header. Outermost, so that errors raised
    by any later middleware are logged under it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex[:16]
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


# ---------------------------------------------------------------------------------------------------------------
# The edge: input no view can use is refused here, with 400, before any view or database sees it.

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul_text(values) -> bool:
    return any("\x00" in v for v in values if isinstance(v, str))


def _json_has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(v) for v in value)
    return False


def _body_has_nul(request) -> bool:
    content_type = request.content_type or ""
    if content_type in _FORM_TYPES:
        # request.POST streams multipart files to disk and parses the fields once; views reuse the result.
        return any("\x00" in k or _has_nul_text(vs) for k, vs in request.POST.lists())
    if content_type == "application/json" or content_type.endswith("+json"):
        body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
        if b"\x00" in body:
            return True
        if b"\\u0000" not in body.lower():
            return False  # the cheap case: nothing that could decode to NUL
        try:
            return _json_has_nul(json.loads(body))
        except ValueError:
            return False  # not JSON: the view answers that
    return False


def has_nul(request) -> bool:
    """A NUL character (%00) in the path, a query parameter, or a form or JSON field (names and values).

    PostgreSQL cannot store or compare text containing NUL, so such a value reaching a query is a 500; no
    legitimate slug, code, search or form value contains one."""
    if "\x00" in request.path:
        return True
    if any("\x00" in k or _has_nul_text(vs) for k, vs in request.GET.lists()):
        return True
    return request.method in ("POST", "PUT", "PATCH") and _body_has_nul(request)


class EdgeInputMiddleware:
    """Refuses, with 400 and a Chinese message, what would otherwise reach a view as a 500: NUL characters anywhere
    in the request, and (from views, through yuebiao.bounds.InputRefused) integers out of range."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            log.info("refused a request with a NUL character: %s", request.path.replace("\x00", "%00"))
            return refusal(request, _("请求中含有不允许的空字符（NUL），已拒绝"))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, InputRefused):
            return refusal(request, str(exception))
        return None
