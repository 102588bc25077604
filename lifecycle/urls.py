"""URLs of the lifecycle room; each area's view module lists its own patterns."""

from lifecycle import personal_data_views as personal_data
from lifecycle.analytics import views as analytics
from lifecycle.consultation import views as consultation
from lifecycle.implementation import views as implementation
from lifecycle.projects import views as projects
from lifecycle.review import views as review

app_name = "lifecycle"
urlpatterns = [
    *projects.urlpatterns,
    *consultation.urlpatterns,
    *review.urlpatterns,
    *implementation.urlpatterns,
    *analytics.urlpatterns,
    *personal_data.urlpatterns,
]
