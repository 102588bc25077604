"""The platform's one rate limiter (yuebiao/ratelimit.py): sliding windows, the first full one wins, and the wait
until the oldest counted time leaves it."""

from datetime import datetime, timedelta, timezone

from yuebiao.ratelimit import Window, exceeded, longest

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
WINDOWS = (Window(timedelta(minutes=10), 3), Window(timedelta(hours=24), 5))


def test_under_every_window_nothing_is_exceeded():
    assert exceeded([NOW - timedelta(minutes=1)] * 2, WINDOWS, now=NOW) is None
    assert exceeded([], WINDOWS, now=NOW) is None


def test_the_short_window_fills_first_and_says_when_to_retry():
    times = [NOW - timedelta(minutes=m) for m in (9, 5, 1)]
    full = exceeded(times, WINDOWS, now=NOW)
    assert full is not None and full.window == WINDOWS[0]
    assert full.retry_after == 60 + 1  # the one sent 9 minutes ago leaves the window in a minute


def test_the_day_window_counts_what_the_short_one_has_forgotten():
    times = [NOW - timedelta(hours=h) for h in (23, 20, 10, 5, 2)]
    full = exceeded(times, WINDOWS, now=NOW)
    assert full is not None and full.window == WINDOWS[1]
    assert exceeded(times, WINDOWS, now=NOW + timedelta(hours=1, minutes=1)) is None


def test_a_time_exactly_one_window_ago_no_longer_counts():
    times = [NOW - timedelta(minutes=10), NOW - timedelta(minutes=2), NOW - timedelta(minutes=1)]
    assert exceeded(times, WINDOWS, now=NOW) is None
    assert longest(WINDOWS) == timedelta(hours=24)
