"""record_many: the chains record() would write one by one, written in bulk; verify holds after a bulk import."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.db import transaction

from accounts.models import Organisation
from trail import services
from trail.models import Event

pytestmark = pytest.mark.django_db

FROZEN = datetime(2026, 3, 18, 2, 15, 30, 123456, tzinfo=dt_timezone.utc)


def _batch(org):
    return [
        ("catalogue.standard:1", "created", {"changes": {"title_zh": [None, "标题"]}}),
        ("catalogue.standard:2", "edited", {"changes": {"status": ["current", "withdrawn"]}, "n": 1}),
        ("catalogue.standard:1", "edited", {"changes": {"title_zh": ["标题", "新标题"]}}),
        (org, "edited", {"changes": {"name": ["甲", "乙"]}}),
        ("catalogue.standard:1", "withdrawn", {"说明": "废止"}),
    ]


def _rows():
    return list(Event.objects.order_by("subject", "seq").values_list(
        "subject", "seq", "at", "actor_id", "actor_label", "kind", "public", "data", "prev_hash", "hash"))


def _written(write, org, monkeypatch) -> list[tuple]:
    """The rows `write` adds on top of an existing head (one event of standard 2 first), then rolled back."""
    monkeypatch.setattr(services.timezone, "now", lambda: FROZEN)
    with transaction.atomic():
        services.record("catalogue.standard:2", actor=None, kind="created", data={})
        write()
        rows = _rows()
        transaction.set_rollback(True)
    return rows


def test_bulk_chains_equal_one_by_one(officer, monkeypatch):
    org = Organisation.objects.bulk_create([Organisation(name="批量机构", kind=Organisation.Kind.ENTERPRISE)])[0]
    batch = _batch(org)

    def one_by_one():
        for subject, kind, data in batch:
            services.record(subject, actor=officer, kind=kind, data=data, public=True)

    def in_bulk():
        assert services.record_many(batch, actor=officer, public=True) == len(batch)

    expected = _written(one_by_one, org, monkeypatch)
    got = _written(in_bulk, org, monkeypatch)
    assert len(got) == 6 and got == expected
    assert [r[1] for r in got if r[0] == "catalogue.standard:1"] == [1, 2, 3]


def test_bulk_then_single_continue_one_chain_and_verify(officer):
    with transaction.atomic():
        services.record_many([("t:bulk", "a", {"i": i}) for i in range(3)], actor=None)
        services.record("t:bulk", actor=officer, kind="b", data={})
        services.record_many([("t:bulk", "c", {})], actor=officer)
    events = services.timeline("t:bulk")
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].actor_label == services.SYSTEM_LABEL and events[4].actor == officer
    assert services.verify().ok


def test_bulk_refuses_bad_input_and_writes_nothing():
    with transaction.atomic():
        for bad in ([("t:x", "", {})], [("t:x", "k", [1])], [("t:x", "k", {"f": 0.5})], [(" t", "k", {})],
                    [("t:x", "k", {}), ("t:y", "k", {"n": 2**60})]):
            with pytest.raises(ValueError):
                services.record_many(bad, actor=None)
        assert services.record_many([], actor=None) == 0
    assert not Event.objects.filter(subject__startswith="t:").exists()


@pytest.mark.django_db(transaction=True)
def test_bulk_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="事务"):
        services.record_many([("t:1", "x", {})], actor=None)
    assert not Event.objects.filter(subject="t:1").exists()


def test_verify_holds_after_a_bulk_import(officer):
    from catalogue.imports import import_file
    from catalogue.models import Standard

    rows = "".join(f"DB44/T {9000 + i}—2024,批量导入 {i},2024-01-0{1 + i % 9},2024-02-01\n" for i in range(300))
    report = import_file(data=("标准号,标准名称,发布日期,实施日期\n" + rows).encode(), filename="bulk.csv",
                         valid_only=True, by=officer)
    assert report["created"] == 300
    created = Standard.objects.filter(number__startswith="DB44/T 9", source="import:officer")
    assert Event.objects.filter(subject__in=[f"catalogue.standard:{pk}" for pk in created.values_list("id", flat=True)],
                                kind="created", actor=officer).count() == 300
    result = services.verify()
    assert result.ok, result.first
