"""Notices API: a signed-in user's own notices, and marking them read."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from accounts.api_auth import RoleAuth, access_extra
from accounts.roles import Action
from notify import services
from yuebiao.bounds import DbId

router = Router(tags=["通知 Notices"])
SIGNED_IN = {"auth": RoleAuth(Action.AUTHENTICATED), "openapi_extra": access_extra(Action.AUTHENTICATED)}


class Problem(Schema):
    detail: str


class InvalidParameters(Schema):
    """What django-ninja answers (422) for a parameter of the wrong type."""

    detail: list[dict]


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class InboxParams(Schema):
    unread_only: bool = False
    page: int = Field(1, ge=1, le=100_000)


class InboxOut(Schema):
    total: int
    unread: int
    page: int
    pages: int
    items: list[NoticeOut]


class ReadIn(Schema):
    ids: list[DbId] | None = Field(None, description="要标为已读的通知编号；省略则全部标为已读")


class ReadOut(Schema):
    marked: int
    unread: int


@router.get("/", response={200: InboxOut, 401: Problem, 403: Problem, 422: InvalidParameters},
            summary="我的通知（最新在前）", **SIGNED_IN)
def list_notices(request, params: Query[InboxParams]):
    page = services.inbox(request.auth, unread_only=params.unread_only, page=params.page)
    return {
        "total": page.paginator.count,
        "unread": services.unread_count(request.auth),
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": list(page.object_list),
    }


@router.post("/read", response={200: ReadOut, 401: Problem, 403: Problem, 422: InvalidParameters},
             summary="将通知标为已读", **SIGNED_IN)
def read_notices(request, payload: ReadIn):
    marked = services.mark_read(user=request.auth, notice_ids=payload.ids)
    return {"marked": marked, "unread": services.unread_count(request.auth)}
