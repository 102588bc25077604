"""URLs of the comparison room."""

from compare.views import urlpatterns as _patterns

app_name = "compare"
urlpatterns = list(_patterns)
