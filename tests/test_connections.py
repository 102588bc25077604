"""Database connections stay bounded under bursts: gunicorn keeps at most workers × threads, runserver keeps none."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[1]
BURST = 30

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("connection counts are a PostgreSQL matter (SQLite has no server)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _server_connections() -> int:
    with connection.cursor() as cursor:
        # The test runs in a transaction, and PostgreSQL keeps one statistics snapshot per transaction: drop it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                       [connection.settings_dict["NAME"]])
        return cursor.fetchone()[0]


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        return response.status


def _serve(argv: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("YUEBIAO_", "DJANGO_", "DATABASE_URL"))}
    server = subprocess.Popen(argv, cwd=REPO, env={**base, "PYTHONPATH": str(REPO), "DATABASE_URL": _database_url(),
                                                   **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get(f"http://127.0.0.1:{port}/")
            return server
        except OSError:
            if server.poll() is not None:
                raise AssertionError(server.stderr.read().decode()[-3000:]) from None
            time.sleep(0.3)
    server.terminate()
    raise AssertionError("server did not start")


def _burst(port: int) -> None:
    paths = ["/", "/search/?q=%E9%99%B6%E7%93%B7", "/api/standards/?q=%E9%99%B6%E7%93%B7"]
    with ThreadPoolExecutor(BURST) as pool:
        statuses = list(pool.map(_get, [f"http://127.0.0.1:{port}{paths[i % 3]}" for i in range(BURST)]))
    assert statuses == [200] * BURST


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and wait until PostgreSQL has seen its connections close."""
    server.send_signal(signal.SIGINT)  # quick shutdown for gunicorn (SIGTERM waits out graceful_timeout)
    server.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _server_connections() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_gunicorn_holds_at_most_workers_times_threads_connections():
    port = _free_port()
    server = _serve([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                     "yuebiao.wsgi:application"],
                    {"YUEBIAO_SECRET_KEY": secrets.token_urlsafe(48), "YUEBIAO_WEB_WORKERS": "2",
                     "YUEBIAO_WEB_THREADS": "2", "YUEBIAO_CONN_MAX_AGE": "60"}, port)
    try:
        _burst(port)
        _burst(port)
        held = _server_connections()
        # Persistent (kept for the next request, checked before reuse) and bounded by 2 workers × 2 threads.
        assert 1 <= held <= 4
    finally:
        _stop(server)
    assert _server_connections() == 0


def test_development_server_keeps_no_connection_after_a_burst():
    port = _free_port()
    server = _serve([sys.executable, "-m", "yuebiao.cli", "runserver", f"127.0.0.1:{port}", "--noreload"],
                    {"YUEBIAO_DEV": "1", "YUEBIAO_CONN_MAX_AGE": "60"}, port)
    try:
        _burst(port)
        # Each request closes its connection as it finishes; allow the last ones a moment to do so.
        deadline = time.monotonic() + 10
        while _server_connections() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _server_connections() == 0
    finally:
        _stop(server)
