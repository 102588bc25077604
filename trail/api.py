"""Trail API: the verification summary of every event chain and anchor, for administrators."""

from __future__ import annotations

from ninja import Router, Schema

from accounts.api_auth import RoleAuth, access_extra
from accounts.roles import Action
from trail import services

router = Router(tags=["全过程追溯 Trail"])


class Problem(Schema):
    detail: str


class FailureOut(Schema):
    reason: str
    message: str
    event_id: int | None
    subject: str | None
    seq: int | None
    anchor_id: int | None


class AnchorOut(Schema):
    anchor_id: int | None
    day: str
    root: str
    chains: int
    events: int
    ok: bool


class UnanchoredOut(Schema):
    events: int
    chains: int
    subjects: list[str]


class VerifyOut(Schema):
    ok: bool
    events: int
    chains: int
    anchors: int
    failure_count: int
    first: FailureOut | None
    failures: list[FailureOut]
    anchor_checks: list[AnchorOut]
    seconds: float
    unanchored: UnanchoredOut | None


@router.get(
    "/verify",
    response={200: VerifyOut, 401: Problem, 403: Problem},
    auth=RoleAuth(Action.ACCOUNTS_MANAGE),
    openapi_extra=access_extra(Action.ACCOUNTS_MANAGE),
    summary="校验全过程追溯记录（所有事件链与锚定）",
)
def verify_trail(request):
    """Streams every event, so it takes about as long as `yuebiao trail verify` (seconds per million events)."""
    return services.verify().to_dict()
