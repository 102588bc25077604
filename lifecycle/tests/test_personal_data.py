"""Personal data of the public: who sees senders' details, the retention period, export and erasure on request."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Standard
from lifecycle import personal_data as pd
from lifecycle.consultation import actions as consultation_actions
from lifecycle.implementation import actions as implementation_actions
from lifecycle.models import ImplementationFeedback, LocalStandardProject, PanelMember, PublicComment, ReviewPanel
from lifecycle.transitions import State
from trail.models import Event

pytestmark = pytest.mark.django_db
PHONE = "电话 138-0013-8000"
EMAIL = "Li.Si@Example.cn"


@pytest.fixture
def comments(open_project):
    mine = consultation_actions.submit_comment(project=open_project, text="建议删去 4.2 中的“宜”。", author_name="李四",
                              author_organisation="某检测公司", contact=PHONE, sender_digest=consultation_actions.sender_digest("1.2.3.4"))
    other = consultation_actions.submit_comment(project=open_project, text="别人的意见", author_name="赵六", contact="13911112222")
    return mine, other


@pytest.fixture
def feedback(open_project, make_record):
    from catalogue.services import upsert_standards

    upsert_standards([make_record("DB44/T 8802—2020", "反馈用标准", published_on="2020-01-01")], source="test")
    std = Standard.objects.get(number="DB44/T 8802—2020")
    LocalStandardProject.objects.filter(pk=open_project.pk).update(standard=std)
    return implementation_actions.submit_feedback(standard=std, kind="problem", text="限值难以执行", author_name="李四",
                                contact=f"{EMAIL} / +86 138 0013 8000", sender="1.2.3.4")


def _events(kind):
    return list(Event.objects.filter(subject=pd.TRAIL_SUBJECT, kind=kind).order_by("seq"))


# ---------------------------------------------------------------------------------------------------------------
# Who sees the details.

def test_the_comment_table_names_senders_only_for_those_who_may_see_them(client, open_project, comments, people,
                                                                          make_user):
    from openpyxl import load_workbook

    url = reverse("lifecycle:comment-table", args=[open_project.code, "xlsx"])

    def senders(user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        return [row[4].value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=5)]

    assert senders(people["drafter"]) == ["提出人 1", "提出人 2"]
    assert senders(people["bureau"]) == ["某检测公司／李四", "赵六"]
    assert senders(make_user("gz", "city_officer", region="440100")) == ["某检测公司／李四", "赵六"]
    assert senders(people["committee"]) == ["某检测公司／李四", "赵六"]
    client.force_login(make_user("sz", "city_officer", region="440300"))
    assert client.get(url).status_code == 403


def test_a_panel_expert_reads_the_comments_without_their_senders(client, open_project, comments, people):
    panel = ReviewPanel.objects.create(project=open_project, round=1, created_by=people["committee"])
    PanelMember.objects.create(panel=panel, expert=people["experts"][1])
    client.force_login(people["experts"][1].user)
    rows = client.get(f"/api/lifecycle/projects/{open_project.code}/comments").json()
    assert [r["text"] for r in rows] == ["建议删去 4.2 中的“宜”。", "别人的意见"]
    assert all(r["contact"] is None and r["author_name"] is None and r["author_organisation"] is None for r in rows)
    page = client.get(reverse("lifecycle:comments", args=[open_project.code])).content.decode()
    assert "李四" not in page and "138-0013-8000" not in page and "提出人 2" in page


def test_a_stored_comment_table_names_nobody(open_project, comments, people):
    from docx import Document

    for c in comments:
        consultation_actions.answer_comment(comment=c, resolution="adopted", response="", by=people["drafter"])
    LocalStandardProject.objects.filter(pk=open_project.pk).update(state=State.RESOLUTION)
    doc = consultation_actions.attach_comment_table(project=LocalStandardProject.objects.get(pk=open_project.pk), by=people["bureau"])
    text = "\n".join(cell.text for t in Document(doc.file.open("rb")).tables for row in t.rows for cell in row.cells)
    assert "提出人 1" in text and "李四" not in text and "某检测公司" not in text


def test_feedback_senders_are_shown_to_their_handlers_only(client, open_project, feedback, people, make_user):
    LocalStandardProject.objects.filter(pk=open_project.pk).update(state=State.IMPLEMENTING)
    project_url = open_project.get_absolute_url()
    city = make_user("gz", "city_officer", region="440100")
    for who in (people["bureau"], city):
        client.force_login(who)
        assert EMAIL in client.get(project_url).content.decode(), who
        assert EMAIL in client.get(reverse("lifecycle:feedback-list") + "?status=all").content.decode()
    client.force_login(people["drafter"])  # sees the project and the feedback's text, not who sent it
    page = client.get(project_url).content.decode()
    assert "限值难以执行" in page and EMAIL not in page and "李四" not in page
    client.force_login(make_user("sz", "city_officer", region="440300"))
    assert EMAIL not in client.get(reverse("lifecycle:feedback-list") + "?status=all").content.decode()


# ---------------------------------------------------------------------------------------------------------------
# Retention.

def test_expired_details_are_erased_once_and_the_texts_stay(open_project, comments, feedback, settings, people):
    settings.YUEBIAO_CONTACT_RETENTION_DAYS = 30
    mine, other = comments
    consultation_actions.answer_comment(comment=mine, resolution="adopted", response="已修改", by=people["drafter"])
    assert pd.erase_expired_contacts() == {"comments": 0, "feedback": 0, "captcha_uses": 0}
    assert _events("personal_data_expired") == []
    # The consultation closed 31 days ago; the feedback was answered 31 days ago.
    LocalStandardProject.objects.filter(pk=open_project.pk).update(
        consultation_closes_on=timezone.localdate() - timedelta(days=31))
    ImplementationFeedback.objects.filter(pk=feedback.pk).update(
        status="handled", response="已转起草单位", handled_at=timezone.now() - timedelta(days=31))
    recent = ImplementationFeedback.objects.create(standard=feedback.standard, text="新的反馈", author_name="钱七",
                                                   contact="13700000000")
    assert pd.erase_expired_contacts()["comments"] == 2
    mine.refresh_from_db()
    assert (mine.author_name, mine.author_organisation, mine.contact, mine.sender_digest) == ("", "", "", "")
    assert mine.contact_erased_at is not None and mine.text.startswith("建议删去") and mine.response == "已修改"
    feedback.refresh_from_db()
    assert feedback.contact == "" and feedback.text == "限值难以执行" and feedback.response == "已转起草单位"
    recent.refresh_from_db()
    assert recent.contact == "13700000000"  # sent today, not answered: kept
    [event] = _events("personal_data_expired")
    assert event.payload == {"comments": 2, "feedback": 1, "retention_days": 30} and event.actor is None
    # Idempotent: a second run finds nothing and writes nothing.
    assert pd.erase_expired_contacts() == {"comments": 0, "feedback": 0, "captcha_uses": 0}
    assert len(_events("personal_data_expired")) == 1


def test_the_purge_command(open_project, comments, settings):
    settings.YUEBIAO_CONTACT_RETENTION_DAYS = 10
    LocalStandardProject.objects.filter(pk=open_project.pk).update(
        consultation_closes_on=timezone.localdate() - timedelta(days=11))
    call_command("personal_data", "purge", "--json", stdout=(out := io.StringIO()))
    assert json.loads(out.getvalue()) == {"comments": 2, "feedback": 0, "captcha_uses": 0, "retention_days": 10}
    call_command("personal_data", "purge", stdout=(out := io.StringIO()))
    assert "意见 0 条" in out.getvalue()


def test_an_erased_sender_is_shown_as_erased(client, open_project, comments, people):
    pd.erase_personal_data(contact="13800138000", by=people["bureau"], request="来函 2026-01")
    client.force_login(people["bureau"])
    page = client.get(reverse("lifecycle:comments", args=[open_project.code])).content.decode()
    assert "（个人信息已删除）" in page and "李四" not in page and "赵六" in page


# ---------------------------------------------------------------------------------------------------------------
# On request: export and erase.

def test_contact_keys_read_emails_and_phone_numbers():
    assert pd.contact_keys("Li.Si@Example.cn / +86 138 0013 8000") == {"li.si@example.cn", "13800138000"}
    assert pd.contact_keys("电话 020-8123 4567") == {"02081234567"}
    assert pd.contact_keys("微信 lisi") == set()
    with pytest.raises(pd.PersonalDataError, match="一个电子邮箱或电话号码"):
        pd.request_key("13800138000 li@example.cn")
    with pytest.raises(pd.PersonalDataError):
        pd.request_key("李四")


def test_export_by_phone_or_email_finds_the_persons_records(open_project, comments, feedback, people):
    mine, _ = comments
    call_command("personal_data", "export", "--contact", "+86 13800138000", "--json", "--request", "工单 77",
                 "--by", "bureau", stdout=(out := io.StringIO()))
    data = json.loads(out.getvalue())
    assert [c["id"] for c in data["comments"]] == [mine.pk] and [f["id"] for f in data["feedback"]] == [feedback.pk]
    assert data["comments"][0]["contact"] == PHONE and data["comments"][0]["project"] == open_project.code
    by_email = pd.export_personal_data(contact="li.si@example.CN", by=people["bureau"], request="来函")
    assert by_email["comments"] == [] and [f["id"] for f in by_email["feedback"]] == [feedback.pk]
    first, second = _events("personal_data_exported")
    assert first.payload == {"comments": 1, "feedback": 1, "kinds": ["征求意见", "实施信息反馈"], "request": "工单 77",
                             "via": "command"}
    assert first.actor == people["bureau"] and "13800138000" not in first.data and "李四" not in first.data
    call_command("personal_data", "export", "--contact", "13800138000", stdout=(out := io.StringIO()))
    assert "意见 1 条，反馈 1 条" in out.getvalue() and "建议删去" in out.getvalue()
    with pytest.raises(CommandError, match="没有找到"):
        call_command("personal_data", "export", "--contact", "13000000000")


def test_erase_on_request_blanks_the_details_and_keeps_the_record(open_project, comments, feedback, people,
                                                                 enterprise_user):
    mine, other = comments
    PublicComment.objects.filter(pk=mine.pk).update(user=enterprise_user)
    call_command("personal_data", "erase", "--contact", "13800138000", "--dry-run", "--json",
                 stdout=(out := io.StringIO()))
    assert json.loads(out.getvalue()) == {"comments": 1, "feedback": 1, "dry_run": True}
    assert PublicComment.objects.get(pk=mine.pk).contact == PHONE  # a dry run erases nothing
    call_command("personal_data", "erase", "--contact", "138 0013 8000", "--request", "来函 2026-05",
                 stdout=(out := io.StringIO()))
    assert "意见 1 条，反馈 1 条" in out.getvalue()
    mine.refresh_from_db()
    assert (mine.author_name, mine.author_organisation, mine.contact, mine.sender_digest, mine.user) == (
        "", "", "", "", None)
    assert mine.text == "建议删去 4.2 中的“宜”。"
    other.refresh_from_db()
    assert other.author_name == "赵六" and other.contact == "13911112222"  # someone else's: untouched
    [event] = _events("personal_data_erased")
    assert event.payload == {"comments": 1, "feedback": 1, "kinds": ["征求意见", "实施信息反馈"],
                             "request": "来函 2026-05", "via": "command"}
    assert "13800138000" not in event.data and "李四" not in event.data and "某检测公司" not in event.data
    with pytest.raises(CommandError, match="没有找到"):  # erased details can no longer be found
        call_command("personal_data", "erase", "--contact", "13800138000")


def test_the_administrators_page_exports_and_erases_after_confirmation(client, open_project, comments, make_user):
    admin = make_user("admin1", "provincial_admin")
    client.force_login(admin)
    url = reverse("lifecycle:personal-data")
    assert client.get(url).status_code == 200
    form = {"contact": "13800138000", "request": "来函 2026-09"}
    found = client.post(url, {**form, "action": "find"})
    assert found.status_code == 200 and f"#{comments[0].pk}" in found.content.decode()
    assert PHONE not in found.content.decode()  # the look-up lists records, the export gives details
    exported = client.post(url, {**form, "action": "export"})
    assert exported["Content-Type"].startswith("application/json")
    assert json.loads(exported.content)["comments"][0]["contact"] == PHONE
    asked = client.post(url, {**form, "action": "confirm"})
    assert 'name="confirmed"' in asked.content.decode()
    unconfirmed = client.post(url, {**form, "action": "erase"})
    assert unconfirmed.status_code == 400 and PublicComment.objects.get(pk=comments[0].pk).contact == PHONE
    done = client.post(url, {**form, "action": "erase", "confirmed": "yes"})
    assert done.status_code == 302 and PublicComment.objects.get(pk=comments[0].pk).contact == ""
    [event] = _events("personal_data_erased")
    assert event.actor == admin and event.payload["request"] == "来函 2026-09" and event.payload["via"] == "page"
    missing = client.post(url, {"contact": "13800138000", "request": "", "action": "erase", "confirmed": "yes"})
    assert missing.status_code == 400 and "申请依据" in missing.content.decode()


def test_the_page_is_for_the_provincial_administrator_only(client, comments, people, make_user):
    url = reverse("lifecycle:personal-data")
    assert client.get(url).status_code == 302  # to the login page
    form = {"contact": "13800138000", "request": "x", "action": "erase", "confirmed": "yes"}
    for who in (people["bureau"], people["drafter"], people["committee"],
                make_user("gz", "city_officer", region="440100")):
        client.force_login(who)
        assert client.get(url).status_code == 403, who
        assert client.post(url, form).status_code == 403, who
    assert PublicComment.objects.get(pk=comments[0].pk).contact == PHONE and _events("personal_data_erased") == []
