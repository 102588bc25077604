"""The catalogue's changes in the trail: edits say what changed, refresh-status acts as the system, a withdrawal
names its project."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organisation
from catalogue.history import subject
from catalogue.models import Standard
from catalogue.services import RecordError, upsert_standards, withdraw_standard
from trail.services import SYSTEM_LABEL, timeline, verify

pytestmark = pytest.mark.django_db


def _events(number: str):
    return timeline(subject(Standard.objects.get(number=number).id))


def test_an_edit_records_only_what_changed_and_an_unchanged_row_nothing(officer, make_record):
    base = make_record("DB44/T 9201—2024", "原标题", ics_codes=["13.040.40"], implemented_on="2024-03-01")
    upsert_standards([base], source="t", by=officer)
    upsert_standards([base], source="t", by=officer)
    assert [e.kind for e in _events(base["number"])] == ["created"]
    upsert_standards([{**base, "title_zh": "新标题", "ics_codes": ["13.040.40", "67.080.10"]}], source="t", by=officer)
    created, edited = _events(base["number"])
    assert created.payload["record"]["implemented_on"] == "2024-03-01"
    assert created.payload["record"]["ics_codes"] == ["13.040.40"] and "title_en" not in created.payload["record"]
    assert edited.kind == "edited" and edited.actor == officer
    assert edited.payload["changes"] == {"title_zh": ["原标题", "新标题"],
                                         "ics_codes": [["13.040.40"], ["13.040.40", "67.080.10"]]}


def test_refresh_status_is_recorded_as_the_system(make_record):
    today = timezone.localdate()
    upsert_standards([make_record("DB44/T 9202—2024", "即将实施", implemented_on=today + timedelta(days=3))],
                     source="t")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a: today + timedelta(days=5))
        call_command("refresh_status", stdout=io.StringIO())
    event = _events("DB44/T 9202—2024")[-1]
    assert event.kind == "status_changed" and event.actor is None and event.actor_label == SYSTEM_LABEL
    assert event.payload == {"reason": "date", "changes": {"status": ["upcoming", "current"]}}


def test_a_replacement_in_an_import_records_the_replaced_standards_new_status(officer, make_record):
    upsert_standards([make_record("HJ/T 9203—2007", "旧", implemented_on=date(2008, 2, 1))], source="t")
    upsert_standards([make_record("HJ 9203—2022", "新", replaces=["HJ/T 9203—2007"], implemented_on=date(2022, 1, 1))],
                     source="t", by=officer)
    event = _events("HJ/T 9203—2007")[-1]
    assert event.kind == "status_changed" and event.actor == officer
    assert event.payload == {"reason": "replacement", "changes": {"status": ["current", "replaced"]}}


def test_withdrawal_records_dates_and_status_and_checks_rights(officer, make_user, make_record):
    upsert_standards([make_record("DB4403/T 9204—2020", "深圳标准", implemented_on="2020-06-01")], source="t")
    std = Standard.objects.get(number="DB4403/T 9204—2020")
    city = make_user("gz-w", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)
    with pytest.raises(RecordError, match="属于深圳市，无权修改"):
        withdraw_standard(std.id, on=date(2026, 1, 1), by=city, context={})
    today = timezone.localdate()
    withdraw_standard(std.id, on=today, by=officer, context={"project": "DB-TEST"})
    event = _events(std.number)[-1]
    assert event.kind == "withdrawn" and event.actor == officer
    assert event.payload == {"project": "DB-TEST", "number": std.number, "changes": {
        "status": ["current", "withdrawn"], "withdrawn_on": [None, today.isoformat()]}}
    assert verify().ok
