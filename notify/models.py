"""What a person is told (通知): one row per recipient, read in the inbox and, when they have an address, mailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Labels for the kinds other rooms send; an unknown kind is shown as its code, so a room can add one without
# a migration here.
KIND_LABELS = {
    "action_required": _("待办"),
    "deadline": _("期限提醒"),
    "overdue": _("已逾期"),
    "comment_answered": _("意见已答复"),
    "comment_received": _("收到征求意见"),
    "review_seat": _("审查邀请"),
    "review_opened": _("复审启动"),
    "feedback": _("实施信息反馈"),
}


class Notice(models.Model):
    """A notice (通知) to one user: what happened, where to look, and whether it was read and mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("类型"), max_length=40)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # Relative to the site ("/projects/12/"), so the same row works behind any host name.
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_error = models.TextField(_("邮件发送错误"), blank=True)
    # How subject and body were made (yuebiao.messages): subject_id/subject_params, body_id/body_params, so the
    # inbox shows them in the reader's language; empty for notices stored as text only.
    message = models.JSONField(_("消息编号与参数"), default=dict, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notify_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="notify_recipient_newest"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def stored(self) -> dict:
        """Subject and body as stored, with their message ids: what the stored_text filter renders."""
        return {"subject": self.subject, "body": self.body, **(self.message or {})}

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


class DailyRun(models.Model):
    """One run of a daily job (每日任务) for one day: unique per (job, day), so two workers or a restart never
    run it twice; a failed run is taken up again at the worker's next tick."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    job = models.CharField(_("任务"), max_length=64)
    day = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=1)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    result = models.TextField(_("结果"), blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("每日任务运行")
        verbose_name_plural = _("每日任务运行")
        ordering = ["-day", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="notify_dailyrun_job_day")]

    def __str__(self) -> str:
        return f"{self.job} {self.day} {self.status}"
