"""Inbox pages (通知): the list, marking notices read (HTMX or plain forms), and opening a notice."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import access
from accounts.roles import Action
from notify import services
from notify.models import Notice


def _filters(data) -> dict:
    return {"unread_only": data.get("unread") == "1", "page": data.get("page") or 1}


def _inbox_url(unread_only: bool, page: int | str = 1) -> str:
    query = {}
    if unread_only:
        query["unread"] = "1"
    if str(page) != "1":
        query["page"] = page
    return reverse("notify:inbox") + (f"?{urlencode(query)}" if query else "")


def _list_context(request, *, unread_only: bool, page) -> dict:
    notices = services.inbox(request.user, unread_only=unread_only, page=page)
    unread = services.unread_count(request.user)
    return {
        "notices": notices,
        "unread_only": unread_only,
        "unread_total": unread,
        "inbox_unread": unread,
        "prev_url": _inbox_url(unread_only, notices.previous_page_number()) if notices.has_previous() else None,
        "next_url": _inbox_url(unread_only, notices.next_page_number()) if notices.has_next() else None,
    }


@access(Action.AUTHENTICATED)
@require_GET
def inbox(request):
    return render(request, "notify/inbox.html", _list_context(request, **_filters(request.GET)))


@access(Action.AUTHENTICATED)
@require_POST
def mark_read(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, notice_ids=[notice.pk])
    if request.htmx:
        notice.refresh_from_db()
        return render(request, "notify/_notice_read.html",
                      {"notice": notice, "inbox_unread": services.unread_count(request.user), "oob": True})
    return redirect(_inbox_url(**_filters(request.POST)))


@access(Action.AUTHENTICATED)
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    filters = _filters(request.POST)
    if request.htmx:
        return render(request, "notify/_inbox.html", {**_list_context(request, **filters), "oob": True})
    return redirect(_inbox_url(**filters))


@access(Action.AUTHENTICATED)
@require_GET
def open_notice(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, notice_ids=[notice.pk])
    target = notice.url
    # send() accepts only site paths, but rows can also come from elsewhere (admin, fixtures): check again.
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = reverse("notify:inbox")
    return redirect(target)
