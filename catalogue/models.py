"""The catalogue (标准目录): standards of every level, their classifications, regions and relations."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalogue.numbers import prefix_region


class IcsCode(models.Model):
    """An International Classification for Standards code (ICS 国际标准分类号), edition 7."""

    code = models.CharField(max_length=12, primary_key=True)
    level = models.PositiveSmallIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    title_en = models.CharField(max_length=300)
    title_zh = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ICS 分类")

    def __str__(self) -> str:
        return f"{self.code} {self.title_zh or self.title_en}"


class CcsCode(models.Model):
    """A Chinese Classification for Standards code (CCS 中国标准文献分类号): letter, range or code."""

    code = models.CharField(max_length=8, primary_key=True)
    level = models.PositiveSmallIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    title_zh = models.CharField(max_length=200)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("CCS 分类")

    def __str__(self) -> str:
        return f"{self.code} {self.title_zh}"


class AdminDivision(models.Model):
    """An administrative division (行政区划), GB/T 2260 code; Guangdong down to townships."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        PREFECTURE = "prefecture", _("地级")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡级")

    code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=12, choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")

    def __str__(self) -> str:
        return self.name


class HsCode(models.Model):
    """A Harmonized System code (HS 海关编码), 2022 edition, for products named in standards and notifications."""

    code = models.CharField(max_length=6, primary_key=True)
    level = models.PositiveSmallIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    section = models.CharField(max_length=5)
    description = models.TextField()

    class Meta:
        ordering = ["code"]
        verbose_name = _("HS 编码")


class Sector(models.Model):
    """A sector tag (领域 / 产业集群): the plan's four fields and Guangdong's twenty strategic clusters."""

    slug = models.SlugField(max_length=40, primary_key=True)
    name_zh = models.CharField(max_length=40)
    name_en = models.CharField(max_length=80)
    kind = models.CharField(max_length=20)

    class Meta:
        ordering = ["kind", "slug"]

    def __str__(self) -> str:
        return self.name_zh


class Standard(models.Model):
    """A standard (标准) of any level, identified by its canonical number (标准号)."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家标准")
        INDUSTRY = "industry", _("行业标准")
        LOCAL = "local", _("地方标准")
        GROUP = "group", _("团体标准")
        ENTERPRISE = "enterprise", _("企业标准")
        INTERNATIONAL = "international", _("国际标准")
        FOREIGN = "foreign", _("国外标准")

    class Nature(models.TextChoices):
        MANDATORY = "mandatory", _("强制性")
        RECOMMENDED = "recommended", _("推荐性")
        GUIDANCE = "guidance", _("指导性技术文件")

    class Status(models.TextChoices):
        CURRENT = "current", _("现行")
        UPCOMING = "upcoming", _("即将实施")
        WITHDRAWN = "withdrawn", _("废止")
        REPLACED = "replaced", _("被代替")

    class Adoption(models.TextChoices):
        IDT = "IDT", _("等同采用")
        MOD = "MOD", _("修改采用")
        NEQ = "NEQ", _("非等效采用")

    number = models.CharField(_("标准号"), max_length=80, unique=True)
    slug = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(_("代号"), max_length=40)
    sequence = models.CharField(_("顺序号"), max_length=40)
    # The first whole number of the sequence (1 for 1.1, 61000 for 61000-4-2): sorts 2 before 10, and lets a
    # partial number typed in the search box become index range scans instead of a text scan.
    sequence_num = models.BigIntegerField(default=0, db_index=True)
    part = models.CharField(_("部分"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("年代号"), null=True, blank=True, db_index=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    nature = models.CharField(_("性质"), max_length=16, choices=Nature.choices, blank=True)
    title_zh = models.CharField(_("中文名称"), max_length=500)
    title_en = models.CharField(_("英文名称"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.CURRENT, db_index=True)
    # The status a source stated, kept because dates alone cannot always tell (a record says 废止 without a date).
    stated_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    implemented_on = models.DateField(_("实施日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("废止日期"), null=True, blank=True)
    adoption_degree = models.CharField(_("采标程度"), max_length=3, choices=Adoption.choices, blank=True)
    adopted_standard = models.CharField(_("采用的国际标准"), max_length=80, blank=True)
    ics_codes = models.ManyToManyField(IcsCode, verbose_name=_("ICS"), blank=True, related_name="standards")
    ccs_code = models.ForeignKey(
        CcsCode, verbose_name=_("CCS"), null=True, blank=True, on_delete=models.PROTECT, related_name="standards"
    )
    technical_committee = models.CharField(_("归口单位"), max_length=300, blank=True)
    issuing_authority = models.CharField(_("发布单位"), max_length=300, blank=True)
    drafting_organisations = models.JSONField(_("起草单位"), default=list, blank=True)
    region = models.ForeignKey(
        AdminDivision, verbose_name=_("地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="standards"
    )
    # The prefecture-level city (or the province) the region belongs to: the city facet without a join up the tree.
    city = models.ForeignKey(
        AdminDivision, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("领域"), blank=True, related_name="standards")
    scope = models.TextField(_("适用范围"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    full_text = models.FileField(_("全文"), upload_to="standards/", blank=True)
    source = models.CharField(_("来源"), max_length=60, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # Jieba-segmented words and character bigrams of the titles, scope and organisations: what the full-text
    # index (FTS5 on SQLite, a GIN tsvector expression index on PostgreSQL) is built over.
    search_text = models.TextField(blank=True, editable=False)
    # SHA-256 of the record as last written: re-importing an unchanged row writes nothing.
    record_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["prefix", "sequence_num", "sequence", "year"]
        verbose_name = _("标准")
        verbose_name_plural = _("标准")
        indexes = [
            models.Index(fields=["prefix", "sequence_num"], name="std_prefix_seq"),
            models.Index(fields=["level", "status"], name="std_level_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title_zh}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:standard", args=[self.slug])

    @property
    def region_code(self) -> str | None:
        """The region whose bureau maintains this standard, as accounts.permissions.can() reads it: the issuing
        region in a local standard's number (DB4403/T → 440300, DB44/T → 440000). None for national, industry,
        group and other standards, which only provincial roles maintain; the `region` column (which may name a
        district, or be filled in freely by an import) does not decide who may edit."""
        if self.level != self.Level.LOCAL:
            return None
        return prefix_region(self.prefix)


class Replacement(models.Model):
    """A replacement relation (代替 / 被代替): `standard` replaces the standard numbered `replaced_number`.

    The replaced standard may not be in the catalogue yet; `replaced` is linked when it arrives.
    """

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="replacements")
    replaced_number = models.CharField(max_length=80, db_index=True)
    replaced = models.ForeignKey(
        Standard, null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["standard", "replaced_number"], name="unique_replacement"),
        ]


class CatalogueRevision(models.Model):
    """A counter bumped in every transaction that changes the catalogue: the key of cached counts and facets."""

    revision = models.BigIntegerField(default=0)


class ImportBatch(models.Model):
    """An uploaded list of standards (批量导入), previewed before anything is written, then committed once."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("待确认")
        COMMITTED = "committed", _("已导入")
        REJECTED = "rejected", _("未导入")

    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.BinaryField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREVIEWED)
    report = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class FullTextJob(models.Model):
    """An uploaded full text (全文) waiting for, or done by, the worker: reading it into structure can take a
    minute, so the request only keeps the file and the page follows the job (queued → running → done or failed).

    The file is kept here until the job ends, then dropped: a done job's text lives on the standard, a failed one
    stored nothing."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在读取")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未保存")

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="full_text_jobs")
    requested_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(default=bytes)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
