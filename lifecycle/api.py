"""Lifecycle API: projects and their moves, plus each area's endpoints (consultation, review, implementation, analytics)."""

import importlib

from ninja import Router

router = Router()
# Each area keeps its endpoints in lifecycle/api_<area>.py; an area whose module is not there yet is skipped.
for _area in ("projects", "consultation", "review", "implementation", "analytics"):
    try:
        _module = importlib.import_module(f"lifecycle.api_{_area}")
    except ModuleNotFoundError as exc:
        if exc.name != f"lifecycle.api_{_area}":
            raise
        continue
    router.add_router("", _module.router)
