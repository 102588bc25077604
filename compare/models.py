"""Stored comparisons (标准比对记录): two texts compared once, kept with their report behind a permanent link."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Comparison(models.Model):
    """One comparison of A against B. Both parsed texts are kept as they were compared, so the page behind the
    link shows the same thing after the catalogue's texts change; the report is the pure core's output as is."""

    class Source(models.TextChoices):
        CATALOGUE = "catalogue", _("标准目录")
        UPLOAD = "upload", _("上传文件")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("比对中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("比对失败")

    key = models.CharField(max_length=32, unique=True)
    a_label = models.CharField(_("标准 A"), max_length=300)
    b_label = models.CharField(_("标准 B"), max_length=300)
    a_number = models.CharField(max_length=80, blank=True)
    b_number = models.CharField(max_length=80, blank=True)
    a_source = models.CharField(max_length=12, choices=Source.choices)
    b_source = models.CharField(max_length=12, choices=Source.choices)
    a_standard = models.ForeignKey("catalogue.Standard", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    b_standard = models.ForeignKey("catalogue.Standard", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    a_sha256 = models.CharField(max_length=64)
    b_sha256 = models.CharField(max_length=64)
    a_document = models.JSONField()
    b_document = models.JSONField()
    report = models.JSONField(default=dict, blank=True)
    # A comparison runs on the worker (compare.tasks): the page polls these until it is done or failed.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    step = models.CharField(max_length=80, blank=True)  # what the worker is doing now, in Chinese
    failure = models.TextField(blank=True)  # why it failed, in Chinese
    # The engine that produced the report: a changed engine compares again instead of reusing an old report.
    engine = models.CharField(max_length=20)
    unlawful_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="comparisons")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("比对记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["a_sha256", "b_sha256", "engine"])]

    def __str__(self) -> str:
        return f"{self.a_label} ↔ {self.b_label}"

    def get_absolute_url(self) -> str:
        return reverse("compare:report", args=[self.key])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def public_texts(self) -> bool:
        """Both sides are published catalogue texts: anyone allowed to compare may open the link."""
        return self.a_source == self.Source.CATALOGUE and self.b_source == self.Source.CATALOGUE
