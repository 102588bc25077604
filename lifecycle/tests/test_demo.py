"""The lifecycle demo data: projects at every stage through the real use cases, loaded twice without doubling,
from several departments, cities and committees, the published one labelled demo data."""

import pytest
from django.utils import timezone

from lifecycle.models import LocalStandardProject
from trail.models import Event
from trail.services import subject_key, verify


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_loads_every_stage_once():
    from lifecycle.demo import LIVE, load_lifecycle_demo
    from yuebiao.demo import load_demo

    load_demo(standards=300)
    first = load_lifecycle_demo(history=10)
    assert first["live"] == len(LIVE) and first["history"] > 0
    states = set(LocalStandardProject.objects.values_list("state", flat=True))
    assert {state.value for _, state, *_ in LIVE} <= states | {"implementing"}
    assert load_lifecycle_demo(history=10) == {"live": 0, "history": 0}
    assert verify().ok

    projects = LocalStandardProject.objects.filter(is_demo=True)
    # The analytics' groupings have something to group.
    assert len(set(projects.values_list("proposer", flat=True))) >= 5
    assert len(set(projects.values_list("technical_committee", flat=True))) >= 5
    assert len(set(projects.values_list("city_code", flat=True))) >= 4
    for project in projects.select_related("standard"):
        # A project's code carries the year it started (its first recorded stage).
        first = project.stages.order_by("entered_at").first()
        assert project.code.startswith(f"{timezone.localtime(first.entered_at).year}-"), project.code
        # Every stage passed left its events in the project's trail.
        kinds = set(Event.objects.filter(subject=subject_key(project)).values_list("kind", flat=True))
        assert "created" in kinds
        if project.state not in ("application", "implementing"):
            assert len(kinds) >= 3, (project.code, project.state, kinds)
    published = projects.get(state="published")
    assert published.standard.is_demo and "演示数据" in published.standard.notes
    assert published.nature == "mandatory" and published.number.startswith("DB44/ ")
    # Its drafting took months, not the minutes the demo took to load; the live projects have been waiting a while.
    assert (published.published_on - published.plan_issued_on).days > 200
    waiting = projects.filter(submitted_on__isnull=False, standard__isnull=True)
    assert waiting.exists() and all(p.stage_entered_at.date() < published.published_on for p in waiting)
    # The dates on the project agree with its stage table.
    consulted = published.stages.get(state="consultation")
    assert published.consultation_opened_on == timezone.localtime(consulted.entered_at).date()
    assert published.plan_issued_on == timezone.localtime(published.stages.get(state="drafting").entered_at).date()
