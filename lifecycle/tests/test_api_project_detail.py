"""The project detail API answers for a project in every state of the demo, and only to the project's parties."""

import pytest

from lifecycle.models import LocalStandardProject


@pytest.fixture
def demo_projects(db):
    from lifecycle.demo import load_lifecycle_demo
    from yuebiao.demo import load_demo

    load_demo(standards=60)
    load_lifecycle_demo(history=3)
    return list(LocalStandardProject.objects.select_related("proposer").order_by("code"))


@pytest.mark.slow
def test_detail_of_every_demo_project(client, demo_projects):
    from accounts.models import User

    client.force_login(User.objects.get(username="sheng"))
    states = set()
    for project in demo_projects:
        response = client.get(f"/api/lifecycle/projects/{project.code}")
        assert response.status_code == 200, (project.code, project.state, response.content[:500])
        body = response.json()
        assert body["code"] == project.code and body["state"] == project.state
        assert body["proposer"] == project.proposer.name
        assert body["url"] == project.get_absolute_url()
        assert isinstance(body["holders"], list) and isinstance(body["actions"], list)
        assert all({"kind", "version", "sha256"} <= set(d) for d in body["documents"])
        states.add(project.state)
    # The demo covers the process from application to implementation: every one of those states was read.
    assert len(states) >= 8, states


@pytest.mark.slow
def test_detail_refused_to_outsiders(client, demo_projects):
    from accounts.models import User

    project = demo_projects[0]
    assert client.get(f"/api/lifecycle/projects/{project.code}").status_code == 401
    client.force_login(User.objects.get(username="enterprise"))
    assert client.get(f"/api/lifecycle/projects/{project.code}").status_code == 403
    client.force_login(User.objects.get(username="sheng"))
    assert client.get("/api/lifecycle/projects/0000-9999").status_code == 404
