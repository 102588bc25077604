"""A project's life through the services: proposal to publication, the trail, numbers, concurrency, bad input."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Standard
from lifecycle import access, periods
from lifecycle import documents as lifecycle_documents
from lifecycle import errors as lifecycle_errors
from lifecycle.models import LocalStandardProject, ProjectDocument, PublicComment
from lifecycle.projects import actions as project_actions
from lifecycle.projects import queries as project_queries
from lifecycle.tests.conftest import PDF_BYTES, docx_bytes
from lifecycle.transitions import State
from trail.models import Event
from trail.services import subject_key, verify
from trail.triggers import append_only_suspended


def events_of(project):
    return list(Event.objects.filter(subject=subject_key(project)).order_by("seq"))


@pytest.mark.django_db
def test_walk_from_proposal_to_publication_writes_one_event_per_change(new_project, walk, empty_catalogue):
    project = new_project()
    assert project.state == State.APPLICATION and project.code.endswith("-0001")
    project = walk(project, State.PUBLISHED)
    assert project.state == State.PUBLISHED
    assert project.number.startswith("DB44/T ") and project.number.endswith(f"—{timezone.localdate().year}")
    std = Standard.objects.get(number=project.number)
    assert project.standard == std and std.level == "local" and std.title_zh == project.title_zh
    assert std.status == Standard.Status.UPCOMING  # implementation 90 days ahead
    kinds = [e.kind for e in events_of(project)]
    moves = [e.payload["action"] for e in events_of(project) if e.kind == "state_changed"]
    assert moves == ["submit_application", "start_publicity", "issue_plan", "publish_draft", "close_consultation",
                     "submit_for_review", "submit_for_approval", "approve_publication"]
    assert kinds[0] == "created" and kinds.count("document_uploaded") == 7
    assert project.version == 1 + len(kinds) - 1  # every change bumped the version once
    assert [s.state for s in project.stages.all()][-1] == State.PUBLISHED
    assert verify().ok


@pytest.mark.django_db
def test_the_event_names_the_move_and_hashes_of_its_documents(new_project, walk):
    project = walk(new_project(), State.CONSULTATION)
    event = events_of(project)[-1]
    data = event.payload
    assert (data["from"], data["to"], data["action"]) == ("drafting", "consultation", "publish_draft")
    draft = ProjectDocument.objects.get(project=project, kind="draft_for_comment")
    assert data["documents"]["draft_for_comment"] == draft.sha256
    assert data["changes"]["consultation_opened_on"][1] == timezone.localdate().isoformat()
    assert event.public and event.actor.username == "drafter"


@pytest.mark.django_db
def test_a_move_the_table_does_not_allow_is_refused_with_the_reason(new_project, people):
    project = new_project()
    before = Event.objects.count()
    with pytest.raises(lifecycle_errors.TransitionRefused, match="缺少文件：立项申请书"):
        project_actions.advance(project=project, action="submit_application", by=people["dept"])
    with pytest.raises(lifecycle_errors.TransitionRefused, match="只能由"):
        project_actions.advance(project=project, action="submit_application", by=people["drafter"])
    with pytest.raises(lifecycle_errors.TransitionRefused, match="不能执行"):
        project_actions.advance(project=project, action="approve_publication", by=people["bureau"])
    project.refresh_from_db()
    assert project.state == State.APPLICATION and Event.objects.count() == before


@pytest.mark.django_db
def test_drafter_of_another_organisation_has_no_part(new_project, walk, people):
    project = walk(new_project(), State.DRAFTING)
    assert access.project_roles(people["other_drafter"], project) == frozenset()
    assert not access.can_view_project(people["other_drafter"], project)
    with pytest.raises(lifecycle_errors.LifecycleError):
        lifecycle_documents.upload_document(project=project, kind="draft_for_comment", data=docx_bytes(), filename="a.docx",
                                 by=people["other_drafter"])


@pytest.mark.django_db
def test_consultation_cannot_close_early_and_unanswered_comments_block_review(new_project, walk, people):
    project = walk(new_project(), State.CONSULTATION)
    with pytest.raises(lifecycle_errors.TransitionRefused, match="征求意见期未满"):
        project_actions.advance(project=project, action="close_consultation", by=people["drafter"])
    PublicComment.objects.create(project=project, text="第4章限值过严", author_name="张三")
    project = project_actions.advance(project=project, action="close_consultation", by=people["drafter"],
                               today=timezone.localdate() + timedelta(days=31))
    for kind in ("comment_table", "draft_for_review"):
        lifecycle_documents.upload_document(project=project, kind=kind, data=docx_bytes(), filename="x.docx", by=people["drafter"])
    with pytest.raises(lifecycle_errors.TransitionRefused, match="仍有未处理的征求意见"):
        project_actions.advance(project=project, action="submit_for_review", by=people["drafter"])
    PublicComment.objects.update(resolution="not_adopted", response="依据不足")
    assert project_actions.advance(project=project, action="submit_for_review", by=people["drafter"]).state == \
        State.TECHNICAL_REVIEW


@pytest.mark.django_db
def test_comment_closing_date_before_the_statutory_minimum_is_refused(new_project, walk, people):
    project = walk(new_project(), State.DRAFTING)
    for kind in ("draft_for_comment", "explanatory_report"):
        lifecycle_documents.upload_document(project=project, kind=kind, data=docx_bytes(), filename="x.docx", by=people["drafter"])
    with pytest.raises(lifecycle_errors.LifecycleError, match="不能早于"):
        project_actions.advance(project=project, action="publish_draft", by=people["drafter"],
                         data={"closes_on": (timezone.localdate() + timedelta(days=10)).isoformat()})
    project.refresh_from_db()
    assert project.state == State.DRAFTING and project.consultation_opened_on is None


@pytest.mark.django_db
def test_publication_dates_are_checked(new_project, walk, people):
    project = walk(new_project(), State.APPROVAL)
    today = timezone.localdate()
    for data, message in (
        ({"published_on": today.isoformat()}, "请填写实施日期"),
        ({"published_on": today.isoformat(), "implementation_on": (today - timedelta(days=1)).isoformat()},
         "实施日期不能早于发布日期"),
        ({"published_on": (today - timedelta(days=400)).isoformat(), "implementation_on": today.isoformat()},
         "发布日期不能早于报批日期"),
        ({"published_on": "2026-13-40", "implementation_on": today.isoformat()}, "格式不正确"),
    ):
        with pytest.raises(lifecycle_errors.LifecycleError, match=message):
            project_actions.advance(project=project, action="approve_publication", by=people["bureau"], data=data)
    project.refresh_from_db()
    assert project.state == State.APPROVAL and project.number is None


@pytest.mark.django_db
def test_numbers_follow_the_catalogue_and_never_repeat(new_project, walk, people, make_record):
    from catalogue.services import upsert_standards

    upsert_standards([make_record("DB44/T 2479—2024", "已有地方标准"), make_record("DB44/ 2480—2024", "强制性")],
                     source="t")
    first = walk(new_project("甲"), State.PUBLISHED)
    second = walk(new_project("乙", nature="mandatory", mandatory_basis="《中华人民共和国大气污染防治法》第十条"),
                  State.PUBLISHED)
    year = timezone.localdate().year
    assert first.number == f"DB44/T 2481—{year}"
    assert second.number == f"DB44/ 2482—{year}"


@pytest.mark.django_db
def test_stale_version_is_refused_and_writes_nothing(new_project, walk, people):
    project = walk(new_project(), State.ASSESSMENT)
    version = project.version
    project_actions.advance(project=project, action="start_publicity", by=people["bureau"], expected_version=version)
    before = Event.objects.count()
    with pytest.raises(lifecycle_errors.ConcurrentChange, match="已被他人修改"):
        project_actions.advance(project=project, action="return_for_changes", by=people["bureau"], reason="材料不全",
                         expected_version=version)
    assert Event.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_two_officials_approving_at_the_same_moment(new_project, walk, people, make_user):
    """Exactly one succeeds; the other is told the project changed; one event; one number."""
    project = walk(new_project(), State.APPROVAL)
    second = make_user("bureau2", "provincial_officer")
    version = project.version
    today = timezone.localdate()
    data = {"published_on": today.isoformat(), "implementation_on": (today + timedelta(days=60)).isoformat()}
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait()
            project_actions.advance(project=project, action="approve_publication", by=user, expected_version=version,
                             data=data)
            outcomes.append("ok")
        except lifecycle_errors.LifecycleError as exc:
            outcomes.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a database lock error would be a failure of this test
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (people["bureau"], second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("ok") == 1 and any("已被他人修改" in o for o in outcomes), outcomes
    project.refresh_from_db()
    approvals = [e for e in events_of(project) if e.payload.get("action") == "approve_publication"]
    assert len(approvals) == 1 and project.state == State.PUBLISHED
    assert Standard.objects.filter(number=project.number).count() == 1


@pytest.mark.django_db
def test_wrong_file_types_are_refused_by_their_bytes(new_project, people):
    project = new_project()
    for data, name, message in (
        (b"", "a.pdf", "文件为空"),
        (b"<html>hi</html>", "a.pdf", "不是 PDF"),
        (b"\xd0\xcf\x11\xe0rest", "a.doc", "旧版 Office"),
        (b"PK\x03\x04broken", "a.docx", "损坏"),
    ):
        with pytest.raises(lifecycle_errors.DocumentRefused, match=message):
            lifecycle_documents.upload_document(project=project, kind="application", data=data, filename=name, by=people["dept"])
    doc = lifecycle_documents.upload_document(project=project, kind="application", data=PDF_BYTES, filename="申请书.docx",
                                   by=people["dept"])
    assert doc.content_type == "pdf" and doc.version == 1 and len(doc.sha256) == 64
    again = lifecycle_documents.upload_document(project=project, kind="application", data=docx_bytes(), filename="v2.docx",
                                     by=people["dept"])
    assert again.version == 2


@pytest.mark.django_db
def test_proposal_input_is_checked(people):
    with pytest.raises(lifecycle_errors.LifecycleError, match="请填写标准名称"):
        project_actions.propose(by=people["dept"], title_zh="  ")
    with pytest.raises(lifecycle_errors.LifecycleError, match="强制性地方标准须写明法律依据"):
        project_actions.propose(by=people["dept"], title_zh="某标准", nature="mandatory")
    with pytest.raises(lifecycle_errors.LifecycleError, match="无权"):
        project_actions.propose(by=people["drafter"], title_zh="某标准")
    assert not LocalStandardProject.objects.exists()


@pytest.mark.django_db
def test_city_officer_proposes_only_for_the_own_city(make_user):
    from accounts.models import Organisation

    gz = make_user("gz", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)
    with pytest.raises(lifecycle_errors.LifecycleError, match="只能为广州市提出立项申请，不能为深圳市提出"):
        project_actions.propose(by=gz, title_zh="深圳某标准", city_code="440300")
    assert project_actions.propose(by=gz, title_zh="广州某标准", city_code="440100").proposer == gz.organisation


@pytest.mark.django_db
def test_extension_needs_the_bureaus_approval(new_project, walk, people):
    project = walk(new_project(), State.DRAFTING)
    later = (project.cycle_due_on + timedelta(days=90)).isoformat()
    with pytest.raises(lifecycle_errors.TransitionRefused, match="须填写理由"):
        project_actions.advance(project=project, action="request_extension", by=people["drafter"],
                         data={"requested_due_on": later})
    project_actions.advance(project=project, action="request_extension", by=people["drafter"], reason="试验周期长",
                     data={"requested_due_on": later})
    with pytest.raises(lifecycle_errors.TransitionRefused, match="已有待审批的延期申请"):
        project_actions.advance(project=project, action="request_extension", by=people["drafter"], reason="再延",
                         data={"requested_due_on": later})
    project = project_actions.advance(project=project, action="approve_extension", by=people["bureau"])
    assert project.cycle_due_on.isoformat() == later and project.state == State.DRAFTING


@pytest.mark.django_db
def test_action_holders_and_work_list(new_project, walk, people):
    project = walk(new_project(), State.RESOLUTION)
    PublicComment.objects.create(project=project, text="意见", author_name="李四")
    holders = project_queries.action_holders(project)
    assert [h.role.value for h in holders] == ["drafter"]
    assert people["drafter"] in holders[0].users and "待答复意见 1 条" in holders[0].what
    assert list(project_queries.work_list(people["drafter"])) == [project]
    assert list(project_queries.work_list(people["bureau"])) == []
    assert list(project_queries.work_list(people["other_drafter"])) == []


@pytest.mark.django_db
def test_overdue_projects_are_flagged(new_project, walk):
    project = walk(new_project(), State.ASSESSMENT)
    LocalStandardProject.objects.filter(pk=project.pk).update(stage_due_on=timezone.localdate() - timedelta(days=1))
    assert list(project_queries.overdue()) == [project]


@pytest.mark.django_db
def test_periods_are_data_the_bureau_edits(people):
    periods.ensure_periods()
    assert periods.period("consultation.minimum").amount == 30
    periods.set_period(key="consultation.minimum", amount=45, unit="calendar_days", by=people["bureau"])
    assert periods.period("consultation.minimum").amount == 45
    assert Event.objects.filter(kind="period_changed").count() == 1
    with pytest.raises(lifecycle_errors.LifecycleError):
        periods.set_period(key="consultation.minimum", amount=0, unit="calendar_days", by=people["bureau"])


# --- pages -------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_project_page_for_participants_only(client, new_project, people, enterprise_user):
    project = new_project()
    url = reverse("lifecycle:project", args=[project.code])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(enterprise_user)
    assert client.get(url).status_code == 403
    client.force_login(people["other_drafter"])
    assert client.get(url).status_code == 403
    for who in ("dept", "drafter", "bureau"):
        client.force_login(people[who])
        response = client.get(url)
        assert response.status_code == 200 and project.title_zh in response.content.decode()


@pytest.mark.django_db
def test_propose_through_the_page(client, people):
    client.force_login(people["dept"])
    response = client.get(reverse("lifecycle:propose"))
    assert response.status_code == 200
    response = client.post(reverse("lifecycle:propose"), {
        "title_zh": "岭南建筑修缮技术规程", "kind": "new", "nature": "recommended", "city_code": "440000",
        "drafting_organisations": [people["drafter"].organisation.pk],
    })
    project = LocalStandardProject.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    response = client.post(reverse("lifecycle:propose"), {"title_zh": "", "kind": "new", "nature": "mandatory",
                                                          "city_code": "440000"})
    assert response.status_code == 400 and LocalStandardProject.objects.count() == 1
    client.force_login(people["drafter"])
    assert client.get(reverse("lifecycle:propose")).status_code == 403


@pytest.mark.django_db
def test_act_through_the_page_with_a_stale_version(client, new_project, walk, people):
    project = walk(new_project(), State.ASSESSMENT)
    client.force_login(people["bureau"])
    url = reverse("lifecycle:act", args=[project.code])
    response = client.post(url, {"action": "start_publicity", "version": project.version}, follow=True)
    assert "已完成" in response.content.decode()
    response = client.post(url, {"action": "return_for_changes", "version": project.version, "reason": "x"},
                           follow=True)
    assert "已被他人修改" in response.content.decode()
    project.refresh_from_db()
    assert project.state == State.PUBLICITY


@pytest.mark.django_db
def test_project_page_queries_are_bounded(client, new_project, walk, people, django_assert_max_num_queries):
    """500 events: the page's queries do not grow with them; the trail page lists every one with its hashes."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from trail.services import record

    project = walk(new_project(), State.TECHNICAL_REVIEW)
    client.force_login(people["bureau"])
    url = reverse("lifecycle:project", args=[project.code])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    with transaction.atomic():
        for i in range(500):
            record(project, actor=people["drafter"], kind="document_uploaded",
                   data={"document": "other", "version": i, "sha256": "0" * 64})
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert response.status_code == 200
    assert len(after.captured_queries) <= len(before.captured_queries)
    assert len(after.captured_queries) <= 40
    assert "查看全部记录及哈希链" in response.content.decode()
    with django_assert_max_num_queries(15):
        response = client.get(reverse("lifecycle:project-trail", args=[project.code]))
    body = response.content.decode()
    assert body.count('<li id="event-') == Event.objects.filter(subject=subject_key(project)).count() > 500
    last = Event.objects.filter(subject=subject_key(project)).order_by("-seq").first()
    assert last.hash in body and last.prev_hash in body


