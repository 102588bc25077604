"""The platform's URLs plus two that fail on purpose, to test how a server error is answered and logged."""

from django.urls import path

from accounts.permissions import public
from yuebiao.urls import handler500, urlpatterns as platform_urlpatterns  # noqa: F401  (handler500 is read here)


class DeliberateFailure(RuntimeError):
    """Raised by the failing views below, so a test can find it in the log."""


def fail(request):
    raise DeliberateFailure("deliberate failure for the error-handling test")


urlpatterns = [
    path("edge-test/fail/", public(fail)),
    path("api/edge-test/fail", public(fail)),
    *platform_urlpatterns,
]
