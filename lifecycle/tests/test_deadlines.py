"""Due dates on China's working-day calendar, and what happens past the years the calendar knows."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecycle.deadlines import Period, Unit, WorkCalendar, due_date, has_elapsed, months_between, working_days_between


def test_national_day_week_is_not_counted():
    # 2026: 1–7 October (and the 8th) are the National Day holiday; 10 working days from 25 September skip them.
    due = due_date(date(2026, 9, 25), Period(10, Unit.WORKING_DAYS))
    assert due.due == date(2026, 10, 15) and not due.estimated


def test_adjusted_saturday_counts_as_a_working_day():
    import chinese_calendar

    # 2026-01-04 is a Sunday made a working day (调休) in the State Council's arrangement, if the data says so.
    day = date(2026, 1, 4)
    assert WorkCalendar().is_workday(day) == chinese_calendar.is_workday(day)


def test_calendar_days_months_and_years():
    assert due_date(date(2026, 3, 1), Period(30, Unit.CALENDAR_DAYS)).due == date(2026, 3, 31)
    assert due_date(date(2026, 1, 31), Period(1, Unit.MONTHS)).due == date(2026, 2, 28)
    assert due_date(date(2024, 2, 29), Period(5, Unit.YEARS)).due == date(2029, 2, 28)


def test_beyond_the_known_years_is_estimated_and_uses_the_bureaus_days():
    due = due_date(date(2031, 12, 30), Period(3, Unit.WORKING_DAYS))
    assert due.estimated
    cal = WorkCalendar(extra_holidays=frozenset({date(2032, 1, 1), date(2032, 1, 2)}), announced_years=frozenset({2031, 2032}))
    # 31 Dec 2031 (Wed), then 1–2 Jan 2032 holidays, 3–4 weekend, 5 and 6 January.
    due = due_date(date(2031, 12, 30), Period(3, Unit.WORKING_DAYS), cal)
    assert due.due == date(2032, 1, 6) and not due.estimated


def test_minimum_period_elapsed():
    start = date(2026, 6, 1)
    assert not has_elapsed(start, Period(30, Unit.CALENDAR_DAYS), date(2026, 6, 30))
    assert has_elapsed(start, Period(30, Unit.CALENDAR_DAYS), date(2026, 7, 1))


def test_negative_period_refused():
    with pytest.raises(ValueError):
        due_date(date(2026, 1, 1), Period(-1, Unit.CALENDAR_DAYS))


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 1)), st.integers(min_value=0, max_value=60))
def test_working_days_round_trip(start, n):
    due = due_date(start, Period(n, Unit.WORKING_DAYS)).due
    assert working_days_between(start, due) == n
    if n:
        assert WorkCalendar().is_workday(due)
        assert working_days_between(start, due - timedelta(days=1)) == n - 1


def test_months_between():
    assert round(months_between(date(2025, 1, 1), date(2026, 4, 1)), 1) == 15.0


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(min_value=0, max_value=60))
def test_months_between_inverts_adding_months(start, n):
    end = due_date(start, Period(n, Unit.MONTHS)).due
    assert abs(months_between(start, end) - n) < 0.1
    assert months_between(start, end + timedelta(days=1)) > months_between(start, end)
