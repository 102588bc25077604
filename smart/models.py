"""A standard's full text read into structure (机器可读标准), kept beside the catalogue record it belongs to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StructuredStandard(models.Model):
    """The parse of one published text. The file is immutable once attached, so the JSON, the HTML view and the
    lint findings are stored with the hash of the bytes they came from and rebuilt only when the file changes."""

    standard = models.OneToOneField("catalogue.Standard", on_delete=models.CASCADE, related_name="structured")
    source_name = models.CharField(max_length=255)
    source_sha256 = models.CharField(max_length=64)
    schema = models.CharField(max_length=20, blank=True)
    # Why the text could not be structured (此PDF没有文字层…); empty when it was.
    error = models.TextField(blank=True)
    document = models.JSONField(null=True, blank=True)
    html = models.TextField(blank=True)
    sts = models.TextField(blank=True)
    findings = models.JSONField(default=list, blank=True)
    clause_count = models.PositiveIntegerField(default=0)
    term_count = models.PositiveIntegerField(default=0)
    reference_count = models.PositiveIntegerField(default=0)
    limit_count = models.PositiveIntegerField(default=0)
    parsed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("机器可读文本")
