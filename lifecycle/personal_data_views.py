"""The provincial administrator's page for a person's data (个人信息) on request: find, export, erase."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import access
from accounts.roles import Action as AccountAction
from lifecycle import personal_data as pd

ACTIONS = ("find", "export", "confirm", "erase")


def _render(request, values: dict, *, found=None, confirm: bool = False, error: str = "", status: int = 200):
    return render(request, "lifecycle/personal_data.html", {
        "values": values, "found": found, "confirm": confirm, "error": error,
        "retention_days": pd.retention().days, "max_request": pd.MAX_REQUEST_CHARS,
    }, status=status)


# ACCOUNTS_MANAGE: the provincial administrator alone (accounts.roles.GRANTS), who also manages the accounts.
@access(AccountAction.ACCOUNTS_MANAGE)
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """GET: the form. POST find: which records (kinds, numbers, dates; not the details). export: the JSON file.
    confirm: the confirmation page. erase: erase, with the trail event."""
    if request.method == "GET":
        return _render(request, {})
    values = {"contact": request.POST.get("contact", "")[:200], "request": request.POST.get("request", "")[:200]}
    action = request.POST.get("action", "find")
    if action not in ACTIONS:
        action = "find"
    try:
        if action == "export":
            data = pd.export_personal_data(contact=values["contact"], by=request.user, request=values["request"])
            stamp = timezone.localdate().strftime("%Y%m%d")
            response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1),
                                    content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = content_disposition_header(True, f"个人信息-{stamp}.json")
            return response
        if action == "erase":
            if request.POST.get("confirmed") != "yes":
                return _render(request, values, found=_found(values), confirm=True,
                               error=_("请勾选确认后再删除"), status=400)
            counts = pd.erase_personal_data(contact=values["contact"], by=request.user, request=values["request"])
            messages.success(request, _("已删除 %(c)s 条意见和 %(f)s 条反馈中的个人信息；意见、反馈的内容及答复保留。")
                             % {"c": counts["comments"], "f": counts["feedback"]})
            return redirect(reverse("lifecycle:personal-data"))
        return _render(request, values, found=_found(values), confirm=action == "confirm")
    except pd.PersonalDataError as exc:
        return _render(request, values, error=str(exc), status=400)


def _found(values: dict) -> dict:
    comments, feedback = pd.find_records(values["contact"])
    if not comments and not feedback:
        raise pd.PersonalDataError(pd.NOTHING_FOUND)
    return {"comments": comments, "feedback": feedback}


urlpatterns = [
    path("lifecycle/personal-data/", personal_data, name="personal-data"),
]
