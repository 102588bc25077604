"""Personal data of the public (个人信息): who may see commenters' and feedback senders' details, how long they are
kept, and a person's export or erasure on request.

The details are the name, organisation and contact a sender typed, the account a signed-in sender used and the
sender digest. The text of a comment or feedback and its answer are the public record and stay. See the section
"个人信息 (personal data)" of docs/security.md.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.permissions import can
from accounts.roles import Action as AccountAction
from lifecycle import public_input
from lifecycle.access import is_city_officer_of, project_roles
from lifecycle.errors import LifecycleError
from lifecycle.implementation.queries import may_handle_feedback
from lifecycle.models import ImplementationFeedback, LocalStandardProject, PublicComment
from lifecycle.transitions import Role
from trail.services import record

# The trail's chain for what is done to personal data (one subject: these events concern no project).
TRAIL_SUBJECT = "lifecycle.personal-data"
MAX_REQUEST_CHARS = 100
KINDS = {"comments": "征求意见", "feedback": "实施信息反馈"}
NOTHING_FOUND = "没有找到使用这个联系方式的意见或反馈（已删除的个人信息不再能找到）"


class PersonalDataError(LifecycleError):
    """A request about personal data that cannot be carried out (views answer 400 with the message)."""


def _erased_fields(now: datetime) -> dict:
    return {"author_name": "", "author_organisation": "", "contact": "", "sender_digest": "", "user": None,
            "contact_erased_at": now}


# ---------------------------------------------------------------------------------------------------------------
# Who may see them.

def may_see_comment_contacts(user, project: LocalStandardProject) -> bool:
    """Who sent a comment is seen by the provincial bureau (officers and administrators), the city officers of the
    project's city, and the secretariat of the project's technical committee, which organises the handling of
    comments. Not by the drafters (they answer the text), the proposer, experts, evaluators or other cities."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can(user, AccountAction.LIFECYCLE_MANAGE) or is_city_officer_of(user, project):
        return True
    return Role.COMMITTEE in project_roles(user, project)


def may_see_feedback_contacts(user, feedback: ImplementationFeedback) -> bool:
    """Who sent feedback is seen by those who handle it: the bureau, and the officers of the standard's city."""

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return may_handle_feedback(user, feedback)


# ---------------------------------------------------------------------------------------------------------------
# Retention: erased a set time after they stop being needed.

def retention() -> timedelta:
    return timedelta(days=int(getattr(settings, "YUEBIAO_CONTACT_RETENTION_DAYS", 3 * 365)))


def expired_comments(now: datetime):
    """Comments whose consultation closed more than the retention period ago (or, with no closing date on record,
    that were sent that long ago), not yet erased."""
    cutoff = now - retention()
    closed_before = timezone.localdate(now) - retention()
    return PublicComment.objects.filter(contact_erased_at__isnull=True).filter(
        Q(project__consultation_closes_on__lt=closed_before)
        | Q(project__consultation_closes_on__isnull=True, submitted_at__lt=cutoff)
    )


def expired_feedback(now: datetime):
    """Feedback answered more than the retention period ago (or never answered and sent that long ago)."""
    cutoff = now - retention()
    return ImplementationFeedback.objects.filter(contact_erased_at__isnull=True).filter(
        Q(handled_at__lt=cutoff) | Q(handled_at__isnull=True, submitted_at__lt=cutoff)
    )


@transaction.atomic
def erase_expired_contacts(*, now: datetime | None = None) -> dict[str, int]:
    """The daily job: erase the personal data past its retention period, and forget used captchas.

    Idempotent and cheap: an erased record is marked (contact_erased_at) and never selected again, and a run that
    erases nothing writes no trail event. Returns the counts {"comments", "feedback", "captcha_uses"}.
    """
    now = now or timezone.now()
    fields = _erased_fields(now)
    counts = {"comments": expired_comments(now).update(**fields),
              "feedback": expired_feedback(now).update(**fields)}
    if counts["comments"] or counts["feedback"]:
        record(TRAIL_SUBJECT, actor=None, kind="personal_data_expired", data={
            **counts, "retention_days": retention().days,
        })
    counts["captcha_uses"] = public_input.purge_captcha_uses(now=now)
    return counts


# ---------------------------------------------------------------------------------------------------------------
# A person's data on request: find, export, erase.

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"\+?\d[\d\s\-()]{5,}\d")


def contact_keys(text: str) -> set[str]:
    """The e-mail addresses (lower case) and telephone numbers (digits only, without +86) written in `text`."""
    text = text or ""
    keys = {email.lower() for email in _EMAIL_RE.findall(text)}
    for match in _PHONE_RE.findall(_EMAIL_RE.sub(" ", text)):
        digits = re.sub(r"\D", "", match)
        if digits.startswith("86") and len(digits) == 13:  # +86 138…: the mobile number without the country code
            digits = digits[2:]
        if len(digits) >= 7:
            keys.add(digits)
    return keys


