"""Every lifecycle area is in the menu of the roles that use it; signing in leads officers to their work list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import TEST_PASSWORD
from lifecycle import menu

pytestmark = pytest.mark.django_db

USES = {
    "provincial_officer": ["专家库", "复审到期清单", "实施信息反馈", "实施效果评估", "规定期限"],
    "city_officer": ["复审到期清单", "实施信息反馈"],
    "committee_secretary": ["专家库"],
    "evaluator": ["实施效果评估"],
    "expert": ["我的技术审查"],
}


@pytest.mark.parametrize("role, labels", USES.items())
def test_each_role_finds_the_areas_it_uses_in_the_menu(client, make_user, role, labels):
    user = make_user(f"u-{role}", role, region="440100" if role == "city_officer" else "440000")
    client.force_login(user)
    body = client.get(reverse("catalogue:home")).content.decode()
    assert "待我处理" in body
    for label in labels:
        assert f">{label}</a>" in body, label
    for name, label, _users in menu.ENTRIES:
        if label not in labels and name != "lifecycle:projects" and label != "待我处理":
            assert f">{label}</a>" not in body, label
    for name, _label in menu.entries_for({role}):  # every link the menu offers opens for that role
        assert client.get(reverse(name)).status_code == 200, (role, name)


def test_the_public_and_enterprises_see_no_lifecycle_menu(client, enterprise_user):
    assert "待我处理" not in client.get(reverse("catalogue:home")).content.decode()
    client.force_login(enterprise_user)
    assert "待我处理" not in client.get(reverse("catalogue:home")).content.decode()


def test_officers_land_on_their_work_list_and_enterprises_on_the_home_page(client, make_user, enterprise_user):
    make_user("bureau-landing", "provincial_officer")
    done = client.post(reverse("accounts:login"), {"username": "bureau-landing", "password": TEST_PASSWORD})
    assert done.status_code == 302
    assert client.get(done["Location"]).url == reverse("lifecycle:work")
    client.logout()
    done = client.post(reverse("accounts:login"), {"username": "ent", "password": TEST_PASSWORD})
    assert client.get(done["Location"]).url == reverse("catalogue:home")


def test_a_next_page_still_wins_over_the_landing(client, make_user):
    make_user("bureau-next", "provincial_officer")
    done = client.post(reverse("accounts:login") + "?next=/lifecycle/periods/",
                       {"username": "bureau-next", "password": TEST_PASSWORD})
    assert done["Location"] == "/lifecycle/periods/"


def test_the_landing_sends_the_anonymous_home(client):
    assert client.get(reverse("lifecycle:landing")).url == reverse("catalogue:home")
