"""The JSON API (django-ninja); each room adds its router here. OpenAPI is served at /api/docs."""

from ninja import NinjaAPI

from catalogue.api import router as catalogue_router
from lifecycle.api import router as lifecycle_router
from notify.api import router as notify_router
from smart.api import router as smart_router
from trail.api import router as trail_router

api = NinjaAPI(
    title="粤标 Yuebiao API",
    version="1.0",
    description="广东省国家标准化创新发展试点平台接口。Guangdong standardization platform API.",
    urls_namespace="api",
)
api.add_router("/standards", catalogue_router)
api.add_router("/smart", smart_router)
api.add_router("/lifecycle", lifecycle_router)
api.add_router("/trail", trail_router)
api.add_router("/notices", notify_router)
