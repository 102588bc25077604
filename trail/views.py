"""The public page and Atom feed of the anchors' roots (锚定根公布): a copy kept elsewhere proves what existed."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext, gettext_lazy

from accounts.permissions import public
from trail import services
from trail.models import Anchor

PAGE_SIZE = 100
FEED_SIZE = 100


@public
def anchors(request):
    """Every anchor, newest first: day, time, root, chains and events, with the JSON and the feed to keep."""
    page = Paginator(Anchor.objects.order_by("-created_at", "-id").defer("heads"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "trail/anchors.html", {"page": page})


@public
def anchors_json(request):
    """The same list as `yuebiao trail roots --json`, oldest first; `yuebiao trail verify --root` reads it back."""
    return JsonResponse({"format": "yuebiao-trail-roots", "anchors": services.published_roots()},
                        json_dumps_params={"ensure_ascii": False, "indent": 1})


class AnchorsFeed(Feed):
    """Atom feed of the anchors; each entry's title holds the day and the root, its id the anchor's number."""

    feed_type = Atom1Feed
    title = gettext_lazy("粤标：全过程追溯每日锚定根")
    subtitle = gettext_lazy("每个锚定的默克尔根；保存一份，日后可用于核对追溯记录未被改写")

    def link(self):
        return reverse("trail:anchors")

    def items(self):
        return Anchor.objects.order_by("-created_at", "-id").defer("heads")[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.day.isoformat()} {gettext('默克尔根')} {item.root}"

    def item_description(self, item):
        return gettext("%(chains)s 条链、%(events)s 个事件；前一个根 %(prev)s") % {
            "chains": item.chains, "events": item.events, "prev": item.prev_root or "—"}

    def item_link(self, item):
        return f"{reverse('trail:anchors')}#anchor-{item.pk}"

    def item_guid(self, item):
        return f"urn:yuebiao:trail-anchor:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


anchors_feed = public(AnchorsFeed())
