"""The JSON API (django-ninja); each room adds its router here. OpenAPI is served at /api/docs."""

from ninja import NinjaAPI

from catalogue.api import router as catalogue_router
from compare.api import router as compare_router
from lifecycle.api import router as lifecycle_router
from notify.api import router as notify_router
from smart.api import router as smart_router
from trail.api import router as trail_router

_PROBLEM = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_INVALID = {"type": "object", "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
            "required": ["detail"]}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class YuebiaoAPI(NinjaAPI):
    """Every operation's document also names the answers every operation can give, so no room has to repeat them:
    400 for what the edge refuses (yuebiao.middleware: a NUL character anywhere in the request), 401 and 403 where
    a sign-in is required, 422 where parameters or a body are read (a wrong type, a number out of its bounds)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                # ninja keys an operation's own answers by int (401), these by str ("401"): one key per status,
                # or the JSON document names a status twice (and strict YAML/JSON readers refuse it).
                responses = {str(status): answer for status, answer in operation.get("responses", {}).items()}
                responses.setdefault("400", _answer("请求无效 Bad request", _PROBLEM))
                if operation.get("security"):
                    responses.setdefault("401", _answer("未登录 Not signed in", _PROBLEM))
                    responses.setdefault("403", _answer("无权执行 Not allowed", _PROBLEM))
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault("422", _answer("参数类型不正确 Invalid parameters", _INVALID))
                operation["responses"] = dict(sorted(responses.items()))
        return schema


api = YuebiaoAPI(
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
api.add_router("/compare", compare_router)
