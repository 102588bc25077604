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

from yuebiao.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.exclude(path_regex="/import$").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db(transaction=False)
def test_public_api_conforms(case):
    response = case.call()
    assert response.status_code < 500, response.text
    case.validate_response(
        response, checks=[status_code_conformance, content_type_conformance, response_schema_conformance]
    )
