"""The API's OpenAPI document is one a strict reader accepts: no key twice in any object (the /api/docs page
refused it with "duplicated mapping key"), and valid against the OpenAPI 3 meta-schema."""

from __future__ import annotations

import json

import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR, OPENAPI_31_VALIDATOR


def _no_duplicate_keys(pairs):
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise AssertionError(f"duplicate key {key!r} in {[k for k, _ in pairs]}")
        seen.add(key)
    return dict(pairs)


@pytest.mark.django_db
def test_openapi_document_is_strict_json_and_valid_openapi_3(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content, object_pairs_hook=_no_duplicate_keys)
    version = doc["openapi"]
    assert version.startswith("3.")
    validator = OPENAPI_31_VALIDATOR if version.startswith("3.1") else OPENAPI_30_VALIDATOR
    errors = [str(e) for e in validator.iter_errors(doc)]
    assert errors == []
    # Status codes are strings, each once per operation, and the docs page is served.
    for operations in doc["paths"].values():
        for operation in operations.values():
            assert all(isinstance(code, str) and code.isdigit() for code in operation["responses"])
    assert client.get("/api/docs").status_code == 200


def test_duplicate_keys_are_caught():
    with pytest.raises(AssertionError, match="duplicate key '401'"):
        json.loads('{"responses": {"401": {}, "401": {}}}', object_pairs_hook=_no_duplicate_keys)
