"""URLs of the lifecycle room; each area's view module lists its own patterns."""

from lifecycle.views import analytics, consultation, implementation, personal_data, projects, review

app_name = "lifecycle"
urlpatterns = [
    *projects.urlpatterns,
    *consultation.urlpatterns,
    *review.urlpatterns,
    *implementation.urlpatterns,
    *analytics.urlpatterns,
    *personal_data.urlpatterns,
]