def request_key(contact: str) -> str:
    """The one e-mail address or telephone number a request names; PersonalDataError otherwise."""
    keys = contact_keys(public_input.one_line(contact))
    if len(keys) != 1:
        raise PersonalDataError("请填写一个电子邮箱或电话号码（例如 someone@example.cn 或 13800000000）")
    return keys.pop()


def _matching(model, key: str) -> list[int]:
    # Contacts are free text ("电话 020-1234 5678"), so each is read as keys; an on-request search may scan.
    rows = model.objects.filter(contact_erased_at__isnull=True).exclude(contact="").values_list("id", "contact")
    return [pk for pk, contact in rows.iterator(chunk_size=2000) if key in contact_keys(contact)]


def find_records(contact: str) -> tuple[list[PublicComment], list[ImplementationFeedback]]:
    """The comments and feedback whose contact names the e-mail address or telephone number `contact`."""
    key = request_key(contact)
    comments = list(PublicComment.objects.filter(id__in=_matching(PublicComment, key))
                    .select_related("project").order_by("submitted_at", "id"))
    feedback = list(ImplementationFeedback.objects.filter(id__in=_matching(ImplementationFeedback, key))
                    .select_related("standard").order_by("submitted_at", "id"))
    return comments, feedback


def _request_reference(value: str) -> str:
    value = public_input.one_line(value)
    if not value:
        raise PersonalDataError("请填写申请依据（例如来函编号或工单号），它将记入追溯记录")
    if len(value) > MAX_REQUEST_CHARS:
        raise PersonalDataError(f"申请依据不能超过 {MAX_REQUEST_CHARS} 字")
    return value


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def describe(comments, feedback) -> dict:
    """A person's records as plain data (what the export gives them)."""
    return {
        "comments": [{
            "id": c.pk, "project": c.project.code, "project_title": c.project.title_zh, "clause": c.clause,
            "submitted_at": _when(c.submitted_at), "author_name": c.author_name,
            "author_organisation": c.author_organisation, "contact": c.contact, "text": c.text,
            "proposal": c.proposal, "resolution": c.get_resolution_display() if c.resolution else "",
            "response": c.response, "answered_at": _when(c.answered_at),
        } for c in comments],
        "feedback": [{
            "id": f.pk, "standard": f.standard.number, "kind": f.get_kind_display(),
            "submitted_at": _when(f.submitted_at), "author_name": f.author_name,
            "author_organisation": f.author_organisation, "contact": f.contact, "text": f.text,
            "status": f.get_status_display(), "response": f.response, "handled_at": _when(f.handled_at),
        } for f in feedback],
    }


def _event_data(comments, feedback, request: str, via: str) -> dict:
    """What the trail keeps of a request: how many records of which kinds, on which request; never the contact."""
    counts = {"comments": len(comments), "feedback": len(feedback)}
    return {**counts, "kinds": [KINDS[k] for k, n in counts.items() if n], "request": request, "via": via}


@transaction.atomic
def export_personal_data(*, contact: str, by, request: str, via: str = "page") -> dict:
    """A person's records, for giving them on request; the trail records that it happened."""
    request = _request_reference(request)
    comments, feedback = find_records(contact)
    if not comments and not feedback:
        raise PersonalDataError(NOTHING_FOUND)
    record(TRAIL_SUBJECT, actor=by, kind="personal_data_exported",
           data=_event_data(comments, feedback, request, via))
    return {"contact": public_input.one_line(contact), "exported_at": timezone.now().isoformat(),
            **describe(comments, feedback)}


@transaction.atomic
def erase_personal_data(*, contact: str, by, request: str, via: str = "page") -> dict[str, int]:
    """Erase a person's details on request: names, organisations, contacts, account links and sender digests are
    blanked; the texts and their answers stay (the public record). The trail records how many, of which kinds,
    by whom, on which request, and not what was erased."""
    request = _request_reference(request)
    comments, feedback = find_records(contact)
    if not comments and not feedback:
        raise PersonalDataError(NOTHING_FOUND)
    fields = _erased_fields(timezone.now())
    PublicComment.objects.filter(id__in=[c.pk for c in comments]).update(**fields)
    ImplementationFeedback.objects.filter(id__in=[f.pk for f in feedback]).update(**fields)
    record(TRAIL_SUBJECT, actor=by, kind="personal_data_erased", data=_event_data(comments, feedback, request, via))
    return {"comments": len(comments), "feedback": len(feedback)}