@pytest.mark.django_db
def test_api_moves_and_conflict(client, new_project, walk, people):
    project = walk(new_project(), State.ASSESSMENT)
    client.force_login(people["bureau"])
    url = f"/api/lifecycle/projects/{project.code}/moves"
    response = client.post(url, {"action": "start_publicity", "version": project.version},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "publicity"
    response = client.post(url, {"action": "issue_plan", "version": project.version},
                           content_type="application/json")
    assert response.status_code == 409
    client.force_login(people["other_drafter"])
    assert client.get(f"/api/lifecycle/projects/{project.code}").status_code == 403
    client.logout()
    assert client.get(f"/api/lifecycle/projects/{project.code}").status_code == 401


@pytest.mark.django_db
def test_a_project_event_edited_with_sql_is_named_by_trail_verify(new_project, walk):
    """Somebody rewrites a stage change behind the application's back: verify names that very event."""
    import io

    from django.core.management import call_command

    project = walk(new_project(), State.PUBLICITY)
    target = next(e for e in events_of(project) if e.payload.get("action") == "start_publicity")
    with append_only_suspended(), connection.cursor() as cursor:
        cursor.execute("UPDATE trail_event SET data = %s WHERE id = %s",
                       [target.data.replace('"reason":""', '"reason":"后补"'), target.id])
    result = verify()
    assert not result.ok
    assert (result.first.event_id, result.first.seq, result.first.reason) == (target.id, target.seq, "hash_mismatch")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("trail", "verify", stdout=out, stderr=out)
    assert exit_.value.code != 0 and str(target.id) in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_projects_approved_at_the_same_instant_get_consecutive_numbers(new_project, walk, people, make_user):
    """No gap, no duplicate: the counter is locked inside each approving transaction."""
    first, second = walk(new_project("甲标准"), State.APPROVAL), walk(new_project("乙标准"), State.APPROVAL)
    other = make_user("bureau3", "provincial_officer")
    today = timezone.localdate()
    data = {"published_on": today.isoformat(), "implementation_on": (today + timedelta(days=60)).isoformat()}
    barrier = threading.Barrier(2)
    errors = []

    def approve(project, user):
        try:
            barrier.wait()
            project_actions.advance(project=project, action="approve_publication", by=user, data=data)
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=args) for args in ((first, people["bureau"]), (second, other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    numbers = sorted(int(p.number.split(" ")[1].split("—")[0]) for p in LocalStandardProject.objects.filter(
        pk__in=[first.pk, second.pk]))
    assert numbers[1] == numbers[0] + 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_proposals_all_get_distinct_codes(people):
    """Each proposal waits its turn for the year's counter: none fails, no code is taken twice, none skipped."""
    LocalStandardProject.objects.create(
        code=f"{timezone.now().year}-0007", title_zh="早已登记的项目", proposer=people["dept"].organisation,
        created_by=people["dept"], stage_entered_at=timezone.now())
    barrier = threading.Barrier(20)
    outcomes = []

    def propose(i):
        try:
            barrier.wait()
            project = project_actions.propose(by=people["dept"], title_zh=f"并发立项 {i}", city_code="440100")
            outcomes.append(project.code)
        except Exception as exc:  # noqa: BLE001 - any refusal is what this test is about
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=propose, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    year = timezone.now().year
    assert sorted(outcomes) == [f"{year}-{n:04d}" for n in range(8, 28)], outcomes
    assert Event.objects.filter(kind="created", subject__startswith="lifecycle.localstandardproject:").count() == 20


@pytest.mark.django_db
def test_a_revision_project_through_the_page_and_the_api_alike(client, people):
    """The form and the API resolve the revised standard with one function: the same project, the same refusal."""
    import json

    from catalogue.models import Standard

    revised = Standard.objects.filter(number__startswith="DB44").order_by("pk").first()
    client.force_login(people["dept"])
    common = {"title_zh": "岭南建筑修缮技术规程（修订）", "kind": "revision", "nature": "recommended",
              "city_code": "440000"}
    page = client.post(reverse("lifecycle:propose"), {**common, "revises": "DB44/T 99999—2099"})
    api = client.post("/api/lifecycle/projects", json.dumps({**common, "revises": "DB44/T 99999—2099"}),
                      content_type="application/json")
    assert page.status_code == 400 and api.status_code == 400
    assert "目录中没有标准 DB44/T 99999—2099" in page.content.decode()
    assert "目录中没有标准 DB44/T 99999—2099" in api.json()["detail"]
    assert not LocalStandardProject.objects.exists()
    assert client.post(reverse("lifecycle:propose"), {**common, "revises": revised.number}).status_code == 302
    api = client.post("/api/lifecycle/projects", json.dumps({**common, "revises": revised.number}),
                      content_type="application/json")
    assert api.status_code == 201, api.content
    assert [p.revises_id for p in LocalStandardProject.objects.order_by("pk")] == [revised.pk, revised.pk]
