"""The trail's tables: hash-chained events (one chain per subject) and the daily anchors over all chain heads."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """Raised when code tries to change or remove a trail row: the trail is only ever appended to."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("追溯记录只能追加，不能修改")

    def delete(self):
        raise AppendOnly("追溯记录只能追加，不能删除")


class Event(models.Model):
    """One thing that happened to a subject (事件), linked by hash to the subject's previous event.

    Written only by `trail.services.record`; never updated or deleted by the application.
    """

    subject = models.CharField(_("主体"), max_length=255)
    seq = models.PositiveIntegerField(_("序号"))
    # Exactly the instant that is hashed (UTC, microseconds); chain.format_at gives its hashed text.
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="trail_events",
    )
    # The actor's name when it acted: a later rename must not change what the record says (or its hash).
    actor_label = models.CharField(_("操作人名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=64)
    public = models.BooleanField(_("公开"), default=False)
    # Canonical JSON text, hashed as stored; a JSONField would let the database re-serialise it.
    data = models.TextField(_("数据"))
    prev_hash = models.CharField(_("前序哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        constraints = [
            # Also the index that reads a chain in order, and the backstop that makes a second writer on the same
            # subject fail instead of forking the chain.
            models.UniqueConstraint(fields=["subject", "seq"], name="trail_event_subject_seq"),
        ]
        indexes = [models.Index(fields=["at"], name="trail_event_at")]

    def __str__(self) -> str:
        return f"{self.subject} #{self.seq} {self.kind}"

    @property
    def payload(self) -> dict:
        return json.loads(self.data)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("追溯记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("追溯记录只能追加，不能删除")


class Anchor(models.Model):
    """A daily anchor (每日锚定): the Merkle root over every chain's head at one moment, to publish or print.

    `heads` lists the heads covered ({subject: seq}, canonical JSON) so the root can be recomputed exactly from
    the event rows however many events were written since; `events` is their sum, the number of events then.
    """

    created_at = models.DateTimeField(_("锚定时间"))
    day = models.DateField(_("日期"), db_index=True)
    root = models.CharField(_("默克尔根"), max_length=64)
    chains = models.PositiveIntegerField(_("链数"))
    events = models.PositiveBigIntegerField(_("事件数"))
    heads = models.TextField(_("链头"))
    # The root of the anchor before this one ("" for the first): the anchors form a chain of their own, so one
    # removed from the start or the middle is detected.
    prev_root = models.CharField(_("前一个默克尔根"), max_length=64, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("锚定")
        verbose_name_plural = _("锚定")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.day} {self.root}"  # whole: this is what is published and compared

    @property
    def head_map(self) -> dict[str, int]:
        return json.loads(self.heads)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("锚定记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("锚定记录只能追加，不能删除")
