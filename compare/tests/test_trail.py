"""A stored comparison is a chain of its own: created (queued) with its sides, then completed with its findings,
each written with the change it records; a comparison found again writes nothing."""

import pytest

from compare import actions, services
from compare.tests.conftest import A_NUMBER, B_NUMBER, local_doc, national_doc
from trail.services import timeline, verify

pytestmark = pytest.mark.django_db


def test_a_stored_comparison_is_in_the_trail(catalogued, officer, enterprise_user):
    catalogued(A_NUMBER, "示例工业大气污染物排放标准", local_doc(so2=300))
    catalogued(B_NUMBER, "示例工业大气污染物排放标准", national_doc())
    comparison = actions.compare_sides(services.side_from_catalogue(A_NUMBER),
                                        services.side_from_catalogue(B_NUMBER), by=officer)
    created, completed = timeline(comparison)
    assert created.kind == "created" and created.actor == officer and not created.public
    data = created.payload
    assert data["key"] == comparison.key
    assert data["a"]["number"] == A_NUMBER and data["b"]["source"] == "catalogue"
    assert data["a"]["sha256"] == comparison.a_sha256
    assert completed.kind == "completed" and completed.payload["unlawful_count"] == 1
    again = actions.compare_sides(services.side_from_catalogue(A_NUMBER),
                                   services.side_from_catalogue(B_NUMBER), by=enterprise_user)
    assert again.pk == comparison.pk and len(timeline(comparison)) == 2
    assert verify().ok
