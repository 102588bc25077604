"""The lifecycle demo data: projects at every stage through the real use cases, loaded twice without doubling."""

import pytest

from lifecycle.models import LocalStandardProject
from trail.services import verify


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_loads_every_stage_once():
    from lifecycle.demo import LIVE, load_lifecycle_demo
    from yuebiao.demo import load_demo

    load_demo(standards=300)
    first = load_lifecycle_demo(history=10)
    assert first["live"] == len(LIVE) and first["history"] > 0
    states = set(LocalStandardProject.objects.values_list("state", flat=True))
    assert {state.value for _, state in LIVE} <= states | {"implementing"}
    assert load_lifecycle_demo(history=10) == {"live": 0, "history": 0}
    assert verify().ok
