"""Template context of notify: the signed-in user's unread count for the header, counted only if a page shows it."""

from django.utils.functional import SimpleLazyObject

from notify.services import unread_count


def inbox(request):
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
