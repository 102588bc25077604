"""Status derivation (pure): dates and replacement relations decide 现行 / 即将实施 / 废止 / 被代替."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from catalogue.status import STATUSES, derive_status, in_force

TODAY = date(2026, 11, 28)


def test_upcoming_until_implementation():
    assert derive_status(stated=None, implemented_on=TODAY + timedelta(days=1), withdrawn_on=None,
                         replaced_by_in_force=False, today=TODAY) == "upcoming"
    assert derive_status(stated=None, implemented_on=TODAY, withdrawn_on=None,
                         replaced_by_in_force=False, today=TODAY) == "current"


def test_withdrawal_date_wins():
    assert derive_status(stated="current", implemented_on=date(2010, 1, 1), withdrawn_on=TODAY,
                         replaced_by_in_force=True, today=TODAY) == "withdrawn"


def test_replaced_when_successor_in_force():
    assert derive_status(stated="current", implemented_on=date(2010, 1, 1), withdrawn_on=None,
                         replaced_by_in_force=True, today=TODAY) == "replaced"


def test_stated_status_fills_missing_dates():
    assert derive_status(stated="withdrawn", implemented_on=None, withdrawn_on=None,
                         replaced_by_in_force=False, today=TODAY) == "withdrawn"
    assert derive_status(stated=None, implemented_on=None, withdrawn_on=None,
                         replaced_by_in_force=False, today=TODAY) == "current"


def test_successor_not_yet_in_force():
    assert not in_force(status="upcoming", implemented_on=TODAY + timedelta(days=3), today=TODAY)
    assert in_force(status="current", implemented_on=None, today=TODAY)
    assert not in_force(status="withdrawn", implemented_on=date(2000, 1, 1), today=TODAY)


@given(
    stated=st.sampled_from([None, *STATUSES]),
    impl=st.one_of(st.none(), st.dates()),
    withdrawn=st.one_of(st.none(), st.dates()),
    replaced=st.booleans(),
)
def test_always_one_of_the_four(stated, impl, withdrawn, replaced):
    assert derive_status(stated=stated, implemented_on=impl, withdrawn_on=withdrawn,
                         replaced_by_in_force=replaced, today=TODAY) in STATUSES
