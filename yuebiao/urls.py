from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog, set_language

from accounts.permissions import public
from yuebiao.api import api

urlpatterns = [
    path("", include("catalogue.urls")),
    path("", include("smart.urls")),
    path("", include("notify.urls")),
    path("", include("lifecycle.urls")),
    path("", include("compare.urls")),
    path("", include("trail.urls")),
    path("accounts/", include("accounts.urls")),
    path("api/", api.urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("i18n/js/", public(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    # Django's admin: only staff accounts (the provincial administrators) get in; it has its own login.
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says; send them to the static icon.
    path("favicon.ico",
         public(RedirectView.as_view(url=settings.STATIC_URL + "yuebiao/favicon.svg", permanent=True))),
]

# A body Django cannot parse: JSON under /api/, a page elsewhere, like the edge's other refusals.
handler400 = "yuebiao.errors.bad_request"
# A server error: logged with its traceback by Django (logger django.request), answered with the request's id.
handler500 = "yuebiao.errors.server_error"
