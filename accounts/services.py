"""Use cases of the accounts room: organisations, users, roles, and sign-ins in the trail."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from accounts.history import acting
from accounts.models import Organisation, RoleAssignment, User
from accounts.roles import Role
from trail.services import record

# The trail chain of sign-in attempts for names that belong to no account.
UNKNOWN_SIGN_IN_SUBJECT = "accounts.signin"


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


@transaction.atomic
def record_sign_in(*, kind: str, username: str, address: str, outcome: str, user: User | None = None) -> None:
    """Write a sign-in, failure, lock-out or sign-out (登录审计) into the trail: the account's chain when the name
    belongs to one, else the chain of unknown names. Never a password."""
    username = (username or "")[:150]
    if user is None:
        # A NUL byte is no one's name (and PostgreSQL refuses it in a query).
        user = User.objects.filter(username=username).first() if username and "\x00" not in username else None
    data = {"username": username, "address": address or "", "outcome": outcome}
    actor = user if kind in ("signed_in", "signed_out") else AnonymousUser()
    record(user if user is not None else UNKNOWN_SIGN_IN_SUBJECT, actor=actor, kind=kind, data=data)
