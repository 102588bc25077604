"""Use cases of the accounts room: organisations, users, roles, and the sign-in audit."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.history import acting
from accounts.models import LoginEvent, Organisation, RoleAssignment, User
from accounts.roles import Role

# Failed sign-ins allowed per user name in the window before further attempts are refused.
MAX_FAILED_LOGINS = 10
FAILED_LOGIN_WINDOW = timedelta(minutes=15)


@transaction.atomic
def create_organisation(
    *, name: str, kind: str, region_code: str = "", is_demo: bool = False, by: User | None = None
) -> Organisation:
    """Create an organisation or update the one of that name; the change goes into its trail (actor `by`)."""
    with acting(by):
        org, _ = Organisation.objects.update_or_create(
            name=name, defaults={"kind": kind, "region_code": region_code, "is_demo": is_demo}
        )
    return org


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    organisation: Organisation | None = None,
    roles: list[Role | str] = (),
    display_name: str = "",
    email: str = "",
    by: User | None = None,
) -> User:
    """Create a user or reset the one of that name; the change and each role granted go into the user's trail."""
    with acting(by):
        user, created = User.objects.get_or_create(username=username)
        user.organisation = organisation
        user.display_name = display_name
        user.email = email
        user.set_password(password)
        user.save()
        for role in roles:
            grant_role(user=user, role=role, by=by)
    return user


@transaction.atomic
def grant_role(*, user: User, role: Role | str, by: User | None = None) -> RoleAssignment:
    with acting(by):
        assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=Role(role).value)
    user.__dict__.pop("_role_names", None)
    return assignment


def record_login_event(*, kind: str, username: str, user: User | None = None, ip_address: str | None = None) -> None:
    LoginEvent.objects.create(kind=kind, username=username[:150], user=user, ip_address=ip_address)


def login_locked(username: str) -> bool:
    """Whether too many recent failures for this user name mean we refuse to check its password now."""
    since = timezone.now() - FAILED_LOGIN_WINDOW
    return (
        LoginEvent.objects.filter(kind=LoginEvent.Kind.FAILED, username=username[:150], at__gte=since).count()
        >= MAX_FAILED_LOGINS
    )
