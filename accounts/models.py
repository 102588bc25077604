"""Organisations, users and their roles (机构、用户与角色)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import ROLE_LABELS


class Organisation(models.Model):
    """An organisation that uses the platform (机构): a bureau, committee, drafter, enterprise, association or evaluator."""

    class Kind(models.TextChoices):
        PROVINCIAL_BUREAU = "provincial_bureau", _("省级市场监管部门")
        CITY_BUREAU = "city_bureau", _("地市市场监管部门")
        COMPETENT_DEPARTMENT = "competent_department", _("行业主管部门")
        TECHNICAL_COMMITTEE = "technical_committee", _("标准化技术委员会")
        DRAFTING_ORGANISATION = "drafting_organisation", _("起草单位")
        ENTERPRISE = "enterprise", _("企业")
        ASSOCIATION = "association", _("社会团体")
        EVALUATION_AGENCY = "evaluation_agency", _("第三方评估机构")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, db_index=True)
    # GB/T 2260 code of the area it serves (440000 for the province, 440100 for Guangzhou); plain text so
    # accounts does not lean on the catalogue's reference tables.
    region_code = models.CharField(_("行政区划代码"), max_length=9, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person with an account (用户), member of at most one organisation."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_names(self) -> frozenset[str]:
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_names = cached
        return cached


class RoleAssignment(models.Model):
    """A role held by a user (角色授予)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(
        _("角色"), max_length=32, choices=[(r.value, label[0]) for r, label in ROLE_LABELS.items()]
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授予")
        verbose_name_plural = _("角色授予")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"
