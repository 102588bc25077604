"""Fixtures of the notify tests: users with and without an address, and running the worker inside a test."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def person(make_user):
    def make(username: str, email: str = "", *roles: str, active: bool = True):
        user = make_user(username, *roles)
        user.email = email
        user.is_active = active
        user.save(update_fields=["email", "is_active"])
        return user

    return make


@pytest.fixture
def run_worker(monkeypatch):
    """`yuebiao worker --once` in this process, on the test's own connection.

    The worker drops connections it thinks are stale; inside a test's transaction that would end the test's
    transaction on PostgreSQL, so (as Django's test client does for requests) it is switched off here.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(*extra: str) -> str:
        out = io.StringIO()
        call_command("worker", "--once", "--no-startup-delay", *extra, stdout=out, stderr=out)
        return out.getvalue()

    return run
