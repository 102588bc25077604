"""Screens in the officer's words: refusals that say why, no internal names, forms that offer only what may be
chosen, and a confirmation before a step that cannot be taken back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Organisation
from catalogue.services import source_label
from lifecycle import periods
from lifecycle.models import LocalStandardProject
from lifecycle.projects import actions as project_actions
from lifecycle.transitions import State

pytestmark = pytest.mark.django_db


def _shenzhen_project(people):
    return project_actions.propose(by=people["bureau"], title_zh="深圳项目", city_code="440300",
                                   drafting_organisations=[people["drafter"].organisation])


def test_a_city_officer_of_another_city_is_told_whose_project_it_is(client, people, make_user):
    project = _shenzhen_project(people)
    guangzhou = make_user("gz", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)
    Organisation.objects.filter(pk=guangzhou.organisation_id).update(name="广州市市场监管局")
    client.force_login(guangzhou)
    response = client.get(reverse("lifecycle:project", args=[project.code]))
    body = response.content.decode()
    assert response.status_code == 403 and "该项目属于深圳市，广州市市场监管局无权查看" in body
    assert "请联系本单位管理员" not in body


def test_another_drafter_is_told_who_proposed_it_and_the_own_unit(client, people):
    project = _shenzhen_project(people)
    client.force_login(people["other_drafter"])
    body = client.get(reverse("lifecycle:project", args=[project.code])).content.decode()
    assert f"该项目由{project.proposer.name}提出" in body and people["other_drafter"].organisation.name in body


def test_a_page_of_another_role_names_the_unit_and_no_permission_code(client, enterprise_user):
    client.force_login(enterprise_user)
    body = client.get(reverse("lifecycle:work")).content.decode()
    assert enterprise_user.organisation.name in body and "lifecycle.work" not in body and "需要权限" not in body


def test_periods_are_listed_in_the_order_of_the_process_without_their_keys(client, people):
    periods.ensure_periods()
    client.force_login(people["bureau"])
    body = client.get(reverse("lifecycle:periods")).content.decode()
    assert "consultation.minimum" not in body.replace('value="consultation.minimum"', "")
    order = ["立项评估", "立项公示期", "起草至征求意见", "征求意见期（最短）", "意见处理", "技术审查", "报批审核",
             "文本公开期限（发布后）", "备案期限（发布后）", "评估报告期限", "复审周期（最长）"]
    positions = [body.index(label) for label in order]
    assert positions == sorted(positions)


def test_no_revision_counter_and_no_command_names_on_screens(client, people, new_project):
    project = new_project()
    client.force_login(people["bureau"])
    body = client.get(reverse("lifecycle:project", args=[project.code])).content.decode()
    assert f"第 {project.version} 版" not in body and "最后更新" in body
    reviews = client.get(reverse("lifecycle:reviews")).content.decode()
    assert "reviews-due" not in reviews and "yuebiao" not in reviews.split("<main", 1)[-1].split("</main>")[0]
    assert source_label("lifecycle") != "lifecycle"


def test_a_city_officer_proposes_for_the_own_city_only(client, make_user):
    officer = make_user("sz", "city_officer", region="440300", kind=Organisation.Kind.CITY_BUREAU)
    client.force_login(officer)
    body = client.get(reverse("lifecycle:propose")).content.decode()
    select = body[body.index('name="city_code"'):]
    select = select[:select.index("</select>")]
    assert select.count("<option") == 1 and 'value="440300"' in select and "selected" in select
    refused = client.post(reverse("lifecycle:propose"), {"title_zh": "广州的项目", "kind": "new",
                                                         "nature": "recommended", "city_code": "440100"})
    # Another city of the province is refused by the action itself, which names the officer's own city.
    assert refused.status_code == 403 and not LocalStandardProject.objects.exists()
    assert "深圳市" in refused.content.decode()


def test_the_bureau_still_chooses_any_city(client, people):
    client.force_login(people["bureau"])
    body = client.get(reverse("lifecycle:propose")).content.decode()
    assert 'value="440000"' in body


def test_a_move_the_user_cannot_take_is_disabled_with_its_reason(client, people, new_project):
    project = new_project()
    client.force_login(people["dept"])
    body = client.get(reverse("lifecycle:project", args=[project.code])).content.decode()
    form = body[body.index('data-action="submit_application"'):]
    form = form[:form.index("</form>")]
    assert "disabled" in form and 'title="' in form


def test_cancelling_asks_for_a_confirmation_that_works_without_script(client, people, new_project, walk):
    project = walk(new_project(), State.ASSESSMENT)
    client.force_login(people["bureau"])
    page = client.get(reverse("lifecycle:project", args=[project.code])).content.decode()
    form = page[page.index('data-action="cancel"'):]
    assert 'name="confirm" value="yes" required' in form[:form.index("</form>")]
    url = reverse("lifecycle:act", args=[project.code])
    unconfirmed = client.post(url, {"action": "cancel", "version": project.version, "reason": "重复立项"}, follow=True)
    project.refresh_from_db()
    assert project.state == State.ASSESSMENT and "请先勾选确认框" in unconfirmed.content.decode()
    client.post(url, {"action": "cancel", "version": project.version, "reason": "重复立项", "confirm": "yes"})
    project.refresh_from_db()
    assert project.state == State.CANCELLED


def test_the_expert_import_offers_its_template_next_to_the_upload(client, people):
    client.force_login(people["bureau"])
    body = client.get(reverse("lifecycle:experts-import")).content.decode()
    form = body[body.index('enctype="multipart/form-data"'):]
    form = form[:form.index("</form>")]
    assert reverse("lifecycle:experts-template") in form


def test_a_city_officer_proposing_for_another_city_is_told_which_city_is_his(make_user):
    from lifecycle import errors

    officer = make_user("sz2", "city_officer", region="440300", kind=Organisation.Kind.CITY_BUREAU)
    with pytest.raises(errors.NotAllowed, match="sz2 机构只能为深圳市提出立项申请，不能为广州市提出"):
        project_actions.propose(by=officer, title_zh="越权的项目", city_code="440100")


def test_withdrawing_reads_as_a_move_on_the_button_and_as_a_stage_elsewhere_in_english():
    from django.utils import translation

    from lifecycle.projects.queries import action_label
    from lifecycle.transitions import STATE_LABELS, Action

    with translation.override("en"):
        assert action_label(Action.CANCEL) == "Withdraw the project"
        assert translation.gettext(STATE_LABELS[State.CANCELLED][0]) == "Project withdrawn"
    with translation.override("zh-hans"):
        assert action_label(Action.CANCEL) == "撤销立项"
