"""A stored comparison is an event of its own chain, written with it; a comparison found again writes nothing."""

import pytest

from compare import services
from compare.tests.conftest import A_NUMBER, B_NUMBER, local_doc, national_doc
from trail.services import timeline, verify

pytestmark = pytest.mark.django_db


def test_a_stored_comparison_is_in_the_trail(catalogued, officer, enterprise_user):
    catalogued(A_NUMBER, "示例工业大气污染物排放标准", local_doc(so2=300))
    catalogued(B_NUMBER, "示例工业大气污染物排放标准", national_doc())
    comparison = services.compare_sides(services.side_from_catalogue(A_NUMBER),
                                        services.side_from_catalogue(B_NUMBER), by=officer)
    [event] = timeline(comparison)
    assert event.kind == "created" and event.actor == officer and not event.public
    data = event.payload
    assert data["key"] == comparison.key and data["unlawful_count"] == 1
    assert data["a"]["number"] == A_NUMBER and data["b"]["source"] == "catalogue"
    assert data["a"]["sha256"] == comparison.a_sha256
    again = services.compare_sides(services.side_from_catalogue(A_NUMBER),
                                   services.side_from_catalogue(B_NUMBER), by=enterprise_user)
    assert again.pk == comparison.pk and len(timeline(comparison)) == 1
    assert verify().ok
