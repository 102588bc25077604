"""{% lifecycle_menu %}: the lifecycle's links in the site menu, for the signed-in user's roles."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from accounts.permissions import roles_of
from lifecycle import menu

register = template.Library()


@register.inclusion_tag("lifecycle/_menu.html", takes_context=True)
def lifecycle_menu(context) -> dict:
    user = getattr(context.get("request"), "user", None)
    roles = {str(getattr(r, "value", r)) for r in roles_of(user)} if user is not None and user.is_authenticated else set()
    links = []
    for name, label in menu.entries_for(roles):
        try:
            links.append((reverse(name), gettext(label)))
        except NoReverseMatch:
            continue
    return {"links": links}
