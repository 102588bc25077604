"""The platform's URLs plus two that fail on purpose, to test how a server error is answered and logged."""

from django.urls import path

from accounts.permissions import public
from yuebiao.urls import handler400, handler500  # noqa: F401  (Django reads the handlers from this module)
from yuebiao.urls import urlpatterns as platform_urlpatterns


class DeliberateFailure(RuntimeError):
    """Raised by the failing views below, so a test can find it in the log."""


def fail(request):
    raise DeliberateFailure("deliberate failure for the error-handling test")


urlpatterns = [
    path("edge-test/fail/", public(fail)),
    path("api/edge-test/fail", public(fail)),
    *platform_urlpatterns,
]
