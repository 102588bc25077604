"""The trail's own tests count every event and chain, so each starts from an empty trail.

The shared reference data and the users of the fixtures write their own events (the catalogue and accounts are in
the trail); those rows are removed inside the test's transaction, with SQL because the application never deletes
trail rows, after the user fixtures have run.
"""

import pytest
from django.db import connection


def _empty_trail() -> None:
    from trail.models import Anchor, Event
    from trail.triggers import append_only_suspended

    # On PostgreSQL the append-only triggers refuse this DELETE; the test acts as the tables' owner here.
    with append_only_suspended(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Event._meta.db_table}")
        cursor.execute(f"DELETE FROM {Anchor._meta.db_table}")


@pytest.fixture(autouse=True)
def _trail_starts_empty(request):
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("reference")
        _empty_trail()


@pytest.fixture
def officer(officer):
    _empty_trail()
    return officer


@pytest.fixture
def admin(make_user):
    user = make_user("trail-admin", "provincial_admin")
    _empty_trail()
    return user
