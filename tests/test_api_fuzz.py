"""The whole API fuzzed from its own OpenAPI document (schemathesis), anonymous and signed in as a provincial
officer: whatever the parameters and bodies, no answer is a server error.

Deterministic (derandomize, no example database) and bounded, so `make test` runs it every time in well under a
minute; a failure names the operation and the request that broke it.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from django.core.wsgi import get_wsgi_application

# Django's own handler: yuebiao.wsgi refuses to serve without a production key, which tests do not have.
application = get_wsgi_application()

# The coverage phase (boundary values: empty strings, huge numbers, NUL characters, missing fields) is what finds
# 500s; sending every other HTTP method to every path only proves Django answers 405, at a cost of minutes.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)

EXAMPLES = 8
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))
CSRF_SECRET = "edgefuzzcsrfsecret0123456789abcd"  # any 32 characters from Django's alphabet


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calls go straight into the WSGI app; like Django's test client, keep it from closing the test's connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def officer_session(officer, client):
    """A provincial officer's session cookie and CSRF token, as a browser sends them to the API."""
    client.force_login(officer)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET},
        "headers": {"X-CSRFToken": CSRF_SECRET},
    }


def _call(case, **transport):
    response = case.call(**transport)
    case.validate_response(response, checks=[not_a_server_error])
    return response


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_anonymous_no_server_error(case):
    _call(case)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_signed_in_officer_no_server_error(case, officer_session):
    response = _call(case, cookies=officer_session["cookies"], headers=officer_session["headers"])
    # Signed in for real: the session is recognised, so no operation answers "not signed in".
    assert response.status_code != 401, (case.path, response.text)
