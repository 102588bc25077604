"""Changes of users, roles and organisations in the trail (账户变更记录), whoever makes them.

Signal receivers, so the services, the Django admin and anything else that saves these models are all covered:
each save or deletion writes an event on the user's or organisation's chain with what changed ({field: [old,
new]}), in the transaction of the change. A password change is recorded as having happened, never its hash. Who
acted comes from `acting(user)`, which the services and the admin set around their writes; without it the actor
is the system (a management command, a data migration).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from accounts.models import Organisation, RoleAssignment, User

_actor: ContextVar[Any] = ContextVar("accounts_trail_actor", default=None)

USER_FIELDS = ("username", "display_name", "first_name", "last_name", "email", "organisation_id", "is_active",
               "is_staff", "is_superuser")
ORGANISATION_FIELDS = ("name", "kind", "region_code", "credit_code", "is_demo")
# Saves that are sign-ins, not changes of record (the sign-in audit keeps those).
_SIGN_IN_ONLY = frozenset({"last_login"})


@contextmanager
def acting(user: Any) -> Iterator[None]:
    """Name `user` as the actor of the account changes made inside the block."""
    token = _actor.set(user if getattr(user, "pk", None) else None)
    try:
        yield
    finally:
        _actor.reset(token)


def _record(subject: str | Organisation | User, kind: str, data: dict) -> None:
    from trail.services import record

    if transaction.get_connection().in_atomic_block:
        record(subject, actor=_actor.get(), kind=kind, data=data)
    else:
        # A save in autocommit (createsuperuser, changepassword) is already committed: its event follows at once.
        with transaction.atomic():
            record(subject, actor=_actor.get(), kind=kind, data=data)


def _plain(value: Any) -> Any:
    # Choices (Organisation.Kind …) are str subclasses; the trail takes plain JSON values only.
    return str(value) if isinstance(value, str) else value


def _values(instance, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def _remember(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    """Before a save: the row as stored, to say afterwards what changed."""
    if raw or instance.pk is None:
        instance._trail_before = None
        return
    fields = USER_FIELDS + ("password",) if sender is User else ORGANISATION_FIELDS
    instance._trail_before = sender.objects.filter(pk=instance.pk).values(*fields).first()


def _saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw or (update_fields is not None and set(update_fields) <= _SIGN_IN_ONLY):
        return
    fields = USER_FIELDS if sender is User else ORGANISATION_FIELDS
    before = None if created else getattr(instance, "_trail_before", None)
    after = _values(instance, fields)
    changes = {k: [before.get(k) if before else None, v] for k, v in after.items()
               if (before.get(k) if before else None) != v and not (before is None and v in ("", None, False))}
    data: dict[str, Any] = {"changes": changes}
    if sender is User and before is not None and before["password"] != instance.password:
        data["password_changed"] = True
    if not created and not changes and "password_changed" not in data:
        return
    _record(instance, "created" if created else "edited", data)


def _deleted(sender, instance, **kwargs) -> None:
    fields = USER_FIELDS if sender is User else ORGANISATION_FIELDS
    _record(instance, "deleted", {"changes": {k: [v, None] for k, v in _values(instance, fields).items()}})


def _role_remember(sender, instance, raw=False, **kwargs) -> None:
    instance._trail_before = None if raw or instance.pk is None else sender.objects.filter(
        pk=instance.pk).values_list("user_id", "role").first()


def _role_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    before = None if created else getattr(instance, "_trail_before", None)
    if before == (instance.user_id, instance.role):
        return
    if before is not None:  # a role changed in place (the admin's inline): the old one is taken away
        _record(f"accounts.user:{before[0]}", "role_revoked", {"role": before[1]})
    _record(f"accounts.user:{instance.user_id}", "role_granted", {"role": instance.role})


def _role_deleted(sender, instance, **kwargs) -> None:
    _record(f"accounts.user:{instance.user_id}", "role_revoked", {"role": instance.role})


def connect() -> None:
    for model in (User, Organisation):
        pre_save.connect(_remember, sender=model, dispatch_uid=f"trail-before-{model.__name__}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"trail-saved-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"trail-deleted-{model.__name__}")
    pre_save.connect(_role_remember, sender=RoleAssignment, dispatch_uid="trail-role-before")
    post_save.connect(_role_saved, sender=RoleAssignment, dispatch_uid="trail-role-granted")
    post_delete.connect(_role_deleted, sender=RoleAssignment, dispatch_uid="trail-role-revoked")
