"""Shared test fixtures: the real reference data loaded once per test database, users of each role, records."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests.browsing import TEST_PASSWORD

# Property tests are derandomised by default, so a run of `make test` tries the same examples every time: a failure
# reproduces, and a fresh clone never fails one run in ten. HYPOTHESIS_PROFILE=explore searches anew (locally).
# No deadline: a busy CI machine must not turn a slow example into a failure (speed is the bench's business).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never reach outside this machine (the platform runs on intranets)."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1", "0.0.0.0") or host.startswith("/")
        ):
            raise RuntimeError(f"test tried to reach {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from catalogue.services import load_reference

    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def reference(db):
    """The reference data (loaded again if a transactional test flushed it)."""
    from catalogue.models import IcsCode
    from catalogue.services import load_reference

    if not IcsCode.objects.exists():
        load_reference()


@pytest.fixture
def make_user(db):
    from accounts.models import Organisation
    from accounts.services import create_organisation, create_user

    def make(username: str, *roles: str, region: str = "440000", kind: str = Organisation.Kind.PROVINCIAL_BUREAU):
        org = create_organisation(name=f"{username} 机构", kind=kind, region_code=region)
        return create_user(username=username, password=TEST_PASSWORD, organisation=org, roles=list(roles))

    return make


@pytest.fixture
def officer(make_user):
    return make_user("officer", "provincial_officer")


@pytest.fixture
def enterprise_user(make_user):
    from accounts.models import Organisation

    return make_user("ent", "enterprise_user", region="440600", kind=Organisation.Kind.ENTERPRISE)


def record(number: str, title: str, **extra) -> dict:
    base = {
        "number": number, "title_zh": title, "title_en": "", "status": None, "published_on": None,
        "implemented_on": None, "withdrawn_on": None, "ics_codes": [], "ccs_code": None, "technical_committee": "",
        "issuing_authority": "", "drafting_organisations": [], "replaces": [], "adoption_degree": None,
        "adopted_standard": None, "region_code": None, "sectors": [], "scope": "", "notes": "",
    }
    base.update(extra)
    return base


@pytest.fixture
def run_tasks(settings, django_capture_on_commit_callbacks):
    """The worker, in the test's process: `with run_tasks(): client.post(...)` runs the background tasks the request
    queued when the block ends, as `yuebiao worker` would once the request's transaction had committed."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def make_record():
    return record


@pytest.fixture(autouse=True)
def _fast_passwords(request):
    """Tests hash passwords with MD5: PBKDF2's deliberate slowness costs seconds per fixture and proves nothing."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    request.getfixturevalue("settings").PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counts are cached per catalogue revision; rolled-back tests reuse revision numbers, so start clean."""
    from django.conf import settings

    if not settings.configured:  # pure-module runs with -p no:django
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts and ends in the site's default language. A request in English leaves English active in
    the thread (LocaleMiddleware activates, nothing deactivates), so a later test that renders text directly would
    otherwise read English depending on the order the suite runs in."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_present(request):
    """A browser test's live server flushes the database when it ends; tests that come after get the data back."""
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("reference")


@pytest.fixture
def empty_catalogue(db):
    """No standards (the reference records are removed inside this test's transaction), for exact counts."""
    from catalogue.models import Standard

    Standard.objects.all().delete()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (.ci/run installs it)")
        pytest.skip("chromium is not installed here")
    # Playwright's sync API runs an event loop in this thread; the live server's database calls happen elsewhere.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


