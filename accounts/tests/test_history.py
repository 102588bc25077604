"""Changes of users, roles and organisations go into the trail, from the services and from the admin, with who
acted and what changed, and never a password hash."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Organisation, RoleAssignment, User
from accounts.services import create_organisation, create_user, grant_role
from trail.models import Event
from trail.services import subject_key, timeline, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_user):
    user = make_user("root-admin", "provincial_admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_services_record_creation_roles_and_edits_with_the_actor(superuser):
    org = create_organisation(name="惠州市局", kind=Organisation.Kind.CITY_BUREAU, region_code="441300", by=superuser)
    user = create_user(username="hz", password="pass-word-123", organisation=org, roles=["city_officer"],
                       display_name="惠州市局 张三", by=superuser)
    [org_created] = timeline(org)
    assert org_created.kind == "created" and org_created.actor == superuser
    assert org_created.payload["changes"]["region_code"] == [None, "441300"]
    kinds = [e.kind for e in timeline(user)]
    assert kinds == ["created", "edited", "role_granted"]
    edited = timeline(user)[1].payload
    assert edited["changes"]["organisation_id"] == [None, org.pk] and edited["password_changed"] is True
    assert all(e.actor == superuser for e in timeline(user))
    grant_role(user=user, role="drafter")
    last = timeline(user)[-1]
    assert last.kind == "role_granted" and last.payload == {"role": "drafter"} and last.actor is None
    assert verify().ok


def test_no_password_hash_ever_reaches_the_trail(make_user):
    user = make_user("pw-user", "drafter")
    with transaction.atomic():
        user.set_password("another-pass-456")
        user.save()
    texts = [e.data for e in Event.objects.filter(subject=subject_key(user))]
    assert texts and not any(user.password in t or "md5$" in t or "pbkdf2" in t for t in texts)
    assert timeline(user)[-1].payload == {"changes": {}, "password_changed": True}


def test_a_sign_in_alone_writes_no_account_change(client, make_user):
    """Signing in updates last_login: that is no change of the account (no `edited`); the sign-in is its own event."""
    user = make_user("signs-in", "drafter")
    before = Event.objects.filter(subject=subject_key(user)).count()
    assert client.post(reverse("accounts:login"), {"username": "signs-in", "password": "pass-word-123"}).status_code == 302
    kinds = list(Event.objects.filter(subject=subject_key(user)).order_by("seq")[before:].values_list("kind", flat=True))
    assert kinds == ["signed_in"]


def test_admin_changes_are_recorded_with_the_administrator_as_actor(client, superuser, make_user):
    client.force_login(superuser)
    org = Organisation.objects.create(name="旧名称", kind=Organisation.Kind.ENTERPRISE, region_code="440600")
    response = client.post(reverse("admin:accounts_organisation_change", args=[org.pk]), {
        "name": "新名称", "kind": "enterprise", "region_code": "440600", "credit_code": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    event = timeline(org)[-1]
    assert event.kind == "edited" and event.actor == superuser
    assert event.payload["changes"] == {"name": ["旧名称", "新名称"]}

    target = make_user("demoted", "city_officer", region="440100")
    assert RoleAssignment.objects.filter(user=target).exists()
    response = client.post(reverse("admin:accounts_user_delete", args=[target.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=target.pk).exists()
    kinds = [e.kind for e in timeline(f"accounts.user:{target.pk}")]
    assert kinds[-2:] == ["role_revoked", "deleted"]  # the cascade removes the roles first
    assert all(e.actor == superuser for e in timeline(f"accounts.user:{target.pk}")[-2:])
    assert verify().ok


def test_a_role_changed_in_place_is_revoked_then_granted(make_user):
    user = make_user("role-swap", "drafter")
    assignment = RoleAssignment.objects.get(user=user)
    with transaction.atomic():
        assignment.role = "expert"
        assignment.save()
        assignment.save()  # saved again unchanged: nothing more
    assert [(e.kind, e.payload) for e in timeline(user)[-2:]] == [
        ("role_revoked", {"role": "drafter"}), ("role_granted", {"role": "expert"})]
    assert [e.kind for e in timeline(user)].count("role_granted") == 2

