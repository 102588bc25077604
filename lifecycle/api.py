"""Lifecycle API: projects and their moves, plus each area's endpoints (consultation, review, implementation, analytics)."""

from ninja import Router

from lifecycle.analytics.api import router as analytics_router
from lifecycle.consultation.api import router as consultation_router
from lifecycle.implementation.api import router as implementation_router
from lifecycle.projects.api import router as projects_router
from lifecycle.review.api import router as review_router

router = Router()
for _area in (projects_router, consultation_router, review_router, implementation_router, analytics_router):
    router.add_router("", _area)
