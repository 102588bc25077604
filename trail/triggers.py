"""The append-only triggers of the trail tables (PostgreSQL, migration 0003): suspend them for deliberate work.

Only the tables' owner can do this, and it is the bench's clean-up and the tests' tampering that need it: the
protection is against the application's database role and mistakes, not against the owner (docs/trail.md).
"""

from contextlib import contextmanager

from django.db import connection

TABLES = ("trail_event", "trail_anchor")


@contextmanager
def append_only_suspended():
    """Within the block, UPDATE and DELETE on the trail tables are not refused (nothing to do on SQLite)."""
    if connection.vendor != "postgresql":
        yield
        return
    _switch("DISABLE")
    try:
        yield
    finally:
        _switch("ENABLE")


def _switch(how: str) -> None:
    with connection.cursor() as cur:
        # ALTER TABLE refuses while deferred foreign-key checks on the table are pending in this transaction:
        # run them now, then defer again as Django's constraints are declared.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in TABLES:
            cur.execute(f"ALTER TABLE {table} {how} TRIGGER {table}_append_only")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
