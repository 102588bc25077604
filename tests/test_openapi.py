"""Property-based tests of the public API against its own OpenAPI document (schemathesis): no server errors, and
responses match what the document promises."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from django.core.wsgi import get_wsgi_application

# Django's WSGI handler itself: yuebiao.wsgi refuses to load without a key of its own, which tests do not have.
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


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


@schema.exclude(path_regex="/(import|parse|check)$").parametrize()
@settings(max_examples=30, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db(transaction=False)
def test_public_api_conforms(case):
    response = case.call()
    assert response.status_code < 500, response.text
    case.validate_response(
        response, checks=[status_code_conformance, content_type_conformance, response_schema_conformance]
    )
